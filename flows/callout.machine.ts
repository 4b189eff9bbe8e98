/**
 * The call-out flow: a caregiver known by their phone calls or texts that they can't make a
 * shift, are running late, can make it after all, or want to take an offered shift.
 *
 * The router hands the conversation here (Handoff topic 'callout' | 'late' | 'uncallout' |
 * 'claimShift' | 'unsure'). This flow finds the caregiver's shifts from now to the end of
 * tomorrow, lets them confirm or pick one, and then:
 * - late: takes the ETA and has the scheduler (and the family) told; no campaign;
 * - call-out: takes the reason, confirms, and records it (the shift-fill campaign starts from
 *   there); a shift within 2 hours is urgent: on-call is alerted and, by voice, a transfer offered;
 * - a shift already under way: puts them through to a person.
 * Whenever a person is needed (emergency, "operator", two failed answers, WellSky down) the
 * conversation goes back to the router, which owns dialling, on-call alerts and messages.
 *
 * Pure: no clock (every event carries `now`), no I/O. Effects are named actors provided by the
 * runtime: lookupShifts, recordCallOut, notifyLate, cancelCallOut, claimOffer.
 */
import { assign, setup } from 'xstate';
import {
  AWAITING_INPUT,
  type CallerIdentity,
  type Channel,
  type ConversationEvent,
  type ConversationInput,
  type Handoff,
  type Lang,
} from './conversation';
import { unprovidedEffect, type EffectStep } from './effects';
import { calloutPhrases, type ShiftWords } from './phrases/callout';
import { routerPhrases } from './phrases/router';
import {
  callerOf,
  flowContextOf,
  flowOutput,
  FLOWS,
  sayer,
  handBackTopic,
  interrupts,
  kitActions,
  kitGuards,
  noInput,
  routerFlow,
  spoken,
  yesNoQuestion,
  type Branch,
  type FlowContext,
  type FlowOutput,
  type HandBack,
  type HandBackRoute,
} from './kit';
import { answersLateOrCallOut, parseEta, pickChoice, understand } from './understand';

/** Bump when a state or actor is renamed or removed: older snapshots then start over politely. */
export const CALLOUT_MACHINE_VERSION = 1;
export const CALLOUT_FLOW = FLOWS.callout;

/** A shift as the flow knows it: no address, no care details. */
export interface ShiftOption {
  id: string;
  clientId: string;
  clientFirstName?: string;
  /** UTC ISO */
  start: string;
  end: string;
}

export type CalloutTopic = 'callout' | 'late' | 'uncallout' | 'claimShift' | 'unsure';

export interface LookupShiftsInput extends EffectStep { caregiverId: string; now: string }
export interface LookupShiftsOutput { shifts: ShiftOption[] }
export interface RecordCallOutInput extends EffectStep {
  caregiverId: string; callerPhone: string; channel: Channel; lang: Lang; shift: ShiftOption; reason: string;
}
export interface RecordCallOutOutput { callOutId: number; urgent: boolean }
export interface NotifyLateInput extends EffectStep {
  caregiverId: string; callerPhone: string; channel: Channel; lang: Lang; shift: ShiftOption; etaMinutes: number;
}
export interface NotifyLateOutput { familyTold: boolean }
export interface CancelCallOutInput extends EffectStep { caregiverId: string }
export interface CancelCallOutOutput { outcome: 'cancelled' | 'alreadyFilled' | 'none'; shift?: ShiftOption }
export interface ClaimOfferInput extends EffectStep { callerPhone: string; text?: string }
export interface ClaimOfferOutput { outcome: 'claimed' | 'tooLate' | 'none' }

export interface CalloutContext extends FlowContext {
  caller: CallerIdentity | null;
  topic: CalloutTopic;
  /** What the caller said that brought them here. */
  firstText?: string;
  shifts: ShiftOption[];
  shiftId: string | null;
  reason: string | null;
  etaMinutes: number | null;
  misunderstandings: number;
  urgent: boolean;
}

export type CalloutOutput = FlowOutput;

