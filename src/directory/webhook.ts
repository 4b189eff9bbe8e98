/**
 * `POST /wellsky/webhook`: WellSky subscriptions tell us a person changed
 * (`{"resourceType":"Patient","id":2870130}`). We answer 200 at once and refresh that person in
 * the background, through a durable job when a queue is given.
 */
import crypto from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { systemClock, type Clock } from '../clock';
import { moduleLog } from '../log';
import type { Directory, RefreshableResource } from './types';

const log = moduleLog('directory.webhook');

/**
 * Puts a durable job on the queue; a job with the same dedupe key is queued once, ever
 * (the shape of `JobQueue.enqueue` in src/jobs).
 */
export type EnqueueJob = (kind: string, payload: unknown, opts?: { dedupeKey?: string; runAt?: Date }) => Promise<unknown>;

export interface WellSkyWebhookOptions {
  directory: Pick<Directory, 'refreshPerson'>;
  /** WELLSKY_WEBHOOK_SECRET; without it the endpoint refuses everything with 503. */
  secret: string | undefined;
  enqueue?: EnqueueJob;
  clock?: Clock;
}

export const REFRESH_JOB = 'directory.refresh';
/**
 * Notifications for one person within this window become one refresh that runs when the window
 * closes: bursts (one change firing several criteria) cost one WellSky read, and a change arriving
 * after a refresh already ran gets a job of its own (dedupe keys are never reused).
 */
const REFRESH_WINDOW_MS = 5_000;
const REFRESHABLE: readonly string[] = ['Practitioner', 'Patient', 'RelatedPerson'] satisfies RefreshableResource[];

const notification = z.looseObject({
  resourceType: z.string().regex(/^[A-Za-z]+$/, 'must be a FHIR resource type such as Patient'),
  id: z.union([
    z.number().int().positive(),
    z.string().trim().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a WellSky id such as 2870130'),
  ]),
});

export type WellSkyWebhookRouter = Router & {
  /** Resolves once every background refresh started so far has finished (for tests, shutdown). */
  whenIdle(): Promise<void>;
};

export function createWellSkyWebhookRouter(opts: WellSkyWebhookOptions): WellSkyWebhookRouter {
  const router = express.Router();
  const inFlight = new Set<Promise<void>>();
  const expected = opts.secret ? digest(opts.secret) : null;
  const clock = opts.clock ?? systemClock;

  router.post(
    '/wellsky/webhook',
    // WellSky posts application/fhir+json; accept any JSON flavour.
    express.json({ type: ['application/json', 'application/*+json'], limit: '64kb' }),
    (req: Request, res: Response) => {
      if (!expected) {
        log.error('WellSky webhook received but WELLSKY_WEBHOOK_SECRET is not set');
        res.status(503).json({ error: 'WellSky webhooks are not configured: set WELLSKY_WEBHOOK_SECRET on the server' });
        return;
      }
      if (!crypto.timingSafeEqual(digest(bearerOf(req)), expected)) {
        log.warn('WellSky webhook with a missing or wrong bearer secret', { ip: req.ip });
        res.status(401).json({ error: 'missing or wrong Authorization: Bearer secret' });
        return;
      }
      const parsed = notification.safeParse(req.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        res.status(400).json({
          error: `expected {"resourceType":"Patient","id":2870130}: ${issue.path.join('.') || 'body'} ${issue.message}`,
        });
        return;
      }
      const resourceType = parsed.data.resourceType;
      const id = String(parsed.data.id).trim();
      if (!REFRESHABLE.includes(resourceType)) {
        // Other subscriptions (clock-outs, …) may share this endpoint; they are not the directory's.
        res.status(200).json({ ok: true, ignored: true });
        return;
      }
      res.status(200).json({ ok: true });
      track(refreshLater(resourceType as RefreshableResource, id));
    },
  );

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function refreshLater(resourceType: RefreshableResource, id: string): Promise<void> {
    if (opts.enqueue) {
      try {
        const windowEnd = Math.floor(clock.now().getTime() / REFRESH_WINDOW_MS + 1) * REFRESH_WINDOW_MS;
        await opts.enqueue(
          REFRESH_JOB,
          { resourceType, id },
          { dedupeKey: `${REFRESH_JOB}:${resourceType}:${id}:${windowEnd}`, runAt: new Date(windowEnd) },
        );
        return;
      } catch (err) {
        log.error('could not queue a directory refresh; refreshing now instead', { resourceType, id, error: (err as Error).message });
      }
    }
    try {
      await opts.directory.refreshPerson(resourceType, id);
    } catch (err) {
      // The next full sync will catch up; webhooks are an accelerator, never the only source.
      log.warn('directory refresh from a webhook failed', { resourceType, id, error: (err as Error).message });
    }
  }

  return Object.assign(router, {
    async whenIdle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  });
}

function bearerOf(req: Request): string {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match ? match[1].trim() : '';
}

/** Hashing first gives both sides one length, as timingSafeEqual requires, without leaking it. */
function digest(value: string): Buffer {
  return crypto.createHash('sha256').update(value, 'utf8').digest();
}
