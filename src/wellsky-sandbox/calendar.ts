/**
 * Agency-local calendar days in, UTC instants out: WellSky answers shift times in UTC
 * ("+00:00") while its search parameters name days in the agency's own time zone.
 */
import { DateTime } from 'luxon';
import { badRequest } from './rules';

/** "2026-01-29T14:00:00+00:00", the way WellSky writes shift times. */
export function wellskyUtc(instant: DateTime | Date): string {
  const dt = instant instanceof Date ? DateTime.fromJSDate(instant) : instant;
  return dt.toUTC().toFormat("yyyy-MM-dd'T'HH:mm:ss'+00:00'");
}

/**
 * Parses a date-time as WellSky accepts it: ISO with an optional offset; without one it is read
 * in `naiveZone` (UTC, the API's documented rule, unless the sandbox runs with local times).
 */
export function parseWellskyDateTime(value: unknown, naiveZone = 'utc'): DateTime | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(value)) return undefined;
  const dt = DateTime.fromISO(value, { zone: naiveZone, setZone: true });
  return dt.isValid ? dt : undefined;
}

export interface Window {
  start: DateTime;
  end: DateTime; // exclusive
}

function day(value: string, name: string, zone: string): DateTime {
  if (!/^\d{8}$/.test(value)) throw badRequest(`${name} must be YYYYMMDD`);
  const dt = DateTime.fromFormat(value, 'yyyyMMdd', { zone });
  if (!dt.isValid) throw badRequest(`${name} is not a calendar date: ${value}`);
  return dt.startOf('day');
}

/** startDate (YYYYMMDD) and additionalDays (0–6): that many extra agency-local days. */
export function dayWindow(startDate: string, additionalDays: string | undefined, zone: string): Window {
  const start = day(startDate, 'startDate', zone);
  let extra = 0;
  if (additionalDays !== undefined) {
    if (!/^\d+$/.test(additionalDays) || Number(additionalDays) > 6) throw badRequest('additionalDays must be an integer from 0 to 6');
    extra = Number(additionalDays);
  }
  return { start, end: start.plus({ days: extra + 1 }).startOf('day') };
}

/** weekNo (YYYYWW): the ISO week, Monday to Sunday in the agency's zone. */
export function weekWindow(weekNo: string, zone: string): Window {
  const m = /^(\d{4})(\d{2})$/.exec(weekNo);
  if (!m) throw badRequest('weekNo must be YYYYWW');
  const start = DateTime.fromObject({ weekYear: Number(m[1]), weekNumber: Number(m[2]), weekday: 1 }, { zone });
  if (!start.isValid || start.weekNumber !== Number(m[2])) throw badRequest(`weekNo is not a week: ${weekNo}`);
  return { start: start.startOf('day'), end: start.plus({ weeks: 1 }).startOf('day') };
}

/** monthNo (YYYYMM): the calendar month in the agency's zone. */
export function monthWindow(monthNo: string, zone: string): Window {
  const m = /^(\d{4})(\d{2})$/.exec(monthNo);
  if (!m) throw badRequest('monthNo must be YYYYMM');
  const start = DateTime.fromObject({ year: Number(m[1]), month: Number(m[2]), day: 1 }, { zone });
  if (!start.isValid) throw badRequest(`monthNo is not a month: ${monthNo}`);
  return { start, end: start.plus({ months: 1 }).startOf('day') };
}

export function inWindow(instant: string, window: Window): boolean {
  const ms = DateTime.fromISO(instant, { setZone: true }).toMillis();
  return ms >= window.start.toMillis() && ms < window.end.toMillis();
}
