/**
 * Days and times in what people say: "tomorrow morning", "the 8 o'clock", "a las ocho y media",
 * "by 9:30", "20 minutes", "media hora". Dates are resolved in the agency's time zone from the
 * `now` the caller passes in; nothing here reads the clock.
 */
import * as chrono from 'chrono-node';
import { DateTime } from 'luxon';
import { analyze, numberValue, type Words } from './normalize';
import { allLexicons, type DayWord } from './lexicon';
import { compile, PhraseSet, type Match } from './phrases';
import { lastCorrection } from './correction';
import type { Clock, DayTime, PartOfDay } from './types';

type TimeTag =
  | { kind: 'day'; day: DayWord }
  | { kind: 'part'; part: PartOfDay }
  | { kind: 'weekday'; weekday: number }
  | { kind: 'next' }
  | { kind: 'lead' }
  | { kind: 'oclock' }
  | { kind: 'am' }
  | { kind: 'pm' }
  | { kind: 'noon' }
  | { kind: 'midnight' }
  | { kind: 'minutesAfterHour'; minutes: number }
  | { kind: 'minutesBeforeHour'; minutes: number }
  | { kind: 'toHourBefore'; minutes: number }
  | { kind: 'toHourAfter'; minutes: number }
  | { kind: 'minuteUnit' }
  | { kind: 'hourUnit' }
  | { kind: 'duration'; minutes: number }
  | { kind: 'andAHalf' };

type Kind = TimeTag['kind'];

const each = <T>(record: Record<string, T>) => Object.entries(record);

const timePhrases = new PhraseSet<TimeTag>(
  allLexicons.flatMap((l) => [
    ...each(l.days).flatMap(([day, words]) => compile<TimeTag>({ kind: 'day', day: day as DayWord }, words)),
    ...each(l.partsOfDay).flatMap(([part, words]) => compile<TimeTag>({ kind: 'part', part: part as PartOfDay }, words)),
    ...each(l.weekdays).flatMap(([word, weekday]) => compile<TimeTag>({ kind: 'weekday', weekday }, [word])),
    ...compile<TimeTag>({ kind: 'next' }, l.next),
    ...compile<TimeTag>({ kind: 'lead' }, l.timeLeads),
    ...compile<TimeTag>({ kind: 'oclock' }, l.oclock),
    ...compile<TimeTag>({ kind: 'am' }, l.am),
    ...compile<TimeTag>({ kind: 'pm' }, l.pm),
    ...compile<TimeTag>({ kind: 'noon' }, l.noon),
    ...compile<TimeTag>({ kind: 'midnight' }, l.midnight),
    ...each(l.minutesAfterHour).flatMap(([w, minutes]) => compile<TimeTag>({ kind: 'minutesAfterHour', minutes }, [w])),
    ...each(l.minutesBeforeHour).flatMap(([w, minutes]) => compile<TimeTag>({ kind: 'minutesBeforeHour', minutes }, [w])),
    ...each(l.toHourBefore).flatMap(([w, minutes]) => compile<TimeTag>({ kind: 'toHourBefore', minutes }, [w])),
    ...each(l.toHourAfter).flatMap(([w, minutes]) => compile<TimeTag>({ kind: 'toHourAfter', minutes }, [w])),
    ...compile<TimeTag>({ kind: 'minuteUnit' }, l.minuteUnits),
    ...compile<TimeTag>({ kind: 'hourUnit' }, l.hourUnits),
    ...each(l.durations).flatMap(([w, minutes]) => compile<TimeTag>({ kind: 'duration', minutes }, [w])),
    ...compile<TimeTag>({ kind: 'andAHalf' }, l.andAHalf),
  ]),
);

/** The time words of a text, looked up by where they start and end. */
class TimeWords {
  readonly matches: Match<TimeTag>[];
  constructor(readonly words: Words) {
    this.matches = timePhrases.find(words);
  }
  startingAt<K extends Kind>(i: number, kind: K): (Match<TimeTag> & { tag: Extract<TimeTag, { kind: K }> }) | undefined {
    return this.matches.find((m) => m.start === i && m.tag.kind === kind) as never;
  }
  endingAt<K extends Kind>(i: number, kind: K): (Match<TimeTag> & { tag: Extract<TimeTag, { kind: K }> }) | undefined {
    return this.matches.find((m) => m.end === i && m.tag.kind === kind) as never;
  }
  all<K extends Kind>(kind: K): (Match<TimeTag> & { tag: Extract<TimeTag, { kind: K }> })[] {
    return this.matches.filter((m) => m.tag.kind === kind) as never;
  }
  isUnitAt(i: number): boolean {
    return this.startingAt(i, 'minuteUnit') !== undefined || this.startingAt(i, 'hourUnit') !== undefined;
  }
}

