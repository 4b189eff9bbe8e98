/**
 * Shift-fill campaigns on an in-memory WellSky whose answers are known: who is offered the shift
 * and in what order, when waves go out, what an offer says, who wins when everyone says YES at
 * once, what happens when WellSky refuses the booking, escalation, restarts, and take-backs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildServices, type Services } from '../../src/app';
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import type { Db } from '../../src/db';
import { describeEachDb } from '../support/db';
import { aCaregiver, aClient, aContact, aShift, createFakeWellSky, type FakeWellSky } from '../support/fake-wellsky';
import { ScriptedTransport } from '../outbox/scripted-transport';
import { textsOfCampaign } from '../../src/shiftfill/store';

const NOW = '2026-03-02T15:00:00.000Z'; // Monday 08:00 in Denver
const SHIFT = { id: 'S1', clientId: 'C1', start: '2026-03-03T16:00:00.000Z', end: '2026-03-03T20:00:00.000Z' }; // Tue 09:00–13:00
const CARE_MANAGER = '+13035550105';
const OWNER = '+13035550101';
const phone = (n: number) => `+1720555${String(1000 + n).slice(-4)}`;

function agencyConfig(shiftFill: Record<string, unknown>): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agency-')), 'agency.json');
  const example = JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8'));
  fs.writeFileSync(file, JSON.stringify({ ...example, shiftFill: { ...example.shiftFill, ...shiftFill } }));
  return file;
}

/** The agency: the caller, six caregivers who may take the shift, and six who may not. */
function agencyWellSky(extra = 0, sharedPhone = false): FakeWellSky {
  const lastWeek = aShift({ id: 'H1', clientId: 'C1', caregiverId: 'regular', start: '2026-02-24T16:00:00Z', end: '2026-02-24T20:00:00Z', status: 'COMPLETED' });
  const cg = (id: string, n: number, over: Partial<Parameters<typeof aCaregiver>[0]> = {}) =>
    aCaregiver({ id, firstName: id, lastName: 'Test', phones: [phone(n)], mobilePhone: phone(n), address: { line: ['1 Main St'], city: 'Denver', postalCode: '80202' }, ...over });
  const lakewood = { line: ['2 Elm St'], city: 'Lakewood', postalCode: '80226' };
  return createFakeWellSky({
    caregivers: [
      cg('caller', 1, { address: lakewood }),
      cg('regular', 2, { address: lakewood }), // worked for C1, same city
      cg('sameCity', 3, { address: lakewood }),
      cg('skilled', 4, { tagIds: ['41'] }),
      cg('spanish', 5, { languages: ['spanish', 'english'], preferredLanguage: 'es' }),
      cg('busyWeek', 6), // 20 h this week: fewer hours wins among equals
      cg('plain', 7),
      cg('overlap', 8),
      cg('overHours', 9),
      cg('inactive', 10, { active: false }),
      cg('applicant', 11, { hired: false, status: 10 }),
      cg('optedOut', 12),
      ...Array.from({ length: extra }, (_, i) => cg(`extra${i}`, 20 + i)),
      // A married couple who both work for the agency and give the one home number.
      ...(sharedPhone ? [cg('spouse', 2, { address: lakewood })] : []),
    ],
    patients: [aClient({ id: 'C1', firstName: 'Harold', lastName: 'Fischer', phones: ['+13035550123'], address: { line: ['1307 Maple St'], city: 'Lakewood', postalCode: '80226' }, tagIds: ['41'] })],
    contacts: [aContact({ id: 'K1', clientId: 'C1', firstName: 'Linda', lastName: 'Fischer', phones: ['+19705550131'], primaryContact: true })],
    profileTags: [{ id: '41', name: 'Hoyer Lift', type: 'skill' }],
    shifts: [
      aShift({ ...SHIFT, caregiverId: 'caller', scheduledItems: [{ id: 'i1', name: 'Meal Preparation' }] }),
      lastWeek,
      aShift({ id: 'B1', clientId: 'C9', caregiverId: 'busyWeek', start: '2026-03-04T14:00:00Z', end: '2026-03-05T10:00:00Z' }),
      aShift({ id: 'O1', clientId: 'C9', caregiverId: 'overlap', start: '2026-03-03T18:00:00Z', end: '2026-03-03T22:00:00Z' }),
      aShift({ id: 'W1', clientId: 'C9', caregiverId: 'overHours', start: '2026-03-04T00:00:00Z', end: '2026-03-05T14:00:00Z' }),
    ],
  });
}

