/**
 * A new client's intake (design.md, "New lead"), by voice or SMS.
 *
 * One question at a time, in a fixed order, but every answer is read for anything else it holds
 * ("I'm Susan, calling for my mother in 80214, we'd pay privately" fills the name, the
 * relationship, the ZIP and the payer), so a question already answered is never asked. "Skip"
 * (or two silences) passes a question. No diagnoses or medications are asked for.
 *
 * A number already on file as a prospect or client is a returning caller: the lead updates that
 * record (see src/leads/) and the caller is told so. The lead is saved by `saveLead` — stored
 * first; the WellSky write, the intake staff text and the caller's thank-you text follow from
 * durable jobs and the outbox. A hang-up saves what was captured, marked incomplete.
 * Pure: no clock, no I/O. What is said lives in flows/phrases/lead.ts.
 */
import { assign, setup } from 'xstate';
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
import { leadPhrases, type LeadSlot } from './phrases/lead';
import {
  flowContextOf,
  flowOutput,
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
  type HandBackRoute,
} from './kit';
import { isSkip, parsePayer, parseZipOrCity, placeSaidAlongTheWay, relationshipOfCallerTo, yesNo } from './understand';
import { parsePersonName } from './understand/intake';

export const LEAD_MACHINE_VERSION = 1;

export const LEAD_SLOTS: LeadSlot[] = ['callerName', 'relationship', 'careForName', 'place', 'needs', 'schedule', 'payer', 'heardFrom', 'consent'];

/** What intake captured: every field may be missing (skipped, or the caller hung up). */
export interface LeadAnswers {
  callerName?: string;
  /** The caller's relationship to the person needing care (WellSky code: SELF, DAU, SON, CHILD, SPS, PROF, OTH, …). */
  relationship?: string;
  careForName?: string;
  /** The cared-for person's own phone (E.164), when the caller gives one; else the caller's is used. */
  careForPhone?: string;
  city?: string;
  zip?: string;
  needs?: string;
  schedule?: string;
  payer?: string;
  heardFrom?: string;
  consentToText?: boolean;
}

/** `saveLead`: store the lead, then write it to WellSky and text intake (and the caller) from jobs. */
export interface SaveLeadInput extends EffectStep, LeadAnswers {
  channel: Channel;
  callerPhone: string;
  identities: CallerIdentity[];
  lang: ConversationContextBase['lang'];
  skipped: LeadSlot[];
  returningPatientId?: string;
  incomplete: boolean;
  /** Why an incomplete lead stopped short when the caller did not hang up ("a person", an emergency). */
  stoppedFor?: HandBack;
}
export interface SaveLeadOutput {
  reference: string;
}

export interface LeadContext extends FlowContext {
  answers: LeadAnswers;
  skipped: LeadSlot[];
  asked: LeadSlot | null;
  silences: number;
  returningPatientId: string | null;
  incomplete: boolean;
  /** After saving: put the caller through to on-call ('operator', 'emergency'). */
  thenRouter: HandBack | null;
  reference: string | null;
  handoff: Handoff | null;
  now: string;
}

export interface LeadOutput extends FlowOutput {
  reference: string | null;
}

const say = sayer(leadPhrases);

/** The next question: the first slot neither answered nor skipped. */
export function nextSlot(answers: LeadAnswers, skipped: LeadSlot[]): LeadSlot | undefined {
  const filled: Record<LeadSlot, boolean> = {
    callerName: !!answers.callerName,
    relationship: !!answers.relationship,
    careForName: !!answers.careForName || answers.relationship === 'SELF',
    place: !!(answers.city || answers.zip),
    needs: !!answers.needs,
    schedule: !!answers.schedule,
    payer: !!answers.payer,
    heardFrom: !!answers.heardFrom,
    consent: answers.consentToText !== undefined,
  };
  return LEAD_SLOTS.find((slot) => !filled[slot] && !skipped.includes(slot));
}

const ZIP = /\b(\d{5})(?:-\d{4})?\b/;
// A North American number said or typed in any common way: "303 555 0177", "(720) 555-0141", "+1 970…".
const PHONE = /(?:\+?1[\s.-]?)?\(?([2-9]\d{2})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})\b/;

/** The first phone number in a text, as E.164. */
export function phoneIn(text: string): string | undefined {
  const m = PHONE.exec(text);
  return m ? `+1${m[1]}${m[2]}${m[3]}` : undefined;
}

