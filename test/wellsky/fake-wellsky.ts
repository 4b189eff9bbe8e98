/**
 * A scriptable stand-in for WellSky's HTTP surface, for unit tests of the client: every request
 * is recorded; `route` decides the answer. Token requests are answered by default.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import winston from 'winston';
import { Writable } from 'node:stream';
import { createWellSkyService, type WellSkyServiceOptions } from '../../src/wellsky/client';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  body: unknown;
}

export interface Answer {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Delay before answering (ms). */
  delayMs?: number;
  /** Drop the connection without answering. */
  destroy?: boolean;
}

export type Route = (req: Recorded) => Answer | Promise<Answer>;

export interface FakeWellSky {
  url: string;
  requests: Recorded[];
  apiRequests(): Recorded[];
  tokenRequests(): Recorded[];
  route: Route;
  tokenAnswer: (n: number) => Answer;
  close(): Promise<void>;
}

export async function startFakeWellSky(route: Route = () => ({ status: 200, body: {} })): Promise<FakeWellSky> {
  const requests: Recorded[] = [];
  let tokens = 0;
  const fake: FakeWellSky = {
    url: '',
    requests,
    route,
    tokenAnswer: (n) => ({ status: 200, body: { access_token: `token-${n}`, token_type: 'BearerToken', expires_in: '3599', status: 'approved' } }),
    apiRequests: () => requests.filter((r) => !r.path.startsWith('/oauth/')),
    tokenRequests: () => requests.filter((r) => r.path === '/oauth/accesstoken'),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown = rawBody;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        /* form-encoded token request */
      }
      const rec: Recorded = { method: req.method ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, rawBody, body };
      requests.push(rec);
      const answer = url.pathname === '/oauth/accesstoken' ? fake.tokenAnswer(++tokens) : await fake.route(rec);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (answer.destroy) {
        req.socket.destroy();
        return;
      }
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...(answer.headers ?? {}) });
      res.end(answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** A logger whose lines the test can read. */
export function memoryLogger(): { logger: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, next) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      next();
    },
  });
  const transport = new winston.transports.Stream({ stream, format: winston.format.json() });
  return { logger: winston.createLogger({ level: 'debug', transports: [transport] }), lines };
}

let clientCounter = 0;

/** A service wired to `fake` with fast retries; each gets its own API key (so its own rate bucket). */
export function serviceFor(fake: FakeWellSky, overrides: Partial<WellSkyServiceOptions> = {}) {
  const { logger, lines } = memoryLogger();
  const service = createWellSkyService({
    baseUrl: fake.url,
    clientId: `client-${++clientCounter}`,
    clientSecret: 'secret',
    agencyId: '1669',
    timezone: 'America/Denver',
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    logger,
    ...overrides,
  });
  return { service, lines };
}

export function bundle(entries: unknown[], opts: { countField?: 'total' | 'totalRecords'; count?: number; wrapped?: boolean } = {}) {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    [opts.countField ?? 'totalRecords']: opts.count ?? entries.length,
    entry: entries.map((e) => (opts.wrapped ? { resource: e } : e)),
  };
}
