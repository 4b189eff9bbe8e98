/**
 * Model-based check of the call-out machine: walk every state reachable with a finite set of
 * events (representative answers, silences, hang-ups, and every result of every effect) for each
 * way a caregiver can arrive (call-out, late, take-back, claim, unsure; voice and text) and show
 * that the conversation never gets stuck and always hands back to the router or ends.
 */
import { getAdjacencyMap } from '@xstate/graph';
import type { CallerIdentity, ConversationEvent, ConversationInput, Line } from '../../flows/conversation';
import { calloutMachine, type CalloutContext, type CalloutTopic, type ShiftOption } from '../../flows/callout.machine';

type Snapshot = ReturnType<typeof calloutMachine['transition']>;
type AnyEvent = ConversationEvent | { type: string; output?: unknown; error?: unknown };

/** Monday 2 March 2026, 08:00 in Denver. */
const now = '2026-03-02T15:00:00.000Z';
const hours = (h: number) => new Date(Date.parse(now) + h * 3_600_000).toISOString();

const agency: ConversationInput['agency'] = {
  name: 'Colorado CareAssist',
  timezone: 'America/Denver',
  officeOpen: false,
  officeHoursText: { en: 'Monday to Friday, 8 AM to 5 PM', es: 'de lunes a viernes, de 8 a 5' },
  serviceAreaText: 'Denver, Aurora and Boulder',
  callbackHours: 2,
  onCall: [{ name: 'Care Manager', phone: '+13035550105' }],
};

const caregiver: CallerIdentity = { kind: 'caregiver', personId: 'cg-1', firstName: 'Dana', lastName: 'Whitfield', language: 'en', active: true, hired: true };

const tomorrow: ShiftOption = { id: 'S-tomorrow', clientId: 'C1', clientFirstName: 'Harold', start: hours(25), end: hours(29) };
const soon: ShiftOption = { id: 'S-soon', clientId: 'C2', clientFirstName: 'Frank', start: hours(1), end: hours(4) };
const underWay: ShiftOption = { id: 'S-now', clientId: 'C3', clientFirstName: 'Gloria', start: hours(-1), end: hours(2) };

const texts = [
  'yes',
  'no',
  'sí',
  "I'm running late",
  "I can't make it at all",
  'about 20 minutes',
  'the first one',
  'the one with Gloria',
  'I have the flu',
  'I want to talk to a person',
  'She fell and is not breathing',
  'purple monkey dishwasher',
];

const callerEvents: AnyEvent[] = [
  { type: 'START', now },
  ...texts.map((text) => ({ type: 'INPUT' as const, now, text })),
  ...['0', '1', '2'].map((digits) => ({ type: 'INPUT' as const, now, digits })),
  { type: 'NO_INPUT', now },
  { type: 'HANGUP', now },
];

const done = (id: string, output: unknown): AnyEvent => ({ type: `xstate.done.actor.${id}`, output });
const failed = (id: string): AnyEvent => ({ type: `xstate.error.actor.${id}`, error: new Error(`${id} failed`) });

/** What the effects can answer: sent only while the effect runs, as xstate would. */
const effectResults: Record<string, AnyEvent[]> = {
  lookupShifts: [
    done('lookupShifts', { shifts: [] }),
    done('lookupShifts', { shifts: [tomorrow] }),
    done('lookupShifts', { shifts: [soon] }),
    done('lookupShifts', { shifts: [underWay, tomorrow] }),
    failed('lookupShifts'),
  ],
  recordCallOut: [done('recordCallOut', { callOutId: 1, urgent: false }), done('recordCallOut', { callOutId: 1, urgent: true }), failed('recordCallOut')],
  notifyLate: [done('notifyLate', { familyTold: true }), done('notifyLate', { familyTold: false }), failed('notifyLate')],
  cancelCallOut: [
    done('cancelCallOut', { outcome: 'cancelled', shift: tomorrow }),
    done('cancelCallOut', { outcome: 'alreadyFilled', shift: tomorrow }),
    done('cancelCallOut', { outcome: 'none' }),
    failed('cancelCallOut'),
  ],
  claimOffer: [done('claimOffer', { outcome: 'claimed' }), done('claimOffer', { outcome: 'tooLate' }), done('claimOffer', { outcome: 'none' }), failed('claimOffer')],
};

function eventsIn(snapshot: Snapshot): ConversationEvent[] {
  const running = Object.keys(snapshot.children).flatMap((id) => effectResults[id] ?? []);
  return [...callerEvents, ...running] as ConversationEvent[];
}

/** Where the conversation is and what steers it from there; a finished one is just its final state. */
function serializeState(snapshot: Snapshot): string {
  if (snapshot.status !== 'active') return JSON.stringify({ value: snapshot.value, status: snapshot.status, back: snapshot.context.handoff?.topic });
  const c: CalloutContext = snapshot.context;
  return JSON.stringify({
    value: snapshot.value,
    counters: [c.silences, c.misunderstandings],
    topic: c.topic,
    shifts: c.shifts.map((s) => s.id),
    shiftId: c.shiftId,
    eta: c.etaMinutes,
    reason: c.reason !== null,
    urgent: c.urgent,
    lang: c.lang,
    invoked: Object.keys(snapshot.children).sort(),
  });
}

