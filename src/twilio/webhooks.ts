/**
 * Twilio webhooks: parse, find the conversation, run one turn, answer TwiML. Every route here
 * answers valid TwiML (or 204 for status callbacks), even when something inside fails.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Clock } from '../clock';
import type { Config } from '../config';
import { staffWithRole } from '../config';
import { moduleLog, maskPhone } from '../log';
import type { ConversationEvent, ConversationInput, Lang } from '../../flows/conversation';
import { maySideReply } from '../../flows/understand';
import { ConversationBusyError, type TurnRequest, type TurnRuntime } from '../conversations/runtime';
import type { ConversationRow, ConversationStore } from '../conversations/store';
import type { StaffMessages } from '../conversations/staff-messages';
import { emptyTwiml, renderSms, renderSmsFailure, renderVoice, renderVoiceFailure, renderVoicemailThanks, voicePaths } from './render';
import { verifyTwilioSignature } from './signature';

const log = moduleLog('twilio.webhooks');

export const VOICE_FLOW = 'voice-router';
export const SMS_FLOW = 'sms-router';

export interface WebhookDeps {
  config: Pick<Config, 'agency' | 'twilio' | 'publicBaseUrl'>;
  clock: Clock;
  store: ConversationStore;
  runtime: TurnRuntime;
  conversationInput: (row: ConversationRow) => Promise<ConversationInput>;
  staffMessages: StaffMessages;
  /**
   * Opt-out and help keywords (English and Spanish): undefined when the text is not a keyword
   * (a bare YES from a subscribed caregiver is a shift reply); otherwise the keyword was recorded
   * and `reply` is the product's one answer (Twilio answers its own words: no reply then).
   */
  handleOptOutKeyword: (msg: { from: string; body: string; messageSid: string; optOutType?: string }) => Promise<{ reply?: string; lang: Lang } | undefined>;
  handleSmsStatus: (params: Record<string, string>) => Promise<void>;
  /**
   * Texts that are not conversation turns (shift-offer replies like "YES 4821", staff "OK"s):
   * return the reply text to answer and stop, or undefined to let the conversation have it.
   * Runs after the opt-out ledger and the understanding (flows/understand `maySideReply`): only
   * texts that are a reply, not an emergency or a conversation's business, reach it. Must be
   * idempotent by MessageSid.
   */
  interceptSms?: (msg: { from: string; to: string; body: string; messageSid: string }) => Promise<string | undefined>;
  /** Other owners of recordings (complaint cases) that want their transcription too. */
  onTranscription?: (t: { recordingUrl?: string; recordingSid?: string; text: string }) => Promise<unknown>;
}

type Params = Record<string, string | undefined>;

function twiml(res: Response, body: string): void {
  res.status(200).type('text/xml').send(body);
}

function turnNumber(q: unknown): number {
  const n = Number(q);
  return Number.isInteger(n) && n >= 0 && n < 10_000 ? n : -1;
}

