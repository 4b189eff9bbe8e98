/**
 * What did the caller mean? Deterministic keyword rules over normalized text, English and Spanish.
 *
 * Order of checks (first wins):
 *  1. Emergency (see emergency.ts): any flow must hear it, so it is looked for before anything.
 *  2. A digit menu answer, when the caller gave a menu ("2", "number two").
 *  3. Operator: "operator", "representative", "speak to someone", "una persona", "0".
 *  4. Intent keywords from lexicon.en.ts / lexicon.es.ts, by the PRIORITY below, strong phrases
 *     before weak ones ("sick", "problem", "medication" only decide when nothing stronger was said).
 *  5. Yes or no ("Yes.", "No, thank you.", "claro").
 *
 * Why late beats callout: a caregiver who says they are late is still coming. Lateness sentences
 * often carry callout words ("I'll be late, I'm sick"; "late because of an emergency"); treating
 * them as call-outs would open the shift and text other caregivers while the caregiver is on the
 * way. Asking "are you still coming?" is cheap; a wrong call-out is not. For the same reason
 * callout beats uncallout ("I can't make it after all").
 *
 * Negation: a keyword preceded (up to 4 words back, within its clause) by a negator — "not",
 * "don't", "never", "no", "nunca", "ni" — is set aside: "I'm not sick, just late" → late;
 * "it's not a complaint, I need care for my dad" → newClient; "I'm not calling out" → unknown,
 * with `negated: true`. A clause ends at punctuation and at "but", "just", "because", "pero",
 * "solo", "porque"… Phrases that carry their own negation ("can't make it", "no puedo ir",
 * "hasn't arrived", "not breathing") are matched whole, and only a negator before them counts.
 * Negator-led non-negations are ignored: "never mind", "I don't know", "no, I…", "no sé".
 *
 * Longest match wins: a keyword inside a longer phrase of the lexicon does not count on its own
 * ("no puedo ir" hides "puedo ir"; "my caregiver is late" is whereIsCaregiver, not late;
 * "good afternoon" and "buenas tardes" hide "afternoon"/"tarde").
 *
 * "Nobody came" / "hasn't arrived" is whereIsCaregiver; with a past marker ("yesterday", "last
 * week", "ayer") it becomes a complaint about a no-show. "Didn't show up" is a complaint.
 *
 * Confidence is high when one intent was named by a strong phrase and nothing else competed
 * (other than intents the winner outranks by the rules above); low otherwise.
 */
import { analyze, numberValue, type Words } from './normalize';
import { allLexicons, type KeywordIntent } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';
import { keywordMatches, speaksOfThePast } from './keywords';
import { emergencyMatch, operatorMatch } from './emergency';
import { detectLanguage } from './language';
import { yesNoOf } from './yesno';
import type { Intent, Lang, Understanding } from './types';

const PRIORITY: KeywordIntent[] = [
  'wrongNumber',
  'late',
  'callout',
  'uncallout',
  'whereIsCaregiver',
  'medical',
  'complaint',
  'newClient',
  'claimShift',
  'serviceArea',
  'hours',
  'services',
];

/** Intents a winner may appear beside without lowering confidence. */
const OUTRANKS: Partial<Record<KeywordIntent, KeywordIntent[]>> = {
  late: ['callout', 'uncallout', 'claimShift'],
  callout: ['uncallout', 'claimShift'],
  uncallout: ['claimShift'],
  whereIsCaregiver: ['complaint', 'late'],
  complaint: ['newClient', 'services'],
  newClient: ['services', 'hours', 'serviceArea', 'medical'],
  medical: ['newClient'],
  serviceArea: ['services'],
};

const menuWords = new PhraseSet<'menu'>(allLexicons.flatMap((lexicon) => compile<'menu'>('menu', lexicon.menuWords)));

/**
 * The intent of one utterance or text message. `opts.lang` (the caller's language on file) is
 * accepted but not needed: both lexicons are always matched, and `lang` in the result is what the
 * text itself shows. `opts.digitsMenu` maps a spoken or keyed digit to an intent ("2" → late).
 */
export function understand(text: string, opts: { lang?: Lang; digitsMenu?: Record<string, Intent> } = {}): Understanding {
  const words = analyze(text);
  const lang = detectLanguage(text);
  const result = (intent: Intent, confidence: 'high' | 'low', matched?: string, negated = false): Understanding => ({
    intent,
    lang,
    negated,
    confidence,
    ...(matched !== undefined ? { matched } : {}),
  });
  if (words.words.length === 0) return result('unknown', 'low');

  const emergency = emergencyMatch(words);
  if (emergency) return result('emergency', 'high', emergency.text);

  const digit = menuDigit(words);
  if (digit !== undefined && opts.digitsMenu?.[digit]) return result(opts.digitsMenu[digit], 'high', digit);

  const operator = operatorMatch(words);
  if (operator) return result('operator', 'high', operator.text);

  const matches = keywordMatches(words);
  const negatedMatch = matches.find((m) => m.negated);
  const live = matches.filter((m) => !m.negated).map((m) => pastNoShowIsComplaint(m, words));
  const decision = decide(live);
  if (decision) return result(decision.intent, decision.confidence, decision.matched, negatedMatch !== undefined);

  const answer = yesNoOf(words);
  if (answer) return result(answer.value, words.words.length <= 4 ? 'high' : 'low', answer.matched, negatedMatch !== undefined);

  return result('unknown', 'low', negatedMatch?.text, negatedMatch !== undefined);
}

function pastNoShowIsComplaint(match: Match<KeywordIntent>, words: Words): Match<KeywordIntent> {
  return match.tag === 'whereIsCaregiver' && speaksOfThePast(words) ? { ...match, tag: 'complaint' } : match;
}

function decide(live: Match<KeywordIntent>[]): { intent: KeywordIntent; confidence: 'high' | 'low'; matched: string } | undefined {
  for (const weak of [false, true]) {
    const tier = live.filter((m) => m.weak === weak);
    for (const intent of PRIORITY) {
      const winner = tier.find((m) => m.tag === intent);
      if (!winner) continue;
      const rivals = new Set(
        live
          .filter((m) => m.tag !== intent && !(OUTRANKS[intent] ?? []).includes(m.tag))
          .filter((m) => weak || !m.weak)
          .map((m) => m.tag),
      );
      return { intent, confidence: rivals.size === 0 ? 'high' : 'low', matched: winner.text };
    }
  }
  return undefined;
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

const skipPhrases = new PhraseSet<'skip'>(allLexicons.flatMap((lexicon) => compile<'skip'>('skip', lexicon.skip)));

/** "skip", "I don't know", "not sure", "prefer not to say", "no sé", "paso" — in a short answer. */
export function isSkip(text: string): boolean {
  const words = analyze(text);
  if (words.words.length === 0 || words.words.length > 8) return false;
  return skipPhrases.find(words).length > 0;
}
