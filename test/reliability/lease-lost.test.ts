/**
 * A conversation turn that lost its lease (it expired while the turn worked and another turn took
 * the conversation) is never answered from its unsaved state: it runs again from what is stored,
 * and when even that cannot be saved a caller hears "one moment" and is redirected.
 */
import { assign, setup } from 'xstate';
import { AWAITING_INPUT, type ConversationContextBase, type ConversationEvent, type ConversationInput } from '../../flows/conversation';
import { FakeClock } from '../../src/clock';
import { LeaseLostError, TurnRuntime, type TurnOutcome } from '../../src/conversations/runtime';
import { ConversationStore } from '../../src/conversations/store';
import type { Db } from '../../src/db';
import { describeEachDb } from '../support/db';

interface Ctx extends ConversationContextBase { count: number }

const counter = setup({ types: { context: {} as Ctx, events: {} as ConversationEvent, input: {} as ConversationInput } }).createMachine({
  id: 'counter',
  context: () => ({ lines: [], directive: { kind: 'gather' }, lang: 'en', count: 0 }),
  initial: 'listening',
  states: {
    listening: {
      tags: [AWAITING_INPUT],
      on: {
        START: { actions: assign({ lines: ({ context }) => [...context.lines, { text: 'hello', lang: 'en' as const }] }) },
        INPUT: { actions: assign({ count: ({ context }) => context.count + 1, lines: ({ context, event }) => [...context.lines, { text: `got ${event.text} #${context.count + 1}`, lang: 'en' as const }] }) },
      },
    },
  },
});

/** A store whose next `steals` saves find the lease taken by another turn just before they write. */
class ThievingStore extends ConversationStore {
  steals = 0;
  constructor(private readonly database: Db) { super(database); }
  override async saveTurn(input: Parameters<ConversationStore['saveTurn']>[0]): Promise<boolean> {
    if (this.steals > 0) {
      this.steals--;
      await this.database.query(`UPDATE conversations SET lease_owner = 'another-turn', lease_until = now() + interval '1 minute' WHERE id = $1`, [input.id]);
      const saved = await super.saveTurn(input);
      await this.database.query(`UPDATE conversations SET lease_owner = NULL, lease_until = NULL WHERE id = $1`, [input.id]);
      return saved;
    }
    return super.saveTurn(input);
  }
}

const input = (id: string, channel: 'sms' | 'voice'): ConversationInput => ({
  conversationId: id, channel, callerPhone: '+13035550123', identities: [], lang: 'en',
  agency: { name: 'A', timezone: 'America/Denver', officeOpen: true, officeHoursText: { en: '', es: '' }, serviceAreaText: '', callbackHours: 4, onCall: [] },
  now: new Date().toISOString(),
});
const render = (o: TurnOutcome) => JSON.stringify({ lines: o.lines.map((l) => l.text), directive: o.directive.kind });

describeEachDb('reliability: a turn that lost its lease', (ctx) => {
  const clock = new FakeClock(new Date('2026-12-01T15:00:00Z'));
  function setupRuntime() {
    const store = new ThievingStore(ctx.db);
    const runtime = new TurnRuntime({ store, clock, flows: { counter: { machine: counter, version: 1 } }, leaseWaitMs: 2000 });
    return { store, runtime };
  }
  async function turn(r: ReturnType<typeof setupRuntime>, id: string, key: string, event: ConversationEvent) {
    const row = (await r.store.get(id))!;
    return JSON.parse(await r.runtime.run({ conversation: row, turnKey: key, event, input: async () => input(id, row.channel as 'sms' | 'voice'), render }));
  }

  it('is run again from the stored state and answered only once saved: the next turn follows on from it', async () => {
    const r = setupRuntime();
    const { row } = await r.store.openSmsThread('+13035550123', '+13035550100', 'counter', 1, clock.now());
    await turn(r, row.id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    r.store.steals = 1;
    expect((await turn(r, row.id, 'sms:2', { type: 'INPUT', text: 'a', now: clock.now().toISOString() })).lines).toEqual(['got a #1']);
    // Had the first, unsaved run been answered, this would be "#1" again.
    expect((await turn(r, row.id, 'sms:3', { type: 'INPUT', text: 'b', now: clock.now().toISOString() })).lines).toEqual(['got b #2']);
  });

  it('answers a caller "one moment" with a redirect when even the second run cannot be saved; a texter gets no reply from unsaved state', async () => {
    const r = setupRuntime();
    const { row } = await r.store.openVoice('CA123', '+13035550123', '+13035550100', 'counter', 1);
    await turn(r, row.id, 'voice:1', { type: 'START', now: clock.now().toISOString() });
    r.store.steals = 2;
    expect(await turn(r, row.id, 'voice:2', { type: 'INPUT', text: 'a', now: clock.now().toISOString() })).toEqual({ lines: [], directive: 'wait' });

    const sms = (await r.store.openSmsThread('+13035550124', '+13035550100', 'counter', 1, clock.now())).row;
    await turn(r, sms.id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    r.store.steals = 2;
    await expect(turn(r, sms.id, 'sms:2', { type: 'INPUT', text: 'a', now: clock.now().toISOString() })).rejects.toBeInstanceOf(LeaseLostError);
  });
});
