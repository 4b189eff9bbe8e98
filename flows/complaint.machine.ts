/**
 * A complaint from a client or a family member (design.md, "Complaint"), by voice or SMS.
 *
 * The router hands the caller over with what they already said. The flow takes the complaint in
 * their words (speech or text, or a recording when they prefer to leave a message), reads it back
 * in short, triages it, and records it as a case (`recordComplaint`: stored first, then the staff
 * text, the WellSky AdminTask and the context follow from a durable job). The caller hears the
 * case number; an urgent or emergency case is put through to the on-call chain, which the router
 * owns (the flow hands the caller back to it). A hang-up still records the case, marked incomplete.
 *
 * Nothing about the client is said: the caller knows whom they are calling about, and a caller
 * not on file for any client is taken as a new complaint with no client details.
 * Pure: no clock, no I/O. What is said lives in flows/phrases/complaint.ts.
 */
import { and, assign, not, setup } from 'xstate';
import {
  AWAITING_INPUT,
  type CallerIdentity,
  type Channel,
  type ConversationContextBase,
  type ConversationEvent,
  type ConversationInput,
  type Handoff,
} from './conversation';
import { unprovidedEffect, type EffectStep, type TakeMessageInput, type TakeMessageOutput } from './effects';
import { complaintPhrases } from './phrases/complaint';
import {
  callerOf,
  clientOf,
  handoffTo,
  interrupts,
  kitActions,
  kitGuards,
  routerFlow,
  sayer,
  spoken,
  flowContextOf,
  flowOutput,
  type FlowContext,
  type FlowOutput,
  type HandBack,
  type HandBackRoute,
} from './kit';
import { describesWhatHappened, gist, triageComplaint, wantsToRecord, type Severity } from './understand/complaint';

export const COMPLAINT_MACHINE_VERSION = 1;

/** `recordComplaint`: store the case, then (from a durable job) text staff and write the AdminTask. */
export interface RecordComplaintInput extends EffectStep {
  channel: Channel;
  callerPhone: string;
  identities: CallerIdentity[];
  caller: CallerIdentity | null;
  /** The client the caller is on file for; null for a caller not on file (no client details). */
  clientId: string | null;
  text?: string;
  recordingUrl?: string;
  severity: Severity;
  reason?: string;
  incomplete: boolean;
  lang: ConversationContextBase['lang'];
}
export interface RecordComplaintOutput {
  caseNumber: string;
}

export interface ComplaintContext extends FlowContext {
  caller: CallerIdentity | null;
  clientId: string | null;
  /** Why the router sent the caller here ('complaint', or 'unassigned' from the where-is flow). */
  topic: string;
  text: string | null;
  recordingUrl: string | null;
  severity: Severity;
  reason: string | null;
  incomplete: boolean;
  /** The caller said the read-back was wrong and told it again. */
  retold: boolean;
  silences: number;
  /** The caller asked for a person: after the case is saved, the router puts them through. */
  wantsPerson: boolean;
  caseNumber: string | null;
  handoff: Handoff | null;
  now: string;
}

export interface ComplaintOutput extends FlowOutput {
  caseNumber: string | null;
}

const say = sayer(complaintPhrases);

function initialContext(input: ConversationInput): ComplaintContext {
  const caller = callerOf(input);
  const topic = input.handoff?.topic ?? 'complaint';
  const unassigned = topic === 'unassigned';
  const lang = input.handoff?.lang ?? input.lang;
  return {
    ...flowContextOf(input),
    caller,
    clientId: clientOf(caller)?.id ?? null,
    topic,
    // A visit with nobody assigned is urgent whatever was said (the where-is flow found it).
    text: unassigned ? complaintPhrases(lang).unassignedVisit() : describesWhatHappened(input.handoff?.text) ? (input.handoff?.text ?? null) : null,
    recordingUrl: null,
    severity: unassigned ? 'urgent' : 'normal',
    reason: unassigned ? 'unassigned' : null,
    incomplete: false,
    retold: false,
    wantsPerson: false,
    caseNumber: null,
  };
}

/**
 * An emergency or a request for a person: the case is saved first (the router then puts the
 * caller through); during the read-back, what was said so far is triaged on the way.
 */
const saveFirst = (then: 'saving' | 'triaging'): HandBackRoute => (reason) =>
  reason === 'emergency' ? { target: 'saving', actions: ['noteNow', 'markEmergency'] } : { target: then, actions: ['noteNow', 'markWantsPerson'] };

