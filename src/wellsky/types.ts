/**
 * Domain types: plain, JSON-safe data. FHIR shapes stop at src/wellsky/ (mapping.ts turns them
 * into these). Times are UTC instants as ISO strings ("2026-01-29T14:00:00.000Z"); phones are
 * E.164 ("+13035551234"). Shown in the agency's zone only when spoken or written.
 */

export type Language = 'en' | 'es';

export interface Address {
  line: string[];
  city?: string;
  state?: string;
  postalCode?: string;
}

/** A WellSky Practitioner: a hired caregiver or an applicant. */
export interface Caregiver {
  id: string;
  firstName: string;
  lastName: string;
  /** Every phone on file, E.164, mobile first. */
  phones: string[];
  mobilePhone?: string;
  active: boolean;
  /** Tagged isHired=true (status 100). Applicants are not hired. */
  hired: boolean;
  status?: number;
  address?: Address;
  /** Lower-case language names as WellSky shows them ("english", "spanish"). */
  languages: string[];
  /** The language to speak and write to them: 'es' when Spanish is their first listed language. */
  preferredLanguage: Language;
  /** Profile tag ids (skills, certifications). */
  tagIds: string[];
}

/** A WellSky Patient: a client (isClient=true) or a prospect/lead. */
export interface Client {
  id: string;
  firstName: string;
  lastName: string;
  phones: string[];
  isClient: boolean;
  active: boolean;
  /** Lead pipeline status (1 New Lead … 100 Closed-Won) when WellSky reports one. */
  status?: number;
  address?: Address;
  languages: string[];
  preferredLanguage: Language;
  referralSource?: string;
  /** Profile tag ids on the client: the skills their care needs (Hoyer Lift, Dementia Care, …). */
  tagIds?: string[];
}

/** A WellSky RelatedPerson: a client's family member or other contact. */
export interface Contact {
  id: string;
  clientId: string;
  firstName: string;
  lastName: string;
  /** WellSky relationship code: SON, DAU, SPS, FTH, MTH, FRND, … */
  relationship?: string;
  phones: string[];
  primaryContact: boolean;
  emergencyContact: boolean;
}

export type ShiftStatus =
  | 'SCHEDULED'
  | 'CONFIRMED'
  | 'IN_PROGRESS'
  | 'COMPLETED'
  | 'CANCELLED'
  | 'MISSED'
  | 'OPEN'
  | string;

/** A WellSky Appointment. `caregiverId` is undefined for an open shift. */
export interface Shift {
  id: string;
  clientId: string;
  caregiverId?: string;
  status: ShiftStatus;
  /** UTC instant, ISO 8601. */
  start: string;
  /** UTC instant, ISO 8601. */
  end: string;
  scheduledItems: { id: string; name: string }[];
  tasks: { id: string; description: string; status?: string }[];
}

export interface ProfileTag {
  id: string;
  name: string;
  /** skill | certification | language | condition | diagnosis | … ('unknown' when WellSky gives none). */
  type: string;
}

export interface Encounter {
  id: string;
  appointmentId?: string;
  clientId?: string;
  caregiverId?: string;
  status: string;
  /** Clock-in time, UTC ISO. */
  start?: string;
  /** Clock-out time, UTC ISO. */
  end?: string;
}

export interface AdminTaskInput {
  description: string;
  /** Agency-local date the task is for, YYYY-MM-DD. */
  executionDate: string;
  /** Agency-local due date-time, YYYY-MM-DDTHH:MM:SS. */
  dueDate: string;
  /** The client (Patient) or caregiver (Practitioner) this task concerns. */
  requester?: { resourceType: 'Patient' | 'Practitioner'; id: string };
}

export interface NewLeadInput {
  firstName: string;
  lastName: string;
  /** E.164; written as 10 digits. */
  phone?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  referralSource?: string;
  /** Free text: needs, hours, payer, how they heard. */
  notes?: string;
}

export interface NewContactInput {
  clientId: string;
  firstName: string;
  lastName: string;
  /** WellSky relationship code (SON, DAU, SPS, …) */
  relationship: string;
  phone?: string;
  primaryContact?: boolean;
}
