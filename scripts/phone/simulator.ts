/**
 * A local stand-in for Twilio and a phone. It posts signed webhooks like Twilio does, follows the
 * TwiML that comes back (Gather, Redirect, Dial, Record, Hangup, Message) and records what the
 * caller heard. Used by `npm run phone` and by end-to-end tests.
 */
import { Caller, CallerLine, DialOutcome, describeCallerLine, parseScript, scriptedCaller } from './caller';
import { TranscriptLine } from './transcript';
import { DialVerb, GatherVerb, RecordVerb, TwimlError, Verb, parseMessagingTwiml, parseTwiml } from './twiml';
import {
  DEFAULT_AGENCY_NUMBER,
  DEV_ACCOUNT_SID,
  DEV_AUTH_TOKEN,
  FetchLike,
  WebhookAnswer,
  WebhookTarget,
  defaultFetch,
  newSid,
  resolvePublicUrl,
  sendWebhook,
  trimBase,
} from './webhook';

export type { TranscriptLine } from './transcript';
export type { FetchLike } from './webhook';
export type { CallerLine, DialOutcome } from './caller';

export interface SimOptions {
  /** Where the server listens, e.g. http://localhost:3000. */
  base: string;
  /** The server's PUBLIC_BASE_URL; signatures are computed over it. Defaults to base. */
  publicBase?: string;
  /** Defaults to TWILIO_AUTH_TOKEN, then a dev token (a dev-mode server accepts anything). */
  authToken?: string;
  accountSid?: string;
  /** The caller's phone, E.164. */
  from: string;
  /** The agency number; defaults to +13035550100. */
  to?: string;
  callSid?: string;
  /** How a <Dial> ends unless the script says otherwise; default completed. */
  dialOutcome?: DialOutcome;
  fetchImpl?: FetchLike;
  /** Called as each transcript line happens (the CLI prints them live). */
  onLine?: (line: TranscriptLine) => void;
  /** Guard against Redirect or Record loops; default 100 requests per call. */
  maxRequests?: number;
  /**
   * Twilio capitalises and punctuates speech ("yes" arrives as "Yes."); the simulator does too,
   * so the app is tested against what it will really get. Set to send speech exactly as written.
   */
  rawSpeech?: boolean;
}

export type CallEnd = 'hangup' | 'script-exhausted' | 'no-more-verbs' | 'error';

export interface CallResult {
  callSid: string;
  transcript: TranscriptLine[];
  /** Every <Say> the caller heard, in order. */
  heard: string[];
  ended: CallEnd;
  /** Set when ended is 'error': what went wrong. */
  error?: string;
  /** Numbers (or clients, SIP URIs) a <Dial> rang, unmasked. */
  dialed: string[];
  recorded: boolean;
  /** Texts the call's TwiML sent with <Message>. */
  messages: Array<{ to: string; body: string }>;
  /** HTTP requests made, status callback included. */
  requests: number;
  /** Script lines left when the call ended (scripted calls only): the call went shorter than the script expected. */
  unusedScriptLines?: number;
  /** Things a real call would survive but the app should fix (status callback not 2xx, wrong content type). */
  problems: string[];
}

export interface TextResult {
  messageSid: string;
  replies: string[];
  /** Replies with their recipient (a <Message to=…> may address someone other than the sender). */
  messages: Array<{ to: string; body: string }>;
}

export interface DevText {
  id: number;
  to: string;
  body: string;
  purpose?: string;
  createdAt?: string;
}

export class DevOutboxUnavailableError extends Error {
  constructor(url: string, status: number) {
    super(`the dev outbox is not available at ${url} (HTTP ${status}); the server must run in dev Twilio mode`);
    this.name = 'DevOutboxUnavailableError';
  }
}

/** Runs one call with a scripted caller: one script line per Gather or Record. */
export async function simulateCall(opts: SimOptions & { script: string[] }): Promise<CallResult> {
  const caller = scriptedCaller(parseScript(opts.script));
  const result = await runCall(opts, caller);
  return { ...result, unusedScriptLines: caller.remaining() };
}

/** Runs one call with any caller (a script, or a person at a prompt). */
export async function runCall(opts: SimOptions, caller: Caller): Promise<CallResult> {
  return new CallSession(opts, caller).run();
}

