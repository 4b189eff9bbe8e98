/**
 * "Where is my caregiver?" from a client or a family contact (issue 5), by voice or SMS.
 *
 * The router hands the caller over only when their number is on file for a client. A number on
 * file for several clients first says which visit it is about. The flow reads today's visits of
 * that client (agency time zone) with their clock-ins (`checkTodaysVisits`), picks the visit in
 * question, and:
 * - clocked in → says so (caregiver's first name only), or that the visit is over;
 * - not due yet → says when it starts;
 * - late (start passed, no clock-in) → reassures, and texts the scheduler and the caregiver
 *   (`notifyLateCaregiver`, through the outbox with idempotency keys);
 * - nobody assigned → urgent: hands over to the complaint flow as an 'unassigned' case, which
 *   records it and hands the caller back to the router's urgent path (on-call, now);
 * - no visit today → says so and offers a person;
 * - schedule unreachable → a message for the scheduler, and the caller is told they will call.
 * Pure: no clock, no I/O. What is said lives in flows/phrases/where-is-caregiver.ts.
 */
import { and, assign, not, setup } from 'xstate';
import {
  AWAITING_INPUT,
  type CallerIdentity,
  type ConversationEvent,
  type ConversationInput,
  type Handoff,
} from './conversation';
import { unprovidedEffect, type EffectStep, type StaffRole, type TakeMessageInput, type TakeMessageOutput } from './effects';
import { whereIsPhrases, type ClientOption } from './phrases/where-is-caregiver';
import { chosenIdentity } from './router.machine';
import {
  callerOf,
  clientOf,
  flowContextOf,
  flowOutput,
  FLOWS,
  handoffTo,
  interrupts,
  kitActions,
  kitGuards,
  noInput,
  routerFlow,
  sayer,
  spoken,
  type FlowContext,
  type FlowOutput,
  type HandBack,
} from './kit';

export const WHERE_IS_CAREGIVER_MACHINE_VERSION = 1;

/** One of a client's visits today, with what WellSky knows of its clock-in. */
export interface TodaysVisit {
  shiftId: string;
  /** UTC ISO instants. */
  start: string;
  end: string;
  /** Undefined: an open shift, nobody assigned. */
  caregiverId?: string;
  caregiverFirstName?: string;
  clockedInAt?: string;
  clockedOutAt?: string;
}

/** `checkTodaysVisits`: the client's visits on the agency-local day of `now` (cancelled ones left out). */
export interface CheckTodaysVisitsInput extends EffectStep {
  clientId: string;
  now: string;
}
export interface CheckTodaysVisitsOutput {
  visits: TodaysVisit[];
}

/** `notifyLateCaregiver`: text the scheduler (who asked, about what) and the caregiver (please clock in or call). */
export interface NotifyLateCaregiverInput extends EffectStep {
  clientId: string;
  visit: TodaysVisit;
  callerPhone: string;
  identities: CallerIdentity[];
  caller: CallerIdentity | null;
  now: string;
}
export interface NotifyLateCaregiverOutput {
  caregiverTexted: boolean;
}

export type VisitState = 'noVisit' | 'unassigned' | 'late' | 'clockedIn' | 'over' | 'notStarted';

/**
 * The visit the caller is asking about, and where it stands at `now`: one under way first (of
 * several, the most worrying: unassigned, then late), else the next one today, else the last.
 */
export function visitInQuestion(visits: TodaysVisit[], now: string): { visit: TodaysVisit | null; state: VisitState } {
  const at = Date.parse(now);
  const stateOf = (v: TodaysVisit): VisitState => {
    if (!v.caregiverId) return 'unassigned';
    if (v.clockedOutAt) return 'over';
    if (v.clockedInAt) return 'clockedIn';
    return Date.parse(v.start) <= at ? 'late' : 'notStarted';
  };
  const sorted = [...visits].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const underWay = sorted.filter((v) => Date.parse(v.start) <= at && at < Date.parse(v.end));
  const worry: VisitState[] = ['unassigned', 'late', 'clockedIn', 'over'];
  const current = [...underWay].sort((a, b) => worry.indexOf(stateOf(a)) - worry.indexOf(stateOf(b)))[0];
  const visit = current ?? sorted.find((v) => Date.parse(v.start) > at) ?? sorted[sorted.length - 1] ?? null;
  return { visit, state: visit ? stateOf(visit) : 'noVisit' };
}

