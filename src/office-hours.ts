/**
 * Office hours in the agency's time zone: "HH:MM-HH:MM", null for closed, "00:00-24:00" all day,
 * and a range whose end is before its start runs past midnight (into the next day).
 */
import { DateTime } from 'luxon';
import type { AgencyConfig } from './config';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
type Day = (typeof DAYS)[number];

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

function parseRange(range: string): { open: number; close: number } {
  const [a, b] = range.split('-');
  return { open: minutes(a), close: minutes(b) };
}

export function isOfficeOpen(agency: Pick<AgencyConfig, 'officeHours' | 'agency'>, at: Date): boolean {
  const local = DateTime.fromJSDate(at, { zone: agency.agency.timezone });
  const today = DAYS[local.weekday - 1];
  const yesterday = DAYS[(local.weekday + 5) % 7];
  const nowMin = local.hour * 60 + local.minute;
  const t = agency.officeHours[today as Day];
  if (t) {
    const { open, close } = parseRange(t);
    if (close > open ? nowMin >= open && nowMin < close : nowMin >= open) return true;
  }
  // Yesterday's overnight range reaches into this morning.
  const y = agency.officeHours[yesterday as Day];
  if (y) {
    const { open, close } = parseRange(y);
    if (close < open && nowMin < close) return true;
  }
  return false;
}

const NAMES = {
  en: { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' },
  es: { mon: 'lunes', tue: 'martes', wed: 'miércoles', thu: 'jueves', fri: 'viernes', sat: 'sábado', sun: 'domingo' },
};

function spokenTime(hhmm: string, lang: 'en' | 'es'): string {
  if (hhmm === '24:00' || hhmm === '00:00') return lang === 'es' ? 'medianoche' : 'midnight';
  const dt = DateTime.fromFormat(hhmm, 'HH:mm');
  if (lang === 'es') return dt.minute ? dt.toFormat('H:mm') : dt.toFormat('H');
  return dt.minute ? dt.toFormat('h:mm a') : dt.toFormat('h a');
}

/** "Monday to Friday, 8 AM to 5 PM" — consecutive days with the same hours are grouped. */
export function describeOfficeHours(agency: Pick<AgencyConfig, 'officeHours'>, lang: 'en' | 'es'): string {
  const groups: { from: Day; to: Day; hours: string | null }[] = [];
  for (const d of DAYS) {
    const h = agency.officeHours[d];
    const last = groups[groups.length - 1];
    if (last && last.hours === h) last.to = d;
    else groups.push({ from: d, to: d, hours: h });
  }
  const parts = groups
    .filter((g) => g.hours)
    .map((g) => {
      const days = g.from === g.to ? NAMES[lang][g.from] : `${NAMES[lang][g.from]} ${lang === 'es' ? 'a' : 'to'} ${NAMES[lang][g.to]}`;
      if (g.hours === '00:00-24:00') return `${days}, ${lang === 'es' ? 'todo el día' : 'all day'}`;
      const [a, b] = g.hours!.split('-');
      return lang === 'es' ? `${days}, de ${spokenTime(a, lang)} a ${spokenTime(b, lang)}` : `${days}, ${spokenTime(a, lang)} to ${spokenTime(b, lang)}`;
    });
  if (!parts.length) return lang === 'es' ? 'La oficina no tiene horario fijo.' : 'The office has no set hours.';
  return parts.join('; ');
}
