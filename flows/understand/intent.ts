/**
 * What did the caller mean? The scored reading of score.ts, in the short form most callers need.
 * See score.ts for how evidence is weighed; `readUtterance` gives the scores, the runner-up, the
 * margin, whether the text was urgent or a question, and the entities.
 */
import { analyze } from './normalize';
import { keywordMatches } from './keywords';
import { allLexicons, type KeywordIntent } from './lexicon';
import { compile, PhraseSet } from './phrases';
import { readUtterance, type ReadingContext } from './score';
import type { Understanding } from './types';

/**
 * The intent of one utterance or text message. `opts.lang` (the caller's language on file) is
 * accepted but not needed: both lexicons are always matched, and `lang` in the result is what the
 * text itself shows. `opts.digitsMenu` maps a spoken or keyed digit to an intent ("2" → late).
 */
export function understand(text: string, opts: ReadingContext = {}): Understanding {
  const { intent, lang, negated, confidence, matched } = readUtterance(text, opts);
  return { intent, lang, negated, confidence, ...(matched !== undefined ? { matched } : {}) };
}

const skipPhrases = new PhraseSet<'skip'>(allLexicons.flatMap((lexicon) => compile<'skip'>('skip', lexicon.skip)));

/** "skip", "I don't know", "not sure", "prefer not to say", "no sé", "paso" — in a short answer. */
export function isSkip(text: string): boolean {
  const words = analyze(text);
  if (words.words.length === 0 || words.words.length > 8) return false;
  return skipPhrases.find(words).length > 0;
}

const lateOrCallOutAnswers = new PhraseSet<'late' | 'callout'>(
  allLexicons.flatMap((lexicon) => [...compile<'late' | 'callout'>('late', lexicon.lateOrCallOut.late), ...compile<'late' | 'callout'>('callout', lexicon.lateOrCallOut.callout)]),
);

/**
 * The text has a cue of `intent` anywhere in it, whatever else outranks it ("I'm sick so I'll be
 * late": the reading is a call-out, yet the caller did say late). For a flow that has already
 * asked "late, or can't make it?" and needs to hear which word the answer holds.
 */
export function mentions(text: string, intent: KeywordIntent): boolean {
  return keywordMatches(analyze(text)).some((m) => m.tag === intent);
}

/** The answer to "running late, or can't make it?" holds this choice's words ("tarde", "no puedo"). */
export function answersLateOrCallOut(text: string, choice: 'late' | 'callout'): boolean {
  return mentions(text, choice) || lateOrCallOutAnswers.find(analyze(text)).some((m) => m.tag === choice);
}
