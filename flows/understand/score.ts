/**
 * The one understanding step: every inbound text and utterance is read here, whole, before any
 * side path (shift-offer replies, staff "OK"s) or flow guard acts on it.
 *
 * Emergency first (a hard gate: see emergency.ts). Then every intent collects evidence from the
 * whole utterance and the best-scored one wins:
 * - cue phrases of the lexicons, strong (3 + a little per word, so longer phrases weigh more) or
 *   weak (1.2); a negated cue ("I'm not sick") counts against its intent;
 * - urgent-sounding complaint phrases ("left my mother alone", "didn't show up", "stole"): strong
 *   complaint evidence, and they rule out every info answer (hours, area, services);
 * - question form: info intents (hours, services, service area) need a question ("what are your
 *   hours", "¿tienen servicio en Aurora?") or a bare topic ("hours?", "horario"); without either
 *   their evidence is all but void, so "two hours early" is no question about office hours;
 * - tense: a past marker ("yesterday", "again", "ayer") turns "nobody came" into a complaint;
 * - who is calling: a caregiver's words lean to shifts, a client's or family member's to visits;
 * - what the conversation last asked: an answer to "late, or calling out?" leans to those two,
 *   an answer to "is it about A or B?" picks between A and B;
 * - a claim code only when the message IS a reply to an offer ("YES 4821", "4821", "sí 4821").
 * The margin between the two best intents is kept: a small one asks a clarifying question that
 * names both (router), rather than guessing.
 */
import { analyze, numberValue, type Words } from './normalize';
import { allLexicons, type KeywordIntent, type UrgentCue } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';
import { keywordMatches, speaksOfThePast } from './keywords';
import { emergencyMatch, operatorMatch } from './emergency';
import { detectLanguage } from './language';
import { yesNoOf, claimOf, digitRuns } from './yesno';
import { parseEta, parseDayTime } from './when';
import { parsePayer, parseRelationship, parseZipOrCity } from './lead';
import type { Claim, Clock, DayTime, Intent, Lang, Payer, Understanding } from './types';

/** Who the caller is to the agency, as far as the conversation knows. */
export type CallerRole = 'caregiver' | 'client' | 'family' | 'staff' | 'prospect' | 'unknown';

/** What the conversation last asked: the answer is read in that light. */
export type Expecting =
  | { kind: 'purpose' }
  | { kind: 'yesNo' }
  | { kind: 'lateOrCallOut' }
  | { kind: 'clarify'; between: [Intent, Intent] };

export interface ReadingContext {
  lang?: Lang;
  role?: CallerRole;
  expecting?: Expecting;
  /** Maps a spoken or keyed menu digit to an intent ("2" → late). */
  digitsMenu?: Record<string, Intent>;
  /** For entities that are days, times and ETAs. */
  clock?: Clock;
}

export interface Entities {
  claim?: Claim;
  shift?: DayTime;
  etaMinutes?: number;
  relationship?: string;
  place?: { zip?: string; city?: string };
  payer?: Payer;
}

export interface Reading extends Understanding {
  /** Evidence per intent (only intents that got any). */
  scores: Partial<Record<Intent, number>>;
  runnerUp?: Intent;
  /** Best score minus the runner-up's. */
  margin: number;
  /** Set when the two best are too close to tell apart: ask the caller which. */
  unsure?: [Intent, Intent];
  /** Urgent-sounding (left alone, hurt, didn't show up, abuse, theft): never answered with info. */
  urgent: boolean;
  urgentCue?: UrgentCue;
  question: boolean;
  /** The caller took back what they said before ("no wait", "actually"). */
  corrects: boolean;
  entities: Entities;
}

export const INFO_INTENTS: Intent[] = ['hours', 'serviceArea', 'services'];
const SHIFT_INTENTS: Intent[] = ['callout', 'late', 'uncallout', 'claimShift'];
const VISIT_INTENTS: Intent[] = ['complaint', 'whereIsCaregiver'];

/** Intents a winner may stand beside without a question: the flow it goes to sorts them out. */
const OUTRANKS: Partial<Record<Intent, Intent[]>> = {
  late: ['callout', 'uncallout', 'claimShift'],
  callout: ['uncallout', 'claimShift'],
  uncallout: ['claimShift'],
  whereIsCaregiver: ['late'],
  complaint: ['newClient', 'services', 'hours', 'serviceArea'],
  newClient: ['services', 'hours', 'serviceArea', 'medical'],
  serviceArea: ['services'],
  hours: ['services'],
};

