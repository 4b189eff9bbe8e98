/**
 * Model-based check of the router machines: walk every state reachable with a finite set of
 * events (representative answers, silences, dial and recording results, hang-ups, and the
 * results of every effect) and show that the conversation never gets stuck.
 */
import { getAdjacencyMap } from '@xstate/graph';
import type { CallerIdentity, ConversationEvent, ConversationInput, Directive, Line } from '../../flows/conversation';
import { smsRouterMachine, voiceRouterMachine, type RouterContext } from '../../flows/router.machine';
import { agency, maria, mariaForDorothy } from './fixtures';

type RouterMachine = typeof voiceRouterMachine;
type Snapshot = ReturnType<RouterMachine['transition']>;
type AnyEvent = ConversationEvent | { type: string; output?: unknown; error?: unknown };

const now = '2026-12-01T16:00:00.000Z';

const caregiver = maria;
const daughter = mariaForDorothy;

const texts = [
  'My mother fell and she is not breathing',
  'I want to talk to a person',
  "I'm sick and can't make my shift",
  "I'm running late",
  'I want to make a complaint',
  'Where is my caregiver?',
  'I need care for my mother',
  'What are your hours?',
  'Do you serve Boulder?',
  'What services do you offer?',
  'Should she take her insulin?',
  'Wrong number',
  'yes',
  'no',
  'purple monkey dishwasher',
  'Necesito ayuda por favor',
  "I'm a caregiver",
  'about Dorothy',
];

const callerEvents: AnyEvent[] = [
  { type: 'START', now },
  { type: 'START', now, text: 'I need care for my mother' },
  { type: 'START', now, text: 'My dad fell and is bleeding' },
  ...texts.map((text) => ({ type: 'INPUT' as const, now, text })),
  ...['0', '1', '2'].map((digits) => ({ type: 'INPUT' as const, now, digits })),
  { type: 'NO_INPUT', now },
  { type: 'DIAL_RESULT', now, status: 'completed' },
  { type: 'DIAL_RESULT', now, status: 'no-answer' },
  { type: 'RECORDING', now, recordingUrl: 'https://api.twilio.com/rec/RE1', durationSeconds: 30 },
  { type: 'HANGUP', now },
];

/** What the effects can answer: sent only while the effect is running, as xstate would. */
const effectResults: Record<string, AnyEvent[]> = {
  takeMessage: [
    { type: 'xstate.done.actor.takeMessage', output: { reference: 'M-1' } },
    { type: 'xstate.error.actor.takeMessage', error: new Error('message store down') },
  ],
  alertStaff: [
    { type: 'xstate.done.actor.alertStaff', output: undefined },
    { type: 'xstate.error.actor.alertStaff', error: new Error('outbox down') },
  ],
};

function eventsIn(snapshot: Snapshot): ConversationEvent[] {
  const running = Object.keys(snapshot.children).flatMap((id) => effectResults[id] ?? []);
  return [...callerEvents, ...running] as ConversationEvent[];
}

/**
 * The state without free text: where the conversation is and what steers it from there
 * (retry counters, on-call position, urgency, who is calling, language). A finished
 * conversation is just its final state.
 */
function serializeState(snapshot: Snapshot): string {
  if (snapshot.status !== 'active') return JSON.stringify({ value: snapshot.value, status: snapshot.status });
  const c: RouterContext = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    counters: [c.silences, c.misunderstandings, c.onCallIndex],
    urgent: c.urgent,
    caller: c.caller?.kind ?? null,
    aboutShift: (c.caller?.kind === 'caregiver' || c.saysCaregiver) && !c.notAboutShift,
    lang: c.lang,
    heard: snapshot.value === 'choosingIdentity' ? c.heard : undefined,
    alert: c.channel === 'sms' ? (c.alert?.reason ?? null) : undefined,
    incomplete: c.message?.incomplete,
    invoked: Object.keys(snapshot.children).sort(),
  });
}

interface Transition {
  from: string;
  before: Snapshot;
  event: AnyEvent;
  after: Snapshot;
  to: string;
}

function walk(machine: RouterMachine, input: ConversationInput, flowsRunning: boolean) {
  const logic = flowsRunning ? machine.provide({ guards: { flowAvailable: () => true } }) : machine;
  const map = getAdjacencyMap(logic, {
    input,
    events: eventsIn,
    serializeState,
    limit: 200_000,
  });
  const states: Record<string, { state: Snapshot; next: Array<{ event: AnyEvent; state: Snapshot }> }> = {};
  for (const [key, entry] of Object.entries(map)) states[key] = { state: entry.state, next: Object.values(entry.transitions) };
  const transitions: Transition[] = Object.entries(states).flatMap(([from, { state, next }]) =>
    next.map((step) => ({ from, before: state, event: step.event, after: step.state, to: serializeState(step.state) })),
  );
  return { map: states, transitions };
}

function stateName(snapshot: Snapshot): string {
  return typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value);
}

function waitsOrEnds(snapshot: Snapshot): boolean {
  if (snapshot.status !== 'active') return snapshot.status === 'done';
  if (snapshot.hasTag('awaitingInput')) return true;
  return Object.keys(snapshot.children).length > 0;
}

function newLines(before: Snapshot, after: Snapshot): Line[] {
  return after.context.lines.slice(before.context.lines.length);
}

type Caller = [who: string, input: ConversationInput, flowsRunning: boolean];
const handedBack = (topic: string) => ({ handoff: { flow: 'router', topic, lang: 'en' as const, now } });

