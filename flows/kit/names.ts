/**
 * One registry of flow names and one union of the reasons a flow hands a caller back to the
 * router. The runtime (src/app.ts, src/twilio/webhooks.ts) and every machine use these names.
 */
import type { Channel } from '../conversation';

/** The runtime's flow names. */
export const FLOWS = {
  voiceRouter: 'voice-router',
  smsRouter: 'sms-router',
  callout: 'callout',
  complaint: 'complaint',
  lead: 'lead',
  whereIsCaregiver: 'where-is-caregiver',
} as const;

export type FlowName = (typeof FLOWS)[keyof typeof FLOWS];

export function routerFlow(channel: Channel): FlowName {
  return channel === 'voice' ? FLOWS.voiceRouter : FLOWS.smsRouter;
}

/**
 * Why a flow hands the caller back to the router, which owns the on-call chain, its voicemail,
 * the SMS alert and messages for staff (one place, not a copy per flow):
 * - 'operator': they asked for a person;
 * - 'emergency': told to dial 911, then on-call;
 * - 'urgent': an urgent complaint: on-call now;
 * - 'urgentShift': a shift already under way: a person sorts it out now;
 * - 'personOrMessage': two misses or two silences: offer a person or a message;
 * - 'message': the flow could not go on (WellSky down): the caller leaves a message. The topic
 *   handed to the router is `message:<topic>` (see handBackTopic).
 */
export type HandBack = 'operator' | 'emergency' | 'urgent' | 'urgentShift' | 'personOrMessage' | 'message';

export const HAND_BACKS: readonly HandBack[] = ['operator', 'emergency', 'urgent', 'urgentShift', 'personOrMessage', 'message'];

/** The Handoff topic the router reads for a hand-back: the reason, or `message:<topic>`. */
export function handBackTopic(reason: HandBack, messageTopic?: string): string {
  return reason === 'message' ? `message:${messageTopic ?? 'general'}` : reason;
}

/** The reason in a hand-back topic, and the message topic when it is a message. */
export function readHandBack(topic: string | null | undefined): { reason: HandBack; messageTopic?: string } | null {
  if (!topic) return null;
  if (topic.startsWith('message:')) return { reason: 'message', messageTopic: topic.slice('message:'.length) };
  return (HAND_BACKS as readonly string[]).includes(topic) ? { reason: topic as HandBack } : null;
}
