/**
 * Recurring jobs scheduled by time, not by success: each run first queues the next one (one job
 * per time slot, deduped by the slot's number, so any number of processes and restarts make one
 * chain), then does its work. A run that fails and exhausts its retries is dead-lettered like any
 * job, and the next slot still runs on time.
 */
import type { Clock } from '../clock';
import type { JobQueue } from './queue';
import type { JobContext, JobHandler } from './types';

export interface RecurringJob {
  kind: string;
  intervalMs: number;
  /** Attempts of each run before it is dead-lettered; default 5 (the next slot comes anyway). */
  maxAttempts?: number;
  run(payload: unknown, ctx: JobContext): Promise<void>;
}

/** The number of the time slot `at` falls in. */
export const slotOf = (at: Date, intervalMs: number) => Math.floor(at.getTime() / intervalMs);

export const slotKey = (kind: string, slot: number) => `${kind}:slot:${slot}`;

/** Queues the run of slot `slot` (due at the slot's start, or now if that has passed). */
export async function queueSlot(jobs: JobQueue, clock: Clock, job: RecurringJob, slot: number): Promise<number> {
  const start = Math.max(slot * job.intervalMs, clock.now().getTime());
  return jobs.enqueue(job.kind, { slot }, { runAt: new Date(start), dedupeKey: slotKey(job.kind, slot), maxAttempts: job.maxAttempts ?? 5 });
}

/** The handler: queue the next slot, then run. */
export function recurringHandler(jobs: JobQueue, clock: Clock, job: RecurringJob): JobHandler {
  return async (payload: { slot?: number }, ctx) => {
    const current = typeof payload?.slot === 'number' ? payload.slot : slotOf(clock.now(), job.intervalMs);
    await queueSlot(jobs, clock, job, Math.max(current, slotOf(clock.now(), job.intervalMs)) + 1);
    await job.run(payload, ctx);
  };
}

/** At start-up: run now (one run per start-up minute, whatever the process count) and make sure the chain exists. */
export async function startRecurring(jobs: JobQueue, clock: Clock, job: RecurringJob, opts: { runNow?: boolean } = {}): Promise<void> {
  const slot = slotOf(clock.now(), job.intervalMs);
  if (opts.runNow ?? true) {
    await jobs.enqueue(job.kind, { slot, start: true }, { dedupeKey: `${job.kind}:start:${Math.floor(clock.now().getTime() / 60_000)}`, maxAttempts: job.maxAttempts ?? 5 });
  }
  await queueSlot(jobs, clock, job, slot + 1);
}
