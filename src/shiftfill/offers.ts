/**
 * Offers as broadcasts under the PHI budget (docs/privacy.md). What an offer may say comes from
 * the client record the campaign reads: the area from a validated city and 5-digit ZIP, the skills
 * from the client's profile tags of a broadcastable type; what it must never say (names, street,
 * phones, conditions of the client and their contacts) goes with every offer to the outbox, which
 * checks the body against it. Used by the waves and by the console's "offer to one more".
 */
import type { Queryable } from '../db';
import type { Client, ProfileTag } from '../wellsky/types';
import type { DirectoryPerson } from '../directory/types';
import type { Lang } from '../../flows/conversation';
import { areaOf, safeForBroadcast, splitTags, subjectOf, validZip, type PrivacySubject } from '../twilio/privacy';
import type { CampaignRow, ShiftFillContext } from './store';
import * as T from './texts';

/** The client as the campaign knows them: WellSky's patient (when it answered), the directory's entry, their contacts, the agency's tags. */
export interface ClientRecord {
  client: Client | null;
  person: DirectoryPerson | null;
  contacts: DirectoryPerson[];
  tags: ProfileTag[];
}

/** Reads the client record; every part is optional (WellSky down: the directory's names and phones still count). */
export async function readClientRecord(ctx: ShiftFillContext, clientId: string, known: { client?: Client | null; tags?: ProfileTag[] } = {}): Promise<ClientRecord> {
  const [client, person, contacts, tags] = await Promise.all([
    known.client !== undefined ? known.client : ctx.wellsky.getPatient(clientId).catch(() => null),
    ctx.directory.lookupPerson('client', clientId).catch(() => null),
    ctx.directory.findClientContacts(clientId).catch(() => []),
    known.tags ?? ctx.wellsky.listProfileTags().catch(() => []),
  ]);
  return { client, person, contacts, tags };
}

/** What a broadcast about this client must never say. */
export function subjectOfRecord(record: ClientRecord, broadcastTagTypes: readonly string[]): PrivacySubject {
  const fromWellSky = subjectOf({ client: record.client, contacts: record.contacts, tags: record.tags, broadcastTagTypes });
  const fromDirectory = subjectOf({ client: record.person });
  return {
    names: [...new Set([...fromWellSky.names, ...fromDirectory.names])],
    streets: fromWellSky.streets,
    phones: [...new Set([...fromWellSky.phones, ...fromDirectory.phones])],
    conditions: fromWellSky.conditions,
  };
}

/**
 * The area and skills an offer for this client may carry: the city only when it reads like a city
 * (and is in the service area, when the agency lists cities), the ZIP only as 5 digits, skills only
 * from broadcastable tag types; any piece that would give away something of the record is dropped.
 */
export function offerFacts(record: ClientRecord, ctx: Pick<ShiftFillContext, 'privacy' | 'agency' | 'agencyName'>): { area?: string; skills: string[] } {
  const subject = subjectOfRecord(record, ctx.privacy.broadcastTagTypes);
  const safe = (piece: string) => safeForBroadcast(piece, subject, { agencyName: ctx.agencyName });
  const address = record.client?.address;
  let area = areaOf(address, ctx.agency.serviceArea);
  if (area && !safe(area)) area = validZip(address?.postalCode, ctx.agency.serviceArea.zips);
  if (area && !safe(area)) area = undefined;
  const { skills } = splitTags(record.client?.tagIds, record.tags, ctx.privacy.broadcastTagTypes);
  return { area, skills: skills.filter(safe) };
}

/** Whether this caregiver (or this phone) has ever been offered a shift before the offer `offerId`. */
async function offeredBefore(tx: Queryable, caregiverId: string, phone: string, offerId: number): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM offers WHERE (caregiver_id = $1 OR phone = $2) AND id <> $3 LIMIT 1', [caregiverId, phone, offerId]);
  return rows.length > 0;
}

/**
 * Records one offer and writes its text to the outbox, in `tx`: in the caregiver's language, with
 * how to opt out on their first offer ever, checked by the outbox against `subject`. False when
 * this caregiver was already offered this shift.
 */
export async function sendOffer(
  ctx: ShiftFillContext,
  tx: Queryable,
  p: { campaign: CampaignRow; caregiverId: string; phone: string; lang: Lang; wave: number; sentAt: string; subject: PrivacySubject; meta?: Record<string, unknown> },
): Promise<boolean> {
  const c = p.campaign;
  const inserted = await tx.query<{ id: string }>(
    `INSERT INTO offers (campaign_id, caregiver_id, phone, lang, wave, claim_code, sent_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (campaign_id, caregiver_id) DO NOTHING RETURNING id`,
    [c.id, p.caregiverId, p.phone, p.lang, p.wave, c.claim_code, p.sentAt],
  );
  if (!inserted.rows.length) return false;
  const firstOffer = !(await offeredBefore(tx, p.caregiverId, p.phone, Number(inserted.rows[0].id)));
  const text = T.broadcast.offer({
    agency: ctx.agencyName, when: ctx.when(c), area: c.area ?? undefined, skills: c.skills ? c.skills.split(', ').filter(Boolean) : [],
    code: c.claim_code, lang: p.lang, firstOffer, allowed: ctx.privacy.budget.broadcast,
  });
  await ctx.outbox.send({
    to: p.phone, ...text, subject: p.subject, campaignId: c.id,
    purpose: 'offer', idempotencyKey: `offer:${c.id}:${p.caregiverId}`, meta: { campaignId: c.id, wave: p.wave, ...(firstOffer ? { firstOffer: true } : {}), ...p.meta },
  }, tx);
  return true;
}
