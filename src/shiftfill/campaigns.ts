/**
 * Call-outs and shift-fill campaigns: the story from "I can't make it" to a replacement booked in
 * WellSky. Every step is a durable job (dedupe key per step) and every text goes through the
 * outbox with an idempotency key, so a worker killed at any point and restarted resumes without
 * sending anything twice. No transaction is ever held across a WellSky or Twilio call.
 *
 *   recordCallOut ─► job shiftfill.callout: AdminTask, open the shift in WellSky, campaign,
 *                    schedulers texted, caregiver confirmed
 *   job shiftfill.wave n: rank candidates (once), check the next ones in WellSky, offer to
 *                    `waveSize`, schedule wave n+1
 *   handleReply "YES 4821": one conditional UPDATE picks the winner ─► job shiftfill.writeBack:
 *                    PUT, read back, details to the winner, family told (or AdminTask + on-call)
 *   job shiftfill.escalate n: the on-call chain, one person every escalationStepSeconds, until OK
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import type { JobHandlers, JobQueue } from '../jobs';
import type { Outbox } from '../twilio/outbox';
import type { OptOutLedger } from '../twilio/optout';
import type { WellSky } from '../wellsky/service';
import type { Directory } from '../directory/types';
import type { StaffMessages } from '../conversations/staff-messages';
import { staffWithRole, type AgencyConfig } from '../config';
import { ForbiddenError } from '../wellsky/errors';
import { addLocalDays, hoursBetween, localDate, localDateTime, localWeek } from '../time';
import { moduleLog } from '../log';
import { parseClaim } from '../../flows/understand';
import type { Lang } from '../../flows/conversation';
import { checkAgainstWeek, compareCandidates, rankCandidates, type Candidate } from './candidates';
import * as T from './texts';

const log = moduleLog('shiftfill');

export const SHIFTFILL_JOBS = {
  callOut: 'shiftfill.callout',
  wave: 'shiftfill.wave',
  writeBack: 'shiftfill.writeBack',
  escalate: 'shiftfill.escalate',
  familyPrompt: 'shiftfill.familyPrompt',
  cancel: 'shiftfill.cancel',
} as const;

/** A shift starting within this long is urgent: on-call is texted at once. */
export const URGENT_MS = 2 * 60 * 60 * 1000;
/** How many WellSky checks of candidates run at once (the API allows 100 requests a second). */
const CHECK_CONCURRENCY = 8;

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
}

const iso = (d: Date | string) => new Date(d).toISOString();

function rowIso<T extends object>(row: T, keys: string[]): T {
  const out: Record<string, unknown> = { ...(row as Record<string, unknown>) };
  for (const k of keys) if (out[k] != null) out[k] = iso(out[k] as string);
  for (const k of ['id', 'call_out_id', 'waves_sent']) if (out[k] != null) out[k] = Number(out[k]);
  return out as T;
}

