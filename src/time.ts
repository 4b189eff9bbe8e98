/**
 * The agency's calendar, in one place. Inside the product a time is a UTC instant (ISO string,
 * "2026-03-08T15:00:00.000Z"); the agency thinks in local calendar days in its IANA zone
 * (America/Denver for the first agency), and WellSky searches by local day. Every conversion
 * between the two goes through here, so daylight-saving changes are handled once, by Luxon.
 *
 * Conventions:
 *  - a "local date" is "YYYY-MM-DD" in the agency zone;
 *  - an instant is a Date or an ISO string with an offset (a string without one is read as UTC);
 *  - day ends are exclusive: the end of a day is the instant the next local day begins.
 */
import { DateTime } from 'luxon';

export type InstantLike = Date | string;

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

function instant(value: InstantLike): DateTime {
  const dt = value instanceof Date ? DateTime.fromJSDate(value, { zone: 'utc' }) : parseUtc(value);
  if (!dt.isValid) throw new RangeError(`not a valid instant: ${String(value)}`);
  return dt;
}

function parseUtc(text: string): DateTime {
  const trimmed = text.trim();
  const iso = DateTime.fromISO(trimmed, { zone: 'utc' });
  if (iso.isValid) return iso.toUTC();
  // "2026-01-29 14:00:00" and "2026-01-29 14:00:00+00:00" have been seen from SQL-minded APIs.
  return DateTime.fromSQL(trimmed, { zone: 'utc' }).toUTC();
}

function localDay(date: string, zone: string): DateTime {
  if (!LOCAL_DATE.test(date)) throw new RangeError(`not a local date (YYYY-MM-DD): ${date}`);
  const dt = DateTime.fromISO(date, { zone });
  if (!dt.isValid) throw new RangeError(`not a valid local date in ${zone}: ${date} (${dt.invalidExplanation ?? dt.invalidReason})`);
  return dt.startOf('day');
}

function iso(dt: DateTime): string {
  return dt.toUTC().toISO({ suppressMilliseconds: false })!;
}

/**
 * A date-time as WellSky answers it → a UTC ISO instant, in either shape seen in the field:
 * with an offset or "Z" (honoured as is), or naive wall-clock ("2026-03-08T09:00:00"), which is
 * the agency's local time in `zone` (issue 12: some responses carry local times with no offset).
 * Across a DST change a naive time is resolved by Luxon: a skipped time moves to the hour after,
 * a repeated one takes the first (daylight) occurrence. Undefined for anything unreadable.
 */
