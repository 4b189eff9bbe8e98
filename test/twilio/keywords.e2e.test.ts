/**
 * Opt-out and help keywords in English and Spanish (docs/privacy.md "Opt-out and help keywords"),
 * through signed Twilio webhooks into the real app: Twilio answers its own English words (we
 * answer an empty <Response/> and record them); the Spanish words are the product's to answer,
 * once, in Spanish. Every consent change is recorded with its word, channel and time, and a
 * campaign after PARAR texts that caregiver nothing.
 */
import twilio from 'twilio';
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { describeEachDb } from '../support/db';
import { AGENCY_NUMBER, AUTH_TOKEN, startHarness, type Harness } from '../support/harness';

/** Monday 2 March 2026, 06:00 in Denver. */
const MONDAY_6AM = '2026-03-02T13:00:00.000Z';
const e164 = (p: string) => `+1${p}`;
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone);
const LUIS = e164(FIXTURE_PEOPLE.doubleBookedCaregiver.phone);

let sidCounter = 0;
const newSid = () => `SM${(++sidCounter).toString(16).padStart(32, '0')}`;

/** Fictional numbers, one per case so each starts subscribed. */
let phoneCounter = 0;
const aPhone = () => `+1720555${String(7000 + ++phoneCounter)}`;

describeEachDb('opt-out and help keywords', (ctx) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(ctx.db, { now: MONDAY_6AM });
  }, 60_000);
  afterAll(async () => h?.close());

  /** A text as Twilio delivers it (signed); the <Message> bodies the app answers with. */
  async function sms(from: string, body: string, extra: { MessageSid?: string; OptOutType?: string } = {}): Promise<{ status: number; replies: string[] }> {
    const params: Record<string, string> = { MessageSid: extra.MessageSid ?? newSid(), AccountSid: 'AC0123456789abcdef0123456789abcdef', From: from, To: AGENCY_NUMBER, Body: body, NumMedia: '0' };
    if (extra.OptOutType) params.OptOutType = extra.OptOutType;
    const url = `${h.base}/twilio/sms`;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilio.getExpectedTwilioSignature(AUTH_TOKEN, url, params) },
      body: new URLSearchParams(params).toString(),
    });
    const text = await res.text();
    const replies = [...text.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => m[1].replace(/&apos;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
    return { status: res.status, replies };
  }

  const optedOut = (phone: string) => h.services.optOuts.isOptedOut(phone);
  const history = (phone: string) => h.services.optOuts.history(phone);

  describe('English: Twilio answers, we record', () => {
    it.each(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'])('%s opts the number out with no answer of ours', async (word) => {
      const phone = aPhone();
      const messageSid = newSid();
      expect(await sms(phone, word.toLowerCase(), { MessageSid: messageSid })).toEqual({ status: 200, replies: [] });
      expect(await optedOut(phone)).toBe(true);
      const [change] = await history(phone);
      expect(change).toMatchObject({ optedOut: true, keyword: word, source: 'inbound', channel: 'sms', messageSid });
      expect(change.at.toISOString()).toBe(MONDAY_6AM);
    });

    it.each(['START', 'UNSTOP', 'YES'])('%s opts an opted-out number back in with no answer of ours', async (word) => {
      const phone = aPhone();
      await sms(phone, 'STOP');
      expect(await sms(phone, word)).toEqual({ status: 200, replies: [] });
      expect(await optedOut(phone)).toBe(false);
      expect((await history(phone)).map((c) => [c.optedOut, c.keyword])).toEqual([[true, 'STOP'], [false, word]]);
    });

    it('START from a number that never opted out is still Twilio\'s to answer', async () => {
      const phone = aPhone();
      expect(await sms(phone, 'Start')).toEqual({ status: 200, replies: [] });
      expect(await history(phone)).toEqual([]);
    });

    it('a bare YES from a subscribed caregiver is a reply to us, not a keyword', async () => {
      // Dana is asked to confirm her call-out; "Yes" confirms it.
      expect((await sms(DANA, "I'm sick and can't make my shift tomorrow")).replies.join(' ')).toMatch(/Is this about your shift tomorrow at 9 AM with Harold\?/);
      expect((await sms(DANA, 'Yes')).replies.join(' ')).toMatch(/why can't you make it/);
      expect(await history(DANA)).toEqual([]);
      expect(await sms(DANA, 'never mind, I feel better')).toMatchObject({ status: 200 });
    });

    it.each(['HELP', 'INFO'])('%s is Twilio\'s to answer', async (word) => {
      const phone = aPhone();
      expect(await sms(phone, word)).toEqual({ status: 200, replies: [] });
      expect(await optedOut(phone)).toBe(false);
    });
  });

  describe('Spanish: the product answers, once, in Spanish', () => {
    it.each(['PARAR', 'BAJA', 'CANCELAR', 'DETENER'])('%s opts the number out and confirms it in Spanish, once', async (word) => {
      const phone = aPhone();
      const messageSid = newSid();
      const first = await sms(phone, word[0] + word.slice(1).toLowerCase(), { MessageSid: messageSid });
      expect(first.replies).toHaveLength(1);
      expect(first.replies[0]).toMatch(/^Colorado CareAssist: No le enviaremos más mensajes de texto\. Para volver a recibirlos, responda ALTA\./);
      expect(await optedOut(phone)).toBe(true);
      expect(await history(phone)).toEqual([expect.objectContaining({ optedOut: true, keyword: word, source: 'inbound', channel: 'sms', messageSid })]);
      // Twilio retrying the same webhook gets no second answer, and neither does the word again.
      expect((await sms(phone, word, { MessageSid: messageSid })).replies).toEqual([]);
      expect((await sms(phone, word)).replies).toEqual([]);
      expect(await history(phone)).toHaveLength(1);
    });

    it('CANCELAR also says where a shift is cancelled', async () => {
      const [reply] = (await sms(aPhone(), 'cancelar')).replies;
      expect(reply).toMatch(/Si quería cancelar un turno, llámenos al \(303\) 555-0100\./);
    });

    it.each(['ALTA', 'INICIAR'])('%s opts a number that said PARAR back in, in Spanish', async (word) => {
      const phone = aPhone();
      await sms(phone, 'PARAR');
      const back = await sms(phone, word.toLowerCase());
      expect(back.replies).toEqual(['Colorado CareAssist: Volverá a recibir nuestros mensajes de texto. Responda PARAR para dejar de recibirlos o AYUDA para ayuda.']);
      expect(await optedOut(phone)).toBe(false);
      expect((await history(phone)).map((c) => [c.optedOut, c.keyword, c.channel])).toEqual([[true, 'PARAR', 'sms'], [false, word, 'sms']]);
    });

    it('ALTA cannot lift the block of an English STOP (Twilio keeps it): it says to reply START', async () => {
      const phone = aPhone();
      await sms(phone, 'STOP');
      expect((await sms(phone, 'Alta')).replies).toEqual(['Colorado CareAssist: Para volver a recibir nuestros mensajes de texto, responda START.']);
      expect(await optedOut(phone)).toBe(true);
      await sms(phone, 'START');
      expect(await optedOut(phone)).toBe(false);
    });

    it('ALTA from a number that never opted out says it is already subscribed', async () => {
      expect((await sms(aPhone(), 'ALTA')).replies[0]).toMatch(/^Colorado CareAssist: Ya recibe nuestros mensajes de texto\./);
    });

    it('AYUDA gets the agency, the number to call and how to stop, in Spanish; the consent is unchanged', async () => {
      const phone = aPhone();
      expect((await sms(phone, 'ayuda')).replies).toEqual([
        'Colorado CareAssist: mensajes sobre turnos y visitas de cuidado. Para hablar con una persona, llame al (303) 555-0100. Responda PARAR para no recibir más mensajes.',
      ]);
      expect(await optedOut(phone)).toBe(false);
      expect(await history(phone)).toEqual([]);
    });

    it('leaves PARAR to Twilio when the Messaging Service\'s Advanced Opt-Out matched it (OptOutType is set)', async () => {
      const phone = aPhone();
      expect(await sms(phone, 'PARAR', { OptOutType: 'STOP' })).toEqual({ status: 200, replies: [] });
      expect(await optedOut(phone)).toBe(true);
      // Twilio now blocks the number: only a word Twilio acts on can lift it.
      expect((await sms(phone, 'ALTA')).replies[0]).toMatch(/responda START/);
      expect(await sms(phone, 'ALTA', { OptOutType: 'START' })).toEqual({ status: 200, replies: [] });
      expect(await optedOut(phone)).toBe(false);
    });

    it('records every keyword text once, with who answered it', async () => {
      const phone = aPhone();
      await sms(phone, 'AYUDA');
      await sms(phone, 'PARAR');
      await sms(phone, 'STOP');
      const { rows } = await ctx.db.query<{ keyword: string; lang: string; answered_by: string; consent_changed: boolean }>(
        'SELECT keyword, lang, answered_by, consent_changed FROM sms_keyword_messages WHERE phone = $1 ORDER BY created_at, message_sid', [phone],
      );
      expect(rows).toEqual([
        { keyword: 'AYUDA', lang: 'es', answered_by: 'product', consent_changed: false },
        { keyword: 'PARAR', lang: 'es', answered_by: 'product', consent_changed: true },
        { keyword: 'STOP', lang: 'en', answered_by: 'twilio', consent_changed: false },
      ]);
    });
  });

  it('a campaign after PARAR texts that caregiver nothing', async () => {
    expect((await sms(LUIS, 'PARAR')).replies[0]).toMatch(/No le enviaremos más mensajes/);
    const before = h.transport.calls.length;

    // Dana calls out of tomorrow's shift; the campaign offers it in waves.
    const call = await h.call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
    expect(call.heard.join(' ')).toMatch(/Your call-out is recorded/);
    await h.runJobs();
    for (let i = 0; i < 6; i++) {
      h.clock.advance(10 * 60_000);
      await h.runJobs();
    }
    const sent = h.transport.calls.slice(before);
    expect(sent.filter((c) => /open shift|turno disponible/.test(c.body)).length).toBeGreaterThan(0);
    expect(sent.filter((c) => c.to === LUIS)).toEqual([]);
    // Luis was considered and left out because he opted out (not for some other reason).
    const { rows } = await ctx.db.query<{ eligibility: string }>(
      `SELECT cc.eligibility FROM campaign_candidates cc JOIN campaigns c ON c.id = cc.campaign_id
        WHERE cc.caregiver_id = $1 AND c.shift_id = $2`, [FIXTURE_PEOPLE.doubleBookedCaregiver.id, FIXTURE_SHIFTS.danaTomorrow],
    );
    expect(rows.map((r) => r.eligibility)).toEqual(['opted_out']);
  }, 60_000);
}, { resetEach: false });