/** The clients a caller may ask about: the one they chose, or every client their number is on file for. */
function clientChoices(caller: CallerIdentity | null, identities: CallerIdentity[]): CallerIdentity[] {
  if (clientOf(caller)) return [caller!];
  const seen = new Set<string>();
  return identities.filter((identity) => {
    const client = clientOf(identity);
    if (!client || seen.has(client.id)) return false;
    seen.add(client.id);
    return true;
  });
}

/** A message for the staff when the flow cannot finish on its own. */
interface MessageDraft {
  role: StaffRole;
  /** For the staff: English, no more than they need. */
  text: string;
  /** What the caller hears once it is saved. */
  then: 'schedulerWillCall' | 'latePassedOn' | 'nothing';
}

export interface WhereIsCaregiverContext extends FlowContext {
  caller: CallerIdentity | null;
  /** One identity per client the caller may ask about; the chosen one once known. */
  choices: CallerIdentity[];
  chosen: CallerIdentity | null;
  visit: TodaysVisit | null;
  state: VisitState | null;
  message: MessageDraft | null;
  callerGone: boolean;
  silences: number;
  misunderstandings: number;
  handoff: Handoff | null;
  now: string;
}

export interface WhereIsCaregiverOutput extends FlowOutput {
  state: VisitState | null;
}

const say = sayer(whereIsPhrases);

function options(choices: CallerIdentity[]): ClientOption[] {
  return choices.map((c) => ({ ownCare: c.kind === 'client', firstName: clientOf(c)?.firstName }));
}

function initialContext(input: ConversationInput): WhereIsCaregiverContext {
  const caller = callerOf(input);
  const choices = clientChoices(caller, input.identities);
  return {
    ...flowContextOf(input),
    caller,
    choices,
    chosen: choices.length === 1 ? choices[0] : null,
    visit: null,
    state: null,
    message: null,
    callerGone: false,
    misunderstandings: 0,
  };
}

const staffTime = (iso: string, zone: string) =>
  new Date(iso).toLocaleTimeString('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit' });

/** Back to the router, which puts the caller through or takes a message. */
const backToRouter = (reason: HandBack, before: string[] = []) => ({ target: 'handedBack', actions: [...before, { type: 'handBack', params: { reason } }] });

