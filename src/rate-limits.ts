/**
 * Per-IP rate limits on the public endpoints a stranger can reach (express-rate-limit, in-memory:
 * each web process counts on its own). Twilio's signed webhooks have none: Twilio's traffic is the
 * product, and an unsigned request is refused by the signature check before any work.
 *
 * The client's IP is `req.ip`, which honours `trust proxy` = TRUST_PROXY_HOPS (Heroku's router is
 * one hop: the last X-Forwarded-For entry, the one the router added, is the client). A client
 * cannot pick its own key by sending X-Forwarded-For.
 */
import type { RequestHandler } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import { moduleLog } from './log';

const log = moduleLog('rate-limit');

export interface RateLimit {
  windowMs: number;
  limit: number;
}

/** The limits, per IP (docs/privacy.md, "Public endpoints"). */
export const RATE_LIMITS = {
  /** Every console request (pages, actions, the live-update stream). */
  dashboard: { windowMs: 5 * 60_000, limit: 600 },
  /** Login attempts of any kind (password, asking for a texted link, using one), failed or not. */
  dashboardLogin: { windowMs: 15 * 60_000, limit: 50 },
  readyz: { windowMs: 60_000, limit: 120 },
  /** WellSky's own traffic (authenticated) counts only towards this generous ceiling … */
  wellskyWebhook: { windowMs: 60_000, limit: 1200 },
  /** … while refused requests (wrong secret, bad body) count towards this one. */
  wellskyWebhookRefused: { windowMs: 15 * 60_000, limit: 30 },
} satisfies Record<string, RateLimit>;

export type RateLimits = typeof RATE_LIMITS;

function limiter(name: string, { windowMs, limit }: RateLimit, extra: Partial<Options> = {}): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    identifier: name,
    // Misconfiguration warnings go to our log, not the console.
    logger: {
      warn: (e: unknown) => log.warn('rate limiter warning', { limiter: name, error: (e as Error)?.message ?? String(e) }),
      error: (e: unknown) => log.error('rate limiter error', { limiter: name, error: (e as Error)?.message ?? String(e) }),
    },
    handler: (req, res) => {
      // No path: a login link's path is its token.
      log.warn('rate limit reached', { limiter: name, method: req.method });
      const minutes = Math.max(1, Math.ceil(windowMs / 60_000));
      const message = `Too many requests from your address; try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`;
      if (req.accepts(['json', 'html']) === 'html') res.status(429).type('html').send(`<!doctype html><title>Too many requests</title><p>${message}</p>`);
      else res.status(429).json({ error: message });
    },
    ...extra,
  });
}

export function createRateLimiters(limits: RateLimits = RATE_LIMITS) {
  return {
    dashboard: limiter('dashboard', limits.dashboard),
    dashboardLogin: limiter('dashboard-login', limits.dashboardLogin),
    readyz: limiter('readyz', limits.readyz),
    wellskyWebhook: [
      limiter('wellsky-webhook', limits.wellskyWebhook),
      limiter('wellsky-webhook-refused', limits.wellskyWebhookRefused, { skipSuccessfulRequests: true }),
    ],
  };
}
