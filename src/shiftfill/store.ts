/**
 * What a call-out and its campaign are as rows, and how they are read back: the shared ground of
 * the call-out story (campaigns.ts), the offer waves (waves.ts) and the claims (claims.ts).
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import type { JobQueue } from '../jobs';
import type { Outbox } from '../twilio/outbox';
import type { OptOutLedger } from '../twilio/optout';
import type { WellSky } from '../wellsky/service';
import type { Directory } from '../directory/types';
import type { StaffMessages } from '../conversations/staff-messages';
import { privacySettings, type AgencyConfig } from '../config';
import type { Lang } from '../../flows/conversation';
import type { ShiftWhen } from './texts';

export const SHIFTFILL_JOBS = {
  callOut: 'shiftfill.callout',
  /** The call-out's WellSky side (AdminTask, shift opened): its own job and retry schedule. */
  record: 'shiftfill.record',
  wave: 'shiftfill.wave',
  writeBack: 'shiftfill.writeBack',
  escalate: 'shiftfill.escalate',
  familyPrompt: 'shiftfill.familyPrompt',
  cancel: 'shiftfill.cancel',
} as const;

/** A shift starting within this long is urgent: on-call is texted at once. */
export const URGENT_MS = 2 * 60 * 60 * 1000;

export interface ShiftRef {
  id: string;
  clientId: string;
  /** UTC ISO */
  start: string;
  end: string;
}

export interface CallOutRow {
  id: number;
  kind: 'callout' | 'late';
  caregiver_id: string;
  caller_phone: string;
  lang: Lang;
  shift_id: string;
  client_id: string;
  shift_start: string;
  shift_end: string;
  reason: string | null;
  urgent: boolean;
  status: string;
  admin_task_id: string | null;
  write_back: string | null;
  created_at: string;
}

export interface CampaignRow {
  id: number;
  call_out_id: number;
  shift_id: string;
  client_id: string;
  shift_start: string;
  shift_end: string;
  claim_code: string;
  status: 'open' | 'filled' | 'cancelled' | 'expired';
  area: string | null;
  skills: string | null;
  waves_sent: number;
  candidates_ready: boolean;
  winner_caregiver_id: string | null;
  winner_phone: string | null;
  write_back: string | null;
  escalated_at: string | null;
  acknowledged_by: string | null;
  call_out_at: string;
  first_offer_at: string | null;
  filled_at: string | null;
}

export interface ShiftFillDeps {
  db: Db;
  jobs: JobQueue;
  outbox: Outbox;
  wellsky: WellSky;
  directory: Directory;
  staffMessages: StaffMessages;
  optOuts: OptOutLedger;
  agency: AgencyConfig;
  clock: Clock;
  /** Wakes this process's job worker after a job was committed (optional: otherwise it polls). */
  wakeWorker?: () => void;
}


export const iso = (d: Date | string) => new Date(d).toISOString();

export function rowIso<T extends object>(row: T, keys: string[]): T {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const k of keys) if (out[k] != null) out[k] = iso(out[k] as string);
  for (const k of ['id', 'call_out_id', 'waves_sent']) if (out[k] != null) out[k] = Number(out[k]);
  return out as T;
}

export const CALL_OUT_TIMES = ['shift_start', 'shift_end', 'created_at'];
export const CAMPAIGN_TIMES = ['shift_start', 'shift_end', 'call_out_at', 'first_offer_at', 'filled_at', 'escalated_at'];

/** One text of a campaign as its recipient got it (or did not: refused and suppressed texts are listed too). */
export interface CampaignText {
  id: number;
  to: string;
  /** broadcast, assigned, family, staff, caller (null for texts written before audiences existed). */
  audience: string | null;
  purpose: string;
  status: string;
  body: string;
  errorCode: number | null;
  /** Why it was not sent, when it was not (e.g. the privacy budget's reason). */
  errorMessage: string | null;
  createdAt: string;
}

/**
 * What each recipient saw: every outbox row of the campaign (offers, details, family notice,
 * staff alerts) and of its call-out (the caller's confirmation, the schedulers' alert), oldest
 * first, with audience and status. The outbox rows are the record.
 */
export async function textsOfCampaign(db: Queryable, campaignId: number): Promise<CampaignText[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT m.id, m.to_phone, m.audience, m.purpose, m.status, m.body, m.error_code, m.error_message, m.created_at
     FROM outbound_messages m
     WHERE m.campaign_id = $1
        OR (m.campaign_id IS NULL AND m.meta->>'callOutId' = (SELECT call_out_id::text FROM campaigns WHERE id = $1))
     ORDER BY m.id`,
    [campaignId],
  );
  return rows.map((r) => ({
    id: Number(r.id), to: String(r.to_phone), audience: (r.audience as string) ?? null, purpose: String(r.purpose), status: String(r.status),
    body: String(r.body), errorCode: r.error_code == null ? null : Number(r.error_code), errorMessage: (r.error_message as string) ?? null,
    createdAt: iso(r.created_at as string),
  }));
}

/** Reads a call-out or a campaign, times as UTC ISO strings whatever the engine returns. */
export function createShiftFillStore(db: Db) {
  async function callOut(id: number, q: Queryable = db): Promise<CallOutRow | undefined> {
    const { rows } = await q.query<CallOutRow>('SELECT * FROM call_outs WHERE id = $1', [id]);
    return rows[0] ? rowIso(rows[0], CALL_OUT_TIMES) : undefined;
  }

  async function campaign(id: number, q: Queryable = db): Promise<CampaignRow | undefined> {
    const { rows } = await q.query<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [id]);
    return rows[0] ? rowIso(rows[0], CAMPAIGN_TIMES) : undefined;
  }

  return { callOut, campaign };
}

/** The dependencies and what every part of shift fill derives from them. */
export function createShiftFillContext(deps: ShiftFillDeps) {
  const { agency, clock } = deps;
  const zone = agency.agency.timezone;
  return {
    ...deps,
    ...createShiftFillStore(deps.db),
    wakeWorker: () => deps.wakeWorker?.(),
    cfg: agency.shiftFill,
    privacy: privacySettings(agency),
    zone,
    agencyName: agency.agency.shortName ?? agency.agency.name,
    now: () => clock.now(),
    when: (r: { shift_start: string; shift_end: string }): ShiftWhen => ({ start: iso(r.shift_start), end: iso(r.shift_end), timezone: zone }),
  };
}

export type ShiftFillContext = ReturnType<typeof createShiftFillContext>;