const STRONG = 3;
const PER_WORD = 0.25;
const WEAK = 1.2;
/** Below this, nothing was said to act on. */
const ENOUGH = 1;
/** A runner-up within this of the best (and not outranked by it) makes the reading unsure. */
const CLOSE = 1.5;

type Tag = 'opener' | 'filler' | 'first' | 'second' | 'correction' | 'firstPerson' | 'thirdPerson' | UrgentCue;

const cuePhrases = new PhraseSet<Tag>(
  allLexicons.flatMap((l) => [
    ...compile<Tag>('opener', l.scoring.questionOpeners),
    ...compile<Tag>('filler', l.scoring.fillers),
    ...compile<Tag>('first', l.scoring.pickFirst),
    ...compile<Tag>('second', l.scoring.pickSecond),
    ...compile<Tag>('correction', l.scoring.corrections),
    ...compile<Tag>('firstPerson', l.scoring.firstPerson),
    ...compile<Tag>('thirdPerson', l.scoring.thirdPerson),
    ...Object.entries(l.scoring.urgent).flatMap(([cue, phrases]) => compile<Tag>(cue as UrgentCue, phrases)),
  ]),
);
const URGENT_ORDER: UrgentCue[] = ['abuse', 'injury', 'theft', 'neglect', 'noShow', 'leftEarly', 'cancelService'];
const menuWords = new PhraseSet<'menu'>(allLexicons.flatMap((lexicon) => compile<'menu'>('menu', lexicon.menuWords)));