const LOOSE_NUMBERS = ['one', 'won', 'un', 'uno', 'una', 'once'];

interface ClockTime {
  hour: number;
  minute: number;
  minuteSaid: boolean;
  meridiem?: 'am' | 'pm';
}

/**
 * The first clock time in the text. A number is a time only with something that says so:
 * a lead ("at", "by", "a las"), AM/PM, "o'clock", minutes ("8 30", "y media"), "half past";
 * in a choice among shifts "the 8" also counts. A number followed by a unit is a duration.
 */
function readClockTime(t: TimeWords, opts: { choice: boolean }): ClockTime | undefined {
  const w = t.words.words;
  for (let i = 0; i < w.length; i++) {
    if (t.startingAt(i, 'noon')) return { hour: 12, minute: 0, minuteSaid: false, meridiem: 'pm' };
    if (t.startingAt(i, 'midnight')) return { hour: 0, minute: 0, minuteSaid: false, meridiem: 'am' };
    const lead = t.endingAt(i, 'lead') !== undefined;
    const pastHour = t.endingAt(i, 'minutesBeforeHour');
    const toHour = t.endingAt(i, 'toHourBefore');
    // "one", "una", "once" are numbers only where a time is announced: "a la una", "at one".
    const plain = !LOOSE_NUMBERS.includes(w[i]);
    const value = plain || lead || pastHour || toHour ? numberValue(w[i]) : undefined;
    if (value === undefined || !Number.isInteger(value) || value > 24 || t.isUnitAt(i + 1)) continue;

    let hour = value;
    let minute = 0;
    let minuteSaid = false;
    let j = i + 1;
    if (pastHour) [minute, minuteSaid] = [pastHour.tag.minutes, true];
    if (toHour) [hour, minute, minuteSaid] = [hour - 1, 60 - toHour.tag.minutes, true];
    const after = t.startingAt(j, 'minutesAfterHour');
    const before = t.startingAt(j, 'toHourAfter');
    if (after) [minute, minuteSaid, j] = [after.tag.minutes, true, after.end];
    else if (before) [hour, minute, minuteSaid, j] = [hour - 1, 60 - before.tag.minutes, true, before.end];
    else {
      const skipAnd = w[j] === 'y' ? 1 : 0;
      const m = minutesWord(w[j + skipAnd]);
      if (m !== undefined && !t.isUnitAt(j + skipAnd + 1)) [minute, minuteSaid, j] = [m, true, j + skipAnd + 1];
    }
    let meridiem: 'am' | 'pm' | undefined;
    let oclock = false;
    for (let k = 0; k < 2; k++) {
      const am = t.startingAt(j, 'am');
      const pm = t.startingAt(j, 'pm');
      const oc = t.startingAt(j, 'oclock');
      if (am) [meridiem, j] = ['am', am.end];
      else if (pm) [meridiem, j] = ['pm', pm.end];
      else if (oc) [oclock, j] = [true, oc.end];
    }
    const saidThe = opts.choice && ['the', 'el', 'la'].includes(w[i - 1]);
    if (lead || pastHour || toHour || minuteSaid || meridiem || oclock || saidThe) {
      if (hour < 0) hour += 12;
      return { hour, minute, minuteSaid, meridiem };
    }
  }
  return undefined;
}

/** "30", "05", "15", "thirty" after an hour; not "8 2". */
function minutesWord(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  const value = numberValue(word);
  if (value === undefined || !Number.isInteger(value) || value > 59) return undefined;
  return /^\d{2}$/.test(word) || value >= 10 ? value : undefined;
}

export interface When extends DayTime {
  /** Minutes were said ("8:30"), not assumed (":00"). */
  minuteSaid?: boolean;
}

const CALENDAR_PARSERS = [chrono.en.casual, chrono.es.casual];

/**
 * An explicit calendar date — "December 12", "12/8", "the 9th of March", "el 9 de marzo" — by
 * chrono-node's English and Spanish parsers, resolved in the agency's zone: chrono is given the
 * zone's offset at `now` (it takes offsets, not IANA zones) and only the wall-clock date is kept,
 * so a DST change between now and then does not move the day. The next such date: "January 3"
 * said in December is next year's.
 *
 * Only dates with a month said are taken from chrono. Relative days and weekdays stay with the
 * lexicon's rules below, where chrono is weaker for callers: it reads "pasado mañana" as
 * tomorrow, "por la mañana" (in the morning) as tomorrow, knows none of the typed forms the
 * lexicon has ("tmro", "tomoro", "mñana"), and puts "Friday" said on a Friday a week ahead.
 * Clock times stay hand-written too: transcripts say "8 30", "1100", "ocho y media", which
 * chrono reads as 8:00 or not at all.
 */
