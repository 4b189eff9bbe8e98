/**
 * Callers as they really talk (issue 8), end to end: signed Twilio webhooks from the phone
 * simulator into the real app, the WellSky sandbox's synthetic agency (fixture people:
 * docs/sandbox.md), a test database. What the caller hears or is texted back, who is dialled,
 * what staff are texted, what lands in WellSky and in our tables.
 *
 * - an urgent complaint said the way a worried daughter says it is urgent, not office hours;
 * - texts from a caregiver who holds an open shift offer are read whole: an emergency or a
 *   call-out with digits in it is no claim code, and real claims still claim;
 * - a caller who rambles for four turns still gets where they meant to go;
 * - a caller who corrects themselves is taken at their corrected word;
 * - "operator", "a real person", "un operador" put them through from the middle of every flow.
 */
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import { CARE_MANAGER, OWNER, heard, startHarness, type Harness } from '../support/harness';

const e164 = (p: string) => `+1${p}`;
const LINDA = e164(FIXTURE_PEOPLE.daughterContact.phone); // Harold Fischer's daughter
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone); // tomorrow 9–13 with Harold
const KEVIN = e164(FIXTURE_PEOPLE.threeShiftCaregiver.phone); // tomorrow 7 Gloria, 11 Frank, 15 Harold
const ROSA = e164(FIXTURE_PEOPLE.spanishCaregiver.phone); // Carmen every day 8–12, Spanish first
const TANYA = e164(FIXTURE_PEOPLE.sharedPhoneCaregiver.phone); // caregiver, and Gloria's daughter
const NEW_CALLER = '+17205559901'; // on file for nobody

/** Office hours as the router tells them (flows/phrases/router.ts): never the answer to a complaint. */
const OFFICE_HOURS = /office hours|horario de oficina|open (Monday|from)/i;
/** The claim side path's own replies (src/shiftfill/texts.ts). */
const CLAIM_REPLIES = /couldn't find an open offer|is yours|es suyo|already (been )?(filled|taken)|no longer needed|which (shift|offer)/i;