const voiceCallers: Caller[] = [
  ['an unknown caller in office hours', input('voice', [], {}), false],
  ['a caregiver who is also a client’s daughter, after hours', input('voice', [caregiver, daughter], { officeOpen: false }), false],
  ['a family contact, with nobody on call', input('voice', [daughter], { onCall: [] }), false],
  ['a Spanish-speaking caregiver with one person on call', input('voice', [{ ...caregiver, language: 'es' }], { onCall: agency.onCall.slice(0, 1) }), false],
  ['a family contact, with the complaint and lead flows running', input('voice', [daughter], {}), true],
  ['a caller handed back as urgent, after hours', input('voice', [daughter], { officeOpen: false }, handedBack('urgent')), true],
  ['a caller handed back in an emergency', input('voice', [daughter], {}, handedBack('emergency')), true],
  ['a caller handed back asking for a person, after hours', input('voice', [], { officeOpen: false }, handedBack('operator')), true],
  ['a caregiver handed back by the call-out flow for an urgent shift, after hours', input('voice', [caregiver], { officeOpen: false }, handedBack('urgentShift')), true],
  ['a caregiver handed back to choose a person or a message', input('voice', [caregiver], {}, handedBack('personOrMessage')), true],
  ['a caregiver handed back to leave a late notice', input('voice', [caregiver], {}, handedBack('message:late')), true],
];

const smsCallers: Caller[] = [
  ['an unknown texter', input('sms', [], {}), false],
  ['a caregiver who is also a client’s daughter', input('sms', [caregiver, daughter], { officeOpen: false }), false],
  ['a caregiver', input('sms', [caregiver], {}), false],
  ['an unknown texter, with the complaint and lead flows running', input('sms', [], {}), true],
  ['a texter handed back as urgent', input('sms', [daughter], {}, handedBack('urgent')), true],
  ['a caregiver handed back by the call-out flow for an urgent shift', input('sms', [caregiver], {}, handedBack('urgentShift')), true],
  ['a caregiver handed back to leave a call-out message', input('sms', [caregiver], {}, handedBack('message:callout')), true],
];

function input(
  channel: 'voice' | 'sms',
  identities: CallerIdentity[],
  over: Partial<ConversationInput['agency']>,
  extra: Partial<ConversationInput> = {},
): ConversationInput {
  return {
    ...extra,
    conversationId: 'conv-graph',
    channel,
    callerPhone: '+13035550199',
    identities,
    lang: 'en',
    now,
    agency: { ...agency, ...over },
  };
}

describe.each([
  ['voice', voiceRouterMachine, voiceCallers],
  ['sms', smsRouterMachine, smsCallers],
] as const)('%s router: every path', (channel, machine, callers) => {
  const walks = callers.map(([who, callerInput, flowsRunning]) => ({ who, ...walk(machine, callerInput, flowsRunning) }));
  const visited = new Set(walks.flatMap(({ map }) => Object.values(map).map(({ state }) => stateName(state))));

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every reachable state waits for the caller, works, or has ended', (_who, { map }) => {
    const stuck = Object.values(map)
      .map(({ state }) => state)
      .filter((state) => !waitsOrEnds(state))
      .map(serializeState);
    expect(stuck).toEqual([]);
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every reachable state can still reach an ending', (_who, { map, transitions }) => {
    const canEnd = new Set(Object.entries(map).filter(([, { state }]) => state.status === 'done').map(([key]) => key));
    let grew = true;
    while (grew) {
      grew = false;
      for (const { from, to } of transitions) {
        if (canEnd.has(to) && !canEnd.has(from)) {
          canEnd.add(from);
          grew = true;
        }
      }
    }
    const deadEnds = Object.keys(map).filter((key) => !canEnd.has(key));
    expect(deadEnds).toEqual([]);
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every wait tells the runtime what to do and every ending hangs up', (_who, { map }) => {
    const allowed: Directive['kind'][] = channel === 'voice' ? ['gather', 'dial', 'record'] : ['gather'];
    for (const { state } of Object.values(map)) {
      // A hand-off ends the router, not the call: the next flow says what happens.
      if (state.status === 'done' && stateName(state) === 'handedOff') expect(state.output?.handoff?.flow).toBeTruthy();
      else if (state.status === 'done') expect([stateName(state), state.context.directive.kind]).toEqual([stateName(state), 'end']);
      else if (state.hasTag('awaitingInput')) expect(allowed).toContain(state.context.directive.kind);
    }
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, lines are only ever appended, in the conversation’s language', (_who, { transitions }) => {
    const wrong = transitions.flatMap(({ from, event, before, after }) => {
      const kept = before.context.lines.every((line: Line, i: number) => after.context.lines[i] === line);
      const inLanguage = newLines(before, after).every((line) => line.lang === after.context.lang);
      return kept && inLanguage ? [] : [{ from, event: event.type }];
    });
    expect(wrong).toEqual([]);
  });

  if (channel === 'sms') {
    it.each(walks.map((w) => [w.who, w] as const))('for %s, every reply fits in 320 characters', (_who, { transitions }) => {
      const tooLong = transitions
        .map(({ before, after }) => newLines(before, after).map((line) => line.text).join(' '))
        .filter((reply) => reply.length > 320);
      expect(tooLong).toEqual([]);
    });
  }

  it('reaches every state of the conversation', () => {
    const expected = [
      'waitingForCall',
      'choosingIdentity',
      'askingPurpose',
      'askingAnythingElse',
      'offeringPerson',
      'offeringMessageForOffice',
      'offeringPersonOrMessage',
      'leavingMessage',
      'savingMessage',
      'messagePassedOn',
      'messageNoted',
      'saidGoodbye',
      'wrongNumber',
      'callerHungUp',
      'handedOff',
      ...(channel === 'voice' ? ['waitingForOnCall', 'putThrough'] : ['alertingOnCall', 'staffAlerted']),
    ];
    expect([...visited].sort()).toEqual(expected.sort());
  });
});
