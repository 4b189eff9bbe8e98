/**
 * Which of the offered shifts did the caller mean? By key or number ("2"), ordinal ("the second
 * one", "la última"), time ("the 8 o'clock", "a las ocho"), day ("tomorrow morning", "el
 * viernes"), client first name ("the one with Dorothy", "Dorothy's"), or several of these at once
 * ("tomorrow at 8"). Times are compared in the agency's zone, so DST days work.
 */
import { DateTime } from 'luxon';
import { analyze, numberValue, type Words } from './normalize';
import { allLexicons } from './lexicon';
import { compile, PhraseSet } from './phrases';
import { inPartOfDay, readWhen } from './when';
import { lastCorrection } from './correction';
import type { ChoiceOption, Clock, Lang } from './types';

const ordinalPhrases = new PhraseSet<number>(
  allLexicons.flatMap((lexicon) => Object.entries(lexicon.ordinals).flatMap(([word, n]) => compile(n, [word]))),
);
const menuPhrases = new PhraseSet<'menu'>(allLexicons.flatMap((lexicon) => compile<'menu'>('menu', lexicon.menuWords)));
const otherPhrases = new PhraseSet<'other'>(allLexicons.flatMap((lexicon) => compile<'other'>('other', lexicon.otherOne)));

export type Choice = { id: string } | { ambiguous: string[] } | undefined;

/**
 * Digits (the keypad) always mean the position in the list as read. A number said alone
 * ("two", "number 2") is a position too when it is in range, else an hour. An ordinal counts
 * within what the rest of the sentence narrowed ("the second one tomorrow"). Several matches →
 * `{ ambiguous: ids }`; nothing understood or nothing matching → undefined.
 */
export function pickChoice(
  text: string | undefined,
  digits: string | undefined,
  options: ChoiceOption[],
  ctx: Clock & { lang?: Lang },
): Choice {
  if (options.length === 0) return undefined;
  const keyed = digits?.trim();
  if (keyed) return byPosition(options, Number(keyed));
  if (!text?.trim()) return undefined;

  const words = analyze(text);
  // "the 7, no wait, the 11 o'clock": what the caller said instead decides; "the first one, no,
  // the other one": the one they did not name before.
  const corrected = lastCorrection(words);
  if (corrected) {
    const instead = choose(corrected.after, options, ctx, corrected.after.words.join(' '));
    if (instead) return instead;
    if (otherPhrases.find(corrected.after).length > 0) {
      // Not the one named before; which, only when that leaves one.
      const before = choose(corrected.before, options, ctx, corrected.before.words.join(' '));
      const rest = before && 'id' in before ? options.filter((option) => option.id !== before.id) : [];
      return rest.length === 1 ? { id: rest[0].id } : undefined;
    }
  }
  return choose(words, options, ctx, text);
}

/** `text`: the words as said or typed, for the calendar dates chrono reads (see when.ts). */
function choose(words: Words, options: ChoiceOption[], ctx: Clock & { lang?: Lang }, text: string): Choice {
  if (words.words.length === 0) return undefined;
  const said = saidNumberAlone(words);
  if (said !== undefined && said >= 1 && said <= options.length) return byPosition(options, said);

  const localStart = (option: ChoiceOption) => DateTime.fromISO(option.startIso, { zone: 'utc' }).setZone(ctx.timezone);
  const when = readWhen(words, ctx, { choice: true, text }) ?? (said !== undefined && said <= 24 ? { hour: said, ambiguousMeridiem: true } : undefined);
  let pool = options;
  let narrowed = false;
  const narrow = (keep: (option: ChoiceOption) => boolean) => {
    pool = pool.filter(keep);
    narrowed = true;
  };

  const named = options.filter((option) => mentionsName(words, option.clientFirstName));
  if (named.length > 0) narrow((option) => named.includes(option));
  if (when?.date) narrow((option) => localStart(option).toISODate() === when.date);
  if (when?.partOfDay) narrow((option) => inPartOfDay(localStart(option).hour, when.partOfDay!));
  if (when?.hour !== undefined) {
    const hours = when.ambiguousMeridiem ? [when.hour % 12, (when.hour % 12) + 12] : [when.hour];
    const minuteSaid = 'minuteSaid' in when && when.minuteSaid;
    narrow((option) => {
      const start = localStart(option);
      return hours.includes(start.hour) && (!minuteSaid || start.minute === when.minute);
    });
  }

  const ordinal = ordinalPhrases.find(words)[0]?.tag;
  if (ordinal !== undefined) {
    const list = narrowed ? pool : options;
    const picked = list[ordinal === -1 ? list.length - 1 : ordinal - 1];
    return picked ? { id: picked.id } : undefined;
  }
  if (!narrowed || pool.length === 0) return undefined;
  return pool.length === 1 ? { id: pool[0].id } : { ambiguous: pool.map((option) => option.id) };
}

function byPosition(options: ChoiceOption[], n: number): Choice {
  return Number.isInteger(n) && n >= 1 && n <= options.length ? { id: options[n - 1].id } : undefined;
}

/** "2", "two", "number two", "option 2" → 2 ("the 2" is a time: see readWhen). */
function saidNumberAlone(words: Words): number | undefined {
  const lead = menuPhrases.find(words).find((m) => m.start === 0);
  const rest = lead ? words.words.slice(lead.end) : words.words;
  if (rest.length !== 1 || !/^\d+$|^(one|uno|una)$/.test(rest[0])) return undefined;
  return numberValue(rest[0]);
}

/** "Dorothy", "Dorothy's", "the one with Mary Ann". */
function mentionsName(words: Words, name: string | undefined): boolean {
  if (!name) return false;
  const parts = analyze(name).words;
  if (parts.length === 0) return false;
  const w = words.words;
  for (let i = 0; i + parts.length <= w.length; i++) {
    const fits = parts.every((part, k) => {
      const word = w[i + k];
      return word === part || (k === parts.length - 1 && word === `${part}s`);
    });
    if (fits) return true;
  }
  return false;
}
