/**
 * What the ops console reads about call-outs and campaigns, and the four things it can do to a
 * campaign by hand: stop it, offer the shift to one more caregiver, assign a caregiver (written to
 * WellSky and read back), or mark it filled outside the system. The console never queries these
 * tables itself; it calls these.
 */
import type { Queryable } from '../db';
import { ForbiddenError } from '../wellsky/errors';
import { moduleLog } from '../log';
import type { Lang } from '../../flows/conversation';
import {
  CALL_OUT_TIMES, CAMPAIGN_TIMES, createShiftFillContext, iso, rowIso, SHIFTFILL_JOBS, type CallOutRow, type CampaignRow, type ShiftFillDeps, textsOfCampaign,
} from './store';
import { readClientRecord, sendOffer, subjectOfRecord } from './offers';

const log = moduleLog('shiftfill');

export interface CallOutSummary {
  callOutId: number;
  kind: 'callout' | 'late';
  caregiverId: string;
  clientId: string;
  shiftId: string;
  shiftStart: string;
  shiftEnd: string;
  reason: string | null;
  etaMinutes: number | null;
  callOutStatus: string;
  createdAt: string;
  campaignId: number | null;
  campaignStatus: CampaignRow['status'] | null;
  winnerCaregiverId: string | null;
  escalatedAt: string | null;
  acknowledgedBy: string | null;
  filledAt: string | null;
  writeBack: string | null;
  /** filled · being filled · escalated · unfilled (stopped, expired or never started) · late · taken back */
  state: 'filled' | 'filling' | 'escalated' | 'unfilled' | 'late' | 'cancelled';
}

export interface CandidateView {
  caregiverId: string;
  firstName: string;
  phone: string | null;
  lang: Lang;
  rank: number;
  workedForClient: boolean;
  sameArea: boolean;
  sharesLanguage: boolean;
  skillsMatched: number;
  skillsNeeded: number;
  hoursThisWeek: number | null;
  avgReplySeconds: number | null;
  eligibility: string;
}

export interface OfferView {
  caregiverId: string;
  phone: string;
  wave: number;
  status: string;
  sentAt: string;
  repliedAt: string | null;
}

export interface EscalationView {
  step: number;
  staffName: string;
  staffPhone: string;
  reason: string;
  sentAt: string;
}

export interface CampaignDetail {
  campaign: CampaignRow & { closed_by: string | null; close_note: string | null; acknowledged_at: string | null; closed_at: string | null; assign_task_id: string | null };
  callOut: CallOutRow & { channel: string; conversation_id: string | null; processed_at: string | null };
  candidates: CandidateView[];
  offers: OfferView[];
  escalations: EscalationView[];
}

export interface FillRecord {
  campaignId: number;
  status: CampaignRow['status'];
  callOutAt: string;
  firstOfferAt: string | null;
  filledAt: string | null;
  escalated: boolean;
  winnerWave: number | null;
  offers: number;
}

export interface OfferRecord {
  caregiverId: string;
  firstName: string | null;
  sentAt: string;
  repliedAt: string | null;
  status: string;
}

const num = (v: unknown) => (v == null ? null : Number(v));
const isoOrNull = (v: unknown) => (v == null ? null : iso(v as string));

function stateOf(r: { kind: string; call_out_status: string; campaign_status: string | null; escalated_at: unknown }): CallOutSummary['state'] {
  if (r.kind === 'late') return 'late';
  if (r.call_out_status === 'cancelled') return 'cancelled';
  if (r.campaign_status === 'filled' || r.call_out_status === 'filled') return 'filled';
  if (r.campaign_status === 'open') return r.escalated_at ? 'escalated' : 'filling';
  if (!r.campaign_status && r.call_out_status === 'open') return 'filling';
  return 'unfilled';
}

