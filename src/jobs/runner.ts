/**
 * Executing durable jobs.
 *
 * One claim = one short statement that picks due rows with `FOR UPDATE SKIP LOCKED` and marks them
 * running under a lease (locked_by, locked_until, attempts + 1). The handler runs outside any
 * transaction; its result is written in another short statement, fenced on (locked_by, attempts)
 * so a worker that lost its lease cannot overwrite the work of the one that took over. While a
 * handler runs, its lease is extended every third of `leaseMs`.
 */
import type { Db } from '../db';
import type { Clock } from '../clock';
import { moduleLog, scrubString } from '../log';
import { jobFromRow, type JobRow, JOBS_DUE_CHANNEL } from './queue';
import { PermanentJobError, RetryLater, type Job, type JobContext, type JobHandlers } from './types';

const log = moduleLog('jobs');

export interface JobRunnerOptions {
  db: Db;
  clock: Clock;
  handlers: JobHandlers;
  /** Names this process in `locked_by`; must be unique among running workers. */
  workerId: string;
  /** How often `start()` looks for due jobs when idle; default 1000 ms. */
  pollMs?: number;
  /** Jobs run at once by this runner; default 4. */
  concurrency?: number;
  /** How long a claim is held before another worker may take the job over; default 5 minutes. */
  leaseMs?: number;
  /**
   * After a job ends with the last claim not full (nothing else was due), how long the runner waits
   * before looking again, so that jobs ending together cost one claim, not one each; default 25 ms.
   * A job its handler queued (a chain) starts after at most this; a full claim looks again at once.
   */
  settleMs?: number;
  /** Delay before retry number `attempt` (1 = after the first failure); default exponential with jitter. */
  backoff?: (attempt: number) => number;
  /**
   * Called once after a job is dead-lettered (its 'dead' status committed): the place to tell a
   * person. Errors here are logged, never thrown into the runner.
   */
  onDeadLetter?: (job: Job, error: string) => Promise<void>;
}

export interface JobRunner {
  start(): void;
  /**
   * Stops claiming and waits for the jobs in flight to finish. With `graceMs`, jobs still running
   * after that long are released instead: their handlers are aborted (ctx.signal) and their claims
   * given back (pending, due now, the attempt not counted), so another process runs them at once
   * instead of waiting out the lease. Resolves with how many were released.
   */
  stop(opts?: { graceMs?: number }): Promise<number>;
  /** Claims and runs everything due now (by the runner's clock), including jobs that become due while it runs. Returns how many ran. */
  runDueOnce(): Promise<number>;
  /**
   * Looks for due jobs now instead of at the next poll, if the polling loop is idle. For code that
   * just committed a job someone is waiting for; a poke while the loop is busy changes nothing.
   */
  poke(): void;
  readonly running: number;
}

/** Exponential backoff with jitter: attempt n waits between half and all of min(maxMs, baseMs·2^(n-1)). */
export function exponentialBackoff({ baseMs = 2_000, maxMs = 15 * 60_000, random = Math.random } = {}): (attempt: number) => number {
  return (attempt) => {
    const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(ceiling * (0.5 + random() / 2));
  };
}

const MAX_ERROR_LENGTH = 500;

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return scrubString(message).slice(0, MAX_ERROR_LENGTH) || (err instanceof Error ? err.name : 'error');
}

type Outcome =
  | { kind: 'done' }
  | { kind: 'again'; runAt: Date; countAttempt: boolean; error?: string }
  | { kind: 'dead'; error: string };

