/** What every flow after the router keeps of its conversation, and how it says a line. */
import type { CallerIdentity, Channel, ConversationContextBase, ConversationInput, Handoff, Lang, Line } from '../conversation';
import { appendLine } from './words';

export interface FlowContext extends ConversationContextBase {
  conversationId: string;
  channel: Channel;
  callerPhone: string;
  identities: CallerIdentity[];
  agency: ConversationInput['agency'];
  /** Silences in a row at the current question. */
  silences: number;
  /** Where the conversation goes next (the router, or another flow), once decided. */
  handoff: Handoff | null;
  /** `now` of the latest event (UTC ISO): the flows never read a clock. */
  now: string;
}

/** A flow's output: where the conversation goes next, when it goes on elsewhere. */
export interface FlowOutput {
  handoff?: Handoff;
}

/** The fields every flow's context starts with, from the router's hand-off. */
export function flowContextOf(input: ConversationInput): FlowContext {
  return {
    lines: [],
    directive: { kind: 'gather' },
    lang: input.handoff?.lang ?? input.lang,
    conversationId: input.conversationId,
    channel: input.channel,
    callerPhone: input.callerPhone,
    identities: input.identities,
    agency: input.agency,
    silences: 0,
    handoff: null,
    now: input.handoff?.now ?? input.now,
  };
}

/** `say(context, (p) => p.line(...))`: appends one line of the flow's phrases, in the caller's language. */
export function sayer<P>(phrasesFor: (lang: Lang) => P) {
  return (context: { lines: Line[]; lang: Lang }, line: (phrases: P) => string): Line[] =>
    appendLine(context.lines, context.lang, line(phrasesFor(context.lang)));
}

/** A flow's output: what it decided, and the hand-off when the conversation goes on elsewhere. */
export function flowOutput<T extends object>(context: { handoff: Handoff | null }, decided: T): T & FlowOutput {
  return { ...decided, ...(context.handoff ? { handoff: context.handoff } : {}) };
}