const CALL_OUT_TIMES = ['shift_start', 'shift_end', 'created_at'];
const CAMPAIGN_TIMES = ['shift_start', 'shift_end', 'call_out_at', 'first_offer_at', 'filled_at', 'escalated_at'];

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export function createShiftFill(deps: ShiftFillDeps) {
  const { db, jobs, outbox, wellsky, directory, staffMessages, optOuts, agency, clock } = deps;
  const cfg = agency.shiftFill;
  const zone = agency.agency.timezone;
  const agencyName = agency.agency.shortName ?? agency.agency.name;
  const now = () => clock.now();
  const when = (r: { shift_start: string; shift_end: string }): T.ShiftWhen => ({ start: iso(r.shift_start), end: iso(r.shift_end), timezone: zone });

  async function callOut(id: number, q: Queryable = db): Promise<CallOutRow | undefined> {
    const { rows } = await q.query<CallOutRow>('SELECT * FROM call_outs WHERE id = $1', [id]);
    return rows[0] ? rowIso(rows[0], CALL_OUT_TIMES) : undefined;
  }

  async function campaign(id: number, q: Queryable = db): Promise<CampaignRow | undefined> {
    const { rows } = await q.query<CampaignRow>('SELECT * FROM campaigns WHERE id = $1', [id]);
    return rows[0] ? rowIso(rows[0], CAMPAIGN_TIMES) : undefined;
  }

  async function names(caregiverId: string, clientId: string) {
    const [caregiver, client] = await Promise.all([
      directory.lookupPerson('caregiver', caregiverId).catch(() => null),
      directory.lookupPerson('client', clientId).catch(() => null),
    ]);
    return {
      caregiver: caregiver ? `${caregiver.firstName} ${caregiver.lastName}`.trim() : `caregiver ${caregiverId}`,
      caregiverFirst: caregiver?.firstName ?? 'the caregiver',
      client: client ? `${client.firstName} ${client.lastName}`.trim() : `client ${clientId}`,
      clientFirst: client?.firstName ?? 'the client',
    };
  }

  // ── The call-out ─────────────────────────────────────────────────────────────────────────

  /**
   * Stores the call-out (once per key) and schedules its processing. Fast and local: the
   * conversation answers at once, the WellSky work happens in the job.
   */
  async function recordCallOut(input: {
    key: string; conversationId?: string; channel: string; caregiverId: string; callerPhone: string; lang: Lang;
    shift: ShiftRef; reason?: string;
  }): Promise<{ callOutId: number; urgent: boolean }> {
    const at = now();
    const urgent = Date.parse(input.shift.start) - at.getTime() < URGENT_MS;
    return db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string; urgent: boolean }>(
        `INSERT INTO call_outs (idempotency_key, conversation_id, kind, channel, caregiver_id, caller_phone, lang, shift_id, client_id, shift_start, shift_end, reason, urgent, created_at)
         VALUES ($1, $2, 'callout', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, urgent`,
        [input.key, input.conversationId ?? null, input.channel, input.caregiverId, input.callerPhone, input.lang, input.shift.id,
          input.shift.clientId, input.shift.start, input.shift.end, input.reason?.slice(0, 1000) ?? null, urgent, iso(at)],
      );
      const row = inserted.rows[0] ?? (await tx.query<{ id: string; urgent: boolean }>('SELECT id, urgent FROM call_outs WHERE idempotency_key = $1', [input.key])).rows[0];
      const id = Number(row.id);
      await jobs.enqueue(SHIFTFILL_JOBS.callOut, { callOutId: id }, { dedupeKey: `${SHIFTFILL_JOBS.callOut}:${id}` }, tx);
      if (inserted.rows[0]) log.info('call-out recorded', { callOutId: id, shiftId: input.shift.id, urgent });
      return { callOutId: id, urgent: row.urgent };
    });
  }

  /** Running late: noted, the scheduler (and the family, when configured) texted. No campaign. */
  async function recordLate(input: {
    key: string; conversationId?: string; channel: string; caregiverId: string; callerPhone: string; lang: Lang;
    shift: ShiftRef; etaMinutes: number;
  }): Promise<{ familyTold: boolean }> {
    const at = now();
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO call_outs (idempotency_key, conversation_id, kind, channel, caregiver_id, caller_phone, lang, shift_id, client_id, shift_start, shift_end, eta_minutes, status, created_at)
       VALUES ($1, $2, 'late', $3, $4, $5, $6, $7, $8, $9, $10, $11, 'noted', $12)
       ON CONFLICT (idempotency_key) DO UPDATE SET eta_minutes = call_outs.eta_minutes RETURNING id`,
      [input.key, input.conversationId ?? null, input.channel, input.caregiverId, input.callerPhone, input.lang, input.shift.id,
        input.shift.clientId, input.shift.start, input.shift.end, input.etaMinutes, iso(at)],
    );
    const id = Number(inserted.rows[0].id);
    const n = await names(input.caregiverId, input.shift.clientId);
    const arrival = new Date(at.getTime() + input.etaMinutes * 60_000);
    const arrivalText = T.shiftWhen({ start: arrival.toISOString(), end: arrival.toISOString(), timezone: zone }, 'en').replace(/-.*$/, '');
    await staffMessages.textRole('scheduler', `late:${id}`,
      `${agencyName}: RUNNING LATE (L-${id}) ${n.caregiver} for ${T.shiftWhen(when({ shift_start: input.shift.start, shift_end: input.shift.end }), 'en')} with ${n.client}: expects to arrive in about ${input.etaMinutes} min (${arrivalText}).`,
      { callOutId: id });
    let familyTold = false;
    if (cfg.notifyClient) {
      const contact = await familyPhone(input.shift.clientId);
      if (contact) {
        const body = contact.lang === 'es'
          ? `${agencyName}: ${n.caregiverFirst} llegara unos ${input.etaMinutes} minutos tarde a la visita de ${n.clientFirst}. Disculpe la demora.`
          : `${agencyName}: ${n.caregiverFirst} is running about ${input.etaMinutes} minutes late for ${n.clientFirst}'s visit today. Sorry for the delay.`;
        await outbox.send({ to: contact.phone, body, purpose: 'family_notice', idempotencyKey: `late-family:${id}`, meta: { callOutId: id } });
        familyTold = true;
      }
    }
    log.info('running late noted', { callOutId: id, etaMinutes: input.etaMinutes });
    return { familyTold };
  }

  /** The client's primary contact's phone, or the client's own; with their language. */
  async function familyPhone(clientId: string): Promise<{ phone: string; lang: Lang; name: string } | null> {
    const contact = await directory.primaryContactFor(clientId).catch(() => null);
    if (contact?.phones[0]) return { phone: contact.phones[0], lang: contact.language === 'es' ? 'es' : 'en', name: `${contact.firstName} ${contact.lastName}`.trim() };
    const client = await directory.lookupPerson('client', clientId).catch(() => null);
    if (client?.phones[0]) return { phone: client.phones[0], lang: client.language === 'es' ? 'es' : 'en', name: `${client.firstName} ${client.lastName}`.trim() };
    return null;
  }

  async function processCallOut(callOutId: number): Promise<void> {
    let row = await callOut(callOutId);
    if (!row || row.kind !== 'callout') return;
    if (row.status === 'cancelled') return;
    const n = await names(row.caregiver_id, row.client_id);
    const shiftText = T.shiftWhen(when(row), 'en');

    if (!row.admin_task_id) {
      const task = await wellsky.createAdminTask({
        description: `COVERAGE NEEDED: ${n.caregiver} called out of the shift ${shiftText} (appointment ${row.shift_id}) with client ${n.client}. ` +
          `Reason: ${row.reason ?? 'not given'}. An automatic shift-fill campaign is texting available caregivers (call-out C-${row.id}).`,
        executionDate: localDate(row.shift_start, zone),
        dueDate: localDateTime(row.shift_start, zone),
        requester: { resourceType: 'Patient', id: row.client_id },
      });
      await db.query('UPDATE call_outs SET admin_task_id = $2 WHERE id = $1', [row.id, task.id]);
    }

    if (!row.write_back) {
      let outcome = 'off';
      if (cfg.writeBack) {
        try {
          await wellsky.assignShift(row.shift_id, null);
          outcome = 'opened';
        } catch (err) {
          if (!(err instanceof ForbiddenError)) throw err;
          outcome = 'refused';
          log.warn('WellSky refused to open the shift; the campaign goes on and a person will assign the winner', { callOutId: row.id, shiftId: row.shift_id });
        }
      }
      await db.query('UPDATE call_outs SET write_back = $2 WHERE id = $1', [row.id, outcome]);
    }

    const campaignId = await startCampaign(row);
    row = (await callOut(callOutId))!;

    await staffMessages.textRole('scheduler', `callout:${row.id}`,
      `${agencyName}: CALL-OUT C-${row.id}: ${n.caregiver} can't work ${shiftText} with ${n.client}. Reason: ${(row.reason ?? 'not given').slice(0, 200).replace(/[.!?\s]+$/, '')}. ` +
        `Texting replacements now (campaign ${campaignId}).${row.write_back === 'refused' ? ' WellSky refused to open the shift: please open it by hand.' : ''}`,
      { callOutId: row.id, campaignId });
    await db.query('UPDATE call_outs SET scheduler_notified = true WHERE id = $1', [row.id]);

    await outbox.send({
      to: row.caller_phone,
      body: T.callOutConfirmationText({ agency: agencyName, when: when(row), clientFirstName: n.clientFirst, lang: row.lang, urgent: row.urgent }),
      purpose: 'confirmation', idempotencyKey: `callout-confirm:${row.id}`, meta: { callOutId: row.id },
    });
    await db.query('UPDATE call_outs SET processed_at = COALESCE(processed_at, $2) WHERE id = $1', [row.id, iso(now())]);
  }

  async function startCampaign(row: CallOutRow): Promise<number> {
    const existing = await db.query<{ id: string }>('SELECT id FROM campaigns WHERE call_out_id = $1', [row.id]);
    let id = existing.rows[0] ? Number(existing.rows[0].id) : undefined;
    for (let attempt = 0; !id && attempt < 20; attempt++) {
      const code = String(1000 + Math.floor(Math.random() * 9000));
      try {
        const inserted = await db.query<{ id: string }>(
          `INSERT INTO campaigns (call_out_id, shift_id, client_id, shift_start, shift_end, claim_code, call_out_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (call_out_id) DO NOTHING RETURNING id`,
          [row.id, row.shift_id, row.client_id, row.shift_start, row.shift_end, code, row.created_at, iso(now())],
        );
        id = inserted.rows[0] ? Number(inserted.rows[0].id) : Number((await db.query<{ id: string }>('SELECT id FROM campaigns WHERE call_out_id = $1', [row.id])).rows[0].id);
      } catch (err) {
        if (!/campaigns_open_code|unique/i.test((err as Error).message)) throw err;
      }
    }
    if (!id) throw new Error(`no free claim code for call-out ${row.id}`);
    const startMs = Date.parse(row.shift_start);
    const at = now().getTime();
    await jobs.enqueue(SHIFTFILL_JOBS.wave, { campaignId: id, wave: 1 }, { dedupeKey: `${SHIFTFILL_JOBS.wave}:${id}:1` });
    const escalateAt = row.urgent ? at : Math.min(at + cfg.escalateAfterSeconds * 1000, startMs - URGENT_MS);
    await jobs.enqueue(SHIFTFILL_JOBS.escalate, { campaignId: id, step: 0 }, { dedupeKey: `${SHIFTFILL_JOBS.escalate}:${id}:0`, runAt: new Date(Math.max(at, escalateAt)) });
    await jobs.enqueue(SHIFTFILL_JOBS.familyPrompt, { campaignId: id }, { dedupeKey: `${SHIFTFILL_JOBS.familyPrompt}:${id}`, runAt: new Date(Math.max(at, startMs - URGENT_MS)) });
    return id;
  }

  // ── Waves of offers ──────────────────────────────────────────────────────────────────────

  async function prepareCandidates(c: CampaignRow, caller: string): Promise<void> {
    const today = localDate(now(), zone);
    const [caregivers, client, history, tags] = await Promise.all([
      wellsky.listCaregivers(),
      wellsky.getPatient(c.client_id).catch(() => null),
      // The client's last four weeks, a week per search (WellSky takes at most 6 additional days).
      Promise.all([28, 21, 14, 7].map((back) => wellsky.shiftsForClient(c.client_id, { startDate: addLocalDays(today, -back), additionalDays: 6 }).catch(() => []))).then((weeks) => weeks.flat()),
      wellsky.listProfileTags().catch(() => []),
    ]);
    const optedOut = new Set<string>();
    for (const cg of caregivers) {
      const phone = cg.mobilePhone ?? cg.phones[0];
      if (phone && (await optOuts.isOptedOut(phone))) optedOut.add(phone);
    }
    const replies = await db.query<{ caregiver_id: string; secs: string }>(
      `SELECT caregiver_id, avg(EXTRACT(EPOCH FROM (replied_at - sent_at))) AS secs FROM offers WHERE replied_at IS NOT NULL GROUP BY caregiver_id`,
    );
    const replySeconds = new Map(replies.rows.map((r) => [r.caregiver_id, Math.round(Number(r.secs))]));
    const ranked = rankCandidates({ caregivers, callerCaregiverId: caller, client, clientHistory: history, optedOut, replySeconds });
    const tagNames = new Map(tags.map((t) => [t.id, t.name]));
    const skills = (client?.tagIds ?? []).map((t) => tagNames.get(t)).filter((s): s is string => !!s);
    const area = [client?.address?.city, client?.address?.postalCode].filter(Boolean).join(' ') || null;
    await db.transaction(async (tx) => {
      for (const r of ranked) {
        await tx.query(
          `INSERT INTO campaign_candidates (campaign_id, caregiver_id, phone, first_name, lang, rank, worked_for_client, same_area, shares_language, skills_matched, skills_needed, avg_reply_seconds, eligibility)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
          [c.id, r.caregiverId, r.phone ?? null, r.firstName, r.lang, r.rank, r.workedForClient, r.sameArea, r.sharesLanguage, r.skillsMatched,
            r.skillsNeeded, r.avgReplySeconds ?? null, r.eligibility],
        );
      }
      await tx.query('UPDATE campaigns SET candidates_ready = true, area = $2, skills = $3 WHERE id = $1', [c.id, area, skills.join(', ')]);
    });
  }

  interface CandidateRow {
    caregiver_id: string; phone: string; first_name: string; lang: Lang; rank: number; eligibility: string;
    worked_for_client: boolean; same_area: boolean; shares_language: boolean; skills_matched: number; skills_needed: number;
    hours_this_week: string | null; avg_reply_seconds: string | null;
  }

  function factorsOf(r: CandidateRow): Candidate {
    return {
      caregiverId: r.caregiver_id, phone: r.phone, firstName: r.first_name, lang: r.lang, eligibility: r.eligibility as Candidate['eligibility'],
      rank: Number(r.rank), workedForClient: r.worked_for_client, sameArea: r.same_area, sharesLanguage: r.shares_language,
      skillsMatched: Number(r.skills_matched), skillsNeeded: Number(r.skills_needed),
      hoursThisWeek: r.hours_this_week == null ? undefined : Number(r.hours_this_week),
      avgReplySeconds: r.avg_reply_seconds == null ? undefined : Number(r.avg_reply_seconds),
    };
  }

  /** Candidates not yet offered this shift, checked in WellSky in rank order until a wave is full. */
  async function nextWave(c: CampaignRow): Promise<{ wave: Candidate[] }> {
    const week = localWeek(c.shift_start, zone);
    const load = async () =>
      (await db.query<CandidateRow>(
        `SELECT cc.* FROM campaign_candidates cc
         WHERE cc.campaign_id = $1 AND cc.eligibility IN ('pending', 'eligible')
           AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.campaign_id = cc.campaign_id AND o.caregiver_id = cc.caregiver_id)
         ORDER BY cc.rank`,
        [c.id],
      )).rows.map(factorsOf);
    let pool = await load();
    for (;;) {
      const eligible = pool.filter((p) => p.eligibility === 'eligible');
      const pending = pool.filter((p) => p.eligibility === 'pending');
      if (eligible.length >= cfg.waveSize || pending.length === 0) break;
      const batch = pending.slice(0, Math.max(CHECK_CONCURRENCY, (cfg.waveSize - eligible.length) * 2));
      await inBatches(batch, CHECK_CONCURRENCY, async (p) => {
        let result: { eligibility: string; hoursThisWeek?: number };
        try {
          const shifts = await wellsky.shiftsForCaregiver(p.caregiverId, { weekNo: week.weekNo });
          result = checkAgainstWeek({ id: c.shift_id, start: c.shift_start, end: c.shift_end }, shifts, cfg.maxWeeklyHours);
        } catch (err) {
          log.warn('could not check a candidate in WellSky; skipping them', { campaignId: c.id, caregiverId: p.caregiverId, error: (err as Error).message });
          result = { eligibility: 'check_failed' };
        }
        await db.query('UPDATE campaign_candidates SET eligibility = $3, hours_this_week = $4, checked_at = $5 WHERE campaign_id = $1 AND caregiver_id = $2',
          [c.id, p.caregiverId, result.eligibility, result.hoursThisWeek ?? null, iso(now())]);
      });
      pool = await load();
    }
    const eligible = pool.filter((p) => p.eligibility === 'eligible').sort(compareCandidates);
    const wave = eligible.slice(0, cfg.waveSize);
    return { wave };
  }

  async function runWave(campaignId: number, waveNo: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'open') return;
    if (Date.parse(c.shift_start) <= now().getTime()) {
      await db.query(`UPDATE campaigns SET status = 'expired', closed_at = $2 WHERE id = $1 AND status = 'open'`, [c.id, iso(now())]);
      return;
    }
    // A wave that went out before a restart is not sent again; only its follow-up is ensured.
    if (c.waves_sent < waveNo) await sendWave(c, waveNo);
    const remaining = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM campaign_candidates cc WHERE cc.campaign_id = $1 AND cc.eligibility IN ('pending', 'eligible')
         AND NOT EXISTS (SELECT 1 FROM offers o WHERE o.campaign_id = cc.campaign_id AND o.caregiver_id = cc.caregiver_id)`,
      [c.id],
    );
    if (Number(remaining.rows[0].n) > 0) {
      await jobs.enqueue(SHIFTFILL_JOBS.wave, { campaignId: c.id, wave: waveNo + 1 }, {
        dedupeKey: `${SHIFTFILL_JOBS.wave}:${c.id}:${waveNo + 1}`, runAt: new Date(now().getTime() + cfg.waveIntervalSeconds * 1000),
      });
    }
  }

  async function sendWave(campaignRow: CampaignRow, waveNo: number): Promise<void> {
    let c = campaignRow;
    const row = (await callOut(c.call_out_id))!;
    if (!c.candidates_ready) {
      await prepareCandidates(c, row.caregiver_id);
      c = (await campaign(c.id))!;
    }
    const { wave } = await nextWave(c);
    const sentAt = iso(now());
    const skills = c.skills ? c.skills.split(', ').filter(Boolean) : [];
    await db.transaction(async (tx) => {
      const still = await tx.query<{ status: string }>('SELECT status FROM campaigns WHERE id = $1 FOR UPDATE', [c.id]);
      if (still.rows[0]?.status !== 'open') return;
      for (const cand of wave) {
        const inserted = await tx.query(
          `INSERT INTO offers (campaign_id, caregiver_id, phone, lang, wave, claim_code, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (campaign_id, caregiver_id) DO NOTHING RETURNING id`,
          [c.id, cand.caregiverId, cand.phone, cand.lang, waveNo, c.claim_code, sentAt],
        );
        if (!inserted.rows.length) continue;
        await outbox.send({
          to: cand.phone!,
          body: T.offerText({ agency: agencyName, when: when(c), area: c.area ?? undefined, skills, code: c.claim_code, lang: cand.lang }),
          purpose: 'offer', idempotencyKey: `offer:${c.id}:${cand.caregiverId}`, meta: { campaignId: c.id, wave: waveNo },
        }, tx);
      }
      await tx.query(
        `UPDATE campaigns SET waves_sent = GREATEST(waves_sent, $2), first_offer_at = CASE WHEN $3 THEN COALESCE(first_offer_at, $4::timestamptz) ELSE first_offer_at END WHERE id = $1`,
        [c.id, waveNo, wave.length > 0, sentAt],
      );
    });
    log.info('offer wave sent', { campaignId: c.id, wave: waveNo, offers: wave.length });
  }

  // ── Replies: claims and declines ─────────────────────────────────────────────────────────

  interface OfferRow { id: string; campaign_id: string; caregiver_id: string; phone: string; lang: Lang; claim_code: string; status: string }

  async function hasTextConversationWaiting(phone: string): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT 1 FROM conversations WHERE channel = 'sms' AND status = 'active' AND caller_phone = $1 AND last_activity_at > $2 LIMIT 1`,
      [phone, iso(new Date(now().getTime() - 30 * 60_000))],
    );
    return rows.length > 0;
  }

  /**
   * A text that may answer an offer: "YES 4821" always claims; a bare "YES" claims when the
   * sender holds exactly one open offer and no text conversation of theirs is waiting for an
   * answer; "NO"/"can't" declines. Returns the reply, or undefined when the text is not for us.
   */
  async function handleReply(msg: { from: string; body: string }): Promise<string | undefined> {
    const claim = parseClaim(msg.body);
    if (!claim) return undefined;
    const offers = (await db.query<OfferRow>(
      `SELECT o.* FROM offers o JOIN campaigns c ON c.id = o.campaign_id WHERE o.phone = $1 AND (o.status = 'open' OR c.claim_code = $2) ORDER BY o.id DESC`,
      [msg.from, claim.code ?? '-'],
    )).rows;
    const lang: Lang = offers[0]?.lang ?? 'en';
    let offer: OfferRow | undefined;
    if (claim.code) {
      offer = offers.find((o) => o.claim_code === claim.code);
      if (!offer) return offers.length || !(await hasTextConversationWaiting(msg.from)) ? T.noOfferText({ agency: agencyName, lang }) : undefined;
    } else {
      const open = offers.filter((o) => o.status === 'open');
      if (open.length === 0 || (await hasTextConversationWaiting(msg.from))) return undefined;
      if (open.length > 1) return T.whichOfferText({ agency: agencyName, codes: open.map((o) => o.claim_code), lang });
      offer = open[0];
    }
    const at = iso(now());
    if (claim.decline) {
      await db.query(`UPDATE offers SET status = 'declined', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status = 'open'`, [offer.id, at]);
      return T.declineAckText({ agency: agencyName, lang: offer.lang });
    }
    return claimOffer(offer, at);
  }

  /** A caregiver calling to take an offered shift: by code, or their only open offer. */
  async function claimByPhone(input: { phone: string; code?: string }): Promise<'claimed' | 'tooLate' | 'none'> {
    const offers = (await db.query<OfferRow>(
      `SELECT * FROM offers WHERE phone = $1 AND (status = 'open' OR claim_code = $2) ORDER BY id DESC`, [input.phone, input.code ?? '-'],
    )).rows;
    const offer = input.code ? offers.find((o) => o.claim_code === input.code) : offers.filter((o) => o.status === 'open').length === 1 ? offers.find((o) => o.status === 'open') : undefined;
    if (!offer) return 'none';
    await claimOffer(offer, iso(now()));
    const c = await campaign(Number(offer.campaign_id));
    return c?.winner_caregiver_id === offer.caregiver_id ? 'claimed' : 'tooLate';
  }

  async function claimOffer(offer: OfferRow, at: string): Promise<string> {
    const campaignId = Number(offer.campaign_id);
    const won = await db.transaction(async (tx) => {
      // The one statement that decides: only one UPDATE can move the campaign from open to filled.
      const filled = await tx.query<{ id: string }>(
        `UPDATE campaigns SET status = 'filled', winner_caregiver_id = $2, winner_phone = $3, filled_at = $4
         WHERE id = $1 AND status = 'open' RETURNING id`,
        [campaignId, offer.caregiver_id, offer.phone, at],
      );
      if (!filled.rows.length) return false;
      await tx.query(`UPDATE offers SET status = 'claimed', replied_at = COALESCE(replied_at, $2) WHERE id = $1`, [offer.id, at]);
      await tx.query(`UPDATE offers SET status = 'withdrawn' WHERE campaign_id = $1 AND status = 'open'`, [campaignId]);
      await tx.query(`UPDATE call_outs SET status = 'filled' WHERE id = (SELECT call_out_id FROM campaigns WHERE id = $1)`, [campaignId]);
      await jobs.enqueue(SHIFTFILL_JOBS.writeBack, { campaignId }, { dedupeKey: `${SHIFTFILL_JOBS.writeBack}:${campaignId}` }, tx);
      return true;
    });
    const c = (await campaign(campaignId))!;
    if (won || c.winner_caregiver_id === offer.caregiver_id) {
      if (won) log.info('shift claimed', { campaignId, caregiverId: offer.caregiver_id });
      return offer.lang === 'es'
        ? `${agencyName}: gracias, el turno ${c.claim_code} es suyo. Le enviaremos los detalles en un momento.`
        : `${agencyName}: thanks, shift ${c.claim_code} is yours. We'll text you the details in a moment.`;
    }
    await db.query(`UPDATE offers SET status = 'too_late', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status IN ('open', 'withdrawn')`, [offer.id, at]);
    return T.filledText({ agency: agencyName, code: c.claim_code, lang: offer.lang });
  }

  // ── After the claim: write-back, details, family ─────────────────────────────────────────

  async function writeBack(campaignId: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'filled' || !c.winner_caregiver_id) return;
    const winner = c.winner_caregiver_id;
    let outcome = c.write_back;
    let shiftAfter: Awaited<ReturnType<WellSky['getShift']>> | undefined;
    if (!outcome) {
      if (!cfg.writeBack) outcome = 'off';
      else {
        try {
          await wellsky.assignShift(c.shift_id, winner);
          shiftAfter = await wellsky.getShift(c.shift_id);
          outcome = shiftAfter.caregiverId === winner ? 'verified' : 'mismatch';
        } catch (err) {
          if (!(err instanceof ForbiddenError)) throw err;
          outcome = 'refused';
        }
      }
      await db.query('UPDATE campaigns SET write_back = $2 WHERE id = $1 AND write_back IS NULL', [c.id, outcome]);
      outcome = (await campaign(campaignId))!.write_back;
      log.info('winner written back', { campaignId, outcome });
    }
    const n = await names(winner, c.client_id);
    const winnerLang: Lang = (await db.query<{ lang: Lang }>('SELECT lang FROM offers WHERE campaign_id = $1 AND caregiver_id = $2', [c.id, winner])).rows[0]?.lang ?? 'en';
    const shiftText = T.shiftWhen(when(c), 'en');

    if (outcome === 'verified') {
      const shift = shiftAfter ?? (await wellsky.getShift(c.shift_id));
      const client = await wellsky.getPatient(c.client_id).catch(() => null);
      const address = client?.address ? [client.address.line.join(' '), client.address.city, client.address.postalCode].filter(Boolean).join(', ') : undefined;
      const tasks = [...new Set([...shift.scheduledItems.map((i) => i.name), ...shift.tasks.map((t) => t.description)])];
      await outbox.send({
        to: c.winner_phone!, purpose: 'shift_details', idempotencyKey: `winner:${c.id}`, meta: { campaignId: c.id },
        body: T.winnerDetailsText({ agency: agencyName, when: when(c), clientName: n.client, address, tasks, lang: winnerLang }),
      });
      await staffMessages.textRole('scheduler', `filled:${c.id}`, `${agencyName}: FILLED: ${n.caregiver} took ${shiftText} with ${n.client} (campaign ${c.id}); booked in WellSky.`, { campaignId: c.id });
      if (cfg.notifyClient) {
        const family = await familyPhone(c.client_id);
        if (family) {
          await outbox.send({
            to: family.phone, purpose: 'family_notice', idempotencyKey: `family:${c.id}`, meta: { campaignId: c.id },
            body: T.familyNoticeText({ agency: agencyName, clientFirstName: n.clientFirst, when: when(c), caregiverFirstName: n.caregiverFirst, lang: family.lang }),
          });
        }
      }
    } else {
      const why = outcome === 'off' ? 'write-back is turned off' : outcome === 'refused' ? 'WellSky refused the update (403)' : 'WellSky did not show the new caregiver after the update';
      const task = await db.query<{ assign_task_id: string | null }>('SELECT assign_task_id FROM campaigns WHERE id = $1', [c.id]);
      if (!task.rows[0]?.assign_task_id) {
        const created = await wellsky.createAdminTask({
          description: `ASSIGN SHIFT: ${n.caregiver} accepted the open shift ${shiftText} (appointment ${c.shift_id}) with client ${n.client} by text, ` +
            `but it could not be booked automatically (${why}). Please assign ${n.caregiver} (caregiver ${winner}) in WellSky and confirm with them.`,
          executionDate: localDate(c.shift_start, zone),
          dueDate: localDateTime(c.shift_start, zone),
          requester: { resourceType: 'Patient', id: c.client_id },
        });
        await db.query('UPDATE campaigns SET assign_task_id = $2 WHERE id = $1', [c.id, created.id]);
      }
      await staffMessages.textRole('oncall', `assign:${c.id}`,
        `${agencyName}: PLEASE ASSIGN: ${n.caregiver} took ${shiftText} with ${n.client}, but ${why}. An AdminTask is in WellSky; please book it and confirm with them.`, { campaignId: c.id });
      await outbox.send({
        to: c.winner_phone!, purpose: 'shift_details', idempotencyKey: `winner-pending:${c.id}`, meta: { campaignId: c.id },
        body: T.winnerPendingText({ agency: agencyName, when: when(c), lang: winnerLang }),
      });
    }
  }

  // ── Escalation ───────────────────────────────────────────────────────────────────────────

  async function escalate(campaignId: number, step: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'open' || c.acknowledged_by) return;
    const at = now();
    if (Date.parse(c.shift_start) <= at.getTime()) return;
    const chain = staffWithRole(agency, 'oncall');
    if (!chain.length) return;
    const person = chain[step % chain.length];
    const n = await names((await callOut(c.call_out_id))!.caregiver_id, c.client_id);
    const reason = Date.parse(c.shift_start) - at.getTime() <= URGENT_MS ? 'starts within 2 hours' : `unfilled after ${Math.round(cfg.escalateAfterSeconds / 60)} minutes`;
    await db.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO escalations (campaign_id, step, staff_name, staff_phone, reason, sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
        [c.id, step, person.name, person.phone, reason, iso(at)],
      );
      if (!inserted.rows.length) return;
      await tx.query('UPDATE campaigns SET escalated_at = COALESCE(escalated_at, $2) WHERE id = $1', [c.id, iso(at)]);
      await outbox.send({
        to: person.phone, purpose: 'escalation', idempotencyKey: `escalation:${c.id}:${step}`, meta: { campaignId: c.id, step },
        body: `${agencyName}: COVERAGE NEEDED (${reason}): ${T.shiftWhen(when(c), 'en')} with ${n.client}, after ${n.caregiver} called out. ` +
          `No replacement yet (code ${c.claim_code}). Reply OK if you are handling it.`,
      }, tx);
    });
    const next = new Date(at.getTime() + cfg.escalationStepSeconds * 1000);
    if (next.getTime() < Date.parse(c.shift_start)) {
      await jobs.enqueue(SHIFTFILL_JOBS.escalate, { campaignId: c.id, step: step + 1 }, { dedupeKey: `${SHIFTFILL_JOBS.escalate}:${c.id}:${step + 1}`, runAt: next });
    }
  }

  /** An on-call "OK": stops the escalations they were texted about. Undefined when not from on-call or not an OK. */
  async function handleStaffOk(msg: { from: string; body: string }): Promise<string | undefined> {
    const person = staffWithRole(agency, 'oncall').find((s) => s.phone === msg.from);
    if (!person || !/^\s*(ok|okay|k|got it)\b/i.test(msg.body)) return undefined;
    const { rows } = await db.query<{ id: string; claim_code: string }>(
      `UPDATE campaigns SET acknowledged_by = $1, acknowledged_at = $2
       WHERE status = 'open' AND escalated_at IS NOT NULL AND acknowledged_at IS NULL RETURNING id, claim_code`,
      [person.name, iso(now())],
    );
    if (!rows.length) return undefined;
    log.info('escalation acknowledged', { campaigns: rows.map((r) => Number(r.id)) });
    return `Thanks ${person.name.split(' ')[0]}: you have ${rows.length === 1 ? `shift ${rows[0].claim_code}` : `shifts ${rows.map((r) => r.claim_code).join(', ')}`}. Nobody else will be alerted; offers stay open.`;
  }

  async function familyPrompt(campaignId: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'open') return;
    const n = await names((await callOut(c.call_out_id))!.caregiver_id, c.client_id);
    const family = await familyPhone(c.client_id);
    await staffMessages.textRole('oncall', `family-prompt:${c.id}`,
      `${agencyName}: NO REPLACEMENT YET for ${T.shiftWhen(when(c), 'en')} with ${n.client} (starts within 2 hours). Please call the family` +
        (family ? `: ${family.name}, ${family.phone}.` : '.'), { campaignId: c.id });
  }

  // ── Taking a call-out back ───────────────────────────────────────────────────────────────

  /** "I can make it after all": cancels the caregiver's open campaign for that shift, if nobody took it yet. */
  async function cancelCallOut(input: { caregiverId: string; shiftId?: string }): Promise<{ outcome: 'cancelled' | 'alreadyFilled' | 'none'; shift?: ShiftRef }> {
    const at = iso(now());
    const { rows } = await db.query<CallOutRow & { campaign_status: string | null; campaign_id: string | null }>(
      `SELECT co.*, c.status AS campaign_status, c.id AS campaign_id FROM call_outs co LEFT JOIN campaigns c ON c.call_out_id = co.id
       WHERE co.caregiver_id = $1 AND co.kind = 'callout' AND co.status IN ('open', 'filled') AND co.shift_end > $2 AND ($3::text IS NULL OR co.shift_id = $3)
       ORDER BY co.shift_start LIMIT 1`,
      [input.caregiverId, at, input.shiftId ?? null],
    );
    const row = rows[0] ? rowIso(rows[0], CALL_OUT_TIMES) : undefined;
    if (!row) return { outcome: 'none' };
    const shift = { id: row.shift_id, clientId: row.client_id, start: row.shift_start, end: row.shift_end };
    if (row.status === 'filled' || row.campaign_status === 'filled') return { outcome: 'alreadyFilled', shift };
    const cancelled = await db.transaction(async (tx) => {
      if (row.campaign_id) {
        const r = await tx.query(`UPDATE campaigns SET status = 'cancelled', closed_at = $2 WHERE id = $1 AND status = 'open' RETURNING id`, [row.campaign_id, at]);
        if (!r.rows.length) return false;
        await tx.query(`UPDATE offers SET status = 'withdrawn' WHERE campaign_id = $1 AND status = 'open'`, [row.campaign_id]);
      }
      await tx.query(`UPDATE call_outs SET status = 'cancelled', cancelled_at = $2 WHERE id = $1 AND status = 'open'`, [row.id, at]);
      await jobs.enqueue(SHIFTFILL_JOBS.cancel, { callOutId: row.id }, { dedupeKey: `${SHIFTFILL_JOBS.cancel}:${row.id}` }, tx);
      return true;
    });
    if (!cancelled) return { outcome: 'alreadyFilled', shift };
    log.info('call-out taken back', { callOutId: row.id });
    return { outcome: 'cancelled', shift };
  }

  /** After a cancel: the caregiver back on the shift in WellSky, the schedulers told. */
  async function finishCancel(callOutId: number): Promise<void> {
    const row = await callOut(callOutId);
    if (!row) return;
    if (row.write_back === 'opened') {
      try {
        await wellsky.assignShift(row.shift_id, row.caregiver_id);
        await db.query(`UPDATE call_outs SET write_back = 'restored' WHERE id = $1`, [row.id]);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        await db.query(`UPDATE call_outs SET write_back = 'restore_refused' WHERE id = $1`, [row.id]);
      }
    }
    const n = await names(row.caregiver_id, row.client_id);
    await staffMessages.textRole('scheduler', `uncallout:${row.id}`,
      `${agencyName}: CALL-OUT C-${row.id} TAKEN BACK: ${n.caregiver} can work ${T.shiftWhen(when(row), 'en')} with ${n.client} after all. The replacement search has stopped.` +
        (row.write_back === 'opened' ? '' : ' Please check the shift in WellSky still shows them.'), { callOutId: row.id });
  }

  const jobHandlers: JobHandlers = {
    [SHIFTFILL_JOBS.callOut]: async (p: { callOutId: number }) => processCallOut(Number(p.callOutId)),
    [SHIFTFILL_JOBS.wave]: async (p: { campaignId: number; wave: number }) => runWave(Number(p.campaignId), Number(p.wave)),
    [SHIFTFILL_JOBS.writeBack]: async (p: { campaignId: number }) => writeBack(Number(p.campaignId)),
    [SHIFTFILL_JOBS.escalate]: async (p: { campaignId: number; step: number }) => escalate(Number(p.campaignId), Number(p.step)),
    [SHIFTFILL_JOBS.familyPrompt]: async (p: { campaignId: number }) => familyPrompt(Number(p.campaignId)),
    [SHIFTFILL_JOBS.cancel]: async (p: { callOutId: number }) => finishCancel(Number(p.callOutId)),
  };

  /** The SMS hook: offer replies and on-call OKs; undefined lets the conversation have the text. */
  async function interceptSms(msg: { from: string; body: string }): Promise<string | undefined> {
    return (await handleStaffOk(msg)) ?? (await handleReply(msg));
  }

  return {
    recordCallOut, recordLate, cancelCallOut, handleReply, claimByPhone, handleStaffOk, interceptSms, jobHandlers,
    processCallOut, runWave, writeBack, escalate, campaign, callOut, hoursOf: (s: ShiftRef) => hoursBetween(s.start, s.end),
  };
}

export type ShiftFill = ReturnType<typeof createShiftFill>;
