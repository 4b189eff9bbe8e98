/**
 * The wire: one HTTP exchange with WellSky, done right every time. Builds the URL (host root +
 * /v1/ + exact path with its trailing slash), adds `Bearer` auth and the FHIR headers, strips
 * emoji from every body written, refuses an `agencyId` query parameter, turns statuses into
 * typed errors, refreshes the token once on a 401, and runs it all under the resilience
 * policies and the shared rate limit.
 */
import { request, type Dispatcher } from 'undici';
import type { Logger } from 'winston';
import type { z } from 'zod';
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError, WellSkyError } from './errors';
import { RateLimitedError, Resilience, type CallKind, type TokenBucket } from './resilience';
import { parseShape, tokenSchema } from './schemas';
import { sanitizeForWrite } from './text';
import { TokenCache, type IssuedToken } from './token';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | undefined | null;

export interface ApiRequest {
  method: Method;
  /** Relative to `{root}/v1/`, with its trailing slash: "practitioners/", "appointment/42/". */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** Reads may be retried; writes never are. Defaults: GET → read, else write. */
  kind?: CallKind;
  interactive?: boolean;
  signal?: AbortSignal;
}

export interface TransportOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  dispatcher?: Dispatcher;
  resilience: Resilience;
  bucket: TokenBucket;
  now: () => Date;
  logger: Logger;
  /** Deadline of a token request (shared by every caller waiting on it). */
  tokenTimeoutMs: number;
}

/** The hint every 403 carries: the gateway answers 403 for a route it does not know. */
export const FORBIDDEN_HINT =
  'a 403 from WellSky can mean a wrong route (check the path, its case and trailing slash) as well as a permission this API key lacks';

const FHIR_HEADERS = { 'content-type': 'application/fhir+json', accept: 'application/json' };

interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: unknown;
  text: string;
}

export class WellSkyTransport {
  readonly tokens: TokenCache;
  private readonly root: string;

  constructor(private readonly opts: TransportOptions) {
    this.root = opts.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.tokens = new TokenCache(() => this.fetchToken(), opts.now);
  }

  /** Sends one API request and returns its JSON validated by `schema`. */
  async call<S extends z.ZodType>(req: ApiRequest, schema: S): Promise<z.infer<S>> {
    const json = await this.send(req);
    return parseShape(schema, json, { method: req.method, path: this.displayPath(req.path) });
  }

  /** Sends one API request and returns its JSON unvalidated (callers validate). */
  async send(req: ApiRequest): Promise<unknown> {
    assertPath(req.path);
    assertNoAgencyIdQuery(req.query);
    const kind = req.kind ?? (req.method === 'GET' ? 'read' : 'write');
    const label = `${req.method} ${this.displayPath(req.path)}`;
    return this.opts.resilience.run(kind, req.interactive ?? false, (signal) => this.authorised(req, signal), label, req.signal);
  }

  /** "/v1/practitioners/" — the path as logs and errors show it (never the query: it may hold phones or names). */
  displayPath(path: string): string {
    return `/v1/${path}`;
  }

  /** One attempt: with the current token, and once more with a fresh one if WellSky says 401. */
  private async authorised(req: ApiRequest, signal: AbortSignal): Promise<unknown> {
    const token = await this.tokens.get(signal);
    let res = await this.exchange(req, token, signal);
    if (res.status === 401) {
      this.tokens.invalidate(token);
      const fresh = await this.tokens.get(signal);
      res = await this.exchange(req, fresh, signal);
      if (res.status === 401) {
        throw new WellSkyError(
          `WellSky refused a fresh token for ${req.method} ${this.displayPath(req.path)} (401): check WELLSKY_CLIENT_ID and WELLSKY_CLIENT_SECRET`,
          401,
          req.method,
          this.displayPath(req.path),
        );
      }
    }
    return this.interpret(req.method, this.displayPath(req.path), res);
  }

