/**
 * FHIR (as WellSky speaks it) → the product's domain types. Pure functions, no I/O. This is
 * where WellSky's quirks stop: tags as strings, "None" statuses, three ways to say "open
 * shift", phones as 10 digits, times in UTC with or without an offset.
 */
import { toE164 } from '../phone';
import { parseWellSkyDateTime } from '../time';
import type { Address, Caregiver, Client, Contact, Encounter, Language, ProfileTag, Shift } from './types';
import type {
  FhirAddress,
  FhirAppointment,
  FhirCommunication,
  FhirContactPoint,
  FhirEncounter,
  FhirHumanName,
  FhirMeta,
  FhirPatient,
  FhirPractitioner,
  FhirProfileTag,
  FhirRelatedPerson,
  FhirSubscription,
} from './schemas';

// ---------------------------------------------------------------------------------------------
// Small readers
// ---------------------------------------------------------------------------------------------

type Scalar = string | number | boolean | null | undefined;

function str(value: Scalar): string | undefined {
  if (value === null || value === undefined) return undefined;
  const s = String(value).trim();
  return s === '' ? undefined : s;
}

/** A meta.tag value by code (case-insensitive code match), or undefined. */
export function tagValue(meta: FhirMeta, code: string): string | undefined {
  const wanted = code.toLowerCase();
  const tag = meta?.tag?.find((t) => (t.code ?? '').toLowerCase() === wanted);
  return tag ? str(tag.display) : undefined;
}

/** true/"true"/1 → true; false/"false"/0 → false; anything else → `fallback`. */
export function readFlag(value: Scalar, fallback: boolean): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  const s = str(value)?.toLowerCase();
  if (s === 'true' || s === '1' || s === 'yes') return true;
  if (s === 'false' || s === '0' || s === 'no') return false;
  return fallback;
}

/** "100" → 100; "None", "", null, "n/a" → undefined. */
export function readStatus(value: Scalar): number | undefined {
  const s = str(value);
  if (!s || !/^-?\d+$/.test(s)) return undefined;
  return Number(s);
}

function officialName(names: FhirHumanName[] | null | undefined): { firstName: string; lastName: string } {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (!name) return { firstName: '', lastName: '' };
  const given = (name.given ?? []).filter(Boolean);
  if (given.length || name.family) return { firstName: given[0] ?? '', lastName: name.family ?? '' };
  // Only a display text: "Maria Lopez".
  const parts = (name.text ?? '').trim().split(/\s+/).filter(Boolean);
  return { firstName: parts[0] ?? '', lastName: parts.slice(1).join(' ') };
}

const PHONE_USE_ORDER = ['mobile', 'home', 'work'];

/** Every valid phone on file, E.164, mobile first, no duplicates. */
export function phonesOf(telecom: FhirContactPoint[] | null | undefined): { phones: string[]; mobilePhone?: string } {
  const points = (telecom ?? []).filter((t) => {
    const system = (t.system ?? 'phone').toLowerCase();
    return system === 'phone' || system === 'sms';
  });
  const rank = (use: string | null | undefined) => {
    const i = PHONE_USE_ORDER.indexOf((use ?? '').toLowerCase());
    return i === -1 ? PHONE_USE_ORDER.length : i;
  };
  const sorted = [...points].sort((a, b) => rank(a.use) - rank(b.use));
  const phones: string[] = [];
  let mobilePhone: string | undefined;
  for (const point of sorted) {
    const e164 = toE164(point.value);
    if (!e164) continue;
    if (!mobilePhone && (point.use ?? '').toLowerCase() === 'mobile') mobilePhone = e164;
    if (!phones.includes(e164)) phones.push(e164);
  }
  return { phones, mobilePhone };
}

function addressOf(addresses: FhirAddress[] | null | undefined): Address | undefined {
  const a = addresses?.find((x) => x.use === 'home') ?? addresses?.[0];
  if (!a) return undefined;
  return {
    line: (a.line ?? []).filter(Boolean),
    city: str(a.city),
    state: str(a.state),
    postalCode: str(a.postalCode),
  };
}

/** Lower-case language names from `communication[].coding[].display` (or standard FHIR nesting). */
export function languagesOf(communication: FhirCommunication[] | null | undefined): string[] {
  const out: string[] = [];
  for (const entry of communication ?? []) {
    const codings = [...(entry.coding ?? []), ...(entry.language?.coding ?? [])];
    for (const coding of codings) {
      const name = str(coding.display)?.toLowerCase() ?? LANGUAGE_CODES[(coding.code ?? '').toLowerCase()];
      if (name && !out.includes(name)) out.push(name);
    }
    const fallback = str(entry.language?.text)?.toLowerCase();
    if (!codings.length && fallback && !out.includes(fallback)) out.push(fallback);
  }
  return out;
}

const LANGUAGE_CODES: Record<string, string> = { en: 'english', es: 'spanish', 'en-us': 'english', 'es-mx': 'spanish' };

/** 'es' when Spanish is the first (or only) language listed; English otherwise. */
export function preferredLanguageOf(languages: string[]): Language {
  const first = languages[0];
  return first === 'spanish' || first === 'español' || first === 'espanol' ? 'es' : 'en';
}

