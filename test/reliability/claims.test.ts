/**
 * A claim re-checks eligibility at the moment it decides: a caregiver cannot win two overlapping
 * shifts (not even with two YES at once), nor claim a shift that has already started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServices, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { describeEachDb } from '../support/db';
import { aCaregiver, aClient, aShift, createFakeWellSky } from '../support/fake-wellsky';
import { ScriptedTransport } from '../outbox/scripted-transport';

const NOW = '2026-03-02T15:00:00.000Z'; // Monday 08:00 in Denver
const A = { id: 'SA', clientId: 'C1', start: '2026-03-03T16:00:00.000Z', end: '2026-03-03T20:00:00.000Z' }; // Tue 9-13
const B = { id: 'SB', clientId: 'C2', start: '2026-03-03T18:00:00.000Z', end: '2026-03-03T22:00:00.000Z' }; // Tue 11-15: overlaps A
const phone = (n: number) => `+1720555${String(1000 + n).slice(-4)}`;

describeEachDb('reliability: claims re-check eligibility', (ctx) => {
  let services: Services;
  let clock: FakeClock;

  beforeEach(async () => {
    clock = new FakeClock(NOW);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agency-')), 'agency.json');
    const example = JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...example, shiftFill: { ...example.shiftFill, waveSize: 3 } }));
    const cg = (id: string, n: number) => aCaregiver({ id, firstName: id, lastName: 'Test', phones: [phone(n)], mobilePhone: phone(n) });
    const wellsky = createFakeWellSky({
      caregivers: [cg('callerA', 1), cg('callerB', 2), cg('alice', 3), cg('bob', 4)],
      patients: [aClient({ id: 'C1', firstName: 'Harold', lastName: 'Fischer' }), aClient({ id: 'C2', firstName: 'Gloria', lastName: 'Ramos' })],
      shifts: [aShift({ ...A, caregiverId: 'callerA' }), aShift({ ...B, caregiverId: 'callerB' })],
    });
    const config = loadConfig({ NODE_ENV: 'test', WORKER: 'off', AGENCY_CONFIG: file });
    services = await buildServices(config, { db: ctx.db, wellsky, clock, transport: new ScriptedTransport(), startWorker: false, awaitFirstSync: true });
  });
  afterEach(async () => services.close());

  const runJobs = async () => {
    for (let i = 0; i < 20; i++) if ((await services.runner.runDueOnce()) === 0) return;
  };
  async function twoCallOuts() {
    await services.shiftFill.recordCallOut({ key: 'a', channel: 'sms', caregiverId: 'callerA', callerPhone: phone(1), lang: 'en', shift: A });
    await services.shiftFill.recordCallOut({ key: 'b', channel: 'sms', caregiverId: 'callerB', callerPhone: phone(2), lang: 'en', shift: B });
    await runJobs();
    const { rows } = await ctx.db.query<{ shift_id: string; claim_code: string }>('SELECT shift_id, claim_code FROM campaigns ORDER BY id');
    return { codeA: rows.find((r) => r.shift_id === 'SA')!.claim_code, codeB: rows.find((r) => r.shift_id === 'SB')!.claim_code };
  }
  const winners = async () => (await ctx.db.query<{ shift_id: string; winner_caregiver_id: string | null }>('SELECT shift_id, winner_caregiver_id FROM campaigns ORDER BY shift_id')).rows;

  it('does not give a caregiver a second shift that overlaps one they already took', async () => {
    const { codeA, codeB } = await twoCallOuts();
    expect(await services.shiftFill.interceptSms({ from: phone(3), body: `YES ${codeA}` })).toMatch(/is yours/);
    expect(await services.shiftFill.interceptSms({ from: phone(3), body: `YES ${codeB}` })).toMatch(new RegExp(`you already have shift ${codeA} at that time`));
    // Someone else still can.
    expect(await services.shiftFill.interceptSms({ from: phone(4), body: `YES ${codeB}` })).toMatch(/is yours/);
    expect(await winners()).toEqual([{ shift_id: 'SA', winner_caregiver_id: 'alice' }, { shift_id: 'SB', winner_caregiver_id: 'bob' }]);
  });

  it('lets only one of two simultaneous YES to overlapping shifts win', async () => {
    const { codeA, codeB } = await twoCallOuts();
    const replies = await Promise.all([
      services.shiftFill.interceptSms({ from: phone(3), body: `YES ${codeA}` }),
      services.shiftFill.interceptSms({ from: phone(3), body: `YES ${codeB}` }),
    ]);
    expect(replies.filter((r) => /is yours/.test(r ?? ''))).toHaveLength(1);
    expect((await winners()).filter((w) => w.winner_caregiver_id === 'alice')).toHaveLength(1);
  });

  it('refuses a claim once the shift has started', async () => {
    const { codeA } = await twoCallOuts();
    clock.set('2026-03-03T16:05:00.000Z');
    expect(await services.shiftFill.interceptSms({ from: phone(3), body: `YES ${codeA}` })).toMatch(/has already started/);
    expect((await winners()).every((w) => w.winner_caregiver_id === null)).toBe(true);
  });
});
