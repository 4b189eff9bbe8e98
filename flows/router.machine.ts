/**
 * The router: the first minute of every call and every text thread to the agency number.
 *
 * It greets the caller (by first name when the number is on file), finds out who they are
 * calling as when one number belongs to several people, and what they want, then:
 * - puts emergencies and "a person" through to the on-call chain, from any question;
 * - answers the simple questions (hours, service area, services) itself;
 * - hands call-outs, complaints, new leads and "where is my caregiver" over to the staff who
 *   handle them (for now by taking a message: see "Hand-offs" below);
 * - never says anything about a client to a number that is not on file for that client.
 *
 * One machine definition serves both channels: `voiceRouterMachine` dials and records,
 * `smsRouterMachine` only texts. What is said lives in flows/phrases/router.ts.
 * Pure: no clock, no I/O. Effects are the named actors `takeMessage` and `alertStaff`
 * (flows/effects.ts), provided by the runtime.
 */
import { and, assign, not, or, setup } from 'xstate';
import {
  AWAITING_INPUT,
  type CallerIdentity,
  type Channel,
  type ConversationContextBase,
  type ConversationEvent,
  type ConversationInput,
  type Handoff,
  type Line,
} from './conversation';
import {
  unprovidedEffect,
  type AlertReason,
  type AlertStaffInput,
  type AlertStaffOutput,
  type MessageTopic,
  type StaffRole,
  type TakeMessageInput,
  type TakeMessageOutput,
} from './effects';
import { routerPhrases, type ClarifyTopic, type Listening, type RouterPhrases, type WhoOption } from './phrases/router';
import { interrupts, kitActions, kitGuards, noInput, readHandBack, spoken, type HandBack, type HandBackRoute } from './kit';
import { isOperatorRequest, readUtterance, understand, type CallerRole, type Reading } from './understand';
import type { Intent } from './understand/types';

/** Bump when a state or actor is renamed or removed: older snapshots then start over politely. */
export const ROUTER_MACHINE_VERSION = 1;

/** What the caller's last words meant to the router (never the words themselves). */
export type Heard = Intent | 'iAmACaregiver';

/** A message being left for the staff. */
export interface MessageDraft {
  role: StaffRole;
  topic: MessageTopic;
  text?: string;
  recordingUrl?: string;
  recordingSeconds?: number;
  /** The caller hung up or stayed silent before finishing. */
  incomplete: boolean;
}

export interface RouterContext extends ConversationContextBase {
  conversationId: string;
  channel: Channel;
  callerPhone: string;
  identities: CallerIdentity[];
  agency: ConversationInput['agency'];
  /** Who is calling: the only identity on file for the number, or the one the caller chose. */
  caller: CallerIdentity | null;
  /** What the caller asked for, understood; null until they said something to act on. */
  heard: Heard | null;
  /** The two readings of the caller's last words that were too close to call, until they say which. */
  unsure: [Intent, Intent] | null;
  /** A clarifying question was asked: its answer is read as a choice between the two. */
  clarifying: [Intent, Intent] | null;
  /** What the caller said before the clarifying question: handed on to the next flow. */
  saidBeforeClarifying: string | null;
  /** An unknown caller said they are a caregiver: ask them about their shift. */
  saysCaregiver: boolean;
  /** A caregiver said their call is not about a shift. */
  notAboutShift: boolean;
  /** Something was already answered: the next "how can I help" is "what else". */
  helpedAlready: boolean;
  /** Retries of the current question (reset when a new question is asked). */
  silences: number;
  misunderstandings: number;
  /** An emergency: put through to on-call whatever the hour. */
  urgent: boolean;
  /** Position in agency.onCall of the person being dialled. */
  onCallIndex: number;
  /** Why on-call is being alerted by text (SMS), with what the caller wrote. */
  alert: { reason: AlertReason; text?: string } | null;
  message: MessageDraft | null;
  /** Reference of the stored message, once saved. */
  reference: string | null;
  /** The flow that takes the conversation over (complaint, lead, …), once handed off. */
  handoff: Handoff | null;
  /** Another flow handed the caller back to be put through to on-call ('operator', 'emergency', 'urgent'). */
  handedBack: string | null;
}

export type RouterEvent = ConversationEvent;

export interface RouterOutput {
  messageReference: string | null;
  handoff?: Handoff;
}

// ── Reading what the caller said ────────────────────────────────────────────────────────────

/** Several guards ask what one event meant: read it once per event and question. */
const understood = new WeakMap<RouterEvent, Map<string, Reading>>();

function readingOf(event: RouterEvent, context: RouterContext): Reading | undefined {
  const { text } = spoken(event);
  if (!text) return undefined;
  const key = `${context.lang}:${context.caller?.kind ?? '-'}:${context.clarifying?.join('|') ?? ''}`;
  const known = understood.get(event) ?? new Map<string, Reading>();
  let reading = known.get(key);
  if (!reading) {
    reading = readUtterance(text, {
      lang: context.lang,
      role: roleOf(context),
      expecting: context.clarifying ? { kind: 'clarify', between: context.clarifying } : { kind: 'purpose' },
    });
    known.set(key, reading);
    understood.set(event, known);
  }
  return reading;
}

/** What the words mean here: emergencies and "a person" first, then the intent. */
function whatWasSaid(event: RouterEvent, context: RouterContext): Heard {
  const { text, digits } = spoken(event);
  if (!text) return isOperatorRequest('', digits) ? 'operator' : 'unknown';
  const reading = readingOf(event, context)!;
  if (reading.intent === 'emergency' || reading.intent === 'operator') return reading.intent;
  if (isOperatorRequest(text, digits)) return 'operator';
  if (reading.intent === 'unknown' && mentionsCaregiver(text)) return 'iAmACaregiver';
  return reading.intent;
}

