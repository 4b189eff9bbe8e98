/**
 * New-client leads end to end (issue 5): signed webhooks → router → intake flow → lead stored →
 * WellSky Patient (+ RelatedPerson) from the durable write-back job, intake texted, the caller
 * thanked — against the WellSky sandbox, including an outage.
 */
import { describeEachDb } from '../support/db';
import { OWNER, heard, startHarness, type Harness } from '../support/harness';

const NEW_CALLER = '+17205559901'; // not on file
const BETTY = '+17205550141'; // prospect 2870901 on file

describeEachDb('new leads, end to end', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  const state = () => h.sandbox.state;
  const patientsNamed = (family: string) =>
    state().patients.filter((p) => JSON.stringify((p as { name?: unknown }).name ?? '').includes(family));

  it('takes a voice lead from an unknown number with every field, writes the Patient and the caller as a RelatedPerson, and texts intake and the caller', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(NEW_CALLER, [
      'I need home care for my mother',
      'My name is Susan Park',
      'Her name is Ruth Park',
      'Lakewood 80214',
      'Help with bathing, meals and getting around the house',
      'Weekday mornings from 8 to noon, starting next Monday',
      'Long-term care insurance',
      'Her doctor recommended you',
      'Yes',
    ]);
    const said = heard(call);
    expect(said).toMatch(/May I have your name\?/);
    // "for my mother" already said who the care is for: that question is not asked.
    expect(said).not.toMatch(/for yourself, or for someone else/);
    expect(said).toMatch(/Thank you, Susan\. Our new client team will call you within 4 hours\. We'll text you a confirmation\./);
    expect(said).not.toMatch(/diagnos|medication/i);
    expect(call.unusedScriptLines).toBe(0);

    await h.runJobs();
    const intake = h.textsTo(OWNER).find((t) => /New lead L-1/.test(t));
    expect(intake).toMatch(/caller Susan Park \(CHILD\), \+17205559901; for Ruth Park; Lakewood 80214; needs: Help with bathing/);
    expect(intake).toMatch(/payer: long-term-care insurance; heard of us: Her doctor recommended you; texts OK: yes/);
    expect(h.textsTo(NEW_CALLER)).toEqual([expect.stringMatching(/^Thank you for contacting Colorado CareAssist/)]);

    const [ruth] = patientsNamed('Park');
    const tags = (ruth as { meta: { tag: { code: string; display: string }[] } }).meta.tag;
    expect(tags).toEqual(expect.arrayContaining([
      { code: 'isClient', display: 'false' },
      { code: 'status', display: '1' },
      { code: 'referralSource', display: 'Her doctor recommended you' },
    ]));
    expect(JSON.stringify(ruth)).toMatch(/80214/);
    expect(JSON.stringify(ruth)).toMatch(/Front door lead L-1/);
    expect(state().relatedPersons.filter((r) => JSON.stringify(r).includes('Susan'))).toHaveLength(1);
    const { rows } = await ctx.db.query<{ wellsky_status: string; patient_id: string }>('SELECT wellsky_status, patient_id FROM leads');
    expect(rows).toEqual([{ wellsky_status: 'written', patient_id: (ruth as { id: string }).id }]);
  });

  it("gives the person needing care their own phone in WellSky when the caller tells it, and keeps the caller's as a contact", async () => {
    h = await startHarness(ctx.db);
    await h.call(NEW_CALLER, [
      'I need home care for my father',
      'My name is Susan Park',
      'His name is Leo Park, his number is 303 555 0177',
      'skip', 'skip', 'skip', 'skip', 'skip', 'no',
    ]);
    await h.runJobs();
    const [leo] = patientsNamed('Park');
    expect((leo as { telecom: { value: string }[] }).telecom.map((t) => t.value)).toEqual(['3035550177']);
    const susan = state().relatedPersons.filter((r) => JSON.stringify(r).includes('Susan'));
    expect(JSON.stringify(susan)).toContain('7205559901');
  });

  it('takes answers out of order and skips by text', async () => {
    h = await startHarness(ctx.db);
    await h.text(NEW_CALLER, "Hi, I'm looking for home care");
    // The name question, answered with the name and the payer and the ZIP at once.
    const second = await h.text(NEW_CALLER, "I'm Tom Reyes, it's for myself, I live in 80205 and we'd pay privately");
    expect(second.join(' ')).toMatch(/what kind of help is needed/);
    const third = await h.text(NEW_CALLER, 'Skip');
    expect(third.join(' ')).toMatch(/What days and hours/);
    await h.text(NEW_CALLER, 'Skip');
    const fifth = await h.text(NEW_CALLER, 'A friend');
    expect(fifth.join(' ')).toMatch(/May we text you/);
    const last = await h.text(NEW_CALLER, 'No');
    expect(last.join(' ')).toMatch(/Thank you, Tom\./);
    expect(last.join(' ')).not.toMatch(/confirmation/);

    await h.runJobs();
    const { rows } = await ctx.db.query('SELECT caller_name, relationship, care_for_name, zip, payer, needs, heard_from, consent_to_text, skipped FROM leads');
    expect(rows).toEqual([
      { caller_name: 'Tom Reyes', relationship: 'SELF', care_for_name: 'Tom Reyes', zip: '80205', payer: 'private', needs: null, heard_from: 'A friend', consent_to_text: false, skipped: ['needs', 'schedule'] },
    ]);
    expect(h.textsTo(NEW_CALLER)).toEqual([]);
    // Tom is the person needing care: a Patient, and no RelatedPerson.
    expect(patientsNamed('Reyes').filter((p) => JSON.stringify(p).includes('Tom'))).toHaveLength(1);
    expect(state().relatedPersons.filter((r) => JSON.stringify(r).includes('Reyes'))).toHaveLength(0);
  });

  it('updates a returning prospect instead of creating a duplicate', async () => {
    h = await startHarness(ctx.db);
    const before = state().patients.length;
    const call = await h.call(BETTY, ['I need home care', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip', 'skip']);
    expect(heard(call)).toMatch(/Welcome back/);
    await h.runJobs();
    expect(state().patients.length).toBe(before);
    const betty = state().patients.find((p) => (p as { id: string }).id === '2870901');
    expect(JSON.stringify(betty)).toMatch(/Front door lead L-1/);
    expect(h.textsTo(OWNER).find((t) => /New lead L-1/.test(t))).toMatch(/RETURNING caller/);
  });

  it('still sends intake what was captured when the caller hangs up mid-intake, with their number, marked incomplete', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(NEW_CALLER, ['I need home care for my mother', 'My name is Susan Park', 'Her name is Ruth Park', 'hangup']);
    expect(heard(call)).toMatch(/May I have your name\?/);

    await h.runJobs();
    const intake = h.textsTo(OWNER).find((t) => /New lead L-1/.test(t));
    expect(intake).toMatch(/INCOMPLETE: the caller hung up/);
    expect(intake).toMatch(/Susan Park/);
    expect(intake).toMatch(/\+17205559901/);
    expect(intake).toMatch(/Ruth Park/);
    const { rows } = await ctx.db.query<{ incomplete: boolean; caller_phone: string; care_for_name: string }>(
      'SELECT incomplete, caller_phone, care_for_name FROM leads',
    );
    expect(rows).toEqual([{ incomplete: true, caller_phone: NEW_CALLER, care_for_name: 'Ruth Park' }]);
    // No thank-you text: the caller never agreed to be texted.
    expect(h.textsTo(NEW_CALLER)).toEqual([]);
  });

  it('keeps a lead while WellSky is down, thanks the caller as usual, and writes it once when WellSky is back', async () => {
    h = await startHarness(ctx.db);
    h.sandbox.setFaults({ outage: true });
    const call = await h.call(NEW_CALLER, ['I need care for my dad', 'Ann Lee', 'Bob Lee', 'Aurora', 'skip', 'skip', 'skip', 'skip', 'no']);
    expect(heard(call)).toMatch(/Thank you, Ann\. Our new client team will call you within 4 hours\./);

    for (let i = 0; i < 3; i++) {
      await h.runJobs();
      h.clock.advance(10 * 60_000);
    }
    const pending = await ctx.db.query<{ wellsky_status: string; write_attempts: number }>('SELECT wellsky_status, write_attempts FROM leads');
    expect(pending.rows[0].wellsky_status).toBe('pending');
    expect(h.textsTo(OWNER).some((t) => /WellSky is not answering; lead L-1/.test(t))).toBe(true);
    expect(h.textsTo(OWNER).some((t) => /New lead L-1/.test(t))).toBe(true);

    h.sandbox.setFaults({ outage: false });
    await new Promise((resolve) => setTimeout(resolve, 150));
    h.clock.advance(20 * 60_000);
    await h.runJobs();
    h.clock.advance(20 * 60_000);
    await h.runJobs();
    expect(patientsNamed('Lee').filter((p) => JSON.stringify(p).includes('Bob'))).toHaveLength(1);
    const written = await ctx.db.query<{ wellsky_status: string }>('SELECT wellsky_status FROM leads');
    expect(written.rows[0].wellsky_status).toBe('written');
  }, 30_000);
});
