/**
 * Turning WellSky people and agency staff into directory entries (one per phone), and entries
 * back into caller identities. Pure: no database, no WellSky.
 */
import type { AgencyConfig } from '../config';
import type { Caregiver, Client, Contact, Language } from '../wellsky/types';
import type { CallerIdentity, CallerKind, DirectoryPerson, EntrySource } from './types';

/** One row of `directory_entries`, as the code sees it. */
export interface DirectoryEntry {
  /** E.164, or '' for a person with no phone on file. */
  phone: string;
  kind: CallerKind;
  personId: string;
  /** '' when the kind has no client. */
  clientId: string;
  clientFirstName: string | null;
  firstName: string;
  lastName: string;
  relationship: string | null;
  language: Language;
  active: boolean;
  hired: boolean | null;
  roles: string[] | null;
  primaryContact: boolean;
  source: EntrySource;
  syncedAt: Date;
}

/**
 * Which rows are replaced together when one person is refreshed. A Patient's rows cover both
 * kinds (a prospect who becomes a client changes kind); a client's contacts are always read and
 * replaced as one list, so they share one key per client.
 */
export type RefreshKey = `caregiver:${string}` | `patient:${string}` | `contacts:${string}` | `staff:${string}`;

export function refreshKeyOf(entry: Pick<DirectoryEntry, 'kind' | 'personId' | 'clientId'>): RefreshKey {
  switch (entry.kind) {
    case 'caregiver':
      return `caregiver:${entry.personId}`;
    case 'client':
    case 'prospect':
      return `patient:${entry.personId}`;
    case 'contact':
      return `contacts:${entry.clientId}`;
    case 'staff':
      return `staff:${entry.personId}`;
  }
}

const E164 = /^\+[1-9]\d{7,14}$/;

/** The person's distinct, well-formed phones; [''] when there are none (one row keeps their name). */
function phonesOrPlaceholder(phones: readonly string[]): string[] {
  const distinct = [...new Set(phones.filter((p) => E164.test(p)))];
  return distinct.length ? distinct : [''];
}

interface Stamp {
  source: EntrySource;
  at: Date;
}

export function caregiverEntries(c: Caregiver, { source, at }: Stamp): DirectoryEntry[] {
  return phonesOrPlaceholder(c.phones).map((phone) => ({
    phone,
    kind: 'caregiver',
    personId: c.id,
    clientId: '',
    clientFirstName: null,
    firstName: c.firstName,
    lastName: c.lastName,
    relationship: null,
    language: c.preferredLanguage,
    active: c.active,
    hired: c.hired,
    roles: null,
    primaryContact: false,
    source,
    syncedAt: at,
  }));
}

export function patientEntries(p: Client, { source, at }: Stamp): DirectoryEntry[] {
  return phonesOrPlaceholder(p.phones).map((phone) => ({
    phone,
    kind: p.isClient ? 'client' : 'prospect',
    personId: p.id,
    clientId: p.id,
    clientFirstName: null,
    firstName: p.firstName,
    lastName: p.lastName,
    relationship: null,
    language: p.preferredLanguage,
    active: p.active,
    hired: null,
    roles: null,
    primaryContact: false,
    source,
    syncedAt: at,
  }));
}

/**
 * A contact speaks for their client: they take the client's active flag, and the client's
 * language as the best guess of theirs (WellSky records none for contacts).
 */
export function contactEntries(contact: Contact, client: Pick<Client, 'firstName' | 'active' | 'preferredLanguage'>, { source, at }: Stamp): DirectoryEntry[] {
  return phonesOrPlaceholder(contact.phones).map((phone) => ({
    phone,
    kind: 'contact',
    personId: contact.id,
    clientId: contact.clientId,
    clientFirstName: client.firstName,
    firstName: contact.firstName,
    lastName: contact.lastName,
    relationship: contact.relationship ?? null,
    language: client.preferredLanguage,
    active: client.active,
    hired: null,
    roles: null,
    primaryContact: contact.primaryContact,
    source,
    syncedAt: at,
  }));
}

/** Staff from the agency config, keyed by phone; one person listed twice has their roles merged. */
export function staffEntries(agency: Pick<AgencyConfig, 'staff'>, at: Date): DirectoryEntry[] {
  const byPhone = new Map<string, DirectoryEntry>();
  for (const member of agency.staff) {
    const existing = byPhone.get(member.phone);
    if (existing) {
      existing.roles = [...new Set([...(existing.roles ?? []), ...member.roles])];
      continue;
    }
    const [firstName, ...rest] = member.name.trim().split(/\s+/);
    byPhone.set(member.phone, {
      phone: member.phone,
      kind: 'staff',
      personId: member.phone,
      clientId: '',
      clientFirstName: null,
      firstName: firstName ?? '',
      lastName: rest.join(' '),
      relationship: null,
      language: member.language ?? 'en',
      active: true,
      hired: null,
      roles: [...member.roles],
      primaryContact: false,
      source: 'config',
      syncedAt: at,
    });
  }
  return [...byPhone.values()];
}

/** The identity an entry describes, without keys that do not apply (JSON-safe, no undefined noise). */
export function identityOf(e: DirectoryEntry): CallerIdentity {
  const identity: CallerIdentity = {
    kind: e.kind,
    personId: e.personId,
    firstName: e.firstName,
    lastName: e.lastName,
    language: e.language,
    active: e.active,
  };
  if (e.clientId) identity.clientId = e.clientId;
  if (e.kind === 'contact') {
    if (e.clientFirstName) identity.clientFirstName = e.clientFirstName;
    if (e.relationship) identity.relationship = e.relationship;
    identity.primaryContact = e.primaryContact;
  }
  if (e.kind === 'caregiver') identity.hired = e.hired ?? false;
  if (e.kind === 'staff') identity.roles = e.roles ?? [];
  return identity;
}

/** Groups entries into people: one per (kind, person, client), with all their phones. */
export function peopleOf(entries: readonly DirectoryEntry[]): DirectoryPerson[] {
  const people = new Map<string, DirectoryPerson>();
  for (const e of entries) {
    const key = `${e.kind}|${e.personId}|${e.clientId}`;
    const person = people.get(key) ?? { ...identityOf(e), phones: [] };
    if (e.phone && !person.phones.includes(e.phone)) person.phones.push(e.phone);
    people.set(key, person);
  }
  return [...people.values()];
}

const KIND_ORDER: Record<CallerKind, number> = { staff: 0, caregiver: 1, client: 2, contact: 3, prospect: 4 };

/** A stable order for identities (the caller is asked; the order only keeps prompts repeatable). */
export function compareIdentities(a: CallerIdentity, b: CallerIdentity): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.lastName.localeCompare(b.lastName) ||
    a.firstName.localeCompare(b.firstName) ||
    a.personId.localeCompare(b.personId) ||
    (a.clientId ?? '').localeCompare(b.clientId ?? '')
  );
}
