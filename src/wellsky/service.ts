/**
 * The WellSky service: what the rest of the product may ask of WellSky, in domain terms.
 * `createWellSkyService` (client.ts) implements it over HTTP against the real API or the sandbox;
 * tests that do not care about the wire may use the sandbox through the same implementation.
 */
import type {
  AdminTaskInput,
  Caregiver,
  Client,
  Contact,
  Encounter,
  NewContactInput,
  NewLeadInput,
  ProfileTag,
  Shift,
} from './types';

export interface CallOptions {
  /**
   * A caller is waiting on this answer: use the short timeout and at most one quick retry.
   * Background work (sync, campaigns, durable jobs) leaves this off and gets patient retries.
   */
  interactive?: boolean;
  signal?: AbortSignal;
}

/** Which shifts to search, in agency-local calendar terms (WellSky searches by local day). */
export type ShiftWindow =
  | { startDate: string /* YYYY-MM-DD */; additionalDays?: number /* 0–6 */ }
  | { weekNo: string /* YYYYWW */ }
  | { monthNo: string /* YYYYMM */ };

export interface Subscription {
  id: string;
  criteria: string;
  endpoint: string;
}

export interface ContactUpdate {
  firstName?: string;
  lastName?: string;
  phone?: string;
}

export interface PatientUpdate {
  firstName?: string;
  lastName?: string;
  phone?: string;
  city?: string;
  postalCode?: string;
  notes?: string;
  referralSource?: string;
}

export interface WellSky {
  /** Fetches (or reuses) a token and makes one cheap read: for /readyz. */
  ping(opts?: CallOptions): Promise<void>;

  listCaregivers(opts?: CallOptions): Promise<Caregiver[]>;
  getCaregiver(id: string, opts?: CallOptions): Promise<Caregiver>;
  findCaregiversByPhone(phoneE164: string, opts?: CallOptions): Promise<Caregiver[]>;

  /** Every Patient: clients and prospects. */
  listPatients(opts?: CallOptions): Promise<Client[]>;
  getPatient(id: string, opts?: CallOptions): Promise<Client>;
  findPatientsByPhone(phoneE164: string, opts?: CallOptions): Promise<Client[]>;
  createLead(input: NewLeadInput, opts?: CallOptions): Promise<{ id: string }>;
  updatePatient(id: string, update: PatientUpdate, opts?: CallOptions): Promise<void>;

  contactsOf(clientId: string, opts?: CallOptions): Promise<Contact[]>;
  createContact(input: NewContactInput, opts?: CallOptions): Promise<{ id: string }>;
  /** Reads the client's contacts, changes one, and PUTs it back whole. NotFoundError if it is not the client's. */
  updateContact(clientId: string, contactId: string, update: ContactUpdate, opts?: CallOptions): Promise<void>;

  shiftsForCaregiver(caregiverId: string, window: ShiftWindow, opts?: CallOptions): Promise<Shift[]>;
  shiftsForClient(clientId: string, window: ShiftWindow, opts?: CallOptions): Promise<Shift[]>;
  getShift(id: string, opts?: CallOptions): Promise<Shift>;
  /**
   * Assigns a caregiver to a shift, or opens it (`null`): reads the appointment and PUTs it back
   * whole with only the caregiver changed. A key without write permission → ForbiddenError.
   */
  assignShift(shiftId: string, caregiverId: string | null, opts?: CallOptions): Promise<Shift>;

  createAdminTask(input: AdminTaskInput, opts?: CallOptions): Promise<{ id: string }>;

  searchEncounters(
    query: { clientId?: string; caregiverId?: string; startDate: string; endDate: string },
    opts?: CallOptions,
  ): Promise<Encounter[]>;
  /** One visit by its encounter id (clock-in and clock-out detail). */
  getEncounter(id: string, opts?: CallOptions): Promise<Encounter>;
  createTaskLog(encounterId: string, note: { title: string; description: string }, opts?: CallOptions): Promise<{ id: string }>;

  listProfileTags(opts?: CallOptions): Promise<ProfileTag[]>;
  getProfileTag(id: string, opts?: CallOptions): Promise<ProfileTag>;

  createSubscription(input: { criteria: string; endpoint: string; secret: string }, opts?: CallOptions): Promise<{ id: string }>;
  listSubscriptions(opts?: CallOptions): Promise<Subscription[]>;
  /** Reads the subscription and writes it back whole with `end` moved to `until` (and status active). */
  renewSubscription(id: string, until: Date, opts?: CallOptions): Promise<void>;
}