function chosenShift(context: CalloutContext): ShiftOption | undefined {
  return context.shifts.find((s) => s.id === context.shiftId);
}

function words(context: CalloutContext, shift: ShiftOption): ShiftWords {
  return { start: shift.start, end: shift.end, clientFirstName: shift.clientFirstName, timezone: context.agency.timezone, now: context.now };
}

/** The call-out's lines, and the router's for what every flow says ("I didn't catch that"). */
const say = sayer((lang) => ({ callout: calloutPhrases(lang), router: routerPhrases(lang) }));

function topicOf(handoff: Handoff | undefined): CalloutTopic {
  const t = handoff?.topic;
  return t === 'callout' || t === 'late' || t === 'uncallout' || t === 'claimShift' ? t : 'unsure';
}

function step(context: CalloutContext, name: string) {
  return { conversationId: context.conversationId, step: `callout.${name}` };
}

type Listening = 'yesNo' | 'shift' | 'lateOrCallOut' | 'eta' | 'reason';

/** Whenever a person is needed, the conversation goes back to the router. */
const backToRouter: HandBackRoute = (reason) => ({ target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason } }] });
const whenTheCallerNeedsSomeoneNow = interrupts(backToRouter);
/** A question's no-input path: ask once more, then offer a person or a message (the router). */
const noInputThen = (ask: string) => noInput(['sayDidNotCatch', ask], backToRouter('personOrMessage'));
/** A yes/no question: yes → `yes`, no → `no`, anything else twice → a person or a message. */
// The config is built from names declared in setup() below; test/flows/kit.test.ts checks them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const question = (ask: string, yes: Branch, no: Branch): any =>
  yesNoQuestion({ ask, yes, no, route: backToRouter, listen: [{ type: 'listen', params: { for: 'yesNo' } }] });

