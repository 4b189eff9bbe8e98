/**
 * Local first, remote after: with WellSky down, a call-out's caregiver, schedulers and on-call are
 * told at once from the local record and the campaign starts; the AdminTask, the shift opened and
 * the winner's booking are separate jobs that land once WellSky is back (and say so), or give up
 * after hours and say that instead — a dead letter texted to the schedulers.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServices, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { describeEachDb } from '../support/db';
import { aCaregiver, aClient, aShift, createFakeWellSky, type FakeWellSky } from '../support/fake-wellsky';
import { ScriptedTransport } from '../outbox/scripted-transport';

const NOW = '2026-03-02T15:00:00.000Z'; // Monday 08:00 in Denver
const SHIFT = { id: 'S1', clientId: 'C1', start: '2026-03-03T16:00:00.000Z', end: '2026-03-03T20:00:00.000Z' };
const SOON = { id: 'S2', clientId: 'C1', start: '2026-03-02T16:00:00.000Z', end: '2026-03-02T19:00:00.000Z' }; // in an hour
const CARE_MANAGER = '+13035550105'; // scheduler, first on call
const phone = (n: number) => `+1720555${String(1000 + n).slice(-4)}`;
const MINUTE = 60_000;

function agencyConfig(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agency-')), 'agency.json');
  const example = JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...example, shiftFill: { ...example.shiftFill, waveSize: 2 } }));
  return file;
}

function wellSky(): FakeWellSky {
  const cg = (id: string, n: number) => aCaregiver({ id, firstName: id, lastName: 'Test', phones: [phone(n)], mobilePhone: phone(n), address: { line: ['1 Main St'], city: 'Denver', postalCode: '80202' } });
  return createFakeWellSky({
    caregivers: [cg('caller', 1), cg('alice', 2), cg('bob', 3)],
    patients: [aClient({ id: 'C1', firstName: 'Harold', lastName: 'Fischer', phones: ['+13035550123'], address: { line: ['1307 Maple St'], city: 'Lakewood', postalCode: '80226' } })],
    shifts: [aShift({ ...SHIFT, caregiverId: 'caller' }), aShift({ ...SOON, caregiverId: 'caller' })],
  });
}

describeEachDb('reliability: local first, remote after', (ctx) => {
  let services: Services;
  let clock: FakeClock;
  let transport: ScriptedTransport;
  let ws: FakeWellSky;

  beforeEach(async () => {
    clock = new FakeClock(NOW);
    transport = new ScriptedTransport();
    ws = wellSky();
    const config = loadConfig({ NODE_ENV: 'test', WORKER: 'off', AGENCY_CONFIG: agencyConfig(), PUBLIC_BASE_URL: 'https://front.example' });
    services = await buildServices(config, { db: ctx.db, wellsky: ws, clock, transport, startWorker: false, awaitFirstSync: true });
  });
  afterEach(async () => services.close());

  const runJobs = async () => {
    for (let i = 0; i < 20; i++) if ((await services.runner.runDueOnce()) === 0) return;
  };
  const textsTo = (to: string) => transport.calls.filter((c) => c.to === to).map((c) => c.body);
  const callOut = (shift = SHIFT) =>
    services.shiftFill.recordCallOut({ key: `t:${shift.id}`, channel: 'sms', caregiverId: 'caller', callerPhone: phone(1), lang: 'en', shift, reason: 'flu' });
  /** Moves the clock in steps, running what is due at each. */
  async function pass(ms: number, step = 5 * MINUTE) {
    for (let t = 0; t < ms; t += step) {
      clock.advance(step);
      await runJobs();
    }
  }

  it('tells the caregiver and the scheduler at once while WellSky is down, then writes the AdminTask once when it is back and says so', async () => {
    ws.down = true;
    const { callOutId } = await callOut();
    await runJobs();
    expect(textsTo(phone(1)).join('\n')).toMatch(/call-out|recorded/i);
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-\d+: caller Test can't work/);
    expect((await ctx.db.query('SELECT id FROM campaigns WHERE call_out_id = $1', [callOutId])).rows).toHaveLength(1);
    expect(ws.adminTasks).toEqual([]);

    await pass(10 * MINUTE); // ten minutes of outage: nothing given up
    expect(await services.jobs.listDead({ kindPrefix: 'shiftfill.' })).toEqual([]);
    ws.down = false;
    await pass(30 * MINUTE);
    expect(ws.adminTasks.map((t) => t.description)).toEqual([expect.stringMatching(/^COVERAGE NEEDED: caller Test called out/)]);
    expect((await services.shiftFill.callOut(callOutId))!.write_back).toBe('opened');
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-\d+ is now in WellSky/);
    // The offers wave waited for WellSky instead of skipping everyone.
    expect(transport.calls.filter((c) => /open shift/i.test(c.body)).map((c) => c.to).sort()).toEqual([phone(2), phone(3)]);
  }, 60_000);

  it('alerts on-call at once for an urgent call-out while WellSky is down', async () => {
    ws.down = true;
    await callOut(SOON);
    await runJobs();
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/COVERAGE NEEDED \(starts within 2 hours\)/);
    expect(textsTo(phone(1)).length).toBe(1);
  });

  it('books a winner who claimed while WellSky was down once it is back, and texts them the details', async () => {
    await callOut();
    await runJobs();
    ws.down = true;
    expect(await services.shiftFill.interceptSms({ from: phone(2), body: 'YES' })).toMatch(/is yours/);
    await pass(10 * MINUTE);
    expect(textsTo(phone(2)).join('\n')).not.toMatch(/Maple/);
    ws.down = false;
    await pass(30 * MINUTE);
    expect(textsTo(phone(2)).at(-1)).toMatch(/the shift is yours\..*1307 Maple St/);
    const { rows } = await ctx.db.query<{ write_back: string }>('SELECT write_back FROM campaigns');
    expect(rows[0].write_back).toBe('verified');
  }, 60_000);

  it('gives up after hours, not minutes: the schedulers hear it could not be recorded, and get the dead-letter text', async () => {
    ws.down = true;
    const { callOutId } = await callOut();
    await runJobs();
    await pass(8 * 60 * MINUTE, 30 * MINUTE);
    expect(await services.jobs.listDead({ kindPrefix: 'shiftfill.' })).toEqual([]); // still trying after 8 hours
    await pass(10 * 60 * MINUTE, 30 * MINUTE);
    const dead = await services.jobs.listDead({ kindPrefix: 'shiftfill.' });
    expect(dead.map((j) => j.kind)).toContain('shiftfill.record');
    expect((await services.shiftFill.callOut(callOutId))!.write_back).toBe('failed');
    const toScheduler = textsTo(CARE_MANAGER).join('\n');
    expect(toScheduler).toMatch(/could NOT be recorded in WellSky: it did not answer for \d+ h/);
    expect(toScheduler).toMatch(/\d+ WellSky writes? (has|have) failed since (\w+ \d+ \w+ )?\d\d:\d\d: open the console https:\/\/front\.example\/dashboard/);
  }, 120_000);
});
