/**
 * The caller directory's vocabulary: who a phone number belongs to, as plain JSON-safe data
 * (identities are stored in conversation snapshots).
 */
import type { Language } from '../wellsky/types';

export type CallerKind = 'caregiver' | 'client' | 'prospect' | 'contact' | 'staff';

export interface CallerIdentity {
  kind: CallerKind;
  /** WellSky id (Practitioner, Patient, RelatedPerson); for staff, their phone. */
  personId: string;
  firstName: string;
  lastName: string;
  /** Contacts: the client they belong to. Clients and prospects: their own id. */
  clientId?: string;
  /** Contacts: the client's first name. */
  clientFirstName?: string;
  /** Contacts: WellSky relationship code (SON, DAU, SPS, …). */
  relationship?: string;
  language: Language;
  /** Inactive caregivers and former clients are still identified, flagged here. */
  active: boolean;
  /** Caregivers: hired (applicants are not). */
  hired?: boolean;
  /** Staff: roles from the agency config. */
  roles?: string[];
  /** Contacts: the client's primary contact. */
  primaryContact?: boolean;
}

/** A known person with every phone on file for them. */
export interface DirectoryPerson extends CallerIdentity {
  phones: string[];
}

export type EntrySource = 'sync' | 'webhook' | 'live' | 'config';

export interface IdentifyResult {
  /** Every identity on file for the number: several means ask the caller, never pick one. */
  identities: CallerIdentity[];
  source: 'cache' | 'live' | 'none';
}

export interface SyncCounts {
  caregivers: number;
  patients: number;
  contacts: number;
  /** Directory entries that were on file before and are gone now. */
  removed: number;
}

export interface SyncRun {
  id: string;
  startedAt: Date;
  finishedAt?: Date;
  status: 'running' | 'ok' | 'failed';
  caregivers?: number;
  patients?: number;
  contacts?: number;
  removed?: number;
  contactFailures?: number;
  error?: string;
}

export type RefreshableResource = 'Practitioner' | 'Patient' | 'RelatedPerson';

export interface Directory {
  /**
   * Who is calling from `phoneE164`. Cached rows first (no WellSky request); on a miss, when
   * `live` (default), a bounded live search whose findings are cached. Never throws for WellSky.
   */
  identify(phoneE164: string, opts?: { live?: boolean }): Promise<IdentifyResult>;
  /** Rebuilds the synced rows from a full listing of WellSky. A failure changes nothing. */
  fullSync(): Promise<SyncCounts>;
  /** Refetches one person (a Patient with their contacts) and replaces just their rows. */
  refreshPerson(resourceType: RefreshableResource, id: string): Promise<void>;
  /** A client's contacts on file, primary contact first. */
  findClientContacts(clientId: string): Promise<DirectoryPerson[]>;
  /** The client's primary contact, or null when none is marked primary. */
  primaryContactFor(clientId: string): Promise<DirectoryPerson | null>;
  /** A known person by id, without WellSky. 'client' and 'prospect' both find a Patient. */
  lookupPerson(kind: CallerKind, id: string): Promise<DirectoryPerson | null>;
  /** Writes the staff rows from the agency config. */
  syncStaff(): Promise<void>;
  /** The most recent full sync, for ops pages and readiness. */
  lastSyncRun(): Promise<SyncRun | null>;
}
