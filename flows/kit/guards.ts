/**
 * The guards every machine shares, spread into each machine's setup():
 * `guards: { ...kitGuards, ...its own }`. A machine that reads an utterance its own way (the
 * router's scored understanding) overrides the one it needs.
 */
import type { Channel, Lang } from '../conversation';
import { answeredNo, answeredYes, askedForPerson, gaveText, saidEmergency, type KitEvent } from './words';

/** What the shared guards read of a machine's context. */
export interface KitContext {
  lang: Lang;
  channel: Channel;
  silences: number;
  misunderstandings?: number;
}

interface Args {
  context: KitContext;
  event: KitEvent;
}

export const kitGuards = {
  onThePhone: ({ context }: Args) => context.channel === 'voice',
  saidEmergency: ({ event }: Args) => saidEmergency(event),
  askedForPerson: ({ event }: Args) => askedForPerson(event),
  gaveText: ({ event }: Args) => gaveText(event),
  saidYes: ({ context, event }: Args) => answeredYes(event, context.lang),
  saidNo: ({ context, event }: Args) => answeredNo(event, context.lang),
  silentBefore: ({ context }: Args) => context.silences >= 1,
  misunderstoodBefore: ({ context }: Args) => (context.misunderstandings ?? 0) >= 1,
};