export const calloutMachine = setup({
  types: {} as { context: CalloutContext; events: ConversationEvent; input: ConversationInput; output: CalloutOutput },
  actors: {
    lookupShifts: unprovidedEffect<LookupShiftsOutput, LookupShiftsInput>('lookupShifts'),
    recordCallOut: unprovidedEffect<RecordCallOutOutput, RecordCallOutInput>('recordCallOut'),
    notifyLate: unprovidedEffect<NotifyLateOutput, NotifyLateInput>('notifyLate'),
    cancelCallOut: unprovidedEffect<CancelCallOutOutput, CancelCallOutInput>('cancelCallOut'),
    claimOffer: unprovidedEffect<ClaimOfferOutput, ClaimOfferInput>('claimOffer'),
  },
  guards: {
    ...kitGuards,
    topicIs: ({ context }, params: { topic: CalloutTopic }) => context.topic === params.topic,
    noShifts: ({ context }) => context.shifts.length === 0,
    oneShift: ({ context }) => context.shifts.length === 1,
    pickedAShift: ({ context, event }) => {
      const picked = pickChoice(spoken(event).text, spoken(event).digits, optionsOf(context), { now: event.now, timezone: context.agency.timezone, lang: context.lang });
      return !!picked && 'id' in picked;
    },
    shiftUnderWay: ({ context }) => {
      const shift = chosenShift(context);
      return !!shift && Date.parse(shift.start) <= Date.parse(context.now);
    },
    saidLate: ({ context, event }) => {
      const text = spoken(event).text;
      if (!text) return false;
      return understand(text, { lang: context.lang }).intent === 'late' || answersLateOrCallOut(text, 'late');
    },
    saidCallOut: ({ context, event }) => {
      const text = spoken(event).text;
      return !!text && (['callout', 'no'].includes(understand(text, { lang: context.lang }).intent) || answersLateOrCallOut(text, 'callout'));
    },
    gaveEta: ({ context, event }) => !!spoken(event).text && !!parseEta(spoken(event).text!, { now: event.now, timezone: context.agency.timezone }),
    etaKnown: ({ context }) => context.etaMinutes !== null,
    urgentOnThePhone: ({ context, event }) =>
      context.channel === 'voice' && 'output' in event && (event.output as RecordCallOutOutput).urgent,
    urgentByText: ({ event }) => 'output' in event && (event.output as RecordCallOutOutput).urgent,
    cancelOutcome: ({ event }, params: { outcome: CancelCallOutOutput['outcome'] }) =>
      'output' in event && (event.output as CancelCallOutOutput).outcome === params.outcome,
    claimOutcome: ({ event }, params: { outcome: ClaimOfferOutput['outcome'] }) =>
      'output' in event && (event.output as ClaimOfferOutput).outcome === params.outcome,
  },
  actions: {
    ...kitActions<CalloutContext>(),
    sayLookingUp: assign({ lines: ({ context }) => (context.channel === 'voice' ? say(context, ({ callout: p }) => p.lookingUp()) : context.lines) }),
    sayCannotReachSchedule: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.cannotReachSchedule()) }),
    sayNoShifts: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.noShifts({ channel: context.channel })) }),
    askConfirmShift: assign({
      lines: ({ context }) => say(context, ({ callout: p }) => p.confirmShift({ shift: words(context, context.shifts[0]), channel: context.channel })),
    }),
    askWhichShift: assign({
      lines: ({ context }) => say(context, ({ callout: p }) => p.chooseShift({ shifts: context.shifts.map((s) => words(context, s)), channel: context.channel })),
    }),
    sayDidNotGetWhichShift: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.didNotGetWhichShift()) }),
    sayNotThatShift: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.notThatShift({ channel: context.channel })) }),
    sayAlreadyUnderWay: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.alreadyUnderWay()) }),
    askLateOrCallOut: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.askLateOrCallOut({ channel: context.channel })) }),
    askEta: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.askEta()) }),
    sayLateNoted: assign({
      lines: ({ context, event }) =>
        say(context, ({ callout: p }) => p.lateNoted({ minutes: context.etaMinutes ?? 0, familyTold: 'output' in event && !!(event.output as NotifyLateOutput).familyTold })),
    }),
    askReason: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.askReason()) }),
    askConfirmCallOut: assign({
      lines: ({ context }) => say(context, ({ callout: p }) => p.confirmCallOut({ shift: words(context, chosenShift(context)!), channel: context.channel })),
    }),
    sayNotRecorded: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.notRecorded({ channel: context.channel })) }),
    sayCallOutRecorded: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.callOutRecorded({ channel: context.channel })) }),
    offerUrgentTransfer: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.urgentOfferTransfer()) }),
    sayOnCallAlerted: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.urgentOnCallAlerted()) }),
    sayTakenBack: assign({
      lines: ({ context, event }) => {
        const shift = 'output' in event ? (event.output as CancelCallOutOutput).shift : undefined;
        return shift ? say(context, ({ callout: p }) => p.takenBack({ shift: words(context, shift) })) : context.lines;
      },
    }),
    sayAlreadyFilled: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.alreadyFilled()) }),
    sayNoCallOutToTakeBack: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.noCallOutToTakeBack({ channel: context.channel })) }),
    sayClaimed: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.claimed()) }),
    sayClaimTooLate: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.claimTooLate()) }),
    sayNoOfferToClaim: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.noOfferToClaim({ channel: context.channel })) }),
    sayGoodbye: assign({ lines: ({ context }) => say(context, ({ callout: p }) => p.goodbye()) }),
    sayDidNotCatch: assign({ lines: ({ context }) => say(context, ({ router: r }) => r.didNotCatch()) }),
    sayDidNotUnderstand: assign({ lines: ({ context }) => say(context, ({ router: r }) => r.didNotUnderstand()) }),

    listen: assign({
      directive: ({ context }, params: { for: Listening }) => ({
        kind: 'gather' as const,
        hints: calloutPhrases(context.lang).hints({ listening: params.for, shifts: context.shifts.map((s) => words(context, s)) }),
        ...(params.for === 'yesNo' ? { expectsYesNo: true } : {}),
      }),
    }),

    keepShifts: assign({ shifts: ({ event }) => ('output' in event ? (event.output as LookupShiftsOutput).shifts : []) }),
    chooseOnlyShift: assign({ shiftId: ({ context }) => context.shifts[0]?.id ?? null }),
    choosePickedShift: assign({
      shiftId: ({ context, event }) => {
        const picked = pickChoice(spoken(event).text, spoken(event).digits, optionsOf(context), { now: event.now, timezone: context.agency.timezone, lang: context.lang });
        return picked && 'id' in picked ? picked.id : null;
      },
    }),
    noteLate: assign({ topic: 'late' as CalloutTopic }),
    noteCallOut: assign({ topic: 'callout' as CalloutTopic }),
    takeEta: assign({
      etaMinutes: ({ context, event }) => {
        const text = spoken(event).text;
        return (text ? parseEta(text, { now: event.now, timezone: context.agency.timezone })?.minutes : undefined) ?? context.etaMinutes;
      },
    }),
    takeReason: assign({ reason: ({ event }) => spoken(event).text?.trim().slice(0, 500) ?? null }),
    noteUrgent: assign({ urgent: true }),
    handBack: assign({
      handoff: ({ context, event }, params: { reason: HandBack }) => ({
        flow: routerFlow(context.channel),
        topic: handBackTopic(params.reason, context.topic === 'unsure' ? 'callout' : context.topic),
        text: spoken(event).text,
        identity: context.caller ?? undefined,
        lang: context.lang,
        now: event.now ?? context.now,
      }),
    }),
  },
}).createMachine({
  id: 'callout',
  context: ({ input }) => {
    const caller = callerOf(input);
    const firstText = input.handoff?.text;
    return {
      ...flowContextOf(input),
      caller,
      topic: topicOf(input.handoff),
      firstText,
      shifts: [],
      shiftId: null,
      reason: null,
      etaMinutes: firstText ? (parseEta(firstText, { now: input.handoff?.now ?? input.now, timezone: input.agency.timezone })?.minutes ?? null) : null,
      misunderstandings: 0,
      urgent: false,
    };
  },
  output: ({ context }) => flowOutput(context, {}),
  initial: 'waitingForStart',
  on: { HANGUP: '.callerHungUp' },
  states: {
    waitingForStart: {
      tags: AWAITING_INPUT,
      on: {
        START: [
          { guard: { type: 'topicIs', params: { topic: 'uncallout' } }, target: 'takingBack', actions: 'noteNow' },
          { guard: { type: 'topicIs', params: { topic: 'claimShift' } }, target: 'claimingOffer', actions: 'noteNow' },
          { target: 'lookingUpShifts', actions: ['noteNow', 'sayLookingUp'] },
        ],
      },
    },

    // ── Which shift ──────────────────────────────────────────────────────────────────────
    lookingUpShifts: {
      invoke: {
        id: 'lookupShifts',
        src: 'lookupShifts',
        input: ({ context }) => ({ ...step(context, 'lookupShifts'), caregiverId: context.caller?.personId ?? '', now: context.now }),
        onDone: { target: 'decidingShift', actions: 'keepShifts' },
        // WellSky down or slow: the router takes a message for the scheduler.
        onError: { target: 'backToRouter', actions: ['sayCannotReachSchedule', { type: 'handBack', params: { reason: 'message' } }] },
      },
    },

    decidingShift: {
      always: [
        { guard: 'noShifts', target: 'offeringPersonNoShifts' },
        { guard: 'oneShift', target: 'confirmingShift' },
        { target: 'choosingShift' },
      ],
    },

    offeringPersonNoShifts: question(
      'sayNoShifts',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'operator' } }] },
      { target: 'saidGoodbye' },
    ),

    confirmingShift: question(
      'askConfirmShift',
      { target: 'shiftChosen', actions: ['chooseOnlyShift'] },
      { target: 'offeringPersonNotThatShift' },
    ),

    offeringPersonNotThatShift: question(
      'sayNotThatShift',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'operator' } }] },
      { target: 'saidGoodbye' },
    ),

    choosingShift: {
      tags: AWAITING_INPUT,
      entry: ['resetRetries', 'askWhichShift', { type: 'listen', params: { for: 'shift' } }],
      on: {
        INPUT: [
          ...whenTheCallerNeedsSomeoneNow,
          { guard: 'pickedAShift', target: 'shiftChosen', actions: ['noticeLanguage', 'noteNow', 'choosePickedShift'] },
          { guard: 'misunderstoodBefore', target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'personOrMessage' } } },
          { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotGetWhichShift', 'askWhichShift'] },
        ],
        NO_INPUT: noInputThen('askWhichShift'),
      },
    },

    shiftChosen: {
      always: [
        // Under way or over: not a call-out any more; a person sorts it out now.
        { guard: 'shiftUnderWay', target: 'backToRouter', actions: ['sayAlreadyUnderWay', { type: 'handBack', params: { reason: 'urgentShift' } }] },
        { guard: { type: 'topicIs', params: { topic: 'late' } }, target: 'runningLate' },
        { guard: { type: 'topicIs', params: { topic: 'callout' } }, target: 'askingReason' },
        { target: 'askingLateOrCallOut' },
      ],
    },

    askingLateOrCallOut: {
      tags: AWAITING_INPUT,
      entry: ['resetRetries', 'askLateOrCallOut', { type: 'listen', params: { for: 'lateOrCallOut' } }],
      on: {
        INPUT: [
          ...whenTheCallerNeedsSomeoneNow,
          { guard: 'saidLate', target: 'runningLate', actions: ['noticeLanguage', 'noteLate', 'takeEta'] },
          { guard: 'saidCallOut', target: 'askingReason', actions: ['noticeLanguage', 'noteCallOut'] },
          { guard: 'misunderstoodBefore', target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'personOrMessage' } } },
          { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askLateOrCallOut'] },
        ],
        NO_INPUT: noInputThen('askLateOrCallOut'),
      },
    },

    // ── Running late ─────────────────────────────────────────────────────────────────────
    runningLate: {
      always: [{ guard: 'etaKnown', target: 'notifyingLate' }, { target: 'askingEta' }],
    },

    askingEta: {
      tags: AWAITING_INPUT,
      entry: ['resetRetries', 'askEta', { type: 'listen', params: { for: 'eta' } }],
      on: {
        INPUT: [
          ...whenTheCallerNeedsSomeoneNow,
          { guard: 'gaveEta', target: 'notifyingLate', actions: ['noticeLanguage', 'noteNow', 'takeEta'] },
          { guard: 'misunderstoodBefore', target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'personOrMessage' } } },
          { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askEta'] },
        ],
        NO_INPUT: noInputThen('askEta'),
      },
    },

    notifyingLate: {
      invoke: {
        id: 'notifyLate',
        src: 'notifyLate',
        input: ({ context }) => ({
          ...step(context, 'notifyLate'), caregiverId: context.caller?.personId ?? '', callerPhone: context.callerPhone, channel: context.channel,
          lang: context.lang, shift: chosenShift(context)!, etaMinutes: context.etaMinutes ?? 0,
        }),
        onDone: { target: 'lateNoted' },
        onError: { target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'message' } } },
      },
      on: { HANGUP: {} },
    },

    // ── Calling out ──────────────────────────────────────────────────────────────────────
    askingReason: {
      tags: AWAITING_INPUT,
      entry: ['resetRetries', 'askReason', { type: 'listen', params: { for: 'reason' } }],
      on: {
        INPUT: [
          ...whenTheCallerNeedsSomeoneNow,
          { guard: 'gaveText', target: 'confirmingCallOut', actions: ['noticeLanguage', 'takeReason'] },
          { guard: 'misunderstoodBefore', target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'personOrMessage' } } },
          { actions: ['countMisunderstanding', 'sayDidNotUnderstand', 'askReason'] },
        ],
        NO_INPUT: noInputThen('askReason'),
      },
    },

    confirmingCallOut: question(
      'askConfirmCallOut',
      { target: 'recordingCallOut', actions: ['noteNow'] },
      { target: 'offeringPersonNotRecorded' },
    ),

    offeringPersonNotRecorded: question(
      'sayNotRecorded',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'operator' } }] },
      { target: 'saidGoodbye' },
    ),

    recordingCallOut: {
      invoke: {
        id: 'recordCallOut',
        src: 'recordCallOut',
        input: ({ context }) => ({
          ...step(context, 'recordCallOut'), caregiverId: context.caller?.personId ?? '', callerPhone: context.callerPhone, channel: context.channel,
          lang: context.lang, shift: chosenShift(context)!, reason: context.reason ?? '',
        }),
        onDone: [
          { guard: 'urgentOnThePhone', target: 'offeringUrgentTransfer', actions: ['sayCallOutRecorded', 'noteUrgent'] },
          { guard: 'urgentByText', target: 'callOutRecorded', actions: ['sayCallOutRecorded', 'noteUrgent', 'sayOnCallAlerted'] },
          { target: 'callOutRecorded', actions: 'sayCallOutRecorded' },
        ],
        onError: { target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'message' } } },
      },
      // The call-out is recorded whether or not the caller is still there.
      on: { HANGUP: {} },
    },

    offeringUrgentTransfer: question(
      'offerUrgentTransfer',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'urgentShift' } }] },
      { target: 'saidGoodbye' },
    ),

    // ── "I can make it after all" ────────────────────────────────────────────────────────
    takingBack: {
      invoke: {
        id: 'cancelCallOut',
        src: 'cancelCallOut',
        input: ({ context }) => ({ ...step(context, 'cancelCallOut'), caregiverId: context.caller?.personId ?? '' }),
        onDone: [
          { guard: { type: 'cancelOutcome', params: { outcome: 'cancelled' } }, target: 'takenBack', actions: 'sayTakenBack' },
          { guard: { type: 'cancelOutcome', params: { outcome: 'alreadyFilled' } }, target: 'takenBack', actions: 'sayAlreadyFilled' },
          { target: 'offeringPersonNothingToTakeBack' },
        ],
        onError: { target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'message' } } },
      },
      on: { HANGUP: {} },
    },

    offeringPersonNothingToTakeBack: question(
      'sayNoCallOutToTakeBack',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'operator' } }] },
      { target: 'saidGoodbye' },
    ),

    // ── Taking an offered shift by phone ─────────────────────────────────────────────────
    claimingOffer: {
      invoke: {
        id: 'claimOffer',
        src: 'claimOffer',
        input: ({ context }) => ({ ...step(context, 'claimOffer'), callerPhone: context.callerPhone, text: context.firstText }),
        onDone: [
          { guard: { type: 'claimOutcome', params: { outcome: 'claimed' } }, target: 'claimDone', actions: 'sayClaimed' },
          { guard: { type: 'claimOutcome', params: { outcome: 'tooLate' } }, target: 'claimDone', actions: 'sayClaimTooLate' },
          { target: 'offeringPersonNoOffer' },
        ],
        onError: { target: 'backToRouter', actions: { type: 'handBack', params: { reason: 'message' } } },
      },
      on: { HANGUP: {} },
    },

    offeringPersonNoOffer: question(
      'sayNoOfferToClaim',
      { target: '#callout.backToRouter', actions: [{ type: 'handBack', params: { reason: 'operator' } }] },
      { target: 'saidGoodbye' },
    ),

    // ── Endings ──────────────────────────────────────────────────────────────────────────
    /** The router takes over (a person, a message); it speaks next in the same turn. */
    backToRouter: { type: 'final' },
    lateNoted: { type: 'final', entry: ['sayLateNoted', 'endConversation'] },
    callOutRecorded: { type: 'final', entry: 'endConversation' },
    takenBack: { type: 'final', entry: 'endConversation' },
    claimDone: { type: 'final', entry: 'endConversation' },
    saidGoodbye: { type: 'final', entry: ['sayGoodbye', 'endConversation'] },
    callerHungUp: { type: 'final', entry: 'endConversation' },
  },
});

function optionsOf(context: CalloutContext) {
  return context.shifts.map((s) => ({ id: s.id, startIso: s.start, endIso: s.end, clientFirstName: s.clientFirstName }));
}
