/**
 * What staff are told about a client without asking: the shifts of the last 7 days and the next 7
 * with caregiver names (names from the directory, no extra WellSky calls), and earlier complaints
 * from our own records.
 */
import { DateTime } from 'luxon';
import type { Db } from '../db';
import type { Directory } from '../directory/types';
import type { WellSky } from '../wellsky/service';
import type { Shift } from '../wellsky/types';
import { addLocalDays, localDate } from '../time';

export interface ShiftSummary {
  id: string;
  start: string;
  end: string;
  status: string;
  caregiverId?: string;
  caregiverName?: string;
}

export interface ComplaintContext {
  clientName?: string;
  /** Shifts of the last 7 days, most recent first; then the next 7 days, soonest first. */
  recentShifts: ShiftSummary[];
  upcomingShifts: ShiftSummary[];
  /** The schedule could not be read (WellSky down): staff are told so. */
  scheduleUnavailable?: boolean;
  earlierCases: { caseNumber: string; createdAt: string; severity: string }[];
}

export async function clientName(directory: Directory, clientId: string): Promise<string | undefined> {
  const person = await directory.lookupPerson('client', clientId);
  return person ? `${person.firstName} ${person.lastName}`.trim() : undefined;
}

/** Reads the client's shifts around `now`; throws WellSky's errors (the caller decides). */
export async function shiftsAround(
  deps: { wellsky: WellSky; directory: Directory; timezone: string },
  clientId: string,
  now: Date,
  opts: { interactive?: boolean } = {},
): Promise<{ recent: ShiftSummary[]; upcoming: ShiftSummary[] }> {
  const today = localDate(now, deps.timezone);
  const [past, coming] = await Promise.all([
    deps.wellsky.shiftsForClient(clientId, { startDate: addLocalDays(today, -7), additionalDays: 6 }, opts),
    deps.wellsky.shiftsForClient(clientId, { startDate: today, additionalDays: 6 }, opts),
  ]);
  const names = new Map<string, string | undefined>();
  const summary = async (shift: Shift): Promise<ShiftSummary> => {
    if (shift.caregiverId && !names.has(shift.caregiverId)) {
      const person = await deps.directory.lookupPerson('caregiver', shift.caregiverId);
      names.set(shift.caregiverId, person ? `${person.firstName} ${person.lastName}`.trim() : undefined);
    }
    return {
      id: shift.id, start: shift.start, end: shift.end, status: shift.status,
      caregiverId: shift.caregiverId, caregiverName: shift.caregiverId ? names.get(shift.caregiverId) : undefined,
    };
  };
  const recent: ShiftSummary[] = [];
  for (const s of [...past].sort((a, b) => b.start.localeCompare(a.start))) recent.push(await summary(s));
  const upcoming: ShiftSummary[] = [];
  for (const s of [...coming].filter((s) => s.end > now.toISOString()).sort((a, b) => a.start.localeCompare(b.start))) upcoming.push(await summary(s));
  // Today's shifts that already ended count as recent.
  for (const s of coming.filter((s) => s.end <= now.toISOString())) recent.unshift(await summary(s));
  return { recent, upcoming };
}

export async function earlierCases(db: Db, clientId: string, beforeId: number): Promise<ComplaintContext['earlierCases']> {
  const { rows } = await db.query<{ id: string; created_at: string | Date; severity: string }>(
    `SELECT id, created_at, severity FROM complaints WHERE client_id = $1 AND id < $2 ORDER BY id DESC LIMIT 5`,
    [clientId, beforeId],
  );
  return rows.map((r) => ({ caseNumber: caseNumberOf(r.id), createdAt: new Date(r.created_at).toISOString(), severity: r.severity }));
}

export function caseNumberOf(id: number | string): string {
  return `C-${id}`;
}

/** "Tue 3/3 9:00 AM–1:00 PM Dana Whitfield" in the agency's zone. */
export function describeShift(shift: ShiftSummary, timezone: string): string {
  const start = DateTime.fromISO(shift.start, { zone: 'utc' }).setZone(timezone);
  const end = DateTime.fromISO(shift.end, { zone: 'utc' }).setZone(timezone);
  const who = shift.caregiverName ?? (shift.caregiverId ? `caregiver ${shift.caregiverId}` : 'NO CAREGIVER');
  const status = ['CANCELLED', 'MISSED', 'OPEN'].includes(shift.status) ? ` (${shift.status.toLowerCase()})` : '';
  return `${start.toFormat('ccc M/d h:mm a')}-${end.toFormat('h:mm a')} ${who}${status}`;
}

export function describeDate(iso: string, timezone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(timezone).toFormat('M/d');
}
