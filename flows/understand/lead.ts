/**
 * Answers a prospect gives: who the care is for, how it will be paid, where they live.
 */
import { analyze, type Words } from './normalize';
import { allLexicons, type Relation } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';
import { digitRuns } from './yesno';
import type { Payer } from './types';

const possessives = new Set(allLexicons.flatMap((lexicon) => lexicon.possessives));
/** A reply this short that is only a relation ("son", "her daughter") answers "who are you to them?". */
const SHORT_ANSWER = 3;

const relationPhrases = new PhraseSet<Relation>(
  allLexicons.flatMap((lexicon) => lexicon.relations.flatMap((relation) => compile(relation, relation.words))),
);
type RoleTag = 'intro' | 'forSelf' | 'professional' | 'professionalIntro';
const rolePhrases = new PhraseSet<RoleTag>(
  allLexicons.flatMap((lexicon) => [
    ...compile<RoleTag>('intro', lexicon.selfIntro),
    ...compile<RoleTag>('forSelf', lexicon.forSelf),
    ...compile<RoleTag>('professional', lexicon.professional),
    ...compile<RoleTag>('professionalIntro', lexicon.professionalIntro),
  ]),
);

interface Roles {
  /** What the speaker said they are: "I'm her daughter" → the daughter relation. */
  speaker?: Relation | 'PROF';
  /** The first person named by relation: "for my mother" → the mother relation. */
  named?: Relation;
  /** A bare relation as a short answer ("son", "the daughter"), without "my"/"for"/"mi". */
  bare?: Relation;
  forSelf: boolean;
  professional: boolean;
}

function readRoles(words: Words): Roles {
  const relations = relationPhrases.find(words).filter((m) => !m.negated);
  const roles = rolePhrases.find(words);
  const intros = roles.filter((m) => m.tag === 'intro');
  let speaker: Roles['speaker'];
  const introduced = new Set<Match<Relation>>();
  for (const intro of intros) {
    const relation = relations.find((m) => m.start === intro.end);
    if (relation) {
      speaker = speaker ?? relation.tag;
      introduced.add(relation);
    } else if (roles.some((m) => m.tag === 'professionalIntro' && m.start === intro.end)) {
      speaker = speaker ?? 'PROF';
    }
  }
  const first = relations.find((m) => !introduced.has(m));
  const w = words.words;
  const bare = first && w.length <= SHORT_ANSWER && !possessives.has(w[first.start - 1]) ? first.tag : undefined;
  return {
    speaker,
    named: first?.tag,
    bare,
    forSelf: roles.some((m) => m.tag === 'forSelf' && !m.negated) || (w.length === 1 && ['me', 'yo', 'myself', 'mi'].includes(w[0])),
    professional: roles.some((m) => m.tag === 'professional'),
  };
}

/**
 * Who needs care, relative to the caller, as a WellSky/HL7 relationship code — the answer to
 * "who is the care for?": "my mother", "mom", "mi mamá" → 'MTH'; "my husband" → 'SPS'; "I'm her daughter" → 'PRN' (the person is the
 * caller's parent); "myself" → 'SELF'. Undefined when no relation was said (a professional's
 * patient, say).
 */
export function parseRelationship(text: string): string | undefined {
  const roles = readRoles(analyze(text));
  if (roles.speaker && roles.speaker !== 'PROF') return roles.speaker.speakerIs;
  if (roles.named) return roles.named.code;
  if (roles.forSelf && !roles.speaker && !roles.professional) return 'SELF';
  return undefined;
}

/**
 * The caller's relationship to the person needing care — the code a WellSky RelatedPerson
 * carries: "I'm her daughter" / "soy su hija" → 'DAU'; "I'm his son" → 'SON'; a bare relation
 * answering "what is your relationship to her?" ("son", "the daughter") → that relation;
 * "for my mother" → 'CHILD' (son or daughter, not said); "my wife" → 'SPS'; "a friend" → 'FRND';
 * "discharge planner", "social worker", "case manager", "I'm a nurse" → 'PROF';
 * "myself", "for me", "para mí" → 'SELF'.
 */
export function relationshipOfCallerTo(text: string): string | undefined {
  const roles = readRoles(analyze(text));
  if (roles.speaker) return roles.speaker === 'PROF' ? 'PROF' : roles.speaker.code;
  if (roles.professional) return 'PROF';
  if (roles.bare) return roles.bare.code;
  if (roles.named) return roles.named.speakerIs;
  if (roles.forSelf) return 'SELF';
  return undefined;
}

