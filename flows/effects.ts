/**
 * The named effects conversation machines invoke, as plain data in and out.
 *
 * Machines declare each effect by name in `setup({ actors })` with `unprovidedEffect(...)` as a
 * placeholder; the composition root supplies the real implementation with
 * `machine.provide({ actors: { takeMessage: fromPromise(...) } })`, tests a fake.
 *
 * Every input carries `conversationId` and `step`: together they are the idempotency key of the
 * effect (see `effectKey`). xstate starts an in-flight promise again when a snapshot is restored,
 * and Twilio retries webhooks, so an implementation must do its work at most once per key.
 * Inputs are JSON-safe: they are part of the persisted snapshot.
 */
import { fromPromise } from 'xstate';
import type { CallerIdentity, Lang } from './conversation';

/** Staff roles of the agency config (design.md, "Agency config"). */
export type StaffRole = 'oncall' | 'scheduler' | 'complaints' | 'intake' | 'owner';

/** What a message left for the staff is about. */
export type MessageTopic =
  | 'callout'
  | 'late'
  | 'uncallout'
  | 'claimShift'
  | 'complaint'
  | 'lead'
  | 'whereIsCaregiver'
  | 'emergency'
  | 'general';

/** Fields every effect input has: what makes a retried or restored effect recognisable. */
export interface EffectStep {
  /** The conversation the effect belongs to (ConversationInput.conversationId). */
  conversationId: string;
  /** Which step of the conversation asked for it, e.g. 'router.takeMessage'. Unique per conversation. */
  step: string;
}

/** The idempotency key of an effect: the same for a retry, different for every other effect. */
export function effectKey(input: EffectStep): string {
  return `${input.conversationId}:${input.step}`;
}

/**
 * `takeMessage`: store a message for a staff role and text it to the people holding that role.
 * A voice message comes as a recording (its transcription arrives later, outside the machine),
 * a text message as text. `incomplete` marks a message cut short (the caller hung up, or said
 * nothing): it may hold neither, and is still worth a call back.
 */
export interface TakeMessageInput extends EffectStep {
  role: StaffRole;
  topic: MessageTopic;
  /** E.164 of the caller: the number to call back. */
  callerPhone: string;
  /** Who the number belongs to, as far as the directory knows (maybe nobody, maybe several). */
  identities: CallerIdentity[];
  /** The language the caller was speaking: the call back should use it too. */
  lang: Lang;
  recordingUrl?: string;
  recordingSeconds?: number;
  text?: string;
  incomplete: boolean;
}

export interface TakeMessageOutput {
  /** A short reference of the stored message (shown to staff, may be told to the caller). */
  reference: string;
}

/**
 * Why the staff are alerted: an emergency, a caller asking for a person, or an urgent matter
 * another flow found (an urgent complaint) and handed back to be put through.
 */
export type AlertReason = 'emergency' | 'operator' | 'urgent';

/** `alertStaff`: text the people holding a role at once (on-call first of all). */
export interface AlertStaffInput extends EffectStep {
  role: StaffRole;
  reason: AlertReason;
  callerPhone: string;
  identities: CallerIdentity[];
  lang: Lang;
  /** What the caller wrote, when it helps the person who calls back (SMS only). */
  text?: string;
}

export type AlertStaffOutput = void;

/**
 * The placeholder a machine declares for an effect it names: it fails until the runtime (or a
 * test) provides the real one, so a forgotten `.provide()` shows as an effect error with the
 * effect's name instead of a silent success.
 */
export function unprovidedEffect<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`The effect "${name}" was not provided: supply it with machine.provide({ actors: { ${name} } }).`);
  });
}
