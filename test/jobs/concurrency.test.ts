/**
 * Two workers claiming from one Postgres database: every job runs exactly once. Postgres only
 * (PGlite has one connection and lives in one process); skipped when TEST_DATABASE_URL is unset.
 */
import { systemClock } from '../../src/clock';
import { openDb, type Db } from '../../src/db';
import { createJobQueue, createJobRunner, type JobRunner } from '../../src/jobs';
import { postgresTestDb, postgresUrl, release } from '../support/db';
import { startTestChild } from '../support/child';

const JOBS = 200;
const itOnPostgres = postgresUrl ? it : it.skip;

describe('two workers on one Postgres database', () => {
  let db: Db & { schema: string; url: string };

  beforeAll(async () => {
    if (!postgresUrl) return;
    db = await postgresTestDb();
  }, 60_000);
  afterAll(async () => {
    if (db) await release(db);
  });
  beforeEach(async () => {
    if (!db) return;
    await db.exec(`DROP TABLE IF EXISTS job_executions; TRUNCATE jobs RESTART IDENTITY;
      CREATE TABLE job_executions (id bigserial PRIMARY KEY, job_id bigint NOT NULL, worker text NOT NULL)`);
  });

  async function enqueueAll(): Promise<void> {
    const queue = createJobQueue(db, systemClock);
    for (let i = 0; i < JOBS; i++) await queue.enqueue('test.record', { i });
  }

  async function waitUntilAllDone(timeoutMs = 60_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await db.query<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE status <> 'done'`);
      if (Number(rows[0].n) === 0) return;
      if (Date.now() > until) throw new Error(`${rows[0].n} jobs still not done`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function executionsPerWorker(): Promise<{ total: number; distinct: number; byWorker: Record<string, number> }> {
    const totals = await db.query<{ total: string; distinct: string }>('SELECT count(*) AS total, count(DISTINCT job_id) AS distinct FROM job_executions');
    const byWorker = await db.query<{ worker: string; n: string }>('SELECT worker, count(*) AS n FROM job_executions GROUP BY worker');
    return {
      total: Number(totals.rows[0].total),
      distinct: Number(totals.rows[0].distinct),
      byWorker: Object.fromEntries(byWorker.rows.map((r) => [r.worker, Number(r.n)])),
    };
  }

  itOnPostgres('runs each of 200 jobs exactly once with two runners on separate pools in one process', async () => {
    const pools = [await openDb({ databaseUrl: db.url, schema: db.schema, poolSize: 5 }), await openDb({ databaseUrl: db.url, schema: db.schema, poolSize: 5 })];
    const runners: JobRunner[] = pools.map((pool, n) =>
      createJobRunner({
        db: pool,
        clock: systemClock,
        workerId: `runner-${n}`,
        pollMs: 5,
        concurrency: 4,
        leaseMs: 60_000,
        handlers: {
          'test.record': async (_p, ctx) => {
            await pool.query('INSERT INTO job_executions (job_id, worker) VALUES ($1, $2)', [ctx.job.id, `runner-${n}`]);
            await new Promise((r) => setTimeout(r, Math.random() * 4));
          },
        },
      }),
    );
    try {
      runners.forEach((r) => r.start());
      await enqueueAll();
      await waitUntilAllDone();
    } finally {
      await Promise.all(runners.map((r) => r.stop()));
      await Promise.all(pools.map((p) => p.close()));
    }
    const result = await executionsPerWorker();
    expect(result.total).toBe(JOBS);
    expect(result.distinct).toBe(JOBS);
    expect(Object.keys(result.byWorker).sort()).toEqual(['runner-0', 'runner-1']);
  }, 60_000);

  itOnPostgres('runs each of 200 jobs exactly once with two worker processes', async () => {
    const children = ['proc-A', 'proc-B'].map((workerId) => startChild(workerId, db));
    try {
      await Promise.all(children.map((c) => c.ready));
      await enqueueAll();
      await waitUntilAllDone();
      children.forEach((c) => c.proc.stdin!.write('stop\n'));
      const reports = await Promise.all(children.map((c) => c.result));
      const result = await executionsPerWorker();
      expect(result.total).toBe(JOBS);
      expect(result.distinct).toBe(JOBS);
      expect(reports.reduce((sum, r) => sum + r.executed, 0)).toBe(JOBS);
      expect(result.byWorker['proc-A']).toBeGreaterThan(0);
      expect(result.byWorker['proc-B']).toBeGreaterThan(0);
    } finally {
      for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    }
  }, 90_000);
});

function startChild(workerId: string, db: { url: string; schema: string }) {
  return startTestChild<{ executed: number }>(workerId, 'scripts/job-worker-child.ts', {
    JOB_CHILD_DATABASE_URL: db.url, JOB_CHILD_SCHEMA: db.schema, JOB_CHILD_WORKER_ID: workerId,
  });
}