export function createTwilioRouter(deps: WebhookDeps): Router {
  const router = express.Router();
  const { config, clock, store, runtime } = deps;
  const authTokens = config.twilio.mode === 'live' ? config.twilio.authTokens : [];
  const agencyNumber = config.twilio.phoneNumber;
  const onCall = staffWithRole(config.agency, 'oncall');

  router.use(express.urlencoded({ extended: false, limit: '64kb' }));
  router.use(verifyTwilioSignature({ publicBaseUrl: config.publicBaseUrl, authTokens }));

  const now = () => clock.now();
  const iso = () => now().toISOString();

  function voiceFailure(res: Response, err: unknown, where: string, callSid?: string, lang?: Lang): void {
    log.error('voice webhook failed; answering with the apology and on-call transfer', { where, error: (err as Error)?.message, busy: err instanceof ConversationBusyError });
    twiml(res, renderVoiceFailure({ callerId: agencyNumber, onCallNumber: onCall[0]?.phone, lang, voicemailAction: `/twilio/voice/voicemail?call=${encodeURIComponent(callSid ?? 'unknown')}` }));
  }

  /**
   * The conversation a turn URL names, and the call it belongs to. With a CallSid (Twilio always
   * sends one) nothing is read here: the lease statement reads the row, and refuses a row of
   * another call like an unknown one (no crossing into another call).
   */
  async function conversationFor(req: Request): Promise<{ ref: TurnRequest['conversation']; callSid: string | null } | undefined> {
    const c = typeof req.query.c === 'string' ? req.query.c : '';
    if (!c) return undefined;
    const params = req.body as Params;
    if (params.CallSid) return { ref: { id: c, callSid: params.CallSid }, callSid: params.CallSid };
    const row = await store.get(c);
    return row ? { ref: row, callSid: row.call_sid } : undefined;
  }

  async function voiceTurn(req: Request, res: Response, conversation: TurnRequest['conversation'], turnKey: string, event: ConversationEvent, waitNumber?: number): Promise<void> {
    const body = await runtime.run({
      conversation,
      turnKey,
      event,
      input: (row) => deps.conversationInput(row),
      render: (o) => renderVoice(o, { callerId: agencyNumber, waitNumber: o.pending ? (waitNumber ?? 0) + 1 : undefined }),
    });
    twiml(res, body);
  }

  // An incoming call: the first ring.
  router.post('/voice', async (req, res) => {
    const p = req.body as Params;
    try {
      if (!p.CallSid || !p.From) {
        twiml(res, renderVoiceFailure({ callerId: agencyNumber, onCallNumber: undefined, voicemailAction: '/twilio/voice/voicemail?call=unknown' }));
        return;
      }
      const { row } = await store.openVoice(p.CallSid, p.From, p.To ?? agencyNumber, VOICE_FLOW, runtime.flow(VOICE_FLOW).version);
      log.info('incoming call', { conversationId: row.id, from: maskPhone(p.From) });
      await voiceTurn(req, res, row, `voice:${p.CallSid}:0`, { type: 'START', now: iso() });
    } catch (err) {
      voiceFailure(res, err, 'voice', p.CallSid);
    }
  });

  // Speech or digits from a <Gather> (or none: the no-input path), and "one moment" redirects.
  router.post('/voice/turn', async (req, res) => {
    const p = req.body as Params;
    try {
      const conv = await conversationFor(req);
      const t = turnNumber(req.query.t);
      if (!conv || t < 0) {
        voiceFailure(res, new Error('unknown conversation or turn'), 'voice/turn', p.CallSid);
        return;
      }
      const w = turnNumber(req.query.w);
      const speech = p.SpeechResult?.trim();
      const digits = p.Digits?.trim();
      const event: ConversationEvent = speech || digits
        ? { type: 'INPUT', now: iso(), text: speech || undefined, digits: digits || undefined, confidence: p.Confidence ? Number(p.Confidence) : undefined }
        : { type: 'NO_INPUT', now: iso() };
      const key = w > 0 ? `voice:${conv.callSid}:${t}:w${w}` : `voice:${conv.callSid}:${t}`;
      await voiceTurn(req, res, conv.ref, key, event, w > 0 ? w : 0);
    } catch (err) {
      voiceFailure(res, err, 'voice/turn', p.CallSid);
    }
  });

  // The end of a <Dial> to a staff member.
  router.post('/voice/dial', async (req, res) => {
    const p = req.body as Params;
    try {
      const conv = await conversationFor(req);
      const t = turnNumber(req.query.t);
      if (!conv || t < 0) return voiceFailure(res, new Error('unknown conversation'), 'voice/dial', p.CallSid);
      await voiceTurn(req, res, conv.ref, `voice:${conv.callSid}:${t}`, { type: 'DIAL_RESULT', now: iso(), status: p.DialCallStatus ?? 'failed' });
    } catch (err) {
      voiceFailure(res, err, 'voice/dial', p.CallSid);
    }
  });

  // A finished <Record>.
  router.post('/voice/recording', async (req, res) => {
    const p = req.body as Params;
    try {
      const conv = await conversationFor(req);
      const t = turnNumber(req.query.t);
      if (!conv || t < 0) return voiceFailure(res, new Error('unknown conversation'), 'voice/recording', p.CallSid);
      await voiceTurn(req, res, conv.ref, `voice:${conv.callSid}:${t}`, {
        type: 'RECORDING', now: iso(), recordingUrl: p.RecordingUrl, durationSeconds: p.RecordingDuration ? Number(p.RecordingDuration) : undefined,
      });
    } catch (err) {
      voiceFailure(res, err, 'voice/recording', p.CallSid);
    }
  });

  // Twilio's transcription of a recording, some time after the call.
  router.post('/voice/transcription', async (req, res) => {
    const p = req.body as Params;
    try {
      if (p.TranscriptionStatus === 'completed' && p.TranscriptionText) {
        await deps.staffMessages.addTranscription({
          recordingUrl: p.RecordingUrl, recordingSid: p.RecordingSid, conversationId: typeof req.query.c === 'string' ? req.query.c : undefined, text: p.TranscriptionText,
        });
        await deps.onTranscription?.({ recordingUrl: p.RecordingUrl, recordingSid: p.RecordingSid, text: p.TranscriptionText });
      }
    } catch (err) {
      log.error('storing a transcription failed', { error: (err as Error).message });
    }
    res.status(204).end();
  });

  // The voicemail of the failure path (the app could not run the conversation).
  router.post('/voice/voicemail', async (req, res) => {
    const p = req.body as Params;
    const callSid = typeof req.query.call === 'string' ? req.query.call : p.CallSid ?? 'unknown';
    try {
      if (req.query.transcription) {
        if (p.TranscriptionText) await deps.staffMessages.addTranscription({ recordingUrl: p.RecordingUrl, recordingSid: p.RecordingSid, text: p.TranscriptionText });
        res.status(204).end();
        return;
      }
      if (p.RecordingUrl) {
        await deps.staffMessages.take({
          key: `voicemail:${callSid}`, role: 'oncall', topic: 'voicemail', callerPhone: p.From ?? 'unknown', recordingUrl: p.RecordingUrl, recordingSid: p.RecordingSid,
        });
      }
    } catch (err) {
      log.error('saving a fallback voicemail failed', { error: (err as Error).message });
    }
    twiml(res, renderVoicemailThanks());
  });

  // Call status callback: `completed` (and the other end states) close the conversation.
  router.post('/voice/status', async (req, res) => {
    const p = req.body as Params;
    try {
      const ended = ['completed', 'busy', 'failed', 'no-answer', 'canceled'].includes(p.CallStatus ?? '');
      const row = p.CallSid ? await store.byCallSid(p.CallSid) : undefined;
      if (ended && row && row.status === 'active') {
        await runtime.run({
          conversation: row, turnKey: `voice:${p.CallSid}:hangup`, event: { type: 'HANGUP', now: iso() },
          input: (r) => deps.conversationInput(r), render: () => '',
        });
        await store.close(row.id, now());
      }
    } catch (err) {
      log.error('call status handling failed', { error: (err as Error).message });
    }
    res.status(204).end();
  });

  // An incoming text.
  router.post('/sms', async (req, res) => {
    const p = req.body as Params;
    let lang: Lang = 'en';
    try {
      if (!p.From || !p.MessageSid) {
        twiml(res, emptyTwiml());
        return;
      }
      const body = (p.Body ?? '').slice(0, 1600);
      const keyword = await deps.handleOptOutKeyword({ from: p.From, body, messageSid: p.MessageSid, optOutType: p.OptOutType });
      if (keyword) {
        // Twilio answers its own words (STOP, START, HELP …) itself: we only record them. The
        // Spanish ones are ours to answer, once, in Spanish.
        twiml(res, keyword.reply ? renderSms({ lines: [{ text: keyword.reply, lang: keyword.lang }], restarted: false, lang: keyword.lang }) : emptyTwiml());
        return;
      }
      // Understanding first: an emergency or a call-out never goes to a side path, whatever digits it holds.
      if (deps.interceptSms && maySideReply(body)) {
        const intercepted = await deps.interceptSms({ from: p.From, to: p.To ?? agencyNumber, body, messageSid: p.MessageSid });
        if (intercepted !== undefined) {
          twiml(res, renderSms({ lines: intercepted ? [{ text: intercepted, lang: 'en' }] : [], restarted: false, lang: 'en' }));
          return;
        }
      }
      const { row, created } = await store.openSmsThread(p.From, p.To ?? agencyNumber, SMS_FLOW, runtime.flow(SMS_FLOW).version, now());
      log.info('incoming text', { conversationId: row.id, from: maskPhone(p.From), newThread: created });
      const event: ConversationEvent = created ? { type: 'START', now: iso(), text: body } : { type: 'INPUT', now: iso(), text: body };
      const reply = await runtime.run({
        conversation: row, turnKey: `sms:${p.MessageSid}`, event, input: (r) => deps.conversationInput(r),
        render: (o) => {
          lang = o.lang;
          return renderSms(o);
        },
      });
      twiml(res, reply);
    } catch (err) {
      log.error('sms webhook failed; answering with a holding reply and alerting staff', { error: (err as Error)?.message });
      twiml(res, renderSmsFailure(lang));
      if (p.From && p.MessageSid) {
        deps.staffMessages
          .take({ key: `sms-failure:${p.MessageSid}`, role: 'oncall', topic: 'general', callerPhone: p.From, body: p.Body })
          .catch((e) => log.error('staff alert after sms failure failed', { error: (e as Error).message }));
      }
    }
  });

  router.post('/sms/status', async (req, res) => {
    try {
      await deps.handleSmsStatus(req.body as Record<string, string>);
    } catch (err) {
      log.error('sms status callback failed', { error: (err as Error).message });
    }
    res.status(204).end();
  });

  return router;
}

export { voicePaths };
