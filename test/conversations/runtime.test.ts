/**
 * The turn runtime on a small echo machine: a turn asks nothing of the machine but the contract
 * in flows/conversation.ts, so these tests pin the runtime's promises (stored replies, leases,
 * slow turns, old snapshots) independently of the real flows.
 */
import { assign, fromPromise, setup } from 'xstate';
import { AWAITING_INPUT, type ConversationContextBase, type ConversationEvent, type ConversationInput } from '../../flows/conversation';
import { FakeClock } from '../../src/clock';
import { TurnRuntime, type TurnOutcome } from '../../src/conversations/runtime';
import { ConversationStore } from '../../src/conversations/store';
import { describeEachDb } from '../support/db';

interface Ctx extends ConversationContextBase {
  count: number;
}

/** Says "got <text> #n" for every input; "slow" runs an effect that takes `slowMs`. */
function echoMachine(effectCalls: string[], slowMs = 0) {
  return setup({
    types: { context: {} as Ctx, events: {} as ConversationEvent, input: {} as ConversationInput },
    actors: {
      record: fromPromise<string, { text: string }>(async ({ input }) => {
        effectCalls.push(input.text);
        if (slowMs) await new Promise((r) => setTimeout(r, slowMs));
        return input.text;
      }),
    },
  }).createMachine({
    id: 'echo',
    context: () => ({ lines: [], directive: { kind: 'gather' }, lang: 'en', count: 0 }),
    initial: 'starting',
    states: {
      starting: {
        on: { START: { target: 'listening', actions: assign({ lines: ({ context }) => [...context.lines, { text: 'hello', lang: 'en' as const }] }) } },
      },
      listening: {
        tags: [AWAITING_INPUT],
        on: {
          INPUT: [
            { guard: ({ event }) => event.text === 'bye', target: 'done', actions: assign({ lines: ({ context }) => [...context.lines, { text: 'goodbye', lang: 'en' as const }] }) },
            { guard: ({ event }) => event.text?.startsWith('slow') ?? false, target: 'working' },
            {
              actions: assign({
                count: ({ context }) => context.count + 1,
                lines: ({ context, event }) => [...context.lines, { text: `got ${event.text} #${context.count + 1}`, lang: 'en' as const }],
              }),
            },
          ],
        },
      },
      working: {
        invoke: {
          src: 'record',
          input: ({ event }) => ({ text: (event as { text?: string }).text ?? '' }),
          onDone: { target: 'listening', actions: assign({ lines: ({ context, event }) => [...context.lines, { text: `done ${event.output}`, lang: 'en' as const }] }) },
          onError: { target: 'listening' },
        },
      },
      done: { type: 'final', entry: assign({ directive: { kind: 'end' } }) },
    },
  });
}

const input = (id: string): ConversationInput => ({
  conversationId: id,
  channel: 'sms',
  callerPhone: '+13035550123',
  identities: [],
  lang: 'en',
  agency: { name: 'A', timezone: 'America/Denver', officeOpen: true, officeHoursText: { en: '', es: '' }, serviceAreaText: '', callbackHours: 4, onCall: [] },
  now: new Date().toISOString(),
});

const render = (o: TurnOutcome) => JSON.stringify({ lines: o.lines.map((l) => l.text), directive: o.directive.kind, turn: o.turn, restarted: o.restarted });

