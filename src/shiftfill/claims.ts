/**
 * Replies to offers: "YES 4821" claims, a bare "YES" claims the only open offer unless a text
 * conversation of the sender's is waiting for an answer, "NO" declines. The first valid YES wins
 * in one conditional UPDATE, whatever the number of processes; the others hear it is filled.
 */
import { moduleLog } from '../log';
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
      if (!offer) return offers.length ? T.noOfferText({ agency: agencyName, lang }) : undefined;
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
    return c.status === 'filled'
      ? T.filledText({ agency: agencyName, code: c.claim_code, lang: offer.lang })
      : T.noLongerNeededText({ agency: agencyName, code: c.claim_code, lang: offer.lang });
  }

  return { handleReply, claimByPhone };
}
