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

  // ── 4. Self-corrections ──────────────────────────────────────────────────────────────────
  describe('a caller who corrects themselves', () => {
    /** Tuesday 3 March 2026, 06:00 in Denver: Rosa has Carmen at 8 today and at 8 tomorrow. */
    const TUESDAY_6AM = '2026-03-03T13:00:00.000Z';
    const campaigns = async () => (await ctx.db.query('SELECT id FROM campaigns')).rows;

    it('"the one at 7, no wait, the 11 o\'clock": the 11 o\'clock is called out, in WellSky too', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(KEVIN, ["I can't make my shift", "the one at 7, no wait, the 11 o'clock", 'my son is sick', 'yes']);
      expect(heard(call)).toMatch(/To confirm: you can't work tomorrow at 11 AM with Frank/);
      await h.runJobs();
      expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-1: Kevin Osei can't work Thu Mar 5 11am-2pm with Frank Delgado/);
      const [gloria, frank] = FIXTURE_SHIFTS.kevinTomorrow.map((id) => h.sandbox.state.appointments.find((a) => a.id === id)!);
      expect(frank.caregiver?.id ?? '').toBe('');
      expect(gloria.caregiver?.id).toBe(FIXTURE_PEOPLE.threeShiftCaregiver.id);
    });

    it.each([
      ['English', ["I can't make my shift", 'my shift on Tuesday, no wait, Wednesday', 'my son is sick', 'yes']],
      ['English, "no, the other one"', ["I can't make my shift", 'the first one, no, the other one', 'my son is sick', 'yes']],
      ['Spanish', ['no puedo ir a mi turno', 'el martes, no espere, el miércoles', 'mi hijo está enfermo', 'sí']],
    ])('Rosa calls out of Wednesday, not Tuesday, when she corrects herself (%s)', async (_how, script) => {
      h = await startHarness(ctx.db, { now: TUESDAY_6AM });
      const call = await h.call(ROSA, script);
      expect(heard(call)).toMatch(/no puede trabajar mañana a las 8 con Carmen/);
      await h.runJobs();
      const toScheduler = h.textsTo(CARE_MANAGER).join('\n');
      expect(toScheduler).toMatch(/CALL-OUT C-1: Rosa Martinez can't work Wed Mar 4 8am-12pm with Carmen Ruiz/);
      // Today's visit was not called out: nothing "starts within 2 hours".
      expect(toScheduler).not.toMatch(/Tue Mar 3|within 2 hours/);
    });

    it('"I\'ll be 20 minutes late, actually more like 40": the scheduler is told 40', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(KEVIN, ["I'll be 20 minutes late, actually more like 40", 'the first one']);
      expect(heard(call)).toMatch(/you'll be about 40 minutes late/);
      await h.runJobs();
      expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/RUNNING LATE \(L-1\) Kevin Osei for Thu Mar 5 7am-10am with Gloria Brooks: expects to arrive in about 40 min/);
      expect(h.textsTo(TANYA).join('\n')).toMatch(/Kevin is running about 40 minutes late/);
    });

    it('by text too: "running late, 20 min, no wait, 45"', async () => {
      h = await startHarness(ctx.db);
      expect(await text(KEVIN, 'running late, 20 min, no wait, 45')).toMatch(/You have 3 shifts/);
      expect(await text(KEVIN, '1')).toMatch(/about 45 minutes late/);
      await h.runJobs();
      expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/RUNNING LATE \(L-1\) Kevin Osei .*about 45 min/);
    });

    it('"I have to call out, actually no, I\'m just running late": a late arrival, no call-out, no campaign', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(KEVIN, ["I have to call out of my shift tomorrow, actually no, I'm just running late", "the 7 o'clock", 'about 30 minutes']);
      const said = heard(call);
      expect(said).toMatch(/how many minutes until you get there/);
      expect(said).toMatch(/about 30 minutes late/);
      expect(said).not.toMatch(/why can't you make it|call-out is recorded/);
      await h.runJobs();
      const toScheduler = h.textsTo(CARE_MANAGER).join('\n');
      expect(toScheduler).toMatch(/RUNNING LATE \(L-1\) Kevin Osei for Thu Mar 5 7am-10am with Gloria Brooks: expects to arrive in about 30 min/);
      expect(toScheduler).not.toMatch(/CALL-OUT/);
      expect(await campaigns()).toEqual([]);
    });
  });

  // ── 3. A caller who rambles for four turns ───────────────────────────────────────────────
  describe('a caller who rambles and repeats for four turns', () => {
    it('a caregiver: the call-out of the shift he meant, recorded and in WellSky', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(KEVIN, [
        "Hi, hi, yeah, it's Kevin, Kevin Osei, sorry, I know it's early, I was up all night, my little one was up all night, " +
          "all night coughing, coughing and coughing, and so anyway, I don't think I can make it, I can't make it in tomorrow",
        'Right, right, so the thing is my sister was going to watch him but she has work, she works at the hospital, she always works, ' +
          "so, um, which one, it's the late morning one, the one with Frank, at eleven",
        "Well like I said, my son, he's four, he's got a fever, a high fever, the doctor said keep him home, keep him home from daycare, " +
          "so I have to stay with him, I'm really sorry",
        "Yeah, yeah, that's right, that's right, sorry again, I know it's short notice, I know, yes",
      ]);
      const said = heard(call);
      expect(said).toMatch(/To confirm: you can't work tomorrow at 11 AM with Frank/);
      expect(said).toMatch(/Your call-out is recorded/);
      expect(call.unusedScriptLines).toBe(0);
      await h.runJobs();
      expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/CALL-OUT C-1: Kevin Osei can't work Thu Mar 5 11am-2pm with Frank Delgado. Reason: Well like I said, my son/);
      expect(h.sandbox.state.appointments.find((a) => a.id === FIXTURE_SHIFTS.kevinTomorrow[1])?.caregiver?.id ?? '').toBe('');
    });

    it('a daughter who starts off the point: the urgent complaint still reaches on-call', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(LINDA, [
        "Hi, hello, yes, sorry, this is Linda, Linda Fischer, I'm Harold's daughter, Harold Fischer, I'm calling from work " +
          "so it's a bit loud here, sorry about that, it's really loud",
        "Yes so, it's about my dad, my dad Harold, he's ninety, he lives on his own in Lakewood, and I was over there last night " +
          "and I'm not happy, I'm really not happy, the caregiver left him alone, she left two hours early yesterday and he was by himself all afternoon",
        "Yes, yes, that's it, that's what happened, I've said it twice now, that's right",
        'dial: no-answer',
      ]);
      const said = heard(call);
      expect(said).not.toMatch(OFFICE_HOURS);
      expect(said).toMatch(/This is urgent: I've opened case C, 1/);
      expect(call.dialed).toEqual([CARE_MANAGER, OWNER]);
      await h.runJobs();
      expect(await complaints()).toEqual([{ severity: 'urgent', client_id: FIXTURE_PEOPLE.clientWithDaughter.id }]);
      expect(h.textsTo(OWNER).some((t) => /URGENT complaint C-1 \((neglect|leftEarly)\) about client Harold Fischer/.test(t))).toBe(true);
    });

    it('a new client: a past fall is no emergency, and the names and ZIP come through the rambling', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(NEW_CALLER, [
        "Hello, hi, so my mother, my mom, she's been in the hospital, she fell last month, she's fine now, she's home, but she can't really, " +
          "she can't do the stairs, and my brother lives in Texas so it's just me, and I work full time, so I was told to call you, I need some help at home for her, some care",
        "Oh, my name, sure, it's Susan, Susan Park, P A R K, Park, like a park",
        "Her name, my mom's name, is Ruth, Ruth Park, same last name, Park",
        "She lives in Lakewood, it's, um, the zip is 80214, 80214, Lakewood",
        'Bathing mostly, and meals, meals and bathing, she can manage the rest, mostly',
        'Weekday mornings, weekday mornings, starting as soon as you can',
        'Private pay, we would pay ourselves',
        'Her doctor, her doctor told us about you',
        'Yes',
      ]);
      const said = heard(call);
      expect(said).not.toMatch(/911|on-call/);
      expect(call.dialed).toEqual([]);
      expect(said).toMatch(/Thank you, Susan\. Our new client team will call you within 4 hours/);
      expect(call.unusedScriptLines).toBe(0);
      await h.runJobs();
      expect(h.textsTo(OWNER).find((t) => /New lead L-1/.test(t))).toMatch(/caller Susan Park \(CHILD\), \+17205559901; for Ruth Park; Lakewood 80214; needs: Bathing mostly/);
      const ruth = h.sandbox.state.patients.filter((p) => JSON.stringify((p as { name?: unknown }).name ?? '').includes('Ruth'));
      expect(ruth).toHaveLength(1);
      expect(JSON.stringify(ruth[0])).toMatch(/80214/);
    });

    const offTopic = [
      "Hi, yes, hello, so I'm calling, well, it's about my dad, he's ninety, he lives on his own in Lakewood, it's been a really hard winter with all the snow, you know how it is",
      "Yeah so like I said he's ninety, he's very independent, he was an engineer, he still does the crossword every morning, he's very proud, and I live up in Fort Collins so it's a drive",
    ];
    const atLast = 'The thing is, the aide, she left him alone yesterday, she left two hours early, and he was by himself the whole afternoon';

    it('a daughter who gets to the point only after being offered a person or a message: still an urgent complaint', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(LINDA, [...offTopic, atLast, 'yes', 'dial: no-answer']);
      const said = heard(call);
      expect(said).toMatch(/say 'a person' to talk to someone/);
      expect(said).toMatch(/This is urgent: I've opened case C, 1/);
      expect(call.dialed).toEqual([CARE_MANAGER, OWNER]);
      await h.runJobs();
      expect(await complaints()).toEqual([{ severity: 'urgent', client_id: FIXTURE_PEOPLE.clientWithDaughter.id }]);
    });

    it('the same by text', async () => {
      h = await startHarness(ctx.db);
      for (const line of offTopic) await text(LINDA, line);
      const reply = await text(LINDA, atLast);
      expect(reply).toMatch(/I have: "The thing is, the aide/);
      expect(await text(LINDA, 'yes')).toMatch(/urgent/i);
      await h.runJobs();
      expect(await complaints()).toEqual([{ severity: 'urgent', client_id: FIXTURE_PEOPLE.clientWithDaughter.id }]);
      expect(h.textsTo(CARE_MANAGER).some((t) => /URGENT complaint C-1/.test(t))).toBe(true);
    });

    it('a caller who never gets to the point is offered a person, and asking for one puts them through', async () => {
      h = await startHarness(ctx.db);
      const call = await h.call(LINDA, [
        ...offTopic,
        "Sorry, I know I'm going on, my husband says I always go on, I just, I'd really rather talk to somebody, can I talk to a real person please",
        'dial: completed',
      ]);
      const said = heard(call);
      expect(said).toMatch(/Sorry, I didn't understand/);
      expect(said).toMatch(/say 'a person' to talk to someone/);
      expect(said).toMatch(/I'll connect you with someone now/);
      expect(call.dialed).toEqual([CARE_MANAGER]);
      expect(call.recorded).toBe(false);
    });
  });

  // ── 5. "A person, please" from the middle of every flow ──────────────────────────────────
  describe('"operator" in the middle of every flow', () => {
    /** Each flow, the caller who reaches it, what brings them there, and the question they are asked. */
    const flows: [string, string, string[], RegExp][] = [
      ['router', LINDA, [], /How can we help you today\?/],
      ['call-out', KEVIN, ["I can't make my shift"], /You have 3 shifts/],
      ['complaint', LINDA, ['I have a complaint'], /Please tell me what happened/],
      ['lead', NEW_CALLER, ['I need home care for my mother'], /May I have your name\?/],
      ['where-is-caregiver', LINDA, ['Where is my caregiver?'], /I don't see a visit scheduled for today/],
    ];
    /** Each way of asking, and the answer in the language asked in. */
    const asks: [string, { voice: RegExp; sms: RegExp }][] = [
      ['operator', { voice: /I'll connect you with someone now/, sms: /someone will call you back soon/ }],
      ['I want to talk to a real person', { voice: /I'll connect you with someone now/, sms: /someone will call you back soon/ }],
      ['un operador por favor', { voice: /Le comunico con alguien ahora/, sms: /alguien le llamará pronto/ }],
    ];
    const matrix = flows.flatMap(([flow, from, before, question]) => asks.map(([ask, answer]) => [flow, ask, from, before, question, answer] as const));

    it.each(matrix)('%s, by voice, "%s": put through to on-call', async (_flow, ask, from, before, question, answer) => {
      h = await startHarness(ctx.db);
      const call = await h.call(from, [...before, ask, 'dial: no-answer']);
      const said = heard(call);
      expect(said).toMatch(question);
      expect(said).toMatch(answer.voice);
      expect(call.dialed).toEqual([CARE_MANAGER, OWNER]);
      expect(call.unusedScriptLines).toBe(0);
    });

    it.each(['voice', 'sms'] as const)('the lead flow (%s): what was taken is saved for intake, marked as stopped for a person', async (channel) => {
      h = await startHarness(ctx.db);
      if (channel === 'voice') await h.call(NEW_CALLER, ['I need home care for my mother', 'My name is Susan Park', 'operator', 'dial: no-answer']);
      else for (const line of ['I need home care for my mother', 'My name is Susan Park', 'operator']) await text(NEW_CALLER, line);
      await h.runJobs();
      expect(h.textsTo(OWNER).find((t) => /New lead L-1/.test(t))).toMatch(/New lead L-1 \(INCOMPLETE: the caller asked for a person\): caller Susan Park \(CHILD\)/);
    });

    it.each(matrix)('%s, by text, "%s": on-call alerted, the caller told someone will call', async (_flow, ask, from, before, question, answer) => {
      h = await startHarness(ctx.db);
      const replies: string[] = [];
      for (const line of before) replies.push(await text(from, line));
      if (before.length) expect(replies.join(' ')).toMatch(question);
      expect(await text(from, ask)).toMatch(answer.sms);
      await h.runJobs();
      for (const staff of [CARE_MANAGER, OWNER]) {
        expect(h.textsTo(staff).some((t) => /asked to speak to a person\. Please call them back/.test(t))).toBe(true);
      }
    });
  });
});
