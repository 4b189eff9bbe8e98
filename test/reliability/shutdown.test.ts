/**
 * Graceful shutdown (SIGTERM): the web process stops taking connections and jobs, says it is not
 * ready, and gives back the claims of jobs still running after the grace period, so another
 * process runs them at once instead of waiting out a 5-minute lease.
 */
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createJobRunner } from '../../src/jobs';
import { startServer } from '../../src/server';
import { describeEachDb } from '../support/db';
import { createFakeWellSky } from '../support/fake-wellsky';

describeEachDb('reliability: graceful shutdown', (ctx) => {
  it('stops taking requests and jobs, and releases the job in hand so another worker takes it at once', async () => {
    const wellsky = createFakeWellSky({});
    const config = loadConfig({ NODE_ENV: 'test', WORKER: 'off' });
    const running = await startServer({ config, db: ctx.db, wellsky, port: 0, startWorker: false });
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    // A job in hand that will not finish in time (WellSky hangs).
    wellsky.latencyMs = 60_000;
    running.services.runner.start();
    const runningJobs = async () => (await ctx.db.query<{ id: string; kind: string }>(`SELECT id, kind FROM jobs WHERE status = 'running'`)).rows;
    for (let i = 0; i < 300 && !(await runningJobs()).length; i++) await new Promise((r) => setTimeout(r, 10));
    const [inHand] = await runningJobs();
    expect(inHand.kind).toBe('directory.sync');

    const before = Date.now();
    const released = await running.shutdown({ graceMs: 300 });
    expect(Date.now() - before).toBeLessThan(10_000);
    expect(released).toBeGreaterThanOrEqual(1);
    expect(await runningJobs()).toEqual([]);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();

    // Another worker, at the same moment: no lease to wait out.
    const ran: string[] = [];
    const other = createJobRunner({ db: ctx.db, clock: systemClock, workerId: 'other', handlers: { 'directory.sync': async () => void ran.push('sync') } });
    await other.runDueOnce();
    expect(ran.length).toBeGreaterThanOrEqual(1);
    const job = (await ctx.db.query<{ status: string; attempts: number }>('SELECT status, attempts FROM jobs WHERE id = $1', [inHand.id])).rows[0];
    expect(job).toEqual({ status: 'done', attempts: 1 });
  }, 30_000);
});