const PAYER_ORDER: Payer[] = ['va', 'medicaid', 'ltc_insurance', 'private', 'unknown'];
const payerPhrases = new PhraseSet<Payer | 'neutral'>(
  allLexicons.flatMap((lexicon) => [
    ...Object.entries(lexicon.payers).flatMap(([payer, words]) => compile(payer as Payer, words)),
    ...compile<'neutral'>('neutral', lexicon.payerNeutral),
  ]),
);

/**
 * How care would be paid: 'private' ("private pay", "out of pocket", "pagamos nosotros"),
 * 'ltc_insurance' ("long-term care insurance"; plain "insurance" too, the only insurance that
 * pays for home care), 'va' ("VA", "veterans", "aid and attendance"), 'medicaid' ("Medicaid",
 * "Health First Colorado", "waiver"), 'unknown' ("not sure", "no sé", and Medicare, which does
 * not pay for non-medical home care — staff will sort it out). The most specific payer said wins.
 */
export function parsePayer(text: string): Payer | undefined {
  const found = payerPhrases.find(analyze(text)).filter((m) => !m.negated && m.tag !== 'neutral');
  return PAYER_ORDER.find((payer) => found.some((m) => m.tag === payer));
}

const cityLeadPhrases = new PhraseSet<'lead'>(allLexicons.flatMap((lexicon) => compile<'lead'>('lead', lexicon.cityLeads)));
const cityTrailers = new Set(allLexicons.flatMap((lexicon) => lexicon.cityTrailers));
const NOT_A_CITY = new Set(['yes', 'no', 'si', 'ok', 'okay', 'skip', 'paso', 'the', 'my', 'mi', 'a', 'and', 'y']);

/**
 * A ZIP ("80212", "eight oh two one two", "80212-1234") and/or a city. With `knownCities`, a city
 * is one of them as said (close misspellings of longer names accepted, returned as given in the
 * list). Otherwise — or when none is found — the words after "in"/"from"/"en" ("we live in Castle
 * Rock, Colorado" → "Castle Rock"), or a short answer that is only a name ("Aurora"), title-cased
 * and without accents.
 */
export function parseZipOrCity(text: string, knownCities?: string[]): { zip?: string; city?: string } | undefined {
  const words = analyze(text);
  // Runs of digits within one sentence: "the zip is 80214, 80214" says one ZIP twice, not ten digits.
  const sentences = [...new Set(words.sentence)].map((n) => words.words.filter((_, i) => words.sentence[i] === n));
  const zip = sentences
    .flatMap((sentence) => digitRuns(sentence))
    .map((run) => (run.length === 9 ? run.slice(0, 5) : run))
    .find((run) => run.length === 5);
  const city = knownCity(words, knownCities ?? []) ?? saidCity(words);
  if (!zip && !city) return undefined;
  return { ...(zip ? { zip } : {}), ...(city ? { city } : {}) };
}

function knownCity(words: Words, cities: string[]): string | undefined {
  let best: { city: string; length: number } | undefined;
  for (const city of cities) {
    const parts = analyze(city).words;
    const target = parts.join(' ');
    for (let i = 0; i + parts.length <= words.words.length; i++) {
      const window = words.words.slice(i, i + parts.length).join(' ');
      const tolerance = target.length >= 9 ? 2 : target.length >= 5 ? 1 : 0;
      if (window === target || editDistance(window, target) <= tolerance) {
        if (!best || parts.length > best.length) best = { city, length: parts.length };
      }
    }
  }
  return best?.city;
}

function saidCity(words: Words): string | undefined {
  const w = words.words;
  const lead = cityLeadPhrases.find(words).sort((a, b) => b.end - a.end)[0];
  const from = lead ? lead.end : 0;
  const name: string[] = [];
  for (let i = from; i < w.length && words.sentence[i] === words.sentence[from]; i++) {
    if (cityTrailers.has(w[i]) || /\d/.test(w[i]) || NOT_A_CITY.has(w[i])) break;
    name.push(w[i]);
  }
  if (name.length === 0 || name.length > 3) return undefined;
  if (!lead && name.length !== w.filter((word) => !/\d/.test(word) && !cityTrailers.has(word)).length) return undefined;
  return name.map((word) => word[0].toUpperCase() + word.slice(1)).join(' ');
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

const livesInPhrases = new PhraseSet<'livesIn'>(allLexicons.flatMap((lexicon) => compile<'livesIn'>('livesIn', lexicon.livesIn)));

/**
 * A place said along the way, in an answer to another question: "my mother lives in Aurora",
 * "vive en Lakewood". Only after such words, so "calling in regards to…" names no city.
 */
export function placeSaidAlongTheWay(text: string): string | undefined {
  const words = analyze(text);
  const [first] = livesInPhrases.find(words);
  if (!first) return undefined;
  return saidCity({ words: words.words.slice(first.start), sentence: words.sentence.slice(first.start) });
}
