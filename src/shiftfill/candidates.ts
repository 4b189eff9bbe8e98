/**
 * Who may be offered an open shift, and in what order. Pure: the campaign gathers the data
 * (caregivers, the client, the client's recent shifts, opt-outs, past reply times) and this
 * decides. Every factor is kept on the candidate so the order can be explained later.
 */
import type { Caregiver, Client, Shift } from '../wellsky/types';
import { hoursBetween, overlaps } from '../time';

export type Exclusion = 'caller' | 'inactive' | 'applicant' | 'no_phone' | 'opted_out';
/** 'shared_phone': another caregiver with the same number was offered this shift (one offer per phone). */
export type Eligibility = 'pending' | 'eligible' | 'overlap' | 'over_hours' | 'check_failed' | 'shared_phone' | Exclusion;

export interface CandidateFactors {
  workedForClient: boolean;
  sameArea: boolean;
  sharesLanguage: boolean;
  skillsMatched: number;
  skillsNeeded: number;
  /** Known once the caregiver's week has been read from WellSky. */
  hoursThisWeek?: number;
  /** Average seconds this caregiver took to answer past offers; undefined when never offered. */
  avgReplySeconds?: number;
}

export interface Candidate extends CandidateFactors {
  caregiverId: string;
  phone?: string;
  firstName: string;
  lang: 'en' | 'es';
  eligibility: Eligibility;
  /** 1 = best by the factors known before the WellSky check; 0 for the excluded. */
  rank: number;
}

export interface RankingInput {
  caregivers: Caregiver[];
  callerCaregiverId: string;
  client: Client | null;
  /** The client's shifts of the past weeks: who has worked for them. */
  clientHistory: Shift[];
  optedOut: Set<string>;
  replySeconds: Map<string, number>;
}

function same(a?: string, b?: string): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}

export function exclusionOf(c: Caregiver, callerCaregiverId: string, optedOut: Set<string>): Exclusion | undefined {
  if (c.id === callerCaregiverId) return 'caller';
  if (!c.active) return 'inactive';
  if (!c.hired) return 'applicant';
  const phone = c.mobilePhone ?? c.phones[0];
  if (!phone) return 'no_phone';
  if (optedOut.has(phone)) return 'opted_out';
  return undefined;
}

/**
 * Compares two candidates, best first: worked for this client before, same city or ZIP, a
 * language the client speaks, more of the needed skills, fewer hours this week (when known),
 * faster past replies, then id (a stable order).
 */
export function compareCandidates(a: CandidateFactors & { caregiverId: string }, b: CandidateFactors & { caregiverId: string }): number {
  const flag = (x: boolean) => (x ? 1 : 0);
  return (
    flag(b.workedForClient) - flag(a.workedForClient) ||
    flag(b.sameArea) - flag(a.sameArea) ||
    flag(b.sharesLanguage) - flag(a.sharesLanguage) ||
    b.skillsMatched - a.skillsMatched ||
    (a.hoursThisWeek ?? 0) - (b.hoursThisWeek ?? 0) ||
    (a.avgReplySeconds ?? Number.MAX_SAFE_INTEGER) - (b.avgReplySeconds ?? Number.MAX_SAFE_INTEGER) ||
    a.caregiverId.localeCompare(b.caregiverId)
  );
}

export function rankCandidates(input: RankingInput): Candidate[] {
  const { client } = input;
  const workedFor = new Set(input.clientHistory.map((s) => s.caregiverId).filter((id): id is string => !!id));
  const clientLanguages = new Set((client?.languages ?? []).map((l) => l.toLowerCase()));
  const needs = client?.tagIds ?? [];
  const all: Candidate[] = input.caregivers.map((c) => {
    const exclusion = exclusionOf(c, input.callerCaregiverId, input.optedOut);
    const tags = new Set(c.tagIds);
    return {
      caregiverId: c.id,
      phone: c.mobilePhone ?? c.phones[0],
      firstName: c.firstName,
      lang: c.preferredLanguage === 'es' ? 'es' : 'en',
      eligibility: exclusion ?? 'pending',
      rank: 0,
      workedForClient: workedFor.has(c.id),
      sameArea: same(c.address?.city, client?.address?.city) || same(c.address?.postalCode, client?.address?.postalCode),
      sharesLanguage: c.languages.some((l) => clientLanguages.has(l.toLowerCase())),
      skillsMatched: needs.filter((t) => tags.has(t)).length,
      skillsNeeded: needs.length,
      avgReplySeconds: input.replySeconds.get(c.id),
    };
  });
  const open = all.filter((c) => c.eligibility === 'pending').sort(compareCandidates);
  open.forEach((c, i) => (c.rank = i + 1));
  return all;
}

/**
 * The WellSky check of one candidate against the shift: no shift of theirs overlaps it, and their
 * week with this shift added stays within `maxWeeklyHours`. `weekShifts` are the candidate's
 * shifts of the agency week holding the open shift.
 */
export function checkAgainstWeek(
  shift: { id: string; start: string; end: string },
  weekShifts: Shift[],
  maxWeeklyHours: number,
): { eligibility: 'eligible' | 'overlap' | 'over_hours'; hoursThisWeek: number } {
  const counted = weekShifts.filter((s) => s.id !== shift.id && s.status !== 'CANCELLED');
  const hoursThisWeek = Math.round(counted.reduce((sum, s) => sum + hoursBetween(s.start, s.end), 0) * 100) / 100;
  if (counted.some((s) => overlaps({ start: s.start, end: s.end }, shift))) return { eligibility: 'overlap', hoursThisWeek };
  if (hoursThisWeek + hoursBetween(shift.start, shift.end) > maxWeeklyHours) return { eligibility: 'over_hours', hoursThisWeek };
  return { eligibility: 'eligible', hoursThisWeek };
}
