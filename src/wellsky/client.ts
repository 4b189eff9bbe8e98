/**
 * `createWellSkyService`: the one place the product reads and writes WellSky, in domain terms
 * (the `WellSky` interface of service.ts). It speaks to the real API or to the sandbox alike;
 * `raw` is the lower-level `WellSkyClient` (api.ts) for anything the service does not cover.
 */
import type { Dispatcher } from 'undici';
import type { Logger } from 'winston';
import { moduleLog } from '../log';
import { tryWellSkyPhone } from '../phone';
import { addLocalDays } from '../time';
import { createWellSkyClient, withAgencyTag, type AdminTaskBody, type AppointmentQuery, type Json, type WellSkyClient } from './api';
import { NotFoundError } from './errors';
import { WellSkyTransport } from './http';
import { toCaregiver, toClient, toContact, toEncounter, toProfileTag, toShift, toSubscription } from './mapping';
import { Resilience, sharedBucket, type RetryTuning } from './resilience';
import { appointmentSchema } from './schemas';
import type { FhirAppointment, FhirPatient, FhirRelatedPerson } from './schemas';
import type { CallOptions, ContactUpdate, PatientUpdate, ShiftWindow, WellSky } from './service';
import { truncate } from './text';
import type { Caregiver, Client, NewLeadInput, Shift } from './types';

export type { WellSkyClient, AppointmentQuery, SearchParams, SearchCall, EncounterQuery, CircuitStateName } from './api';
export { CircuitOpenError, RateLimitedError } from './resilience';

export interface WellSkyServiceOptions {
  /** Host root, e.g. https://connect.clearcareonline.com (token at /oauth/accesstoken, API at /v1/). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Written into meta.tag of every write body; never sent as a query parameter. */
  agencyId: string;
  /** The agency's IANA zone: shift windows are local days. */
  timezone: string;
  /** undici dispatcher (tests pass a MockAgent; production may pass a pooled Agent). */
  dispatcher?: Dispatcher;
  timeouts?: {
    /** Per attempt and overall, while a caller waits. Default 2500 ms. */
    interactiveMs?: number;
    /** Per attempt, background work. Default 15000 ms. */
    backgroundMs?: number;
  };
  /** Client-side budget shared by every call of this process for this API key. Default 80/s (WellSky allows 100). */
  maxRequestsPerSecond?: number;
  breaker?: {
    /** Consecutive failures (timeouts, 5xx, connection errors) that open the circuit. Default 5. */
    failures?: number;
    /** How long the circuit stays open before one probe call is let through. Default 10000 ms. */
    halfOpenAfterMs?: number;
  };
  /** Retry tuning for reads (tests shorten the delays). */
  retry?: RetryTuning;
  /** The clock for token expiry and written timestamps. Default: the system clock. */
  now?: () => Date;
  /** Default: moduleLog('wellsky'). */
  logger?: Logger;
}

export type WellSkyService = WellSky & { raw: WellSkyClient };

const ADMIN_TASK_MAX = 5000;