function walk(input: ConversationInput) {
  const map = getAdjacencyMap(calloutMachine, { input, events: eventsIn, serializeState, limit: 200_000 });
  const states = Object.entries(map).map(([key, entry]) => ({
    key,
    state: entry.state as Snapshot,
    next: Object.values(entry.transitions) as Array<{ event: AnyEvent; state: Snapshot }>,
  }));
  const transitions = states.flatMap(({ key, state, next }) =>
    next.map((step) => ({ from: key, before: state, event: step.event, after: step.state, to: serializeState(step.state) })),
  );
  return { states, transitions };
}

function stateName(snapshot: Snapshot): string {
  return typeof snapshot.value === 'string' ? snapshot.value : JSON.stringify(snapshot.value);
}

function input(channel: 'voice' | 'sms', topic: CalloutTopic, text?: string): ConversationInput {
  return {
    conversationId: 'conv-callout-graph',
    channel,
    callerPhone: '+17205550112',
    identities: [caregiver],
    lang: 'en',
    now,
    agency,
    handoff: { flow: 'callout', topic, text, identity: caregiver, lang: 'en', now },
  };
}

const arrivals: Array<[string, ConversationInput]> = (['voice', 'sms'] as const).flatMap((channel) => [
  [`a ${channel} call-out`, input(channel, 'callout', "I'm sick, I can't make my shift")],
  [`a ${channel} late arrival with an ETA`, input(channel, 'late', "I'll be 15 minutes late")],
  [`a ${channel} late arrival without one`, input(channel, 'late', "I'm running late")],
  [`a ${channel} take-back`, input(channel, 'uncallout', 'I can make it after all')],
  [`a ${channel} claim`, input(channel, 'claimShift', 'YES 4821')],
  [`a ${channel} caregiver who has not said what is wrong`, input(channel, 'unsure', 'about my shift')],
] as Array<[string, ConversationInput]>);

describe('call-out flow: every path', () => {
  const walks = arrivals.map(([who, arrival]) => ({ who, ...walk(arrival) }));
  const visited = new Set(walks.flatMap(({ states }) => states.map(({ state }) => stateName(state))));

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every reachable state waits for the caregiver, runs an effect, or has ended', (_who, { states }) => {
    const stuck = states
      .map(({ state }) => state)
      .filter((state) => !(state.status === 'done' || state.hasTag('awaitingInput') || Object.keys(state.children).length > 0))
      .map(serializeState);
    expect(stuck).toEqual([]);
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every reachable state can still reach an ending', (_who, { states, transitions }) => {
    const canEnd = new Set(states.filter(({ state }) => state.status === 'done').map(({ key }) => key));
    for (let grew = true; grew; ) {
      grew = false;
      for (const { from, to } of transitions) {
        if (canEnd.has(to) && !canEnd.has(from)) {
          canEnd.add(from);
          grew = true;
        }
      }
    }
    expect(states.map(({ key }) => key).filter((key) => !canEnd.has(key))).toEqual([]);
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, every wait gathers an answer, and every ending hangs up or hands back to the router', (_who, { states }) => {
    for (const { state } of states) {
      if (state.status === 'done' && stateName(state) === 'backToRouter') {
        expect(state.output?.handoff?.flow).toBe(state.context.channel === 'voice' ? 'voice-router' : 'sms-router');
      } else if (state.status === 'done') {
        expect([stateName(state), state.context.directive.kind]).toEqual([stateName(state), 'end']);
      } else if (state.hasTag('awaitingInput') && stateName(state) !== 'waitingForStart') {
        expect([stateName(state), state.context.directive.kind]).toEqual([stateName(state), 'gather']);
      }
    }
  });

  it.each(walks.map((w) => [w.who, w] as const))('for %s, lines are only ever appended, in the conversation’s language', (_who, { transitions }) => {
    const wrong = transitions.flatMap(({ from, event, before, after }) => {
      const kept = before.context.lines.every((line: Line, i: number) => after.context.lines[i] === line);
      const added = after.context.lines.slice(before.context.lines.length);
      return kept && added.every((line) => line.lang === after.context.lang) ? [] : [{ from, event: event.type }];
    });
    expect(wrong).toEqual([]);
  });

  it('never takes a call-out for a shift already under way, and sends an urgent voice caller on to a person only when they say yes', () => {
    const all = walks.flatMap((w) => w.transitions);
    const recordedUnderWay = all.filter(({ after }) => stateName(after) === 'recordingCallOut' && after.context.shiftId === underWay.id);
    expect(recordedUnderWay).toEqual([]);
    const urgentBack = all.filter(({ before, after }) => stateName(before) === 'offeringUrgentTransfer' && after.status === 'done' && after.context.handoff?.topic === 'urgentShift');
    expect(urgentBack.length).toBeGreaterThan(0);
    for (const { event } of urgentBack) expect(event).toMatchObject({ type: 'INPUT' });
    expect(urgentBack.every(({ event }) => 'digits' in event ? event.digits === '1' : ['yes', 'sí'].includes((event as { text?: string }).text ?? ''))).toBe(true);
  });

  it('reaches every state of the machine that a conversation can rest in', () => {
    // States that only decide where to go next (`always`) are passed through, never rested in.
    const resting = Object.entries(calloutMachine.root.states).filter(([, node]) => !node.always?.length).map(([name]) => name);
    expect(resting.length).toBeGreaterThan(20);
    expect([...visited].sort()).toEqual(resting.sort());
  });
});
