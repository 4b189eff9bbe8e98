/**
 * The front door through signed Twilio webhooks: the real app (composition root), the WellSky
 * sandbox, a test database. What a caller hears and what staff receive.
 */
import { FIXTURE_PEOPLE } from '../../src/wellsky-sandbox';
import { staffWithRole } from '../../src/config';
import { describeEachDb } from '../support/db';
import { AGENCY_NUMBER, PUBLIC_BASE, actionOf, dialed, gatherAction, isTwiml, said, sign, startFrontDoor, type FrontDoor } from '../support/app';

const e164 = (tenDigits: string) => `+1${tenDigits}`;
const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone);
const ROSA = e164(FIXTURE_PEOPLE.spanishCaregiver.phone);
const TANYA = e164(FIXTURE_PEOPLE.sharedPhoneCaregiver.phone);
const STRANGER = '+13035550999';

describeEachDb('Twilio webhooks', (ctx) => {
  let fd: FrontDoor;
  const onCall = () => staffWithRole(fd.services.config.agency, 'oncall').map((s) => s.phone);

  // One front door for the block (building it syncs the directory from the sandbox); every test
  // uses its own CallSid or number, and the recorded texts are cleared between tests.
  beforeAll(async () => {
    fd = await startFrontDoor(ctx.db);
  });
  afterAll(async () => {
    await fd.close();
  });
  beforeEach(() => {
    fd.transport.sent.length = 0;
    jest.restoreAllMocks();
  });

  async function ring(from: string, callSid = fd.callSid()) {
    const res = await fd.post('/twilio/voice', { CallSid: callSid, From: from, To: AGENCY_NUMBER, CallStatus: 'ringing', Direction: 'inbound' });
    return { res, callSid, twiml: res.text };
  }

  async function answer(callSid: string, twiml: string, words: { speech?: string; digits?: string }) {
    const action = gatherAction(twiml) ?? actionOf(twiml, 'Gather');
    if (!action) throw new Error(`no Gather in ${twiml}`);
    const params: Record<string, string> = { CallSid: callSid, From: DANA, To: AGENCY_NUMBER };
    if (words.speech) Object.assign(params, { SpeechResult: words.speech, Confidence: '0.9' });
    if (words.digits) params.Digits = words.digits;
    const res = await fd.post(action, params);
    return res.text;
  }

  describe('signatures', () => {
    it('accepts a request signed for PUBLIC_BASE_URL + path and greets a known caregiver by first name', async () => {
      const { res } = await ring(DANA);
      expect(res.status).toBe(200);
      expect(res.type).toBe('text/xml');
      expect(said(res.text).join(' ')).toContain('Hi Dana');
      expect(gatherAction(res.text)).toMatch(/^\/twilio\/voice\/turn\?c=cv_[0-9a-f]+&t=1$/);
    });

    it('rejects unsigned, tampered, and wrong-URL requests with 403', async () => {
      const params = { CallSid: fd.callSid(), From: DANA, To: AGENCY_NUMBER };
      expect((await fd.post('/twilio/voice', params, { signature: null })).status).toBe(403);
      const signature = sign(`${PUBLIC_BASE}/twilio/voice`, params);
      const tampered = await fd.post('/twilio/voice', { ...params, From: STRANGER }, { signature });
      expect(tampered.status).toBe(403);
      const wrongUrl = await fd.post('/twilio/voice', params, { signedUrl: 'http://127.0.0.1/twilio/voice' });
      expect(wrongUrl.status).toBe(403);
      expect((await fd.post('/twilio/sms', { MessageSid: fd.messageSid(), From: DANA, Body: 'hi' }, { signature: 'bm90IGEgc2lnbmF0dXJl' })).status).toBe(403);
      // Nothing was started by the rejected requests.
      const { rows } = await ctx.db.query('SELECT id FROM conversations WHERE call_sid = $1', [params.CallSid]);
      expect(rows).toHaveLength(0);
    });
  });

  it('answers a retried webhook with the same reply and takes the message only once', async () => {
    const { callSid, twiml } = await ring(STRANGER);
    const action = gatherAction(twiml)!;
    const params = { CallSid: callSid, From: STRANGER, To: AGENCY_NUMBER, SpeechResult: 'I need care for my mother', Confidence: '0.9' };
    const first = await fd.post(action, params);
    const retry = await fd.post(action, params);
    expect(retry.text).toBe(first.text);
    const conv = await fd.services.store.byCallSid(callSid);
    expect(conv!.turn).toBe(2);
  });

  it('serialises two texts of one thread that arrive at once: both answered, neither lost', async () => {
    const from = '+13035550998';
    const text = (Body: string) => fd.post('/twilio/sms', { MessageSid: fd.messageSid(), From: from, To: AGENCY_NUMBER, Body });
    await text('Hello');
    const [a, b] = await Promise.all([text('What are your office hours?'), text('Do you serve Aurora?')]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const replies = [a.text, b.text].join(' ');
    expect(replies).toContain('Our office hours are Monday to Friday');
    expect(replies).toContain('We serve');
    const { rows } = await ctx.db.query<{ turn: number }>(`SELECT turn FROM conversations WHERE caller_phone = $1`, [from]);
    expect(rows).toEqual([{ turn: 3 }]);
  });

  it('answers a turn that races the call’s end with valid TwiML, and the call stays ended', async () => {
    const { callSid, twiml } = await ring(STRANGER);
    const action = gatherAction(twiml)!;
    const status = fd.post('/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed', From: STRANGER });
    const turn = fd.post(action, { CallSid: callSid, From: STRANGER, SpeechResult: 'what are your hours', Confidence: '0.9' });
    const [s, t] = await Promise.all([status, turn]);
    expect(s.status).toBe(204);
    expect(t.status).toBe(200);
    expect(isTwiml(t.text)).toBe(true);
    expect((await fd.services.store.byCallSid(callSid))!.status).toBe('closed');
  });

  it('asks again once when it hears nothing, then offers a person or a message', async () => {
    const { callSid, twiml } = await ring(DANA);
    const again = await answer(callSid, twiml, {});
    expect(said(again).join(' ')).toMatch(/didn't catch that/i);
    const offer = await answer(callSid, again, {});
    expect(said(offer).join(' ')).toMatch(/Press 0 or say 'a person'/);
  });

  it('puts a caller asking for a person through to the on-call chain, from the greeting or after a silence', async () => {
    const first = await ring(STRANGER);
    const viaSpeech = await answer(first.callSid, first.twiml, { speech: 'Representative please.' });
    expect(dialed(viaSpeech)).toEqual([onCall()[0]]);
    expect(viaSpeech).toContain(`callerId="${AGENCY_NUMBER}"`);

    const second = await ring(DANA);
    const silence = await answer(second.callSid, second.twiml, {});
    const viaZero = await answer(second.callSid, silence, { digits: '0' });
    expect(dialed(viaZero)).toEqual([onCall()[0]]);
    // Nobody answers: the next person of the chain is tried.
    const next = await fd.post(actionOf(viaZero, 'Dial')!, { CallSid: second.callSid, DialCallStatus: 'no-answer' });
    expect(dialed(next.text)).toEqual([onCall()[1]]);
  });

  it('tells anyone who reports an emergency to hang up and dial 911, then connects on-call, and texts them', async () => {
    const { callSid, twiml } = await ring(STRANGER);
    const reply = await answer(callSid, twiml, { speech: 'My mother fell and she is not breathing' });
    expect(said(reply).join(' ')).toMatch(/hang up and dial 911/);
    expect(dialed(reply)).toEqual([onCall()[0]]);
  });

  it('answers a Spanish-speaking caregiver in Spanish with the es-US voice', async () => {
    const { twiml } = await ring(ROSA);
    expect(twiml).toContain('language="es-US"');
    expect(twiml).toContain('voice="Polly.Lupe"');
    expect(said(twiml).join(' ')).toMatch(/Hola Rosa/);
  });

  it('switches to Spanish when an unknown caller speaks Spanish', async () => {
    const { callSid, twiml } = await ring(STRANGER);
    const reply = await answer(callSid, twiml, { speech: 'Hola, necesito ayuda para mi mamá' });
    expect(reply).toContain('language="es-US"');
  });

  it('asks who is calling when one number belongs to a caregiver and a client’s daughter', async () => {
    const { twiml } = await ring(TANYA);
    const words = said(twiml).join(' ');
    expect(words).toMatch(/caregiver/i);
    expect(words).toContain('Gloria');
    expect(words).toMatch(/Are you calling as a caregiver, or about Gloria's care\?/);
  });

  it('tells an unknown caller nothing about a client', async () => {
    const { callSid, twiml } = await ring(STRANGER);
    const reply = await answer(callSid, twiml, { speech: "Where is Harold Fischer's caregiver? Is she coming today?" });
    const words = said(reply).join(' ');
    expect(words).toMatch(/can't share information/i);
    expect(words).not.toMatch(/Harold|Fischer|Dana|Whitfield|9 ?AM|today at/i);
  });

  it('still answers valid TwiML when the app fails inside a call: an apology, on-call, then voicemail', async () => {
    jest.spyOn(fd.services.store, 'openVoice').mockRejectedValueOnce(new Error('database on fire'));
    const { res } = await ring(DANA);
    expect(res.status).toBe(200);
    expect(isTwiml(res.text)).toBe(true);
    expect(said(res.text)[0]).toMatch(/something went wrong on our side/);
    expect(dialed(res.text)).toEqual([onCall()[0]]);
    expect(res.text).toContain('<Record');
  });

  it('answers a turn for a conversation that does not exist at once, with the apology and on-call', async () => {
    const started = Date.now();
    const res = await fd.post('/twilio/voice/turn?c=cv_00000000000000000000000000000000&t=1', { CallSid: fd.callSid(), From: DANA, To: AGENCY_NUMBER, SpeechResult: 'hello', Confidence: '0.9' });
    expect(res.status).toBe(200);
    expect(said(res.text)[0]).toMatch(/something went wrong on our side/);
    expect(dialed(res.text)).toEqual([onCall()[0]]);
    // Not mistaken for a busy conversation (whose turn waits up to 8 s for the lease).
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('refuses a turn posted with another call’s CallSid, and the real call goes on where it was', async () => {
    const { callSid, twiml } = await ring(DANA);
    const action = gatherAction(twiml)!;
    const crossing = await fd.post(action, { CallSid: fd.callSid(), From: STRANGER, To: AGENCY_NUMBER, SpeechResult: 'What are your office hours?', Confidence: '0.9' });
    expect(said(crossing.text)[0]).toMatch(/something went wrong on our side/);
    expect((await fd.services.store.byCallSid(callSid))!.turn).toBe(1);
    const reply = await answer(callSid, twiml, { speech: 'What are your office hours?' });
    expect(said(reply).join(' ')).toContain('office hours');
    expect((await fd.services.store.byCallSid(callSid))!.turn).toBe(2);
  });

  it('still answers a text when the app fails: a holding reply, and the on-call person is texted', async () => {
    jest.spyOn(fd.services.store, 'openSmsThread').mockRejectedValueOnce(new Error('database on fire'));
    const res = await fd.post('/twilio/sms', { MessageSid: fd.messageSid(), From: STRANGER, To: AGENCY_NUMBER, Body: 'Hello?' });
    expect(res.status).toBe(200);
    expect(res.text).toContain("We'll get back to you shortly");
    await new Promise((r) => setTimeout(r, 50));
    await fd.drainJobs();
    expect(fd.transport.sent.map((t) => t.to)).toContain(onCall()[0]);
  });

  it('records STOP in the opt-out ledger and answers nothing (Twilio replies itself)', async () => {
    const res = await fd.post('/twilio/sms', { MessageSid: fd.messageSid(), From: DANA, To: AGENCY_NUMBER, Body: 'STOP' });
    expect(res.text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await fd.services.optOuts.isOptedOut(DANA)).toBe(true);
  });

  it('holds a text conversation over several messages and gets a person to call back', async () => {
    const text = (Body: string) => fd.post('/twilio/sms', { MessageSid: fd.messageSid(), From: STRANGER, To: AGENCY_NUMBER, Body });
    const first = await text('Hello');
    expect(first.text).toMatch(/<Message>Thanks for texting Colorado CareAssist/);
    const second = await text('Can I talk to a real person please');
    expect(second.text).toMatch(/on-call staff know; someone will call you back soon/);
    await fd.drainJobs();
    const alert = fd.transport.sent.find((t) => t.to === onCall()[0]);
    expect(alert?.body).toContain(STRANGER); // staff need the number to call back
    // One thread: both texts belong to one conversation.
    const { rows } = await ctx.db.query(`SELECT id FROM conversations WHERE channel = 'sms' AND caller_phone = $1`, [STRANGER]);
    expect(rows).toHaveLength(1);
  });

  it('closes the call’s conversation when Twilio reports it completed', async () => {
    const { callSid } = await ring(DANA);
    const res = await fd.post('/twilio/voice/status', { CallSid: callSid, CallStatus: 'completed' });
    expect(res.status).toBe(204);
    expect((await fd.services.store.byCallSid(callSid))!.status).toBe('closed');
  });
}, { resetEach: false });