export const whereIsCaregiverMachine = setup({
  types: {} as { context: WhereIsCaregiverContext; events: ConversationEvent; input: ConversationInput; output: WhereIsCaregiverOutput },
  actors: {
    checkTodaysVisits: unprovidedEffect<CheckTodaysVisitsOutput, CheckTodaysVisitsInput>('checkTodaysVisits'),
    notifyLateCaregiver: unprovidedEffect<NotifyLateCaregiverOutput, NotifyLateCaregiverInput>('notifyLateCaregiver'),
    takeMessage: unprovidedEffect<TakeMessageOutput, TakeMessageInput>('takeMessage'),
  },
  guards: {
    ...kitGuards,
    knowsTheClient: ({ context }) => context.chosen !== null,
    severalClients: ({ context }) => context.choices.length > 1,
    namedAClient: ({ context, event }) => chosenIdentity(context.choices, spoken(event).text, spoken(event).digits) !== undefined,
    visitIs: ({ context }, params: { state: VisitState }) => context.state === params.state,
    nobodyAssigned: ({ context }) => context.state === 'unassigned',
    caregiverLate: ({ context }) => context.state === 'late',
    callerGone: ({ context }) => context.callerGone,
  },
  actions: {
    ...kitActions<WhereIsCaregiverContext>(),
    askWhichClient: assign({ lines: ({ context }) => say(context, (p) => p.askWhichClient({ options: options(context.choices), channel: context.channel })) }),
    sayDidNotUnderstand: assign({ lines: ({ context }) => say(context, (p) => p.didNotUnderstand()) }),
    sayClockedIn: assign({
      lines: ({ context }) =>
        say(context, (p) =>
          p.clockedIn({ caregiver: context.visit?.caregiverFirstName, clockedInAt: context.visit!.clockedInAt!, end: context.visit!.end, zone: context.agency.timezone }),
        ),
    }),
    sayVisitOver: assign({
      lines: ({ context }) =>
        say(context, (p) => p.visitOver({ caregiver: context.visit?.caregiverFirstName, clockedOutAt: context.visit!.clockedOutAt!, zone: context.agency.timezone })),
    }),
    sayNotStarted: assign({
      lines: ({ context }) =>
        say(context, (p) => p.notStartedYet({ caregiver: context.visit?.caregiverFirstName, start: context.visit!.start, zone: context.agency.timezone })),
    }),
    sayLate: assign({
      lines: ({ context }) => say(context, (p) => p.late({ caregiver: context.visit?.caregiverFirstName, start: context.visit!.start, zone: context.agency.timezone })),
    }),
    sayLateNoticeSent: assign({ lines: ({ context }) => say(context, (p) => p.lateNoticeSent({ caregiver: context.visit?.caregiverFirstName })) }),
    sayUnassigned: assign({ lines: ({ context }) => say(context, (p) => p.unassigned({ start: context.visit!.start, zone: context.agency.timezone })) }),
    sayNoVisitToday: assign({ lines: ({ context }) => say(context, (p) => p.noVisitToday({ channel: context.channel })) }),
    sayCannotCheckSchedule: assign({ lines: ({ context }) => say(context, (p) => p.cannotCheckSchedule()) }),
    sayMessageSaved: assign({
      lines: ({ context }) =>
        context.callerGone || context.message?.then === 'nothing'
          ? context.lines
          : say(context, (p) => (context.message?.then === 'latePassedOn' ? p.latePassedOn() : p.schedulerWillCall())),
    }),
    sayNoted: assign({ lines: ({ context }) => (context.callerGone ? context.lines : say(context, (p) => p.noted())) }),
    sayGoodbye: assign({ lines: ({ context }) => say(context, (p) => p.goodbye()) }),

    listen: assign({ directive: ({ context }) => ({ kind: 'gather' as const, hints: whereIsPhrases(context.lang).hints({ options: options(context.choices) }) }) }),

    takeClientChoice: assign({
      chosen: ({ context, event }) => context.choices[chosenIdentity(context.choices, spoken(event).text, spoken(event).digits)!] ?? null,
    }),
    markCallerGone: assign({ callerGone: true }),
    keepVisit: assign(({ context, event }) => {
      const visits = 'output' in event ? (event.output as CheckTodaysVisitsOutput).visits : [];
      return visitInQuestion(visits, context.now);
    }),
    draftMessage: assign({
      message: ({ context }, params: { about: 'unavailable' | 'late' | 'unassigned' }) => {
        const zone = context.agency.timezone;
        const v = context.visit;
        if (params.about === 'unassigned') {
          return { role: 'oncall' as const, then: 'nothing' as const, text: `URGENT: nobody is assigned to today's ${staffTime(v!.start, zone)} visit; the caller asked where their caregiver is.` };
        }
        if (params.about === 'late') {
          return {
            role: 'scheduler' as const,
            then: 'latePassedOn' as const,
            text: `Caregiver ${v?.caregiverFirstName ?? ''} was due at ${staffTime(v!.start, zone)} today and has not clocked in; the caller asked where they are.`.replace(/ {2,}/g, ' '),
          };
        }
        return { role: 'scheduler' as const, then: 'schedulerWillCall' as const, text: "Asked where their caregiver is; today's schedule could not be read from WellSky." };
      },
    }),
    handBack: assign({
      handoff: ({ context }, params: { reason: HandBack }) =>
        handoffTo(routerFlow(context.channel), { topic: params.reason, identity: context.chosen ?? context.caller, lang: context.lang, now: context.now }),
    }),
    handOverAsUrgentCase: assign({
      handoff: ({ context }) => handoffTo(FLOWS.complaint, { topic: 'unassigned', identity: context.chosen, lang: context.lang, now: context.now }),
    }),
  },
}).createMachine({
  id: 'whereIsCaregiver',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => flowOutput(context, { state: context.state }),
  initial: 'waitingForStart',
  states: {
    waitingForStart: {
      tags: AWAITING_INPUT,
      on: {
        START: [
          { guard: 'saidEmergency', target: 'handedBack', actions: ['noteNow', { type: 'handBack', params: { reason: 'emergency' } }] },
          { guard: 'knowsTheClient', target: 'checking', actions: 'noteNow' },
          { guard: 'severalClients', target: 'choosingClient', actions: 'noteNow' },
          // Not on file for any client (the router should not have sent them): say nothing about anyone.
          { target: 'handedBack', actions: ['noteNow', { type: 'handBack', params: { reason: 'personOrMessage' } }] },
        ],
      },
    },

    // "Which visit are you calling about: Carmen's or Harold's?"
    choosingClient: {
      tags: AWAITING_INPUT,
      entry: ['askWhichClient', 'listen'],
      on: {
        INPUT: [
          ...interrupts(backToRouter, ['noticeLanguage', 'noteNow']),
          { guard: 'namedAClient', target: 'checking', actions: ['noticeLanguage', 'noteNow', 'takeClientChoice'] },
          { guard: 'misunderstoodBefore', ...backToRouter('personOrMessage', ['noteNow']) },
          { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askWhichClient', 'listen'] },
        ],
        NO_INPUT: noInput(['askWhichClient', 'listen'], backToRouter('personOrMessage', ['noteNow'])),
        HANGUP: { target: 'done', actions: 'markCallerGone' },
      },
    },

    checking: {
      invoke: {
        id: 'checkTodaysVisits',
        src: 'checkTodaysVisits',
        input: ({ context }) => ({ conversationId: context.conversationId, step: 'whereIsCaregiver.check', clientId: clientOf(context.chosen)!.id, now: context.now }),
        onDone: { target: 'deciding', actions: 'keepVisit' },
        onError: { target: 'takingMessage', actions: ['sayCannotCheckSchedule', { type: 'draftMessage', params: { about: 'unavailable' } }] },
      },
      on: { HANGUP: { actions: 'markCallerGone' } },
    },

    deciding: {
      always: [
        { guard: and(['nobodyAssigned', 'callerGone']), target: 'takingMessage', actions: { type: 'draftMessage', params: { about: 'unassigned' } } },
        { guard: { type: 'visitIs', params: { state: 'unassigned' } }, target: 'handedOver', actions: ['sayUnassigned', 'handOverAsUrgentCase'] },
        { guard: and(['caregiverLate', not('callerGone')]), target: 'notifyingLate', actions: 'sayLate' },
        { guard: { type: 'visitIs', params: { state: 'late' } }, target: 'notifyingLate' },
        { guard: 'callerGone', target: 'done' },
        { guard: { type: 'visitIs', params: { state: 'clockedIn' } }, target: 'done', actions: 'sayClockedIn' },
        { guard: { type: 'visitIs', params: { state: 'over' } }, target: 'done', actions: 'sayVisitOver' },
        { guard: { type: 'visitIs', params: { state: 'notStarted' } }, target: 'done', actions: 'sayNotStarted' },
        { target: 'offeringPerson', actions: 'sayNoVisitToday' },
      ],
    },

    // The scheduler and the caregiver are texted whether or not the caller is still there.
    notifyingLate: {
      invoke: {
        id: 'notifyLateCaregiver',
        src: 'notifyLateCaregiver',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'whereIsCaregiver.late',
          clientId: clientOf(context.chosen)!.id,
          visit: context.visit!,
          callerPhone: context.callerPhone,
          identities: context.identities,
          caller: context.caller,
          now: context.now,
        }),
        onDone: [{ guard: 'callerGone', target: 'done' }, { target: 'done', actions: 'sayLateNoticeSent' }],
        onError: { target: 'takingMessage', actions: { type: 'draftMessage', params: { about: 'late' } } },
      },
      on: { HANGUP: { actions: 'markCallerGone' } },
    },

    // "I don't see a visit today. Would you like to speak to a person?"
    offeringPerson: {
      tags: AWAITING_INPUT,
      entry: ['resetRetries', 'listen'],
      on: {
        INPUT: [
          ...interrupts(backToRouter, ['noticeLanguage', 'noteNow']),
          { guard: 'saidYes', target: 'handedBack', actions: ['noticeLanguage', 'noteNow', { type: 'handBack', params: { reason: 'operator' } }] },
          { guard: 'saidNo', target: 'done', actions: ['noticeLanguage', 'sayGoodbye'] },
          { guard: 'misunderstoodBefore', ...backToRouter('personOrMessage', ['noteNow']) },
          { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'sayNoVisitToday', 'listen'] },
        ],
        NO_INPUT: noInput(['sayNoVisitToday', 'listen'], { target: 'done', actions: ['sayGoodbye'] }),
        HANGUP: { target: 'done', actions: 'markCallerGone' },
      },
    },

    takingMessage: {
      invoke: {
        id: 'takeMessage',
        src: 'takeMessage',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'whereIsCaregiver.takeMessage',
          role: context.message?.role ?? ('scheduler' as const),
          topic: 'whereIsCaregiver' as const,
          callerPhone: context.callerPhone,
          identities: context.caller ? [context.caller] : context.identities,
          lang: context.lang,
          text: context.message?.text,
          incomplete: context.callerGone,
        }),
        onDone: { target: 'done', actions: 'sayMessageSaved' },
        onError: { target: 'done', actions: 'sayNoted' },
      },
      on: { HANGUP: { actions: 'markCallerGone' } },
    },

    done: { type: 'final', entry: 'endConversation' },
    // Another flow (the router, or the complaint flow for an unassigned visit) carries on in the same turn.
    handedBack: { type: 'final' },
    handedOver: { type: 'final' },
  },
});
