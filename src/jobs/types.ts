/** Durable jobs: plain data shared by the queue (who schedules) and the runner (who executes). */
import type { Clock } from '../clock';

/** `dead`: gave up (attempts exhausted or a permanent error) — a dead letter a person must see. */
export type JobStatus = 'pending' | 'running' | 'done' | 'dead' | 'cancelled';

export interface Job<P = unknown> {
  id: number;
  kind: string;
  payload: P;
  dedupeKey: string | null;
  runAt: Date;
  status: JobStatus;
  /** Claims so far, the current one included. */
  attempts: number;
  maxAttempts: number;
  lockedBy: string | null;
  lockedUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
  /** When it was dead-lettered (status 'dead'). */
  deadAt: Date | null;
  /** Who last sent it back to the queue from the dead letters, and when. */
  retriedBy: string | null;
  retriedAt: Date | null;
}

export interface JobContext {
  job: Job;
  clock: Clock;
  /**
   * Run this job again at `runAt` once the handler returns (a repeating timer, a wave that is not
   * finished). This run does not count as an attempt.
   */
  reschedule(runAt: Date): void;
  /** Aborted when the worker loses the job's lease (another worker may now run it). */
  signal: AbortSignal;
}

export type JobHandler<P = any> = (payload: P, ctx: JobContext) => Promise<void>;
export type JobHandlers = Record<string, JobHandler>;

/**
 * Thrown by a handler that cannot do its work yet (a remote service asked us to wait, another
 * process holds the resource): the job runs again after `delayMs`, and this run does not count as
 * a failed attempt.
 */
export class RetryLater extends Error {
  /**
   * `countAttempt`: this run was a real failure (a remote service down) that counts towards
   * `maxAttempts` — the handler picks its own delay (a longer schedule than the runner's backoff)
   * and the job is dead-lettered when its attempts run out.
   */
  readonly countAttempt: boolean;
  constructor(readonly delayMs: number, reason = 'retry later', opts: { countAttempt?: boolean } = {}) {
    super(reason);
    this.name = 'RetryLater';
    this.countAttempt = opts.countAttempt ?? false;
  }
}

/**
 * The schedule of a write to a remote system of record (WellSky): 30 s, 1, 2, 4 … minutes, capped
 * at 2 hours, so a long outage is outlasted (REMOTE_WRITE_ATTEMPTS attempts ≈ 13 hours) instead of
 * given up after minutes. No jitter below the cap is needed: each job has its own start.
 */
export function remoteWriteDelay(attempt: number): number {
  return Math.min(2 * 60 * 60_000, 30_000 * 2 ** Math.max(0, attempt - 1));
}
export const REMOTE_WRITE_ATTEMPTS = 14;

/** Thrown by a handler whose failure no retry can fix: the job is dead-lettered at once. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