  private async exchange(req: ApiRequest, token: string, signal: AbortSignal): Promise<Exchange> {
    const url = new URL(`${this.root}/v1/${req.path}`);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(key, String(value));
    }
    const body = req.body === undefined ? undefined : JSON.stringify(sanitizeForWrite(req.body));
    return this.http(
      url.toString(),
      { method: req.method, headers: { ...FHIR_HEADERS, authorization: `Bearer ${token}` }, body },
      `${req.method} ${this.displayPath(req.path)}`,
      signal,
    );
  }

  private async fetchToken(): Promise<IssuedToken> {
    const where = { method: 'POST', path: '/oauth/accesstoken' };
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: this.opts.clientId,
      client_secret: this.opts.clientSecret,
    });
    // The token request has its own deadline: it is shared by every waiting caller.
    const res = await this.http(
      `${this.root}/oauth/accesstoken`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() },
      'POST /oauth/accesstoken',
      AbortSignal.timeout(this.opts.tokenTimeoutMs),
    );
    if (res.status === 403) {
      this.opts.logger.warn('WellSky answered 403', { method: where.method, path: where.path, hint: FORBIDDEN_HINT });
      throw new ForbiddenError(`WellSky refused the token request (403: ${messageOf(res)}); ${FORBIDDEN_HINT} (check WELLSKY_BASE_URL)`, 403, where.method, where.path);
    }
    if (res.status === 400 || res.status === 401) {
      throw new WellSkyError(
        `WellSky refused the token request (${res.status}: ${messageOf(res)}): check WELLSKY_CLIENT_ID and WELLSKY_CLIENT_SECRET`,
        res.status,
        where.method,
        where.path,
      );
    }
    const json = this.interpret(where.method, where.path, res);
    const parsed = parseShape(tokenSchema, json, where);
    let seconds = Number(parsed.expires_in);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      this.opts.logger.warn('WellSky token without a readable expires_in; assuming 5 minutes', { expiresIn: String(parsed.expires_in) });
      seconds = 300;
    }
    return { accessToken: parsed.access_token, expiresInSeconds: seconds };
  }

  /** One HTTP request under the shared rate limit. Connection failures → UnavailableError. */
  private async http(url: string, init: { method: string; headers: Record<string, string>; body?: string }, label: string, signal: AbortSignal): Promise<Exchange> {
    await this.opts.bucket.take(signal);
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, {
        method: init.method as Dispatcher.HttpMethod,
        headers: init.headers,
        body: init.body,
        signal,
        dispatcher: this.opts.dispatcher,
      });
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      throw new UnavailableError(`cannot reach WellSky for ${label} (${code})`, undefined, init.method, pathOf(url));
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (err) {
      if (signal.aborted) throw signal.reason ?? err;
      throw new UnavailableError(`WellSky's answer to ${label} was cut off (${(err as Error).message})`, response.statusCode, init.method, pathOf(url));
    }
    let json: unknown = undefined;
    if (text.trim()) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: response.statusCode, headers: response.headers, json, text };
  }

  /** A status → the JSON (2xx) or the typed error. */
  private interpret(method: string, path: string, res: Exchange): unknown {
    const { status } = res;
    if (status >= 200 && status < 300) {
      if (res.json === undefined && res.text.trim()) {
        throw new UnavailableError(`WellSky answered ${method} ${path} with ${status} but not JSON`, status, method, path);
      }
      return res.json ?? {};
    }
    const message = messageOf(res);
    if (status === 403) {
      this.opts.logger.warn('WellSky answered 403', { method, path, hint: FORBIDDEN_HINT });
      throw new ForbiddenError(`WellSky refused ${method} ${path} (403: ${message}); ${FORBIDDEN_HINT}`, status, method, path);
    }
    if (status === 404) throw new NotFoundError(`WellSky has no ${path} (404: ${message})`, status, method, path);
    if (status === 400 || status === 422) {
      throw new ValidationError(`WellSky rejected ${method} ${path} (${status}): ${message}`, status, method, path);
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], this.opts.now());
      const after = retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : '';
      throw new RateLimitedError(`WellSky is rate limiting us (429 on ${method} ${path}${after})`, retryAfterMs, method, path);
    }
    if (status >= 500) throw new UnavailableError(`WellSky failed ${method} ${path} (${status}: ${message})`, status, method, path);
    throw new WellSkyError(`WellSky answered ${method} ${path} with ${status}: ${message}`, status, method, path);
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** WellSky's own words from an error body: `error`, `message`, `Error`, a FHIR issue, or the text. */
export function messageOf(res: { json: unknown; text: string }): string {
  const j = res.json as Record<string, unknown> | undefined;
  if (j && typeof j === 'object') {
    for (const key of ['error', 'message', 'Error', 'errorMessage', 'detail']) {
      const v = j[key];
      if (typeof v === 'string' && v) return v;
      if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') return (v as { message: string }).message;
    }
    const fault = (j.fault as { faultstring?: unknown } | undefined)?.faultstring;
    if (typeof fault === 'string') return fault;
    const issue = (j.issue as { diagnostics?: unknown; details?: { text?: unknown } }[] | undefined)?.[0];
    if (issue && typeof issue.diagnostics === 'string') return issue.diagnostics;
    if (issue && typeof issue.details?.text === 'string') return issue.details.text;
    return JSON.stringify(j).slice(0, 300);
  }
  return res.text.trim().slice(0, 300) || 'no message';
}

/** Retry-After as seconds ("2") or an HTTP date → milliseconds from now. */
export function parseRetryAfter(header: string | string[] | undefined, now: Date): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}

function assertPath(path: string): void {
  if (path.startsWith('/') || !path.endsWith('/') || path.includes('?')) {
    throw new Error(`WellSky path "${path}" must be relative to /v1/ and end with a slash (no query)`);
  }
}

/** WellSky hides most records when `agencyId` is a query parameter (field-verified). */
function assertNoAgencyIdQuery(query: Record<string, QueryValue> | undefined): void {
  if (query && Object.keys(query).some((k) => k.toLowerCase() === 'agencyid')) {
    throw new Error('agencyId must not be sent as a query parameter (WellSky then hides most records); it belongs in meta.tag of write bodies');
  }
}
