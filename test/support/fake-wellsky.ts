/**
 * An in-memory WellSky for tests: the `WellSky` interface over plain arrays a test can read and
 * change, a count of calls per method (so a test can say "this cost no WellSky request"), and
 * switches for the bad days: everything unavailable, everything slow, one method failing,
 * writes forbidden.
 *
 *   const wellsky = createFakeWellSky({ caregivers: [aCaregiver({ id: '1', phones: ['+13035550001'] })] });
 *   wellsky.patients.push(aClient({ id: '9' }));
 *   await something(wellsky);
 *   expect(wellsky.totalCalls()).toBe(0);
 *
 * Everything it hands out is a copy: changing a returned object changes nothing stored.
 */
import { DateTime } from 'luxon';
import type { CallOptions, ContactUpdate, PatientUpdate, ShiftWindow, Subscription, WellSky } from '../../src/wellsky/service';
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
} from '../../src/wellsky/types';
import { ForbiddenError, NotFoundError, UnavailableError, ValidationError } from '../../src/wellsky/errors';

export type WellSkyMethod = {
  [K in keyof WellSky]: WellSky[K] extends (...args: never[]) => unknown ? K : never;
}[keyof WellSky];

const METHODS: WellSkyMethod[] = [
  'ping', 'listCaregivers', 'getCaregiver', 'findCaregiversByPhone', 'listPatients', 'getPatient',
  'findPatientsByPhone', 'createLead', 'updatePatient', 'contactsOf', 'createContact', 'shiftsForCaregiver',
  'shiftsForClient', 'getShift', 'assignShift', 'createAdminTask', 'searchEncounters', 'createTaskLog',
  'listProfileTags', 'createSubscription', 'listSubscriptions', 'updateContact', 'getEncounter', 'getProfileTag',
  'renewSubscription',
];

export interface RecordedAdminTask extends AdminTaskInput {
  id: string;
}

export interface RecordedTaskLog {
  id: string;
  encounterId: string;
  title: string;
  description: string;
}

export interface RecordedSubscription extends Subscription {
  secret: string;
  /** When the subscription lapses (renewSubscription moves it). */
  end?: string;
}

export interface FakeWellSkySeed {
  caregivers?: Caregiver[];
  patients?: Client[];
  contacts?: Contact[];
  shifts?: Shift[];
  encounters?: Encounter[];
  profileTags?: ProfileTag[];
  subscriptions?: RecordedSubscription[];
  /** The agency's time zone, for shift windows (WellSky searches by local day). */
  timezone?: string;
}

/** Characters outside the Basic Multilingual Plane (emoji): WellSky answers 422 to them. */
const OUTSIDE_BMP = /[\u{10000}-\u{10FFFF}]/u;

export class FakeWellSky implements WellSky {
  caregivers: Caregiver[];
  patients: Client[];
  contacts: Contact[];
  shifts: Shift[];
  encounters: Encounter[];
  profileTags: ProfileTag[];
  subscriptions: RecordedSubscription[];
  adminTasks: RecordedAdminTask[] = [];
  taskLogs: RecordedTaskLog[] = [];
  readonly timezone: string;

  /** Calls made, per method, counted as they start (a call that fails or times out still counts). */
  readonly calls: Record<WellSkyMethod, number>;
  /** Every call in order, with its arguments (options left out). */
  readonly log: { method: WellSkyMethod; args: unknown[] }[] = [];

  /** When true every call throws UnavailableError, as during an outage. */
  down = false;
  /** Every call waits this long first (aborting the call's signal ends the wait with UnavailableError). */
  latencyMs = 0;
  /** When true, writes to shifts (assignShift) answer ForbiddenError, as for a read-only API key. */
  writesForbidden = false;
  /** Per-method failures: an error to throw, or a function deciding per call (return undefined to proceed). */
  failures: Partial<Record<WellSkyMethod, Error | ((...args: unknown[]) => Error | undefined)>> = {};

  private nextId = 900_000;

