/**
 * Small pieces every conversation flow after the router shares: reading an event's words,
 * noticing an emergency or a request for a person, and handing the caller back to the router to
 * be put through to on-call (the router owns the on-call chain, its voicemail and the SMS alert:
 * one place, not a copy per flow).
 */
import type { CallerIdentity, Channel, ConversationEvent, ConversationInput, Handoff, Lang, Line } from './conversation';
import { detectLanguage, isEmergency, isOperatorRequest } from './understand';

/** The runtime's flow names (src/twilio/webhooks.ts, src/app.ts). */
export const FLOWS = {
  voiceRouter: 'voice-router',
  smsRouter: 'sms-router',
  complaint: 'complaint',
  lead: 'lead',
  whereIsCaregiver: 'where-is-caregiver',
} as const;

/**
 * Why a flow hands the caller back to the router: 'operator' (they asked for a person),
 * 'emergency' (told to dial 911, then on-call), 'urgent' (an urgent complaint: on-call now).
 */
export type BackToRouter = 'operator' | 'emergency' | 'urgent';

export function routerFlow(channel: Channel): string {
  return channel === 'voice' ? FLOWS.voiceRouter : FLOWS.smsRouter;
}

/** The words (or keys) of an event, when it carries any. */
export function spoken(event: ConversationEvent): { text?: string; digits?: string } {
  if (event.type === 'INPUT') return { text: event.text, digits: event.digits };
  if (event.type === 'START') return { text: event.text };
  return {};
}

export function saidEmergency(event: ConversationEvent): boolean {
  const { text } = spoken(event);
  return !!text && isEmergency(text);
}

export function askedForPerson(event: ConversationEvent): boolean {
  if (event.type !== 'INPUT') return false;
  return isOperatorRequest(event.text ?? '', event.digits);
}

export function gaveText(event: ConversationEvent): boolean {
  return !!spoken(event).text?.trim();
}

/** The caller switched to Spanish (or stays in the language they were in). */
export function languageAfter(event: ConversationEvent, lang: Lang): Lang {
  const { text } = spoken(event);
  return text && detectLanguage(text) === 'es' ? 'es' : lang;
}

export function appendLine(lines: Line[], lang: Lang, text: string): Line[] {
  return [...lines, { text, lang }];
}

/** Who the caller is, as handed over by the router, or the only identity the number has. */
export function callerOf(input: ConversationInput): CallerIdentity | null {
  return input.handoff?.identity ?? (input.identities.length === 1 ? input.identities[0] : null);
}

/** The client a caller may hear about: themselves (a client) or the client they are a contact of. */
export function clientOf(caller: CallerIdentity | null): { id: string; firstName?: string } | null {
  if (caller?.kind === 'client') return { id: caller.clientId ?? caller.personId, firstName: caller.firstName };
  if (caller?.kind === 'contact' && caller.clientId) return { id: caller.clientId, firstName: caller.clientFirstName };
  return null;
}

export function handoffTo(
  flow: string,
  p: { topic: string; text?: string; identity?: CallerIdentity | null; lang: Lang; now: string },
): Handoff {
  return { flow, topic: p.topic, text: p.text, identity: p.identity ?? undefined, lang: p.lang, now: p.now };
}