/** Sends one inbound text and returns the app's replies. */
export async function simulateText(opts: SimOptions & { body: string; messageSid?: string }): Promise<TextResult> {
  const target = webhookTarget(opts);
  const messageSid = opts.messageSid ?? newSid('SM');
  const to = opts.to ?? DEFAULT_AGENCY_NUMBER;
  const params: Record<string, string> = {
    MessageSid: messageSid,
    SmsMessageSid: messageSid,
    SmsSid: messageSid,
    AccountSid: opts.accountSid ?? accountSidFromEnv(),
    From: opts.from,
    To: to,
    Body: opts.body,
    NumMedia: '0',
    NumSegments: String(segmentsOf(opts.body)),
    SmsStatus: 'received',
    ApiVersion: '2010-04-01',
  };
  const answer = await sendWebhook(target, `${target.publicBase}/twilio/sms`, params);
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`POST /twilio/sms answered HTTP ${answer.status}: ${snippet(answer.body)}`);
  }
  let parsed: Array<{ to?: string; body: string }>;
  try {
    parsed = parseMessagingTwiml(answer.body);
  } catch (err) {
    throw new Error(`POST /twilio/sms answered invalid TwiML: ${(err as Error).message}`);
  }
  const messages = parsed.map((m) => ({ to: m.to ?? opts.from, body: m.body }));
  return { messageSid, replies: messages.map((m) => m.body), messages };
}

