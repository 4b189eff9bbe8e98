/**
 * The contract between conversation machines (flows/*.machine.ts) and the turn runtime
 * (src/conversations/). Machines are pure: they read events and context, append what to say to
 * `context.lines`, and set `context.directive` to what happens next. The runtime renders the new
 * lines (those appended during this turn) and the directive as TwiML (voice) or a reply text (SMS).
 *
 * Everything here is JSON-safe: it is persisted in the conversation snapshot.
 */

export type Lang = 'en' | 'es';
export type Channel = 'voice' | 'sms';

/** Who a phone number belongs to (from the caller directory). One number may have several. */
export interface CallerIdentity {
  kind: 'caregiver' | 'client' | 'prospect' | 'contact' | 'staff';
  personId: string;
  firstName: string;
  lastName: string;
  /** For a contact: the client whose contact they are. For a client: their own id. */
  clientId?: string;
  clientFirstName?: string;
  relationship?: string;
  language: Lang;
  active: boolean;
  hired?: boolean;
  roles?: string[];
  primaryContact?: boolean;
}

/** One thing said (voice) or written (SMS) to the caller. */
export interface Line {
  text: string;
  lang: Lang;
}

export interface StaffContact {
  name: string;
  /** E.164 */
  phone: string;
}

/** What happens after the lines are said. */
export type Directive =
  /** Wait for the caller: voice `<Gather input="speech dtmf">`; SMS: wait for the next text. */
  | {
      kind: 'gather';
      hints?: string[];
      numDigits?: number;
      /**
       * The question asked is a yes-or-no one. A bare "YES" texted while a conversation waits
       * like this answers the conversation, not a shift offer (src/shiftfill/claims.ts).
       */
      expectsYesNo?: boolean;
    }
  /** Voice: `<Dial>` this number (one person of the on-call chain); the result comes back as DIAL_RESULT. */
  | { kind: 'dial'; number: string; timeoutSeconds?: number }
  /** Voice: `<Record>` with transcription; the result comes back as RECORDING. */
  | { kind: 'record'; maxSeconds?: number }
  /** Wait while slow work finishes: the runtime says the lines and redirects back for the result. */
  | { kind: 'wait' }
  /** The conversation is over: voice `<Hangup/>`; SMS: no further reply expected. */
  | { kind: 'end' };

/** What the runtime knows when a conversation starts. */
export interface ConversationInput {
  /** Stable id of this conversation: effects use it to build idempotency keys. */
  conversationId: string;
  channel: Channel;
  /** E.164 of the caller (the conversation's own data; never logged). */
  callerPhone: string;
  identities: CallerIdentity[];
  /** Language to start in: from the caller's language on file, else English. */
  lang: Lang;
  agency: {
    name: string;
    timezone: string;
    /** Office open at the start of the conversation (agency hours, agency time zone). */
    officeOpen: boolean;
    officeHoursText: { en: string; es: string };
    serviceAreaText: string;
    callbackHours: number;
    onCall: StaffContact[];
  };
  /** UTC ISO instant the conversation started. */
  now: string;
  /** Set when another flow handed this conversation over (see `Handoff`). */
  handoff?: Handoff;
}

/**
 * A flow that finishes by passing the conversation to another outputs `{ handoff }` from its
 * final state (`output: ({ context }) => ({ handoff })`). The runtime starts `flow` in the same
 * turn with the same input plus this, sends it START, and says both flows' lines together.
 */
export interface Handoff {
  flow: string;
  /** Why: the intent that sent the caller here ('callout', 'late', 'complaint', 'newClient', …). */
  topic: string;
  /** What the caller said that led here, so the next flow need not ask again. */
  text?: string;
  /** The identity the caller chose or was known by (one of ConversationInput.identities). */
  identity?: CallerIdentity;
  lang: Lang;
  /** UTC ISO instant of the hand-off. */
  now: string;
}

/** Events the runtime sends. Every event carries `now` (UTC ISO): machines never read a clock. */
export type ConversationEvent =
  /** The first webhook of a call, or the first text of a thread (with its body). */
  | { type: 'START'; now: string; text?: string }
  /** Speech (`SpeechResult`), digits, or a text message. */
  | { type: 'INPUT'; now: string; text?: string; digits?: string; confidence?: number }
  /** A Gather ended without input. */
  | { type: 'NO_INPUT'; now: string }
  | { type: 'DIAL_RESULT'; now: string; status: 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled' | string }
  | { type: 'RECORDING'; now: string; recordingUrl?: string; durationSeconds?: number }
  /** The caller hung up (call status `completed`) or the SMS thread went idle. */
  | { type: 'HANGUP'; now: string };

/** Context fields every conversation machine has. */
export interface ConversationContextBase {
  lines: Line[];
  directive: Directive;
  lang: Lang;
}

/** Tag on every state that waits for the caller (the runtime's "settled" test). */
export const AWAITING_INPUT = 'awaitingInput';