/** Who the caller is to the agency, for the understanding. */
function roleOf(context: RouterContext): CallerRole {
  if (context.saysCaregiver) return 'caregiver';
  switch (context.caller?.kind) {
    case 'caregiver':
      return 'caregiver';
    case 'client':
      return 'client';
    case 'contact':
      return 'family';
    case 'staff':
      return 'staff';
    case 'prospect':
      return 'prospect';
    default:
      return 'unknown';
  }
}

/** Intents the router sends to one place: a close call between two of them needs no question. */
function sameDestination(a: Intent, b: Intent): boolean {
  const shift: Intent[] = ['callout', 'late', 'uncallout', 'claimShift'];
  return shift.includes(a) && shift.includes(b);
}

/** The two close readings to ask about, when the caller's words left the router unsure. */
function unsureBetween(event: RouterEvent, context: RouterContext): [Intent, Intent] | null {
  if (context.clarifying) return null;
  const reading = readingOf(event, context);
  if (!reading?.unsure || sameDestination(...reading.unsure)) return null;
  return reading.unsure;
}

function clarifyTopic(intent: Intent): ClarifyTopic {
  switch (intent) {
    case 'callout':
    case 'late':
    case 'uncallout':
    case 'claimShift':
      return 'shift';
    case 'complaint':
    case 'whereIsCaregiver':
    case 'newClient':
    case 'hours':
    case 'serviceArea':
    case 'services':
    case 'medical':
    case 'wrongNumber':
      return intent;
    default:
      return 'other';
  }
}

/** Something the router can act on, as opposed to silence, noise, or a bare yes/no. */
function actionable(heard: Heard): boolean {
  return heard !== 'unknown' && heard !== 'yes' && heard !== 'no';
}

