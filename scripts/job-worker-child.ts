/**
 * A job worker in its own OS process, for the two-process claim test (test/jobs/concurrency.test.ts).
 *
 * Env: JOB_CHILD_DATABASE_URL, JOB_CHILD_SCHEMA (an existing, migrated schema), JOB_CHILD_WORKER_ID.
 * Runs `test.record` jobs (each inserts a row into job_executions), prints "ready" once polling,
 * and when told "stop" on stdin (or on SIGTERM) stops gracefully and prints {"executed": n}.
 * stdin rather than a signal because `npx` does not pass SIGTERM on to the script.
 */
import { openDb } from '../src/db';
import { systemClock } from '../src/clock';
import { createJobRunner } from '../src/jobs';

async function main(): Promise<void> {
  const databaseUrl = process.env.JOB_CHILD_DATABASE_URL;
  const schema = process.env.JOB_CHILD_SCHEMA;
  const workerId = process.env.JOB_CHILD_WORKER_ID ?? `child-${process.pid}`;
  if (!databaseUrl || !schema) throw new Error('JOB_CHILD_DATABASE_URL and JOB_CHILD_SCHEMA are required');

  const db = await openDb({ databaseUrl, schema, poolSize: 5 });
  let executed = 0;
  const runner = createJobRunner({
    db,
    clock: systemClock,
    workerId,
    pollMs: 5,
    concurrency: 4,
    leaseMs: 60_000,
    handlers: {
      'test.record': async (_payload, ctx) => {
        await db.query('INSERT INTO job_executions (job_id, worker) VALUES ($1, $2)', [ctx.job.id, workerId]);
        executed++;
        await new Promise((r) => setTimeout(r, Math.random() * 4));
      },
    },
  });
  runner.start();
  process.stdout.write('ready\n');

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void runner
      .stop()
      .then(() => db.close())
      .then(() => {
        process.stdout.write(`${JSON.stringify({ executed })}\n`);
        process.exit(0);
      });
  };
  process.once('SIGTERM', stop);
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    if (chunk.includes('stop')) stop();
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`job-worker-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