export function createShiftFillConsole(deps: ShiftFillDeps) {
  const ctx = createShiftFillContext(deps);
  const { db, jobs, wellsky, directory, now, campaign } = ctx;

  const SUMMARY_SQL = `SELECT co.id AS call_out_id, co.kind, co.caregiver_id, co.client_id, co.shift_id, co.shift_start, co.shift_end, co.reason,
      co.eta_minutes, co.status AS call_out_status, co.created_at, c.id AS campaign_id, c.status AS campaign_status, c.winner_caregiver_id,
      c.escalated_at, c.acknowledged_by, c.filled_at, c.write_back
    FROM call_outs co LEFT JOIN campaigns c ON c.call_out_id = co.id`;

  function summary(r: Record<string, unknown>): CallOutSummary {
    return {
      callOutId: Number(r.call_out_id), kind: r.kind as 'callout' | 'late', caregiverId: String(r.caregiver_id), clientId: String(r.client_id),
      shiftId: String(r.shift_id), shiftStart: iso(r.shift_start as string), shiftEnd: iso(r.shift_end as string), reason: (r.reason as string) ?? null,
      etaMinutes: num(r.eta_minutes), callOutStatus: String(r.call_out_status), createdAt: iso(r.created_at as string),
      campaignId: num(r.campaign_id), campaignStatus: (r.campaign_status as CampaignRow['status']) ?? null,
      winnerCaregiverId: (r.winner_caregiver_id as string) ?? null, escalatedAt: isoOrNull(r.escalated_at),
      acknowledgedBy: (r.acknowledged_by as string) ?? null, filledAt: isoOrNull(r.filled_at), writeBack: (r.write_back as string) ?? null,
      state: stateOf(r as never),
    };
  }

  /** Call-outs and late notices recorded since `since`, newest first. */
  async function callOutsSince(since: Date, limit = 200): Promise<CallOutSummary[]> {
    const { rows } = await db.query<Record<string, unknown>>(`${SUMMARY_SQL} WHERE co.created_at >= $1 ORDER BY co.created_at DESC LIMIT $2`, [iso(since), limit]);
    return rows.map(summary);
  }

  /** Called-out shifts starting between `from` and `to` that nobody has yet, soonest first. */
  async function unstaffedBetween(from: Date, to: Date): Promise<CallOutSummary[]> {
    const { rows } = await db.query<Record<string, unknown>>(
      `${SUMMARY_SQL} WHERE co.kind = 'callout' AND co.status = 'open' AND (c.status IS NULL OR c.status <> 'filled')
         AND co.shift_start >= $1 AND co.shift_start < $2 ORDER BY co.shift_start`,
      [iso(from), iso(to)],
    );
    return rows.map(summary);
  }

  async function callOutOfCampaign(id: number): Promise<number | undefined> {
    const { rows } = await db.query<{ call_out_id: string }>('SELECT call_out_id FROM campaigns WHERE id = $1', [id]);
    return rows[0] ? Number(rows[0].call_out_id) : undefined;
  }

  /** Everything the campaign page shows, or undefined for an unknown campaign. */
  async function campaignDetail(id: number): Promise<CampaignDetail | undefined> {
    const c = await db.query<Record<string, unknown>>('SELECT * FROM campaigns WHERE id = $1', [id]);
    if (!c.rows[0]) return undefined;
    const camp = rowIso(c.rows[0], [...CAMPAIGN_TIMES, 'acknowledged_at', 'closed_at']) as unknown as CampaignDetail['campaign'];
    const co = await db.query<Record<string, unknown>>('SELECT * FROM call_outs WHERE id = $1', [camp.call_out_id]);
    const callOut = rowIso(co.rows[0], [...CALL_OUT_TIMES, 'processed_at']) as unknown as CampaignDetail['callOut'];
    const [cands, offers, escalations] = await Promise.all([
      db.query<Record<string, unknown>>(
        `SELECT * FROM campaign_candidates WHERE campaign_id = $1 ORDER BY CASE WHEN rank = 0 THEN 1 ELSE 0 END, rank, caregiver_id`, [id]),
      db.query<Record<string, unknown>>('SELECT * FROM offers WHERE campaign_id = $1 ORDER BY wave, sent_at, id', [id]),
      db.query<Record<string, unknown>>('SELECT * FROM escalations WHERE campaign_id = $1 ORDER BY step', [id]),
    ]);
    return {
      campaign: camp,
      callOut,
      candidates: cands.rows.map((r) => ({
        caregiverId: String(r.caregiver_id), firstName: String(r.first_name ?? ''), phone: (r.phone as string) ?? null, lang: (r.lang as Lang) ?? 'en',
        rank: Number(r.rank), workedForClient: !!r.worked_for_client, sameArea: !!r.same_area, sharesLanguage: !!r.shares_language,
        skillsMatched: Number(r.skills_matched), skillsNeeded: Number(r.skills_needed), hoursThisWeek: num(r.hours_this_week),
        avgReplySeconds: num(r.avg_reply_seconds), eligibility: String(r.eligibility),
      })),
      offers: offers.rows.map((r) => ({
        caregiverId: String(r.caregiver_id), phone: String(r.phone), wave: Number(r.wave), status: String(r.status), sentAt: iso(r.sent_at as string),
        repliedAt: isoOrNull(r.replied_at),
      })),
      escalations: escalations.rows.map((r) => ({
        step: Number(r.step), staffName: String(r.staff_name), staffPhone: String(r.staff_phone), reason: String(r.reason), sentAt: iso(r.sent_at as string),
      })),
    };
  }

  /** One row per campaign whose call-out came in since `since`: the raw material of the fill metrics. */
  async function fillRecords(since: Date): Promise<FillRecord[]> {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT c.id, c.status, c.call_out_at, c.first_offer_at, c.filled_at, c.escalated_at,
         (SELECT o.wave FROM offers o WHERE o.campaign_id = c.id AND o.caregiver_id = c.winner_caregiver_id) AS winner_wave,
         (SELECT count(*) FROM offers o WHERE o.campaign_id = c.id) AS offers
       FROM campaigns c WHERE c.call_out_at >= $1 ORDER BY c.call_out_at`,
      [iso(since)],
    );
    return rows.map((r) => ({
      campaignId: Number(r.id), status: r.status as CampaignRow['status'], callOutAt: iso(r.call_out_at as string), firstOfferAt: isoOrNull(r.first_offer_at),
      filledAt: isoOrNull(r.filled_at), escalated: r.escalated_at != null, winnerWave: num(r.winner_wave), offers: Number(r.offers),
    }));
  }

  /** Every offer sent since `since`, for per-caregiver reply rate and speed. */
  async function offerRecords(since: Date): Promise<OfferRecord[]> {
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT o.caregiver_id, o.sent_at, o.replied_at, o.status, cc.first_name
       FROM offers o LEFT JOIN campaign_candidates cc ON cc.campaign_id = o.campaign_id AND cc.caregiver_id = o.caregiver_id
       WHERE o.sent_at >= $1`,
      [iso(since)],
    );
    return rows.map((r) => ({
      caregiverId: String(r.caregiver_id), firstName: (r.first_name as string) ?? null, sentAt: iso(r.sent_at as string), repliedAt: isoOrNull(r.replied_at),
      status: String(r.status),
    }));
  }

  /** Call-outs per status, for the "since the office closed" counts. */
  async function latestChange(): Promise<string> {
    const { rows } = await db.query<{ a: string | null; b: string | null; n: string }>(
      `SELECT (SELECT max(id) FROM call_outs)::text AS a, (SELECT max(filled_at) FROM campaigns)::text AS b, (SELECT count(*) FROM campaigns WHERE status = 'filled')::text AS n`,
    );
    return `${rows[0].a}|${rows[0].b}|${rows[0].n}`;
  }

  // ── Actions ──────────────────────────────────────────────────────────────────────────────

  type ActionResult = { ok: true; message: string } | { ok: false; message: string };

  async function closeOffers(tx: Queryable, campaignId: number): Promise<void> {
    await tx.query(`UPDATE offers SET status = 'withdrawn' WHERE campaign_id = $1 AND status = 'open'`, [campaignId]);
  }

  /** Stops sending offers: the campaign is closed and open offers withdrawn (a late YES hears it is no longer needed). */
  async function stopCampaign(id: number, by: string, note?: string): Promise<ActionResult> {
    const at = iso(now());
    const stopped = await db.transaction(async (tx) => {
      const r = await tx.query(`UPDATE campaigns SET status = 'cancelled', closed_at = $2, closed_by = $3, close_note = $4 WHERE id = $1 AND status = 'open' RETURNING id`,
        [id, at, by, note ?? null]);
      if (!r.rows.length) return false;
      await closeOffers(tx, id);
      return true;
    });
    if (!stopped) return { ok: false, message: 'The campaign is not running.' };
    log.info('campaign stopped from the console', { campaignId: id });
    return { ok: true, message: 'Campaign stopped: no more offers go out, open offers are withdrawn. The shift still needs someone.' };
  }

  async function caregiverContact(c: CampaignRow, caregiverId: string): Promise<{ phone: string; lang: Lang; name: string } | undefined> {
    const cand = await db.query<{ phone: string | null; lang: Lang; first_name: string }>(
      'SELECT phone, lang, first_name FROM campaign_candidates WHERE campaign_id = $1 AND caregiver_id = $2', [c.id, caregiverId]);
    const person = await directory.lookupPerson('caregiver', caregiverId).catch(() => null);
    const phone = cand.rows[0]?.phone ?? person?.phones[0];
    if (!phone) return undefined;
    return { phone, lang: cand.rows[0]?.lang ?? (person?.language === 'es' ? 'es' : 'en'), name: person ? `${person.firstName} ${person.lastName}`.trim() : cand.rows[0]?.first_name ?? caregiverId };
  }

  /** Offers the shift to one more caregiver (wave 0: by hand), with the same text and claim code. */
  async function offerToOneMore(id: number, caregiverId: string, by: string): Promise<ActionResult> {
    const c = await campaign(id);
    if (!c || c.status !== 'open') return { ok: false, message: 'The campaign is not running: offers cannot be sent.' };
    const contact = await caregiverContact(c, caregiverId);
    if (!contact) return { ok: false, message: 'No phone on file for that caregiver.' };
    const subject = subjectOfRecord(await readClientRecord(ctx, c.client_id), ctx.privacy.broadcastTagTypes);
    const sentAt = iso(now());
    const sent = await db.transaction(async (tx) => {
      const offered = await sendOffer(ctx, tx, { campaign: c, caregiverId, phone: contact.phone, lang: contact.lang, wave: 0, sentAt, subject, meta: { by: 'console' } });
      if (!offered) return false;
      await tx.query('UPDATE campaigns SET first_offer_at = COALESCE(first_offer_at, $2) WHERE id = $1', [c.id, sentAt]);
      return true;
    });
    ctx.wakeWorker();
    return sent ? { ok: true, message: `Offer texted to ${contact.name}.` } : { ok: false, message: `${contact.name} was already offered this shift.` };
  }

  /**
   * Assigns a caregiver by hand: written to WellSky and read back first; then the campaign is
   * filled with them and the usual write-back job texts them the details and tells the family.
   */
  async function assignByHand(id: number, caregiverId: string, by: string, note?: string): Promise<ActionResult> {
    const c = await campaign(id);
    if (!c) return { ok: false, message: 'No such campaign.' };
    if (c.status === 'filled') return { ok: false, message: 'The shift is already filled.' };
    if (Date.parse(c.shift_start) <= now().getTime()) return { ok: false, message: 'The shift has already started.' };
    const contact = await caregiverContact(c, caregiverId);
    if (!contact) return { ok: false, message: 'No phone on file for that caregiver.' };
    let outcome: 'verified' | 'mismatch';
    try {
      await wellsky.assignShift(c.shift_id, caregiverId, { interactive: true });
      const after = await wellsky.getShift(c.shift_id, { interactive: true });
      outcome = after.caregiverId === caregiverId ? 'verified' : 'mismatch';
    } catch (err) {
      if (err instanceof ForbiddenError) return { ok: false, message: 'WellSky refused the assignment (403): assign them in WellSky directly.' };
      return { ok: false, message: `WellSky did not answer (${(err as Error).name}); nothing was changed. Try again.` };
    }
    const at = iso(now());
    const filled = await db.transaction(async (tx) => {
      const r = await tx.query(
        `UPDATE campaigns SET status = 'filled', winner_caregiver_id = $2, winner_phone = $3, filled_at = $4, write_back = $5, closed_by = $6, close_note = $7
         WHERE id = $1 AND status IN ('open', 'cancelled', 'expired') RETURNING id`,
        [c.id, caregiverId, contact.phone, at, outcome, by, note ?? 'assigned by hand'],
      );
      if (!r.rows.length) return false;
      await closeOffers(tx, c.id);
      await tx.query(`UPDATE call_outs SET status = 'filled' WHERE id = $1 AND status = 'open'`, [c.call_out_id]);
      await jobs.enqueue(SHIFTFILL_JOBS.writeBack, { campaignId: c.id }, { dedupeKey: `${SHIFTFILL_JOBS.writeBack}:${c.id}` }, tx);
      return true;
    });
    ctx.wakeWorker();
    if (!filled) return { ok: false, message: 'Someone took the shift meanwhile; WellSky was updated with your choice, check it there.' };
    log.info('shift assigned from the console', { campaignId: c.id, outcome });
    return outcome === 'verified'
      ? { ok: true, message: `${contact.name} is booked in WellSky (read back) and will get the shift details by text.` }
      : { ok: false, message: 'WellSky accepted the update but does not show the caregiver on reading it back: check the shift in WellSky.' };
  }

  /** The shift was covered some other way (a phone call, an agency): closes the campaign, nothing written to WellSky. */
  async function markFilledOutside(id: number, by: string, note?: string): Promise<ActionResult> {
    const at = iso(now());
    const done = await db.transaction(async (tx) => {
      const r = await tx.query(
        `UPDATE campaigns SET status = 'filled', filled_at = $2, write_back = 'outside', closed_by = $3, close_note = $4, closed_at = $2
         WHERE id = $1 AND status IN ('open', 'cancelled', 'expired') RETURNING call_out_id`,
        [id, at, by, note ?? null],
      );
      if (!r.rows.length) return false;
      await closeOffers(tx, id);
      await tx.query(`UPDATE call_outs SET status = 'filled' WHERE id = $1 AND status = 'open'`, [(r.rows[0] as { call_out_id: string }).call_out_id]);
      return true;
    });
    return done ? { ok: true, message: 'Marked filled outside the system; offers withdrawn.' } : { ok: false, message: 'The shift is already filled.' };
  }

  return {
    callOutsSince, unstaffedBetween, campaignDetail, callOutOfCampaign, fillRecords, offerRecords, latestChange,
    stopCampaign, offerToOneMore, assignByHand, markFilledOutside,
    /** What each recipient of this campaign saw (store.ts `textsOfCampaign`). */
    textsSeen: (campaignId: number) => textsOfCampaign(db, campaignId),
  };
}

export type ShiftFillConsole = ReturnType<typeof createShiftFillConsole>;