function calendarDate(text: string, clock: Clock): string | undefined {
  const now = DateTime.fromISO(clock.now, { zone: 'utc' }).setZone(clock.timezone);
  const reference = { instant: new Date(clock.now), timezone: now.offset };
  const found = CALENDAR_PARSERS.flatMap((parser) => parser.parse(text, reference, { forwardDate: true }))
    // A date said as such: not chrono's relative readings ("20 minutes", "mañana"), which the lexicon reads.
    .filter((r) => r.start.isCertain('month') && r.start.isCertain('day') && ![...r.tags()].some((tag) => /^result\/relative|^casualReference\/(today|tomorrow|yesterday|tonight|now)|CasualDate/.test(tag)))
    .sort((a, b) => a.index - b.index)[0];
  if (!found) return undefined;
  const date = DateTime.fromObject(
    { year: found.start.get('year') ?? now.year, month: found.start.get('month')!, day: found.start.get('day')! },
    { zone: clock.timezone },
  );
  return date.isValid ? (date.toISODate() ?? undefined) : undefined;
}

/**
 * Everything about a day and time in the text, resolved against `now` in the agency's zone.
 * `opts.text` is the text as said or typed, for the calendar dates chrono reads ("12/8").
 */
export function readWhen(words: Words, clock: Clock, opts: { choice?: boolean; text?: string } = {}): When | undefined {
  const t = new TimeWords(words);
  const today = DateTime.fromISO(clock.now, { zone: 'utc' }).setZone(clock.timezone).startOf('day');
  const when: When = {};

  const day = t.all('day')[0];
  const weekday = t.all('weekday')[0];
  const calendar = opts.text ? calendarDate(opts.text, clock) : undefined;
  if (calendar) {
    when.date = calendar;
    const part = day ? DAY_WORDS[day.tag.day][1] : undefined;
    if (part) when.partOfDay = part;
  } else if (day && (!weekday || day.start <= weekday.start)) {
    const [offset, part] = DAY_WORDS[day.tag.day];
    when.date = today.plus({ days: offset }).toISODate() ?? undefined;
    if (part) when.partOfDay = part;
  } else if (weekday) {
    let ahead = (weekday.tag.weekday - today.weekday + 7) % 7;
    if (ahead === 0 && t.endingAt(weekday.start, 'next')) ahead = 7;
    when.date = today.plus({ days: ahead }).toISODate() ?? undefined;
  }
  const part = t.all('part')[0];
  if (part && !when.partOfDay) when.partOfDay = part.tag.part;

  const time = readClockTime(t, { choice: opts.choice ?? false });
  if (time) {
    when.minute = time.minute;
    when.minuteSaid = time.minuteSaid;
    const hour24 = to24Hour(time, when.partOfDay);
    if (hour24 !== undefined) when.hour = hour24;
    else [when.hour, when.ambiguousMeridiem] = [time.hour, true];
  }
  return Object.keys(when).length > 0 ? when : undefined;
}

const DAY_WORDS: Record<DayWord, [number, PartOfDay?]> = {
  today: [0],
  tomorrow: [1],
  dayAfterTomorrow: [2],
  yesterday: [-1],
  thisMorning: [0, 'morning'],
  thisAfternoon: [0, 'afternoon'],
  thisEvening: [0, 'evening'],
  tonight: [0, 'night'],
};

function to24Hour(time: ClockTime, part: PartOfDay | undefined): number | undefined {
  const h = time.hour;
  if (h === 0 || h > 12) return h;
  if (time.meridiem === 'am') return h % 12;
  if (time.meridiem === 'pm') return (h % 12) + 12;
  if (part === 'morning') return h % 12;
  if (part === 'afternoon' || part === 'evening') return (h % 12) + 12;
  if (part === 'night') return h === 12 ? 0 : h <= 4 ? h : h + 12;
  return undefined;
}

/**
 * "tomorrow morning" → { date, partOfDay: 'morning' }; "tomorrow at 8" → { date, hour: 8,
 * minute: 0, ambiguousMeridiem: true }; "a las 2 de la tarde" → { hour: 14, minute: 0, partOfDay }.
 * Weekday names mean the next such day (today if today is that day; "next Monday" on a Monday is
 * a week later). Undefined when nothing about a day or time was said.
 */
export function parseDayTime(text: string, ctx: Clock): DayTime | undefined {
  const words = analyze(text);
  // "Tuesday, no wait, Wednesday": the corrected words first (as words: chrono reads them too).
  const corrected = lastCorrection(words);
  const when = (corrected && readWhen(corrected.after, ctx, { text: corrected.after.words.join(' ') })) || readWhen(words, ctx, { text });
  if (!when) return undefined;
  const { minuteSaid: _minuteSaid, ...dayTime } = when;
  return dayTime;
}

