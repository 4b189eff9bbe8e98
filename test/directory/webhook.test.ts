import express from 'express';
import request from 'supertest';
import { createDirectory, createWellSkyWebhookRouter, directoryJobHandlers, registerSubscriptions, type EnqueueJob } from '../../src/directory';
import { FakeClock } from '../../src/clock';
import { createJobQueue } from '../../src/jobs';
import { describeEachDb } from '../support/db';
import { createFakeWellSky } from '../support/fake-wellsky';
import { PHONES, seededWellSky, testAgency } from './fixtures';

const SECRET = 'a-webhook-secret-of-some-length';

describeEachDb('directory: WellSky webhooks', (ctx) => {
  async function setup(opts: { secret?: string | undefined; enqueue?: EnqueueJob; clock?: FakeClock } = { secret: SECRET }) {
    const wellsky = seededWellSky();
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency() });
    await directory.fullSync();
    wellsky.resetCalls();
    const router = createWellSkyWebhookRouter({ directory, secret: opts.secret, enqueue: opts.enqueue, clock: opts.clock });
    const app = express().use(router);
    return { wellsky, directory, router, app };
  }

  it('refreshes a caregiver whose phone changed: the old number no longer matches, the new one does', async () => {
    const { wellsky, directory, router, app } = await setup();
    const newPhone = '+13035550088';
    wellsky.caregivers.find((c) => c.id === '3002')!.phones = [newPhone];

    const res = await request(app)
      .post('/wellsky/webhook')
      .set('Authorization', `Bearer ${SECRET}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify({ resourceType: 'Practitioner', id: 3002 }));
    expect(res.status).toBe(200);
    await router.whenIdle();

    expect((await directory.identify(PHONES.james, { live: false })).identities).toEqual([]);
    expect((await directory.identify(newPhone, { live: false })).identities).toEqual([
      expect.objectContaining({ kind: 'caregiver', personId: '3002' }),
    ]);
    expect(wellsky.calls.getCaregiver).toBe(1);
  });

  it("refreshes a client and their family when the Patient changes", async () => {
    const { wellsky, directory, router, app } = await setup();
    wellsky.patients.find((p) => p.id === '2001')!.phones = ['+13035550066'];
    wellsky.contacts = wellsky.contacts.filter((c) => c.id !== '5002');

    await request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`).send({ resourceType: 'Patient', id: '2001' }).expect(200);
    await router.whenIdle();

    expect((await directory.identify(PHONES.dorothy, { live: false })).identities).toEqual([]);
    expect((await directory.identify('+13035550066', { live: false })).identities).toHaveLength(1);
    expect((await directory.identify(PHONES.robert, { live: false })).identities).toEqual([]);
    expect((await directory.identify(PHONES.maria, { live: false })).identities.map((i) => i.kind)).toEqual(['caregiver', 'contact']);
  });

  it('turns a prospect into a client when WellSky says so', async () => {
    const { wellsky, directory } = await setup();
    wellsky.patients.find((p) => p.id === '2101')!.isClient = true;
    await directory.refreshPerson('Patient', '2101');
    expect((await directory.identify(PHONES.harold, { live: false })).identities.map((i) => i.kind)).toEqual(['client']);
  });

  it('removes someone WellSky no longer has', async () => {
    const { wellsky, directory } = await setup();
    wellsky.caregivers = wellsky.caregivers.filter((c) => c.id !== '3003');
    await directory.refreshPerson('Practitioner', '3003');
    expect((await directory.identify(PHONES.ana, { live: false })).identities).toEqual([]);
  });

  it("refreshes a family contact through their client's contact list", async () => {
    const { wellsky, directory } = await setup();
    wellsky.contacts.find((c) => c.id === '5002')!.phones = ['+13035550055'];
    await directory.refreshPerson('RelatedPerson', '5002');
    expect(wellsky.calls.contactsOf).toBe(1);
    expect((await directory.identify('+13035550055', { live: false })).identities).toEqual([
      expect.objectContaining({ kind: 'contact', personId: '5002', clientFirstName: 'Dorothy' }),
    ]);
  });

  it('refuses a wrong or missing secret with 401 and changes nothing', async () => {
    const { wellsky, app } = await setup();
    await request(app).post('/wellsky/webhook').set('Authorization', 'Bearer not-the-secret').send({ resourceType: 'Patient', id: 2001 }).expect(401);
    await request(app).post('/wellsky/webhook').send({ resourceType: 'Patient', id: 2001 }).expect(401);
    await request(app).post('/wellsky/webhook').set('Authorization', SECRET).send({ resourceType: 'Patient', id: 2001 }).expect(401);
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('answers 503 with a clear message when no secret is configured', async () => {
    const { app } = await setup({ secret: undefined });
    const res = await request(app).post('/wellsky/webhook').set('Authorization', 'Bearer anything').send({ resourceType: 'Patient', id: 2001 });
    expect(res.status).toBe(503);
    expect(res.body.error).toContain('WELLSKY_WEBHOOK_SECRET');
  });

  it('answers 400 to a body that is not a WellSky notification', async () => {
    const { app } = await setup();
    const post = () => request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`);
    expect((await post().send({ id: 2001 })).status).toBe(400);
    expect((await post().send({ resourceType: 'Patient' })).status).toBe(400);
    expect((await post().send({ resourceType: 'Patient', id: 'drop table' })).status).toBe(400);
    expect((await post().set('Content-Type', 'application/json').send('{not json')).status).toBe(400);
  });

  it('acknowledges notifications about other resources without acting on them', async () => {
    const { wellsky, router, app } = await setup();
    const res = await request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`).send({ resourceType: 'Encounter', id: 77 });
    expect(res.status).toBe(200);
    await router.whenIdle();
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('answers at once even while WellSky is slow, and a failed refresh hurts nobody', async () => {
    const { wellsky, router, app } = await setup();
    wellsky.setLatency(300).setDown();
    const started = Date.now();
    await request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`).send({ resourceType: 'Patient', id: 2001 }).expect(200);
    expect(Date.now() - started).toBeLessThan(250);
    await router.whenIdle();
  });

  it('queues a durable refresh job when a queue is given, once per burst', async () => {
    const clock = new FakeClock('2026-02-02T15:00:01Z');
    const queue = createJobQueue(ctx.db, clock);
    const { wellsky, router, app } = await setup({ secret: SECRET, clock, enqueue: (kind, payload, opts) => queue.enqueue(kind, payload, opts) });

    for (let i = 0; i < 3; i++) {
      await request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`).send({ resourceType: 'Patient', id: 2001 }).expect(200);
    }
    await router.whenIdle();

    const jobs = await ctx.db.query<{ kind: string; payload: unknown; run_at: Date }>(`SELECT kind, payload, run_at FROM jobs`);
    expect(jobs.rows.map((j) => ({ ...j, run_at: new Date(j.run_at).toISOString() }))).toEqual([
      // Runs when the five-second window closes, so the whole burst costs one WellSky read.
      { kind: 'directory.refresh', payload: { resourceType: 'Patient', id: '2001' }, run_at: '2026-02-02T15:00:05.000Z' },
    ]);
    expect(wellsky.totalCalls()).toBe(0);

    // A change after that window gets a job of its own.
    clock.advance(10_000);
    await request(app).post('/wellsky/webhook').set('Authorization', `Bearer ${SECRET}`).send({ resourceType: 'Patient', id: 2001 }).expect(200);
    await router.whenIdle();
    expect((await ctx.db.query(`SELECT 1 FROM jobs`)).rows).toHaveLength(2);
  });
});