export const complaintMachine = setup({
  types: {} as { context: ComplaintContext; events: ConversationEvent; input: ConversationInput; output: ComplaintOutput },
  actors: {
    recordComplaint: unprovidedEffect<RecordComplaintOutput, RecordComplaintInput>('recordComplaint'),
    takeMessage: unprovidedEffect<TakeMessageOutput, TakeMessageInput>('takeMessage'),
  },
  guards: {
    ...kitGuards,
    wantsToRecord: ({ event }) => !!spoken(event).text && wantsToRecord(spoken(event).text!),
    retoldAlready: ({ context }) => context.retold,
    hasComplaint: ({ context }) => context.text !== null,
    visitUnassigned: ({ context }) => context.topic === 'unassigned',
    isEmergency: ({ context }) => context.severity === 'emergency',
    isUrgent: ({ context }) => context.severity === 'urgent',
    callerGone: ({ context }) => context.incomplete,
    wantsPerson: ({ context }) => context.wantsPerson,
  },
  actions: {
    ...kitActions<ComplaintContext>(),
    askWhatHappened: assign({ lines: ({ context }) => say(context, (p) => p.askWhatHappened({ channel: context.channel })) }),
    askAgain: assign({ lines: ({ context }) => say(context, (p) => p.askAgain()) }),
    sayDidNotCatch: assign({ lines: ({ context }) => say(context, (p) => p.didNotCatch()) }),
    readBack: assign({ lines: ({ context }) => say(context, (p) => p.readBack({ gist: gist(context.text ?? '') })) }),
    askForRecording: assign({ lines: ({ context }) => say(context, (p) => p.askForRecording()) }),
    sayCaseTaken: assign({
      lines: ({ context }) =>
        say(context, (p) => p.caseTaken({ caseNumber: context.caseNumber ?? '', callbackHours: context.agency.callbackHours, channel: context.channel })),
    }),
    sayUrgentTaken: assign({
      lines: ({ context }) => say(context, (p) => p.urgentTaken({ caseNumber: context.caseNumber ?? '', channel: context.channel })),
    }),
    sayPassedOn: assign({ lines: ({ context }) => say(context, (p) => p.passedOn({ callbackHours: context.agency.callbackHours })) }),
    sayNoted: assign({ lines: ({ context }) => say(context, (p) => p.noted()) }),

    listen: assign({ directive: ({ context }) => ({ kind: 'gather' as const, hints: complaintPhrases(context.lang).hints() }) }),
    listenForYesNo: assign({ directive: ({ context }) => ({ kind: 'gather' as const, hints: complaintPhrases(context.lang).hints(), expectsYesNo: true }) }),
    record: assign({ directive: { kind: 'record' as const, maxSeconds: 180 } }),

    captureText: assign({ text: ({ event }) => spoken(event).text?.trim() ?? null, silences: 0 }),
    addToText: assign({ text: ({ context, event }) => [context.text, spoken(event).text?.trim()].filter(Boolean).join(' ') }),
    markRetold: assign({ retold: true }),
    captureRecording: assign({ recordingUrl: ({ event }) => (event.type === 'RECORDING' ? (event.recordingUrl ?? null) : null) }),
    markIncomplete: assign({ incomplete: true }),
    markEmergency: assign({
      severity: 'emergency' as const,
      text: ({ context, event }) => context.text ?? spoken(event).text?.trim() ?? null,
    }),
    markWantsPerson: assign({ wantsPerson: true }),
    triage: assign(({ context }) => {
      if (context.severity !== 'normal') return {};
      const { severity, reason } = triageComplaint(context.text ?? undefined);
      return { severity, reason: reason ?? null };
    }),
    keepCaseNumber: assign({
      caseNumber: ({ event }) => ('output' in event ? (event.output as RecordComplaintOutput).caseNumber : null),
    }),
    handBack: assign({
      handoff: ({ context }, params: { reason: HandBack }) =>
        handoffTo(routerFlow(context.channel), { topic: params.reason, identity: context.caller, lang: context.lang, now: context.now }),
    }),
  },
}).createMachine({
  id: 'complaint',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => flowOutput(context, { caseNumber: context.caseNumber }),
  initial: 'waitingForStart',
  states: {
    waitingForStart: {
      tags: AWAITING_INPUT,
      on: {
        START: [
          { guard: 'saidEmergency', target: 'saving', actions: ['noteNow', 'markEmergency'] },
          { guard: 'visitUnassigned', target: 'triaging', actions: 'noteNow' },
          { guard: 'hasComplaint', target: 'readingBack', actions: 'noteNow' },
          { target: 'askingWhatHappened', actions: 'noteNow' },
        ],
      },
    },

    // "Please tell me what happened, in your own words."
    askingWhatHappened: {
      tags: AWAITING_INPUT,
      entry: ['askWhatHappened', 'listen'],
      on: {
        INPUT: [
          ...interrupts(saveFirst('saving')),
          { guard: and(['onThePhone', 'wantsToRecord']), target: 'recordingComplaint', actions: ['noticeLanguage', 'noteNow'] },
          { guard: 'gaveText', target: 'readingBack', actions: ['noticeLanguage', 'noteNow', 'captureText'] },
          { actions: ['sayDidNotCatch', 'askWhatHappened', 'listen'] },
        ],
        NO_INPUT: [
          // Twice silent on the phone: let them record it instead.
          { guard: and(['silentBefore', 'onThePhone']), target: 'recordingComplaint', actions: 'noteNow' },
          { guard: 'silentBefore', target: 'saving', actions: ['noteNow', 'markIncomplete'] },
          { actions: ['countSilence', 'sayDidNotCatch', 'askWhatHappened', 'listen'] },
        ],
        HANGUP: { target: 'saving', actions: ['noteNow', 'markIncomplete'] },
      },
    },

    // "I have: 'the caregiver left two hours early'. Is that right?"
    readingBack: {
      tags: AWAITING_INPUT,
      entry: ['readBack', 'listenForYesNo'],
      on: {
        INPUT: [
          ...interrupts(saveFirst('triaging')),
          { guard: 'saidYes', target: 'triaging', actions: 'noteNow' },
          { guard: and(['saidNo', not('retoldAlready')]), target: 'askingWhatHappened', actions: ['noteNow', 'markRetold', 'askAgain'] },
          { guard: 'saidNo', target: 'triaging', actions: 'noteNow' },
          // Anything else is more of the story.
          { guard: 'gaveText', target: 'triaging', actions: ['noticeLanguage', 'noteNow', 'addToText'] },
          { target: 'triaging', actions: 'noteNow' },
        ],
        NO_INPUT: { target: 'triaging', actions: 'noteNow' },
        HANGUP: { target: 'triaging', actions: ['noteNow', 'markIncomplete'] },
      },
    },

    recordingComplaint: {
      tags: AWAITING_INPUT,
      entry: ['askForRecording', 'record'],
      on: {
        RECORDING: { target: 'triaging', actions: ['noteNow', 'captureRecording'] },
        NO_INPUT: { target: 'saving', actions: ['noteNow', 'markIncomplete'] },
        HANGUP: { target: 'saving', actions: ['noteNow', 'markIncomplete'] },
      },
    },

    triaging: {
      entry: 'triage',
      always: 'saving',
    },

    // The case is stored before anything else; staff texts and WellSky follow from a durable job.
    saving: {
      invoke: {
        id: 'recordComplaint',
        src: 'recordComplaint',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'complaint.record',
          channel: context.channel,
          callerPhone: context.callerPhone,
          identities: context.identities,
          caller: context.caller,
          clientId: context.clientId,
          text: context.text ?? undefined,
          recordingUrl: context.recordingUrl ?? undefined,
          severity: context.severity,
          reason: context.reason ?? undefined,
          incomplete: context.incomplete,
          lang: context.lang,
        }),
        onDone: { target: 'caseRecorded', actions: 'keepCaseNumber' },
        onError: { target: 'savingAsMessage' },
      },
      // The case is recorded whether or not the caller is still there.
      on: { HANGUP: { actions: 'markIncomplete' } },
    },

    caseRecorded: {
      always: [
        { guard: 'callerGone', target: 'done' },
        { guard: 'isEmergency', target: 'handedBack', actions: { type: 'handBack', params: { reason: 'emergency' } } },
        { guard: and(['isUrgent', 'onThePhone']), target: 'handedBack', actions: ['sayUrgentTaken', { type: 'handBack', params: { reason: 'urgent' } }] },
        { guard: 'isUrgent', target: 'done', actions: 'sayUrgentTaken' },
        { guard: 'wantsPerson', target: 'handedBack', actions: { type: 'handBack', params: { reason: 'operator' } } },
        { target: 'done', actions: 'sayCaseTaken' },
      ],
    },

    // The case could not be stored: the shared message path still gets it to the staff.
    savingAsMessage: {
      invoke: {
        id: 'takeMessage',
        src: 'takeMessage',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'complaint.takeMessage',
          role: context.severity === 'normal' ? ('complaints' as const) : ('oncall' as const),
          topic: context.severity === 'emergency' ? ('emergency' as const) : ('complaint' as const),
          callerPhone: context.callerPhone,
          identities: context.identities,
          lang: context.lang,
          text: context.text ?? undefined,
          recordingUrl: context.recordingUrl ?? undefined,
          incomplete: context.incomplete,
        }),
        onDone: [
          { guard: 'callerGone', target: 'done' },
          { guard: not('isEmergency'), target: 'done', actions: 'sayPassedOn' },
          { target: 'handedBack', actions: { type: 'handBack', params: { reason: 'emergency' } } },
        ],
        onError: { target: 'done', actions: 'sayNoted' },
      },
      on: { HANGUP: { actions: 'markIncomplete' } },
    },

    done: { type: 'final', entry: 'endConversation' },
    // The router puts the caller through to on-call (and says so) in the same turn.
    handedBack: { type: 'final' },
  },
});
