/** The intent keyword lists of both languages, compiled once. */
import type { Words } from './normalize';
import { allLexicons, type KeywordIntent } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';

export type KeywordTag = KeywordIntent | 'neutral';

const keywordPhrases = new PhraseSet<KeywordTag>(
  allLexicons.flatMap((lexicon) => [
    ...Object.entries(lexicon.intents).flatMap(([intent, words]) => [
      ...compile(intent as KeywordIntent, words.strong),
      ...compile(intent as KeywordIntent, words.weak ?? [], true),
    ]),
    ...compile<KeywordTag>('neutral', lexicon.neutral),
  ]),
);

const pastPhrases = new PhraseSet<'past'>(allLexicons.flatMap((lexicon) => compile<'past'>('past', lexicon.pastMarkers)));

/** Intent keywords found in the text (neutral phrases already hide what they contain). */
export function keywordMatches(words: Words): Match<KeywordIntent>[] {
  return keywordPhrases.find(words).filter((m): m is Match<KeywordIntent> => m.tag !== 'neutral');
}

/** "yesterday", "last week", "ayer": the text is about something that already happened. */
export function speaksOfThePast(words: Words): boolean {
  return pastPhrases.find(words).length > 0;
}
