/**
 * "Where is my caregiver?" end to end (issue 5): signed webhooks → router → where-is flow →
 * today's shift and clock-in from the WellSky sandbox → the caller told, the scheduler and the
 * caregiver texted when late, an unassigned visit handled as urgent (case + on-call).
 *
 * The sandbox draws its agency around the harness's "now" (Wednesday 10:00 in Denver): Carmen
 * Ruiz has Rosa 08:00–12:00 (clocked in at 08:00, under way) and Tanya 13:00–17:00 today; Frank
 * Delgado has Luis 12:00–16:00 today (not clocked in); Harold Fischer has nothing today and an
 * open shift on Friday 09:00–13:00. Moving the clock after the seed is drawn makes those shifts
 * late, or makes Friday today.
 */
import request from 'supertest';
import { describeEachDb } from '../support/db';
import { CARE_MANAGER, OWNER, heard, startHarness, type Harness } from '../support/harness';
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';

const LINDA = '+19705550131'; // Harold Fischer's daughter
const MIGUEL = '+17205550134'; // Carmen Ruiz's son (Carmen speaks Spanish: so does the flow to him)
const FRANK_LANDLINE = '+13035550124'; // Frank Delgado himself, and his wife Irene: one number, one client
const LUIS = '+17205550115'; // caregiver Luis Herrera

/** Wednesday 4 March 2026 in Denver (UTC−7). */
const WEDNESDAY_12_10 = '2026-03-04T19:10:00.000Z';
const WEDNESDAY_12_20 = '2026-03-04T19:20:00.000Z';
/** Friday 6 March 2026, 09:30 in Denver: Harold's open shift (day +2) is under way. */
const FRIDAY_9_30 = '2026-03-06T16:30:00.000Z';

