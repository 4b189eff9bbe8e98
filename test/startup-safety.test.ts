/**
 * Start-up safety (docs/privacy.md "Start-up safety"): the mode comes from what is configured,
 * not only NODE_ENV. Each combination of credentials and NODE_ENV gives the documented mode, and
 * every unsafe one refuses to start with one line naming the key.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildServices, createApp, type Services } from '../src/app';
import { BUNDLED_AGENCY_CONFIG, ConfigError, loadConfig, type Config } from '../src/config';
import { FakeClock } from '../src/clock';
import { describeEachDb } from './support/db';
import { recordingTransport } from './support/app';

const agencyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'safety-agency-')), 'agency.json');
fs.copyFileSync(BUNDLED_AGENCY_CONFIG, agencyFile);

const TWILIO = { TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'twilio-auth-token', TWILIO_PHONE_NUMBER: '+13035550100' };
/** Credentials for the real WellSky host (the default WELLSKY_BASE_URL). */
const WELLSKY = { WELLSKY_CLIENT_ID: 'agency-client', WELLSKY_CLIENT_SECRET: 'agency-secret', WELLSKY_AGENCY_ID: '4411' };
/** The standalone sandbox on this machine (npm run sandbox): not live data. */
const WELLSKY_LOCAL = { ...WELLSKY, WELLSKY_BASE_URL: 'http://127.0.0.1:8089' };
/** What live mode asks for besides credentials. */
const SAFE = { PUBLIC_BASE_URL: 'https://frontdoor.example.com', ADMIN_PASSWORD: 'a long admin password', AGENCY_CONFIG: agencyFile };

type Outcome = 'dev' | 'live' | RegExp;

function outcome(env: NodeJS.ProcessEnv): { mode: 'dev' | 'live'; config: Config } | { refused: string } {
  try {
    const config = loadConfig(env);
    return { mode: config.safety.mode, config };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return { refused: err.message };
  }
}

// Every NODE_ENV × {no Twilio, Twilio} × {no WellSky, sandbox on this machine, live WellSky}, with
// and without the live-mode settings: the documented mode, or the key the refusal names.
const NODE_ENVS = [undefined, 'development', 'test', 'production'] as const;
const rows: [nodeEnv: (typeof NODE_ENVS)[number], twilio: boolean, wellsky: 'none' | 'local' | 'live', safe: boolean, expected: Outcome][] = [];
for (const nodeEnv of NODE_ENVS) {
  const production = nodeEnv === 'production';
  for (const twilio of [false, true]) {
    for (const wellsky of ['none', 'local', 'live'] as const) {
      for (const safe of [false, true]) {
        let expected: Outcome;
        if (!production && !twilio && wellsky !== 'live') expected = 'dev';
        else if (production && wellsky === 'none') expected = /^WELLSKY_CLIENT_ID: is required in production/;
        else if (!twilio) expected = /^TWILIO_ACCOUNT_SID: is required (in production|when WELLSKY_CLIENT_ID is set \(live mode\)) \(dev Twilio mode accepts unsigned webhooks/;
        else if (!safe) expected = /^PUBLIC_BASE_URL: is required (in production|when TWILIO_ACCOUNT_SID is set)/;
        else expected = 'live';
        rows.push([nodeEnv, twilio, wellsky, safe, expected]);
      }
    }
  }
}

describe('start-up safety: the mode comes from what is configured', () => {
  it.each(rows)('NODE_ENV=%s, Twilio %s, WellSky %s, live settings %s → %s', (nodeEnv, twilio, wellsky, safe, expected) => {
    const env: NodeJS.ProcessEnv = {
      ...(nodeEnv ? { NODE_ENV: nodeEnv } : {}),
      ...(twilio ? TWILIO : {}),
      ...(wellsky === 'live' ? WELLSKY : wellsky === 'local' ? WELLSKY_LOCAL : {}),
      ...(safe ? SAFE : {}),
    };
    const got = outcome(env);
    if (expected instanceof RegExp) {
      expect('refused' in got && got.refused).toMatch(expected);
      expect((got as { refused: string }).refused.split('\n')).toHaveLength(1);
      return;
    }
    expect('mode' in got && got.mode).toBe(expected);
    const config = (got as { config: Config }).config;
    // Dev Twilio mode (unsigned webhooks, the dev transport) exactly when the process is in dev mode.
    expect(config.twilio.mode).toBe(expected === 'dev' ? 'dev' : 'live');
  });

  it('refuses a short admin password, a missing agency config, and plain http in live mode, naming the key', () => {
    const live = { ...TWILIO, ...SAFE };
    expect(outcome({ ...live, ADMIN_PASSWORD: '' })).toEqual({ refused: expect.stringMatching(/^ADMIN_PASSWORD: is required when TWILIO_ACCOUNT_SID is set \(live mode\)/) });
    expect(outcome({ ...live, ADMIN_PASSWORD: 'hunter2hunt' })).toEqual({ refused: 'ADMIN_PASSWORD: must be at least 12 characters when TWILIO_ACCOUNT_SID is set (live mode)' });
    expect(outcome({ ...live, ADMIN_PASSWORD: 'hunter2hunt2' })).toMatchObject({ mode: 'live' });
    expect(outcome({ ...live, AGENCY_CONFIG: '' })).toEqual({ refused: expect.stringMatching(/^AGENCY_CONFIG: is required when TWILIO_ACCOUNT_SID is set \(live mode\)/) });
    expect(outcome({ ...live, PUBLIC_BASE_URL: 'http://frontdoor.example.com' })).toEqual({ refused: expect.stringMatching(/^PUBLIC_BASE_URL: must be https when TWILIO_ACCOUNT_SID is set/) });
    // A tunnel-less local test of real Twilio credentials may use a loopback URL; production may not.
    expect(outcome({ ...live, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' })).toMatchObject({ mode: 'live' });

    const production = { ...live, ...WELLSKY, NODE_ENV: 'production' };
    expect(outcome({ ...production, ADMIN_PASSWORD: 'short' })).toEqual({ refused: 'ADMIN_PASSWORD: must be at least 12 characters in production' });
    expect(outcome({ ...production, AGENCY_CONFIG: undefined })).toEqual({ refused: expect.stringMatching(/^AGENCY_CONFIG: is required in production/) });
    expect(outcome({ ...production, AGENCY_CONFIG: 'config/agency.example.json' })).toEqual({ refused: expect.stringMatching(/^AGENCY_CONFIG: names the bundled example agency/) });
    expect(outcome({ ...production, PUBLIC_BASE_URL: 'http://127.0.0.1:3000' })).toEqual({ refused: expect.stringMatching(/^PUBLIC_BASE_URL: must be https in production/) });
    expect(outcome(production)).toMatchObject({ mode: 'live', config: { safety: { because: 'NODE_ENV=production' } } });
  });

  it('any one Twilio credential makes the process live, even the secondary token alone', () => {
    expect(outcome({ TWILIO_AUTH_TOKEN_SECONDARY: 'old-token' })).toEqual({ refused: expect.stringMatching(/^TWILIO_ACCOUNT_SID: is required when TWILIO_AUTH_TOKEN_SECONDARY is set/) });
    expect(outcome({ TWILIO_AUTH_TOKEN: 'tok' })).toEqual({ refused: expect.stringMatching(/^TWILIO_ACCOUNT_SID: is required when TWILIO_AUTH_TOKEN is set/) });
    // The agency number alone is not a credential: dev mode answers as that number.
    expect(outcome({ TWILIO_PHONE_NUMBER: '+13035550177' })).toMatchObject({ mode: 'dev', config: { twilio: { mode: 'dev', phoneNumber: '+13035550177' } } });
  });
});

/** `npm start` as an operator runs it: the process, its exit code and what it printed. */
function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const root = path.resolve(__dirname, '..');
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TWILIO_|WELLSKY_|ADMIN_PASSWORD|AGENCY_CONFIG|PUBLIC_BASE_URL|DATABASE_URL|NODE_ENV)/.test(k)));
  return new Promise((resolve, reject) => {
    const proc = spawn('npx', ['tsx', 'src/server.ts'], { cwd: root, env: { ...clean, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'safety-data-')), PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
    proc.once('error', reject);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, stdout });
    });
  });
}

