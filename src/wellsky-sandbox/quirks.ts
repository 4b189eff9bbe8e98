/**
 * The shapes WellSky has been seen to answer in, one switch each (issue 12). The state is kept in
 * one canonical form (UTC "+00:00" times, `COMPLETED`, open shifts as `{"id":""}`); these
 * functions present it the way the configured WellSky would. docs/sandbox.md lists each switch
 * with where the shape was seen.
 */
import { DateTime } from 'luxon';
import type { SandboxContext } from './context';
import type { Appointment, Encounter } from './resources';
import { clone } from './resources';

/** How an open shift's caregiver is written. `{"id":""}` (status still SCHEDULED) is the field shape. */
export type OpenShiftShape = 'empty-id' | 'null' | 'missing' | 'as-stored';
/** `utc`: "2026-03-08T15:00:00+00:00" (field default). `local`: agency wall-clock with no offset. */
export type TimeFormat = 'utc' | 'local';
/** What `PUT patients/{id}/` does with fields the body leaves out (unproven either way). */
export type PatientPut = 'replace' | 'merge';

export const OPEN_SHIFT_SHAPES: OpenShiftShape[] = ['empty-id', 'null', 'missing', 'as-stored'];
export const TIME_FORMATS: TimeFormat[] = ['utc', 'local'];
export const PATIENT_PUTS: PatientPut[] = ['replace', 'merge'];
export const ENCOUNTER_STATUSES = ['COMPLETE', 'COMPLETED'] as const;
export type CompletedSpelling = (typeof ENCOUNTER_STATUSES)[number];

/** A UTC time as the configured WellSky writes it. */
export function presentTime(ctx: SandboxContext, utc: string | undefined): string | undefined {
  if (!utc || ctx.config.timeFormat === 'utc') return utc;
  const dt = DateTime.fromISO(utc, { zone: 'utc' });
  return dt.isValid ? dt.setZone(ctx.timezone).toFormat("yyyy-MM-dd'T'HH:mm:ss") : utc;
}

export function presentAppointment(ctx: SandboxContext, stored: Appointment): Appointment {
  const a = clone(stored);
  a.start = presentTime(ctx, a.start)!;
  a.end = presentTime(ctx, a.end)!;
  const open = !a.caregiver?.id;
  if (open) {
    switch (ctx.config.openShiftShape) {
      case 'empty-id':
        a.caregiver = { id: '' };
        if (a.status === 'OPEN') a.status = 'SCHEDULED';
        break;
      case 'null':
        a.caregiver = null;
        break;
      case 'missing':
        delete a.caregiver;
        if (a.status === 'SCHEDULED') a.status = 'OPEN';
        break;
      case 'as-stored':
        break;
    }
  }
  return a;
}

export function presentEncounter(ctx: SandboxContext, stored: Encounter): Encounter {
  const e = clone(stored);
  e.period = { ...e.period, start: presentTime(ctx, e.period.start)! };
  if (stored.period.end) e.period.end = presentTime(ctx, stored.period.end);
  e.status = presentStatus(ctx, e.status);
  return e;
}

export function presentStatus(ctx: SandboxContext, status: string): string {
  return status === 'COMPLETED' ? ctx.config.encounterStatus : status;
}

/** The zone a written naive date-time is read in: the agency's in `local` mode, else UTC. */
export function naiveZone(ctx: SandboxContext): string {
  return ctx.config.timeFormat === 'local' ? ctx.timezone : 'utc';
}

/** `_page` as the vendor reference gives it for encounter search and profile tags: from 1, or from 0. */
export function pageIndex(ctx: SandboxContext, page: number): number {
  if (ctx.config.encounterPaging === 'zero-based') return page;
  // One-based: page 1 is the first page. What _page=0 does is unproven; it is answered as page 1.
  return Math.max(0, page - 1);
}