  constructor(seed: FakeWellSkySeed = {}) {
    this.caregivers = seed.caregivers ?? [];
    this.patients = seed.patients ?? [];
    this.contacts = seed.contacts ?? [];
    this.shifts = seed.shifts ?? [];
    this.encounters = seed.encounters ?? [];
    this.profileTags = seed.profileTags ?? [];
    this.subscriptions = seed.subscriptions ?? [];
    this.timezone = seed.timezone ?? 'America/Denver';
    this.calls = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<WellSkyMethod, number>;
  }

  // --- switches and counters ----------------------------------------------------------------

  totalCalls(): number {
    return Object.values(this.calls).reduce((a, b) => a + b, 0);
  }

  resetCalls(): void {
    for (const m of METHODS) this.calls[m] = 0;
    this.log.length = 0;
  }

  /** Everything unavailable (true) or back (false). */
  setDown(down = true): this {
    this.down = down;
    return this;
  }

  /** Every call hangs for `ms` before answering (0 to stop). */
  setLatency(ms: number): this {
    this.latencyMs = ms;
    return this;
  }

  /** Makes `method` throw `error` (default UnavailableError) until `clearFailures()`. */
  failOn(method: WellSkyMethod, error: Error | ((...args: unknown[]) => Error | undefined) = new UnavailableError(`${method}: injected outage`, 503)): this {
    this.failures[method] = error;
    return this;
  }

  clearFailures(): this {
    this.failures = {};
    return this;
  }

  // --- the interface --------------------------------------------------------------------------

  async ping(opts?: CallOptions): Promise<void> {
    await this.enter('ping', [], opts);
  }

  async listCaregivers(opts?: CallOptions): Promise<Caregiver[]> {
    await this.enter('listCaregivers', [], opts);
    return copy(this.caregivers);
  }

  async getCaregiver(id: string, opts?: CallOptions): Promise<Caregiver> {
    await this.enter('getCaregiver', [id], opts);
    return copy(this.find(this.caregivers, id, 'Practitioner'));
  }

  async findCaregiversByPhone(phoneE164: string, opts?: CallOptions): Promise<Caregiver[]> {
    await this.enter('findCaregiversByPhone', [phoneE164], opts);
    checkPhone(phoneE164);
    return copy(this.caregivers.filter((c) => c.phones.includes(phoneE164)));
  }

  async listPatients(opts?: CallOptions): Promise<Client[]> {
    await this.enter('listPatients', [], opts);
    return copy(this.patients);
  }

  async getPatient(id: string, opts?: CallOptions): Promise<Client> {
    await this.enter('getPatient', [id], opts);
    return copy(this.find(this.patients, id, 'Patient'));
  }

  async findPatientsByPhone(phoneE164: string, opts?: CallOptions): Promise<Client[]> {
    await this.enter('findPatientsByPhone', [phoneE164], opts);
    checkPhone(phoneE164);
    return copy(this.patients.filter((p) => p.phones.includes(phoneE164)));
  }

  async createLead(input: NewLeadInput, opts?: CallOptions): Promise<{ id: string }> {
    await this.enter('createLead', [input], opts);
    checkText(input);
    if (input.phone) checkPhone(input.phone);
    const id = this.newId();
    this.patients.push({
      id,
      firstName: input.firstName,
      lastName: input.lastName,
      phones: input.phone ? [input.phone] : [],
      isClient: false,
      active: true,
      status: 1,
      address: input.city || input.state || input.postalCode
        ? { line: [], city: input.city, state: input.state, postalCode: input.postalCode }
        : undefined,
      languages: [],
      preferredLanguage: 'en',
      referralSource: input.referralSource,
    });
    return { id };
  }

