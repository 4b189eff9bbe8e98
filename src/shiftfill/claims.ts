/**
 * Replies to offers: "YES 4821" claims, a bare "YES" claims the only open offer unless a text
 * conversation of the sender's is waiting for an answer, "NO" declines. The first valid YES wins
 * in one conditional UPDATE, whatever the number of processes; the others hear it is filled.
 */
import { moduleLog } from '../log';
import { REMOTE_WRITE_ATTEMPTS } from '../jobs';
import { parseClaim } from '../../flows/understand';
import type { Lang } from '../../flows/conversation';
import { iso, SHIFTFILL_JOBS, type ShiftFillContext } from './store';
import * as T from './texts';

const log = moduleLog('shiftfill');

export function createClaims(ctx: ShiftFillContext) {
  const { db, jobs, agencyName, now, campaign } = ctx;

  interface OfferRow { id: string; campaign_id: string; caregiver_id: string; phone: string; lang: Lang; claim_code: string; status: string }

  /** An open text conversation of theirs has just asked a yes-or-no question (flows/conversation.ts `expectsYesNo`). */
  async function hasTextConversationWaiting(phone: string): Promise<boolean> {
    const { rows } = await db.query(
      `SELECT 1 FROM conversations
       WHERE channel = 'sms' AND status = 'active' AND caller_phone = $1 AND last_activity_at > $2
         AND (snapshot->'context'->'directive'->>'expectsYesNo') = 'true'
       LIMIT 1`,
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
      // Someone who holds no offer is not answering one ("I live in 80205" is not a claim code):
      // the conversation has it. Someone who does, with a code that matches none, is told so.
      if (!offer) return offers.length ? T.caller.noOffer({ agency: agencyName, lang }).body : undefined;
    } else {
      const open = offers.filter((o) => o.status === 'open');
      if (open.length === 0 || (await hasTextConversationWaiting(msg.from))) return undefined;
      if (open.length > 1) return T.caller.whichOffer({ agency: agencyName, codes: open.map((o) => o.claim_code), lang }).body;
      offer = open[0];
    }
    const at = iso(now());
    if (claim.decline) {
      await db.query(`UPDATE offers SET status = 'declined', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status = 'open'`, [offer.id, at]);
      return T.caller.declineAck({ agency: agencyName, lang: offer.lang }).body;
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

  /**
   * The claim. One conditional UPDATE decides the winner, and it re-checks eligibility at that
   * moment: the shift has not started, and the caregiver has no overlapping shift already claimed
   * (their claims are serialised by a per-caregiver lock, so two overlapping YES at once cannot
   * both win).
   */
  async function claimOffer(offer: OfferRow, at: string): Promise<string> {
    const campaignId = Number(offer.campaign_id);
    const won = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`claim:${offer.caregiver_id}`]);
      // The one statement that decides: only one UPDATE can move the campaign from open to filled.
      const filled = await tx.query<{ id: string }>(
        `UPDATE campaigns SET status = 'filled', winner_caregiver_id = $2, winner_phone = $3, filled_at = $4
         WHERE id = $1 AND status = 'open' AND shift_start > $4
           AND NOT EXISTS (
             SELECT 1 FROM campaigns other
             WHERE other.winner_caregiver_id = $2 AND other.status = 'filled' AND other.id <> campaigns.id
               AND other.shift_start < campaigns.shift_end AND other.shift_end > campaigns.shift_start)
         RETURNING id`,
        [campaignId, offer.caregiver_id, offer.phone, at],
      );
      if (!filled.rows.length) return false;
      await tx.query(`UPDATE offers SET status = 'claimed', replied_at = COALESCE(replied_at, $2) WHERE id = $1`, [offer.id, at]);
      await tx.query(`UPDATE offers SET status = 'withdrawn' WHERE campaign_id = $1 AND status = 'open'`, [campaignId]);
      await tx.query(`UPDATE call_outs SET status = 'filled' WHERE id = (SELECT call_out_id FROM campaigns WHERE id = $1)`, [campaignId]);
      await jobs.enqueue(SHIFTFILL_JOBS.writeBack, { campaignId }, { dedupeKey: `${SHIFTFILL_JOBS.writeBack}:${campaignId}`, maxAttempts: REMOTE_WRITE_ATTEMPTS }, tx);
      return true;
    });
    const c = (await campaign(campaignId))!;
    if (won || c.winner_caregiver_id === offer.caregiver_id) {
      if (won) log.info('shift claimed', { campaignId, caregiverId: offer.caregiver_id });
      return T.assigned.claimed({ agency: agencyName, code: c.claim_code, lang: offer.lang }).body;
    }
    if (c.status === 'open' && Date.parse(c.shift_start) <= Date.parse(at)) {
      await db.query(`UPDATE offers SET status = 'too_late', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status = 'open'`, [offer.id, at]);
      log.info('claim refused: the shift has started', { campaignId, caregiverId: offer.caregiver_id });
      return T.caller.tooLate({ agency: agencyName, code: c.claim_code, lang: offer.lang }).body;
    }
    if (c.status === 'open') {
      const clash = (await db.query<{ claim_code: string }>(
        `SELECT claim_code FROM campaigns WHERE winner_caregiver_id = $1 AND status = 'filled' AND id <> $2 AND shift_start < $3 AND shift_end > $4 LIMIT 1`,
        [offer.caregiver_id, campaignId, c.shift_end, c.shift_start],
      )).rows[0];
      if (clash) {
        await db.query(`UPDATE offers SET status = 'conflict', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status = 'open'`, [offer.id, at]);
        log.info('claim refused: the caregiver already has an overlapping shift', { campaignId, caregiverId: offer.caregiver_id });
        return T.caller.overlapping({ agency: agencyName, code: c.claim_code, clashCode: clash.claim_code, lang: offer.lang }).body;
      }
    }
    await db.query(`UPDATE offers SET status = 'too_late', replied_at = COALESCE(replied_at, $2) WHERE id = $1 AND status IN ('open', 'withdrawn')`, [offer.id, at]);
    return c.status === 'filled'
      ? T.caller.filled({ agency: agencyName, code: c.claim_code, lang: offer.lang }).body
      : T.caller.noLongerNeeded({ agency: agencyName, code: c.claim_code, lang: offer.lang }).body;
  }

  return { handleReply, claimByPhone };
}
