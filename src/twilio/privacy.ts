/**
 * The PHI budget: who a text is for (its audience), which facts each audience may be told, and
 * the check the outbox runs on every broadcast against the client record it is about.
 *
 * Texts are written in src/shiftfill/texts.ts (and the other modules) as typed messages: a body,
 * an audience and the facts it was built from. The outbox refuses a message that declares a fact
 * its audience may not have, and a broadcast whose body holds any name, street address, phone
 * number or condition it knows for the client. Nothing here logs or returns the matched words:
 * only the kind of fact that matched.
 */

export const AUDIENCES = ['broadcast', 'assigned', 'family', 'staff', 'caller'] as const;
/**
 * broadcast: offers to many caregivers · assigned: the caregiver who got the shift · family: a
 * contact on file for the client · staff: agency staff from the config · caller: whoever texted
 * or called us, answered about their own business.
 */
export type Audience = (typeof AUDIENCES)[number];

/** Facts a broadcast may ever carry; an agency can only take some away. */
export const BROADCASTABLE_FACTS = ['agency', 'day', 'time', 'length', 'area', 'skills', 'claimCode'] as const;

export const FACTS = [
  ...BROADCASTABLE_FACTS,
  /** The client's first name only. */
  'clientFirstName',
  /** The client's full name. */
  'clientName',
  /** The client's street address. */
  'address',
  /** The visit's tasks and scheduled items. */
  'tasks',
  'caregiverFirstName',
  'caregiverName',
  /** A phone number of someone other than the recipient. */
  'phone',
  /** The free-text reason given for a call-out. */
  'reason',
  /** Minutes late. */
  'eta',
  /** Our own reference (C-12, campaign 7). */
  'reference',
  /** A link into the ops console. */
  'link',
  /** A condition or diagnosis. */
  'conditions',
] as const;
export type Fact = (typeof FACTS)[number];

export type PrivacyBudget = Record<Audience, readonly Fact[]>;

export const DEFAULT_BUDGET: PrivacyBudget = {
  broadcast: [...BROADCASTABLE_FACTS],
  assigned: ['agency', 'day', 'time', 'length', 'area', 'skills', 'claimCode', 'clientFirstName', 'clientName', 'address', 'tasks'],
  family: ['agency', 'day', 'time', 'clientFirstName', 'caregiverFirstName', 'eta'],
  caller: ['agency', 'day', 'time', 'length', 'claimCode', 'clientFirstName', 'caregiverFirstName', 'eta', 'reference'],
  staff: [...FACTS],
};

/** Profile tag types whose names may be broadcast as skills. Any other type (condition, diagnosis, an unknown one) never is. */
export const DEFAULT_BROADCAST_TAG_TYPES = ['skill', 'certification', 'language'];

export interface PrivacySettings {
  budget: PrivacyBudget;
  broadcastTagTypes: string[];
}

export const DEFAULT_PRIVACY: PrivacySettings = { budget: DEFAULT_BUDGET, broadcastTagTypes: DEFAULT_BROADCAST_TAG_TYPES };

/** A typed message: the words, who they are for, and the facts they were built from. */
export interface Text {
  body: string;
  audience: Audience;
  facts: Fact[];
}

// ── Normalising and matching ──────────────────────────────────────────────────────────────

/** Lower case, accents off, anything but letters and digits a single space; padded with spaces. */
export function norm(text: string): string {
  const s = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  return s ? ` ${s} ` : ' ';
}

function has(normBody: string, term: string): boolean {
  const t = norm(term);
  return t.trim().length > 0 && normBody.includes(t);
}

/**
 * Conditions and diagnoses, whatever the tag calls itself: a tag typed "skill" named "Dementia
 * Care" still says what the client has. Word stems, matched at the start of a word.
 */
const CONDITION_WORDS = [
  'dementia', 'alzheimer', 'hospice', 'parkinson', 'diabet', 'stroke', 'cancer', 'copd', 'dialysis', 'catheter', 'colostomy', 'ostomy',
  'incontinen', 'amput', 'hiv', 'schizophren', 'bipolar', 'depressi', 'autis', 'epilep', 'seizure', 'paraly', 'paraplegi', 'quadriplegi',
  'tracheostomy', 'ventilator', 'chemo', 'hepatitis', 'tubercul', 'sclerosis', 'heart failure', 'chf', 'renal', 'kidney', 'terminal',
  'palliative', 'end of life', 'wound', 'feeding tube', 'oncolog', 'cognitive', 'memory care', 'mental illness', 'psychiatr', 'diagnos',
  'demencia', 'cancer', 'diabetes', 'hospicio', 'derrame', 'enfermedad', 'cuidados paliativos',
];

/** True when `text` names a condition or diagnosis by a word anyone would recognise. */
export function soundsLikeCondition(text: string): boolean {
  const n = norm(text);
  return CONDITION_WORDS.some((w) => n.includes(` ${norm(w).trim()}`));
}