describeEachDb('shift-fill campaigns', (ctx) => {
  let services: Services | undefined;
  let clock: FakeClock;
  let transport: ScriptedTransport;
  let wellsky: FakeWellSky;

  async function start(opts: { shiftFill?: Record<string, unknown>; extra?: number; db?: Db; keepWellSky?: boolean; sharedPhone?: boolean } = {}) {
    clock = clock ?? new FakeClock(NOW);
    transport = new ScriptedTransport();
    if (!opts.keepWellSky) wellsky = agencyWellSky(opts.extra, opts.sharedPhone);
    const config = loadConfig({ NODE_ENV: 'test', WORKER: 'off', AGENCY_CONFIG: agencyConfig({ waveSize: 2, ...opts.shiftFill }) });
    services = await buildServices(config, { db: opts.db ?? ctx.db, wellsky, clock, transport, startWorker: false, awaitFirstSync: true });
    return services;
  }

  async function runJobs(s = services!) {
    for (let i = 0; i < 20; i++) if ((await s.runner.runDueOnce()) === 0) return;
  }

  async function callOut(s = services!) {
    const { callOutId } = await s.shiftFill.recordCallOut({
      key: `test:${Math.random()}`, channel: 'voice', caregiverId: 'caller', callerPhone: phone(1), lang: 'en', shift: SHIFT, reason: 'flu',
    });
    await runJobs(s);
    const { rows } = await ctx.db.query<{ id: string }>('SELECT id FROM campaigns WHERE call_out_id = $1', [callOutId]);
    return { callOutId, campaignId: Number(rows[0].id) };
  }

  const offersTo = () => transport.calls.filter((c) => /open shift|turno disponible/.test(c.body)).map((c) => c.to);
  const textsTo = (to: string) => transport.calls.filter((c) => c.to === to).map((c) => c.body);

  beforeEach(() => {
    clock = new FakeClock(NOW);
  });
  afterEach(async () => {
    await services?.close();
    services = undefined;
  });

  it('offers the shift first to the client\'s regular caregiver, then by area, and never to the ineligible', async () => {
    await start();
    await services!.optOuts.recordInbound(phone(12), 'STOP');
    const { campaignId } = await callOut();
    // In rank order as offered (the texts of one wave may reach Twilio in any order).
    const offeredInOrder = async () =>
      (await ctx.db.query<{ phone: string }>('SELECT phone FROM offers WHERE campaign_id = $1 ORDER BY wave, id', [campaignId])).rows.map((r) => r.phone);
    expect(await offeredInOrder()).toEqual([phone(2), phone(3)]); // wave 1: regular, then same city
    expect(offersTo().sort()).toEqual([phone(2), phone(3)]);
    for (let i = 0; i < 4; i++) {
      clock.advance(600_000);
      await runJobs();
    }
    // Then the needed skill; among equals fewer hours this week first (20 h "busyWeek" goes last).
    expect(await offeredInOrder()).toEqual([phone(2), phone(3), phone(4), phone(7), phone(5), phone(6)]);
    expect(offersTo().sort()).toEqual([phone(2), phone(3), phone(4), phone(5), phone(6), phone(7)]);
    const { rows } = await ctx.db.query<{ caregiver_id: string; eligibility: string; worked_for_client: boolean; same_area: boolean; skills_matched: number; hours_this_week: string | null }>(
      'SELECT caregiver_id, eligibility, worked_for_client, same_area, skills_matched, hours_this_week FROM campaign_candidates WHERE campaign_id = $1', [campaignId],
    );
    const by = Object.fromEntries(rows.map((r) => [r.caregiver_id, r]));
    expect(by.caller.eligibility).toBe('caller');
    expect(by.optedOut.eligibility).toBe('opted_out');
    expect(by.inactive.eligibility).toBe('inactive');
    expect(by.applicant.eligibility).toBe('applicant');
    expect(by.overlap.eligibility).toBe('overlap');
    expect(by.overHours.eligibility).toBe('over_hours');
    expect(by.regular).toMatchObject({ worked_for_client: true, same_area: true });
    expect(by.skilled.skills_matched).toBe(1);
    expect(Number(by.busyWeek.hours_this_week)).toBe(20);
  });

  it('texts one offer to a phone two caregivers share, and the YES from it books the one offered', async () => {
    await start({ sharedPhone: true });
    const { campaignId } = await callOut();
    for (let i = 0; i < 4; i++) {
      clock.advance(600_000);
      await runJobs();
    }
    // The household's number got the offer once, in every wave together.
    expect(offersTo().filter((to) => to === phone(2))).toHaveLength(1);
    const { rows } = await ctx.db.query<{ caregiver_id: string; eligibility: string }>(
      `SELECT caregiver_id, eligibility FROM campaign_candidates WHERE campaign_id = $1 AND caregiver_id IN ('regular', 'spouse')`, [campaignId],
    );
    expect(Object.fromEntries(rows.map((r) => [r.caregiver_id, r.eligibility]))).toEqual({ regular: 'eligible', spouse: 'shared_phone' });
    const code = (await ctx.db.query<{ claim_code: string }>('SELECT claim_code FROM campaigns WHERE id = $1', [campaignId])).rows[0].claim_code;
    await services!.shiftFill.claimByPhone({ phone: phone(2), code });
    const won = (await ctx.db.query<{ winner_caregiver_id: string }>('SELECT winner_caregiver_id FROM campaigns WHERE id = $1', [campaignId])).rows[0];
    expect(won.winner_caregiver_id).toBe('regular');
  });

  it('sends a wave every waveIntervalSeconds and nothing in between', async () => {
    await start();
    await callOut();
    expect(offersTo()).toHaveLength(2);
    clock.advance(599_000);
    await runJobs();
    expect(offersTo()).toHaveLength(2);
    clock.advance(1_000);
    await runJobs();
    expect(offersTo()).toHaveLength(4);
    expect(new Set(offersTo()).size).toBe(4);
  });

  it('texts an offer with no client name, address or condition, under 160 characters, in Spanish for Spanish speakers', async () => {
    await start({ shiftFill: { waveSize: 10 } });
    await callOut();
    const offers = transport.calls.filter((c) => /open shift|turno disponible/.test(c.body));
    for (const o of offers) {
      // The first offer a caregiver ever gets adds how to opt out; the offer itself fits one text.
      expect(o.body.replace(/ (Reply STOP to opt out|Responda STOP para no recibir mas mensajes)\.$/, '').length).toBeLessThan(160);
      expect(o.body).not.toMatch(/Harold|Fischer|Maple|1307|Meal/);
      expect(o.body).toMatch(/(YES|SI) \d{4}/);
      expect(o.body).toMatch(/Lakewood 80226/);
      expect(o.body).toMatch(/Hoyer Lift/);
    }
    expect(offers.find((o) => o.to === phone(5))!.body).toMatch(/^Colorado CareAssist: turno disponible mar 3 mar 9:00-13:00 \(4h\)/);
    expect(offers.find((o) => o.to === phone(2))!.body).toMatch(/open shift Tue Mar 3 9am-1pm \(4h\)/);
  });

  it('offers from the client record under the PHI budget: a checked area, skill tags only; the winner alone gets the address', async () => {
    wellsky = agencyWellSky();
    // An address typed into the city field, a condition tag, a tag of a type nobody declared a skill, and a family contact on file.
    Object.assign(wellsky.patients.find((p) => p.id === 'C1')!, {
      address: { line: ['1420 Elm St Apt 3'], city: '1420 Elm St Apt 3, Lakewood', postalCode: '80226' }, tagIds: ['41', '42', '61'],
    });
    wellsky.profileTags.push({ id: '42', name: 'Dementia Care', type: 'condition' }, { id: '61', name: 'Fall Risk', type: 'alert' });
    await start({ shiftFill: { waveSize: 10 }, keepWellSky: true });
    const { campaignId } = await callOut();
    const offers = transport.calls.filter((c) => /open shift|turno disponible/.test(c.body));
    expect(offers.length).toBeGreaterThanOrEqual(5);
    for (const o of offers) {
      expect(o.body).not.toMatch(/Elm|1420|Apt|Lakewood|Dementia|Fall Risk|Harold|Fischer|Linda|555/);
      expect(o.body).toMatch(/\(4h\), 80226\. (Needs|Requiere): Hoyer Lift\./);
    }
    const code = (await services!.shiftFill.campaign(campaignId))!.claim_code;
    await services!.shiftFill.interceptSms({ from: phone(2), body: `yes ${code}` });
    await runJobs();
    expect(textsTo(phone(2)).at(-1)).toMatch(/the shift is yours\. Tue Mar 3 9am-1pm with Harold Fischer, 1420 Elm St Apt 3, /);

    // What each recipient saw, from the outbox rows: every offer as broadcast, the details as assigned, and so on.
    const seen = await textsOfCampaign(ctx.db, campaignId);
    const byAudience = (a: string) => seen.filter((t) => t.audience === a);
    expect(byAudience('broadcast').map((t) => [t.to, t.body]).sort()).toEqual(offers.map((o) => [o.to, o.body]).sort());
    expect(byAudience('assigned').map((t) => t.to)).toEqual([phone(2)]);
    expect(byAudience('family').map((t) => t.to)).toEqual(['+19705550131']);
    expect(byAudience('caller').map((t) => t.to)).toEqual([phone(1)]); // the call-out's confirmation
    expect(byAudience('staff').map((t) => t.purpose)).toEqual(expect.arrayContaining(['staff_alert']));
    expect(seen.every((t) => t.status !== 'refused_privacy')).toBe(true);
  });

  it("texts offers in the caregiver's language, with how to opt out on their first offer only", async () => {
    await start({ shiftFill: { waveSize: 10 } });
    await callOut();
    expect(textsTo(phone(5)).find((b) => /turno disponible/.test(b))).toMatch(/^Colorado CareAssist: turno disponible mar 3 mar 9:00-13:00 \(4h\), Lakewood 80226\. Requiere: Hoyer Lift\. Responda SI \d{4} para tomarlo\. Responda STOP para no recibir mas mensajes\.$/);
    expect(textsTo(phone(2)).find((b) => /open shift/.test(b))).toMatch(/Reply YES \d{4} to take it\. Reply STOP to opt out\.$/);

    // A second call-out: the same caregivers are offered again, without the opt-out line.
    const S2 = { id: 'S2', clientId: 'C1', start: '2026-03-05T16:00:00.000Z', end: '2026-03-05T20:00:00.000Z' };
    wellsky.shifts.push(aShift({ ...S2, caregiverId: 'caller' }));
    await services!.shiftFill.recordCallOut({ key: 'test:second', channel: 'sms', caregiverId: 'caller', callerPhone: phone(1), lang: 'en', shift: S2, reason: 'family emergency' });
    await runJobs();
    const spanish = textsTo(phone(5)).filter((b) => /turno disponible/.test(b));
    const english = textsTo(phone(2)).filter((b) => /open shift/.test(b));
    expect(spanish).toHaveLength(2);
    expect(english).toHaveLength(2);
    expect(spanish[1]).toMatch(/^Colorado CareAssist: turno disponible jue 5 mar 9:00-13:00 .*Responda SI \d{4} para tomarlo\.$/);
    expect(english[1]).toMatch(/open shift Thu Mar 5 9am-1pm .*Reply YES \d{4} to take it\.$/);
    expect([...spanish, ...english].filter((b) => /STOP/.test(b))).toHaveLength(2);
  });

  it('gives the shift to exactly one of 50 caregivers who all say YES at the same instant', async () => {
    await start({ shiftFill: { waveSize: 60 }, extra: 45 });
    const { campaignId } = await callOut();
    const offered = offersTo();
    expect(offered.length).toBeGreaterThanOrEqual(50);
    const code = (await services!.shiftFill.campaign(campaignId))!.claim_code;
    const replies = await Promise.all(offered.slice(0, 50).map((from) => services!.shiftFill.interceptSms({ from, body: `yes ${code}` })));
    expect(replies.filter((r) => /is yours/.test(r ?? ''))).toHaveLength(1);
    expect(replies.filter((r) => /already been filled|ya fue cubierto/.test(r ?? ''))).toHaveLength(49);
    const { rows } = await ctx.db.query<{ status: string; n: string }>('SELECT status, count(*) AS n FROM offers WHERE campaign_id = $1 GROUP BY status', [campaignId]);
    expect(Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]))).toMatchObject({ claimed: 1, too_late: 49 });
  });

  it('books the winner in WellSky, reads it back, then sends them the details and tells the family', async () => {
    await start();
    const { campaignId } = await callOut();
    const code = (await services!.shiftFill.campaign(campaignId))!.claim_code;
    expect(wellsky.shifts.find((s) => s.id === 'S1')!.caregiverId).toBeUndefined(); // opened at the call-out
    expect(await services!.shiftFill.interceptSms({ from: phone(3), body: 'YES' })).toMatch(/is yours/);
    expect(await services!.shiftFill.interceptSms({ from: phone(2), body: `Yes ${code}` })).toMatch(/already been filled/);
    await runJobs();
    expect(wellsky.shifts.find((s) => s.id === 'S1')!.caregiverId).toBe('sameCity');
    expect(wellsky.calls.getShift).toBeGreaterThan(0);
    expect(textsTo(phone(3)).at(-1)).toMatch(/the shift is yours\. Tue Mar 3 9am-1pm with Harold Fischer, 1307 Maple St, Lakewood, 80226\. Tasks: Meal Preparation/);
    expect(textsTo('+19705550131').at(-1)).toMatch(/Harold's visit Tue Mar 3 9am-1pm will be covered by sameCity/);
    const c = (await services!.shiftFill.campaign(campaignId))!;
    expect(c).toMatchObject({ status: 'filled', winner_caregiver_id: 'sameCity', write_back: 'verified' });
    expect(Date.parse(c.first_offer_at!)).toBeLessThanOrEqual(Date.parse(c.filled_at!));
  });

  it('when WellSky refuses the booking: an AdminTask, on-call texted, and the winner told the office will confirm', async () => {
    await start();
    wellsky.writesForbidden = true;
    const { callOutId } = await callOut();
    expect((await services!.shiftFill.callOut(callOutId))!.write_back).toBe('refused');
    await services!.shiftFill.interceptSms({ from: phone(2), body: 'yes' });
    await runJobs();
    expect(wellsky.adminTasks.map((t) => t.description)).toEqual([expect.stringMatching(/^COVERAGE NEEDED/), expect.stringMatching(/^ASSIGN SHIFT: regular Test/)]);
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/PLEASE ASSIGN: regular Test/);
    expect(textsTo(phone(2)).at(-1)).toMatch(/the office will confirm/i);
    expect(textsTo(phone(2)).join('\n')).not.toMatch(/Maple|Harold/);
  });

  it('escalates down the on-call chain one person at a time until one replies OK', async () => {
    await start({ shiftFill: { escalateAfterSeconds: 1800, escalationStepSeconds: 300 } });
    const { campaignId } = await callOut();
    const alerts = () => transport.calls.filter((c) => /COVERAGE NEEDED/.test(c.body)).map((c) => c.to);
    clock.advance(1_799_000);
    await runJobs();
    expect(alerts()).toEqual([]);
    clock.advance(1_000);
    await runJobs();
    expect(alerts()).toEqual([CARE_MANAGER]);
    clock.advance(300_000);
    await runJobs();
    expect(alerts()).toEqual([CARE_MANAGER, OWNER]);
    expect(await services!.shiftFill.interceptSms({ from: OWNER, body: 'OK' })).toMatch(/you have shift/);
    clock.advance(900_000);
    await runJobs();
    expect(alerts()).toEqual([CARE_MANAGER, OWNER]);
    const { rows } = await ctx.db.query<{ staff_phone: string }>('SELECT staff_phone FROM escalations WHERE campaign_id = $1 ORDER BY step', [campaignId]);
    expect(rows.map((r) => r.staff_phone)).toEqual([CARE_MANAGER, OWNER]);
  });

  it('resumes after a restart mid-campaign without sending any offer or alert twice', async () => {
    await start({ shiftFill: { escalateAfterSeconds: 600, escalationStepSeconds: 300 } });
    const first = transport;
    await callOut();
    clock.advance(600_000);
    // The worker dies while the wave-2 and escalation jobs run: their texts are written, the jobs never finish.
    first.answer(...Array.from({ length: 10 }, () => new Error('socket hang up') as never));
    await runJobs();
    await ctx.db.query(`UPDATE jobs SET status = 'running', locked_until = $1 WHERE kind LIKE 'shiftfill.%' AND status = 'done'`, [new Date(clock.now().getTime() - 1).toISOString()]);
    await services!.close();
    services = undefined;
    // A new process on the same database.
    await start({ keepWellSky: true, shiftFill: { escalateAfterSeconds: 600, escalationStepSeconds: 300 } });
    clock.advance(60_000);
    await runJobs();
    clock.advance(600_000);
    await runJobs();
    const delivered = [...first.calls, ...transport.calls].filter((c) => /open shift|turno/.test(c.body));
    const keyed = await ctx.db.query<{ idempotency_key: string; to_phone: string }>(`SELECT idempotency_key, to_phone FROM outbound_messages WHERE purpose IN ('offer', 'escalation')`);
    const offerPhones = keyed.rows.filter((r) => r.idempotency_key.startsWith('offer:')).map((r) => r.to_phone);
    expect(new Set(offerPhones).size).toBe(offerPhones.length);
    expect(offerPhones.length).toBeGreaterThanOrEqual(6);
    // Texts that reached the transport: each offer once (the failed attempts never left), each escalation step once.
    const accepted = transport.calls.filter((c) => /open shift|turno/.test(c.body)).map((c) => c.to);
    expect(new Set(accepted).size).toBe(accepted.length);
    const steps = await ctx.db.query<{ step: number }>('SELECT step FROM escalations ORDER BY step');
    expect(steps.rows.map((r) => Number(r.step))).toEqual([0, 1]);
    expect(transport.calls.filter((c) => /COVERAGE NEEDED/.test(c.body)).map((c) => c.to)).toEqual([OWNER]);
    expect(delivered.length).toBeGreaterThan(0);
  });

  it('prompts on-call to call the family when nobody has taken the shift 2 hours before it starts', async () => {
    await start({ shiftFill: { escalateAfterSeconds: 86_400 } });
    await callOut();
    const prompt = () => transport.calls.filter((c) => /NO REPLACEMENT YET/.test(c.body));
    expect(prompt()).toEqual([]);
    clock.set(new Date(new Date(SHIFT.start).getTime() - 2 * 3_600_000 + 60_000));
    await runJobs();
    expect(prompt().length).toBeGreaterThan(0);
    expect(prompt()[0].body).toMatch(/Please call the family/);
    expect(prompt()[0].body).toContain('Harold');
    // Once only, however often the worker runs.
    clock.advance(600_000);
    const before = prompt().length;
    await runJobs();
    expect(prompt().length).toBe(before);
  });

  it('lets the caregiver take their call-out back before anyone claims it, and puts them back on the shift', async () => {
    await start();
    const { campaignId } = await callOut();
    const result = await services!.shiftFill.cancelCallOut({ caregiverId: 'caller' });
    expect(result.outcome).toBe('cancelled');
    await runJobs();
    expect(wellsky.shifts.find((s) => s.id === 'S1')!.caregiverId).toBe('caller');
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/TAKEN BACK/);
    expect(await services!.shiftFill.interceptSms({ from: phone(2), body: 'YES' })).toBeUndefined();
    const code = (await services!.shiftFill.campaign(campaignId))!.claim_code;
    expect(await services!.shiftFill.interceptSms({ from: phone(2), body: `YES ${code}` })).toMatch(/is no longer needed/);
    clock.advance(3_600_000);
    const before = offersTo().length;
    await runJobs();
    expect(offersTo()).toHaveLength(before);
  });
});