export function createWellSkyService(opts: WellSkyServiceOptions): WellSkyService {
  const logger = opts.logger ?? moduleLog('wellsky');
  const now = opts.now ?? (() => new Date());
  const interactiveMs = opts.timeouts?.interactiveMs ?? 2500;
  const backgroundMs = opts.timeouts?.backgroundMs ?? 15000;
  const resilience = new Resilience({
    interactiveMs,
    backgroundMs,
    breakerFailures: opts.breaker?.failures ?? 5,
    halfOpenAfterMs: opts.breaker?.halfOpenAfterMs ?? 10_000,
    retry: {
      maxRetries: opts.retry?.maxRetries ?? 4,
      interactiveMaxRetries: opts.retry?.interactiveMaxRetries ?? 1,
      initialDelayMs: opts.retry?.initialDelayMs ?? 250,
      maxDelayMs: opts.retry?.maxDelayMs ?? 8000,
      maxRetryAfterMs: opts.retry?.maxRetryAfterMs ?? 30_000,
    },
  });
  const transport = new WellSkyTransport({
    baseUrl: opts.baseUrl,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    dispatcher: opts.dispatcher,
    resilience,
    bucket: sharedBucket(`${opts.baseUrl}|${opts.clientId}`, opts.maxRequestsPerSecond ?? 80),
    now,
    logger,
    tokenTimeoutMs: backgroundMs,
  });
  const raw = createWellSkyClient({ transport, breaker: resilience.breaker, agencyId: opts.agencyId, logger });

  const shiftQueries = (who: { caregiverId: string } | { clientId: string }, window: ShiftWindow): AppointmentQuery[] => {
    if ('weekNo' in window) return [{ ...who, weekNo: window.weekNo }];
    if ('monthNo' in window) return [{ ...who, monthNo: window.monthNo }];
    // WellSky takes at most 6 additional days: a longer window becomes several searches.
    const first = window.startDate;
    const total = window.additionalDays ?? 0;
    const queries: AppointmentQuery[] = [];
    for (let offset = 0; offset <= total; offset += 7) {
      queries.push({ ...who, startDate: addLocalDays(first, offset), additionalDays: Math.min(6, total - offset) });
    }
    return queries;
  };

  async function shifts(who: { caregiverId: string } | { clientId: string }, window: ShiftWindow, callOpts?: CallOptions): Promise<Shift[]> {
    const pages = await settleAll(shiftQueries(who, window).map((q) => raw.searchAllAppointments(q, callOpts)));
    const seen = new Set<string>();
    const out: Shift[] = [];
    for (const appointment of pages.flat()) {
      const shift = toShift(appointment, opts.timezone);
      const key = `${shift.id}@${shift.start}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(shift);
    }
    return out.sort((a, b) => a.start.localeCompare(b.start));
  }

  async function searchByPhone<T extends { id: string }>(
    phoneE164: string,
    fields: string[],
    run: (params: Record<string, string>) => Promise<T[]>,
  ): Promise<T[]> {
    const tenDigits = tryWellSkyPhone(phoneE164);
    if (!tenDigits) return [];
    // A partial answer could name the wrong person: every search must succeed, or the lookup fails.
    const results = await settleAll(fields.map((field) => run({ [field]: tenDigits })));
    const byId = new Map<string, T>();
    for (const found of results.flat()) if (!byId.has(found.id)) byId.set(found.id, found);
    return [...byId.values()];
  }

  const service: WellSkyService = {
    raw,

    async ping(callOpts) {
      await raw.token(callOpts);
      await raw.searchPractitioners({}, { ...callOpts, count: 1 });
    },

    async listCaregivers(callOpts) {
      return (await raw.searchAllPractitioners({}, callOpts)).map(toCaregiver);
    },
    async getCaregiver(id, callOpts) {
      return toCaregiver(await raw.getPractitioner(id, callOpts));
    },
    findCaregiversByPhone(phoneE164, callOpts): Promise<Caregiver[]> {
      return searchByPhone(phoneE164, ['mobile_phone', 'home_phone', 'work_phone'], async (params) =>
        (await raw.searchAllPractitioners(params, { ...callOpts, via: 'POST' })).map(toCaregiver),
      );
    },

    async listPatients(callOpts) {
      // Not active=true: that search returned nothing in the field. Page through everyone.
      return (await raw.searchAllPatients({}, callOpts)).map(toClient);
    },
    async getPatient(id, callOpts) {
      return toClient(await raw.getPatient(id, callOpts));
    },
    findPatientsByPhone(phoneE164, callOpts): Promise<Client[]> {
      return searchByPhone(phoneE164, ['mobile_phone', 'home_phone', 'work_phone'], async (params) =>
        (await raw.searchAllPatients(params, { ...callOpts, via: 'POST' })).map(toClient),
      );
    },
    createLead(input, callOpts) {
      return raw.createPatient(leadBody(input), callOpts);
    },
    async updatePatient(id, update, callOpts) {
      const current = await raw.getPatient(id, callOpts);
      await raw.updatePatient(id, applyPatientUpdate(current, update), callOpts);
    },

    async contactsOf(clientId, callOpts) {
      try {
        return (await raw.getRelatedPersons(clientId, callOpts)).map((r) => toContact(r, clientId));
      } catch (err) {
        // A client without contacts has been seen to answer 404 on the (correct) route.
        if (err instanceof NotFoundError) return [];
        throw err;
      }
    },
    createContact(input, callOpts) {
      const phone = tryWellSkyPhone(input.phone);
      return raw.createRelatedPerson(
        {
          patient: { reference: `Patient/${input.clientId}` },
          name: [{ use: 'official', family: input.lastName, given: [input.firstName] }],
          relationship: { coding: [{ code: input.relationship }] },
          telecom: phone ? [{ system: 'phone', value: phone, use: 'mobile' }] : [],
          primaryContact: input.primaryContact ?? false,
          emergencyContact: false,
        },
        callOpts,
      );
    },

    async updateContact(clientId, contactId, update, callOpts) {
      const current = (await raw.getRelatedPersons(clientId, callOpts)).find((r) => String(r.id) === String(contactId));
      if (!current) throw new NotFoundError(`RelatedPerson ${contactId} of Patient ${clientId}`);
      await raw.putRelatedPerson(contactId, applyContactUpdate(current, update), callOpts);
    },

    shiftsForCaregiver: (caregiverId, window, callOpts) => shifts({ caregiverId }, window, callOpts),
    shiftsForClient: (clientId, window, callOpts) => shifts({ clientId }, window, callOpts),
    async getShift(id, callOpts) {
      return toShift(await raw.getAppointment(id, callOpts), opts.timezone);
    },
    async assignShift(shiftId, caregiverId, callOpts) {
      const current = await raw.getAppointment(shiftId, callOpts);
      const body = withCaregiver(current, caregiverId);
      const answer = await raw.putAppointment(shiftId, body, callOpts);
      // WellSky may answer the updated resource or a bare acknowledgement: use what it sent if
      // it is an appointment, else what we wrote.
      const echoed = appointmentSchema.safeParse(answer);
      return toShift(echoed.success && String(echoed.data.id) === String(current.id) ? echoed.data : (withAgencyTag(body, opts.agencyId) as FhirAppointment), opts.timezone);
    },

    createAdminTask(input, callOpts) {
      const body: AdminTaskBody = {
        status: 'received',
        description: truncate(input.description, ADMIN_TASK_MAX),
        executionDate: input.executionDate,
        dueDate: input.dueDate,
        requester: input.requester ? [{ resourceType: input.requester.resourceType, id: numericIfPossible(input.requester.id) }] : [],
        owner: [],
        meta: { tag: [{ code: 'agencyId', display: opts.agencyId }] },
      };
      return raw.createAdminTask(body, callOpts);
    },

    async searchEncounters(query, callOpts) {
      return (await raw.searchEncounters(query, callOpts)).map((e) => toEncounter(e, opts.timezone));
    },
    async getEncounter(id, callOpts) {
      return toEncounter(await raw.getEncounter(id, callOpts), opts.timezone);
    },
    createTaskLog(encounterId, note, callOpts) {
      return raw.createTaskLog(
        encounterId,
        {
          resourceType: 'TaskLog',
          status: 'COMPLETE',
          title: note.title,
          description: note.description,
          recorded: now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          show_in_family_room: false,
        },
        callOpts,
      );
    },

    async listProfileTags(callOpts) {
      return (await raw.listProfileTags(callOpts)).map(toProfileTag);
    },

    async getProfileTag(id, callOpts) {
      return toProfileTag(await raw.getProfileTag(id, callOpts));
    },

    createSubscription(input, callOpts) {
      return raw.createSubscription(
        {
          status: 'requested',
          criteria: input.criteria,
          channel: {
            type: 'rest-hook',
            endpoint: input.endpoint,
            payload: 'application/fhir+json',
            header: [`Authorization: Bearer ${input.secret}`],
          },
        },
        callOpts,
      );
    },
    async listSubscriptions(callOpts) {
      return (await raw.listSubscriptions(callOpts)).map(toSubscription);
    },
    async renewSubscription(id, until, callOpts) {
      // Read, change, write the whole resource: never depend on whether PUT merges or replaces.
      const current = await raw.getSubscription(id, callOpts);
      await raw.putSubscription(id, { ...(current as Json), status: 'active', end: until.toISOString().replace(/\.\d{3}Z$/, 'Z') }, callOpts);
    },
  };
  return service;
}

// ---------------------------------------------------------------------------------------------
// Write bodies
// ---------------------------------------------------------------------------------------------

/** Like Promise.all, but waits for every promise to finish before failing (no stray retries left running). */
async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function numericIfPossible(id: string): string | number {
  return /^\d{1,15}$/.test(id) ? Number(id) : id;
}

/**
 * The appointment exactly as read, with only the caregiver changed. Opening a shift sends
 * `caregiver: {"id": ""}` — one of the three shapes WellSky itself uses for an open shift, and
 * the one that still says "the caregiver field is being set" in a full-replacement PUT.
 */
export function withCaregiver(appointment: FhirAppointment, caregiverId: string | null): Json {
  const body: Json = { ...appointment };
  if (caregiverId === null) {
    body.caregiver = { id: '' };
  } else {
    // Ids go back in the type WellSky used for them (numbers have been seen as well as strings).
    const numeric = typeof appointment.caregiver?.id === 'number' || typeof appointment.client.id === 'number';
    body.caregiver = { id: numeric ? numericIfPossible(caregiverId) : caregiverId };
  }
  return body;
}

function tag(code: string, display: string | undefined): { code: string; display: string }[] {
  return display === undefined || display === '' ? [] : [{ code, display }];
}

/** A new lead: a Patient with isClient=false, status 1 (New Lead), the caller's phone as mobile. */
export function leadBody(input: NewLeadInput): Json {
  const phone = tryWellSkyPhone(input.phone);
  const address = input.city || input.state || input.postalCode ? [{ use: 'home', city: input.city, state: input.state, postalCode: input.postalCode }] : undefined;
  return {
    resourceType: 'Patient',
    active: true,
    name: [{ use: 'official', family: input.lastName, given: [input.firstName] }],
    telecom: phone ? [{ system: 'phone', value: phone, use: 'mobile' }] : [],
    ...(address ? { address: address.map(dropUndefined) } : {}),
    meta: {
      tag: [
        { code: 'isClient', display: 'false' },
        { code: 'status', display: '1' },
        ...tag('referralSource', input.referralSource),
        ...tag('notes', input.notes ? truncate(input.notes, ADMIN_TASK_MAX) : undefined),
      ],
    },
  };
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The contact as read, with the update applied: the whole resource goes back. */
export function applyContactUpdate(current: FhirRelatedPerson, update: ContactUpdate): Json {
  const body: Json = { ...(current as Json) };
  if (update.firstName !== undefined || update.lastName !== undefined) {
    const names = [...((current.name ?? []) as { use?: string; family?: string; given?: string[] }[])];
    const i = Math.max(0, names.findIndex((n) => n.use === 'official'));
    const name = { ...(names[i] ?? { use: 'official' }) };
    if (update.lastName !== undefined) name.family = update.lastName;
    if (update.firstName !== undefined) name.given = [update.firstName, ...(name.given ?? []).slice(1)];
    names[i] = name;
    body.name = names;
  }
  if (update.phone !== undefined) {
    const phone = tryWellSkyPhone(update.phone);
    if (phone) {
      const telecom = [...((current.telecom ?? []) as { system?: string; value?: string; use?: string }[])];
      const i = telecom.findIndex((t) => (t.system ?? 'phone') === 'phone' && t.use === 'mobile');
      if (i >= 0) telecom[i] = { ...telecom[i], value: phone };
      else telecom.unshift({ system: 'phone', value: phone, use: 'mobile' });
      body.telecom = telecom;
    }
  }
  return body;
}

/** The patient as read, with the update applied (a PUT is a full replacement). */
export function applyPatientUpdate(current: FhirPatient, update: PatientUpdate): Json {
  const body: Json = { ...current };
  if (update.firstName !== undefined || update.lastName !== undefined) {
    const names = [...(current.name ?? [])];
    const i = Math.max(0, names.findIndex((n) => n.use === 'official'));
    const name = { ...(names[i] ?? { use: 'official' }) };
    if (update.lastName !== undefined) name.family = update.lastName;
    if (update.firstName !== undefined) name.given = [update.firstName, ...(name.given ?? []).slice(1)];
    names[i] = name;
    body.name = names;
  }
  if (update.phone !== undefined) {
    const phone = tryWellSkyPhone(update.phone);
    if (phone) {
      const telecom = [...(current.telecom ?? [])];
      const i = telecom.findIndex((t) => (t.system ?? 'phone') === 'phone' && t.use === 'mobile');
      if (i >= 0) telecom[i] = { ...telecom[i], value: phone };
      else telecom.unshift({ system: 'phone', value: phone, use: 'mobile' });
      body.telecom = telecom;
    }
  }
  if (update.city !== undefined || update.postalCode !== undefined) {
    const addresses = [...(current.address ?? [])];
    const address = { ...(addresses[0] ?? { use: 'home' }) };
    if (update.city !== undefined) address.city = update.city;
    if (update.postalCode !== undefined) address.postalCode = update.postalCode;
    addresses[0] = address;
    body.address = addresses;
  }
  if (update.notes !== undefined || update.referralSource !== undefined) {
    const tags = [...(current.meta?.tag ?? [])];
    const set = (code: string, display: string) => {
      const i = tags.findIndex((t) => t.code === code);
      if (i >= 0) tags[i] = { ...tags[i], display };
      else tags.push({ code, display });
    };
    if (update.notes !== undefined) set('notes', truncate(update.notes, ADMIN_TASK_MAX));
    if (update.referralSource !== undefined) set('referralSource', update.referralSource);
    body.meta = { ...(current.meta ?? {}), tag: tags };
  }
  return body;
}