function tagIdsOf(meta: FhirMeta): string[] {
  const raw = tagValue(meta, 'profileTags');
  if (!raw) return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function idOf(value: Scalar): string | undefined {
  return str(value);
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

export function toCaregiver(p: FhirPractitioner): Caregiver {
  const { firstName, lastName } = officialName(p.name);
  const { phones, mobilePhone } = phonesOf(p.telecom);
  const status = readStatus(tagValue(p.meta, 'status'));
  const languages = languagesOf(p.communication);
  return {
    id: String(p.id),
    firstName,
    lastName,
    phones,
    mobilePhone,
    // A missing `active` is read as active: WellSky omits fields it has no value for.
    active: readFlag(p.active, true),
    hired: readFlag(tagValue(p.meta, 'isHired'), false) || status === 100,
    status,
    address: addressOf(p.address),
    languages,
    preferredLanguage: preferredLanguageOf(languages),
    tagIds: tagIdsOf(p.meta),
  };
}

export function toClient(p: FhirPatient): Client {
  const { firstName, lastName } = officialName(p.name);
  const languages = languagesOf(p.communication);
  return {
    id: String(p.id),
    firstName,
    lastName,
    phones: phonesOf(p.telecom).phones,
    isClient: readFlag(tagValue(p.meta, 'isClient'), false),
    active: readFlag(p.active, true),
    status: readStatus(tagValue(p.meta, 'status')),
    address: addressOf(p.address),
    languages,
    preferredLanguage: preferredLanguageOf(languages),
    referralSource: tagValue(p.meta, 'referralSource'),
    tagIds: tagIdsOf(p.meta),
  };
}

/** The caregiver id of an appointment, or undefined for an open shift (missing, null, {"id":""}). */
export function caregiverIdOf(a: Pick<FhirAppointment, 'caregiver'>): string | undefined {
  return idOf(a.caregiver?.id);
}

/**
 * A visit or shift status in one spelling: the vendor reference and field traces say
 * `COMPLETE`, some responses (and the sandbox's other mode) `COMPLETED`; the product reads
 * `COMPLETED` only.
 */
export function visitStatus(value: Scalar): string | undefined {
  const s = str(value)?.trim().toUpperCase().replace(/[\s-]+/g, '_');
  if (!s) return undefined;
  return s === 'COMPLETE' ? 'COMPLETED' : s;
}

/** `zone`: the agency's zone, for times WellSky sends as naive local wall-clock. */
export function toShift(a: FhirAppointment, zone: string): Shift {
  const start = parseWellSkyDateTime(a.start, zone);
  const end = parseWellSkyDateTime(a.end, zone);
  return {
    id: String(a.id),
    clientId: String(a.client.id),
    caregiverId: caregiverIdOf(a),
    status: visitStatus(a.status) ?? 'SCHEDULED',
    // The schema requires start and end; an unreadable one is kept as sent rather than invented.
    start: start ?? a.start,
    end: end ?? a.end,
    scheduledItems: (a.scheduledItems ?? []).map((item) => ({ id: idOf(item.id) ?? '', name: item.name ?? '' })),
    tasks: (a.tasks ?? []).map((task) => ({ id: idOf(task.id) ?? '', description: task.description ?? '', status: str(task.status) })),
  };
}

function patientIdFromReference(ref: string | null | undefined): string | undefined {
  const m = /(?:^|\/)Patient\/([^/]+)$/.exec(ref ?? '');
  return m ? m[1] : undefined;
}

export function toContact(r: FhirRelatedPerson, clientIdHint?: string): Contact {
  const { firstName, lastName } = officialName(r.name);
  const concepts = Array.isArray(r.relationship) ? r.relationship : r.relationship ? [r.relationship] : [];
  const relationship = concepts.flatMap((c) => c.coding ?? []).map((c) => str(c.code)).find(Boolean);
  return {
    id: String(r.id),
    clientId: idOf(r.patient?.id) ?? patientIdFromReference(r.patient?.reference) ?? clientIdHint ?? '',
    firstName,
    lastName,
    relationship: relationship?.toUpperCase(),
    phones: phonesOf(r.telecom).phones,
    primaryContact: readFlag(r.primaryContact, false),
    emergencyContact: readFlag(r.emergencyContact, false),
  };
}

export function toEncounter(e: FhirEncounter, zone: string): Encounter {
  return {
    id: String(e.id),
    appointmentId: idOf(e.appointment?.id) ?? idOf(e.appointmentId),
    clientId: idOf(e.client?.id) ?? idOf(e.clientId),
    caregiverId: idOf(e.caregiver?.id) ?? idOf(e.caregiverId),
    status: visitStatus(e.status) ?? 'UNKNOWN',
    start: parseWellSkyDateTime(e.period?.start, zone),
    end: parseWellSkyDateTime(e.period?.end, zone),
  };
}

export function toProfileTag(t: FhirProfileTag): ProfileTag {
  return {
    id: String(t.id),
    name: str(t.name) ?? str(t.display) ?? str(t.description) ?? '',
    // No type given: 'unknown', which offers never name (only the agency's broadcastable types are skills).
    type: (str(t.type) ?? str(t.tagType) ?? str(t.category) ?? 'unknown').toLowerCase(),
  };
}

export function toSubscription(s: FhirSubscription): { id: string; criteria: string; endpoint: string } {
  return { id: String(s.id), criteria: s.criteria ?? '', endpoint: s.channel?.endpoint ?? '' };
}