describeEachDb('directory: job handlers', (ctx) => {
  it('runs a full sync and a refresh as durable jobs', async () => {
    const wellsky = seededWellSky();
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency() });
    const handlers = directoryJobHandlers(directory);

    await handlers['directory.sync']({});
    expect((await directory.identify(PHONES.robert, { live: false })).identities).toHaveLength(1);

    wellsky.caregivers[0].phones = ['+13035550044'];
    await handlers['directory.refresh']({ resourceType: 'Practitioner', id: 3001 });
    expect((await directory.identify('+13035550044', { live: false })).identities).toHaveLength(1);
  });

  it('fails a refresh job with a malformed payload for good, and lets WellSky outages retry', async () => {
    const wellsky = seededWellSky();
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency() });
    const handlers = directoryJobHandlers(directory);
    await expect(handlers['directory.refresh']({ resourceType: 'Encounter', id: 1 })).rejects.toMatchObject({ name: 'PermanentJobError' });
    wellsky.setDown();
    await expect(handlers['directory.refresh']({ resourceType: 'Patient', id: '2001' })).rejects.toMatchObject({ name: 'UnavailableError' });
  });
});

describe('directory: WellSky subscriptions', () => {
  const base = { publicBaseUrl: 'https://frontdoor.example.com/', secret: SECRET };

  it('subscribes to every change the directory cares about, once', async () => {
    const wellsky = createFakeWellSky();
    const first = await registerSubscriptions({ wellsky, ...base });
    expect(first.created).toHaveLength(5);
    expect(wellsky.subscriptions.map((s) => s.endpoint)).toEqual(Array(5).fill('https://frontdoor.example.com/wellsky/webhook'));
    expect(wellsky.subscriptions.every((s) => s.secret === SECRET)).toBe(true);

    const second = await registerSubscriptions({ wellsky, ...base });
    expect(second).toEqual({ created: [], existing: first.created, renewed: first.created, failed: [] });
    expect(wellsky.subscriptions).toHaveLength(5);
  });

  it('never throws when WellSky refuses: subscriptions are only an accelerator', async () => {
    const wellsky = createFakeWellSky();
    wellsky.failOn('createSubscription');
    const outcome = await registerSubscriptions({ wellsky, ...base });
    expect(outcome.failed).toHaveLength(5);
    wellsky.setDown();
    await expect(registerSubscriptions({ wellsky, ...base })).resolves.toMatchObject({ created: [] });
  });
});