  async updatePatient(id: string, update: PatientUpdate, opts?: CallOptions): Promise<void> {
    await this.enter('updatePatient', [id, update], opts);
    checkText(update);
    const patient = this.find(this.patients, id, 'Patient');
    if (update.firstName !== undefined) patient.firstName = update.firstName;
    if (update.lastName !== undefined) patient.lastName = update.lastName;
    if (update.phone !== undefined) {
      checkPhone(update.phone);
      // Like the real client: the mobile (listed first) is replaced, other phones stay.
      patient.phones = [update.phone, ...patient.phones.slice(1).filter((p) => p !== update.phone)];
    }
    if (update.city !== undefined || update.postalCode !== undefined) {
      patient.address = {
        line: patient.address?.line ?? [],
        ...patient.address,
        ...(update.city !== undefined ? { city: update.city } : {}),
        ...(update.postalCode !== undefined ? { postalCode: update.postalCode } : {}),
      };
    }
    if (update.referralSource !== undefined) patient.referralSource = update.referralSource;
  }

  async contactsOf(clientId: string, opts?: CallOptions): Promise<Contact[]> {
    await this.enter('contactsOf', [clientId], opts);
    this.find(this.patients, clientId, 'Patient');
    return copy(this.contacts.filter((c) => c.clientId === clientId));
  }

  async createContact(input: NewContactInput, opts?: CallOptions): Promise<{ id: string }> {
    await this.enter('createContact', [input], opts);
    checkText(input);
    this.find(this.patients, input.clientId, 'Patient');
    if (input.phone) checkPhone(input.phone);
    const id = this.newId();
    this.contacts.push({
      id,
      clientId: input.clientId,
      firstName: input.firstName,
      lastName: input.lastName,
      relationship: input.relationship,
      phones: input.phone ? [input.phone] : [],
      primaryContact: input.primaryContact ?? false,
      emergencyContact: false,
    });
    return { id };
  }

  async updateContact(clientId: string, contactId: string, update: ContactUpdate, opts?: CallOptions): Promise<void> {
    await this.enter('updateContact', [clientId, contactId, update], opts);
    checkText(update);
    const contact = this.contacts.find((c) => c.id === contactId && c.clientId === clientId);
    if (!contact) throw new NotFoundError(`RelatedPerson ${contactId} of Patient ${clientId}`, 404, 'GET', `/v1/relatedperson/${clientId}/`);
    if (update.phone !== undefined) {
      checkPhone(update.phone);
      contact.phones = [update.phone, ...contact.phones.filter((p) => p !== update.phone)];
    }
    if (update.firstName !== undefined) contact.firstName = update.firstName;
    if (update.lastName !== undefined) contact.lastName = update.lastName;
  }

  async shiftsForCaregiver(caregiverId: string, window: ShiftWindow, opts?: CallOptions): Promise<Shift[]> {
    await this.enter('shiftsForCaregiver', [caregiverId, window], opts);
    return copy(this.shiftsIn(window).filter((s) => s.caregiverId === caregiverId));
  }

  async shiftsForClient(clientId: string, window: ShiftWindow, opts?: CallOptions): Promise<Shift[]> {
    await this.enter('shiftsForClient', [clientId, window], opts);
    return copy(this.shiftsIn(window).filter((s) => s.clientId === clientId));
  }

  async getShift(id: string, opts?: CallOptions): Promise<Shift> {
    await this.enter('getShift', [id], opts);
    return copy(this.find(this.shifts, id, 'Appointment'));
  }

  /** Assigns the caregiver (status SCHEDULED if it was OPEN) or opens the shift (`null`: no caregiver, OPEN). */
  async assignShift(shiftId: string, caregiverId: string | null, opts?: CallOptions): Promise<Shift> {
    await this.enter('assignShift', [shiftId, caregiverId], opts);
    const shift = this.find(this.shifts, shiftId, 'Appointment');
    if (this.writesForbidden) {
      throw new ForbiddenError('PUT appointment: this API key may not write shifts', 403, 'PUT', `/v1/appointment/${shiftId}/`);
    }
    if (caregiverId === null) {
      delete shift.caregiverId;
      shift.status = 'OPEN';
    } else {
      this.find(this.caregivers, caregiverId, 'Practitioner');
      shift.caregiverId = caregiverId;
      if (shift.status === 'OPEN') shift.status = 'SCHEDULED';
    }
    return copy(shift);
  }

