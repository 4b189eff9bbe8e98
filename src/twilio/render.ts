/**
 * Turn outcomes → TwiML, with the twilio SDK's builders (never string concatenation).
 * Action URLs carry only ASCII ids: the conversation id and a turn number.
 */
import twilio from 'twilio';
import type { Directive, Lang, Line } from '../../flows/conversation';
import type { TurnOutcome } from '../conversations/runtime';

const { VoiceResponse, MessagingResponse } = twilio.twiml;

type SayAttributes = { voice: 'Polly.Joanna' | 'Polly.Lupe'; language: 'en-US' | 'es-US' };

export function voiceFor(lang: Lang): SayAttributes {
  return lang === 'es' ? { voice: 'Polly.Lupe', language: 'es-US' } : { voice: 'Polly.Joanna', language: 'en-US' };
}

export const voicePaths = {
  turn: (c: string, t: number) => `/twilio/voice/turn?c=${encodeURIComponent(c)}&t=${t}`,
  wait: (c: string, t: number, w: number) => `/twilio/voice/turn?c=${encodeURIComponent(c)}&t=${t}&w=${w}`,
  dial: (c: string, t: number) => `/twilio/voice/dial?c=${encodeURIComponent(c)}&t=${t}`,
  recording: (c: string, t: number) => `/twilio/voice/recording?c=${encodeURIComponent(c)}&t=${t}`,
  transcription: (c: string) => `/twilio/voice/transcription?c=${encodeURIComponent(c)}`,
  voicemail: (c: string) => `/twilio/voice/voicemail?c=${encodeURIComponent(c)}`,
};

const RESTART_LINE: Record<Lang, string> = {
  en: "Sorry, let's start again.",
  es: 'Perdón, empecemos de nuevo.',
};
const ONE_MOMENT: Record<Lang, string> = {
  en: 'One moment, please.',
  es: 'Un momento, por favor.',
};

export interface VoiceRenderOptions {
  /** The agency number: callerId of every <Dial>. */
  callerId: string;
  /** Which wait redirect this is (1, 2, …) when the turn is slow. */
  waitNumber?: number;
}

export function renderVoice(outcome: TurnOutcome, opts: VoiceRenderOptions): string {
  const response = new VoiceResponse();
  const lines: Line[] = outcome.restarted ? [{ text: RESTART_LINE[outcome.lang], lang: outcome.lang }, ...outcome.lines] : outcome.lines;
  const d: Directive = outcome.directive;
  const c = outcome.conversationId;

  if (d.kind === 'gather') {
    const gather = response.gather({
      input: ['speech', 'dtmf'],
      action: voicePaths.turn(c, outcome.turn),
      method: 'POST',
      speechTimeout: 'auto',
      timeout: 6,
      language: voiceFor(outcome.lang).language,
      actionOnEmptyResult: true,
      ...(d.hints?.length ? { hints: d.hints.join(', ') } : {}),
      ...(d.numDigits ? { numDigits: d.numDigits } : {}),
    });
    for (const line of lines) gather.say(voiceFor(line.lang), line.text);
    // Belt and braces: if Twilio ever skips the empty-result action, the no-input path still runs.
    response.redirect({ method: 'POST' }, voicePaths.turn(c, outcome.turn));
    return response.toString();
  }

  for (const line of lines) response.say(voiceFor(line.lang), line.text);
  switch (d.kind) {
    case 'dial': {
      const dial = response.dial({ action: voicePaths.dial(c, outcome.turn), method: 'POST', callerId: opts.callerId, timeout: d.timeoutSeconds ?? 20 });
      dial.number(d.number);
      break;
    }
    case 'record':
      response.record({
        action: voicePaths.recording(c, outcome.turn),
        method: 'POST',
        maxLength: d.maxSeconds ?? 120,
        playBeep: true,
        transcribe: true,
        transcribeCallback: voicePaths.transcription(c),
        timeout: 5,
      });
      // An empty recording skips the action; the call then continues here.
      response.redirect({ method: 'POST' }, voicePaths.turn(c, outcome.turn));
      break;
    case 'wait': {
      const w = opts.waitNumber ?? 1;
      if (w <= 1) response.say(voiceFor(outcome.lang), ONE_MOMENT[outcome.lang]);
      response.pause({ length: 1 });
      response.redirect({ method: 'POST' }, voicePaths.wait(c, outcome.turn, w));
      break;
    }
    case 'end':
      response.hangup();
      break;
  }
  return response.toString();
}

/** An SMS reply: every new line in one message (empty response when there is nothing to say). */
export function renderSms(outcome: Pick<TurnOutcome, 'lines' | 'restarted' | 'lang'>): string {
  const response = new MessagingResponse();
  const text = smsText(outcome);
  if (text) response.message(text);
  return response.toString();
}

export function smsText(outcome: Pick<TurnOutcome, 'lines' | 'restarted' | 'lang'>): string {
  return outcome.lines.map((l) => l.text).join('\n').trim();
}

export function emptyTwiml(): string {
  return new MessagingResponse().toString();
}

const APOLOGY: Record<Lang, string> = {
  en: "I'm sorry, something went wrong on our side. Let me put you through to someone who can help.",
  es: 'Lo siento, tuvimos un problema. Le comunico con alguien que pueda ayudarle.',
};
const LEAVE_MESSAGE: Record<Lang, string> = {
  en: 'Nobody could take your call right now. Please leave your name, number and message after the tone, and we will call you back.',
  es: 'Nadie pudo contestar en este momento. Deje su nombre, número y mensaje después del tono y le llamaremos.',
};

/**
 * What a caller hears when the app itself fails: an apology, the on-call person, then a voicemail
 * (stored and texted to on-call by the voicemail route). Always valid TwiML.
 */
export function renderVoiceFailure(opts: { callerId: string; onCallNumber?: string; lang?: Lang; voicemailAction: string }): string {
  const lang = opts.lang ?? 'en';
  const response = new VoiceResponse();
  response.say(voiceFor(lang), APOLOGY[lang]);
  if (opts.onCallNumber) {
    const dial = response.dial({ callerId: opts.callerId, timeout: 20 });
    dial.number(opts.onCallNumber);
  }
  response.say(voiceFor(lang), LEAVE_MESSAGE[lang]);
  response.record({ action: opts.voicemailAction, method: 'POST', maxLength: 120, playBeep: true, transcribe: true, transcribeCallback: opts.voicemailAction + '&transcription=1' });
  response.hangup();
  return response.toString();
}

const SMS_FAILURE: Record<Lang, string> = {
  en: "Thanks for your message. We'll get back to you shortly.",
  es: 'Gracias por su mensaje. Le responderemos pronto.',
};

export function renderSmsFailure(lang: Lang = 'en'): string {
  const response = new MessagingResponse();
  response.message(SMS_FAILURE[lang]);
  return response.toString();
}

export function renderVoicemailThanks(lang: Lang = 'en'): string {
  const response = new VoiceResponse();
  response.say(voiceFor(lang), lang === 'es' ? 'Gracias. Recibimos su mensaje. Adiós.' : 'Thank you. We have your message. Goodbye.');
  response.hangup();
  return response.toString();
}
