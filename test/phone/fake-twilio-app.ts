/**
 * A tiny TwiML app for testing the phone simulator: each test gives the handlers for the routes it
 * needs. Like the real server it checks X-Twilio-Signature over PUBLIC_BASE_URL + originalUrl and
 * answers 403 when it is wrong.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import twilio from 'twilio';

export const FAKE_TOKEN = 'test-auth-token-0123456789';

export type Params = Record<string, string>;
export type Answer = string | { status: number; body?: string; type?: string };
export type Handler = (params: Params, query: Params) => Answer;

export interface FakeApp {
  base: string;
  /** Every request that passed the signature check, in order. */
  requests: Array<{ method: string; path: string; query: Params; params: Params }>;
  rejected: number;
  close(): Promise<void>;
}

/**
 * Routes are `METHOD /path` (path without query). `publicBase` is what the app believes its public
 * URL is; by default the address it listens on.
 */
export async function startFakeApp(routes: Record<string, Handler>, opts: { publicBase?: string } = {}): Promise<FakeApp> {
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const fake: FakeApp = { base: '', requests: [], rejected: 0, close: async () => undefined };

  app.use((req, res) => {
    const publicBase = opts.publicBase ?? fake.base;
    const params: Params = req.method === 'POST' ? { ...(req.body ?? {}) } : {};
    const signature = req.header('x-twilio-signature') ?? '';
    // The dev outbox is the app's own page, not a Twilio webhook: nobody signs it.
    const isWebhook = !req.path.startsWith('/dev/');
    if (isWebhook && !twilio.validateRequest(FAKE_TOKEN, signature, publicBase + req.originalUrl, params)) {
      fake.rejected++;
      res.status(403).type('text/plain').send('bad signature');
      return;
    }
    const query = req.query as Params;
    fake.requests.push({ method: req.method, path: req.path, query, params: req.method === 'GET' ? query : params });
    const handler = routes[`${req.method} ${req.path}`];
    if (!handler) {
      res.status(404).type('text/plain').send(`no route ${req.method} ${req.path}`);
      return;
    }
    const answer = handler(req.method === 'GET' ? query : params, query);
    if (typeof answer === 'string') {
      res.status(200).type('text/xml').send(answer);
    } else {
      res.status(answer.status).type(answer.type ?? 'text/xml').send(answer.body ?? '');
    }
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  fake.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () => new Promise((resolve) => server.close(() => resolve()));
  return fake;
}

export function voice(build: (r: twilio.twiml.VoiceResponse) => void): string {
  const response = new twilio.twiml.VoiceResponse();
  build(response);
  return response.toString();
}

export const statusCallbackAccepted: Handler = () => ({ status: 204 });
