/**
 * The client on the wire: tokens, paging, retries, rate limits, the circuit breaker and error
 * kinds, against a scriptable fake WellSky (fake-wellsky.ts).
 */
import { ForbiddenError, NotFoundError, ResponseShapeError, UnavailableError, ValidationError } from '../../src/wellsky/errors';
import { CircuitOpenError, TokenBucket } from '../../src/wellsky/resilience';
import { bundle, serviceFor, startFakeWellSky, type FakeWellSky } from './fake-wellsky';
import { appointment, patient, practitioner } from './fixtures';

let fake: FakeWellSky;
beforeEach(async () => {
  fake = await startFakeWellSky(() => ({ status: 200, body: bundle([]) }));
});
afterEach(() => fake.close());

const practitioners = (n: number, from = 0) => Array.from({ length: n }, (_, i) => practitioner({ id: String(from + i + 1) }));

describe('access token', () => {
  it('asks for a token form-encoded at the host root and sends it as Bearer', async () => {
    const { service } = serviceFor(fake);
    await service.getCaregiver('3456789').catch(() => undefined);
    const [tokenReq] = fake.tokenRequests();
    expect(tokenReq.method).toBe('POST');
    expect(tokenReq.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(tokenReq.rawBody).get('grant_type')).toBe('client_credentials');
    const [apiReq] = fake.apiRequests();
    expect(apiReq.path).toBe('/v1/practitioners/3456789/');
    expect(apiReq.headers.authorization).toBe('Bearer token-1');
    expect(apiReq.headers['content-type']).toBe('application/fhir+json');
    expect(apiReq.headers.accept).toBe('application/json');
  });

  it('shares one token request among ten parallel calls', async () => {
    fake.route = () => ({ status: 200, body: practitioner() });
    const { service } = serviceFor(fake);
    await Promise.all(Array.from({ length: 10 }, () => service.getCaregiver('3456789')));
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.apiRequests()).toHaveLength(10);
    expect(new Set(fake.apiRequests().map((r) => r.headers.authorization))).toEqual(new Set(['Bearer token-1']));
  });

  it('reuses the token while it is fresh and replaces it shortly before it expires', async () => {
    fake.route = () => ({ status: 200, body: practitioner() });
    let clock = Date.parse('2026-01-29T12:00:00Z');
    const { service } = serviceFor(fake, { now: () => new Date(clock) });
    await service.getCaregiver('1');
    clock += 3000 * 1000; // 50 minutes later: still good for 10 more
    await service.getCaregiver('1');
    expect(fake.tokenRequests()).toHaveLength(1);
    clock += 560 * 1000; // 39 s before expiry ("3599" seconds): inside the refresh margin
    await service.getCaregiver('1');
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests().at(-1)!.headers.authorization).toBe('Bearer token-2');
  });

  it('on a 401 fetches one new token and retries the request once', async () => {
    fake.route = (req) => (req.headers.authorization === 'Bearer token-1' ? { status: 401, body: { fault: { faultstring: 'Access Token expired' } } } : { status: 200, body: practitioner() });
    const { service } = serviceFor(fake);
    const c = await service.getCaregiver('3456789');
    expect(c.id).toBe('3456789');
    expect(fake.tokenRequests()).toHaveLength(2);
    expect(fake.apiRequests().map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('refreshes once for many callers hit by the same 401', async () => {
    fake.route = (req) => (req.headers.authorization === 'Bearer token-1' ? { status: 401 } : { status: 200, body: practitioner() });
    const { service } = serviceFor(fake);
    await Promise.all(Array.from({ length: 5 }, () => service.getCaregiver('1')));
    expect(fake.tokenRequests()).toHaveLength(2);
  });

  it('gives up after a second 401 instead of looping, without retrying a write', async () => {
    fake.route = () => ({ status: 401 });
    const { service } = serviceFor(fake);
    await expect(service.createLead({ firstName: 'A', lastName: 'B' })).rejects.toThrow(/WELLSKY_CLIENT_ID/);
    expect(fake.apiRequests()).toHaveLength(2);
  });

  it('explains refused credentials', async () => {
    fake.tokenAnswer = () => ({ status: 401, body: { ErrorCode: 'invalid_client', Error: 'ClientId is Invalid' } });
    const { service } = serviceFor(fake);
    await expect(service.getCaregiver('1')).rejects.toThrow(/ClientId is Invalid.*WELLSKY_CLIENT_ID/);
  });
});

describe('paging', () => {
  it('pages with _count=100 from _page=0 across three pages, reading total or totalRecords, bare or wrapped', async () => {
    const all = practitioners(230);
    fake.route = (req) => {
      const page = Number(req.query._page);
      const slice = all.slice(page * 100, page * 100 + 100);
      return { status: 200, body: bundle(slice, { countField: page % 2 ? 'total' : 'totalRecords', count: 230, wrapped: page === 1 }) };
    };
    const { service } = serviceFor(fake);
    const caregivers = await service.listCaregivers();
    expect(caregivers).toHaveLength(230);
    expect(new Set(caregivers.map((c) => c.id)).size).toBe(230);
    expect(fake.apiRequests().map((r) => [r.path, r.query._count, r.query._page])).toEqual([
      ['/v1/practitioners/', '100', '0'],
      ['/v1/practitioners/', '100', '1'],
      ['/v1/practitioners/', '100', '2'],
    ]);
  });

  it('keeps paging when the count is wrong and stops on an empty page', async () => {
    const all = practitioners(200);
    fake.route = (req) => {
      const page = Number(req.query._page);
      return { status: 200, body: bundle(all.slice(page * 100, page * 100 + 100), { count: 100 }) };
    };
    const { service } = serviceFor(fake);
    expect(await service.listCaregivers()).toHaveLength(200);
    expect(fake.apiRequests()).toHaveLength(3);
  });

  it('stops when a server ignores _page and repeats a full page', async () => {
    fake.route = () => ({ status: 200, body: bundle(practitioners(100)) });
    const { service } = serviceFor(fake);
    expect(await service.listCaregivers()).toHaveLength(100);
    expect(fake.apiRequests()).toHaveLength(2);
  });

  it('lists patients without active=true (it returns nothing in the field)', async () => {
    fake.route = () => ({ status: 200, body: bundle([patient()]) });
    const { service } = serviceFor(fake);
    const patients = await service.listPatients();
    expect(patients.map((p) => p.id)).toEqual(['2870130']);
    expect(fake.apiRequests()[0].path).toBe('/v1/patients/');
    expect(fake.apiRequests()[0].query).toEqual({ _count: '100', _page: '0' });
  });
});

describe('retries, rate limits and the circuit breaker', () => {
  it('waits out a 429 with Retry-After and then succeeds', async () => {
    let calls = 0;
    fake.route = () => (++calls === 1 ? { status: 429, headers: { 'retry-after': '1' }, body: { error: 'Too Many Requests' } } : { status: 200, body: practitioner() });
    const { service } = serviceFor(fake);
    const started = Date.now();
    await service.getCaregiver('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.apiRequests()).toHaveLength(2);
  });

  it('fails an interactive call at once when Retry-After is longer than the caller can wait', async () => {
    fake.route = () => ({ status: 429, headers: { 'retry-after': '5' } });
    const { service } = serviceFor(fake);
    await expect(service.getCaregiver('1', { interactive: true })).rejects.toThrow(/429/);
    expect(fake.apiRequests()).toHaveLength(1);
  });

  it('retries a read on 5xx and a dropped connection', async () => {
    let calls = 0;
    fake.route = () => {
      calls++;
      if (calls === 1) return { status: 503, body: { error: 'Service Unavailable' } };
      if (calls === 2) return { destroy: true };
      return { status: 200, body: bundle([appointment()]) };
    };
    const { service } = serviceFor(fake);
    const shifts = await service.shiftsForCaregiver('3306118', { startDate: '2026-01-29' });
    expect(shifts).toHaveLength(1);
    expect(calls).toBe(3);
  });

  it('retries a _search POST (a read) but never a write', async () => {
    fake.route = () => ({ status: 500, body: { error: 'Internal Server Error' } });
    const { service } = serviceFor(fake, { retry: { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 2 }, breaker: { failures: 20 } });
    await expect(service.findPatientsByPhone('+13035550142')).rejects.toBeInstanceOf(UnavailableError);
    const searches = fake.apiRequests().length;
    expect(searches).toBe(9); // three phone fields (mobile, home, work) × (1 + 2 retries)
    await expect(service.createLead({ firstName: 'A', lastName: 'B', phone: '+13035550142' })).rejects.toBeInstanceOf(UnavailableError);
    await expect(service.assignShift('1', '2')).rejects.toBeInstanceOf(UnavailableError);
    const writes = fake.apiRequests().filter((r) => r.method === 'POST' && r.path === '/v1/patients/');
    expect(writes).toHaveLength(1);
  });

  it('does not retry a PUT that fails', async () => {
    fake.route = (req) => (req.method === 'GET' ? { status: 200, body: appointment() } : { status: 502 });
    const { service } = serviceFor(fake);
    await expect(service.assignShift('109131818', '42')).rejects.toBeInstanceOf(UnavailableError);
    expect(fake.apiRequests().filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('times out a slow interactive call within its budget', async () => {
    fake.route = () => ({ status: 200, body: practitioner(), delayMs: 1000 });
    const { service } = serviceFor(fake, { timeouts: { interactiveMs: 150 } });
    const started = Date.now();
    await expect(service.getCaregiver('1', { interactive: true })).rejects.toThrow(/did not answer .* within 150 ms/);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it('opens the circuit after an outage, fails fast, and recovers through a half-open probe', async () => {
    let outage = true;
    fake.route = () => (outage ? { status: 503 } : { status: 200, body: practitioner() });
    const { service } = serviceFor(fake, { breaker: { failures: 3, halfOpenAfterMs: 200 }, retry: { maxRetries: 0 } });
    for (let i = 0; i < 3; i++) await expect(service.getCaregiver('1')).rejects.toBeInstanceOf(UnavailableError);
    expect(service.raw.circuitState()).toBe('open');
    const sent = fake.apiRequests().length;
    const err = await service.getCaregiver('1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(fake.apiRequests()).toHaveLength(sent); // not even asked
    outage = false;
    await new Promise((r) => setTimeout(r, 250));
    await expect(service.getCaregiver('1')).resolves.toMatchObject({ id: '3456789' });
    expect(service.raw.circuitState()).toBe('closed');
  });

  it('re-opens the circuit when the half-open probe fails', async () => {
    fake.route = () => ({ status: 503 });
    const { service } = serviceFor(fake, { breaker: { failures: 2, halfOpenAfterMs: 100 }, retry: { maxRetries: 0 } });
    for (let i = 0; i < 2; i++) await service.getCaregiver('1').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 150));
    await expect(service.getCaregiver('1')).rejects.toBeInstanceOf(UnavailableError);
    expect(service.raw.circuitState()).toBe('open');
  });

  it('does not let 404s or 403s open the circuit', async () => {
    fake.route = () => ({ status: 404, body: { error: 'not found' } });
    const { service } = serviceFor(fake, { breaker: { failures: 2 } });
    for (let i = 0; i < 4; i++) await expect(service.getCaregiver('1')).rejects.toBeInstanceOf(NotFoundError);
    expect(service.raw.circuitState()).toBe('closed');
  });

  it('paces requests with a token bucket', async () => {
    const bucket = new TokenBucket(20, 1);
    const started = Date.now();
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(Date.now() - started).toBeGreaterThanOrEqual(180); // 4 waits of 50 ms
  });

  it('keeps the whole process under the configured rate', async () => {
    fake.route = () => ({ status: 200, body: practitioner() });
    const { service } = serviceFor(fake, { maxRequestsPerSecond: 20 });
    const started = Date.now();
    await Promise.all(Array.from({ length: 12 }, () => service.getCaregiver('1')));
    // 13 requests (a token + 12) at 20/s with a burst of 2: about 550 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });
});

describe('errors', () => {
  it('logs every 403 with method and path and a hint about wrong routes', async () => {
    fake.route = () => ({ status: 403, body: { message: "Invalid key=value pair (missing equal-sign) in Authorization header" } });
    const { service, lines } = serviceFor(fake);
    const err = await service.getShift('109131818').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForbiddenError);
    expect((err as ForbiddenError).message).toMatch(/wrong route/);
    const line = lines.find((l) => l.message === 'WellSky answered 403');
    expect(line).toMatchObject({ level: 'warn', method: 'GET', path: '/v1/appointment/109131818/' });
    expect(String(line!.hint)).toMatch(/wrong route/);
  });

  it('turns 400 and 422 into ValidationError with WellSky\'s message', async () => {
    fake.route = (req) => (req.method === 'POST' ? { status: 400, body: { error: 'Invalid phone number format. Must be 10 digits.' } } : { status: 422, body: { message: 'agencyId missing' } });
    const { service } = serviceFor(fake);
    await expect(service.createLead({ firstName: 'A', lastName: 'B' })).rejects.toThrow(/Invalid phone number format/);
    const err = await service.getPatient('1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).status).toBe(422);
  });

  it('turns 404 into NotFoundError', async () => {
    fake.route = () => ({ status: 404 });
    const { service } = serviceFor(fake);
    await expect(service.getPatient('404')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('names the field when a response does not parse', async () => {
    fake.route = () => ({ status: 200, body: bundle([practitioner(), practitioner({ id: undefined, name: 'Maria' })], { wrapped: true }) });
    const { service } = serviceFor(fake);
    const err = await service.listCaregivers().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseShapeError);
    expect((err as Error).message).toMatch(/GET \/v1\/practitioners\/ .*entry\[1\]\.resource\.id/);
  });

  it('says so when a success answer is not JSON', async () => {
    fake.route = () => ({ status: 200, body: '<html>gateway</html>' });
    const { service } = serviceFor(fake, { retry: { maxRetries: 0 } });
    await expect(service.getPatient('1')).rejects.toThrow(/not JSON/);
  });
});

describe('what is written', () => {
  it('never sends agencyId as a query parameter, only in meta.tag of write bodies', async () => {
    fake.route = (req) => {
      if (req.method === 'GET' && req.path.startsWith('/v1/appointment/1')) return { status: 200, body: appointment() };
      if (req.method === 'GET' && req.path.startsWith('/v1/patients/2')) return { status: 200, body: patient() };
      if (req.method === 'GET' && req.path === '/v1/relatedperson/2870130/') return { status: 200, body: bundle([]) };
      if (req.method === 'POST' && !req.path.includes('_search')) return { status: 201, body: { resourceType: 'Patient', id: '9' } };
      if (req.method === 'PUT') return { status: 200, body: {} };
      return { status: 200, body: bundle([]) };
    };
    const { service } = serviceFor(fake);
    await service.listCaregivers();
    await service.listPatients();
    await service.findCaregiversByPhone('+13035551234');
    await service.shiftsForClient('2870130', { weekNo: '202605' });
    await service.contactsOf('2870130');
    await service.createLead({ firstName: 'Ann', lastName: 'Lee', phone: '+13035559876' });
    await service.updatePatient('2870130', { notes: 'call back' });
    await service.assignShift('109131818', '42');
    await service.createContact({ clientId: '2870130', firstName: 'A', lastName: 'B', relationship: 'DAU', phone: '+17205550123' });
    await service.createSubscription({ criteria: 'patient.created', endpoint: 'https://x/wellsky/webhook', secret: 's'.repeat(20) });
    for (const r of fake.apiRequests()) {
      expect(Object.keys(r.query).map((k) => k.toLowerCase())).not.toContain('agencyid');
      if (r.method === 'POST' && !r.path.includes('_search') || r.method === 'PUT') {
        expect((r.body as { meta: { tag: unknown[] } }).meta.tag).toContainEqual({ code: 'agencyId', display: '1669' });
      }
    }
  });

  it('refuses to send an agencyId query parameter even when asked to', async () => {
    const { service } = serviceFor(fake);
    await expect(service.raw.searchPractitioners({ last_name: 'Lopez' }, {})).resolves.toBeDefined();
    // Search params of a GET become the query: agencyId is refused before anything is sent.
    const before = fake.apiRequests().length;
    await expect(service.raw.searchPatients({ agencyId: '1669' })).rejects.toThrow(/agencyId must not be sent as a query parameter/);
    expect(fake.apiRequests()).toHaveLength(before);
  });

  it('strips emoji and other non-BMP characters from everything written', async () => {
    fake.route = () => ({ status: 201, body: { resourceType: 'Patient', id: '77' } });
    const { service } = serviceFor(fake);
    await service.createLead({ firstName: 'Rosa 🌹', lastName: 'Díaz', phone: '+13035559876', notes: 'Mom needs help 🙏 with meals ☕ 𝒜' });
    const body = fake.apiRequests()[0].rawBody;
    expect(body).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
    expect(body).not.toContain('☕');
    expect(body).toContain('Díaz');
    expect(fake.apiRequests()[0].body).toMatchObject({ name: [{ given: ['Rosa '] }] });
  });

  it('writes phones as 10 digits in bodies and searches', async () => {
    fake.route = (req) => (req.path === '/v1/patients/' && req.method === 'POST' ? { status: 201, body: { id: '1' } } : { status: 200, body: bundle([]) });
    const { service } = serviceFor(fake);
    await service.createLead({ firstName: 'A', lastName: 'B', phone: '+1 (303) 555-9876' });
    await service.findPatientsByPhone('+13035559876');
    const [create, ...searches] = fake.apiRequests();
    expect((create.body as { telecom: unknown[] }).telecom).toEqual([{ system: 'phone', value: '3035559876', use: 'mobile' }]);
    expect(searches.map((s) => s.body)).toEqual([{ mobile_phone: '3035559876' }, { home_phone: '3035559876' }, { work_phone: '3035559876' }]);
  });
});

describe('undici dispatcher', () => {
  it('sends through the dispatcher it is given (an undici MockAgent here)', async () => {
    const { MockAgent } = await import('undici');
    const agent = new MockAgent();
    agent.disableNetConnect();
    const pool = agent.get('https://connect.example.test');
    pool.intercept({ path: '/oauth/accesstoken', method: 'POST' }).reply(200, { access_token: 'abc', expires_in: '3599' });
    pool
      .intercept({ path: '/v1/practitioners/3456789/', method: 'GET', headers: { authorization: 'Bearer abc' } })
      .reply(200, practitioner(), { headers: { 'content-type': 'application/json' } });
    const { service } = serviceFor({ url: 'https://connect.example.test' } as FakeWellSky, { dispatcher: agent });
    await expect(service.getCaregiver('3456789')).resolves.toMatchObject({ firstName: 'Maria' });
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  it('logs a 403 from the token endpoint too', async () => {
    fake.tokenAnswer = () => ({ status: 403, body: { message: 'Invalid key=value pair' } });
    const { service, lines } = serviceFor(fake);
    await expect(service.getCaregiver('1')).rejects.toBeInstanceOf(ForbiddenError);
    expect(lines.find((l) => l.message === 'WellSky answered 403')).toMatchObject({ method: 'POST', path: '/oauth/accesstoken' });
  });
});
