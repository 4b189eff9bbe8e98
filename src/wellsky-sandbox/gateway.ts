/**
 * The API gateway in front of WellSky, as a client meets it: the token endpoint, `Bearer`-only
 * authorization, 403 for any route it does not know, the per-client rate limit, and (sandbox
 * only) the request log and injected faults.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Faults, RequestLogEntry } from './resources';

/** What the AWS-style gateway answers for a route it does not have (wrong path, case, slash). */
export const GATEWAY_403 = {
  message:
    "Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): 'Bearer'.",
};

export function unknownRoute(_req: Request, res: Response): void {
  res.status(403).json(GATEWAY_403);
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

export interface Credentials {
  clientId: string;
  clientSecret: string;
}

export class TokenStore {
  private expiries = new Map<string, number>();

  constructor(private readonly now: () => Date) {}

  issue(clientId: string, ttlSeconds: number): Record<string, unknown> {
    const token = randomBytes(16).toString('hex');
    const issuedMs = this.now().getTime();
    this.expiries.set(token, issuedMs + ttlSeconds * 1000);
    // Field-verified shape: the numbers that matter come as strings.
    return {
      access_token: token,
      token_type: 'BearerToken',
      expires_in: String(ttlSeconds),
      issued_at: Math.floor(issuedMs / 1000),
      client_id: clientId,
      scope: '',
      refresh_token_expires_in: '0',
      refresh_count: '0',
      status: 'approved',
    };
  }

  check(token: string): 'valid' | 'expired' | 'unknown' {
    const expiry = this.expiries.get(token);
    if (expiry === undefined) return 'unknown';
    return this.now().getTime() < expiry ? 'valid' : 'expired';
  }

  revokeAll(): void {
    this.expiries.clear();
  }
}

export function tokenEndpoint(tokens: TokenStore, creds: () => Credentials, ttl: () => number): RequestHandler {
  return (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body.grant_type !== 'client_credentials') {
      res.status(400).json({ ErrorCode: 'invalid_request', Error: 'Unsupported grant type : grant_type must be client_credentials' });
      return;
    }
    const { clientId, clientSecret } = creds();
    if (body.client_id !== clientId || body.client_secret !== clientSecret) {
      res.status(401).json({ ErrorCode: 'invalid_client', Error: 'ClientId is Invalid' });
      return;
    }
    res.status(200).json(tokens.issue(clientId, ttl()));
  };
}

export function requireBearer(tokens: TokenStore): RequestHandler {
  return (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer ([^\s]+)$/.exec(header);
    const verdict = m ? tokens.check(m[1]) : 'unknown';
    if (verdict === 'valid') return next();
    const expired = verdict === 'expired';
    res.status(401).json({
      fault: {
        faultstring: expired ? 'Access Token expired' : 'Invalid access token',
        detail: { errorcode: expired ? 'keymanagement.service.access_token_expired' : 'oauth.v2.InvalidAccessToken' },
      },
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limit, faults, request log
// ---------------------------------------------------------------------------------------------

/**
 * A sliding one-second window over admitted API calls. It runs on the monotonic wall clock,
 * not the sandbox clock: a frozen test clock must not freeze the window.
 */
export class RateLimiter {
  private admitted: number[] = [];

  constructor(private readonly limit: () => number) {}

  /** Returns 0 when admitted, else the seconds to wait (≥1). */
  tryAdmit(): number {
    const t = performance.now();
    while (this.admitted.length && this.admitted[0] <= t - 1000) this.admitted.shift();
    if (this.admitted.length >= this.limit()) {
      return Math.max(1, Math.ceil((this.admitted[0] + 1000 - t) / 1000));
    }
    this.admitted.push(t);
    return 0;
  }

  clear(): void {
    this.admitted = [];
  }
}

export function rateLimit(limiter: RateLimiter): RequestHandler {
  return (_req, res, next) => {
    const wait = limiter.tryAdmit();
    if (wait === 0) return next();
    res.set('Retry-After', String(wait)).status(429).json({ error: 'Too Many Requests', message: 'Rate limit exceeded' });
  };
}

const FAULT_STATUSES = [500, 502, 503] as const;

export function injectFaults(faults: () => Faults, random: () => number = Math.random): RequestHandler {
  let turn = 0;
  return async (_req: Request, res: Response, next: NextFunction) => {
    const f = faults();
    if (f.outage) {
      res.status(503).json({ error: 'Service Unavailable' });
      return;
    }
    if (f.latencyMs > 0) await new Promise((r) => setTimeout(r, f.latencyMs));
    if (f.errorRate > 0 && random() < f.errorRate) {
      const status = FAULT_STATUSES[turn++ % FAULT_STATUSES.length];
      res.status(status).json({ error: status === 500 ? 'Internal Server Error' : status === 502 ? 'Bad Gateway' : 'Service Unavailable' });
      return;
    }
    next();
  };
}

export function recordRequests(log: RequestLogEntry[], now: () => Date): RequestHandler {
  return (req, res, next) => {
    const at = now().toISOString();
    res.on('finish', () => {
      const entry: RequestLogEntry = { at, method: req.method, path: req.path, query: { ...(req.query as Record<string, unknown>) }, status: res.statusCode };
      if (req.body !== undefined && req.method !== 'GET' && !req.path.startsWith('/oauth/')) entry.body = req.body;
      log.push(entry);
    });
    next();
  };
}
