import request from 'supertest';
import { createSandbox, GATEWAY_403 } from '../../src/wellsky-sandbox';
import { bearer, WEDNESDAY_10AM_DENVER } from './helpers';

describe('WellSky sandbox: token endpoint and authorization', () => {
  let clock = WEDNESDAY_10AM_DENVER;
  const sb = createSandbox({ now: () => clock, tokenTtlSeconds: 2 });
  beforeEach(() => {
    sb.reset();
    clock = WEDNESDAY_10AM_DENVER;
  });

  it('answers the field-verified token shape, with expires_in and friends as strings', async () => {
    const res = await request(sb.app).post('/oauth/accesstoken').type('form').send({ grant_type: 'client_credentials', client_id: 'sandbox-client', client_secret: 'sandbox-secret' });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body.token_type).toBe('BearerToken');
    expect(res.body.expires_in).toBe('2');
    expect(res.body.refresh_token_expires_in).toBe('0');
    expect(res.body.refresh_count).toBe('0');
    expect(res.body.issued_at).toBe(Math.floor(WEDNESDAY_10AM_DENVER.getTime() / 1000));
    expect(res.body.status).toBe('approved');
  });

  it('accepts a JSON token request too', async () => {
    const res = await request(sb.app).post('/oauth/accesstoken').send({ grant_type: 'client_credentials', client_id: 'sandbox-client', client_secret: 'sandbox-secret' });
    expect(res.status).toBe(200);
  });

  it('refuses wrong credentials with 401', async () => {
    const res = await request(sb.app).post('/oauth/accesstoken').type('form').send({ grant_type: 'client_credentials', client_id: 'sandbox-client', client_secret: 'nope' });
    expect(res.status).toBe(401);
  });

  it('serves the token at the host root only, not under /v1', async () => {
    const res = await request(sb.app).post('/v1/oauth/accesstoken').type('form').send({ grant_type: 'client_credentials', client_id: 'sandbox-client', client_secret: 'sandbox-secret' });
    expect(res.status).toBe(403);
  });

  it('accepts "Bearer <token>" and refuses "BearerToken <token>", a missing and an unknown token', async () => {
    const auth = await bearer(sb);
    const token = auth.slice('Bearer '.length);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', `BearerToken ${token}`)).status).toBe(401);
    expect((await request(sb.app).get('/v1/profileTags/')).status).toBe(401);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', 'Bearer 00000000000000000000000000000000')).status).toBe(401);
  });

  it('expires a token after tokenTtlSeconds on the sandbox clock', async () => {
    const auth = await bearer(sb);
    clock = new Date(WEDNESDAY_10AM_DENVER.getTime() + 1900);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
    clock = new Date(WEDNESDAY_10AM_DENVER.getTime() + 2000);
    const res = await request(sb.app).get('/v1/profileTags/').set('Authorization', auth);
    expect(res.status).toBe(401);
    expect(res.body.fault.faultstring).toBe('Access Token expired');
  });

  it('revokes every token on reset', async () => {
    const auth = await bearer(sb);
    sb.reset();
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(401);
  });
});

describe('WellSky sandbox: exact paths', () => {
  const sb = createSandbox({ now: () => WEDNESDAY_10AM_DENVER });
  let auth: string;
  beforeAll(async () => {
    auth = await bearer(sb);
  });

  it.each([
    ['a missing trailing slash', '/v1/practitioners'],
    ['a plural appointment path', '/v1/appointments/?clientId=2870101&startDate=20260205'],
    ['a wrong case', '/v1/Patients/'],
    ['a wrong case of adminTasks', '/v1/admintasks/'],
    ['a detail without its slash', '/v1/patients/2870101'],
    ['no /v1 prefix', '/patients/'],
  ])('answers %s with the gateway 403', async (_what, path) => {
    const res = await request(sb.app).get(path).set('Authorization', auth);
    expect(res.status).toBe(403);
    expect(res.body).toEqual(GATEWAY_403);
    expect(res.body.message).toMatch(/^Invalid key=value pair \(missing equal-sign\) in Authorization header/);
  });

  it('answers the gateway 403 for an unknown route even without a token', async () => {
    expect((await request(sb.app).get('/v1/nothing-here/')).status).toBe(403);
  });

  it('serves the same resource with the trailing slash', async () => {
    const res = await request(sb.app).get('/v1/patients/2870101/').set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('Patient');
  });

  it('answers 404 for an unknown id on a correct route', async () => {
    expect((await request(sb.app).get('/v1/patients/999/').set('Authorization', auth)).status).toBe(404);
  });
});