function plain(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** "I'm a caregiver" is one of the examples offered to unknown callers. */
function mentionsCaregiver(text: string): boolean {
  return /\b(caregiver|care giver|cuidador|cuidadora)\b/.test(plain(text));
}

/**
 * Which of the number's identities the caller chose, from their answer to "are you calling as a
 * caregiver, or about Dorothy's care?": a digit, a client's first name, a role word, or what
 * they want (a call-out is a caregiver's business). Undefined when it is not clear.
 */
export function chosenIdentity(identities: CallerIdentity[], text?: string, digits?: string): number | undefined {
  const index = Number(digits);
  if (digits && Number.isInteger(index) && index >= 1 && index <= identities.length) return index - 1;
  if (!text) return undefined;
  const words = ` ${plain(text)} `;
  const has = (pattern: RegExp) => pattern.test(words);
  const onlyOne = (...kinds: CallerIdentity['kind'][]) => {
    const matches = identities.flatMap((identity, i) => (kinds.includes(identity.kind) ? [i] : []));
    return matches.length === 1 ? matches[0] : undefined;
  };
  const named = identities.findIndex(
    (identity) => identity.kind === 'contact' && identity.clientFirstName && words.includes(` ${plain(identity.clientFirstName)} `),
  );
  if (named >= 0) return named;
  if (has(/ (caregiver|care giver|cuidador|cuidadora|shift|turno) /)) return onlyOne('caregiver');
  if (has(/ (staff|employee|personal|empleado) /)) return onlyOne('staff');
  if (has(/ (my own|myself|mi propio|yo mismo|yo misma) /)) return onlyOne('client');
  if (has(/ (family|client|mom|mother|dad|father|husband|wife|familia|familiar|cliente|mama|madre|papa|padre|esposo|esposa) /)) {
    return onlyOne('contact', 'client');
  }
  const { intent } = understand(text);
  if (intent === 'callout' || intent === 'late' || intent === 'uncallout' || intent === 'claimShift') return onlyOne('caregiver');
  if (intent === 'complaint' || intent === 'whereIsCaregiver') return onlyOne('contact', 'client');
  if (intent === 'newClient') return onlyOne('prospect');
  return undefined;
}

// ── Rules about the caller ──────────────────────────────────────────────────────────────────

/** A caregiver is asked first whether they are calling about a shift. */
function askedAboutShift(context: RouterContext): boolean {
  return (context.caller?.kind === 'caregiver' || context.saysCaregiver) && !context.notAboutShift;
}

/** Only a client, or a contact on file for a client, may hear about that client's care. */
function onFileForAClient(context: RouterContext): boolean {
  return context.caller?.kind === 'client' || context.caller?.kind === 'contact';
}

/**
 * May ask where a client's caregiver is: on file for a client, or a number shared by several
 * people not yet told apart, at least one of them on file for a client (the where-is flow then
 * asks which client's visit).
 */
function mayAskAboutAClientsVisit(context: RouterContext): boolean {
  if (context.caller) return onFileForAClient(context);
  return context.identities.some((identity) => identity.kind === 'client' || (identity.kind === 'contact' && !!identity.clientId));
}

/** Who reads a message for "the office": the scheduler in office hours, on-call after hours. */
function officeRole(context: RouterContext): StaffRole {
  return context.agency.officeOpen ? 'scheduler' : 'oncall';
}

function whoOptions(identities: CallerIdentity[]): WhoOption[] {
  return identities.map((identity) => ({
    kind: identity.kind,
    clientFirstName: identity.kind === 'contact' ? identity.clientFirstName : undefined,
  }));
}

/** The first name to greet by: the caller's, when every identity of the number shares it. */
function greetingName(identities: CallerIdentity[]): string | undefined {
  const names = new Set(identities.map((identity) => identity.firstName.trim()).filter(Boolean));
  return names.size === 1 ? [...names][0] : undefined;
}

function initialContext(input: ConversationInput, channel: Channel): RouterContext {
  const spanishOnFile = input.identities.length > 0 && input.identities.every((identity) => identity.language === 'es');
  return {
    lines: [],
    directive: { kind: 'gather' },
    lang: input.lang === 'es' || spanishOnFile ? 'es' : 'en',
    conversationId: input.conversationId,
    channel,
    callerPhone: input.callerPhone,
    identities: input.identities,
    agency: input.agency,
    caller: input.handoff?.identity ?? (input.identities.length === 1 ? input.identities[0] : null),
    heard: null,
    unsure: null,
    clarifying: null,
    saidBeforeClarifying: null,
    saysCaregiver: false,
    notAboutShift: false,
    helpedAlready: false,
    silences: 0,
    misunderstandings: 0,
    urgent: false,
    onCallIndex: 0,
    alert: null,
    message: null,
    reference: null,
    handoff: null,
    handedBack: input.handoff?.topic ?? null,
  };
}

/** Append one line in the caller's language. */
function say(context: RouterContext, line: (phrases: RouterPhrases) => string): Line[] {
  return [...context.lines, { text: line(routerPhrases(context.lang)), lang: context.lang }];
}

function draft(role: StaffRole, topic: MessageTopic): MessageDraft {
  return { role, topic, incomplete: false };
}

function calloutTopic(heard: Heard | null): MessageTopic {
  return heard === 'late' ? 'late' : heard === 'uncallout' ? 'uncallout' : 'callout';
}

/**
 * The router owns what other flows hand back for: an emergency is handled here, and a request for
 * a person puts the caller through (or alerts on-call by text).
 */
const ownHandling: HandBackRoute = (reason) =>
  reason === 'emergency'
    ? { target: '#router.handlingEmergency', actions: [{ type: 'noteAlert', params: { reason: 'emergency' } }] }
    : { target: '#router.connectingToPerson', actions: [{ type: 'noteAlert', params: { reason: 'operator' } }] };

/** Emergencies and "a person" interrupt every question. Listed first in every INPUT. */
const whenTheCallerNeedsSomeoneNow = interrupts(ownHandling);

/** A question's no-input path: ask once more, then offer a person or a message. */
const noInputThen = (ask: string) => noInput(['sayDidNotCatch', ask], { target: 'offeringPersonOrMessage' });

function createRouterMachine(channel: Channel) {
  return setup({
    types: {} as {
      context: RouterContext;
      events: RouterEvent;
      input: ConversationInput;
      output: RouterOutput;
    },
    actors: {
      takeMessage: unprovidedEffect<TakeMessageOutput, TakeMessageInput>('takeMessage'),
      alertStaff: unprovidedEffect<AlertStaffOutput, AlertStaffInput>('alertStaff'),
    },
    guards: {
      ...kitGuards,
      // The router reads an utterance as a whole (scored): its own emergency and person guards.
      saidEmergency: ({ context, event }) => whatWasSaid(event, context) === 'emergency',
      askedForPerson: ({ context, event }) => whatWasSaid(event, context) === 'operator',
      saidSomethingToActOn: ({ context, event }) => actionable(whatWasSaid(event, context)),
      purposeUnclear: ({ context, event }) => {
        const heard = whatWasSaid(event, context);
        return heard === 'unknown' || ((heard === 'yes' || heard === 'no') && !askedAboutShift(context));
      },
      namedWhoIsCalling: ({ context, event }) =>
        chosenIdentity(context.identities, spoken(event).text, spoken(event).digits) !== undefined,
      severalPeopleShareTheNumber: ({ context }) => context.identities.length > 1,
      unsureWhatWasMeant: ({ context }) => context.unsure !== null,
      hasSomethingToActOn: ({ context }) => context.heard !== null && actionable(context.heard),
      heard: ({ context }, params: { intents: Heard[] }) => context.heard !== null && params.intents.includes(context.heard),
      clientSaysCaregiverIsLate: ({ context }) =>
        onFileForAClient(context) && (context.heard === 'callout' || context.heard === 'late' || context.heard === 'uncallout'),
      clientAsksWhereCaregiverIs: ({ context }) => mayAskAboutAClientsVisit(context) && context.heard === 'whereIsCaregiver',
      caregiverSaysItIsAboutAShift: ({ context }) => askedAboutShift(context) && context.heard === 'yes',
      caregiverSaysItIsNotAboutAShift: ({ context }) => askedAboutShift(context) && context.heard === 'no',
      officeOpenOrUrgent: ({ context }) => context.agency.officeOpen || context.urgent,
      nobodyOnCall: ({ context }) => context.agency.onCall.length === 0,
      someoneAnswered: ({ event }) => event.type === 'DIAL_RESULT' && event.status === 'completed',
      anotherPersonOnCall: ({ context }) => context.onCallIndex + 1 < context.agency.onCall.length,
      // The composition root provides this for the flows it runs; without it callers leave a message.
      flowAvailable: (_, _params: { flow: string }) => false,
      handedBack: ({ context }, params: { reason: HandBack }) => readHandBack(context.handedBack)?.reason === params.reason,
      // The call-out flow could not go on (WellSky down): the caller leaves a message instead.
      handedBackForMessage: ({ context }) => readHandBack(context.handedBack)?.reason === 'message',
      callerIsKnownCaregiver: ({ context }) => context.caller?.kind === 'caregiver' && context.caller.active !== false,
    },
    actions: {
      ...kitActions<RouterContext>(),
      // What the router says: each action appends one line from flows/phrases/router.ts.
      sayHello: assign({
        lines: ({ context }) => {
          const firstName = greetingName(context.identities);
          const agencyName = context.agency.name;
          return say(context, (p) =>
            firstName ? p.helloByName({ firstName, agencyName, channel: context.channel }) : p.hello({ agencyName, channel: context.channel }),
          );
        },
      }),
      askWhoIsCalling: assign({
        lines: ({ context }) => say(context, (p) => p.askWhoIsCalling({ options: whoOptions(context.identities), channel: context.channel })),
      }),
      askPurpose: assign({
        lines: ({ context }) =>
          say(context, (p) => {
            if (askedAboutShift(context)) return p.askAboutShift({ channel: context.channel });
            if (context.helpedAlready) return p.askWhatElse();
            if (context.caller || context.notAboutShift) return p.askHowWeCanHelp();
            return p.askHowCanIHelpWithExamples();
          }),
      }),
      sayDidNotCatch: assign({ lines: ({ context }) => say(context, (p) => p.didNotCatch()) }),
      sayDidNotUnderstand: assign({ lines: ({ context }) => say(context, (p) => p.didNotUnderstand()) }),
      offerPersonOrMessage: assign({
        lines: ({ context }) => say(context, (p) => p.offerPersonOrMessage({ channel: context.channel })),
      }),
      tellToDial911: assign({ lines: ({ context }) => say(context, (p) => p.dial911({ channel: context.channel })) }),
      sayConnectingToOnCall: assign({ lines: ({ context }) => say(context, (p) => p.connectingToOnCall()) }),
      sayConnectingToPerson: assign({ lines: ({ context }) => say(context, (p) => p.connectingToPerson()) }),
      sayTryingNextPerson: assign({ lines: ({ context }) => say(context, (p) => p.tryingNextPerson()) }),
      sayNoOneAnswered: assign({ lines: ({ context }) => say(context, (p) => p.noOneAnswered()) }),
      sayOfficeClosed: assign({ lines: ({ context }) => say(context, (p) => p.officeClosedLeaveMessage()) }),
      askForMessage: assign({
        lines: ({ context }) =>
          say(context, (p) => p.askForMessage({ topic: context.message?.topic ?? 'general', channel: context.channel })),
      }),
      sayDidNotHearMessage: assign({ lines: ({ context }) => say(context, (p) => p.didNotHearMessage()) }),
      sayMessagePassedOn: assign({
        lines: ({ context }) =>
          say(context, (p) =>
            p.messagePassedOn({
              role: context.message?.role ?? officeRole(context),
              // No "within N hours" for an emergency: it is sooner than that.
              callbackHours: context.urgent ? 0 : context.agency.callbackHours,
            }),
          ),
      }),
      sayMessageNoted: assign({ lines: ({ context }) => say(context, (p) => p.messageNoted()) }),
      sayStaffAlerted: assign({
        lines: ({ context }) => say(context, (p) => p.staffAlerted({ emergency: context.alert?.reason !== 'operator' })),
      }),
      tellOfficeHours: assign({
        lines: ({ context }) => say(context, (p) => p.officeHours({ hoursText: context.agency.officeHoursText[context.lang] })),
        helpedAlready: true,
      }),
      tellServiceArea: assign({
        lines: ({ context }) => say(context, (p) => p.serviceArea({ areaText: context.agency.serviceAreaText })),
        helpedAlready: true,
      }),
      tellServices: assign({ lines: ({ context }) => say(context, (p) => p.services()), helpedAlready: true }),
      askAnythingElse: assign({ lines: ({ context }) => say(context, (p) => p.askAnythingElse()) }),
      declineMedicalAdvice: assign({
        lines: ({ context }) => say(context, (p) => p.noMedicalAdvice({ channel: context.channel })),
      }),
      offerPerson: assign({ lines: ({ context }) => say(context, (p) => p.offerPerson({ channel: context.channel })) }),
      refuseCareInformation: assign({ lines: ({ context }) => say(context, (p) => p.cannotShareCareInformation()) }),
      offerMessageForOffice: assign({ lines: ({ context }) => say(context, (p) => p.offerMessageForOffice()) }),
      sayWrongNumber: assign({ lines: ({ context }) => say(context, (p) => p.wrongNumber()) }),
      sayGoodbye: assign({
        lines: ({ context }) => say(context, (p) => p.goodbye({ agencyName: context.agency.name, channel: context.channel })),
      }),

      // What happens after the lines: the directive.
      listen: assign({
        directive: ({ context }, params: { for: Listening }) => ({
          kind: 'gather' as const,
          hints: routerPhrases(context.lang).hints({ listening: params.for, options: whoOptions(context.identities) }),
          ...(params.for === 'yesNo' ? { expectsYesNo: true } : {}),
        }),
      }),
      awaitMessage: assign({
        directive: ({ context }) =>
          context.channel === 'voice'
            ? { kind: 'record' as const, maxSeconds: 120 }
            : { kind: 'gather' as const, hints: [] },
      }),
      dialOnCall: assign({
        directive: ({ context }) => ({
          kind: 'dial' as const,
          number: context.agency.onCall[context.onCallIndex]?.phone ?? '',
          timeoutSeconds: 25,
        }),
      }),

      // What the router remembers.
      hear: assign(({ context, event }) => {
        const unsure = unsureBetween(event, context);
        return {
          heard: whatWasSaid(event, context),
          unsure,
          clarifying: null,
          saidBeforeClarifying: unsure ? (spoken(event).text ?? null) : context.saidBeforeClarifying,
        };
      }),
      askToClarify: assign(({ context }) => {
        const between = context.unsure ?? context.clarifying;
        if (!between) return {};
        return {
          clarifying: between,
          unsure: null,
          lines: say(context, (p) => p.clarify({ between: [clarifyTopic(between[0]), clarifyTopic(between[1])] })),
        };
      }),
      stopClarifying: assign({ clarifying: null, unsure: null }),
      hearIfActionable: assign(({ context, event }) => {
        const heard = whatWasSaid(event, context);
        if (!actionable(heard)) return {};
        const unsure = unsureBetween(event, context);
        return { heard, unsure, saidBeforeClarifying: unsure ? (spoken(event).text ?? null) : null };
      }),
      takeCallerChoice: assign(({ context, event }) => {
        const chosen = chosenIdentity(context.identities, spoken(event).text, spoken(event).digits);
        const caller = chosen === undefined ? null : context.identities[chosen];
        return { caller, lang: caller?.language === 'es' ? 'es' : context.lang };
      }),
      noteCaregiver: assign({ saysCaregiver: true }),
      noteNotAboutShift: assign({ notAboutShift: true }),
      forgetLastAnswer: assign({ heard: null }),
      markUrgent: assign({ urgent: true }),
      noteAlert: assign({ alert: ({ event }, params: { reason: AlertReason }) => ({ reason: params.reason, text: spoken(event).text }) }),
      startOnCallChain: assign({ onCallIndex: 0 }),
      moveToNextOnCall: assign({ onCallIndex: ({ context }) => context.onCallIndex + 1 }),
      draftMessage: assign({ message: (_, params: { role: StaffRole; topic: MessageTopic }) => draft(params.role, params.topic) }),
      draftCallOutMessage: assign({ message: ({ context }) => draft('scheduler', calloutTopic(context.heard)) }),
      draftMessageForOffice: assign({ message: ({ context }) => draft(officeRole(context), 'general') }),
      draftVoicemailForOnCall: assign({
        message: ({ context }) =>
          draft('oncall', context.handedBack === 'urgent' ? 'complaint' : context.handedBack === 'urgentShift' ? 'callout' : context.urgent ? 'emergency' : 'general'),
      }),
      handOff: assign({
        handoff: ({ context, event }, params: { flow: string; topic: string }) => ({
          flow: params.flow,
          topic: params.topic,
          text: context.saidBeforeClarifying ?? spoken(event).text,
          identity: context.caller ?? undefined,
          lang: context.lang,
          now: 'now' in event && typeof event.now === 'string' ? event.now : new Date(0).toISOString(),
        }),
      }),
      // The call-out flow learns whether it is a call-out, a late arrival, a take-back or a claim.
      handOffCallout: assign({
        handoff: ({ context, event }) => ({
          flow: 'callout',
          topic: context.heard === 'callout' || context.heard === 'late' || context.heard === 'uncallout' || context.heard === 'claimShift' ? context.heard : 'unsure',
          text: context.saidBeforeClarifying ?? spoken(event).text,
          identity: context.caller ?? undefined,
          lang: context.lang,
          now: 'now' in event && typeof event.now === 'string' ? event.now : new Date(0).toISOString(),
        }),
      }),
      draftHandedBackMessage: assign({
        message: ({ context }) => {
          const topic = readHandBack(context.handedBack)?.messageTopic;
          return draft('scheduler', topic === 'late' || topic === 'uncallout' || topic === 'claimShift' ? topic : 'callout');
        },
      }),
      captureMessageText: assign({
        message: ({ context, event }) => ({ ...(context.message ?? draft(officeRole(context), 'general')), text: spoken(event).text }),
      }),
      captureRecording: assign({
        message: ({ context, event }) => ({
          ...(context.message ?? draft(officeRole(context), 'general')),
          recordingUrl: event.type === 'RECORDING' ? event.recordingUrl : undefined,
          recordingSeconds: event.type === 'RECORDING' ? event.durationSeconds : undefined,
        }),
      }),
      markMessageIncomplete: assign({
        message: ({ context }) => ({ ...(context.message ?? draft(officeRole(context), 'general')), incomplete: true }),
      }),
      keepReference: assign({ reference: ({ event }) => ('output' in event ? (event.output as TakeMessageOutput).reference : null) }),
    },
  }).createMachine({
    id: 'router',
    context: ({ input }) => initialContext(input, channel),
    output: ({ context }) => ({ messageReference: context.reference, ...(context.handoff ? { handoff: context.handoff } : {}) }),
    initial: 'waitingForCall',
    // The caller hung up (or the text thread went quiet): states that hold something unsaved override this.
    on: { HANGUP: '.callerHungUp' },
    states: {
      // The runtime sends START at once; the tag lets it treat a fresh actor as settled.
      waitingForCall: {
        tags: AWAITING_INPUT,
        on: {
          START: [
            // Another flow (complaint, lead, …) handed the caller back to be put through to on-call.
            { guard: { type: 'handedBack', params: { reason: 'emergency' } }, target: 'handlingEmergency' },
            {
              guard: { type: 'handedBack', params: { reason: 'urgent' } },
              target: 'connectingToPerson',
              actions: ['markUrgent', { type: 'noteAlert', params: { reason: 'urgent' } }],
            },
            { guard: { type: 'handedBack', params: { reason: 'operator' } }, target: 'connectingToPerson', actions: { type: 'noteAlert', params: { reason: 'operator' } } },
            // The call-out flow: a shift under way or about to start (put through even after hours),
            // two answers it could not use, or WellSky unavailable.
            {
              guard: { type: 'handedBack', params: { reason: 'urgentShift' } },
              target: 'connectingToPerson',
              actions: ['markUrgent', { type: 'noteAlert', params: { reason: 'operator' } }],
            },
            { guard: { type: 'handedBack', params: { reason: 'personOrMessage' } }, target: 'offeringPersonOrMessage' },
            { guard: 'handedBackForMessage', target: 'leavingMessage', actions: 'draftHandedBackMessage' },
            ...whenTheCallerNeedsSomeoneNow,
            { target: 'greeting', actions: ['noticeLanguage', 'hearIfActionable'] },
          ],
        },
      },

      greeting: {
        entry: 'sayHello',
        always: [
          { guard: 'severalPeopleShareTheNumber', target: 'choosingIdentity' },
          // A first text that already says what it is about (SMS) needs no question.
          { guard: 'hasSomethingToActOn', target: 'decidingPurpose' },
          { target: 'askingPurpose' },
        ],
      },

      // "Are you calling as a caregiver, or about Dorothy's care?" — never guess between identities.
      choosingIdentity: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'askWhoIsCalling', { type: 'listen', params: { for: 'whoIsCalling' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            {
              guard: or(['namedWhoIsCalling', 'saidSomethingToActOn']),
              target: 'decidingPurpose',
              actions: ['noticeLanguage', 'takeCallerChoice', 'hearIfActionable'],
            },
            { guard: 'misunderstoodBefore', target: 'offeringPersonOrMessage', actions: 'noticeLanguage' },
            { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askWhoIsCalling'] },
          ],
          NO_INPUT: noInputThen('askWhoIsCalling'),
        },
      },

      askingPurpose: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'askPurpose', { type: 'listen', params: { for: 'purpose' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: and(['purposeUnclear', 'misunderstoodBefore']), target: 'offeringPersonOrMessage', actions: 'noticeLanguage' },
            { guard: 'purposeUnclear', actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askPurpose'] },
            { target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
          ],
          NO_INPUT: noInputThen('askPurpose'),
        },
      },

      decidingPurpose: {
        always: [
          { guard: { type: 'heard', params: { intents: ['emergency'] } }, target: 'handlingEmergency' },
          { guard: { type: 'heard', params: { intents: ['operator'] } }, target: 'connectingToPerson' },
          // Two readings too close to call: ask which, naming both, rather than guess.
          { guard: 'unsureWhatWasMeant', target: 'clarifying' },
          // "My caregiver is late" from a client or family member is a missing caregiver, not a call-out.
          { guard: 'clientSaysCaregiverIsLate', target: 'handingOffWhereIsCaregiver' },
          { guard: { type: 'heard', params: { intents: ['callout', 'late', 'uncallout'] } }, target: 'handingOffCallout' },
          { guard: 'caregiverSaysItIsAboutAShift', target: 'handingOffCallout' },
          { guard: 'caregiverSaysItIsNotAboutAShift', target: 'askingPurpose', actions: 'noteNotAboutShift' },
          { guard: { type: 'heard', params: { intents: ['claimShift'] } }, target: 'handingOffShiftClaim' },
          { guard: 'clientAsksWhereCaregiverIs', target: 'handingOffWhereIsCaregiver' },
          // Not on file for any client: say nothing about anyone's care, not even who is a client.
          {
            guard: { type: 'heard', params: { intents: ['whereIsCaregiver'] } },
            target: 'offeringMessageForOffice',
            actions: 'refuseCareInformation',
          },
          { guard: { type: 'heard', params: { intents: ['complaint'] } }, target: 'handingOffComplaint' },
          { guard: { type: 'heard', params: { intents: ['newClient'] } }, target: 'handingOffLead' },
          { guard: { type: 'heard', params: { intents: ['hours'] } }, target: 'askingAnythingElse', actions: 'tellOfficeHours' },
          { guard: { type: 'heard', params: { intents: ['serviceArea'] } }, target: 'askingAnythingElse', actions: 'tellServiceArea' },
          { guard: { type: 'heard', params: { intents: ['services'] } }, target: 'askingAnythingElse', actions: 'tellServices' },
          { guard: { type: 'heard', params: { intents: ['medical'] } }, target: 'offeringPerson', actions: 'declineMedicalAdvice' },
          { guard: { type: 'heard', params: { intents: ['wrongNumber'] } }, target: 'wrongNumber' },
          { guard: { type: 'heard', params: { intents: ['iAmACaregiver'] } }, target: 'askingPurpose', actions: 'noteCaregiver' },
          { target: 'askingPurpose' },
        ],
      },

      // "Is this about a problem with a visit, or our office hours?" A second miss: a person.
      clarifying: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'askToClarify', { type: 'listen', params: { for: 'clarify' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: 'saidSomethingToActOn', target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
            { target: 'offeringPersonOrMessage', actions: ['noticeLanguage', 'stopClarifying'] },
          ],
          NO_INPUT: [
            { guard: 'silentBefore', target: 'offeringPersonOrMessage', actions: 'stopClarifying' },
            { actions: ['countSilence', 'sayDidNotCatch', 'askToClarify'] },
          ],
        },
      },

      // ── Hand-offs ──────────────────────────────────────────────────────────────────────────
      // Each of these becomes its own flow (call-out, complaint, lead) in a later issue, which
      // replaces the state. Until then the caller leaves a message for the staff who handle it.
      // A caregiver on file goes on to the call-out flow; an unknown number that says it is a
      // caregiver hears nothing about schedules and leaves a message for the scheduler.
      handingOffCallout: {
        always: [
          { guard: and([{ type: 'flowAvailable', params: { flow: 'callout' } }, 'callerIsKnownCaregiver']), target: 'handedOff', actions: 'handOffCallout' },
          { target: 'leavingMessage', actions: 'draftCallOutMessage' },
        ],
      },
      handingOffShiftClaim: {
        always: [
          { guard: and([{ type: 'flowAvailable', params: { flow: 'callout' } }, 'callerIsKnownCaregiver']), target: 'handedOff', actions: 'handOffCallout' },
          { target: 'leavingMessage', actions: { type: 'draftMessage', params: { role: 'scheduler', topic: 'claimShift' } } },
        ],
      },
      // Complaints, leads and "where is my caregiver" go to their own flows when the runtime runs
      // them (flowAvailable); otherwise the caller leaves a message for the staff who handle them.
      handingOffWhereIsCaregiver: {
        always: [
          {
            guard: { type: 'flowAvailable', params: { flow: 'where-is-caregiver' } },
            target: 'handedOff',
            actions: { type: 'handOff', params: { flow: 'where-is-caregiver', topic: 'whereIsCaregiver' } },
          },
          { target: 'leavingMessage', actions: { type: 'draftMessage', params: { role: 'scheduler', topic: 'whereIsCaregiver' } } },
        ],
      },
      handingOffComplaint: {
        always: [
          {
            guard: { type: 'flowAvailable', params: { flow: 'complaint' } },
            target: 'handedOff',
            actions: { type: 'handOff', params: { flow: 'complaint', topic: 'complaint' } },
          },
          { target: 'leavingMessage', actions: { type: 'draftMessage', params: { role: 'complaints', topic: 'complaint' } } },
        ],
      },
      handingOffLead: {
        always: [
          { guard: { type: 'flowAvailable', params: { flow: 'lead' } }, target: 'handedOff', actions: { type: 'handOff', params: { flow: 'lead', topic: 'newClient' } } },
          { target: 'leavingMessage', actions: { type: 'draftMessage', params: { role: 'intake', topic: 'lead' } } },
        ],
      },

      // ── Simple questions ───────────────────────────────────────────────────────────────────
      askingAnythingElse: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'askAnythingElse', { type: 'listen', params: { for: 'yesNo' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: 'saidSomethingToActOn', target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
            { guard: 'saidNo', target: 'saidGoodbye', actions: 'noticeLanguage' },
            { guard: 'saidYes', target: 'askingPurpose', actions: 'noticeLanguage' },
            { guard: 'misunderstoodBefore', target: 'offeringPersonOrMessage', actions: 'noticeLanguage' },
            { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'askAnythingElse'] },
          ],
          NO_INPUT: noInputThen('askAnythingElse'),
        },
      },

      // After "I can't give medical advice": "Would you like to talk to a person?"
      offeringPerson: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'offerPerson', { type: 'listen', params: { for: 'yesNo' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: 'saidYes', target: 'connectingToPerson', actions: ['noticeLanguage', { type: 'noteAlert', params: { reason: 'operator' } }] },
            { guard: 'saidNo', target: 'askingAnythingElse', actions: 'noticeLanguage' },
            { guard: 'saidSomethingToActOn', target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
            { guard: 'misunderstoodBefore', target: 'offeringPersonOrMessage', actions: 'noticeLanguage' },
            { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'offerPerson'] },
          ],
          NO_INPUT: noInputThen('offerPerson'),
        },
      },

      // After "I can't share information about anyone's care…": "Would you like to leave a message?"
      offeringMessageForOffice: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'offerMessageForOffice', { type: 'listen', params: { for: 'yesNo' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: 'saidYes', target: 'leavingMessage', actions: ['noticeLanguage', 'draftMessageForOffice'] },
            { guard: 'saidNo', target: 'askingAnythingElse', actions: 'noticeLanguage' },
            { guard: 'saidSomethingToActOn', target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
            { guard: 'misunderstoodBefore', target: 'offeringPersonOrMessage', actions: 'noticeLanguage' },
            { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', 'offerMessageForOffice'] },
          ],
          NO_INPUT: noInputThen('offerMessageForOffice'),
        },
      },

      // Two silences or two misunderstandings: "Press 0 or say 'a person' …, or stay on the line to leave a message."
      offeringPersonOrMessage: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'offerPersonOrMessage', { type: 'listen', params: { for: 'personOrMessage' } }],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            // At last what it is about ("the aide left him alone yesterday"): that, not a message.
            { guard: 'saidSomethingToActOn', target: 'decidingPurpose', actions: ['noticeLanguage', 'hear'] },
            // A text that is not "PERSON" is the message itself.
            {
              guard: and([not('onThePhone'), 'gaveText']),
              target: 'savingMessage',
              actions: ['noticeLanguage', 'draftMessageForOffice', 'captureMessageText'],
            },
            { target: 'leavingMessage', actions: ['noticeLanguage', 'draftMessageForOffice'] },
          ],
          NO_INPUT: { target: 'leavingMessage', actions: 'draftMessageForOffice' },
        },
      },

      // ── A person, now ──────────────────────────────────────────────────────────────────────
      handlingEmergency: {
        entry: ['tellToDial911', 'markUrgent'],
        always: [
          { guard: 'onThePhone', target: 'connectingToOnCall', actions: 'sayConnectingToOnCall' },
          { target: 'alertingOnCall' },
        ],
      },

      connectingToPerson: {
        always: [
          { guard: not('onThePhone'), target: 'alertingOnCall' },
          { guard: 'officeOpenOrUrgent', target: 'connectingToOnCall', actions: 'sayConnectingToPerson' },
          // After hours a voicemail, texted to the on-call person, instead of waking them for a question.
          { target: 'leavingMessage', actions: ['sayOfficeClosed', 'draftVoicemailForOnCall'] },
        ],
      },

      connectingToOnCall: {
        entry: 'startOnCallChain',
        always: [
          { guard: 'nobodyOnCall', target: 'leavingMessage', actions: ['sayNoOneAnswered', 'draftVoicemailForOnCall'] },
          { target: 'waitingForOnCall' },
        ],
      },

      // Down the on-call chain, one person at a time; after the last, a voicemail.
      waitingForOnCall: {
        tags: AWAITING_INPUT,
        entry: 'dialOnCall',
        on: {
          DIAL_RESULT: [
            { guard: 'someoneAnswered', target: 'putThrough' },
            { guard: 'anotherPersonOnCall', target: 'waitingForOnCall', reenter: true, actions: ['moveToNextOnCall', 'sayTryingNextPerson'] },
            { target: 'leavingMessage', actions: ['sayNoOneAnswered', 'draftVoicemailForOnCall'] },
          ],
        },
      },

      // SMS: on-call is texted to call the caller back.
      alertingOnCall: {
        invoke: {
          id: 'alertStaff',
          src: 'alertStaff',
          input: ({ context }) => ({
            conversationId: context.conversationId,
            step: `router.alertStaff.${context.alert?.reason ?? 'operator'}`,
            role: 'oncall' as const,
            reason: context.alert?.reason ?? 'operator',
            callerPhone: context.callerPhone,
            identities: context.identities,
            lang: context.lang,
            text: context.alert?.text,
          }),
          onDone: { target: 'staffAlerted' },
          onError: { target: 'messageNoted' },
        },
        // The alert goes out whether or not the caller is still there.
        on: { HANGUP: {} },
      },

      // ── Taking a message ───────────────────────────────────────────────────────────────────
      // Voice: a recording after the tone; SMS: the next text.
      leavingMessage: {
        tags: AWAITING_INPUT,
        entry: ['resetRetries', 'forgetLastAnswer', 'askForMessage', 'awaitMessage'],
        on: {
          INPUT: [
            ...whenTheCallerNeedsSomeoneNow,
            { guard: 'gaveText', target: 'savingMessage', actions: ['noticeLanguage', 'captureMessageText'] },
          ],
          RECORDING: { target: 'savingMessage', actions: 'captureRecording' },
          NO_INPUT: [
            { guard: 'silentBefore', target: 'savingMessage', actions: 'markMessageIncomplete' },
            { actions: ['countSilence', 'sayDidNotHearMessage', 'askForMessage'] },
          ],
          // Whatever was captured is still worth a call back.
          HANGUP: { target: 'savingMessage', actions: 'markMessageIncomplete' },
        },
      },

      savingMessage: {
        invoke: {
          id: 'takeMessage',
          src: 'takeMessage',
          input: ({ context }) => {
            const message = context.message ?? draft(officeRole(context), 'general');
            return {
              conversationId: context.conversationId,
              step: 'router.takeMessage',
              role: message.role,
              topic: message.topic,
              callerPhone: context.callerPhone,
              identities: context.identities,
              lang: context.lang,
              recordingUrl: message.recordingUrl,
              recordingSeconds: message.recordingSeconds,
              text: message.text,
              incomplete: message.incomplete,
            };
          },
          onDone: { target: 'messagePassedOn', actions: 'keepReference' },
          onError: { target: 'messageNoted' },
        },
        // The message is saved whether or not the caller is still there.
        on: { HANGUP: {} },
      },

      // ── Endings ────────────────────────────────────────────────────────────────────────────
      messagePassedOn: { type: 'final', entry: ['sayMessagePassedOn', 'endConversation'] },
      // An effect failed: the caller still hears something true and useful.
      messageNoted: { type: 'final', entry: ['sayMessageNoted', 'endConversation'] },
      staffAlerted: { type: 'final', entry: ['sayStaffAlerted', 'endConversation'] },
      putThrough: { type: 'final', entry: 'endConversation' },
      // Another flow carries on in the same turn (the runtime follows the output's hand-off).
      handedOff: { type: 'final' },
      saidGoodbye: { type: 'final', entry: ['sayGoodbye', 'endConversation'] },
      wrongNumber: { type: 'final', entry: ['sayWrongNumber', 'endConversation'] },
      callerHungUp: { type: 'final', entry: 'endConversation' },
    },
  });
}

/** The router of a phone call: dials the on-call chain and records messages. */
export const voiceRouterMachine = createRouterMachine('voice');

/** The router of an SMS thread: text only; on-call is alerted by text instead of dialled. */
export const smsRouterMachine = createRouterMachine('sms');
