/** Yes or no, and replies to shift offers ("YES 4821"). */
import { analyze, type Words } from './normalize';
import { allLexicons } from './lexicon';
import { compile, PhraseSet } from './phrases';
import type { Claim, Lang } from './types';

type Answer = 'yes' | 'no' | 'neither';

const answerPhrases = new PhraseSet<Answer>(
  allLexicons.flatMap((lexicon) => [
    ...compile<Answer>('yes', lexicon.yes),
    ...compile<Answer>('no', lexicon.no),
    ...compile<Answer>('neither', lexicon.neither),
  ]),
);

/**
 * An answer counts when it opens the reply ("Yes, …", "Um, yeah", "I think that's right") or the
 * reply is short: "I need someone right now" is not a yes.
 */
const ANSWER_OPENING = 3;
const SHORT_REPLY = 3;

/**
 * "Yes.", "yeah", "correct", "that's right", "sí", "claro" → yes; "no", "nope", "not really",
 * "No, that's wrong", "no gracias" → no; the keys 1 → yes and 2 → no. A negated yes is a no
 * ("not okay"). Mixed answers ("yeah, no") and "I don't know" → undefined: ask again.
 * Both languages are always accepted; `lang` is accepted for symmetry and not needed.
 */
export function yesNo(text: string, _lang?: Lang): 'yes' | 'no' | undefined {
  return yesNoOf(analyze(text))?.value;
}

export function yesNoOf(words: Words): { value: 'yes' | 'no'; matched: string } | undefined {
  const w = words.words;
  if (w.length === 1 && /^\d+$/.test(w[0])) {
    if (w[0] === '1') return { value: 'yes', matched: '1' };
    if (w[0] === '2') return { value: 'no', matched: '2' };
    return undefined;
  }
  const found = answerPhrases
    .find(words)
    .filter((m) => w.length <= SHORT_REPLY || m.start < ANSWER_OPENING);
  if (found.some((m) => m.tag === 'neither')) return undefined;
  const values = found.map((m) => ({ value: m.tag === 'yes' && m.negated ? 'no' : m.tag, matched: m.text }));
  const kinds = new Set(values.map((v) => v.value));
  if (kinds.size !== 1) return undefined;
  const [first] = values;
  return first.value === 'yes' || first.value === 'no' ? { value: first.value, matched: first.matched } : undefined;
}

type ClaimTag = 'accept' | 'decline';

const claimPhrases = new PhraseSet<ClaimTag>(
  allLexicons.flatMap((lexicon) => [
    ...compile<ClaimTag>('accept', lexicon.claim.accept),
    ...compile<ClaimTag>('decline', lexicon.claim.decline),
  ]),
);

/**
 * A reply to a shift offer — only when that is all the message is. "YES 4821", "yes 4821",
 * "Yes, 4821", "sí 4821", "I'll take it 4821" → code '4821'; "YES", "yes!", "sí" → bare (a yes
 * without a code); "NO", "no 4821", "can't", "pass", "no puedo" → decline (with the code if
 * given). A code alone ("4821") is a claim of that code. Digits inside a sentence about something
 * else are no code: "I'm sick and can't make my shift tomorrow at 1100", "address is 1420 Elm",
 * "yes my client fell" are not replies to an offer. Anything else (STOP, HELP) → undefined.
 * When both a yes and a no word appear, the first one said decides.
 */
export function parseClaim(text: string): Claim | undefined {
  return claimOf(analyze(text));
}

export function claimOf(words: Words): Claim | undefined {
  if (words.words.length === 0) return undefined;
  const runs = digitRunSpans(words.words);
  const codes = runs.filter((run) => run.digits.length >= 3 && run.digits.length <= 6);
  // Only the reply's own words: accept/decline phrases, a few fillers, and at most one code.
  if (runs.length > 1 || (runs.length === 1 && codes.length === 0)) return undefined;
  const said = claimPhrases.find(words).filter((m) => !m.negated);
  const covered = new Set<number>();
  for (const m of said) for (let i = m.start; i < m.end; i++) covered.add(i);
  for (const run of codes) for (let i = run.start; i < run.end; i++) covered.add(i);
  if (!words.words.every((word, i) => covered.has(i) || claimFillers.has(word))) return undefined;
  const code = codes[0]?.digits;
  const first = said.sort((a, b) => a.start - b.start)[0];
  if (first?.tag === 'decline') return { ...(code ? { code } : {}), bare: false, decline: true };
  if (first?.tag === 'accept') return code ? { code, bare: false, decline: false } : { bare: true, decline: false };
  return code ? { code, bare: false, decline: false } : undefined;
}

const claimFillers = new Set(allLexicons.flatMap((lexicon) => lexicon.scoring.claimFillers));

/** Digit runs with where they stand in the words. */
function digitRunSpans(words: string[]): { digits: string; start: number; end: number }[] {
  const runs: { digits: string; start: number; end: number }[] = [];
  let run: { digits: string; start: number; end: number } | undefined;
  words.forEach((word, i) => {
    const digits = digitsOf(word, run !== undefined);
    if (digits !== undefined) {
      run = run ? { ...run, digits: run.digits + digits, end: i + 1 } : { digits, start: i, end: i + 1 };
    } else if (run) {
      runs.push(run);
      run = undefined;
    }
  });
  if (run) runs.push(run);
  return runs;
}

const digitWords: Record<string, number> = Object.assign({}, ...allLexicons.map((lexicon) => lexicon.digitWords));

/**
 * Digits said or typed in a row, joined: "4821", "4 8 2 1", "forty eight twenty one",
 * "eight oh two one two" ("oh" only after a digit).
 */
export function digitRuns(words: string[]): string[] {
  const runs: string[] = [];
  let run = '';
  for (const word of words) {
    const digits = digitsOf(word, run.length > 0);
    if (digits !== undefined) {
      run += digits;
    } else if (run) {
      runs.push(run);
      run = '';
    }
  }
  if (run) runs.push(run);
  return runs;
}

function digitsOf(word: string, inRun: boolean): string | undefined {
  if (/^\d+$/.test(word)) return word;
  if (inRun && digitWords[word] !== undefined) return String(digitWords[word]);
  // "one"/"uno" are digits here; "una"/"un" (a) and "once" are not.
  if (word === 'one' || word === 'uno') return '1';
  return undefined;
}
