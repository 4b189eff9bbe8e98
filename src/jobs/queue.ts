/**
 * Scheduling durable jobs. `enqueue` takes an optional transaction so a caller can store its own
 * rows and the job that acts on them atomically (keep that transaction short).
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import type { Job, JobStatus } from './types';

export interface EnqueueOptions {
  /** When the job becomes due; default now. */
  runAt?: Date;
  /** Makes the enqueue idempotent: a second enqueue with the same key returns the first job. */
  dedupeKey?: string;
  /** Claims before the job is dead-lettered; default 10. */
  maxAttempts?: number;
}

export interface JobQueue {
  /** Returns the job id; with a `dedupeKey` that already exists, the existing job's id. */
  enqueue(kind: string, payload: unknown, opts?: EnqueueOptions, tx?: Queryable): Promise<number>;
  /** Cancels a pending (or running: its result is then discarded) job by id or dedupe key. True if one was cancelled. */
  cancel(idOrDedupeKey: number | string, tx?: Queryable): Promise<boolean>;
  /** Moves a pending job's run time (e.g. run a fallback sooner or later). True if it was pending. */
  reschedule(idOrDedupeKey: number | string, runAt: Date, tx?: Queryable): Promise<boolean>;
  get(id: number): Promise<Job | null>;
  getByDedupeKey(dedupeKey: string): Promise<Job | null>;
  /** Jobs per status, for health checks and the dashboard. */
  countByStatus(): Promise<Record<JobStatus, number>>;
  /** Dead-lettered jobs, newest first (for the console's failures page). */
  listDead(opts?: { limit?: number; kindPrefix?: string }): Promise<Job[]>;
  /**
   * Sends a dead-lettered job back to the queue, due now, with a fresh set of attempts; `by` names
   * who did it (recorded on the row). False when the job is not dead (already retried, or never died).
   */
  retryDead(id: number, by: string, tx?: Queryable): Promise<boolean>;
}

export const DEFAULT_MAX_ATTEMPTS = 10;
/** The Postgres NOTIFY channel an enqueue of a due job signals (runners LISTEN on it). */
export const JOBS_DUE_CHANNEL = 'jobs_due';

export interface JobRow {
  id: number | string;
  kind: string;
  payload: unknown;
  dedupe_key: string | null;
  run_at: Date | string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: Date | string | null;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  finished_at: Date | string | null;
  dead_at?: Date | string | null;
  retried_by?: string | null;
  retried_at?: Date | string | null;
}

// Timestamps go to the database as ISO strings: PGlite checks `instanceof Date`, which fails for
// a Date made in another realm (Jest runs tests in a vm context).
const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const toDateOrNull = (v: Date | string | null): Date | null => (v == null ? null : toDate(v));

export function jobFromRow(row: JobRow): Job {
  return {
    id: Number(row.id),
    kind: row.kind,
    payload: typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload,
    dedupeKey: row.dedupe_key,
    runAt: toDate(row.run_at),
    status: row.status,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    lockedBy: row.locked_by,
    lockedUntil: toDateOrNull(row.locked_until),
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    finishedAt: toDateOrNull(row.finished_at),
    deadAt: toDateOrNull(row.dead_at ?? null),
    retriedBy: row.retried_by ?? null,
    retriedAt: toDateOrNull(row.retried_at ?? null),
  };
}

function byIdOrKey(idOrDedupeKey: number | string): { clause: string; value: unknown } {
  if (typeof idOrDedupeKey === 'number') {
    if (!Number.isSafeInteger(idOrDedupeKey)) throw new Error(`job id must be an integer (got ${idOrDedupeKey})`);
    return { clause: 'id = $1', value: idOrDedupeKey };
  }
  return { clause: 'dedupe_key = $1', value: idOrDedupeKey };
}

/**
 * An INSERT of jobs for a caller's own statement (a data-modifying CTE), so that a row and the job
 * that acts on it are written in one statement. `select` yields the columns kind, payload (jsonb),
 * dedupe_key, run_at, max_attempts and at (created/updated). Same rules as `enqueue`: a dedupe key
 * already queued adds nothing, and with `notify` (Postgres, due now) workers elsewhere are woken
 * when the statement commits. Returns the new jobs' ids.
 */
export function insertJobsSql(select: string, notify: boolean): string {
  return `INSERT INTO jobs (kind, payload, dedupe_key, run_at, max_attempts, created_at, updated_at)
    SELECT j.kind, j.payload, j.dedupe_key, j.run_at, j.max_attempts, j.at, j.at FROM (${select}) AS j
    ON CONFLICT (dedupe_key) DO NOTHING
    RETURNING id${notify ? `, pg_notify('${JOBS_DUE_CHANNEL}', kind)::text AS notified` : ''}`;
}