export function createJobRunner(opts: JobRunnerOptions): JobRunner {
  const { db, clock, handlers, workerId } = opts;
  const pollMs = opts.pollMs ?? 1000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const backoff = opts.backoff ?? exponentialBackoff();
  const settleMs = Math.max(0, opts.settleMs ?? 25);
  if (!workerId) throw new Error('createJobRunner: workerId is required (it names the lease holder)');

  const inFlight = new Set<Promise<void>>();
  /** The abort controllers of the handlers running now, by job id (a release aborts them). */
  const controllers = new Map<number, AbortController>();
  let loop: Promise<void> | undefined;
  let stopping = false;
  let wake: (() => void) | undefined;
  /** A poke that came while the loop was not waiting: look again before the next wait. */
  let poked = false;
  /** Ends the LISTEN for due jobs (Postgres). */
  let unlisten: (() => Promise<void>) | undefined;
  /** The last claim took as many jobs as there were free slots: more may be waiting. */
  let saturated = false;
  /** A look scheduled `settleMs` after a job ended (one for all the jobs that end meanwhile). */
  let settleTimer: NodeJS.Timeout | undefined;

  /** A job ended: look again at once if more may be due, else once, shortly, for what it queued. */
  function afterJob(): void {
    if (saturated) {
      wake?.();
      return;
    }
    if (settleTimer || stopping) return;
    settleTimer = setTimeout(() => {
      settleTimer = undefined;
      wake?.();
    }, settleMs);
    settleTimer.unref();
  }

  async function claim(limit: number, exclude: number[] = []): Promise<Job[]> {
    const now = clock.now();
    const res = await db.query<JobRow>(
      `WITH due AS (
         SELECT id FROM jobs
         WHERE ((status = 'pending' AND run_at <= $1) OR (status = 'running' AND locked_until <= $1))
           AND NOT (id = ANY($5::bigint[]))
         ORDER BY run_at, id
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs SET status = 'running', locked_by = $3, locked_until = $4, attempts = jobs.attempts + 1, updated_at = $1
       FROM due
       WHERE jobs.id = due.id
       RETURNING jobs.*`,
      [now.toISOString(), limit, workerId, new Date(now.getTime() + leaseMs).toISOString(), exclude],
    );
    return res.rows.map(jobFromRow).sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
  }

  /** Writes the outcome if this worker still holds the claim; false when it lost the lease. */
  async function finish(job: Job, outcome: Outcome): Promise<boolean> {
    const now = clock.now();
    const fence = 'id = $1 AND status = \'running\' AND locked_by = $2 AND attempts = $3';
    const base = [job.id, workerId, job.attempts, now.toISOString()];
    let res;
    switch (outcome.kind) {
      case 'done':
        res = await db.query(
          `UPDATE jobs SET status = 'done', finished_at = $4, updated_at = $4, locked_by = NULL, locked_until = NULL
           WHERE ${fence} RETURNING id`,
          base,
        );
        break;
      case 'again':
        res = await db.query(
          `UPDATE jobs SET status = 'pending', run_at = $5, updated_at = $4, locked_by = NULL, locked_until = NULL,
             attempts = CASE WHEN $6::boolean THEN attempts ELSE attempts - 1 END,
             last_error = COALESCE($7, last_error)
           WHERE ${fence} RETURNING id`,
          [...base, outcome.runAt.toISOString(), outcome.countAttempt, outcome.error ?? null],
        );
        break;
      case 'dead':
        res = await db.query(
          `UPDATE jobs SET status = 'dead', finished_at = $4, dead_at = $4, updated_at = $4, locked_by = NULL, locked_until = NULL, last_error = $5
           WHERE ${fence} RETURNING id`,
          [...base, outcome.error],
        );
        break;
    }
    if (!res.rows.length) {
      log.warn('job result discarded: the lease was lost or the job was cancelled meanwhile', { jobId: job.id, kind: job.kind, attempt: job.attempts });
      return false;
    }
    return true;
  }

  function startHeartbeat(job: Job, controller: AbortController): () => void {
    const every = Math.max(50, Math.floor(leaseMs / 3));
    const timer = setInterval(() => {
      const now = clock.now();
      db.query(
        `UPDATE jobs SET locked_until = $4 WHERE id = $1 AND status = 'running' AND locked_by = $2 AND attempts = $3 RETURNING id`,
        [job.id, workerId, job.attempts, new Date(now.getTime() + leaseMs).toISOString()],
      ).then(
        (res) => {
          if (!res.rows.length && !controller.signal.aborted) controller.abort(new Error('job lease lost'));
        },
        (err) => log.warn('job lease extension failed', { jobId: job.id, error: describeError(err) }),
      );
    }, every);
    timer.unref();
    return () => clearInterval(timer);
  }

  async function execute(job: Job): Promise<void> {
    const started = Date.now();
    let outcome: Outcome;
    const handler = Object.prototype.hasOwnProperty.call(handlers, job.kind) ? handlers[job.kind] : undefined;
    if (job.attempts > job.maxAttempts) {
      // Only reachable through a lease takeover: the final attempt's worker died mid-job.
      outcome = { kind: 'dead', error: `gave up after ${job.maxAttempts} attempts (the last one stopped without a result: worker died or lease expired)` };
    } else if (!handler) {
      outcome = { kind: 'dead', error: `unknown job kind "${job.kind}": no handler is registered for it in this worker` };
    } else {
      const controller = new AbortController();
      let nextRun: Date | undefined;
      const ctx: JobContext = {
        job,
        clock,
        signal: controller.signal,
        reschedule(runAt) {
          if (!(runAt instanceof Date) || Number.isNaN(runAt.getTime())) throw new Error(`reschedule: invalid date ${String(runAt)}`);
          nextRun = runAt;
        },
      };
      const stopHeartbeat = startHeartbeat(job, controller);
      controllers.set(job.id, controller);
      try {
        await handler(job.payload, ctx);
        outcome = nextRun ? { kind: 'again', runAt: nextRun, countAttempt: false } : { kind: 'done' };
      } catch (err) {
        outcome = outcomeOfError(job, err);
      } finally {
        stopHeartbeat();
        controllers.delete(job.id);
      }
    }
    const meta = { jobId: job.id, kind: job.kind, attempt: job.attempts, ms: Date.now() - started };
    let written = false;
    try {
      written = await finish(job, outcome);
    } catch (err) {
      // The lease will expire and another claim will run the job again.
      log.error('could not record a job result', { ...meta, error: describeError(err) });
    }
    if (!written) return;
    if (outcome.kind === 'dead') {
      log.error('job dead-lettered', { ...meta, error: outcome.error });
      if (opts.onDeadLetter) {
        await opts.onDeadLetter(job, outcome.error).catch((err) => log.error('dead-letter notice failed', { ...meta, error: describeError(err) }));
      }
    }
    else if (outcome.kind === 'again' && outcome.error) log.warn('job attempt failed, will retry', { ...meta, error: outcome.error, retryAt: outcome.runAt.toISOString() });
    else log.debug('job finished', { ...meta, outcome: outcome.kind });
  }

  function outcomeOfError(job: Job, err: unknown): Outcome {
    const now = clock.now().getTime();
    const error = describeError(err);
    if (err instanceof RetryLater) {
      if (!err.countAttempt) return { kind: 'again', runAt: new Date(now + Math.max(0, err.delayMs)), countAttempt: false };
      if (job.attempts >= job.maxAttempts) return { kind: 'dead', error };
      return { kind: 'again', runAt: new Date(now + Math.max(0, err.delayMs)), countAttempt: true, error };
    }
    if (err instanceof PermanentJobError || job.attempts >= job.maxAttempts) return { kind: 'dead', error };
    return { kind: 'again', runAt: new Date(now + Math.max(0, backoff(job.attempts))), countAttempt: true, error };
  }

  /** Gives back every claim this worker holds: pending, due now, the attempt not counted. */
  async function releaseClaims(): Promise<number> {
    const now = clock.now().toISOString();
    try {
      const res = await db.query(
        `UPDATE jobs SET status = 'pending', run_at = $2, locked_by = NULL, locked_until = NULL, attempts = GREATEST(0, attempts - 1), updated_at = $2
         WHERE status = 'running' AND locked_by = $1 RETURNING id`,
        [workerId, now],
      );
      if (res.rows.length) {
        log.warn('released unfinished jobs at shutdown: another worker takes them now', { workerId, released: res.rows.length });
        if (db.engine === 'postgres') await db.query(`SELECT pg_notify('${JOBS_DUE_CHANNEL}', 'released')`).catch(() => undefined);
      }
      return res.rows.length;
    } catch (err) {
      log.error('could not release job claims at shutdown (they run again when their lease expires)', { workerId, error: describeError(err) });
      return 0;
    }
  }

  function track(p: Promise<void>): Promise<void> {
    const tracked = p.finally(() => {
      inFlight.delete(tracked);
      afterJob();
    });
    inFlight.add(tracked);
    return tracked;
  }

  async function pollLoop(): Promise<void> {
    while (!stopping) {
      const free = concurrency - inFlight.size;
      let claimed: Job[] = [];
      if (free > 0) {
        try {
          claimed = await claim(free);
        } catch (err) {
          log.error('claiming jobs failed; will try again', { workerId, error: describeError(err) });
        }
      }
      for (const job of claimed) void track(execute(job));
      // Every slot taken (by this claim or before it): more may be due, and a slot that frees looks at once.
      saturated = claimed.length === free;
      if (free > 0 && saturated && !stopping) continue; // more may be due right now
      if (stopping) break;
      // Poked while claiming: what was queued may have missed this claim, so look again soon
      // (after `settleMs`, so that a burst of pokes costs one more claim, not one each).
      const waitMs = poked ? settleMs : pollMs;
      poked = false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      clearTimeout(settleTimer);
      settleTimer = undefined;
    }
  }

  return {
    get running() {
      return inFlight.size;
    },

    start() {
      if (loop) return;
      stopping = false;
      log.info('job runner started', { workerId, concurrency, pollMs });
      loop = pollLoop();
      // On Postgres, another process's enqueue wakes this runner at once instead of at the next poll.
      if (db.listen) {
        db.listen(JOBS_DUE_CHANNEL, () => this.poke())
          .then((stop) => {
            if (stopping) void stop();
            else unlisten = stop;
          })
          .catch((err: Error) => log.warn('could not LISTEN for new jobs; polling only', { error: err.message }));
      }
    },

    poke() {
      if (wake) wake();
      else poked = true;
    },

    async stop({ graceMs }: { graceMs?: number } = {}) {
      stopping = true;
      clearTimeout(settleTimer);
      settleTimer = undefined;
      const stopListening = unlisten;
      unlisten = undefined;
      wake?.();
      await stopListening?.().catch(() => undefined);
      await loop;
      loop = undefined;
      let released = 0;
      if (graceMs === undefined) await Promise.allSettled([...inFlight]);
      else {
        let timer: NodeJS.Timeout | undefined;
        const finished = await Promise.race([
          Promise.allSettled([...inFlight]).then(() => true),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
        ]);
        clearTimeout(timer);
        if (!finished) {
          released = await releaseClaims();
          for (const c of controllers.values()) c.abort(new Error('worker shutting down: job released'));
          // Let the aborted handlers unwind a moment; their late results are fenced out.
          await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 1000).unref())]);
        }
      }
      log.info('job runner stopped', { workerId, released });
      return released;
    },

    async runDueOnce() {
      const ran: number[] = [];
      for (;;) {
        const batch = await claim(concurrency, ran);
        if (!batch.length) return ran.length;
        ran.push(...batch.map((j) => j.id));
        await Promise.all(batch.map((job) => track(execute(job))));
      }
    },
  };
}