/** Reads one utterance or text: the intent, how sure, why, and what it carries. */
export function readUtterance(text: string, ctx: ReadingContext = {}): Reading {
  const words = analyze(text);
  const lang = detectLanguage(text);
  const cues = cuePhrases.find(words);
  const question = isQuestion(text, words, cues);
  const urgentCue = URGENT_ORDER.find((cue) => cues.some((m) => m.tag === cue && !m.negated));
  const corrects = cues.some((m) => m.tag === 'correction' && m.start <= 1);
  const base = {
    lang,
    negated: false,
    question,
    corrects,
    urgent: urgentCue !== undefined,
    ...(urgentCue ? { urgentCue } : {}),
    entities: entitiesOf(text, words, ctx),
  };
  const reading = (intent: Intent, confidence: 'high' | 'low', extra: Partial<Reading> = {}): Reading => ({
    ...base,
    intent,
    confidence,
    scores: { [intent]: 10 },
    margin: 10,
    ...extra,
  });
  if (words.words.length === 0) return reading('unknown', 'low', { scores: {}, margin: 0 });

  // 1. Emergency: before anything, whatever else was said.
  const emergency = emergencyMatch(words);
  if (emergency) return reading('emergency', 'high', { matched: emergency.text });

  // 2. A menu digit, when the caller was given a menu.
  const digit = menuDigit(words);
  if (digit !== undefined && ctx.digitsMenu?.[digit]) return reading(ctx.digitsMenu[digit], 'high', { matched: digit });

  // 3. "A person, please".
  const operator = operatorMatch(words);
  if (operator) return reading('operator', 'high', { matched: operator.text });

  // 4. A reply to a shift offer, when that is all the message is (a question is none: "do you cover 80120?").
  if (question) delete base.entities.claim;
  const claim = base.entities.claim;
  if (claim?.code && !claim.decline) return reading('claimShift', 'high', { matched: claim.code });

  // 5. Evidence for every intent.
  const scores: Partial<Record<Intent, number>> = {};
  const add = (intent: Intent, amount: number) => (scores[intent] = (scores[intent] ?? 0) + amount);
  const matches = keywordMatches(words);
  const past = speaksOfThePast(words);
  let negated = false;
  let matched: string | undefined;
  let best = 0;
  for (const m of matches) {
    const intent: KeywordIntent = m.tag === 'whereIsCaregiver' && past ? 'complaint' : m.tag;
    const weight = m.weak ? WEAK : STRONG + PER_WORD * (m.end - m.start - 1);
    if (m.negated) {
      negated = true;
      add(intent, -weight / 2);
      matched ??= m.text;
      continue;
    }
    add(intent, weight);
    if (weight > best) [best, matched] = [weight, m.text];
  }
  if (urgentCue) {
    // "nobody came" today is a caregiver still missing; with a past marker, a no-show complaint.
    add('complaint', urgentCue === 'noShow' && !past ? 1 : 4);
    if (urgentCue !== 'noShow' || past) delete scores.whereIsCaregiver;
  }
  // Lateness told of someone else ("she was 2 hours late", "is the caregiver running late?") is
  // no caregiver's own: a missing caregiver now, a complaint when it is past or keeps happening.
  const speaker = cues.some((m) => m.tag === 'firstPerson');
  const someoneElse = cues.some((m) => m.tag === 'thirdPerson');
  if (scores.late !== undefined && someoneElse && !speaker && ctx.role !== 'caregiver') {
    add(past ? 'complaint' : 'whereIsCaregiver', scores.late + (past ? 1 : 0));
    delete scores.late;
  }
  if (past && scores.late !== undefined) add('complaint', 1);

  // Info intents need a question or a bare topic; urgent words rule them out.
  const bare = isBareTopic(words, cues, matches);
  for (const intent of INFO_INTENTS) {
    if (scores[intent] === undefined) continue;
    if (base.urgent) delete scores[intent];
    else if (!question && !bare) scores[intent] = scores[intent]! * 0.1;
  }
  if (question && scores.whereIsCaregiver !== undefined) add('whereIsCaregiver', 0.5);

  // Who is calling.
  const role = ctx.role ?? 'unknown';
  for (const intent of Object.keys(scores) as Intent[]) {
    if (role === 'caregiver' && SHIFT_INTENTS.includes(intent)) scores[intent]! *= 1.3;
    if ((role === 'client' || role === 'family') && VISIT_INTENTS.includes(intent)) scores[intent]! *= 1.3;
    if ((role === 'client' || role === 'family') && intent === 'newClient') scores[intent]! *= 0.8;
    // A caregiver's "my bus didn't come", "I hurt my back" are about their shift, not a complaint.
    if (role === 'caregiver' && (intent === 'complaint' || intent === 'newClient')) scores[intent]! *= 0.6;
  }

  // What was last asked.
  const expecting = ctx.expecting;
  if (expecting?.kind === 'lateOrCallOut') {
    for (const intent of ['late', 'callout'] as Intent[]) if (scores[intent] !== undefined) scores[intent]! *= 1.5;
  }
  if (expecting?.kind === 'clarify') return pickBetween(expecting.between, scores, cues, words, { ...base, negated, matched });

  // A claim said in a sentence ("I'm calling to take shift 4821") carries its code.
  if (!claim && !question && (scores.claimShift ?? 0) >= STRONG) {
    const code = codeIn(words);
    if (code) base.entities.claim = { code, bare: false, decline: false };
  }

  // 6. Decide.
  const ranked = (Object.entries(scores) as [Intent, number][]).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]);
  // Close calls inside one family go to the intent that outranks the other: a caregiver who says
  // they are late is still coming ("I'll be there in 20 minutes", "late, I'm sick"), and a wrong
  // call-out costs more than asking "are you still coming?".
  for (let k = 1, swaps = 0; k < ranked.length && swaps < ranked.length; k++) {
    if (ranked[0][1] - ranked[k][1] < CLOSE && (OUTRANKS[ranked[k][0]] ?? []).includes(ranked[0][0])) {
      ranked.unshift(...ranked.splice(k, 1));
      [k, swaps] = [0, swaps + 1];
    }
  }
  const [top, second] = ranked;
  if (!top || top[1] < ENOUGH) {
    const answer = yesNoOf(words);
    if (answer) {
      return { ...base, intent: answer.value, confidence: words.words.length <= 4 ? 'high' : 'low', matched: answer.matched, negated, scores, margin: 0 };
    }
    return { ...base, intent: 'unknown', confidence: 'low', ...(matched ? { matched } : {}), negated, scores, margin: 0 };
  }
  const margin = top[1] - (second?.[1] ?? 0);
  const rivals = ranked.slice(1).filter(([intent, s]) => top[1] - s < CLOSE && !(OUTRANKS[top[0]] ?? []).includes(intent));
  const competing = ranked.slice(1).some(([intent, s]) => s >= STRONG && !(OUTRANKS[top[0]] ?? []).includes(intent));
  const unsure: [Intent, Intent] | undefined = rivals.length > 0 ? [top[0], rivals[0][0]] : undefined;
  return {
    ...base,
    intent: top[0],
    // Sure when one intent was named strongly and nothing unrelated was named strongly beside it.
    confidence: unsure || top[1] < STRONG || competing ? 'low' : 'high',
    matched,
    negated,
    scores,
    ...(second ? { runnerUp: second[0] } : {}),
    margin,
    ...(unsure ? { unsure } : {}),
  };
}

