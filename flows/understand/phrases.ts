/**
 * Phrase matching over normalized words, with negation.
 *
 * A lexicon pattern is written in plain words with two small conveniences:
 * "(a|b c)" for alternatives and "[x]" for an optional word or words, e.g.
 * "where (is|s) [my|the] caregiver", and "*" for a gap of up to three words ("where is * caregiver"
 * finds "where is Dorothy's caregiver"), "**" for a gap of up to seven). Patterns are normalized like the text, so "can't" and
 * "cant", "eight" and "8" match alike.
 */
import { analyze, type Words } from './normalize';
import { negation } from './lexicon';

export interface Phrase<T> {
  words: string[];
  tag: T;
  weak: boolean;
}

export interface Match<T> {
  tag: T;
  start: number;
  /** Exclusive. */
  end: number;
  text: string;
  weak: boolean;
  negated: boolean;
}

/** Expands "(a|b)" and "[x]" in a pattern into every plain phrase it stands for. */
export function expand(pattern: string): string[] {
  const group = /\(([^()]*)\)|\[([^[\]]*)\]/.exec(pattern);
  if (!group) return [pattern.replace(/\s+/g, ' ').trim()];
  const choices = group[1] !== undefined ? group[1].split('|') : [...group[2].split('|'), ''];
  const before = pattern.slice(0, group.index);
  const after = pattern.slice(group.index + group[0].length);
  return choices.flatMap((choice) => expand(`${before} ${choice} ${after}`));
}

const GAP = '*';
/** "**": a longer gap, up to seven words ("left ** early" finds "left my mother alone two hours early"). */
const LONG_GAP = '**';
const MAX_GAP = 3;
const MAX_LONG_GAP = 7;
const isGap = (word: string) => word === GAP || word === LONG_GAP;

export function compile<T>(tag: T, patterns: readonly string[], weak = false): Phrase<T>[] {
  return patterns.flatMap((pattern) =>
    expand(pattern)
      .map((phrase) =>
        phrase
          .split(/(\*\*?)/)
          .map((part) => (isGap(part) ? [part] : analyze(part).words))
          .flat(),
      )
      .filter((words) => words.length > 0 && !isGap(words[0]) && !isGap(words[words.length - 1]))
      .map((words) => ({ words, tag, weak })),
  );
}

/** An index of phrases by first word, so matching stays linear in the text. */
export class PhraseSet<T> {
  private readonly byFirst = new Map<string, Phrase<T>[]>();

  constructor(phrases: Phrase<T>[]) {
    for (const phrase of phrases) {
      const list = this.byFirst.get(phrase.words[0]) ?? [];
      list.push(phrase);
      this.byFirst.set(phrase.words[0], list);
    }
  }

  /**
   * Every phrase found in the text, minus those lying inside a longer match (so "no puedo ir"
   * hides "puedo ir", and "fell asleep" hides "fell"), each marked negated or not.
   */
  find(text: Words): Match<T>[] {
    const found: Match<T>[] = [];
    text.words.forEach((word, start) => {
      for (const phrase of this.byFirst.get(word) ?? []) {
        const end = matchEnd(text, start, start, phrase.words, 0);
        if (end >= 0) {
          found.push({ tag: phrase.tag, start, end, text: phrase.words.join(' '), weak: phrase.weak, negated: false });
        }
      }
    });
    const kept = found.filter(
      (m) => !found.some((n) => n !== m && n.start <= m.start && n.end >= m.end && n.end - n.start > m.end - m.start),
    );
    const unique = kept.filter(
      (m, i) => kept.findIndex((n) => n.start === m.start && n.end === m.end && n.tag === m.tag) === i,
    );
    return unique.map((m) => ({ ...m, negated: isNegatedAt(text, m.start) }));
  }
}

/** Where the phrase ends (exclusive) if it matches at `at`, else -1; gaps take as few words as they can. */
function matchEnd(text: Words, start: number, at: number, words: string[], k: number): number {
  if (k === words.length) return at;
  if (isGap(words[k])) {
    for (let skip = 0; skip <= (words[k] === LONG_GAP ? MAX_LONG_GAP : MAX_GAP); skip++) {
      const end = matchEnd(text, start, at + skip, words, k + 1);
      if (end >= 0) return end;
      if (at + skip >= text.words.length || text.sentence[at + skip] !== text.sentence[start]) break;
    }
    return -1;
  }
  if (at >= text.words.length || text.words[at] !== words[k] || text.sentence[at] !== text.sentence[start]) return -1;
  return matchEnd(text, start, at + 1, words, k + 1);
}

/** How far back (in words) a negator reaches. "I'm not really that sick": "not" is 3 back. */
const NEGATION_REACH = 4;

/**
 * A phrase is negated when a negator ("not", "don't", "no", "nunca") comes shortly before it in
 * the same clause. A clause ends at punctuation and at words like "but", "just", "pero", "solo"
 * ("not sick, just late"; "not sick just running late"). A negator that starts a known
 * non-negation ("never mind", "I don't know", "no, I…", "no sé") negates nothing.
 */
export function isNegatedAt(text: Words, start: number): boolean {
  for (let j = start - 1; j >= 0 && j >= start - NEGATION_REACH; j--) {
    if (text.sentence[j] !== text.sentence[start]) return false;
    const word = text.words[j];
    if (negation.clauseBreaks.has(word)) return false;
    if (negation.negators.has(word) && !startsFalseNegation(text, j)) return true;
  }
  return false;
}

function startsFalseNegation(text: Words, at: number): boolean {
  return negation.falseNegations.some((words) => {
    if (words[0] !== text.words[at]) return false;
    for (let k = 1; k < words.length; k++) {
      const i = at + k;
      const ended = i >= text.words.length || text.sentence[i] !== text.sentence[at];
      if (words[k] === '$') return ended && k === words.length - 1;
      if (ended || text.words[i] !== words[k]) return false;
    }
    return true;
  });
}