  async createAdminTask(input: AdminTaskInput, opts?: CallOptions): Promise<{ id: string }> {
    await this.enter('createAdminTask', [input], opts);
    checkText(input);
    if (input.description.length > 5000) throw new ValidationError('description: at most 5000 characters', 422);
    const id = this.newId();
    this.adminTasks.push({ ...copy(input), id });
    return { id };
  }

  async searchEncounters(
    query: { clientId?: string; caregiverId?: string; startDate: string; endDate: string },
    opts?: CallOptions,
  ): Promise<Encounter[]> {
    await this.enter('searchEncounters', [query], opts);
    if (!query.clientId && !query.caregiverId) throw new ValidationError('searchEncounters: clientId or caregiverId is required', 400);
    const from = DateTime.fromISO(compactToIso(query.startDate), { zone: this.timezone }).startOf('day');
    const to = DateTime.fromISO(compactToIso(query.endDate), { zone: this.timezone }).endOf('day');
    return copy(
      this.encounters.filter((e) => {
        if (query.clientId && e.clientId !== query.clientId) return false;
        if (query.caregiverId && e.caregiverId !== query.caregiverId) return false;
        if (!e.start) return true;
        const start = DateTime.fromISO(e.start);
        return start >= from && start <= to;
      }),
    );
  }

  async getEncounter(id: string, opts?: CallOptions): Promise<Encounter> {
    await this.enter('getEncounter', [id], opts);
    return copy(this.find(this.encounters, id, 'Encounter'));
  }

  async createTaskLog(encounterId: string, note: { title: string; description: string }, opts?: CallOptions): Promise<{ id: string }> {
    await this.enter('createTaskLog', [encounterId, note], opts);
    checkText(note);
    this.find(this.encounters, encounterId, 'Encounter');
    const id = this.newId();
    this.taskLogs.push({ id, encounterId, title: note.title, description: note.description });
    return { id };
  }

  async listProfileTags(opts?: CallOptions): Promise<ProfileTag[]> {
    await this.enter('listProfileTags', [], opts);
    return copy(this.profileTags);
  }

  async getProfileTag(id: string, opts?: CallOptions): Promise<ProfileTag> {
    await this.enter('getProfileTag', [id], opts);
    return copy(this.find(this.profileTags, id, 'ProfileTag'));
  }

  async renewSubscription(id: string, until: Date, opts?: CallOptions): Promise<void> {
    await this.enter('renewSubscription', [id, until.toISOString()], opts);
    this.find(this.subscriptions, id, 'Subscription').end = until.toISOString();
  }

  async createSubscription(input: { criteria: string; endpoint: string; secret: string }, opts?: CallOptions): Promise<{ id: string }> {
    await this.enter('createSubscription', [{ criteria: input.criteria, endpoint: input.endpoint }], opts);
    const id = this.newId();
    this.subscriptions.push({ id, criteria: input.criteria, endpoint: input.endpoint, secret: input.secret });
    return { id };
  }

  async listSubscriptions(opts?: CallOptions): Promise<Subscription[]> {
    await this.enter('listSubscriptions', [], opts);
    return this.subscriptions.map(({ id, criteria, endpoint }) => ({ id, criteria, endpoint }));
  }

  // --- inside ---------------------------------------------------------------------------------

  /** Counts the call, then applies the switches: latency, outage, injected failures. */
  private async enter(method: WellSkyMethod, args: unknown[], opts?: CallOptions): Promise<void> {
    this.calls[method] += 1;
    this.log.push({ method, args: copy(args) });
    if (opts?.signal?.aborted) throw new UnavailableError(`${method}: aborted before it started`);
    if (this.latencyMs > 0) await sleep(this.latencyMs, opts?.signal, method);
    if (this.down) throw new UnavailableError(`${method}: WellSky is unavailable (fake outage)`, 503);
    const failure = this.failures[method];
    const error = typeof failure === 'function' ? failure(...args) : failure;
    if (error) throw error;
  }

