/**
 * The actions every machine shares, spread into each machine's setup():
 * `actions: { ...kitActions<ItsContext>(), ...its own }` (a function, so each machine's actions
 * are typed with its own context: xstate's action types are invariant in it).
 */
import { assign } from 'xstate';
import type { Channel, ConversationContextBase, ConversationEvent } from '../conversation';
import { languageAfter } from './words';

/** What the shared actions read and write of a machine's context. */
export interface KitActionContext extends ConversationContextBase {
  channel: Channel;
  now?: string;
  silences: number;
  misunderstandings?: number;
}

export function kitActions<C extends KitActionContext>() {
  const update = (f: (context: C, event: ConversationEvent) => Partial<KitActionContext>) =>
    assign<C, ConversationEvent, undefined, ConversationEvent, never>(({ context, event }) => f(context, event) as Partial<C>);
  return {
    /** The caller switched to Spanish (or stays in the language they were in). */
    noticeLanguage: update((context, event) => ({ lang: languageAfter(event, context.lang) })),
    /** Every event carries `now`: the flows never read a clock. */
    noteNow: update((context, event) => ({ now: event.now ?? context.now })),
    countSilence: update((context) => ({ silences: context.silences + 1 })),
    countMisunderstanding: update((context) => ({ misunderstandings: (context.misunderstandings ?? 0) + 1 })),
    /** A new question: its retries start from nothing. */
    resetRetries: update(() => ({ silences: 0, misunderstandings: 0 })),
    endConversation: update(() => ({ directive: { kind: 'end' } })),
  };
}
