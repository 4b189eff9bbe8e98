/**
 * Fifty caregivers say YES to the same open shift at the same instant, their replies handled by
 * two OS processes on one Postgres database: exactly one of them gets the shift, it is written
 * back to WellSky once, and every other one hears it is filled. Postgres only (PGlite lives in one
 * process; campaign.test.ts covers 50 at once within a process on both engines); skipped when
 * TEST_DATABASE_URL is unset.
 */
import { buildServices, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db';
import { postgresTestDb, postgresUrl, release } from '../support/db';
import { startTestChild } from '../support/child';
import type { ChildProcess } from 'node:child_process';
import { aCaregiver, aClient, aShift, createFakeWellSky, type FakeWellSky } from '../support/fake-wellsky';
import { ScriptedTransport } from '../outbox/scripted-transport';

const itOnPostgres = postgresUrl ? it : it.skip;

const NOW = '2026-03-02T15:00:00.000Z'; // Monday 08:00 in Denver
const SHIFT = { id: 'S1', clientId: 'C1', start: '2026-03-03T16:00:00.000Z', end: '2026-03-03T20:00:00.000Z' };
const CLAIMANTS = 50;
const phone = (n: number) => `+1720555${String(1000 + n).slice(-4)}`;

function agencyWellSky(): FakeWellSky {
  return createFakeWellSky({
    caregivers: Array.from({ length: CLAIMANTS + 1 }, (_, n) =>
      aCaregiver({ id: n === 0 ? 'caller' : `cg${n}`, firstName: `Carer${n}`, lastName: 'Test', phones: [phone(n)], mobilePhone: phone(n) }),
    ),
    patients: [aClient({ id: 'C1', firstName: 'Harold', lastName: 'Fischer', address: { line: ['1307 Maple St'], city: 'Lakewood', postalCode: '80226' } })],
    shifts: [aShift({ ...SHIFT, caregiverId: 'caller' })],
  });
}

describe('fifty simultaneous YES replies handled by two processes on one Postgres database', () => {
  let db: Db & { schema: string; url: string };
  let services: Services | undefined;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (postgresUrl) db = await postgresTestDb();
  }, 60_000);
  afterAll(async () => {
    for (const proc of children) if (proc.exitCode === null) proc.kill('SIGKILL');
    await services?.close();
    if (db) await release(db);
  });

  itOnPostgres('gives the shift to exactly one caregiver, books it once, and tells the other 49 it is filled', async () => {
    const clock = new FakeClock(NOW);
    const wellsky = agencyWellSky();
    const transport = new ScriptedTransport();
    const config = loadConfig({ NODE_ENV: 'test', WORKER: 'off' });
    config.agency.shiftFill = { ...config.agency.shiftFill, waveSize: 60, writeBack: true };
    services = await buildServices(config, { db, wellsky, clock, transport, startWorker: false, awaitFirstSync: true });
    const runJobs = async () => {
      for (let i = 0; i < 20; i++) if ((await services!.runner.runDueOnce()) === 0) return;
    };

    const { callOutId } = await services.shiftFill.recordCallOut({
      key: 'two-processes', channel: 'sms', caregiverId: 'caller', callerPhone: phone(0), lang: 'en', shift: SHIFT, reason: 'flu',
    });
    await runJobs();
    const campaign = (await db.query<{ id: string; claim_code: string }>('SELECT id, claim_code FROM campaigns WHERE call_out_id = $1', [callOutId])).rows[0];
    const offered = transport.calls.filter((c) => /open shift/.test(c.body)).map((c) => c.to);
    expect(offered).toHaveLength(CLAIMANTS);
    const assignsBefore = wellsky.log.filter((c) => c.method === 'assignShift').length; // the shift opened at the call-out

    const halves = [offered.slice(0, CLAIMANTS / 2), offered.slice(CLAIMANTS / 2)];
    const procs = halves.map((phones, i) => startClaimChild(`proc-${i}`, db, phones));
    children.push(...procs.map((p) => p.proc));
    await Promise.all(procs.map((p) => p.ready));
    const at = Date.now() + 500;
    for (const p of procs) p.proc.stdin!.write(`go ${campaign.claim_code} ${at}\n`);
    const replies = (await Promise.all(procs.map((p) => p.result))).flatMap((r) => r.replies);

    expect(replies).toHaveLength(CLAIMANTS);
    const winners = replies.filter((r) => /is yours/.test(r.reply ?? ''));
    expect(winners).toHaveLength(1);
    expect(replies.filter((r) => /already been filled/.test(r.reply ?? '')).map((r) => r.from).sort()).toEqual(offered.filter((p) => p !== winners[0].from).sort());

    const rows = await db.query<{ status: string; winner_phone: string; winner_caregiver_id: string }>('SELECT status, winner_phone, winner_caregiver_id FROM campaigns WHERE id = $1', [campaign.id]);
    expect(rows.rows).toEqual([expect.objectContaining({ status: 'filled', winner_phone: winners[0].from })]);
    const offers = await db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM offers WHERE campaign_id = $1 GROUP BY status', [campaign.id]);
    expect(Object.fromEntries(offers.rows.map((r) => [r.status, Number(r.n)]))).toEqual({ claimed: 1, too_late: CLAIMANTS - 1 });
    const writeBacks = await db.query(`SELECT id FROM jobs WHERE kind = 'shiftfill.writeBack'`);
    expect(writeBacks.rows).toHaveLength(1);

    // The worker books the one winner in WellSky, and only they get the client's details.
    await runJobs();
    const winnerId = rows.rows[0].winner_caregiver_id;
    expect(wellsky.log.filter((c) => c.method === 'assignShift').slice(assignsBefore).map((c) => c.args)).toEqual([['S1', winnerId]]);
    expect(wellsky.shifts.find((s) => s.id === 'S1')!.caregiverId).toBe(winnerId);
    const detailed = transport.calls.filter((c) => offered.includes(c.to) && /Harold Fischer|Maple/.test(c.body)).map((c) => c.to);
    expect(detailed).toEqual([winners[0].from]);
  }, 90_000);
});

function startClaimChild(name: string, db: { url: string; schema: string }, phones: string[]) {
  return startTestChild<{ replies: { from: string; reply: string | null }[] }>(name, 'scripts/claim-child.ts', {
    CLAIM_CHILD_DATABASE_URL: db.url, CLAIM_CHILD_SCHEMA: db.schema, CLAIM_CHILD_NOW: NOW, CLAIM_CHILD_PHONES: phones.join(','),
  });
}
