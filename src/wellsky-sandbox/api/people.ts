/**
 * What practitioners and patients share: name, phone and city matching for searches, and the
 * checks every person write goes through.
 */
import type { ContactPoint, HumanName, Meta, PostalAddress } from '../resources';
import { assertAgencyTag, assertBmpOnly, assertTelecom, phoneDigits, unprocessable } from '../rules';

interface Person {
  name: HumanName[];
  telecom: ContactPoint[];
  address?: PostalAddress[];
  meta: Meta;
}

const lower = (s: unknown): string => (typeof s === 'string' ? s.toLowerCase() : '');

export function firstNameIs(p: Person, wanted: string): boolean {
  return p.name.some((n) => (n.given ?? []).some((g) => lower(g) === wanted.toLowerCase()));
}

export function lastNameIs(p: Person, wanted: string): boolean {
  return p.name.some((n) => lower(n.family) === wanted.toLowerCase());
}

export function lastNameContains(p: Person, part: string): boolean {
  return p.name.some((n) => lower(n.family).includes(part.toLowerCase()));
}

export function hasPhone(p: Person, use: 'mobile' | 'home' | 'work', value: string): boolean {
  return p.telecom.some((t) => (t.system === 'phone' || t.system === 'sms') && t.use === use && phoneDigits(t.value) === phoneDigits(value));
}

export function livesIn(p: Person, field: 'city' | 'state', wanted: string): boolean {
  return (p.address ?? []).some((a) => lower(a[field]) === wanted.toLowerCase());
}

/** Every person write: BMP-only text, valid phones, the agency id tag, a plausible shape. */
export function checkPersonWrite(b: Record<string, unknown>, resourceType: 'Practitioner' | 'Patient', agencyId: string): void {
  assertBmpOnly(b);
  assertTelecom(b.telecom);
  assertAgencyTag(b.meta, agencyId);
  if (b.resourceType !== undefined && b.resourceType !== resourceType) throw unprocessable(`resourceType must be "${resourceType}"`);
  if (!Array.isArray(b.name) || b.name.length === 0) throw unprocessable('name must be a non-empty array of HumanName');
  if (b.address !== undefined && !Array.isArray(b.address)) throw unprocessable('address must be an array');
  if (b.active !== undefined && typeof b.active !== 'boolean') throw unprocessable('active must be a boolean');
}