describeEachDb('callers as they really talk, end to end', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  const text = async (from: string, body: string) => (await h.text(from, body)).join(' ');
  const complaints = async () => (await ctx.db.query<{ severity: string; client_id: string | null }>('SELECT severity, client_id FROM complaints ORDER BY id')).rows;

  // ── 1. An urgent complaint in a daughter's words ─────────────────────────────────────────
  describe('an urgent complaint as a daughter says it', () => {
    it.each([
      ['plainly', 'the caregiver left my mother alone two hours early yesterday'],
      [
        'rambling',
        "Hi, um, so I'm calling because, well, my mom, she's eighty four, and yesterday the lady you send, the caregiver, " +
          'she just left, she left my mother alone, like two hours early, and nobody told me, nobody told me anything, ' +
          'I only found out when I called at noon and mom said she had been gone for hours',
      ],
    ])('is urgent said %s: no office hours, on-call dialled, a case opened and staff texted', async (_how, words) => {
      h = await startHarness(ctx.db);
      const call = await h.call(LINDA, [words, 'yes', 'dial: no-answer']);
      const said = heard(call);
      expect(said).not.toMatch(OFFICE_HOURS);
      expect(said).toMatch(/urgent/i);
      expect(said).toMatch(/case C, 1/);
      expect(call.dialed).toEqual([CARE_MANAGER, OWNER]);

      await h.runJobs();
      expect(await complaints()).toEqual([{ severity: 'urgent', client_id: FIXTURE_PEOPLE.clientWithDaughter.id }]);
      const alert = h.textsTo(CARE_MANAGER).find((t) => /complaint C-1/.test(t));
      // Left alone, and left early: either names why it is urgent.
      expect(alert).toMatch(/URGENT complaint C-1 \((neglect|leftEarly)\) about client Harold Fischer/);
      expect(h.textsTo(OWNER).some((t) => /URGENT complaint C-1/.test(t))).toBe(true);
    });
  });

  // ── 2. Texts from a caregiver who holds an open shift offer ──────────────────────────────
  describe('texts from a caregiver who holds an open offer', () => {
    /**
     * Tanya calls out of this afternoon's 1 PM visit with Carmen; the offers go out wave by wave
     * until Kevin has one too (Rosa and Dana are offered it before him).
     */
    async function openOffers(): Promise<{ code: string; offered: (phone: string) => string | undefined }> {
      h = await startHarness(ctx.db);
      const callOut = await h.call(TANYA, ["I'm sick, I can't make my shift today", 'yes', 'I have the flu', 'yes']);
      expect(heard(callOut)).toMatch(/Your call-out is recorded/);
      await h.runJobs();
      const offered = (phone: string) => h.textsTo(phone).find((t) => /open shift|turno disponible/.test(t));
      for (let wave = 0; wave < 6 && !offered(KEVIN); wave++) {
        h.clock.advance(10 * 60_000);
        await h.runJobs();
      }
      for (const phone of [DANA, ROSA, KEVIN]) expect(offered(phone)).toBeDefined();
      const code = offered(DANA)!.match(/YES (\d{4})/)![1];
      expect(offered(ROSA)).toMatch(new RegExp(`SI ${code}`));
      return { code, offered };
    }

    const offerStatus = async (phone: string) =>
      (await ctx.db.query<{ status: string }>('SELECT status FROM offers WHERE phone = $1', [phone])).rows.map((r) => r.status);
    const campaignStatus = async () => (await ctx.db.query<{ status: string }>('SELECT status FROM campaigns')).rows.map((r) => r.status);
    /** Tanya's visit this afternoon, as WellSky has it. */
    const tanyasVisit = () =>
      h.sandbox.state.appointments.find(
        (a) => a.client.id === FIXTURE_PEOPLE.spanishClient.id && Date.parse(a.start) === Date.parse('2026-03-04T20:00:00Z'),
      )!;

    it.each([
      ['Emergency: my client fell, address is 1420 Elm'],
      ['yes my client fell'],
    ])('"%s": 911 guidance and an on-call alert, no claim', async (body) => {
      await openOffers();
      const reply = await text(DANA, body);
      expect(reply).toMatch(/call 911/);
      expect(reply).toMatch(/alerted our on-call staff/);
      expect(reply).not.toMatch(CLAIM_REPLIES);

      await h.runJobs();
      for (const staff of [CARE_MANAGER, OWNER]) {
        expect(h.textsTo(staff).find((t) => /EMERGENCY/.test(t))).toMatch(/Dana Whitfield \(caregiver\)/);
      }
      // The offer is still hers to take, and nobody has the shift.
      expect(await offerStatus(DANA)).toEqual(['open']);
      expect(await campaignStatus()).toEqual(['open']);
      expect(tanyasVisit().caregiver?.id ?? '').toBe('');
    });

    it('"I\'m sick and can\'t make my shift tomorrow at 1100": the call-out flow, for his own shift, no claim', async () => {
      await openOffers();
      const first = await text(KEVIN, "I'm sick and can't make my shift tomorrow at 1100");
      expect(first).not.toMatch(CLAIM_REPLIES);
      expect(first).toMatch(/You have 3 shifts: 1, tomorrow at 7 AM with Gloria; 2, tomorrow at 11 AM with Frank; 3, tomorrow at 3 PM with Harold/);
      expect(await text(KEVIN, '2')).toMatch(/why can't you make it/);
      expect(await text(KEVIN, 'fever and chills')).toMatch(/To confirm: you can't work tomorrow at 11 AM with Frank/);
      // A bare YES answers the conversation's question, not the offer he also holds.
      expect(await text(KEVIN, 'YES')).toMatch(/call-out is recorded/);

      await h.runJobs();
      expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-\d+: Kevin Osei can't work Thu Mar 5 11am-2pm with Frank Delgado. Reason: fever and chills/);
      expect(await offerStatus(KEVIN)).not.toContain('claimed');
      expect(tanyasVisit().caregiver?.id ?? '').toBe('');
      const frank = h.sandbox.state.appointments.find((a) => a.id === FIXTURE_SHIFTS.kevinTomorrow[1]);
      expect(frank?.caregiver?.id ?? '').toBe('');
    });

    it.each([
      ['YES <code>', DANA, (code: string) => `YES ${code}`, /shift \d{4} is yours/, FIXTURE_PEOPLE.oneShiftCaregiver.id],
      ["I'll take it <code>", KEVIN, (code: string) => `I'll take it ${code}`, /shift \d{4} is yours/, FIXTURE_PEOPLE.threeShiftCaregiver.id],
      ['sí <code>', ROSA, (code: string) => `sí ${code}`, /es suyo/, FIXTURE_PEOPLE.spanishCaregiver.id],
    ])('"%s" still claims the shift, and WellSky books the claimer', async (_how, phone, body, reply, caregiverId) => {
      const { code } = await openOffers();
      expect(await text(phone, body(code))).toMatch(reply);
      await h.runJobs();
      expect(await offerStatus(phone)).toEqual(['claimed']);
      expect(await campaignStatus()).toEqual(['filled']);
      expect(tanyasVisit().caregiver?.id).toBe(caregiverId);
    });
  });
});
