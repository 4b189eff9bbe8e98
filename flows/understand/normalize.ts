/**
 * Text → words for matching. The original text is kept by callers for display; everything here
 * works on lower-case, accent-free words with number words turned into digits.
 */
import { numberWords, looseNumberWords, numberJoiners, spellings } from './lexicon';

/** Sentences are split at punctuation (not at a decimal point or a time's colon). */
const SENTENCE_BREAK = /[;!?¿¡\n]+|[.,](?!\d)/;

/**
 * Lower-case, strip accents and punctuation, collapse spaces, and turn number words into digits
 * ("eight" → 8, "twenty five" → 25, "treinta y cinco" → 35, "9:30" → "9 30", "8am" → "8 am").
 * "one", "un", "una", "uno" and "once" stay words: they are also "someone", "a" and "once";
 * the number readers treat them as 1 and 11 where a number is expected.
 */
export function normalize(text: string): string {
  return analyze(text).words.join(' ');
}

/** Words of a text, and the sentence each belongs to (phrases never match across sentences). */
export interface Words {
  words: string[];
  sentence: number[];
}

export function analyze(text: string): Words {
  const words: string[] = [];
  const sentence: number[] = [];
  prepare(text)
    .split(SENTENCE_BREAK)
    .forEach((part, index) => {
      for (const word of numbersToDigits(respell(wordsOf(part)))) {
        words.push(word);
        sentence.push(index);
      }
    });
  return { words, sentence };
}

function prepare(text: string): string {
  return (text ?? '')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/\bi'll\b/g, 'i will')
    .replace(/'/g, '')
    .replace(/\b([ap])\.\s?m\b\.?/g, '$1m')
    .replace(/(\d)\s*([ap])m\b/g, '$1 $2m')
    .replace(/(\d)(mins?|minutes?|hrs?|hours?|h)\b/g, '$1 $2')
    .replace(/\b(yes|si|no)(\d)/g, '$1 $2')
    .replace(/(\d{1,2}):(\d{2})\b/g, '$1 $2')
    .replace(/(\w)[-/–](?=\w)/g, '$1 ');
}

function wordsOf(part: string): string[] {
  return part
    .replace(/[^a-z0-9. ]+/g, ' ')
    .replace(/\.(?!\d)|(?<!\d)\./g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** Texting spellings and common typos as the lexicons list them: "tmrw" → "tomorrow", "omw" → "on my way". */
function respell(words: string[]): string[] {
  return words.flatMap((word) => {
    const fixed = spellings[word];
    return fixed === undefined ? [word] : fixed.split(' ');
  });
}

/** The numeric value of a word that stands for a number, including "one"/"una"/"once". */
export function numberValue(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  if (/^\d+(\.\d+)?$/.test(word)) return Number(word);
  return numberWords[word] ?? looseNumberWords[word];
}

function numbersToDigits(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const value = numberWords[words[i]];
    if (value === undefined) {
      out.push(words[i]);
      continue;
    }
    // "twenty five", "twenty-one", "treinta y cinco"
    if (value >= 20 && value < 100 && value % 10 === 0) {
      const skip = numberJoiners.includes(words[i + 1]) ? 1 : 0;
      const unit = unitValue(words[i + 1 + skip]);
      if (unit !== undefined) {
        out.push(String(value + unit));
        i += 1 + skip;
        continue;
      }
    }
    out.push(String(value));
  }
  return out;
}

function unitValue(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  const value = numberWords[word] ?? (word === 'once' ? undefined : looseNumberWords[word]);
  return value !== undefined && value >= 1 && value <= 9 ? value : undefined;
}