/** Reads an answer: first as the answer to the question asked, then for anything else it says. */
export function absorb(answers: LeadAnswers, asked: LeadSlot | null, text: string, lang: ConversationContextBase['lang']): LeadAnswers {
  const next: LeadAnswers = { ...answers };
  const clean = text.trim().replace(/[.!]+$/, '').slice(0, 300);
  switch (asked) {
    case 'callerName':
      next.callerName = parsePersonName(clean) ?? next.callerName;
      break;
    case 'relationship':
      next.relationship = relationshipOfCallerTo(clean) ?? 'OTH';
      break;
    case 'careForName':
      next.careForName = parsePersonName(clean.replace(PHONE, ' ')) ?? clean.replace(PHONE, ' ').trim().slice(0, 60);
      break;
    case 'place': {
      const place = parseZipOrCity(clean);
      next.city = place?.city ?? (place?.zip ? next.city : clean.slice(0, 60));
      next.zip = place?.zip ?? next.zip;
      break;
    }
    case 'needs':
      next.needs = clean;
      break;
    case 'schedule':
      next.schedule = clean;
      break;
    case 'payer':
      next.payer = parsePayer(clean) ?? `other: ${clean.slice(0, 60)}`;
      break;
    case 'heardFrom':
      next.heardFrom = clean.slice(0, 120);
      break;
    case 'consent': {
      const answer = yesNo(clean, lang);
      if (answer) next.consentToText = answer === 'yes';
      break;
    }
    default:
      break;
  }
  // Said along the way: who the care is for, the payer, where they live.
  if (!next.relationship && asked !== 'relationship') next.relationship = relationshipOfCallerTo(clean);
  if (!next.payer && asked !== 'payer') {
    const payer = parsePayer(clean);
    if (payer && payer !== 'unknown') next.payer = payer;
  }
  // A phone number said along the way is the cared-for person's own (the caller's is known already).
  const phone = phoneIn(clean);
  if (phone && next.relationship !== 'SELF' && !next.careForPhone) next.careForPhone = phone;
  if (!next.zip && asked !== 'place' && ZIP.test(clean.replace(PHONE, ' '))) next.zip = ZIP.exec(clean.replace(PHONE, ' '))![1];
  if (!next.city && asked !== 'place') next.city = placeSaidAlongTheWay(clean);
  if (next.relationship === 'SELF' && next.callerName && !next.careForName) next.careForName = next.callerName;
  return Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as LeadAnswers;
}

function initialContext(input: ConversationInput): LeadContext {
  const onFile = input.identities.find((i) => i.kind === 'prospect' || i.kind === 'client');
  const lang = input.handoff?.lang ?? input.lang;
  const answers: LeadAnswers = onFile ? { callerName: `${onFile.firstName} ${onFile.lastName}`.trim() } : {};
  return {
    ...flowContextOf(input),
    answers: input.handoff?.text ? absorb(answers, null, input.handoff.text, lang) : answers,
    skipped: [],
    asked: null,
    returningPatientId: onFile?.personId ?? null,
    incomplete: false,
    thenRouter: null,
    reference: null,
  };
}

/** An emergency or a request for a person: what was captured is saved first, then the router takes over. */
const saveThenRouter: HandBackRoute = (reason) => ({ target: 'saving', actions: ['noteNow', { type: 'thenRouter', params: { reason } }] });

