import { FakeClock } from '../../src/clock';
import type { Db } from '../../src/db';
import { createJobQueue, createJobRunner, exponentialBackoff, RetryLater, PermanentJobError, type JobHandlers, type JobRunnerOptions } from '../../src/jobs';
import { describeEachDb } from '../support/db';

const T0 = new Date('2026-03-02T15:00:00Z');
const MINUTE = 60_000;

function setup(db: Db, handlers: JobHandlers, overrides: Partial<JobRunnerOptions> = {}) {
  const clock = overrides.clock instanceof FakeClock ? overrides.clock : new FakeClock(T0);
  const queue = createJobQueue(db, clock);
  const runner = createJobRunner({
    db,
    clock,
    handlers,
    workerId: 'test-worker',
    pollMs: 10,
    concurrency: 4,
    leaseMs: 5 * MINUTE,
    backoff: exponentialBackoff({ baseMs: 1000, maxMs: 60_000, random: () => 1 }),
    ...overrides,
  });
  return { clock, queue, runner };
}

describeEachDb('job runner', (ctx) => {
  it('runs a job only once it is due by the clock', async () => {
    const seen: unknown[] = [];
    const { clock, queue, runner } = setup(ctx.db, { 'test.remind': async (p) => void seen.push(p) });
    const id = await queue.enqueue('test.remind', { shiftId: 'S1' }, { runAt: new Date(T0.getTime() + 10 * MINUTE) });

    expect(await runner.runDueOnce()).toBe(0);
    clock.advance(10 * MINUTE - 1);
    expect(await runner.runDueOnce()).toBe(0);
    clock.advance(1);
    expect(await runner.runDueOnce()).toBe(1);

    expect(seen).toEqual([{ shiftId: 'S1' }]);
    const job = await queue.get(id);
    expect(job).toMatchObject({ status: 'done', attempts: 1, lockedBy: null });
    expect(job!.finishedAt).toEqual(clock.now());
  });

  it('runs due jobs in run_at order, and jobs a handler enqueues for now in the same pass', async () => {
    const order: string[] = [];
    const { queue, runner } = setup(
      ctx.db,
      {
        'test.step': async (p: { name: string; next?: string }) => {
          order.push(p.name);
          if (p.next) await queue.enqueue('test.step', { name: p.next });
        },
      },
      { concurrency: 1 },
    );
    await queue.enqueue('test.step', { name: 'second' }, { runAt: new Date(T0.getTime() - 1000) });
    await queue.enqueue('test.step', { name: 'first', next: 'third' }, { runAt: new Date(T0.getTime() - 2000) });
    expect(await runner.runDueOnce()).toBe(3);
    expect(order).toEqual(['first', 'second', 'third']);
  });

  it('retries a failing job with exponential backoff, then succeeds', async () => {
    let calls = 0;
    const { clock, queue, runner } = setup(ctx.db, {
      'test.flaky': async () => {
        calls++;
        if (calls < 3) throw new Error(`WellSky answered 503 (call ${calls})`);
      },
    });
    const id = await queue.enqueue('test.flaky', {});

    await runner.runDueOnce();
    let job = await queue.get(id);
    expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: 'WellSky answered 503 (call 1)' });
    expect(job!.runAt.getTime() - clock.now().getTime()).toBe(1000); // base · 2^0

    clock.advance(999);
    expect(await runner.runDueOnce()).toBe(0);
    clock.advance(1);
    await runner.runDueOnce();
    job = await queue.get(id);
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    expect(job!.runAt.getTime() - clock.now().getTime()).toBe(2000); // base · 2^1

    clock.advance(2000);
    await runner.runDueOnce();
    expect(await queue.get(id)).toMatchObject({ status: 'done', attempts: 3 });
    expect(calls).toBe(3);
  });

  it('jitters the backoff between half and all of the exponential delay, capped', () => {
    const low = exponentialBackoff({ baseMs: 1000, maxMs: 10_000, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 1000, maxMs: 10_000, random: () => 1 });
    expect([low(1), high(1)]).toEqual([500, 1000]);
    expect([low(4), high(4)]).toEqual([4000, 8000]);
    expect([low(10), high(10)]).toEqual([5000, 10_000]);
  });

  it('dead-letters a job after max attempts, keeping only the scrubbed message of the last error', async () => {
    const { clock, queue, runner } = setup(ctx.db, {
      'test.broken': async () => {
        throw new Error('could not text +13035551234');
      },
    });
    const id = await queue.enqueue('test.broken', {}, { maxAttempts: 3 });
    for (let i = 0; i < 3; i++) {
      await runner.runDueOnce();
      clock.advance(MINUTE);
    }
    const job = await queue.get(id);
    expect(job).toMatchObject({ status: 'dead', attempts: 3 });
    expect(job!.lastError).toBe('could not text ***1234');
    clock.advance(60 * MINUTE);
    expect(await runner.runDueOnce()).toBe(0);
  });

  it('dead-letters at once on a PermanentJobError', async () => {
    const { queue, runner } = setup(ctx.db, {
      'test.refused': async () => {
        throw new PermanentJobError('shift S9 no longer exists');
      },
    });
    const id = await queue.enqueue('test.refused', {});
    await runner.runDueOnce();
    expect(await queue.get(id)).toMatchObject({ status: 'dead', attempts: 1, lastError: 'shift S9 no longer exists' });
  });

  it('tells whoever listens once when a job is dead-lettered, and lists it among the dead letters', async () => {
    const notices: Array<{ kind: string; error: string }> = [];
    const { queue, runner } = setup(
      ctx.db,
      { 'test.writeBack': async () => { throw new PermanentJobError('WellSky answered 422'); } },
      { onDeadLetter: async (job, error) => void notices.push({ kind: job.kind, error }) },
    );
    const id = await queue.enqueue('test.writeBack', { shiftId: 'S1' });
    await runner.runDueOnce();
    await runner.runDueOnce();
    expect(notices).toEqual([{ kind: 'test.writeBack', error: 'WellSky answered 422' }]);
    const dead = await queue.listDead();
    expect(dead.map((j) => j.id)).toEqual([id]);
    expect(dead[0].deadAt).not.toBeNull();
    expect((await queue.countByStatus()).dead).toBe(1);
  });

  it('sends a dead letter back to the queue with fresh attempts, recording who did it', async () => {
    let fail = true;
    const { queue, runner } = setup(ctx.db, {
      'test.lead': async () => {
        if (fail) throw new PermanentJobError('WellSky is down');
      },
    });
    const id = await queue.enqueue('test.lead', {}, { maxAttempts: 2 });
    await runner.runDueOnce();
    expect(await queue.get(id)).toMatchObject({ status: 'dead' });
    fail = false;
    expect(await queue.retryDead(id, 'Care Manager')).toBe(true);
    expect(await queue.retryDead(id, 'Care Manager')).toBe(false); // not dead any more
    expect(await queue.get(id)).toMatchObject({ status: 'pending', attempts: 0, retriedBy: 'Care Manager' });
    expect(await runner.runDueOnce()).toBe(1);
    expect(await queue.get(id)).toMatchObject({ status: 'done', attempts: 1 });
    expect(await queue.listDead()).toEqual([]);
  });

  it('creates a job once per dedupe key and returns the same id', async () => {
    let calls = 0;
    const { queue, runner } = setup(ctx.db, { 'test.offer': async () => void calls++ });
    const a = await queue.enqueue('test.offer', { wave: 1 }, { dedupeKey: 'campaign:7:wave:1' });
    const b = await queue.enqueue('test.offer', { wave: 1 }, { dedupeKey: 'campaign:7:wave:1' });
    expect(b).toBe(a);
    await runner.runDueOnce();
    const c = await queue.enqueue('test.offer', { wave: 1 }, { dedupeKey: 'campaign:7:wave:1' });
    expect(c).toBe(a);
    await runner.runDueOnce();
    expect(calls).toBe(1);
    const { rows } = await ctx.db.query<{ n: number | string }>('SELECT count(*) AS n FROM jobs');
    expect(Number(rows[0].n)).toBe(1);
  });

  it("enqueues inside the caller's transaction: a rollback leaves no job", async () => {
    const { queue } = setup(ctx.db, {});
    await expect(
      ctx.db.transaction(async (tx) => {
        await queue.enqueue('test.x', {}, { dedupeKey: 'k1' }, tx);
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await queue.getByDedupeKey('k1')).toBeNull();
    const id = await ctx.db.transaction((tx) => queue.enqueue('test.x', {}, { dedupeKey: 'k1' }, tx));
    expect((await queue.getByDedupeKey('k1'))!.id).toBe(id);
  });

  it('runs a job again when its worker died mid-job and the lease expired, discarding the late result', async () => {
    const clock = new FakeClock(T0);
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const runs: string[] = [];
    const first = setup(ctx.db, { 'test.slow': async () => { runs.push('A'); await stuck; } }, { clock, workerId: 'worker-A', leaseMs: MINUTE });
    const second = setup(ctx.db, { 'test.slow': async () => void runs.push('B') }, { clock, workerId: 'worker-B', leaseMs: MINUTE });
    const id = await first.queue.enqueue('test.slow', {});

    const hung = first.runner.runDueOnce();
    await waitFor(() => runs.length === 1);
    expect(await first.queue.get(id)).toMatchObject({ status: 'running', lockedBy: 'worker-A', attempts: 1 });

    expect(await second.runner.runDueOnce()).toBe(0); // lease still held
    clock.advance(MINUTE);
    expect(await second.runner.runDueOnce()).toBe(1);
    expect(await first.queue.get(id)).toMatchObject({ status: 'done', attempts: 2 });

    release(); // worker A comes back: its result must not overwrite B's
    await hung;
    expect(runs).toEqual(['A', 'B']);
    expect(await first.queue.get(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('fails a job whose final attempt lost its worker, instead of running it beyond max attempts', async () => {
    const { clock, queue, runner } = setup(ctx.db, { 'test.x': async () => undefined }, { leaseMs: MINUTE });
    const id = await queue.enqueue('test.x', {}, { maxAttempts: 1 });
    // Simulate a worker that claimed the job and died.
    await ctx.db.query(`UPDATE jobs SET status = 'running', attempts = 1, locked_by = 'dead', locked_until = $2 WHERE id = $1`, [id, clock.now().toISOString()]);
    await runner.runDueOnce();
    const job = await queue.get(id);
    expect(job).toMatchObject({ status: 'dead' });
    expect(job!.lastError).toMatch(/gave up after 1 attempts/);
  });

  it('never runs a cancelled job, by id or by dedupe key', async () => {
    let calls = 0;
    const { queue, runner } = setup(ctx.db, { 'test.x': async () => void calls++ });
    const byId = await queue.enqueue('test.x', {});
    await queue.enqueue('test.x', {}, { dedupeKey: 'escalate:42' });
    expect(await queue.cancel(byId)).toBe(true);
    expect(await queue.cancel('escalate:42')).toBe(true);
    expect(await queue.cancel('escalate:42')).toBe(false);
    expect(await queue.cancel('no-such-key')).toBe(false);
    expect(await runner.runDueOnce()).toBe(0);
    expect(calls).toBe(0);
    expect((await queue.getByDedupeKey('escalate:42'))!.status).toBe('cancelled');
  });

  it('reschedules without counting an attempt when the handler throws RetryLater or calls ctx.reschedule', async () => {
    let calls = 0;
    const { clock, queue, runner } = setup(ctx.db, {
      'test.wait': async () => {
        calls++;
        if (calls === 1) throw new RetryLater(30_000, 'WellSky asked us to wait');
      },
      'test.repeat': async (_p, jobCtx) => {
        if (jobCtx.job.attempts === 1 && calls < 5) jobCtx.reschedule(new Date(jobCtx.clock.now().getTime() + MINUTE));
        calls++;
      },
    });
    const wait = await queue.enqueue('test.wait', {}, { maxAttempts: 1 });
    await runner.runDueOnce();
    expect(await queue.get(wait)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await queue.get(wait))!.runAt).toEqual(new Date(T0.getTime() + 30_000));
    clock.advance(30_000);
    await runner.runDueOnce();
    expect(await queue.get(wait)).toMatchObject({ status: 'done', attempts: 1 });

    const repeat = await queue.enqueue('test.repeat', {});
    await runner.runDueOnce();
    expect(await queue.get(repeat)).toMatchObject({ status: 'pending', attempts: 0 });
    expect((await queue.get(repeat))!.runAt).toEqual(new Date(clock.now().getTime() + MINUTE));
  });

  it('fails a job of an unknown kind with a clear error', async () => {
    const { queue, runner } = setup(ctx.db, {});
    const id = await queue.enqueue('shiftfill.wave', {});
    await runner.runDueOnce();
    const job = await queue.get(id);
    expect(job).toMatchObject({ status: 'dead' });
    expect(job!.lastError).toBe('unknown job kind "shiftfill.wave": no handler is registered for it in this worker');
  });

  it('resumes pending jobs after a restart (a new runner on the same database)', async () => {
    const ran: number[] = [];
    const handlers: JobHandlers = { 'test.n': async (p: { n: number }) => void ran.push(p.n) };
    const before = setup(ctx.db, handlers);
    for (let n = 1; n <= 5; n++) await before.queue.enqueue('test.n', { n }, { runAt: new Date(T0.getTime() + n * MINUTE) });
    before.clock.advance(2 * MINUTE);
    await before.runner.runDueOnce();
    expect(ran).toEqual([1, 2]);
    await before.runner.stop();

    const after = setup(ctx.db, handlers, { workerId: 'restarted' });
    after.clock.set(new Date(T0.getTime() + 10 * MINUTE));
    await after.runner.runDueOnce();
    expect(ran).toEqual([1, 2, 3, 4, 5]);
  });

  it('polls once started, and stop() waits for the jobs in flight', async () => {
    let finished = 0;
    const { queue, runner } = setup(ctx.db, {
      'test.sleep': async () => {
        await new Promise((r) => setTimeout(r, 50));
        finished++;
      },
    });
    runner.start();
    for (let i = 0; i < 6; i++) await queue.enqueue('test.sleep', {});
    await waitFor(() => runner.running > 0);
    await waitFor(async () => (await queue.countByStatus()).pending === 0);
    await runner.stop();
    expect(runner.running).toBe(0);
    expect(finished).toBe(6);
    expect(await queue.countByStatus()).toMatchObject({ done: 6, running: 0 });
  });

  it('runs a job at once when poked after it was queued, instead of at the next poll', async () => {
    const ran: number[] = [];
    const { queue, runner } = setup(ctx.db, { 'test.record': async () => void ran.push(Date.now()) }, { pollMs: 60_000 });
    runner.start();
    await waitFor(async () => (await queue.countByStatus()).pending === 0); // the first poll has passed
    await new Promise((r) => setTimeout(r, 50));
    await queue.enqueue('test.record', {});
    const queuedAt = Date.now();
    runner.poke();
    try {
      await waitFor(() => ran.length === 1, 2_000);
    } finally {
      await runner.stop();
    }
    expect(ran[0] - queuedAt).toBeLessThan(1_000);
  });

  it('looks for more work once for jobs that end close together, not once per job, and still runs what they queued without waiting for the poll', async () => {
    let claims = 0;
    const counting: Db = Object.create(ctx.db, {
      query: { value: (sql: string, params?: unknown[]) => {
        if (/^\s*WITH due AS/.test(sql)) claims++;
        return ctx.db.query(sql, params);
      } },
    });
    const ran: string[] = [];
    const releases = new Map<string, () => void>();
    const { queue, runner } = setup(counting, {
      'test.batch': async (p: { name: string }) => {
        await new Promise<void>((r) => releases.set(p.name, r));
        ran.push(p.name);
      },
      'test.then': async (p: { name: string }) => {
        ran.push(p.name);
      },
      'test.chain': async (p: { name: string }) => {
        ran.push(p.name);
        await queue.enqueue('test.then', { name: `after ${p.name}` });
      },
    }, { pollMs: 60_000, concurrency: 4, settleMs: 200 });
    for (const name of ['a', 'b', 'c']) await queue.enqueue('test.batch', { name });
    runner.start();
    await waitFor(() => releases.size === 3);
    const before = claims;
    for (const name of ['a', 'b', 'c']) {
      releases.get(name)!(); // the three end one after another, close together
      await waitFor(() => ran.includes(name));
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 400));
    // One look for all three (the claim was not full, so nothing else was due), not three.
    expect(claims - before).toBe(1);

    await queue.enqueue('test.chain', { name: 'chain' });
    runner.poke();
    try {
      // The job the chain queued runs after it, though the next poll is a minute away.
      await waitFor(() => ran.includes('after chain'), 5_000);
    } finally {
      await runner.stop();
    }
    expect(ran.slice(3)).toEqual(['chain', 'after chain']);
  });
});

async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
