/**
 * Call-outs at the edges, end to end through signed webhooks against the sandbox's synthetic
 * agency: a shift about to start (urgent), a shift already under way (not a call-out), a
 * caregiver taking their call-out back by voice and by text, and a bare "YES" from a caregiver
 * who holds an offer while a text conversation of theirs is waiting for an answer.
 * Each test gets a fresh database, sandbox and clock.
 */
import type { FakeClock } from '../../src/clock';
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import type { ScriptedTransport } from '../outbox/scripted-transport';
import { startHarness, type Harness } from '../support/harness';

const CARE_MANAGER = '+13035550105'; // first of the on-call chain, and the scheduler
/** Monday 2 March 2026, 06:00 in Denver: the sandbox's shifts are drawn around this. */
const MONDAY_6AM = '2026-03-02T13:00:00.000Z';
/** Tuesday 07:30 in Denver: Dana's 9 o'clock starts in 90 minutes; Kevin's 7 o'clock started half an hour ago. */
const TUESDAY_7_30AM = '2026-03-03T14:30:00.000Z';
const e164 = (p: string) => `+1${p}`;
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone);
const KEVIN = e164(FIXTURE_PEOPLE.threeShiftCaregiver.phone);

describeEachDb('call-outs at the edges', (ctx) => {
  let h: Harness;
  let transport: ScriptedTransport;
  let clock: FakeClock;

  beforeEach(async () => {
    h = await startHarness(ctx.db, { now: MONDAY_6AM });
    ({ transport, clock } = h);
  }, 60_000);
  afterEach(async () => {
    await h.close();
  });
  const call = (from: string, script: string[]) => h.call(from, script);
  const text = async (from: string, body: string) => (await h.text(from, body)).join(' ');
  const runJobs = () => h.runJobs();
  const sandbox = () => h.sandbox.state;
  const textsTo = (to: string) => transport.calls.filter((c) => c.to === to).map((c) => c.body);
  const offers = () => transport.calls.filter((c) => /open shift|turno disponible/.test(c.body));
  const danaShiftCaregiver = () => sandbox().appointments.find((a) => a.id === FIXTURE_SHIFTS.danaTomorrow)!.caregiver?.id ?? '';
  const campaigns = async () => (await ctx.db.query<{ id: string; status: string; claim_code: string }>('SELECT id, status, claim_code FROM campaigns ORDER BY id')).rows;

  it('treats a shift starting within 2 hours as urgent: on-call is texted at once and the caller is put through on request', async () => {
    clock.set(TUESDAY_7_30AM);
    const result = await call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have a fever', 'yes', 'yes']);
    const heard = result.heard.join('\n');
    expect(heard).toMatch(/Is this about your shift today at 9 AM with Harold\?/);
    expect(heard).toMatch(/Because your shift starts soon, I've alerted our on-call manager\. Would you like me to connect you with them now\?/);
    expect(result.dialed).toEqual([CARE_MANAGER]);
    // The first job run sends the on-call alert without waiting for escalateAfterSeconds.
    await runJobs();
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/COVERAGE NEEDED \(starts within 2 hours\): Tue Mar 3 9am-1pm with Harold Fischer, after Dana Whitfield called out/);
    expect(offers().length).toBeGreaterThan(0);
  }, 30_000);

  it('by text, tells a caregiver whose shift starts within 2 hours that on-call has been alerted', async () => {
    clock.set(TUESDAY_7_30AM);
    expect(await text(DANA, "I'm sick, I can't make my shift")).toMatch(/Is this about your shift today at 9 AM with Harold\?/);
    expect(await text(DANA, 'yes')).toMatch(/why can't you make it/);
    expect(await text(DANA, 'fever')).toMatch(/To confirm/);
    expect(await text(DANA, 'YES')).toMatch(/Your call-out is recorded.*I've alerted our on-call manager; they may contact you/);
    await runJobs();
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/COVERAGE NEEDED \(starts within 2 hours\)/);
  }, 30_000);

  it('does not take a call-out for a shift already under way: it puts the caregiver through to a person', async () => {
    clock.set(TUESDAY_7_30AM);
    const result = await call(KEVIN, ["I'm sick, I can't make my shift", 'the first one']);
    const heard = result.heard.join('\n');
    expect(heard).toMatch(/1, today at 7 AM with Gloria/);
    expect(heard).toMatch(/That shift has already started, so I'll put you through to someone now/);
    expect(heard).not.toMatch(/why can't you make it/);
    expect(result.dialed).toEqual([CARE_MANAGER]);
    await runJobs();
    expect((await ctx.db.query('SELECT id FROM call_outs')).rows).toEqual([]);
    expect(await campaigns()).toEqual([]);
  }, 30_000);

  it('lets a caregiver who called out call back "I can make it after all" and stops the search before anyone is found', async () => {
    await call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
    await runJobs();
    expect(danaShiftCaregiver()).toBe('');
    const offered = offers();
    expect(offered.length).toBeGreaterThan(0);

    clock.advance(20 * 60_000);
    const result = await call(DANA, ['I can make it after all']);
    expect(result.heard.join('\n')).toMatch(/You're back on your shift tomorrow at 9 AM with Harold, and we've stopped looking for a replacement/);
    await runJobs();
    expect((await campaigns()).map((c) => c.status)).toEqual(['cancelled']);
    expect(danaShiftCaregiver()).toBe(FIXTURE_PEOPLE.oneShiftCaregiver.id);
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-\d+ TAKEN BACK: Dana Whitfield can work Tue Mar 3 9am-1pm with Harold Fischer after all/);

    // An offer answered afterwards wins nothing, and no further wave goes out.
    const code = offered[0].body.match(/(?:YES|SI) (\d{4})/)![1];
    expect(await text(offered[0].to, `YES ${code}`)).toMatch(/is no longer needed|ya no se necesita/i);
    const sent = offers().length;
    clock.advance(60 * 60_000);
    await runJobs();
    expect(offers()).toHaveLength(sent);
    expect(danaShiftCaregiver()).toBe(FIXTURE_PEOPLE.oneShiftCaregiver.id);
  }, 30_000);

  it('lets a caregiver who called out by text take it back by text', async () => {
    expect(await text(KEVIN, "I can't make my shift tomorrow")).toMatch(/You have 3 shifts/);
    await text(KEVIN, '2');
    await text(KEVIN, 'my car broke down');
    expect(await text(KEVIN, 'YES')).toMatch(/call-out is recorded/);
    await runJobs();
    expect((await campaigns()).map((c) => c.status)).toEqual(['open']);

    clock.advance(45 * 60_000); // a new text thread
    expect(await text(KEVIN, 'I can make it after all')).toMatch(/You're back on your shift tomorrow at 11 AM with Frank/);
    await runJobs();
    expect((await campaigns()).map((c) => c.status)).toEqual(['cancelled']);
    expect(textsTo(CARE_MANAGER).join('\n')).toMatch(/TAKEN BACK: Kevin Osei can work Tue Mar 3 11am-2pm with Frank Delgado after all/);
    const kevinShift = sandbox().appointments.find((a) => a.id === FIXTURE_SHIFTS.kevinTomorrow[1])!;
    expect(kevinShift.caregiver?.id).toBe(FIXTURE_PEOPLE.threeShiftCaregiver.id);
  }, 30_000);

  it('lets a bare YES answer the caregiver\'s waiting text conversation instead of claiming their offer', async () => {
    await call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
    await runJobs();
    const [offer] = offers();
    const [campaign] = await campaigns();

    // The offered caregiver starts a text conversation of their own, which asks them a yes/no question.
    const question = await text(offer.to, 'What are your office hours?');
    expect(question).toMatch(/anything else/i);
    const answer = await text(offer.to, 'YES');
    expect(answer).not.toMatch(/is yours|es suyo|already been filled/);
    expect((await campaigns())[0]).toMatchObject({ status: 'open' });
    expect(danaShiftCaregiver()).toBe('');

    // With the code, the same YES claims the shift even while the conversation waits.
    expect(await text(offer.to, `YES ${campaign.claim_code}`)).toMatch(/is yours|es suyo/);
    expect((await campaigns())[0]).toMatchObject({ status: 'filled' });
  }, 30_000);

  it('lets a bare YES claim the only open offer when no conversation is waiting for a yes or no', async () => {
    await call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
    await runJobs();
    const [offer] = offers();
    // A conversation of theirs that waits for something else (a first greeting's "how can we help?")
    // does not take the YES: the caregiver holds exactly one open offer.
    await text(offer.to, 'Hello');
    expect(await text(offer.to, 'YES')).toMatch(/is yours|es suyo/);
    expect((await campaigns())[0]).toMatchObject({ status: 'filled' });
  }, 30_000);
});