describeEachDb('turn runtime', (ctx) => {
  const clock = new FakeClock(new Date('2026-12-01T15:00:00Z'));
  let effectCalls: string[];

  function runtimeWith(opts: { slowMs?: number; version?: number; settleTimeoutMs?: number } = {}) {
    const store = new ConversationStore(ctx.db);
    const runtime = new TurnRuntime({
      store,
      clock,
      flows: { echo: { machine: echoMachine(effectCalls, opts.slowMs), version: opts.version ?? 1 } },
      settleTimeoutMs: opts.settleTimeoutMs ?? 1000,
    });
    return { store, runtime };
  }

  async function turn(r: ReturnType<typeof runtimeWith>, convId: string, key: string, event: ConversationEvent) {
    const row = (await r.store.get(convId))!;
    return JSON.parse(await r.runtime.run({ conversation: row, turnKey: key, event, input: async () => input(convId), render }));
  }

  async function open(r: ReturnType<typeof runtimeWith>, phone = '+13035550123') {
    const { row } = await r.store.openSmsThread(phone, '+13035550100', 'echo', 1, clock.now());
    return row.id;
  }

  beforeEach(() => {
    effectCalls = [];
  });

  it('greets on the first turn and answers each input in order', async () => {
    const r = runtimeWith();
    const id = await open(r);
    expect((await turn(r, id, 'sms:1', { type: 'START', now: clock.now().toISOString() })).lines).toEqual(['hello']);
    expect((await turn(r, id, 'sms:2', { type: 'INPUT', text: 'a', now: clock.now().toISOString() })).lines).toEqual(['got a #1']);
    expect((await turn(r, id, 'sms:3', { type: 'INPUT', text: 'b', now: clock.now().toISOString() })).lines).toEqual(['got b #2']);
  });

  it('answers a retried webhook with the stored reply and runs nothing twice', async () => {
    const r = runtimeWith();
    const id = await open(r);
    await turn(r, id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    const first = await turn(r, id, 'sms:2', { type: 'INPUT', text: 'slow-x', now: clock.now().toISOString() });
    const retry = await turn(r, id, 'sms:2', { type: 'INPUT', text: 'slow-x', now: clock.now().toISOString() });
    expect(retry).toEqual(first);
    expect(effectCalls).toEqual(['slow-x']);
    // The conversation moved on exactly one step.
    expect((await turn(r, id, 'sms:3', { type: 'INPUT', text: 'c', now: clock.now().toISOString() })).lines).toEqual(['got c #1']);
  });

  it('serialises two turns of one conversation that arrive at once: both answered, none lost', async () => {
    const r = runtimeWith({ slowMs: 150 });
    const id = await open(r);
    await turn(r, id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    const [a, b] = await Promise.all([
      turn(r, id, 'sms:2', { type: 'INPUT', text: 'slow-a', now: clock.now().toISOString() }),
      turn(r, id, 'sms:3', { type: 'INPUT', text: 'x', now: clock.now().toISOString() }),
    ]);
    const all = [...a.lines, ...b.lines];
    expect(all).toContain('done slow-a');
    expect(all.some((l: string) => l.startsWith('got x'))).toBe(true);
    expect(effectCalls).toEqual(['slow-a']);
    // Both turns were persisted, one after the other: none overwrote the other.
    expect((await r.store.get(id))!.turn).toBe(3);
  });

  it('answers "wait" when effects are slow and finishes the turn on the redirect', async () => {
    const r = runtimeWith({ slowMs: 300, settleTimeoutMs: 50 });
    const { row } = await r.store.openVoice('CA0001', '+13035550123', '+13035550100', 'echo', 1);
    const id = row.id;
    await turn(r, id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    const first = await turn(r, id, 'voice:x:1', { type: 'INPUT', text: 'slow-q', now: clock.now().toISOString() });
    expect(first.directive).toBe('wait');
    await new Promise((res) => setTimeout(res, 400));
    const redirect = await turn(r, id, 'voice:x:1:w1', { type: 'NO_INPUT', now: clock.now().toISOString() });
    expect(redirect.lines).toEqual(['done slow-q']);
    // A redirect that arrives while the effect still runs waits again instead of running it twice.
    const again = await turn(r, id, 'voice:x:1:w1', { type: 'NO_INPUT', now: clock.now().toISOString() });
    expect(again).toEqual(redirect);
    expect(redirect.directive).toBe('gather');
    expect(effectCalls).toEqual(['slow-q']);
    // The settled snapshot was persisted: the next turn continues from it.
    expect((await turn(r, id, 'voice:x:2', { type: 'INPUT', text: 'n', now: clock.now().toISOString() })).lines).toEqual(['got n #1']);
  });

  it('starts over politely when the stored snapshot is from an older machine version', async () => {
    const old = runtimeWith({ version: 1 });
    const id = await open(old);
    await turn(old, id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    const upgraded = runtimeWith({ version: 2 });
    const reply = await turn(upgraded, id, 'sms:2', { type: 'INPUT', text: 'hi', now: clock.now().toISOString() });
    expect(reply.restarted).toBe(true);
    expect(reply.lines).toEqual(['hello']);
  });

  it('closes the conversation when the machine reaches a final state', async () => {
    const r = runtimeWith();
    const id = await open(r);
    await turn(r, id, 'sms:1', { type: 'START', now: clock.now().toISOString() });
    const bye = await turn(r, id, 'sms:2', { type: 'INPUT', text: 'bye', now: clock.now().toISOString() });
    expect(bye.directive).toBe('end');
    expect((await r.store.get(id))!.status).toBe('closed');
  });

  it('starts a new SMS thread after 30 idle minutes', async () => {
    const r = runtimeWith();
    const first = await open(r, '+13035550177');
    expect(await open(r, '+13035550177')).toBe(first);
    clock.advance(31 * 60 * 1000);
    expect(await open(r, '+13035550177')).not.toBe(first);
  });

  it('gives texts that arrive at once one thread, whether it is new, live, or replaces an idle one', async () => {
    // Separate stores, as two web processes would have (on Postgres each transaction gets its own connection).
    const stores = [new ConversationStore(ctx.db), new ConversationStore(ctx.db), new ConversationStore(ctx.db)];
    const phone = '+13035550176';
    const openAll = async () => {
      const opened = await Promise.all(stores.map((s) => s.openSmsThread(phone, '+13035550100', 'echo', 1, clock.now())));
      return { ids: new Set(opened.map((o) => o.row.id)), created: opened.filter((o) => o.created).length };
    };
    const activeThreads = async () =>
      (await ctx.db.query<{ id: string }>(`SELECT id FROM conversations WHERE caller_phone = $1 AND status = 'active'`, [phone])).rows.map((r) => r.id);

    const fresh = await openAll();
    expect(fresh.ids.size).toBe(1);
    expect(fresh.created).toBe(1);
    const live = await openAll();
    expect(live).toEqual({ ids: fresh.ids, created: 0 });
    clock.advance(31 * 60 * 1000);
    const replaced = await openAll();
    expect(replaced.ids.size).toBe(1);
    expect(replaced.created).toBe(1);
    expect([...replaced.ids]).not.toEqual([...fresh.ids]);
    expect(await activeThreads()).toEqual([...replaced.ids]);
  });
});

describeEachDb('turn runtime hand-offs', (ctx) => {
  const clock = new FakeClock(new Date('2026-12-01T15:00:00Z'));

  const router = setup({ types: { context: {} as ConversationContextBase, events: {} as ConversationEvent, input: {} as ConversationInput } }).createMachine({
    id: 'router',
    context: () => ({ lines: [], directive: { kind: 'gather' }, lang: 'en' }),
    initial: 'asking',
    states: {
      asking: {
        tags: [AWAITING_INPUT],
        on: {
          START: { actions: assign({ lines: ({ context }) => [...context.lines, { text: 'how can I help?', lang: 'en' as const }] }) },
          INPUT: { target: 'handingOver', actions: assign({ lines: ({ context }) => [...context.lines, { text: 'let me help with that', lang: 'en' as const }] }) },
        },
      },
      handingOver: { type: 'final' },
    },
    output: ({ event }) => ({ handoff: { flow: 'second', topic: 'callout', text: 'sick', lang: 'es', now: (event as { now?: string }).now ?? '' } }),
  });

  const second = setup({ types: { context: {} as ConversationContextBase & { topic: string }, events: {} as ConversationEvent, input: {} as ConversationInput } }).createMachine({
    id: 'second',
    context: ({ input }) => ({ lines: [], directive: { kind: 'gather' }, lang: input.lang, topic: input.handoff?.topic ?? 'none' }),
    initial: 'greeting',
    states: {
      greeting: { on: { START: { target: 'waiting', actions: assign({ lines: ({ context }) => [...context.lines, { text: `second flow for ${context.topic}`, lang: context.lang }] }) } } },
      waiting: { tags: [AWAITING_INPUT], on: { INPUT: { actions: assign({ lines: ({ context, event }) => [...context.lines, { text: `second heard ${event.text}`, lang: context.lang }] }) } } },
    },
  });

  it('starts the next flow in the same turn and keeps the conversation in it', async () => {
    const store = new ConversationStore(ctx.db);
    const runtime = new TurnRuntime({ store, clock, flows: { router: { machine: router, version: 1 }, second: { machine: second, version: 1 } } });
    const { row } = await store.openSmsThread('+13035550188', '+13035550100', 'router', 1, clock.now());
    const run = async (key: string, event: ConversationEvent) =>
      JSON.parse(await runtime.run({ conversation: (await store.get(row.id))!, turnKey: key, event, input: async () => input(row.id), render }));
    expect((await run('sms:1', { type: 'START', now: clock.now().toISOString() })).lines).toEqual(['how can I help?']);
    const handed = await run('sms:2', { type: 'INPUT', text: 'I am sick', now: clock.now().toISOString() });
    expect(handed.lines).toEqual(['let me help with that', 'second flow for callout']);
    expect(handed.directive).toBe('gather');
    expect((await store.get(row.id))!.flow).toBe('second');
    expect((await run('sms:3', { type: 'INPUT', text: 'x', now: clock.now().toISOString() })).lines).toEqual(['second heard x']);
  });
});
