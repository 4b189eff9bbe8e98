/**
 * The job runner's reliability rules: a remote write retries on its own long schedule and is
 * dead-lettered when it gives up; a recurring job that fails still leaves its next run queued;
 * a stopping worker gives its claims back at once; dead letters reach staff as one text.
 */
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db';
import {
  createDeadLetterAlerts, createJobQueue, createJobRunner, PermanentJobError, recurringHandler, remoteWriteDelay, REMOTE_WRITE_ATTEMPTS, RetryLater,
  slotKey, startRecurring, type JobHandlers, type RecurringJob,
} from '../../src/jobs';
import { describeEachDb } from '../support/db';

const T0 = new Date('2026-03-03T09:10:00Z'); // 02:10 in Denver
const MINUTE = 60_000;

function setup(db: Db, handlers: JobHandlers, clock = new FakeClock(T0), workerId = 'w1', onDeadLetter?: Parameters<typeof createJobRunner>[0]['onDeadLetter']) {
  const queue = createJobQueue(db, clock);
  const runner = createJobRunner({ db, clock, handlers, workerId, pollMs: 10, leaseMs: 5 * MINUTE, onDeadLetter });
  return { clock, queue, runner };
}

describeEachDb('reliability: jobs', (ctx) => {
  it('retries a remote write on its own schedule, minutes then hours apart, and dead-letters it when the attempts run out', async () => {
    const { clock, queue, runner } = setup(ctx.db, {
      'test.write': async (_p, jctx) => {
        throw new RetryLater(remoteWriteDelay(jctx.job.attempts), 'WellSky unavailable', { countAttempt: true });
      },
    });
    const id = await queue.enqueue('test.write', {}, { maxAttempts: REMOTE_WRITE_ATTEMPTS });
    const gaps: number[] = [];
    for (let i = 0; i < REMOTE_WRITE_ATTEMPTS; i++) {
      await runner.runDueOnce();
      const job = (await queue.get(id))!;
      if (job.status === 'dead') break;
      gaps.push(job.runAt.getTime() - clock.now().getTime());
      clock.set(job.runAt);
    }
    const job = (await queue.get(id))!;
    expect(job).toMatchObject({ status: 'dead', attempts: REMOTE_WRITE_ATTEMPTS, lastError: 'WellSky unavailable' });
    expect(gaps.slice(0, 3)).toEqual([30_000, 60_000, 120_000]);
    expect(Math.max(...gaps)).toBe(2 * 60 * MINUTE);
    // It outlasts an outage of many hours, not minutes.
    expect(job.deadAt!.getTime() - T0.getTime()).toBeGreaterThan(10 * 60 * MINUTE);
  });

  it('keeps the next run of a recurring job queued when this run fails for good', async () => {
    const clock = new FakeClock(T0);
    let runs = 0;
    const queue = createJobQueue(ctx.db, clock);
    const sync: RecurringJob = {
      kind: 'test.sync', intervalMs: 15 * MINUTE, maxAttempts: 2,
      run: async () => {
        runs++;
        throw new Error('WellSky answered 503');
      },
    };
    const { runner } = setup(ctx.db, { [sync.kind]: recurringHandler(queue, clock, sync) }, clock);
    await startRecurring(queue, clock, sync);
    await runner.runDueOnce();
    clock.advance(MINUTE);
    await runner.runDueOnce();
    const dead = await queue.listDead();
    expect(dead.map((j) => j.kind)).toEqual(['test.sync']);
    const slot = Math.floor(T0.getTime() / sync.intervalMs);
    expect(await queue.getByDedupeKey(slotKey(sync.kind, slot + 1))).toMatchObject({ status: 'pending' });
    // The next slot runs on time, and queues the one after it before it fails too.
    clock.set((slot + 1) * sync.intervalMs);
    await runner.runDueOnce();
    expect(runs).toBe(3);
    expect(await queue.getByDedupeKey(slotKey(sync.kind, slot + 2))).toMatchObject({ status: 'pending' });
  });

  it('gives back the claims of a stopping worker at once, so another worker runs them without waiting out the lease', async () => {
    let release: () => void = () => undefined;
    const started: string[] = [];
    const handlers: JobHandlers = {
      'test.slow': async (_p, jctx) => {
        started.push(jctx.job.lockedBy!);
        if (jctx.job.lockedBy === 'w1') {
          await new Promise<void>((resolve) => {
            release = resolve;
            jctx.signal.addEventListener('abort', () => resolve());
          });
        }
      },
    };
    const first = setup(ctx.db, handlers, new FakeClock(T0), 'w1');
    const id = await first.queue.enqueue('test.slow', {});
    first.runner.start();
    for (let i = 0; i < 200 && !started.length; i++) await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual(['w1']);
    const released = await first.runner.stop({ graceMs: 50 });
    release();
    expect(released).toBe(1);
    expect(await first.queue.get(id)).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
    // Same clock time: no lease to wait out.
    const second = setup(ctx.db, handlers, new FakeClock(T0), 'w2');
    expect(await second.runner.runDueOnce()).toBe(1);
    expect(started).toEqual(['w1', 'w2']);
    expect(await second.queue.get(id)).toMatchObject({ status: 'done' });
  });

  it('texts the people of the matching role once for a burst of dead letters: "3 WellSky writes have failed since 02:10"', async () => {
    const clock = new FakeClock(T0);
    const queue = createJobQueue(ctx.db, clock);
    const agency = loadConfig({ NODE_ENV: 'test' }).agency;
    const sent: { to: string; body: string }[] = [];
    const alerts = createDeadLetterAlerts({
      db: ctx.db, jobs: queue, clock, agency, consoleUrl: 'https://front.example/dashboard',
      texts: { send: async (m) => void sent.push(m) },
    });
    const { runner } = setup(ctx.db, {
      ...alerts.jobHandlers,
      'shiftfill.writeBack': async () => { throw new PermanentJobError('WellSky refused'); },
      'lead.writeBack': async () => { throw new PermanentJobError('bad lead'); },
    }, clock, 'w1', (job) => alerts.onDeadLetter(job));
    for (let i = 0; i < 3; i++) await queue.enqueue('shiftfill.writeBack', { campaignId: i });
    await runner.runDueOnce();
    clock.advance(20_000);
    await queue.enqueue('lead.writeBack', { leadId: 1 });
    await runner.runDueOnce();
    expect(sent).toEqual([]); // coalescing: nothing until the minute is over
    clock.advance(60_000);
    await runner.runDueOnce();
    const scheduler = staffPhones(agency, 'scheduler');
    const intake = staffPhones(agency, 'intake');
    const name = agency.agency.shortName ?? agency.agency.name;
    expect(sent.filter((m) => scheduler.includes(m.to)).map((m) => m.body)).toContain(
      `${name}: 3 WellSky writes have failed since 02:10: open the console https://front.example/dashboard`,
    );
    expect(sent.filter((m) => intake.includes(m.to)).map((m) => m.body).join('\n')).toMatch(/1 WellSky write has failed since 02:10/);
    const bodies = sent.map((m) => `${m.to} ${m.body}`);
    expect(new Set(bodies).size).toBe(bodies.length);
    // A later failure is a new notice counting only itself (a role hears at most every 30 minutes).
    clock.advance(40 * MINUTE);
    await queue.enqueue('shiftfill.writeBack', { campaignId: 9 });
    await runner.runDueOnce();
    clock.advance(60_000);
    await runner.runDueOnce();
    expect(sent.filter((m) => scheduler.includes(m.to)).at(-1)!.body).toMatch(/: 1 WellSky write has failed since 02:51/);
  });
});

function staffPhones(agency: ReturnType<typeof loadConfig>['agency'], role: string): string[] {
  return agency.staff.filter((s) => (s.roles as string[]).includes(role)).map((s) => s.phone);
}