export const leadMachine = setup({
  types: {} as { context: LeadContext; events: ConversationEvent; input: ConversationInput; output: LeadOutput },
  actors: {
    saveLead: unprovidedEffect<SaveLeadOutput, SaveLeadInput>('saveLead'),
    takeMessage: unprovidedEffect<TakeMessageOutput, TakeMessageInput>('takeMessage'),
  },
  guards: {
    ...kitGuards,
    saidSkip: ({ event }) => !!spoken(event).text && isSkip(spoken(event).text!),
    everythingAsked: ({ context }) => nextSlot(context.answers, context.skipped) === undefined,
    callerGone: ({ context }) => context.incomplete && context.thenRouter === null,
    goesBackToRouter: ({ context }) => context.thenRouter !== null,
  },
  actions: {
    ...kitActions<LeadContext>(),
    sayIntro: assign({
      lines: ({ context }) => say(context, (p) => p.intro({ channel: context.channel, returning: context.returningPatientId !== null })),
    }),
    chooseQuestion: assign({ asked: ({ context }) => nextSlot(context.answers, context.skipped) ?? null, silences: 0 }),
    askQuestion: assign({ lines: ({ context }) => say(context, (p) => p.ask(context.asked ?? 'needs', { channel: context.channel })) }),
    sayDidNotCatch: assign({ lines: ({ context }) => say(context, (p) => p.didNotCatch()) }),
    sayThanks: assign({
      lines: ({ context }) =>
        say(context, (p) =>
          p.thanks({
            name: context.answers.callerName?.split(' ')[0],
            callbackHours: context.agency.callbackHours,
            texting: context.answers.consentToText === true,
          }),
        ),
    }),
    sayNoted: assign({ lines: ({ context }) => say(context, (p) => p.noted()) }),
    listen: assign({
      directive: ({ context }) => ({
        kind: 'gather' as const,
        hints: leadPhrases(context.lang).hints(context.asked ?? 'needs'),
        ...(context.asked === 'consent' ? { expectsYesNo: true } : {}),
      }),
    }),

    takeAnswer: assign({ answers: ({ context, event }) => absorb(context.answers, context.asked, spoken(event).text ?? '', context.lang) }),
    skipQuestion: assign({ skipped: ({ context }) => (context.asked ? [...context.skipped, context.asked] : context.skipped) }),
    markIncomplete: assign({ incomplete: true }),
    thenRouter: assign({ thenRouter: (_, params: { reason: HandBack }) => params.reason, incomplete: true }),
    keepReference: assign({ reference: ({ event }) => ('output' in event ? (event.output as SaveLeadOutput).reference : null) }),
    handBack: assign({
      handoff: ({ context }) =>
        handoffTo(routerFlow(context.channel), { topic: context.thenRouter ?? 'operator', lang: context.lang, now: context.now }),
    }),
  },
}).createMachine({
  id: 'lead',
  context: ({ input }) => initialContext(input),
  output: ({ context }) => flowOutput(context, { reference: context.reference }),
  initial: 'waitingForStart',
  states: {
    waitingForStart: {
      tags: AWAITING_INPUT,
      on: {
        START: [
          { guard: 'saidEmergency', target: 'saving', actions: ['noteNow', { type: 'thenRouter', params: { reason: 'emergency' } }] },
          { target: 'choosingQuestion', actions: ['noteNow', 'sayIntro'] },
        ],
      },
    },

    choosingQuestion: {
      always: [{ guard: 'everythingAsked', target: 'saving' }, { target: 'asking' }],
    },

    asking: {
      tags: AWAITING_INPUT,
      entry: ['chooseQuestion', 'askQuestion', 'listen'],
      on: {
        INPUT: [
          ...interrupts(saveThenRouter),
          { guard: 'saidSkip', target: 'choosingQuestion', actions: ['noticeLanguage', 'noteNow', 'skipQuestion'] },
          { guard: 'gaveText', target: 'choosingQuestion', actions: ['noticeLanguage', 'noteNow', 'takeAnswer'] },
          { actions: ['sayDidNotCatch', 'askQuestion', 'listen'] },
        ],
        // Twice silent: the question is passed.
        NO_INPUT: noInput(['sayDidNotCatch', 'askQuestion', 'listen'], { target: 'choosingQuestion', actions: ['noteNow', 'skipQuestion'] }),
        HANGUP: { target: 'saving', actions: ['noteNow', 'markIncomplete'] },
      },
    },

    saving: {
      invoke: {
        id: 'saveLead',
        src: 'saveLead',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'lead.save',
          channel: context.channel,
          callerPhone: context.callerPhone,
          identities: context.identities,
          lang: context.lang,
          ...context.answers,
          skipped: context.skipped,
          returningPatientId: context.returningPatientId ?? undefined,
          incomplete: context.incomplete,
          ...(context.thenRouter ? { stoppedFor: context.thenRouter } : {}),
        }),
        onDone: [
          { guard: 'callerGone', target: 'done', actions: 'keepReference' },
          { guard: 'goesBackToRouter', target: 'handedBack', actions: ['keepReference', 'handBack'] },
          { target: 'done', actions: ['keepReference', 'sayThanks'] },
        ],
        onError: 'savingAsMessage',
      },
      on: { HANGUP: { actions: 'markIncomplete' } },
    },

    // The lead could not be stored: the shared message path still gets it to intake.
    savingAsMessage: {
      invoke: {
        id: 'takeMessage',
        src: 'takeMessage',
        input: ({ context }) => ({
          conversationId: context.conversationId,
          step: 'lead.takeMessage',
          role: 'intake' as const,
          topic: 'lead' as const,
          callerPhone: context.callerPhone,
          identities: context.identities,
          lang: context.lang,
          text: Object.entries(context.answers).map(([k, v]) => `${k}: ${String(v)}`).join('; ') || undefined,
          incomplete: context.incomplete,
        }),
        onDone: [
          { guard: 'callerGone', target: 'done' },
          { guard: 'goesBackToRouter', target: 'handedBack', actions: 'handBack' },
          { target: 'done', actions: 'sayThanks' },
        ],
        onError: { target: 'done', actions: 'sayNoted' },
      },
      on: { HANGUP: { actions: 'markIncomplete' } },
    },

    done: { type: 'final', entry: 'endConversation' },
    handedBack: { type: 'final' },
  },
});