  private find<T extends { id: string }>(items: T[], id: string, resource: string): T {
    const item = items.find((i) => i.id === String(id));
    if (!item) throw new NotFoundError(`${resource} ${id} not found`, 404, 'GET', `/v1/${resource.toLowerCase()}/${id}/`);
    return item;
  }

  private shiftsIn(window: ShiftWindow): Shift[] {
    const [from, to] = windowBounds(window, this.timezone);
    return this.shifts.filter((s) => {
      const start = DateTime.fromISO(s.start);
      return start >= from && start < to;
    });
  }

  private newId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }
}

export function createFakeWellSky(seed: FakeWellSkySeed = {}): FakeWellSky {
  return new FakeWellSky(seed);
}

// --- builders for test data ---------------------------------------------------------------------

export function aCaregiver(over: Partial<Caregiver> & { id: string }): Caregiver {
  return {
    firstName: 'Maria',
    lastName: 'Lopez',
    phones: [],
    active: true,
    hired: true,
    status: 100,
    languages: ['english'],
    preferredLanguage: 'en',
    tagIds: [],
    ...over,
  };
}

export function aClient(over: Partial<Client> & { id: string }): Client {
  return {
    firstName: 'Dorothy',
    lastName: 'Miller',
    phones: [],
    isClient: true,
    active: true,
    languages: ['english'],
    preferredLanguage: 'en',
    ...over,
  };
}

export function aProspect(over: Partial<Client> & { id: string }): Client {
  return aClient({ firstName: 'Harold', lastName: 'Green', isClient: false, status: 1, ...over });
}

export function aContact(over: Partial<Contact> & { id: string; clientId: string }): Contact {
  return {
    firstName: 'Susan',
    lastName: 'Miller',
    relationship: 'DAU',
    phones: [],
    primaryContact: false,
    emergencyContact: false,
    ...over,
  };
}

export function aShift(over: Partial<Shift> & { id: string; clientId: string; start: string; end: string }): Shift {
  return { status: 'SCHEDULED', scheduledItems: [], tasks: [], ...over };
}

// --- helpers ------------------------------------------------------------------------------------

function copy<T>(value: T): T {
  return structuredClone(value);
}

function sleep(ms: number, signal: AbortSignal | undefined, method: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    timer.unref?.();
    function done() {
      signal?.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(new UnavailableError(`${method}: aborted by the caller while WellSky was slow`));
    }
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/** Phones reach WellSky as 10 digits; anything that cannot become that is a 400 there. */
function checkPhone(phoneE164: string): void {
  if (!/^\+1[2-9]\d{9}$/.test(phoneE164)) {
    throw new ValidationError(`Invalid phone number format. Must be 10 digits. (got ${phoneE164})`, 400);
  }
}

function checkText(value: object): void {
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && OUTSIDE_BMP.test(v)) {
      throw new ValidationError(`${key}: characters outside the Basic Multilingual Plane (emoji) are not accepted`, 422);
    }
  }
}

function compactToIso(date: string): string {
  return /^\d{8}$/.test(date) ? `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}` : date;
}

/** [from, to) of a shift window, in the agency's zone, as WellSky reads it. */
export function windowBounds(window: ShiftWindow, timezone: string): [DateTime, DateTime] {
  if ('startDate' in window) {
    const from = DateTime.fromISO(compactToIso(window.startDate), { zone: timezone }).startOf('day');
    const days = window.additionalDays ?? 0;
    if (days < 0 || days > 6) throw new ValidationError(`additionalDays must be 0-6 (got ${days})`, 400);
    return [from, from.plus({ days: days + 1 })];
  }
  if ('weekNo' in window) {
    const from = DateTime.fromObject(
      { weekYear: Number(window.weekNo.slice(0, 4)), weekNumber: Number(window.weekNo.slice(4, 6)), weekday: 1 },
      { zone: timezone },
    ).startOf('day');
    return [from, from.plus({ weeks: 1 })];
  }
  const from = DateTime.fromObject({ year: Number(window.monthNo.slice(0, 4)), month: Number(window.monthNo.slice(4, 6)), day: 1 }, { zone: timezone });
  return [from, from.plus({ months: 1 })];
}