const STREET_WORDS = [
  'st', 'street', 'ave', 'av', 'avenue', 'rd', 'road', 'blvd', 'boulevard', 'dr', 'drive', 'ln', 'lane', 'ct', 'court', 'way', 'pl', 'place',
  'pkwy', 'parkway', 'cir', 'circle', 'ter', 'terrace', 'hwy', 'highway', 'trl', 'trail', 'apt', 'apartment', 'unit', 'suite', 'ste', 'po', 'box',
  'calle', 'avenida', 'piso', 'depto',
];
const STREET_WORD_SET = new Set(STREET_WORDS);

/** "1420 Elm St", "12 N Main Street", "Apt 3", "#204". */
const STREET_ADDRESS = new RegExp(
  `\\b\\d{1,6}\\s+(?:[nsew]\\.?\\s+)?(?:[a-z0-9'.-]+\\s+){0,3}(?:${STREET_WORDS.filter((w) => !['po', 'box', 'piso', 'depto'].includes(w)).join('|')})\\b\\.?|\\b(?:apt|apartment|unit|suite|ste)\\.?\\s*#?\\s*\\w+|#\\s*\\d+`,
  'i',
);

/** A US phone number, written any usual way (10 digits, with or without +1, spaces, dots, dashes, brackets). */
const PHONE_LIKE = /(?:\+?1[\s.-]*)?\(?\b\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}\b/;

/** Day and month words (en, es): a client called June is matched by full name only, never by "Jun 5". */
const CALENDAR = new Set([
  'mon', 'monday', 'tue', 'tues', 'tuesday', 'wed', 'wednesday', 'thu', 'thur', 'thurs', 'thursday', 'fri', 'friday', 'sat', 'saturday', 'sun', 'sunday',
  'jan', 'january', 'feb', 'february', 'mar', 'march', 'apr', 'april', 'may', 'jun', 'june', 'jul', 'july', 'aug', 'august', 'sep', 'sept', 'september',
  'oct', 'october', 'nov', 'november', 'dec', 'december',
  'lun', 'lunes', 'martes', 'mie', 'miercoles', 'jue', 'jueves', 'vie', 'viernes', 'sab', 'sabado', 'dom', 'domingo', 'ene', 'enero', 'febrero',
  'marzo', 'abr', 'abril', 'mayo', 'junio', 'julio', 'ago', 'agosto', 'septiembre', 'octubre', 'noviembre', 'dic', 'diciembre',
]);

/** Words the offer texts themselves are made of: a surname "Open" is matched by full name only. */
const TEMPLATE_WORDS = new Set([
  'open', 'shift', 'needs', 'reply', 'yes', 'take', 'stop', 'opt', 'out', 'turno', 'disponible', 'requiere', 'responda', 'para', 'tomarlo', 'recibir',
  'mas', 'mensajes', 'the', 'and', 'with',
]);

// ── The client record, as what must never be broadcast ───────────────────────────────────

/** What the outbox checks a broadcast against: everything it knows about one client that a broadcast may not say. */
export interface PrivacySubject {
  /** Full names (client, family contacts). */
  names: string[];
  /** Street address lines as on file. */
  streets: string[];
  /** Phones on file, any format. */
  phones: string[];
  /** Names of the client's condition and diagnosis tags (and of any tag that reads like one). */
  conditions: string[];
}

export const EMPTY_SUBJECT: PrivacySubject = { names: [], streets: [], phones: [], conditions: [] };

export interface TagLike { id: string; name: string; type: string }

/** A client's tags split by type: skills may be broadcast, conditions and diagnoses (and unknown types) never. */
export function splitTags(tagIds: readonly string[] | undefined, tags: readonly TagLike[], broadcastTagTypes: readonly string[]): { skills: string[]; conditions: string[] } {
  const byId = new Map(tags.map((t) => [String(t.id), t]));
  const allowed = new Set(broadcastTagTypes.map((t) => t.toLowerCase()));
  const skills: string[] = [];
  const conditions: string[] = [];
  for (const id of tagIds ?? []) {
    const tag = byId.get(String(id));
    if (!tag || !tag.name.trim()) continue;
    if (allowed.has((tag.type ?? '').toLowerCase()) && !soundsLikeCondition(tag.name)) skills.push(tag.name.trim());
    else conditions.push(tag.name.trim());
  }
  return { skills: [...new Set(skills)], conditions: [...new Set(conditions)] };
}

interface PersonLike { firstName?: string; lastName?: string; phones?: string[] }

/** Builds the subject from the client record (WellSky patient or directory entry), their contacts and the profile tags. */
export function subjectOf(record: {
  client?: (PersonLike & { address?: { line?: string[] }; tagIds?: string[] }) | null;
  contacts?: PersonLike[];
  tags?: readonly TagLike[];
  broadcastTagTypes?: readonly string[];
}): PrivacySubject {
  const people = [record.client, ...(record.contacts ?? [])].filter((p): p is PersonLike => !!p);
  const names = people.map((p) => `${p.firstName ?? ''} ${p.lastName ?? ''}`.trim()).filter(Boolean);
  const { conditions } = splitTags(record.client?.tagIds, record.tags ?? [], record.broadcastTagTypes ?? DEFAULT_BROADCAST_TAG_TYPES);
  return {
    names: [...new Set(names)],
    streets: (record.client?.address?.line ?? []).map((l) => l.trim()).filter(Boolean),
    phones: [...new Set(people.flatMap((p) => p.phones ?? []))],
    conditions,
  };
}