/** The answer to "is it about A, or B?": evidence for either, else "the first"/"the other one". */
function pickBetween(
  between: [Intent, Intent],
  scores: Partial<Record<Intent, number>>,
  cues: Match<Tag>[],
  words: Words,
  base: Omit<Reading, 'intent' | 'confidence' | 'scores' | 'margin'>,
): Reading {
  const [a, b] = between;
  const sa = scores[a] ?? 0;
  const sb = scores[b] ?? 0;
  const result = (intent: Intent, confidence: 'high' | 'low'): Reading => ({ ...base, intent, confidence, scores, margin: Math.abs(sa - sb) });
  if (sa >= ENOUGH && sa - sb >= 1) return result(a, 'high');
  if (sb >= ENOUGH && sb - sa >= 1) return result(b, 'high');
  const first = cues.some((m) => m.tag === 'first');
  const second = cues.some((m) => m.tag === 'second');
  if (first !== second) return result(first ? a : b, 'high');
  // Something else altogether ("I want to speak about billing"): read it afresh.
  const others = (Object.entries(scores) as [Intent, number][]).filter(([i, s]) => i !== a && i !== b && s >= STRONG).sort((x, y) => y[1] - x[1]);
  if (others[0]) return result(others[0][0], 'high');
  const answer = yesNoOf(words);
  return result(answer ? answer.value : 'unknown', 'low');
}

/** A question: "?" or "¿", or a question opener after the greetings ("Hi, what are your hours"). */
function isQuestion(text: string, words: Words, cues: Match<Tag>[]): boolean {
  if (/[?¿]/.test(text)) return true;
  let at = 0;
  for (const m of [...cues].filter((c) => c.tag === 'filler').sort((x, y) => x.start - y.start)) if (m.start === at) at = m.end;
  // a question may also open a later sentence: "My mom needs help. Do you serve Aurora"
  return cues.some((m) => m.tag === 'opener' && (m.start === at || (m.start > 0 && words.sentence[m.start - 1] !== words.sentence[m.start])));
}

/** A bare topic: the text is (nearly) only the info cue ("hours", "office hours please", "horario"). */
function isBareTopic(words: Words, cues: Match<Tag>[], matches: Match<KeywordIntent>[]): boolean {
  const covered = new Set<number>();
  for (const m of [...cues.filter((c) => c.tag === 'filler' || c.tag === 'opener'), ...matches]) {
    for (let i = m.start; i < m.end; i++) covered.add(i);
  }
  const rest = words.words.filter((w, i) => !covered.has(i) && !['your', 'the', 'office', 'of', 'su', 'sus', 'la', 'el', 'de', 'what', 'about', 'info'].includes(w));
  return words.words.length <= 5 && rest.length === 0 && matches.every((m) => INFO_INTENTS.includes(m.tag));
}

function entitiesOf(text: string, words: Words, ctx: ReadingContext): Entities {
  const entities: Entities = {};
  const claim = claimOf(words);
  if (claim) entities.claim = claim;
  if (ctx.clock) {
    const shift = parseDayTime(text, ctx.clock);
    if (shift) entities.shift = shift;
    const eta = parseEta(text, ctx.clock);
    if (eta) entities.etaMinutes = eta.minutes;
  }
  const relationship = parseRelationship(text);
  if (relationship && relationship !== 'SELF') entities.relationship = relationship;
  const place = parseZipOrCity(text);
  if (place?.zip) entities.place = place;
  const payer = parsePayer(text);
  if (payer && payer !== 'unknown') entities.payer = payer;
  return entities;
}

/** The one 3-6 digit run of a text, if it holds exactly one. */
function codeIn(words: Words): string | undefined {
  const runs = digitRuns(words.words);
  return runs.length === 1 && runs[0].length >= 3 && runs[0].length <= 6 ? runs[0] : undefined;
}

/** "2", "two", "number 2", "option two", "press 2" → '2'. */
function menuDigit(words: Words): string | undefined {
  const w = words.words;
  const lead = menuWords.find(words).find((m) => m.start === 0);
  const rest = lead ? w.slice(lead.end) : w;
  if (rest.length !== 1) return undefined;
  const value = numberValue(rest[0]);
  return value !== undefined && Number.isInteger(value) && value >= 0 && value <= 9 ? String(value) : undefined;
}

/**
 * May a text go to a side path (a shift-offer reply, an on-call "OK") instead of a conversation?
 * Only when the understanding found no emergency and nothing to act on in a conversation: a claim
 * ("YES 4821", "4821"), a yes or a no, or words it cannot place ("ok on it"). "Emergency: my
 * client fell, address is 1420 Elm", "yes my client fell" and "I'm sick and can't make my shift
 * tomorrow at 1100" go to the conversation, whatever digits they hold.
 */
export function maySideReply(text: string): boolean {
  const reading = readUtterance(text);
  if (reading.entities.claim) return reading.intent !== 'emergency';
  return reading.intent === 'yes' || reading.intent === 'no' || (reading.intent === 'unknown' && !reading.urgent);
}
