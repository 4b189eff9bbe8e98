/**
 * On Postgres a job committed by one process wakes a worker in another at once (LISTEN/NOTIFY),
 * instead of at its next poll: what keeps a separate worker dyno as quick as the web process.
 */
import { systemClock } from '../../src/clock';
import { openDb, type Db } from '../../src/db';
import { createJobQueue, createJobRunner } from '../../src/jobs';
import { postgresTestDb, postgresUrl, release } from '../support/db';

const itOnPostgres = postgresUrl ? it : it.skip;

describe('waking a worker when a job is committed', () => {
  itOnPostgres('runs a job enqueued by another connection pool long before the next poll', async () => {
    const workerDb = await postgresTestDb();
    let webDb: Db | undefined;
    const ran: number[] = [];
    const runner = createJobRunner({
      db: workerDb,
      clock: systemClock,
      workerId: 'worker-1',
      pollMs: 60_000, // without a wake-up, the job would wait a minute
      handlers: { ping: async () => void ran.push(Date.now()) },
    });
    try {
      runner.start();
      await new Promise((r) => setTimeout(r, 300)); // the first poll has come and gone; LISTEN is in place
      webDb = await openDb({ databaseUrl: postgresUrl, schema: workerDb.schema, poolSize: 2 });
      const queued = Date.now();
      await createJobQueue(webDb, systemClock).enqueue('ping', {});
      for (let i = 0; i < 50 && ran.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(ran).toHaveLength(1);
      expect(ran[0] - queued).toBeLessThan(5_000);
    } finally {
      await runner.stop();
      await webDb?.close();
      await release(workerDb);
    }
  });
});