describeEachDb('"where is my caregiver?", end to end', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Frank Delgado's shift with Luis today, 12:00–16:00. */
  function frankTodayWithLuis(): string {
    const shift = h.sandbox.state.appointments.find(
      (a) => a.client.id === FIXTURE_PEOPLE.clientSharingLandline.id && a.caregiver?.id === FIXTURE_PEOPLE.doubleBookedCaregiver.id && Date.parse(a.start) === Date.parse('2026-03-04T19:00:00Z'),
    );
    if (!shift) throw new Error("the sandbox seed has no shift for Frank with Luis today at 12:00: has the synthetic agency changed?");
    return shift.id;
  }

  it('tells a client the caregiver has clocked in (first name only) once the sandbox clocks the shift in', async () => {
    h = await startHarness(ctx.db);
    h.clock.set(WEDNESDAY_12_10);
    const shiftId = frankTodayWithLuis();
    await request(h.sandbox.app).post(`/_sandbox/clock-in/${shiftId}`).expect(200);

    const call = await h.call(FRANK_LANDLINE, ['Where is my caregiver?']);
    const said = heard(call);
    expect(said).toMatch(/Luis clocked in at 12:10 PM and is there now\. Today's visit runs until 4 PM\./);
    expect(said).not.toMatch(/Herrera/);
    expect(call.unusedScriptLines).toBe(0);
    await h.runJobs();
    expect(h.textsTo()).toEqual([]);
  });

  it('answers a Spanish-speaking son by text: Rosa clocked in this morning and is with his mother now', async () => {
    h = await startHarness(ctx.db);
    const replies = await h.text(MIGUEL, '¿Dónde está la cuidadora de mi mamá?');
    expect(replies.join(' ')).toMatch(/Rosa registró su llegada a las 8 y está allí ahora/);
    expect(replies.join(' ')).not.toMatch(/Martinez/);
  });

  it('reassures the caller when the caregiver is late, and texts the scheduler and the caregiver once', async () => {
    h = await startHarness(ctx.db);
    h.clock.set(WEDNESDAY_12_20);
    const call = await h.call(FRANK_LANDLINE, ['Where is my caregiver? She was supposed to be here at noon']);
    const said = heard(call);
    expect(said).toMatch(/Luis was due at 12 PM and hasn't clocked in yet/);
    expect(said).toMatch(/I've let Luis and our scheduler know/);

    await h.runJobs();
    const [toScheduler] = h.textsTo(CARE_MANAGER).filter((t) => /NOT CLOCKED IN/.test(t));
    expect(toScheduler).toMatch(/NOT CLOCKED IN: Luis Herrera for Frank Delgado today 12:00 PM-4:00 PM \(20 min past start\)/);
    // One number, two people on file (Frank and his wife Irene): staff see both.
    expect(toScheduler).toMatch(/Frank Delgado \(client\) \/ Irene Delgado \(sps of client Frank\), \+13035550124, asked where the caregiver is/);
    expect(h.textsTo(LUIS)).toEqual([expect.stringMatching(/your 12:00 PM visit with Frank today has not been clocked in/)]);

    // A second call about the same visit tells the scheduler again, but does not text Luis twice.
    h.clock.advance(5 * 60_000);
    const again = await h.call(FRANK_LANDLINE, ['Where is my caregiver? Still nobody here']);
    expect(heard(again)).toMatch(/Luis was due at 12 PM and hasn't clocked in yet/);
    await h.runJobs();
    expect(h.textsTo(CARE_MANAGER).filter((t) => /NOT CLOCKED IN/.test(t))).toHaveLength(2);
    expect(h.textsTo(LUIS)).toHaveLength(1);
  });

  it('treats a visit with nobody assigned as urgent: a case, and the caller put through to on-call', async () => {
    h = await startHarness(ctx.db);
    h.clock.set(FRIDAY_9_30);
    const call = await h.call(LINDA, ['Where is my caregiver? Nobody is here', 'dial: completed']);
    const said = heard(call);
    expect(said).toMatch(/nobody is assigned to today's 9 AM visit\. I'm treating this as urgent/);
    expect(said).toMatch(/urgent: I've opened case C, 1/);
    expect(call.dialed).toEqual([CARE_MANAGER]);

    await h.runJobs();
    const { rows } = await ctx.db.query<{ severity: string; reason: string; client_id: string }>('SELECT severity, reason, client_id FROM complaints');
    expect(rows).toEqual([{ severity: 'urgent', reason: 'unassigned', client_id: FIXTURE_PEOPLE.clientWithDaughter.id }]);
    expect(h.textsTo(OWNER).some((t) => /URGENT complaint C-1/.test(t))).toBe(true);
    expect(h.sandbox.state.appointments.find((a) => a.id === FIXTURE_SHIFTS.openShiftMissingCaregiver)).toBeDefined();
  });

  it('says when there is no visit today and offers a person', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(LINDA, ['Where is my caregiver?', 'no']);
    const said = heard(call);
    expect(said).toMatch(/I don't see a visit scheduled for today\. Would you like to speak to a person\?/);
    expect(said).toMatch(/Goodbye/);
    expect(call.dialed).toEqual([]);
  });

  it('asks which client first when the number is on file for several clients', async () => {
    h = await startHarness(ctx.db);
    // Linda is also made a contact of Carmen Ruiz.
    await h.services.wellsky.createContact({ clientId: FIXTURE_PEOPLE.spanishClient.id, firstName: 'Linda', lastName: 'Fischer', relationship: 'FRND', phone: LINDA });
    await h.services.directory.fullSync();

    const call = await h.call(LINDA, ['Where is my caregiver?', 'Carmen']);
    const said = heard(call);
    expect(said).toMatch(/Which visit are you calling about: (Harold's or Carmen's|Carmen's or Harold's)\?/);
    // Nothing about a visit before the caller said whose.
    const beforeChoice = said.slice(0, said.indexOf('Which visit'));
    expect(beforeChoice).not.toMatch(/Rosa|clocked/);
    expect(said).toMatch(/Rosa clocked in at 8 AM and is there now/);
  });
});
