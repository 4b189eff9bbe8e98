/**
 * What did the caller mean? The scored reading of score.ts, in the short form most callers need.
 * See score.ts for how evidence is weighed; `readUtterance` gives the scores, the runner-up, the
 * margin, whether the text was urgent or a question, and the entities.
 */
import { analyze } from './normalize';
import { allLexicons } from './lexicon';
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
