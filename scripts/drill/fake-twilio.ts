/**
 * A Twilio-compatible fake of the Messages API for the fault drill and the ambiguous-send tests:
 * POST /2010-04-01/Accounts/:sid/Messages.json creates a message, GET …/Messages.json lists them
 * (To, From, DateSent> / DateSent< filters, newest first, Twilio's page shape). Faults:
 *  - `timeoutRate`: the message IS created, but the answer comes only after `slowMs` (the client
 *    times out first: the ambiguous case);
 *  - `errorRate`: answer 500 without creating anything.
 * `deliveries` counts how many times each (to, body) was created: a duplicate text is a count > 1.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface FakeMessage {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  dateCreated: Date;
  dateSent: Date;
}

export interface FakeTwilio {
  url: string;
  messages: FakeMessage[];
  faults: { timeoutRate: number; errorRate: number; slowMs: number };
  /** Forces the next POSTs' outcomes, in order: 'timeout' | 'error' | 'ok' (then the rates apply). */
  script: ('timeout' | 'error' | 'ok')[];
  counts: { posts: number; lists: number; timeouts: number; errors: number };
  duplicates(): number;
  close(): Promise<void>;
}

export async function startFakeTwilio(opts: { port?: number; random?: () => number } = {}): Promise<FakeTwilio> {
  const random = opts.random ?? Math.random;
  const messages: FakeMessage[] = [];
  const faults = { timeoutRate: 0, errorRate: 0, slowMs: 15_000 };
  const script: ('timeout' | 'error' | 'ok')[] = [];
  const counts = { posts: 0, lists: 0, timeouts: 0, errors: 0 };
  let counter = 0;
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  const resource = (accountSid: string, m: FakeMessage) => ({
    sid: m.sid, account_sid: accountSid, to: m.to, from: m.from, messaging_service_sid: m.messagingServiceSid, body: m.body,
    status: 'sent', num_segments: '1', direction: 'outbound-api', api_version: '2010-04-01',
    date_created: m.dateCreated.toUTCString(), date_sent: m.dateSent.toUTCString(), date_updated: m.dateSent.toUTCString(),
    uri: `/2010-04-01/Accounts/${accountSid}/Messages/${m.sid}.json`,
  });
  app.post('/2010-04-01/Accounts/:sid/Messages.json', (req, res) => {
    counts.posts++;
    const p = req.body as Record<string, string>;
    const forced = script.shift();
    const r = random();
    const outcome = forced ?? (r < faults.errorRate ? 'error' : r < faults.errorRate + faults.timeoutRate ? 'timeout' : 'ok');
    if (outcome === 'error') {
      counts.errors++;
      res.status(500).json({ code: 20500, message: 'Internal Server Error', status: 500 });
      return;
    }
    const now = new Date();
    const m: FakeMessage = { sid: `SM${String(++counter).padStart(32, '0')}`, to: p.To, from: p.From ?? null, messagingServiceSid: p.MessagingServiceSid ?? null, body: p.Body, dateCreated: now, dateSent: now };
    messages.push(m);
    const answer = () => { if (!res.writableEnded && !res.destroyed) res.status(201).json(resource(req.params.sid, m)); };
    if (outcome === 'timeout') {
      counts.timeouts++;
      setTimeout(answer, faults.slowMs).unref();
      return;
    }
    answer();
  });
  app.get('/2010-04-01/Accounts/:sid/Messages.json', (req, res) => {
    counts.lists++;
    const q = req.query as Record<string, string | undefined>;
    const after = q['DateSent>'] ? new Date(q['DateSent>']) : undefined;
    const before = q['DateSent<'] ? new Date(q['DateSent<']) : undefined;
    const found = messages
      .filter((m) => (!q.To || m.to === q.To) && (!q.From || m.from === q.From) && (!after || m.dateSent >= after) && (!before || m.dateSent < before))
      .reverse();
    const pageSize = Math.min(1000, Number(q.PageSize ?? 50) || 50);
    res.json({
      messages: found.slice(0, pageSize).map((m) => resource(req.params.sid, m)),
      page: 0, page_size: pageSize, first_page_uri: req.originalUrl, next_page_uri: null, previous_page_uri: null, uri: req.originalUrl, start: 0, end: Math.min(found.length, pageSize) - 1,
    });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(opts.port ?? 0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages, faults, script, counts,
    duplicates() {
      const seen = new Map<string, number>();
      for (const m of messages) seen.set(`${m.to}\u0000${m.body}`, (seen.get(`${m.to}\u0000${m.body}`) ?? 0) + 1);
      return [...seen.values()].reduce((n, c) => n + (c - 1), 0);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
