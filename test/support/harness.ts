/**
 * The whole app, end to end, for caller-flow tests: the real composition root (src/app.ts) on the
 * shared test database, the WellSky sandbox at a fixed "now", signed Twilio webhooks from the
 * phone simulator, and a scripted SMS transport in place of Twilio's API.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildServices, createApp, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { BUNDLED_AGENCY_CONFIG, loadConfig } from '../../src/config';
import type { Db } from '../../src/db';
import { simulateCall, simulateText, type CallResult } from '../../scripts/phone/simulator';
import { ScriptedTransport } from '../outbox/scripted-transport';
import { TEST_ADMIN_PASSWORD } from './app';
import { createSandbox, type Sandbox } from '../../src/wellsky-sandbox';
import { createWellSkyService } from '../../src/wellsky/client';

export const AUTH_TOKEN = 'test-auth-token-for-signed-webhooks';
export const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
export const AGENCY_NUMBER = '+13035550100';
/** Staff of the bundled agency config. */
export const CARE_MANAGER = '+13035550105'; // oncall, scheduler, complaints
export const OWNER = '+13035550101'; // oncall, owner, complaints, intake

/** Wednesday 4 March 2026, 10:00 in Denver (office open). */
export const WEDNESDAY_10AM = '2026-03-04T17:00:00.000Z';

export interface Harness {
  services: Services;
  /** The WellSky sandbox the app talks to (its state, faults). */
  sandbox: Sandbox;
  clock: FakeClock;
  transport: ScriptedTransport;
  base: string;
  call(from: string, script: string[]): Promise<CallResult>;
  text(from: string, body: string): Promise<string[]>;
  /** Runs every due job (outbox sends, follow-ups, write-backs) until none is left. */
  runJobs(): Promise<void>;
  /** Texts handed to the transport, to one phone or to anyone. */
  textsTo(phone?: string): string[];
  close(): Promise<void>;
}

export async function startHarness(db: Db, opts: { now?: string; sandbox?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<Harness> {
  const clock = new FakeClock(opts.now ?? WEDNESDAY_10AM);
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PUBLIC_BASE_URL: base,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: AGENCY_NUMBER,
    WORKER: 'off',
    // Live mode (Twilio credentials): an admin password and an explicit agency config are required.
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    AGENCY_CONFIG: BUNDLED_AGENCY_CONFIG,
    ...opts.env,
  });
  const transport = new ScriptedTransport();
  const sandbox = createSandbox({ timezone: config.agency.agency.timezone, now: () => clock.now(), ...(opts.sandbox ?? {}) });
  const listening = await sandbox.listen(0, '127.0.0.1');
  // The breaker probes after real milliseconds, not the fake clock's: keep its pause short here.
  const wellsky = createWellSkyService({
    baseUrl: listening.url, ...sandbox.credentials, timezone: config.agency.agency.timezone, now: () => clock.now(), breaker: { halfOpenAfterMs: 100 },
  });
  const services = await buildServices(config, { db, clock, transport, wellsky, startWorker: false, awaitFirstSync: true });
  server.on('request', createApp(services));
  const sim = { base, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, to: AGENCY_NUMBER };
  const harness: Harness = {
    services,
    sandbox,
    clock,
    transport,
    base,
    call: (from, script) => simulateCall({ ...sim, from, script }),
    text: async (from, body) => (await simulateText({ ...sim, from, body })).replies,
    async runJobs() {
      for (let i = 0; i < 10; i++) if ((await services.runner.runDueOnce()) === 0) return;
    },
    textsTo: (phone) => transport.calls.filter((c) => !phone || c.to === phone).map((c) => c.body),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
      await listening.close();
    },
  };
  return harness;
}

/** Everything the caller heard, as one string. */
export function heard(call: CallResult): string {
  return call.heard.join(' ');
}
