/**
 * "A person, please" from the middle of every flow, and a caller who rambles for four turns
 * (issue 8), end to end through signed webhooks against the sandbox's synthetic agency.
 * Fixture people: docs/sandbox.md.
 */
import { FIXTURE_PEOPLE } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import { heard, startHarness, type Harness } from '../support/harness';

const e164 = (p: string) => `+1${p}`;
const LINDA = e164(FIXTURE_PEOPLE.daughterContact.phone); // Harold Fischer's daughter
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone); // one shift tomorrow with Harold
const NEW_CALLER = '+17205559902'; // on file for nobody

describeEachDb('a person from anywhere, and a rambling caller', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  /** Voice: each flow reached, then the caller asks for a person in their own words. */
  it.each<[string, string, string[], RegExp]>([
    ['the router', LINDA, ['um I need to talk to a real person please'], /How can we help you today\?/],
    ['the call-out flow', DANA, ["I can't make my shift tomorrow", 'operator'], /Is this about your shift tomorrow/],
    ['the complaint flow', LINDA, ['I want to make a complaint', 'can I just talk to somebody there'], /tell me what happened/],
    ['the lead flow', NEW_CALLER, ['I am looking for care for my dad', 'un operador por favor'], /May I have your name\?/],
    ['the where-is-caregiver flow', LINDA, ["where is my mom's caregiver she isn't here yet", 'a real person please'], /visit scheduled for today/],
  ])('by voice, from %s: put through to a person', async (_flow, from, script, flowAsked) => {
    h = await startHarness(ctx.db);
    const call = await h.call(from, [...script, 'dial: no-answer']);
    // The flow asked its own question first; the request for a person came in answer to it.
    expect(heard(call)).toMatch(flowAsked);
    expect(heard(call)).toMatch(/connect you with someone|Le comunico con alguien/i);
    expect(call.dialed.length).toBeGreaterThan(0);
    expect(heard(call)).not.toMatch(/office hours are/i);
  });

  it('by text, from the middle of the call-out flow: a person is alerted, nothing is recorded as a call-out', async () => {
    h = await startHarness(ctx.db);
    await h.text(DANA, "I can't make my shift tomorrow");
    const reply = (await h.text(DANA, 'I want to talk to a real person')).join(' ');
    await h.runJobs();
    expect(reply).not.toMatch(/couldn't find an open offer/i);
    const staffTexts = h.transport.calls.filter((c) => c.to !== DANA);
    expect(staffTexts.length).toBeGreaterThan(0);
    const { rows } = await ctx.db.query('SELECT id FROM call_outs');
    expect(rows).toHaveLength(0);
  });

  it('a caregiver who rambles and repeats for four turns still gets their call-out recorded', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(DANA, [
      "hi yeah so um this is Dana, I was, I was up all night, my little one's been throwing up and, and I just, I don't know",
      "yeah so like I said I was up all night and I feel terrible and I don't think I can do tomorrow, I can't make it tomorrow",
      'yes that one, the one tomorrow',
      "I'm sick, my kid's sick, we're both sick, it's just a mess honestly",
      'yes',
      'no',
    ]);
    expect(heard(call)).toMatch(/recorded/i);
    const { rows } = await ctx.db.query<{ reason: string }>('SELECT reason FROM call_outs');
    expect(rows).toHaveLength(1);
  });
});