/** Whether a local hour (0–23) fits what was said of the day. */
export function inPartOfDay(hour: number, part: PartOfDay): boolean {
  switch (part) {
    case 'morning':
      return hour >= 5 && hour < 12;
    case 'afternoon':
      return hour >= 12 && hour < 17;
    case 'evening':
      return hour >= 16 && hour < 22;
    case 'night':
      return hour >= 17 || hour < 5;
  }
}

/**
 * How many minutes until a caregiver arrives: "20 minutes", "15 min", "half an hour",
 * "about an hour", "an hour and a half", "10 to 15 minutes" (the larger), "in 10",
 * "veinte minutos", "media hora", "una hora y media", or a clock time: "by 9:30", "a las nueve"
 * (minutes from `now` to the next such time in the agency's zone). A self-correction counts:
 * "20 minutes late, actually more like 40" → 40 (a bare number after it keeps the unit said before).
 */
export function parseEta(text: string, ctx: Clock): { minutes: number } | undefined {
  const words = analyze(text);
  const corrected = lastCorrection(words);
  if (corrected) {
    const instead = etaOf(corrected.after, ctx) ?? bareNumberInstead(corrected.before, corrected.after, ctx);
    if (instead) return instead;
  }
  return etaOf(words, ctx);
}

/** "… 20 minutes late, actually 40", "… an hour, no wait, two": the number alone, in the unit said before it. */
function bareNumberInstead(before: Words, after: Words, ctx: Clock): { minutes: number } | undefined {
  const numbers = after.words.map((word) => numberValue(word)).filter((n): n is number => n !== undefined);
  const was = etaOf(before, ctx);
  if (numbers.length !== 1 || !Number.isInteger(numbers[0]) || numbers[0] <= 0 || numbers[0] > 180 || !was) return undefined;
  const inHours = was.minutes >= 60 && new TimeWords(before).all('minuteUnit').length === 0 && numbers[0] <= 12;
  return { minutes: inHours ? numbers[0] * 60 : numbers[0] };
}

function etaOf(words: Words, ctx: Clock): { minutes: number } | undefined {
  const t = new TimeWords(words);
  const w = words.words;

  const spans: { start: number; end: number; minutes: number; hours: boolean }[] = [];
  for (const d of t.all('duration')) spans.push({ start: d.start, end: d.end, minutes: d.tag.minutes, hours: d.tag.minutes >= 60 });
  for (const unit of [...t.all('minuteUnit'), ...t.all('hourUnit')]) {
    const half = t.endingAt(unit.start, 'andAHalf');
    const numberAt = half ? half.start - 1 : unit.start - 1;
    let n = numberValue(w[numberAt]);
    if (n === undefined) continue;
    if (half) n += 0.5;
    const isHours = unit.tag.kind === 'hourUnit';
    let minutes = isHours ? n * 60 : n;
    let end = unit.end;
    const halfAfter = isHours ? t.startingAt(unit.end, 'andAHalf') : undefined;
    if (halfAfter) [minutes, end] = [minutes + 30, halfAfter.end];
    spans.push({ start: numberAt, end, minutes, hours: isHours });
  }
  spans.sort((a, b) => a.start - b.start);
  const totals: number[] = [];
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k];
    const next = spans[k + 1];
    const gap = next ? w.slice(span.end, next.start) : [];
    if (next && span.hours && !next.hours && gap.length <= 1 && gap.every((g) => g === 'and' || g === 'y')) {
      totals.push(span.minutes + next.minutes);
      k++;
    } else totals.push(span.minutes);
  }
  if (totals.length > 0) return { minutes: Math.round(Math.max(...totals)) };

  for (let i = 1; i < w.length; i++) {
    const n = numberValue(w[i]);
    if ((w[i - 1] === 'in' || w[i - 1] === 'en') && n !== undefined && n > 0 && n <= 120 && i === w.length - 1) return { minutes: n };
  }

  const time = readClockTime(t, { choice: false });
  if (time) return minutesUntil(time, readWhen(words, ctx)?.partOfDay, ctx);
  return undefined;
}

function minutesUntil(time: ClockTime, part: PartOfDay | undefined, clock: Clock): { minutes: number } | undefined {
  const now = DateTime.fromISO(clock.now, { zone: 'utc' }).setZone(clock.timezone);
  const exact = to24Hour(time, part);
  const hours = exact !== undefined ? [exact] : [time.hour % 12, (time.hour % 12) + 12];
  const ahead: number[] = [];
  for (const days of [0, 1]) {
    for (const hour of hours) {
      const at = now.startOf('day').plus({ days }).set({ hour, minute: time.minute });
      const minutes = at.diff(now, 'minutes').minutes;
      if (minutes > -10) ahead.push(Math.max(0, Math.round(minutes)));
    }
  }
  return ahead.length > 0 ? { minutes: Math.min(...ahead) } : undefined;
}