export function createJobQueue(db: Db, clock: Clock): JobQueue {
  return {
    async enqueue(kind, payload, opts = {}, tx = db) {
      if (!kind) throw new Error('enqueue: a job needs a kind');
      const maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
        throw new Error(`enqueue ${kind}: maxAttempts must be a whole number of at least 1 (got ${maxAttempts})`);
      }
      const now = clock.now().toISOString();
      // Workers in other processes are woken at once (delivered when the caller's transaction commits).
      const dueNow = !opts.runAt || opts.runAt.getTime() <= clock.now().getTime() + 1000;
      const inserted = await tx.query<{ id: number | string }>(
        insertJobsSql(
          'SELECT $1::text AS kind, $2::jsonb AS payload, $3::text AS dedupe_key, $4::timestamptz AS run_at, $5::int AS max_attempts, $6::timestamptz AS at',
          dueNow && db.engine === 'postgres',
        ),
        [kind, JSON.stringify(payload ?? {}), opts.dedupeKey ?? null, opts.runAt ? opts.runAt.toISOString() : now, maxAttempts, now],
      );
      if (inserted.rows.length) return Number(inserted.rows[0].id);
      const existing = await tx.query<{ id: number | string }>('SELECT id FROM jobs WHERE dedupe_key = $1', [opts.dedupeKey]);
      if (!existing.rows.length) throw new Error(`enqueue ${kind}: dedupe key conflict but no job found (concurrently rolled back?)`);
      return Number(existing.rows[0].id);
    },

    async cancel(idOrDedupeKey, tx = db) {
      const { clause, value } = byIdOrKey(idOrDedupeKey);
      const now = clock.now().toISOString();
      const res = await tx.query(
        `UPDATE jobs SET status = 'cancelled', finished_at = $2, updated_at = $2, locked_by = NULL, locked_until = NULL
         WHERE ${clause} AND status IN ('pending', 'running')
         RETURNING id`,
        [value, now],
      );
      return res.rows.length > 0;
    },

    async reschedule(idOrDedupeKey, runAt, tx = db) {
      const { clause, value } = byIdOrKey(idOrDedupeKey);
      const res = await tx.query(
        `UPDATE jobs SET run_at = $2, updated_at = $3 WHERE ${clause} AND status = 'pending' RETURNING id`,
        [value, runAt.toISOString(), clock.now().toISOString()],
      );
      return res.rows.length > 0;
    },

    async get(id) {
      const res = await db.query<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
      return res.rows.length ? jobFromRow(res.rows[0]) : null;
    },

    async getByDedupeKey(dedupeKey) {
      const res = await db.query<JobRow>('SELECT * FROM jobs WHERE dedupe_key = $1', [dedupeKey]);
      return res.rows.length ? jobFromRow(res.rows[0]) : null;
    },

    async countByStatus() {
      const counts: Record<JobStatus, number> = { pending: 0, running: 0, done: 0, dead: 0, cancelled: 0 };
      const res = await db.query<{ status: JobStatus; n: number | string }>('SELECT status, count(*) AS n FROM jobs GROUP BY status');
      for (const r of res.rows) counts[r.status] = Number(r.n);
      return counts;
    },

    async listDead({ limit = 100, kindPrefix } = {}) {
      const res = await db.query<JobRow>(
        `SELECT * FROM jobs WHERE status = 'dead' AND ($2::text IS NULL OR kind LIKE $2 || '%')
         ORDER BY dead_at DESC NULLS LAST, id DESC LIMIT $1`,
        [limit, kindPrefix ?? null],
      );
      return res.rows.map(jobFromRow);
    },

    async retryDead(id, by, tx = db) {
      const now = clock.now().toISOString();
      const res = await tx.query(
        `UPDATE jobs SET status = 'pending', run_at = $2, attempts = 0, finished_at = NULL, locked_by = NULL, locked_until = NULL,
           retried_by = $3, retried_at = $2, updated_at = $2
         WHERE id = $1 AND status = 'dead' RETURNING id`,
        [id, now, by.slice(0, 100)],
      );
      if (res.rows.length && db.engine === 'postgres') await tx.query(`SELECT pg_notify('${JOBS_DUE_CHANNEL}', 'retry')`);
      return res.rows.length > 0;
    },
  };
}