describe('WellSky sandbox: rate limit, faults, request log', () => {
  const sb = createSandbox({ now: () => WEDNESDAY_10AM_DENVER });
  let auth: string;
  beforeEach(async () => {
    sb.reset();
    auth = await bearer(sb);
  });

  it('answers 429 with Retry-After in seconds above the rate, and admits again after a second', async () => {
    sb.configure({ rateLimitPerSecond: 5 });
    await new Promise((r) => setTimeout(r, 1050)); // let the token request leave the window
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 7; i++) {
      const res = await request(sb.app).get('/v1/profileTags/').set('Authorization', auth);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers['retry-after'];
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1050));
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
  });

  it('goes back to the configured rate (100) on reset', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => request(sb.app).get('/v1/profileTags/').set('Authorization', auth)));
    expect(statuses.every((r) => r.status === 200)).toBe(true);
  });

  it('never rate-limits admin calls', async () => {
    sb.configure({ rateLimitPerSecond: 1 });
    for (let i = 0; i < 8; i++) expect((await request(sb.app).get('/_sandbox/state/summary')).status).toBe(200);
  });

  it('adds latency to API calls', async () => {
    sb.setFaults({ latencyMs: 300 });
    const t0 = Date.now();
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('answers every API call with a 5xx at errorRate 1.0, and none after it is switched off', async () => {
    await request(sb.app).post('/_sandbox/faults').send({ errorRate: 1 }).expect(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status);
    expect(statuses.sort()).toEqual([500, 502, 503]);
    await request(sb.app).post('/_sandbox/faults').send({ errorRate: 0 }).expect(200);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
  });

  it('answers 503 to every API call in an outage, token included, while admin calls still work', async () => {
    sb.setFaults({ outage: true });
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(503);
    expect((await request(sb.app).post('/oauth/accesstoken').type('form').send({ grant_type: 'client_credentials' })).status).toBe(503);
    expect((await request(sb.app).get('/_sandbox/state/summary')).status).toBe(200);
  });

  it('refuses a nonsense fault setting with a clear 400', async () => {
    const res = await request(sb.app).post('/_sandbox/faults').send({ errorRate: 2 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/errorRate/);
  });

  it('logs every API call with method, path, query and status, but not admin calls', async () => {
    sb.requestLog.length = 0;
    await request(sb.app).get('/v1/patients/?_count=2').set('Authorization', auth);
    await request(sb.app).get('/v1/Patients/').set('Authorization', auth);
    await request(sb.app).get('/_sandbox/state/summary');
    const log = (await request(sb.app).get('/_sandbox/requests')).body as { method: string; path: string; query: Record<string, string>; status: number }[];
    expect(log.map((e) => [e.method, e.path, e.status])).toEqual([
      ['GET', '/v1/patients/', 200],
      ['GET', '/v1/Patients/', 403],
    ]);
    expect(log[0].query).toEqual({ _count: '2' });
    await request(sb.app).delete('/_sandbox/requests').expect(204);
    expect(sb.requestLog).toHaveLength(0);
  });

  it('reset turns faults off and clears the log', async () => {
    sb.setFaults({ outage: true });
    await request(sb.app).get('/v1/profileTags/');
    sb.reset();
    expect(sb.requestLog).toHaveLength(0);
    auth = await bearer(sb);
    expect((await request(sb.app).get('/v1/profileTags/').set('Authorization', auth)).status).toBe(200);
  });
});
