/**
 * The directory against the WellSky sandbox through the real client: the wire, the mapping and
 * webhooks the sandbox really posts, end to end.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import { createDirectory, createWellSkyWebhookRouter, registerSubscriptions } from '../../src/directory';
import { createWellSkyService } from '../../src/wellsky/client';
import { createSandbox, FIXTURE_PEOPLE } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import { testAgency } from './fixtures';

const SECRET = 'sandbox-webhook-secret-0123456789';
const e164 = (tenDigits: string) => `+1${tenDigits}`;

describeEachDb('directory against the WellSky sandbox', (ctx) => {
  let closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    closers = [];
  });

  async function setup() {
    const sandbox = createSandbox({ caregivers: 12, clients: 10 });
    const listening = await sandbox.listen(0, '127.0.0.1');
    closers.push(listening.close);
    const wellsky = createWellSkyService({ baseUrl: listening.url, ...sandbox.credentials, timezone: 'America/Denver' });
    // Generous: this test is about the wire and the mapping; the time limit has its own test.
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency(), liveLookupTimeoutMs: 10_000 });
    const router = createWellSkyWebhookRouter({ directory, secret: SECRET });
    const server = express().use(router).listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const publicBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { sandbox, wellsky, directory, router, publicBaseUrl };
  }

  it('syncs the agency and tells the caregiver-daughter apart from herself', async () => {
    const { sandbox, directory } = await setup();
    const counts = await directory.fullSync();
    expect(counts.caregivers).toBe(sandbox.state.practitioners.length);
    expect(counts.patients).toBe(sandbox.state.patients.length);
    expect(counts.contacts).toBeGreaterThan(0);

    sandbox.requestLog.length = 0;
    const tanya = await directory.identify(e164(FIXTURE_PEOPLE.sharedPhoneCaregiver.phone));
    expect(tanya.source).toBe('cache');
    expect(tanya.identities).toEqual([
      expect.objectContaining({ kind: 'caregiver', personId: FIXTURE_PEOPLE.sharedPhoneCaregiver.id }),
      expect.objectContaining({ kind: 'contact', clientId: FIXTURE_PEOPLE.clientWithCaregiverDaughter.id, clientFirstName: 'Gloria' }),
    ]);
    const paul = await directory.identify(e164(FIXTURE_PEOPLE.inactiveCaregiver.phone));
    expect(paul.identities).toEqual([expect.objectContaining({ kind: 'caregiver', active: false })]);
    const amy = await directory.identify(e164(FIXTURE_PEOPLE.applicant.phone));
    expect(amy.identities).toEqual([expect.objectContaining({ kind: 'caregiver', hired: false })]);
    const betty = await directory.identify(e164(FIXTURE_PEOPLE.prospect.phone));
    expect(betty.identities).toEqual([expect.objectContaining({ kind: 'prospect' })]);
    expect(sandbox.requestLog).toHaveLength(0);

    expect(await directory.primaryContactFor(FIXTURE_PEOPLE.clientWithDaughter.id)).toMatchObject({
      personId: FIXTURE_PEOPLE.daughterContact.id,
      phones: [e164(FIXTURE_PEOPLE.daughterContact.phone)],
    });
  });

  it('finds a caller live when the directory is empty', async () => {
    const { directory } = await setup();
    const rosa = await directory.identify(e164(FIXTURE_PEOPLE.spanishCaregiver.phone));
    expect(rosa).toEqual({
      source: 'live',
      identities: [expect.objectContaining({ kind: 'caregiver', personId: FIXTURE_PEOPLE.spanishCaregiver.id, language: 'es' })],
    });
  });

  it('follows a phone change through the subscription webhook the sandbox posts', async () => {
    const { sandbox, wellsky, directory, router, publicBaseUrl } = await setup();
    await directory.fullSync();
    const outcome = await registerSubscriptions({ wellsky, publicBaseUrl, secret: SECRET });
    expect(outcome.failed).toEqual([]);

    const betty = FIXTURE_PEOPLE.prospect;
    const newPhone = '+17205550199';
    await wellsky.updatePatient(betty.id, { phone: newPhone });
    await sandbox.flushWebhooks();
    await router.whenIdle();

    expect(sandbox.webhookDeliveries.some((d) => JSON.stringify(d).includes(betty.id))).toBe(true);
    const found = await directory.identify(newPhone, { live: false });
    expect(found.identities).toEqual([expect.objectContaining({ personId: betty.id })]);
    const stillHasOld = (await wellsky.getPatient(betty.id)).phones.includes(e164(betty.phone));
    const atOld = await directory.identify(e164(betty.phone), { live: false });
    expect(atOld.identities.length).toBe(stillHasOld ? 1 : 0);
  });

  it('renews the subscriptions it already has instead of creating them again', async () => {
    const { sandbox, wellsky, publicBaseUrl } = await setup();
    const first = await registerSubscriptions({ wellsky, publicBaseUrl, secret: SECRET, now: () => new Date('2026-12-06T12:00:00Z') });
    expect(first.created.length).toBeGreaterThan(0);
    const count = sandbox.state.subscriptions.length;
    const again = await registerSubscriptions({ wellsky, publicBaseUrl, secret: SECRET, now: () => new Date('2026-12-07T12:00:00Z') });
    expect(again).toMatchObject({ created: [], failed: [] });
    expect(again.renewed.sort()).toEqual(first.created.sort());
    expect(sandbox.state.subscriptions).toHaveLength(count);
    for (const sub of sandbox.state.subscriptions) expect(sub.end).toBe('2027-01-06T12:00:00Z');
  });
});