export type Violation = 'name' | 'address' | 'phone' | 'condition';

/** The terms a name stands for in a body: the full name, and each part of 3+ letters that is not a day, a month, or a word of the texts or the agency's name. */
function nameTerms(fullName: string, agencyName: string): string[] {
  const agencyWords = new Set(norm(agencyName).trim().split(' '));
  const parts = norm(fullName).trim().split(' ').filter(Boolean);
  const single = parts.filter((p) => p.length >= 3 && !/^\d+$/.test(p) && !CALENDAR.has(p) && !TEMPLATE_WORDS.has(p) && !agencyWords.has(p));
  return [parts.join(' '), ...single].filter(Boolean);
}

/** "1420 Elm St Apt 3" → the whole line, "1420 elm", and "elm st". */
function streetTerms(line: string): string[] {
  const parts = norm(line).trim().split(' ').filter(Boolean);
  const terms = [parts.join(' ')];
  const num = parts.findIndex((p) => /^\d+[a-z]?$/.test(p));
  if (num >= 0 && parts[num + 1]) terms.push(`${parts[num]} ${parts[num + 1]}`);
  const words = parts.filter((p) => !/\d/.test(p));
  const named = words.filter((w) => !STREET_WORD_SET.has(w) && !/^[nsew]$/.test(w));
  if (named.length && words.length >= 2) terms.push(words.slice(0, 3).join(' '));
  return terms.filter((t) => t.replace(/\s/g, '').length >= 4);
}

const digits = (s: string) => s.replace(/\D/g, '');

/**
 * What, if anything, a broadcast body gives away: a name, street address, phone number or
 * condition of this client (their record), or any street address, phone number or condition at
 * all. Undefined when the body is within the broadcast budget.
 */
export function broadcastViolation(body: string, subject: PrivacySubject, opts: { agencyName?: string } = {}): Violation | undefined {
  const n = norm(body);
  const agency = opts.agencyName ?? '';
  if (subject.names.some((name) => nameTerms(name, agency).some((t) => has(n, t)))) return 'name';
  if (subject.streets.some((line) => streetTerms(line).some((t) => has(n, t))) || STREET_ADDRESS.test(body)) return 'address';
  const bodyDigits = (body.match(/\d[\d\s().-]{5,}\d/g) ?? []).map(digits);
  const known = subject.phones.map((p) => digits(p).slice(-7)).filter((d) => d.length === 7);
  if (PHONE_LIKE.test(body) || bodyDigits.some((d) => known.some((k) => d.includes(k)))) return 'phone';
  if (subject.conditions.some((c) => has(n, c)) || soundsLikeCondition(body)) return 'condition';
  return undefined;
}

/** Whether a piece of a broadcast (a city, a skill name) would give anything away on its own. */
export function safeForBroadcast(piece: string, subject: PrivacySubject, opts: { agencyName?: string } = {}): boolean {
  return !broadcastViolation(piece, subject, opts);
}

// ── The area ──────────────────────────────────────────────────────────────────────────────

/**
 * The area of a broadcast: a city that reads like a city name (letters, no digits, no street
 * words, at most four words; one of the agency's service-area cities when it lists them) and a
 * 5-digit ZIP (one of the service-area ZIPs when it lists them). A field that fails is dropped,
 * never passed on as typed.
 */
export function areaOf(address: { city?: string; postalCode?: string } | undefined, serviceArea: { cities?: readonly string[]; zips?: readonly string[] } = {}): string | undefined {
  const city = validCity(address?.city, serviceArea.cities ?? []);
  const zip = validZip(address?.postalCode, serviceArea.zips ?? []);
  return [city, zip].filter(Boolean).join(' ') || undefined;
}

export function validCity(raw: string | undefined, cities: readonly string[] = []): string | undefined {
  const city = (raw ?? '').trim().replace(/\s+/g, ' ');
  if (!city || city.length > 40 || /\d/.test(city)) return undefined;
  if (!/^\p{L}[\p{L} .'-]*$/u.test(city)) return undefined;
  const words = norm(city).trim().split(' ');
  if (words.length > 4 || words.some((w) => STREET_WORD_SET.has(w))) return undefined;
  if (cities.length) return cities.find((c) => norm(c) === norm(city));
  return city;
}

export function validZip(raw: string | undefined, zips: readonly string[] = []): string | undefined {
  const m = /^\s*(\d{5})(?:-\d{4})?\s*$/.exec(raw ?? '');
  if (!m) return undefined;
  if (zips.length && !zips.includes(m[1])) return undefined;
  return m[1];
}

/** Facts declared by a message that its audience may not be told. */
export function factsOverBudget(audience: Audience, facts: readonly Fact[], budget: PrivacyBudget): Fact[] {
  const allowed = new Set(budget[audience]);
  return facts.filter((f) => !allowed.has(f));
}
