/**
 * Reading an event's words and the facts every flow asks of them. The words themselves live in
 * the lexicons (flows/understand); these only ask the understanding.
 */
import type { CallerIdentity, ConversationInput, Handoff, Lang, Line } from '../conversation';
import { detectLanguage, isEmergency, isOperatorRequest, yesNo } from '../understand';
import type { FlowName } from './names';

/** Any conversation event (the routers' and the flows' events are the same union). */
export interface KitEvent {
  type: string;
  now: string;
  text?: string;
  digits?: string;
}

/** The words (or keys) of an event, when it carries any. */
export function spoken(event: KitEvent): { text?: string; digits?: string } {
  if (event.type === 'INPUT') return { text: event.text, digits: event.digits };
  if (event.type === 'START') return { text: event.text };
  return {};
}

export function gaveText(event: KitEvent): boolean {
  return !!spoken(event).text?.trim();
}

export function saidEmergency(event: KitEvent): boolean {
  const { text } = spoken(event);
  return !!text && isEmergency(text);
}

export function askedForPerson(event: KitEvent): boolean {
  if (event.type !== 'INPUT') return false;
  return isOperatorRequest(event.text ?? '', event.digits);
}

/** Yes by voice, by text, or by pressing 1. */
export function answeredYes(event: KitEvent, lang: Lang): boolean {
  const { text, digits } = spoken(event);
  return digits === '1' || (!!text && yesNo(text, lang) === 'yes');
}

/** No by voice, by text, or by pressing 2. */
export function answeredNo(event: KitEvent, lang: Lang): boolean {
  const { text, digits } = spoken(event);
  return digits === '2' || (!!text && yesNo(text, lang) === 'no');
}

/** The caller switched to Spanish (or stays in the language they were in). */
export function languageAfter(event: KitEvent, lang: Lang): Lang {
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
  flow: FlowName,
  p: { topic: string; text?: string; identity?: CallerIdentity | null; lang: Lang; now: string },
): Handoff {
  return { flow, topic: p.topic, text: p.text, identity: p.identity ?? undefined, lang: p.lang, now: p.now };
}
