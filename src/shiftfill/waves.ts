/**
 * Waves of offers: the candidates ranked once per campaign (every factor kept in
 * campaign_candidates), then per wave the next ones checked in WellSky (overlap, weekly hours) in
 * rank order until `waveSize` are eligible, offered by text, and the next wave scheduled.
 * A wave already sent before a restart is never sent again.
 */
import { addLocalDays, localDate, localWeek } from '../time';
import { moduleLog } from '../log';
import { RetryLater } from '../jobs';
import { isRetryableLater } from '../wellsky/errors';
import type { Lang } from '../../flows/conversation';
import { checkAgainstWeek, compareCandidates, rankCandidates, type Candidate } from './candidates';
import { iso, SHIFTFILL_JOBS, type CampaignRow, type ShiftFillContext } from './store';
import { offerFacts, readClientRecord, sendOffer, subjectOfRecord } from './offers';

const log = moduleLog('shiftfill');

/** How many WellSky checks of candidates run at once (the API allows 100 requests a second). */
const CHECK_CONCURRENCY = 8;
/** How soon a wave that found WellSky down looks again. */
const WAVE_RETRY_MS = 30_000;
/** Candidate rows written per INSERT (13 parameters each). */
const INSERT_BATCH = 100;

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export function createWaves(ctx: ShiftFillContext) {
  const { db, jobs, wellsky, optOuts, cfg, zone, now, callOut, campaign, wakeWorker } = ctx;

  async function prepareCandidates(c: CampaignRow, caller: string): Promise<void> {
    const today = localDate(now(), zone);
    const [caregivers, client, history, tags] = await Promise.all([
      wellsky.listCaregivers(),
      wellsky.getPatient(c.client_id).catch(() => null),
      // The client's last four weeks, a week per search (WellSky takes at most 6 additional days).
      Promise.all([28, 21, 14, 7].map((back) => wellsky.shiftsForClient(c.client_id, { startDate: addLocalDays(today, -back), additionalDays: 6 }).catch(() => []))).then((weeks) => weeks.flat()),
      wellsky.listProfileTags().catch(() => []),
    ]);
    const optedOut = await optOuts.optedOutAmong(caregivers.map((cg) => cg.mobilePhone ?? cg.phones[0]).filter((p): p is string => !!p));
    const replies = await db.query<{ caregiver_id: string; secs: string }>(
      `SELECT caregiver_id, avg(EXTRACT(EPOCH FROM (replied_at - sent_at))) AS secs FROM offers WHERE replied_at IS NOT NULL GROUP BY caregiver_id`,
    );
    const replySeconds = new Map(replies.rows.map((r) => [r.caregiver_id, Math.round(Number(r.secs))]));
    const ranked = rankCandidates({ caregivers, callerCaregiverId: caller, client, clientHistory: history, optedOut, replySeconds });
    // What offers may say about the client: a checked area and skill tags only (offers.ts).
    const { area, skills } = offerFacts(await readClientRecord(ctx, c.client_id, { client, tags }), ctx);
    await db.transaction(async (tx) => {
      // A few hundred candidates: rows in batches, not one statement each.
      for (let i = 0; i < ranked.length; i += INSERT_BATCH) {
        const rows = ranked.slice(i, i + INSERT_BATCH).map((r) => [
          c.id, r.caregiverId, r.phone ?? null, r.firstName, r.lang, r.rank, r.workedForClient, r.sameArea, r.sharesLanguage, r.skillsMatched,
          r.skillsNeeded, r.avgReplySeconds ?? null, r.eligibility,
        ]);
        const values = rows.map((row, n) => `(${row.map((_, k) => `$${n * row.length + k + 1}`).join(', ')})`).join(', ');
        await tx.query(
          `INSERT INTO campaign_candidates (campaign_id, caregiver_id, phone, first_name, lang, rank, worked_for_client, same_area, shares_language, skills_matched, skills_needed, avg_reply_seconds, eligibility)
           VALUES ${values} ON CONFLICT DO NOTHING`,
          rows.flat(),
        );
      }
      await tx.query('UPDATE campaigns SET candidates_ready = true, area = $2, skills = $3 WHERE id = $1', [c.id, area ?? null, skills.join(', ')]);
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
          // WellSky down: the wave waits for it (runWave retries) instead of skipping everyone.
          if (isRetryableLater(err)) throw err;
          log.warn('could not check a candidate in WellSky; skipping them', { campaignId: c.id, caregiverId: p.caregiverId, error: (err as Error).message });
          result = { eligibility: 'check_failed' };
        }
        await db.query('UPDATE campaign_candidates SET eligibility = $3, hours_this_week = $4, checked_at = $5 WHERE campaign_id = $1 AND caregiver_id = $2',
          [c.id, p.caregiverId, result.eligibility, result.hoursThisWeek ?? null, iso(now())]);
      });
      pool = await load();
    }
    const eligible = pool.filter((p) => p.eligibility === 'eligible').sort(compareCandidates);
    // One offer per phone: caregivers of one household who share a number would get the same
    // text twice, and a YES from it could not say whose. The best-ranked of them is offered; the
    // others are marked, so the console shows why they were not.
    const offered = await db.query<{ phone: string }>('SELECT DISTINCT phone FROM offers WHERE campaign_id = $1', [c.id]);
    const phones = new Set(offered.rows.map((r) => r.phone));
    const wave: Candidate[] = [];
    const sharing: Candidate[] = [];
    for (const cand of eligible) {
      if (cand.phone && phones.has(cand.phone)) sharing.push(cand);
      else if (wave.length < cfg.waveSize) {
        wave.push(cand);
        if (cand.phone) phones.add(cand.phone);
      }
    }
    for (const cand of sharing) {
      await db.query(`UPDATE campaign_candidates SET eligibility = 'shared_phone', checked_at = $3 WHERE campaign_id = $1 AND caregiver_id = $2`, [c.id, cand.caregiverId, iso(now())]);
    }
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
    try {
      if (c.waves_sent < waveNo) await sendWave(c, waveNo);
    } catch (err) {
      // WellSky down: try again soon, until it answers or the shift starts (then the campaign expires).
      if (isRetryableLater(err)) throw new RetryLater(WAVE_RETRY_MS, `WellSky unavailable (${(err as Error).name})`);
      throw err;
    }
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
    // The client record, read outside the transaction: every offer is checked against it in the outbox.
    const subject = wave.length ? subjectOfRecord(await readClientRecord(ctx, c.client_id), ctx.privacy.broadcastTagTypes) : undefined;
    const sentAt = iso(now());
    await db.transaction(async (tx) => {
      const still = await tx.query<{ status: string }>('SELECT status FROM campaigns WHERE id = $1 FOR UPDATE', [c.id]);
      if (still.rows[0]?.status !== 'open') return;
      for (const cand of wave) {
        await sendOffer(ctx, tx, { campaign: c, caregiverId: cand.caregiverId, phone: cand.phone!, lang: cand.lang, wave: waveNo, sentAt, subject: subject! });
      }
      await tx.query(
        `UPDATE campaigns SET waves_sent = GREATEST(waves_sent, $2), first_offer_at = CASE WHEN $3 THEN COALESCE(first_offer_at, $4::timestamptz) ELSE first_offer_at END WHERE id = $1`,
        [c.id, waveNo, wave.length > 0, sentAt],
      );
    });
    wakeWorker(); // the offers' outbox jobs
    log.info('offer wave sent', { campaignId: c.id, wave: waveNo, offers: wave.length });
  }

  return { runWave };
}
