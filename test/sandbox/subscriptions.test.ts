import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { createSandbox, FIXTURE_PEOPLE as F, FIXTURE_SHIFTS as S } from '../../src/wellsky-sandbox';
import { bearer, resources, WEDNESDAY_10AM_DENVER } from './helpers';

interface Received {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

/** A tiny webhook receiver on a random port. */
function receiver(): Promise<{ url: string; received: Received[]; close: () => Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(data) });
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/wellsky/webhook`, received, close: () => new Promise((r) => server.close(() => r())) });
    }),
  );
}

const sb = createSandbox({ now: () => WEDNESDAY_10AM_DENVER });
let auth: string;
let hook: Awaited<ReturnType<typeof receiver>>;
beforeAll(async () => {
  hook = await receiver();
});
afterAll(async () => {
  await hook.close();
});
beforeEach(async () => {
  sb.reset();
  hook.received.length = 0;
  auth = await bearer(sb);
});

async function subscribe(criteria: string) {
  const res = await request(sb.app)
    .post('/v1/subscriptions/')
    .set('Authorization', auth)
    .send({ criteria, channel: { type: 'rest-hook', endpoint: hook.url, payload: 'application/fhir+json', header: ['Authorization: Bearer hook-secret'] } });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe('subscriptions', () => {
  it('lists what was registered', async () => {
    const sub = await subscribe('patient.created');
    const list = await request(sb.app).get('/v1/subscriptions/').set('Authorization', auth);
    expect(resources(list.body)).toEqual([expect.objectContaining({ id: sub.id, criteria: 'patient.created', channel: expect.objectContaining({ endpoint: hook.url }) })]);
  });

  it('really POSTs {resourceType, id} with the registered headers when an office edit changes a caregiver phone', async () => {
    await subscribe('practitioner.telecom.changed');
    const res = await request(sb.app)
      .post(`/_sandbox/mutate/practitioners/${F.oneShiftCaregiver.id}`)
      .send({ telecom: [{ system: 'phone', value: '9705550177', use: 'mobile' }] });
    expect(res.status).toBe(200);
    await sb.flushWebhooks();
    expect(hook.received).toHaveLength(1);
    expect(hook.received[0].body).toEqual({ resourceType: 'Practitioner', id: Number(F.oneShiftCaregiver.id) });
    expect(hook.received[0].headers.authorization).toBe('Bearer hook-secret');
    expect(hook.received[0].headers['content-type']).toBe('application/fhir+json');
  });

  it('does not call back for a change its criteria do not name', async () => {
    await subscribe('practitioner.deactivated.changed');
    await request(sb.app).post(`/_sandbox/mutate/practitioners/${F.oneShiftCaregiver.id}`).send({ telecom: [{ system: 'phone', value: '9705550177', use: 'mobile' }] });
    await sb.flushWebhooks();
    expect(hook.received).toHaveLength(0);
    await request(sb.app).post(`/_sandbox/mutate/practitioners/${F.oneShiftCaregiver.id}`).send({ active: false });
    await sb.flushWebhooks();
    expect(hook.received.map((r) => r.body)).toEqual([{ resourceType: 'Practitioner', id: Number(F.oneShiftCaregiver.id) }]);
  });

  it('calls back on patient.created for a lead created through the API', async () => {
    await subscribe('patient.created');
    const res = await request(sb.app)
      .post('/v1/patients/')
      .set('Authorization', auth)
      .send({
        resourceType: 'Patient', name: [{ family: 'Hooktest', given: ['Ada'] }], telecom: [{ system: 'phone', value: '7205550196', use: 'mobile' }],
        meta: { tag: [{ code: 'isClient', display: 'false' }, { code: 'status', display: '1' }, { code: 'agencyId', display: '1669' }] },
      });
    await sb.flushWebhooks();
    expect(hook.received.map((r) => r.body)).toEqual([{ resourceType: 'Patient', id: Number(res.body.id) }]);
  });

  it('calls back on prospect.status.changed and patient.telecom.changed', async () => {
    await subscribe('prospect.status.changed');
    await subscribe('patient.telecom.changed');
    await request(sb.app).post(`/_sandbox/mutate/patients/${F.prospect.id}`).send({ meta: { tag: [{ code: 'status', display: '20' }] } });
    await sb.flushWebhooks();
    expect(hook.received.map((r) => r.body)).toEqual([{ resourceType: 'Patient', id: Number(F.prospect.id) }]);
    const tags = sb.state.patients.find((p) => p.id === F.prospect.id)!.meta.tag;
    expect(tags).toContainEqual({ code: 'status', display: '20' });
    expect(tags).toContainEqual({ code: 'isClient', display: 'false' });
  });

  it('calls back on encounter.clockout.changed', async () => {
    await subscribe('encounter.clockout.changed');
    const clockIn = await request(sb.app).post(`/_sandbox/clock-in/${S.rosaTomorrow}`);
    await request(sb.app).put(`/v1/encounter/${clockIn.body.id as number}/clockout/`).set('Authorization', auth).send({ period: { end: '2026-02-05T19:00:00Z' } }).expect(200);
    await sb.flushWebhooks();
    expect(hook.received.map((r) => r.body)).toEqual([{ resourceType: 'Encounter', id: clockIn.body.id }]);
  });

  it('records a failed delivery instead of failing the API call', async () => {
    await request(sb.app).post('/v1/subscriptions/').set('Authorization', auth).send({ criteria: 'patient.telecom.changed', channel: { type: 'rest-hook', endpoint: 'http://127.0.0.1:9/nothing' } }).expect(201);
    const res = await request(sb.app).post(`/_sandbox/mutate/patients/${F.spanishClient.id}`).send({ telecom: [{ system: 'phone', value: '3035550188', use: 'home' }] });
    expect(res.status).toBe(200);
    await sb.flushWebhooks();
    expect(sb.webhookDeliveries).toEqual([expect.objectContaining({ criteria: 'patient.telecom.changed', error: expect.any(String) })]);
  });

  it('refuses a channel that is not a rest-hook', async () => {
    const res = await request(sb.app).post('/v1/subscriptions/').set('Authorization', auth).send({ criteria: 'patient.created', channel: { type: 'email', endpoint: hook.url } });
    expect(res.status).toBe(422);
  });
});
