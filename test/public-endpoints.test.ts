/**
 * The endpoints anyone on the internet can reach (docs/privacy.md "Public endpoints"): /readyz
 * answers from the background probe's last result with no error text, and /dashboard (login
 * especially), /readyz and /wellsky/webhook are rate-limited per client IP; Twilio's signed
 * webhooks are not.
 */
import request from 'supertest';
import type { WellSkyService } from '../src/wellsky/client';
import { RATE_LIMITS } from '../src/rate-limits';
import { describeEachDb } from './support/db';
import { AGENCY_NUMBER, startFrontDoor, TEST_ADMIN_PASSWORD, type FrontDoor } from './support/app';

const WEBHOOK_SECRET = 'wellsky-webhook-secret-0123456789';

/** As Heroku's router forwards it: whatever the client sent, then the client's address. */
const from = (ip: string, spoofed?: string) => ({ 'X-Forwarded-For': spoofed ? `${spoofed}, ${ip}` : ip });

describeEachDb('public endpoints', (ctx) => {
  let fd: FrontDoor;
  beforeEach(async () => {
    // A fresh app per test: each has its own counters.
    fd = await startFrontDoor(ctx.db, { env: { WELLSKY_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  });
  afterEach(async () => {
    await fd.close();
  });

  const sandboxRequests = () => fd.services.sandbox!.sandbox.requestLog.length;

  describe('/readyz', () => {
    it('answers from the last probe: no WellSky request per GET, and an outage shows once the probe has seen it', async () => {
      expect((await request(fd.app).get('/healthz')).status).toBe(200);
      // Before the first probe nothing is known: not ready.
      const early = await request(fd.app).get('/readyz');
      expect(early.status).toBe(503);
      expect(early.body.checks).toEqual({ database: 'unknown', wellsky: 'unknown' });

      await fd.services.readiness.probe();
      const before = sandboxRequests();
      for (let i = 0; i < 25; i++) {
        const ready = await request(fd.app).get('/readyz');
        expect(ready.status).toBe(200);
        expect(ready.body).toMatchObject({ ok: true, checks: { database: 'ok', wellsky: 'ok (sandbox)' } });
      }
      expect(sandboxRequests()).toBe(before);

      fd.services.sandbox!.sandbox.setFaults({ outage: true });
      try {
        // Still the last known state until the probe runs again.
        expect((await request(fd.app).get('/readyz')).status).toBe(200);
        await fd.services.readiness.probe();
        const down = await request(fd.app).get('/readyz');
        expect(down.status).toBe(503);
        expect(down.body.checks).toEqual({ database: 'ok', wellsky: 'down' });
        // A burst of anonymous GETs during the outage asks WellSky nothing and cannot open the callers' breaker.
        const during = sandboxRequests();
        for (let i = 0; i < 40; i++) await request(fd.app).get('/readyz');
        expect(sandboxRequests()).toBe(during);
        expect((fd.services.wellsky as WellSkyService).raw.circuitState()).toBe('closed');
      } finally {
        fd.services.sandbox!.sandbox.setFaults({ outage: false });
      }
      await fd.services.readiness.probe();
      expect((await request(fd.app).get('/readyz')).status).toBe(200);
    });

    it('tells an anonymous caller nothing about why the database is down', async () => {
      const query = fd.services.db.query.bind(fd.services.db);
      const spy = jest.spyOn(fd.services.db, 'query').mockImplementation(((sql: string, params?: unknown[]) =>
        sql === 'SELECT 1'
          ? Promise.reject(new Error('password authentication failed for user "frontdoor_prod" at db-7.internal:5432'))
          : query(sql, params)) as typeof fd.services.db.query);
      try {
        await fd.services.readiness.probe();
        const down = await request(fd.app).get('/readyz');
        expect(down.status).toBe(503);
        expect(down.body.checks.database).toBe('down');
        expect(down.text).not.toMatch(/password|frontdoor_prod|internal|5432|Error/);
      } finally {
        spy.mockRestore();
      }
    });

    it(`allows ${RATE_LIMITS.readyz.limit} checks a minute from one address, then 429, while other addresses still get answers`, async () => {
      await fd.services.readiness.probe();
      for (let i = 0; i < RATE_LIMITS.readyz.limit; i++) {
        // A client cannot reset its count by making up an X-Forwarded-For of its own.
        const res = await request(fd.app).get('/readyz').set(from('203.0.113.7', `198.51.100.${i % 250}`));
        expect(res.status).toBe(200);
      }
      const limited = await request(fd.app).get('/readyz').set(from('203.0.113.7', '198.51.100.251'));
      expect(limited.status).toBe(429);
      expect(limited.headers['retry-after']).toBeDefined();
      expect(limited.body.error).toMatch(/Too many requests from your address/);
      expect((await request(fd.app).get('/readyz').set(from('203.0.113.8'))).status).toBe(200);
    });
  });

  describe('/dashboard', () => {
    /** One login as a browser makes it: the form (its cookie and token), then the POST. */
    async function logIn(ip: string, password = TEST_ADMIN_PASSWORD) {
      const form = await request(fd.app).get('/dashboard/login').set(from(ip));
      // The session cookie is Secure (the public URL is https): carried by hand over the test's http.
      const cookie = String(form.headers['set-cookie']?.[0] ?? '').split(';')[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
      return request(fd.app).post('/dashboard/login').set(from(ip)).set('Cookie', cookie).type('form').send({ who: 'admin', password, _csrf: csrf });
    }

    it(`refuses login attempt ${RATE_LIMITS.dashboardLogin.limit + 1} from one address within 15 minutes, even with the right password`, async () => {
      for (let i = 0; i < RATE_LIMITS.dashboardLogin.limit; i++) expect((await logIn('203.0.113.20')).status).toBe(303);
      const refused = await logIn('203.0.113.20');
      expect(refused.status).toBe(429);
      expect(refused.text).toMatch(/Too many requests from your address; try again in 15 minutes/);
      // Someone else, at another address, logs in as usual.
      expect((await logIn('203.0.113.21')).status).toBe(303);
    });

    it(`allows ${RATE_LIMITS.dashboard.limit} console requests per 5 minutes from one address`, async () => {
      for (let i = 0; i < RATE_LIMITS.dashboard.limit; i++) {
        const res = await request(fd.app).get('/dashboard/metrics').auth('admin', TEST_ADMIN_PASSWORD).set(from('203.0.113.30'));
        if (res.status !== 200) throw new Error(`request ${i + 1} answered ${res.status}`);
      }
      expect((await request(fd.app).get('/dashboard/metrics').auth('admin', TEST_ADMIN_PASSWORD).set(from('203.0.113.30'))).status).toBe(429);
      expect((await request(fd.app).get('/dashboard/metrics').auth('admin', TEST_ADMIN_PASSWORD).set(from('203.0.113.31'))).status).toBe(200);
    }, 60_000);
  });

  describe('/wellsky/webhook', () => {
    const notify = (ip: string, secret: string) =>
      request(fd.app).post('/wellsky/webhook').set(from(ip)).set('Authorization', `Bearer ${secret}`).send({ resourceType: 'Patient', id: 2870130 });

    it(`refuses an address after ${RATE_LIMITS.wellskyWebhookRefused.limit} refused notifications, and never counts WellSky's own`, async () => {
      for (let i = 0; i < RATE_LIMITS.wellskyWebhookRefused.limit; i++) expect((await notify('198.51.100.66', 'guessing')).status).toBe(401);
      expect((await notify('198.51.100.66', 'guessing')).status).toBe(429);
      // WellSky's notifications, with the secret, from its own address: a burst well past that count.
      for (let i = 0; i < RATE_LIMITS.wellskyWebhookRefused.limit * 2; i++) expect((await notify('192.0.2.10', WEBHOOK_SECRET)).status).toBe(200);
    });
  });

  describe('Twilio webhooks', () => {
    it('are not rate-limited: a busy evening of signed status callbacks from one address is all answered', async () => {
      const n = RATE_LIMITS.readyz.limit + RATE_LIMITS.wellskyWebhookRefused.limit + 50;
      for (let i = 0; i < n; i++) {
        const res = await fd.post('/twilio/sms/status', { MessageSid: fd.messageSid(), MessageStatus: 'delivered', To: '+17205550112', From: AGENCY_NUMBER });
        if (res.status !== 204) throw new Error(`callback ${i + 1} answered ${res.status}`);
      }
    }, 60_000);
  });
}, { resetEach: false });
