/**
 * Self-corrections: "my shift on Tuesday, no wait, Wednesday", "20 minutes late, actually more
 * like 40", "the first one, no, the other one", "el martes, no espere, el miércoles". What comes
 * after the last correction is what the caller means; the readers of days, times, ETAs and
 * choices try those words first and fall back to the whole text when they hold nothing.
 */
import type { Words } from './normalize';
import { allLexicons } from './lexicon';
import { compile, PhraseSet } from './phrases';

const correctionPhrases = new PhraseSet<'correction'>(allLexicons.flatMap((lexicon) => compile<'correction'>('correction', lexicon.scoring.corrections)));

export interface Corrected {
  /** What was said before the last correction. */
  before: Words;
  /** What the caller said instead. */
  after: Words;
}

const slice = (words: Words, from: number, to = words.words.length): Words => ({
  words: words.words.slice(from, to),
  sentence: words.sentence.slice(from, to),
});

/**
 * The words before and after the last self-correction, or undefined when there is none. A
 * correction is a cue of the lexicons ("no wait", "actually", "I mean", "no espere", "digo"), or
 * a "no" set off by a pause ("the first one, no, the other one", "Gloria no, Harold"); one at
 * the very start ("Actually, I'm running late") takes back nothing said here.
 */
export function lastCorrection(words: Words): Corrected | undefined {
  let at: { start: number; end: number } | undefined;
  for (const m of correctionPhrases.find(words)) if (m.start > 0 && (!at || m.start > at.start)) at = m;
  const w = words.words;
  for (let i = 1; i < w.length - 1; i++) {
    const alone = w[i] === 'no' && (words.sentence[i - 1] !== words.sentence[i] || words.sentence[i + 1] !== words.sentence[i]);
    if (alone && (!at || i > at.start)) at = { start: i, end: i + 1 };
  }
  if (!at || at.end >= w.length) return undefined;
  return { before: slice(words, 0, at.start), after: slice(words, at.end) };
}