/** Texts the app has sent to anyone (dev Twilio mode only), optionally those after an id. */
export async function fetchDevTexts(base: string, after?: number, fetchImpl: FetchLike = defaultFetch): Promise<DevText[]> {
  const url = `${trimBase(base)}/dev/texts${after === undefined ? '' : `?after=${after}`}`;
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await fetchImpl(url, { method: 'GET', headers: { accept: 'application/json' } });
  } catch (err) {
    throw new Error(`cannot reach ${url} (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message})`);
  }
  const text = await res.text();
  if (res.status === 404) throw new DevOutboxUnavailableError(url, res.status);
  if (res.status !== 200) throw new Error(`GET ${url} answered HTTP ${res.status}: ${snippet(text)}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`GET ${url} did not answer JSON: ${snippet(text)}`);
  }
  const texts = (json as { texts?: unknown }).texts;
  if (!Array.isArray(texts)) throw new Error(`GET ${url} answered JSON without a "texts" array`);
  return texts as DevText[];
}

/** The id of the newest text in the dev outbox (0 when empty): "texts from now on" start after it. */
export async function latestDevTextId(base: string, fetchImpl: FetchLike = defaultFetch): Promise<number> {
  return (await fetchDevTexts(base, undefined, fetchImpl)).reduce((max, t) => Math.max(max, t.id), 0);
}

/**
 * Polls the dev outbox for `waitMs`, calling `onText` for each new text (to anyone) after `after`.
 * Returns every text seen. Texts are often sent a moment after the webhook answers (a job does
 * it), hence the wait.
 */
export async function watchDevTexts(
  base: string,
  opts: { after: number; waitMs: number; intervalMs?: number; onText?: (text: DevText) => void; fetchImpl?: FetchLike },
): Promise<DevText[]> {
  const seen: DevText[] = [];
  let after = opts.after;
  const until = Date.now() + opts.waitMs;
  for (;;) {
    for (const text of await fetchDevTexts(base, after, opts.fetchImpl)) {
      if (text.id <= after) continue;
      seen.push(text);
      opts.onText?.(text);
      after = text.id;
    }
    const left = until - Date.now();
    if (left <= 0) return seen;
    await new Promise((resolve) => setTimeout(resolve, Math.min(opts.intervalMs ?? 250, left)));
  }
}

// ---------------------------------------------------------------------------------------------

const CALL_PATH = '/twilio/voice';
const STATUS_PATH = '/twilio/voice/status';

class CallEnded extends Error {
  constructor(readonly reason: CallEnd, message: string = reason, readonly callStatus = 'completed') {
    super(message);
  }
}

/** What a verb leads to: the next verb, a new document, or the end of the call. */
type Step = { next: 'verb' } | { next: 'document'; verbs: Verb[]; url: string };

class CallSession {
  private readonly target: WebhookTarget;
  private readonly callSid: string;
  private readonly result: CallResult;
  private readonly startedAt = Date.now();
  private simulatedSeconds = 0;
  private firstRequest = true;
  /** A `dial:` answer typed at a prompt: how the next <Dial> ends. */
  private pendingDialOutcome?: DialOutcome;

  constructor(private readonly opts: SimOptions, private readonly caller: Caller) {
    this.target = webhookTarget(opts);
    this.callSid = opts.callSid ?? newSid('CA');
    this.result = {
      callSid: this.callSid,
      transcript: [],
      heard: [],
      ended: 'no-more-verbs',
      dialed: [],
      recorded: false,
      messages: [],
      requests: 0,
      problems: [],
    };
  }

  async run(): Promise<CallResult> {
    let callStatus = 'completed';
    try {
      let doc = await this.fetchDocument(`${this.target.publicBase}${CALL_PATH}`, 'POST', {});
      for (;;) {
        const step = await this.performAll(doc.verbs, doc.url);
        if (step.next === 'verb') throw new CallEnded('no-more-verbs', 'no more verbs');
        doc = step;
      }
    } catch (err) {
      if (err instanceof CallEnded) {
        this.result.ended = err.reason;
        callStatus = err.callStatus;
        if (err.reason === 'error') this.fail(err.message);
      } else {
        this.result.ended = 'error';
        this.fail((err as Error).message);
      }
    }
    await this.postStatusCallback(callStatus);
    return this.result;
  }

  private fail(message: string): void {
    this.result.error = message;
    this.emit({ kind: 'error', text: message });
  }

  private emit(line: TranscriptLine): void {
    this.result.transcript.push(line);
    this.opts.onLine?.(line);
  }

  private callParams(): Record<string, string> {
    const to = this.opts.to ?? DEFAULT_AGENCY_NUMBER;
    return {
      CallSid: this.callSid,
      AccountSid: this.opts.accountSid ?? accountSidFromEnv(),
      From: this.opts.from,
      To: to,
      Caller: this.opts.from,
      Called: to,
      CallStatus: this.firstRequest ? 'ringing' : 'in-progress',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    };
  }

  private async send(url: string, method: 'GET' | 'POST', params: Record<string, string>): Promise<WebhookAnswer> {
    const limit = this.opts.maxRequests ?? 100;
    if (this.result.requests >= limit) {
      throw new CallEnded('error', `more than ${limit} requests in one call; is a <Redirect> or <Record> looping?`);
    }
    this.result.requests++;
    const started = Date.now();
    const answer = await sendWebhook(this.target, url, params, method);
    const shown = url.startsWith(this.target.publicBase) ? url.slice(this.target.publicBase.length) : url;
    this.emit({ kind: 'request', method, url: shown, status: answer.status, ms: Date.now() - started });
    return answer;
  }

  /** Requests a TwiML document; anything but 200 with valid TwiML ends the call, as on Twilio. */
  private async fetchDocument(url: string, method: 'GET' | 'POST', extra: Record<string, string>) {
    const params = { ...this.callParams(), ...extra };
    this.firstRequest = false;
    const answer = await this.send(url, method, params);
    const path = url.replace(this.target.publicBase, '');
    if (answer.status !== 200) {
      throw new CallEnded('error', `${method} ${path} answered HTTP ${answer.status} (Twilio would say "an application error has occurred"): ${snippet(answer.body)}`);
    }
    if (!/xml/i.test(answer.contentType)) {
      this.result.problems.push(`${method} ${path} answered Content-Type "${answer.contentType}"; Twilio expects text/xml`);
    }
    try {
      return { verbs: parseTwiml(answer.body), url };
    } catch (err) {
      if (err instanceof TwimlError) throw new CallEnded('error', `${method} ${path} answered invalid TwiML: ${err.message}`);
      throw err;
    }
  }

  private async performAll(verbs: Verb[], docUrl: string): Promise<Step> {
    for (const verb of verbs) {
      const step = await this.perform(verb, docUrl);
      if (step.next === 'document') return step;
    }
    return { next: 'verb' };
  }

  private async perform(verb: Verb, docUrl: string): Promise<Step> {
    switch (verb.verb) {
      case 'Say':
      case 'Play':
      case 'Pause':
        this.announce(verb);
        return { next: 'verb' };
      case 'Gather':
        return this.gather(verb, docUrl);
      case 'Redirect':
        return { next: 'document', ...(await this.fetchDocument(this.resolve(verb.url, docUrl), verb.method, {})) };
      case 'Dial':
        return this.dial(verb, docUrl);
      case 'Record':
        return this.record(verb, docUrl);
      case 'Message': {
        const message = { to: verb.to ?? this.opts.from, body: verb.body };
        this.result.messages.push(message);
        this.emit({ kind: 'message', ...message });
        return { next: 'verb' };
      }
      case 'Hangup':
        throw new CallEnded('hangup', 'the app hung up');
      case 'Reject':
        this.emit({ kind: 'note', text: `the app rejected the call (${verb.reason})` });
        throw new CallEnded('hangup', 'rejected', verb.reason === 'busy' ? 'busy' : 'no-answer');
    }
  }

  private announce(verb: Verb): void {
    if (verb.verb === 'Say') {
      this.result.heard.push(verb.text);
      this.simulatedSeconds += Math.ceil(verb.text.split(/\s+/).length / 2.5);
      this.emit({ kind: 'say', text: verb.text, language: verb.language, voice: verb.voice });
    } else if (verb.verb === 'Play') {
      this.emit({ kind: 'play', url: verb.url });
    } else if (verb.verb === 'Pause') {
      this.simulatedSeconds += verb.seconds;
      this.emit({ kind: 'pause', seconds: verb.seconds });
    }
  }

  private resolve(url: string, docUrl: string): string {
    return resolvePublicUrl(this.target, url, docUrl);
  }

  private async answer(ask: Parameters<Caller['next']>[0]): Promise<CallerLine> {
    const line = await this.caller.next(ask);
    if (!line) throw new CallEnded('script-exhausted', 'the script ran out while the app was still asking for input');
    this.emit({
      kind: 'caller',
      text: describeCallerLine(line),
      speech: line.kind === 'speech' ? line.text : undefined,
      digits: line.kind === 'digits' ? line.digits : undefined,
    });
    if (line.kind === 'hangup') throw new CallEnded('hangup', 'the caller hung up');
    if (line.kind === 'dial') {
      this.pendingDialOutcome = line.outcome;
      return this.answer(ask);
    }
    return line;
  }

  private async gather(gather: GatherVerb, docUrl: string): Promise<Step> {
    for (const prompt of gather.prompts) this.announce(prompt);
    const line = await this.answer({ kind: 'gather', speech: gather.input.speech, dtmf: gather.input.dtmf });

    let result: Record<string, string> | undefined;
    if (line.kind === 'speech' && line.text.trim() !== '') {
      if (gather.input.speech) result = { SpeechResult: this.asTwilioHearsIt(line.text), Confidence: '0.91' };
      else this.emit({ kind: 'note', text: 'this <Gather> only listens for key presses; the speech is not heard' });
    } else if (line.kind === 'digits') {
      const digits = this.keysAsTwilioSendsThem(line.digits, gather);
      if (!gather.input.dtmf) this.emit({ kind: 'note', text: 'this <Gather> only listens for speech; the key presses are not heard' });
      else if (digits !== '') result = { Digits: digits };
    }

    const action = this.resolve(gather.action ?? docUrl, docUrl);
    if (result) return { next: 'document', ...(await this.fetchDocument(action, gather.method, result)) };
    this.simulatedSeconds += gather.timeoutSeconds;
    if (gather.actionOnEmptyResult) return { next: 'document', ...(await this.fetchDocument(action, gather.method, {})) };
    this.emit({ kind: 'note', text: 'no input; Twilio moves on to the next verb' });
    return { next: 'verb' };
  }

  private asTwilioHearsIt(text: string): string {
    const trimmed = text.trim();
    if (this.opts.rawSpeech) return trimmed;
    const capitalised = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
    return /[.?!]$/.test(capitalised) ? capitalised : `${capitalised}.`;
  }

  /** Twilio stops at the finish key (not sent) or after numDigits keys. */
  private keysAsTwilioSendsThem(keys: string, gather: GatherVerb): string {
    let digits = keys;
    if (gather.finishOnKey) {
      const at = digits.indexOf(gather.finishOnKey);
      if (at >= 0) digits = digits.slice(0, at);
    }
    return gather.numDigits ? digits.slice(0, gather.numDigits) : digits;
  }

  private async dial(dial: DialVerb, docUrl: string): Promise<Step> {
    const outcome = this.caller.takeDialOutcome?.() ?? this.takePendingDialOutcome() ?? this.opts.dialOutcome ?? 'completed';
    const targets = dial.targets.map((t) => (t.kind === 'number' ? t.value : `${t.kind}:${t.value}`));
    this.result.dialed.push(...targets);
    const seconds = outcome === 'completed' ? 42 : 0;
    this.simulatedSeconds += outcome === 'completed' ? seconds : Math.min(dial.timeoutSeconds, 20);
    this.emit({ kind: 'dial', targets, outcome, seconds });
    // Without an action Twilio carries on with the next verb once the other leg ends.
    if (!dial.action) return { next: 'verb' };
    return {
      next: 'document',
      ...(await this.fetchDocument(this.resolve(dial.action, docUrl), dial.method, {
        DialCallStatus: outcome,
        DialCallDuration: String(seconds),
        DialCallSid: newSid('CA'),
      })),
    };
  }

  private takePendingDialOutcome(): DialOutcome | undefined {
    const outcome = this.pendingDialOutcome;
    this.pendingDialOutcome = undefined;
    return outcome;
  }

  private async record(record: RecordVerb, docUrl: string): Promise<Step> {
    if (record.playBeep) this.emit({ kind: 'note', text: 'beep' });
    const line = await this.answer({ kind: 'record' });
    if (line.kind !== 'speech' || line.text.trim() === '') {
      this.emit({ kind: 'note', text: 'nothing was recorded; Twilio skips the action and moves on to the next verb' });
      return { next: 'verb' };
    }
    const text = line.text.trim();
    const seconds = Math.min(record.maxLengthSeconds, Math.max(1, Math.ceil(text.split(/\s+/).length / 2.5)));
    const recordingSid = newSid('RE');
    const recordingUrl = `https://api.twilio.com/2010-04-01/Accounts/${this.callParams().AccountSid}/Recordings/${recordingSid}`;
    const transcribed = record.transcribe && Boolean(record.transcribeCallback);
    this.simulatedSeconds += seconds;
    this.result.recorded = true;
    this.emit({ kind: 'record', text, seconds, transcribed });

    const action = this.resolve(record.action ?? docUrl, docUrl);
    const doc = await this.fetchDocument(action, record.method, {
      RecordingUrl: recordingUrl,
      RecordingSid: recordingSid,
      RecordingDuration: String(seconds),
    });
    if (transcribed) await this.postTranscription(this.resolve(record.transcribeCallback!, docUrl), text, recordingSid, recordingUrl);
    return { next: 'document', ...doc };
  }

  /** Twilio posts the transcription later, on its own; its answer is ignored unless it fails. */
  private async postTranscription(url: string, text: string, recordingSid: string, recordingUrl: string): Promise<void> {
    const answer = await this.send(url, 'POST', {
      ...this.callParams(),
      TranscriptionSid: newSid('TR'),
      TranscriptionText: text,
      TranscriptionStatus: 'completed',
      TranscriptionUrl: `${recordingUrl}/Transcriptions`,
      RecordingSid: recordingSid,
      RecordingUrl: recordingUrl,
    });
    if (answer.status < 200 || answer.status > 299) {
      this.result.problems.push(`transcription callback ${url} answered HTTP ${answer.status}`);
    }
  }

  private async postStatusCallback(callStatus: string): Promise<void> {
    const seconds = callStatus === 'completed' ? Math.max(1, Math.round((Date.now() - this.startedAt) / 1000 + this.simulatedSeconds)) : 0;
    this.emit({ kind: 'end', reason: this.result.ended, callStatus, seconds });
    try {
      const answer = await sendWebhook(this.target, `${this.target.publicBase}${STATUS_PATH}`, {
        ...this.callParams(),
        CallStatus: callStatus,
        CallDuration: String(seconds),
      });
      this.result.requests++;
      if (answer.status < 200 || answer.status > 299) {
        this.result.problems.push(`status callback ${STATUS_PATH} answered HTTP ${answer.status} (expected 204)`);
      }
    } catch (err) {
      this.result.problems.push(`status callback ${STATUS_PATH} failed: ${(err as Error).message}`);
    }
  }
}

function webhookTarget(opts: SimOptions): WebhookTarget {
  const base = trimBase(opts.base);
  return {
    base,
    publicBase: trimBase(opts.publicBase ?? base),
    authToken: opts.authToken ?? process.env.TWILIO_AUTH_TOKEN ?? DEV_AUTH_TOKEN,
    fetchImpl: opts.fetchImpl ?? defaultFetch,
  };
}

function accountSidFromEnv(): string {
  return process.env.TWILIO_ACCOUNT_SID ?? DEV_ACCOUNT_SID;
}

/** Segments as Twilio counts them: GSM-7 text 160 (153 when split), anything else 70 (67). */
function segmentsOf(body: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\x0A\x0D\x20-\x7E£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(body);
  const [single, split] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / split);
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}...` : flat || '(empty body)';
}
