/**
 * Call-outs end to end: signed Twilio webhooks from the phone simulator into the real app
 * (composition root), the WellSky sandbox's synthetic agency at a fixed "now", a test database.
 * What the caregiver hears, and what the office, WellSky and the replacements get.
 */
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import type { ScriptedTransport } from '../outbox/scripted-transport';
import { startHarness, type Harness } from '../support/harness';

const SCHEDULER = '+13035550105';
/** Monday 2 March 2026, 06:00 in Denver: before the office opens. */
const MONDAY_6AM = '2026-03-02T13:00:00.000Z';
const e164 = (p: string) => `+1${p}`;
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone);
const KEVIN = e164(FIXTURE_PEOPLE.threeShiftCaregiver.phone);
const ROSA = e164(FIXTURE_PEOPLE.spanishCaregiver.phone);

describeEachDb('call-outs end to end', (ctx) => {
  let h: Harness;
  let transport: ScriptedTransport;

  beforeAll(async () => {
    h = await startHarness(ctx.db, { now: MONDAY_6AM });
    ({ transport } = h);
  }, 60_000);
  afterAll(async () => {
    await h.close();
  });
  const call = (from: string, script: string[]) => h.call(from, script);
  const text = async (from: string, body: string) => (await h.text(from, body)).join(' ');
  const runJobs = () => h.runJobs();
  const sandbox = () => h.sandbox.state;
  const textsTo = (to: string) => transport.calls.filter((c) => c.to === to).map((c) => c.body);

  it('takes a voice call-out of the one shift, opens it in WellSky and texts replacements, the office and the caller', async () => {
    const result = await call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
    const heard = result.heard.join('\n');
    expect(heard).toMatch(/Is this about your shift tomorrow at 9 AM with Harold\?/);
    expect(heard).toMatch(/why can't you make it/);
    expect(heard).toMatch(/Your call-out is recorded and we're finding a replacement/);
    expect(result.ended).toBe('hangup');
    await runJobs();
    expect(sandbox().adminTasks.some((t) => /^COVERAGE NEEDED: Dana Whitfield .*Harold Fischer.*Reason: I have the flu/.test(String(t.description)))).toBe(true);
    const shift = sandbox().appointments.find((a) => a.id === FIXTURE_SHIFTS.danaTomorrow)!;
    expect(shift.caregiver?.id ?? '').toBe('');
    expect(textsTo(SCHEDULER).join('\n')).toMatch(/CALL-OUT C-\d+: Dana Whitfield can't work Tue Mar 3 9am-1pm with Harold Fischer/);
    expect(textsTo(DANA).join('\n')).toMatch(/we've recorded that you can't make Tue Mar 3 9am-1pm with Harold/);
    const offers = transport.calls.filter((c) => /open shift|turno disponible/.test(c.body));
    expect(offers.length).toBeGreaterThan(0);
    expect(offers.map((o) => o.to)).not.toContain(DANA);
    for (const o of offers) expect(o.body).not.toMatch(/Harold|Fischer/);

    // A replacement takes it by text; the booking is read back; Harold's daughter is told.
    const code = offers[0].body.match(/(?:YES|SI) (\d{4})/)![1];
    expect(await text(offers[0].to, `YES ${code}`)).toMatch(/is yours|es suyo/);
    await runJobs();
    const booked = sandbox().appointments.find((a) => a.id === FIXTURE_SHIFTS.danaTomorrow)!;
    expect(booked.caregiver?.id).toBeTruthy();
    expect(textsTo(offers[0].to).at(-1)).toMatch(/Harold Fischer/);
    expect(textsTo(e164(FIXTURE_PEOPLE.daughterContact.phone)).at(-1)).toMatch(/Harold's visit Tue Mar 3 9am-1pm will be covered by/);
  }, 30_000);

  it.each([
    ['the time', 'the 11 o clock', 'Frank'],
    ['the client first name', 'the one with Harold', 'Harold'],
    ['the order', 'the second one', 'Frank'],
    ['the digit', 'press: 3', 'Harold'],
    ['the day and part of day', 'tomorrow morning at 7', 'Gloria'],
  ])('lets a caregiver with three shifts pick one by %s', async (_how, choice, client) => {
    const result = await call(KEVIN, ["I'm running late", choice, 'hangup']);
    const heard = result.heard.join('\n');
    expect(heard).toMatch(/You have 3 shifts: 1, tomorrow at 7 AM with Gloria; 2, tomorrow at 11 AM with Frank; 3, tomorrow at 3 PM with Harold/);
    expect(heard).toMatch(/how many minutes until you get there/);
    const conv = await ctx.db.query<{ snapshot: { context: { shiftId: string; shifts: { id: string; clientFirstName: string }[] } } }>(
      `SELECT snapshot FROM conversations WHERE call_sid = $1`, [result.callSid],
    );
    const { shiftId, shifts } = conv.rows[0].snapshot.context;
    expect(shifts.find((s) => s.id === shiftId)?.clientFirstName).toBe(client);
  }, 30_000);

  it('keeps "late because of an emergency" a late arrival: asks the ETA and tells the scheduler, no campaign', async () => {
    const before = await ctx.db.query('SELECT id FROM campaigns');
    const result = await call(KEVIN, ["I'll be late because of an emergency", 'the first one', 'about 20 minutes']);
    const heard = result.heard.join('\n');
    expect(heard).not.toMatch(/911/);
    expect(heard).toMatch(/about 20 minutes late/);
    await runJobs();
    expect(textsTo(SCHEDULER).join('\n')).toMatch(/RUNNING LATE .*Kevin Osei.*about 20 min/);
    expect((await ctx.db.query('SELECT id FROM campaigns')).rows).toHaveLength(before.rows.length);
  }, 30_000);

  it('takes a call-out over several texts', async () => {
    expect(await text(KEVIN, "I can't make my shift tomorrow")).toMatch(/You have 3 shifts/);
    expect(await text(KEVIN, '2')).toMatch(/why can't you make it/);
    expect(await text(KEVIN, 'my car broke down')).toMatch(/To confirm: you can't work tomorrow at 11 AM with Frank/);
    expect(await text(KEVIN, 'YES')).toMatch(/call-out is recorded/);
    await runJobs();
    expect(textsTo(SCHEDULER).join('\n')).toMatch(/CALL-OUT C-\d+: Kevin Osei can't work Tue Mar 3 11am-2pm with Frank Delgado. Reason: my car broke down/);
  }, 30_000);

  it('takes a call-out in Spanish from a Spanish-speaking caregiver', async () => {
    // At 6 a.m. Rosa has two shifts with Carmen in the window: today's and tomorrow's.
    const result = await call(ROSA, ['estoy enferma, no puedo ir a mi turno', 'mañana', 'tengo fiebre', 'sí']);
    const heard = result.heard.join('\n');
    expect(heard).toMatch(/Tiene 2 turnos: 1, hoy a las 8 con Carmen; 2, mañana a las 8 con Carmen/);
    expect(heard).toMatch(/Para confirmar: no puede trabajar mañana a las 8 con Carmen/);
    expect(heard).toMatch(/Su ausencia quedó registrada/);
    await runJobs();
    expect(textsTo(ROSA).join('\n')).toMatch(/registramos que no puede ir al turno/);
  }, 30_000);
}, { resetEach: false });