export function parseWellSkyDateTime(text: string | null | undefined, zone: string): string | undefined {
  if (!text) return undefined;
  const trimmed = text.trim();
  const hasOffset = /(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$/.test(trimmed) && /[T ]\d{2}:\d{2}/.test(trimmed);
  if (hasOffset) return parseUtcDateTime(trimmed);
  // Read the wall-clock fields, then place them on the local day the way localToInstant does
  // (Luxon's fromISO would pick the second of two repeated fall-back times; this picks the first).
  let wall = DateTime.fromISO(trimmed, { zone: 'utc' });
  if (!wall.isValid) wall = DateTime.fromSQL(trimmed, { zone: 'utc' });
  if (!wall.isValid) return undefined;
  const day = DateTime.fromObject({ year: wall.year, month: wall.month, day: wall.day }, { zone });
  if (!day.isValid) return undefined;
  return iso(day.startOf('day').set({ hour: wall.hour, minute: wall.minute, second: wall.second, millisecond: wall.millisecond }));
}

/**
 * A date-time as WellSky writes it → a UTC ISO instant. "+00:00", "Z" and any other offset are
 * honoured; no offset means UTC (the API's rule). Undefined for anything unreadable.
 */
export function parseUtcDateTime(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const dt = parseUtc(text);
  return dt.isValid ? iso(dt) : undefined;
}

/** The instant as a UTC ISO string ("2026-03-08T15:00:00.000Z"). */
export function toIsoInstant(value: InstantLike): string {
  return iso(instant(value));
}

/** The agency-local calendar date of an instant, "YYYY-MM-DD". */
export function localDate(at: InstantLike, zone: string): string {
  return instant(at).setZone(zone).toISODate()!;
}

/** The agency-local wall-clock time of an instant, "YYYY-MM-DDTHH:MM:SS" (no offset). */
export function localDateTime(at: InstantLike, zone: string): string {
  return instant(at).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** A local wall-clock time on a local date → the UTC instant. "HH:MM" or "HH:MM:SS". */
export function localToInstant(date: string, time: string, zone: string): string {
  const [h, m, s] = time.split(':').map(Number);
  if (![h, m].every(Number.isInteger) || h < 0 || h > 23 || m < 0 || m > 59) throw new RangeError(`not a time of day (HH:MM): ${time}`);
  // Luxon resolves a time skipped by spring-forward to the hour after, and a repeated one
  // (fall-back) to its first occurrence.
  return iso(localDay(date, zone).set({ hour: h, minute: m, second: s || 0 }));
}

/** "YYYY-MM-DD" (or an already compact "YYYYMMDD") → WellSky's search date "YYYYMMDD". */
export function toSearchDate(date: string): string {
  if (/^\d{8}$/.test(date)) return date;
  if (!LOCAL_DATE.test(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return date.replace(/-/g, '');
}

/** The ISO week of a local date as WellSky's weekNo, "YYYYWW" (ISO week-year, Monday start). */
export function isoWeekNo(date: string): string {
  const dt = DateTime.fromISO(date, { zone: 'utc' });
  if (!LOCAL_DATE.test(date) || !dt.isValid) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return `${dt.weekYear}${String(dt.weekNumber).padStart(2, '0')}`;
}

/** The month of a local date as WellSky's monthNo, "YYYYMM". */
export function monthNo(date: string): string {
  if (!LOCAL_DATE.test(date)) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return date.slice(0, 4) + date.slice(5, 7);
}

/** The local date `days` calendar days after `date` (negative goes back). */
export function addLocalDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'utc' }).plus({ days }).toISODate()!;
}

/** Whole calendar days from local date `a` to local date `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round(DateTime.fromISO(b, { zone: 'utc' }).diff(DateTime.fromISO(a, { zone: 'utc' }), 'days').days);
}

/** The instant a local day begins (local midnight, whatever the offset that day). */
export function startOfLocalDay(date: string, zone: string): string {
  return iso(localDay(date, zone));
}

/** The exclusive end of a local day: the instant the next local day begins (23, 24 or 25 h later). */
export function endOfLocalDay(date: string, zone: string): string {
  return iso(localDay(date, zone).plus({ days: 1 }));
}

export interface Interval {
  /** UTC ISO instant, inclusive. */
  start: string;
  /** UTC ISO instant, exclusive. */
  end: string;
}

/** From `now` to the end of tomorrow in the agency zone: the call-out flow's window. */
export function nowToEndOfTomorrow(now: InstantLike, zone: string): Interval {
  const today = localDate(now, zone);
  return { start: toIsoInstant(now), end: endOfLocalDay(addLocalDays(today, 1), zone) };
}

/** The local days `days` back and ahead of `now`, whole days: e.g. the complaint flow's ±7 days. */
export function localDaysAround(now: InstantLike, zone: string, daysBack: number, daysAhead: number): Interval {
  const today = localDate(now, zone);
  return { start: startOfLocalDay(addLocalDays(today, -daysBack), zone), end: endOfLocalDay(addLocalDays(today, daysAhead), zone) };
}

/** The agency's week holding `at`: Monday 00:00 to the next Monday 00:00, local. */
export function localWeek(at: InstantLike, zone: string): Interval & { weekNo: string; firstDate: string } {
  const monday = instant(at).setZone(zone).startOf('week'); // Luxon weeks start on Monday
  const firstDate = monday.toISODate()!;
  return { start: iso(monday), end: iso(monday.plus({ weeks: 1 })), weekNo: isoWeekNo(firstDate), firstDate };
}

/**
 * The local calendar days an interval touches, as a WellSky search window: first local date and
 * how many days after it. `additionalDays` may exceed 6 here; the WellSky service splits longer
 * windows into several searches.
 */
export function searchWindowCovering(interval: Interval, zone: string): { startDate: string; additionalDays: number } {
  const first = localDate(interval.start, zone);
  // The end is exclusive: a window ending exactly at local midnight does not touch that day.
  const endInstant = instant(interval.end).minus({ milliseconds: 1 });
  const last = localDate(endInstant.toJSDate(), zone);
  return { startDate: first, additionalDays: Math.max(0, daysBetween(first, last)) };
}

/** Whether two intervals overlap (touching ends do not). */
export function overlaps(a: Interval, b: Interval): boolean {
  return Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
}

/** Hours between two instants (may be fractional). */
export function hoursBetween(start: InstantLike, end: InstantLike): number {
  return instant(end).diff(instant(start), 'hours').hours;
}
