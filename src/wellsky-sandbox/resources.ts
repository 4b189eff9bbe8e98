/**
 * The sandbox's own picture of WellSky's FHIR-flavoured resources, written from
 * docs/wellsky-api.md and nothing else: the sandbox must not share a line with the client
 * (src/wellsky/), so that a mistake there cannot be mirrored here and pass.
 *
 * The interfaces are loose on purpose (`[key: string]: unknown`): WellSky carries fields we do
 * not model, and a PUT is a full replacement that may bring any of them.
 */

export interface Tag {
  code: string;
  display: string;
}

export interface Meta {
  tag: Tag[];
  [key: string]: unknown;
}

export interface HumanName {
  use?: string;
  family?: string;
  given?: string[];
  [key: string]: unknown;
}

export interface ContactPoint {
  system: string; // 'phone' | 'email' | 'sms'
  value: string;
  use?: string; // 'mobile' | 'home' | 'work'
  [key: string]: unknown;
}

export interface PostalAddress {
  use?: string;
  line?: string[];
  city?: string;
  state?: string;
  postalCode?: string;
  [key: string]: unknown;
}

export interface Communication {
  coding: { code?: string; display?: string }[];
  [key: string]: unknown;
}

export interface Practitioner {
  resourceType: 'Practitioner';
  id: string;
  active: boolean;
  name: HumanName[];
  telecom: ContactPoint[];
  address?: PostalAddress[];
  gender?: string;
  communication?: Communication[];
  meta: Meta;
  [key: string]: unknown;
}

export interface Patient {
  resourceType: 'Patient';
  id: string;
  active: boolean;
  name: HumanName[];
  telecom: ContactPoint[];
  address?: PostalAddress[];
  gender?: string;
  birthDate?: string;
  communication?: Communication[];
  meta: Meta;
  [key: string]: unknown;
}

/** An open shift carries no caregiver: the key missing, `null`, or `{ id: "" }`. */
export interface Appointment {
  resourceType: 'Appointment';
  id: string;
  status: string;
  caregiver?: { id: string } | null;
  client: { id: string };
  start: string; // UTC, "+00:00"
  end: string;
  position?: { latitude: number; longitude: number };
  scheduledItems?: { id: string; name: string }[];
  tasks?: { id: string; description: string; status: string }[];
  [key: string]: unknown;
}

export interface RelatedPerson {
  resourceType: 'RelatedPerson';
  id: string;
  patient: { reference: string }; // "Patient/{id}"
  name: HumanName[];
  relationship: { coding: { code: string; display?: string }[] };
  telecom: ContactPoint[];
  primaryContact: boolean;
  emergencyContact: boolean;
  payer?: boolean;
  poa?: boolean;
  [key: string]: unknown;
}

export interface Encounter {
  resourceType: 'Encounter';
  id: string;
  status: string; // IN_PROGRESS | COMPLETED
  appointment: { id: string };
  caregiver?: { id: string } | null;
  client: { id: string };
  period: { start: string; end?: string };
  generalComment?: string;
  [key: string]: unknown;
}

export interface TaskLog {
  id: number;
  encounterId: string;
  resourceType?: string;
  status?: string;
  title?: string;
  description?: string;
  recorded?: string;
  show_in_family_room?: boolean;
  [key: string]: unknown;
}

export interface AdminTask {
  id: string;
  status?: string;
  description?: string;
  executionDate?: string;
  dueDate?: string;
  requester?: unknown[];
  owner?: unknown[];
  meta: Meta;
  [key: string]: unknown;
}

export interface Subscription {
  resourceType: 'Subscription';
  id: string;
  status: string;
  criteria: string;
  channel: { type: 'rest-hook'; endpoint: string; payload?: string; header?: string[] };
  [key: string]: unknown;
}

export interface ProfileTag {
  id: string;
  name: string;
  type: 'skill' | 'certification' | 'language' | 'condition' | 'diagnosis' | string;
  [key: string]: unknown;
}

export interface ReferralSource {
  id: string;
  name: string;
  [key: string]: unknown;
}

/** What a sandbox starts from (and returns to on reset). */
export interface SeedData {
  practitioners: Practitioner[];
  patients: Patient[];
  relatedPersons: RelatedPerson[];
  appointments: Appointment[];
  profileTags: ProfileTag[];
  encounters?: Encounter[];
  referralSources?: ReferralSource[];
}

/** The live, mutable data of a running sandbox. Arrays are replaced on reset; the object stays. */
export interface SandboxState {
  practitioners: Practitioner[];
  patients: Patient[];
  relatedPersons: RelatedPerson[];
  appointments: Appointment[];
  encounters: Encounter[];
  taskLogs: TaskLog[];
  adminTasks: AdminTask[];
  subscriptions: Subscription[];
  profileTags: ProfileTag[];
  referralSources: ReferralSource[];
}

export interface Faults {
  /** Added to every API call, in milliseconds. */
  latencyMs: number;
  /** Share (0–1) of API calls answered 500, 502 or 503. */
  errorRate: number;
  /** Every API call answers 503 at once. */
  outage: boolean;
}

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  status: number;
  body?: unknown;
}

/** One webhook the sandbox tried to deliver for a subscription. */
export interface WebhookDelivery {
  at: string;
  subscriptionId: string;
  criteria: string;
  endpoint: string;
  payload: { resourceType: string; id: string | number };
  status?: number;
  error?: string;
}

export function tagValue(meta: Meta | undefined, code: string): string | undefined {
  return meta?.tag?.find((t) => t.code === code)?.display;
}

export function setTag(meta: Meta, code: string, display: string): void {
  const existing = meta.tag.find((t) => t.code === code);
  if (existing) existing.display = display;
  else meta.tag.push({ code, display });
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}
