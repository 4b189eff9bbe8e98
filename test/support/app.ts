/**
 * The whole front door for end-to-end tests: the real composition root (src/app.ts) on a test
 * database, the in-process WellSky sandbox, live-mode Twilio config (so signatures are checked)
 * with a recording transport instead of Twilio's API, and a fake clock.
 *
 *   const fd = await startFrontDoor(db);
 *   const res = await fd.voice('/twilio/voice', { CallSid: fd.callSid(), From: '+17205550112' });
 */
import request from 'supertest';
import twilio from 'twilio';
import type { Express } from 'express';
import { buildServices, createApp, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { BUNDLED_AGENCY_CONFIG, loadConfig } from '../../src/config';
import type { Db } from '../../src/db';
import type { SmsTransport } from '../../src/twilio/transport';

export const AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const PUBLIC_BASE = 'https://frontdoor.test';
export const AGENCY_NUMBER = '+13035550100';
/** The console's admin password in live-mode test apps (live mode wants 12+ characters). */
export const TEST_ADMIN_PASSWORD = 'test admin password';

export interface SentSms {
  to: string;
  body: string;
}

/** A transport that records what would have been sent to Twilio. */
export function recordingTransport(): SmsTransport & { sent: SentSms[] } {
  const sent: SentSms[] = [];
  let n = 0;
  return {
    kind: 'dev',
    sent,
    async send(req: { to: string; body: string }) {
      sent.push({ to: req.to, body: req.body });
      n += 1;
      return { sid: `SMtest${String(n).padStart(26, '0')}`, status: 'queued' };
    },
  } as unknown as SmsTransport & { sent: SentSms[] };
}

export interface FrontDoor {
  app: Express;
  services: Services;
  clock: FakeClock;
  transport: ReturnType<typeof recordingTransport>;
  /** POSTs a Twilio-signed form to `path` (path + query, as Twilio would call it). */
  post(path: string, params: Record<string, string>, opts?: { signature?: string | null; signedUrl?: string }): Promise<request.Response>;
  callSid(): string;
  messageSid(): string;
  /** Runs due jobs (outbox sends, syncs) until none is left. */
  drainJobs(): Promise<void>;
  close(): Promise<void>;
}

export function sign(url: string, params: Record<string, string>, token = AUTH_TOKEN): string {
  return twilio.getExpectedTwilioSignature(token, url, params);
}

let sidCounter = 0;
const hex = (n: number) => n.toString(16).padStart(32, '0');

/** Tuesday 2026-12-01 10:00 in Denver: office open. */
export const OFFICE_OPEN_AT = new Date('2026-12-01T17:00:00Z');

export async function startFrontDoor(db: Db, opts: { now?: Date; env?: Record<string, string>; settleTimeoutMs?: number } = {}): Promise<FrontDoor> {
  const clock = new FakeClock(opts.now ?? OFFICE_OPEN_AT);
  const config = loadConfig({
    TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_PHONE_NUMBER: AGENCY_NUMBER,
    PUBLIC_BASE_URL: PUBLIC_BASE,
    // Live mode (Twilio credentials): an admin password and an explicit agency config are required.
    ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    AGENCY_CONFIG: BUNDLED_AGENCY_CONFIG,
    ...opts.env,
  });
  const transport = recordingTransport();
  const services = await buildServices(config, {
    db,
    clock,
    transport,
    startWorker: false,
    awaitFirstSync: true,
    sandbox: { now: () => clock.now() },
    settleTimeoutMs: opts.settleTimeoutMs,
  });
  const app = createApp(services);
  return {
    app,
    services,
    clock,
    transport,
    post(path, params, o = {}) {
      const url = o.signedUrl ?? PUBLIC_BASE + path;
      const req = request(app).post(path).type('form').send(params);
      const signature = o.signature === undefined ? sign(url, params) : o.signature;
      return signature === null ? req : req.set('X-Twilio-Signature', signature);
    },
    callSid: () => `CA${hex(++sidCounter)}`,
    messageSid: () => `SM${hex(++sidCounter)}`,
    async drainJobs() {
      for (let i = 0; i < 10; i++) if ((await services.runner.runDueOnce()) === 0) return;
    },
    close: async () => void (await services.close()),
  };
}

/** The text of every <Say> in a TwiML document, in order. */
export function said(twiml: string): string[] {
  return [...twiml.matchAll(/<Say[^>]*>([^<]*)<\/Say>/g)].map((m) => m[1].replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

/** The numbers a TwiML document dials. */
export function dialed(twiml: string): string[] {
  return [...twiml.matchAll(/<Number[^>]*>([^<]*)<\/Number>/g)].map((m) => m[1]);
}

/** The action URL of the document's <Gather> (where the caller's answer goes). */
export function gatherAction(twiml: string): string | undefined {
  return /<Gather[^>]*action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
}

export function actionOf(twiml: string, verb: 'Gather' | 'Dial' | 'Record'): string | undefined {
  return new RegExp(`<${verb}[^>]*action="([^"]+)"`).exec(twiml)?.[1]?.replace(/&amp;/g, '&');
}

/** Is it a well-formed TwiML <Response> document? */
export function isTwiml(body: string): boolean {
  return /^<\?xml version="1.0" encoding="UTF-8"\?><Response>[\s\S]*<\/Response>$|^<\?xml version="1.0" encoding="UTF-8"\?><Response\/>$/.test(body);
}
