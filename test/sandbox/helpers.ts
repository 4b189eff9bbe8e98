import request from 'supertest';
import { DateTime } from 'luxon';
import type { Sandbox } from '../../src/wellsky-sandbox';

/** A fixed instant: Wednesday 4 February 2026, 10:00 in Denver. */
export const WEDNESDAY_10AM_DENVER = new Date('2026-02-04T17:00:00Z');
export const ZONE = 'America/Denver';

export async function bearer(sb: Sandbox): Promise<string> {
  const res = await request(sb.app)
    .post('/oauth/accesstoken')
    .type('form')
    .send({ grant_type: 'client_credentials', client_id: sb.credentials.clientId, client_secret: sb.credentials.clientSecret });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  return `Bearer ${res.body.access_token as string}`;
}

/** Agency-local YYYYMMDD, `days` after the day of `now`. */
export function localDay(now: Date, days: number): string {
  return DateTime.fromJSDate(now, { zone: ZONE }).plus({ days }).toFormat('yyyyMMdd');
}

export function agencyTag(agencyId = '1669') {
  return { tag: [{ code: 'agencyId', display: agencyId }] };
}

type Entry = Record<string, unknown> & { resource?: Record<string, unknown> };
/** Entries of a bundle, unwrapped whichever shape they came in. */
export function resources(bundle: { entry?: Entry[] }): Record<string, unknown>[] {
  return (bundle.entry ?? []).map((e) => (e.resource && typeof e.resource === 'object' ? e.resource : e));
}