describe('start-up safety: npm start refuses an unsafe configuration with one line', () => {
  it('exits 1 with one line naming the key, before opening anything', async () => {
    const cases: [Record<string, string>, string][] = [
      // The review's case: WellSky credentials set, NODE_ENV unset, no Twilio → no dev Twilio mode.
      [WELLSKY, 'Configuration error: TWILIO_ACCOUNT_SID: is required when WELLSKY_CLIENT_ID is set (live mode)'],
      [{ ...TWILIO, ...SAFE, ADMIN_PASSWORD: 'x' }, 'Configuration error: ADMIN_PASSWORD: must be at least 12 characters when TWILIO_ACCOUNT_SID is set (live mode)'],
      [{ ...TWILIO, ...WELLSKY, ...SAFE, NODE_ENV: 'production', AGENCY_CONFIG: '' }, 'Configuration error: AGENCY_CONFIG: is required in production'],
    ];
    const results = await Promise.all(cases.map(([env]) => start(env)));
    results.forEach((r, i) => {
      expect(r.code).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0].startsWith(cases[i][1])).toBe(true);
      expect(r.stdout).toBe('');
    });
  }, 120_000);
});

describeEachDb('start-up safety: what each mode serves', (ctx) => {
  const opened: Services[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });

  async function appFor(env: NodeJS.ProcessEnv) {
    const clock = new FakeClock(new Date('2026-12-01T17:00:00Z'));
    const services = await buildServices(loadConfig(env), { db: ctx.db, clock, transport: recordingTransport(), startWorker: false, sandbox: { now: () => clock.now() } });
    opened.push(services);
    return createApp(services);
  }

  it('dev mode: unsigned webhooks answered, the dev outbox listed, the console open', async () => {
    const app = await appFor({});
    const sms = await request(app).post('/twilio/sms').type('form').send({ From: '+13035550999', To: '+13035550100', MessageSid: `SM${'1'.repeat(32)}`, Body: 'hello is anyone there' });
    expect(sms.status).toBe(200);
    expect(sms.text).toContain('<Response>');
    expect((await request(app).get('/dev/texts')).status).toBe(200);
    expect((await request(app).get('/dashboard/').set('Accept', 'text/html')).status).toBe(200);
  });

  it('live mode without NODE_ENV=production: signatures required, no /dev routes, the console asks for a login', async () => {
    const app = await appFor({ ...TWILIO, ...SAFE });
    const sms = await request(app).post('/twilio/sms').type('form').send({ From: '+13035550999', To: '+13035550100', MessageSid: `SM${'2'.repeat(32)}`, Body: 'hello is anyone there' });
    expect(sms.status).toBe(403);
    expect((await request(app).get('/dev/texts')).status).toBe(404);
    const console = await request(app).get('/dashboard/').set('Accept', 'text/html');
    expect(console.status).toBe(303);
    expect(console.headers.location).toBe('/dashboard/login');
  });
}, { resetEach: false });
