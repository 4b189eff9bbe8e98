/**
 * `WellSkyClient`: one method per WellSky operation, in WellSky's own (FHIR) terms. Paths,
 * paging, search styles and the agency tag are handled here; every answer is validated against
 * schemas.ts. The domain-level `WellSky` service (client.ts) is built on top of it; reach for
 * this lower level only when the service does not offer what you need.
 */
import type { CircuitBreakerPolicy } from 'cockatiel';
import { CircuitState } from 'cockatiel';
import type { Logger } from 'winston';
import type { z } from 'zod';
import { toSearchDate } from '../time';
import type { CallOptions } from './service';
import { WellSkyTransport, type Method } from './http';
import { collectPages, PAGE_SIZE } from './paging';
import {
  appointmentSchema,
  createdSchema,
  encounterSchema,
  parseBundle,
  patientSchema,
  practitionerSchema,
  profileTagSchema,
  relatedPersonSchema,
  subscriptionSchema,
  taskLogCreatedSchema,
  type FhirAppointment,
  type FhirEncounter,
  type FhirPatient,
  type FhirPractitioner,
  type FhirProfileTag,
  type FhirRelatedPerson,
  type FhirSubscription,
  type Page,
} from './schemas';

export type SearchParams = Record<string, string | number | boolean | undefined>;

export interface SearchCall extends CallOptions {
  /** `GET resource/?…` (default) or `POST resource/_search/` with a JSON body of strings. */
  via?: 'GET' | 'POST';
  /** 0-based page. Default 0. */
  page?: number;
  /** 1–100. Default 100. */
  count?: number;
}

/** Appointment search: caregiverId or clientId, plus startDate(+additionalDays), weekNo or monthNo. */
export interface AppointmentQuery {
  caregiverId?: string;
  clientId?: string;
  /** "YYYY-MM-DD" or "YYYYMMDD" (sent as YYYYMMDD). */
  startDate?: string;
  /** 0–6 days after startDate. */
  additionalDays?: number;
  /** "YYYYWW" */
  weekNo?: string;
  /** "YYYYMM" */
  monthNo?: string;
}

export interface EncounterQuery {
  clientId?: string;
  caregiverId?: string;
  /** "YYYY-MM-DD" or "YYYYMMDD" */
  startDate: string;
  endDate: string;
}

export interface AdminTaskBody {
  status: 'received' | string;
  description: string;
  executionDate: string;
  dueDate: string;
  requester: { resourceType: string; id: string | number }[];
  owner: unknown[];
  meta?: { tag: { code: string; display: string }[] };
}

export interface TaskLogBody {
  resourceType: 'TaskLog';
  status: string;
  title: string;
  description: string;
  recorded: string;
  show_in_family_room: boolean;
}

export type Json = Record<string, unknown>;

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export interface WellSkyClient {
  /** A valid access token (cached; fetched or refreshed when needed). */
  token(opts?: CallOptions): Promise<string>;

  searchPractitioners(params: SearchParams, opts?: SearchCall): Promise<Page<FhirPractitioner>>;
  /** Every page of a practitioner search. */
  searchAllPractitioners(params: SearchParams, opts?: Omit<SearchCall, 'page' | 'count'>): Promise<FhirPractitioner[]>;
  getPractitioner(id: string, opts?: CallOptions): Promise<FhirPractitioner>;

  searchPatients(params: SearchParams, opts?: SearchCall): Promise<Page<FhirPatient>>;
  searchAllPatients(params: SearchParams, opts?: Omit<SearchCall, 'page' | 'count'>): Promise<FhirPatient[]>;
  getPatient(id: string, opts?: CallOptions): Promise<FhirPatient>;
  /** POST patients/ → the new id (WellSky answers only `{resourceType, id}`). */
  createPatient(body: Json, opts?: CallOptions): Promise<{ id: string }>;
  /** PUT patients/{id}/: a full replacement. */
  updatePatient(id: string, body: Json, opts?: CallOptions): Promise<unknown>;

  searchAppointments(query: AppointmentQuery, opts?: SearchCall): Promise<Page<FhirAppointment>>;
  searchAllAppointments(query: AppointmentQuery, opts?: Omit<SearchCall, 'page' | 'count'>): Promise<FhirAppointment[]>;
  getAppointment(id: string, opts?: CallOptions): Promise<FhirAppointment>;
  /** PUT appointment/{id}/: a full replacement. 403 when this key may not write shifts. */
  putAppointment(id: string, body: Json, opts?: CallOptions): Promise<unknown>;

  createAdminTask(body: AdminTaskBody, opts?: CallOptions): Promise<{ id: string }>;

  searchEncounters(query: EncounterQuery, opts?: CallOptions): Promise<FhirEncounter[]>;
  createTaskLog(encounterId: string, body: TaskLogBody, opts?: CallOptions): Promise<{ id: string }>;

  /** GET relatedperson/{patientId}/: the client's family and contacts. */
  getRelatedPersons(patientId: string, opts?: CallOptions): Promise<FhirRelatedPerson[]>;
  createRelatedPerson(body: Json, opts?: CallOptions): Promise<{ id: string }>;

  /** PUT relatedperson/{relatedPersonId}/: a full replacement of one contact. */
  putRelatedPerson(id: string, body: Json, opts?: CallOptions): Promise<unknown>;

  /** GET encounter/{id}/: one visit (clock-in and clock-out detail). */
  getEncounter(id: string, opts?: CallOptions): Promise<FhirEncounter>;

  createSubscription(body: Json, opts?: CallOptions): Promise<{ id: string }>;
  listSubscriptions(opts?: CallOptions): Promise<FhirSubscription[]>;
  getSubscription(id: string, opts?: CallOptions): Promise<FhirSubscription>;
  /** PUT subscriptions/{id}/: a full replacement (renewal moves `end`). */
  putSubscription(id: string, body: Json, opts?: CallOptions): Promise<unknown>;

  listProfileTags(opts?: CallOptions): Promise<FhirProfileTag[]>;
  getProfileTag(id: string, opts?: CallOptions): Promise<FhirProfileTag>;

  /** The circuit breaker's state, for /readyz and the dashboard. */
  circuitState(): CircuitStateName;
}

export interface ApiOptions {
  transport: WellSkyTransport;
  breaker: CircuitBreakerPolicy;
  agencyId: string;
  logger: Logger;
}

/** `meta.tag` with `agencyId` added (or corrected), other tags kept as they were. */
export function withAgencyTag<T extends Json>(body: T, agencyId: string): T {
  const meta = (body.meta && typeof body.meta === 'object' ? body.meta : {}) as { tag?: unknown };
  const tags = Array.isArray(meta.tag) ? (meta.tag as { code?: unknown }[]) : [];
  const others = tags.filter((t) => !(t && typeof t === 'object' && String(t.code).toLowerCase() === 'agencyid'));
  return { ...body, meta: { ...meta, tag: [...others, { code: 'agencyId', display: agencyId }] } };
}

function segment(id: string, what: string): string {
  const s = String(id ?? '').trim();
  if (!s) throw new RangeError(`${what} id is empty`);
  return encodeURIComponent(s);
}

/** Search bodies are JSON objects of strings (field-verified). */
function asStrings(params: SearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = String(v);
  return out;
}

function appointmentParams(q: AppointmentQuery): Record<string, string> {
  const who = [q.caregiverId, q.clientId].filter((v) => v !== undefined && v !== '');
  if (who.length !== 1) throw new RangeError('an appointment search needs exactly one of caregiverId or clientId');
  const when = [q.startDate, q.weekNo, q.monthNo].filter((v) => v !== undefined);
  if (when.length !== 1) throw new RangeError('an appointment search needs exactly one of startDate, weekNo or monthNo');
  const out: Record<string, string> = {};
  if (q.caregiverId) out.caregiverId = q.caregiverId;
  if (q.clientId) out.clientId = q.clientId;
  if (q.startDate !== undefined) {
    out.startDate = toSearchDate(q.startDate);
    if (q.additionalDays !== undefined) {
      if (!Number.isInteger(q.additionalDays) || q.additionalDays < 0 || q.additionalDays > 6) {
        throw new RangeError(`additionalDays must be 0–6, got ${q.additionalDays}`);
      }
      out.additionalDays = String(q.additionalDays);
    }
  }
  if (q.weekNo !== undefined) {
    if (!/^\d{6}$/.test(q.weekNo)) throw new RangeError(`weekNo must be YYYYWW, got ${q.weekNo}`);
    out.weekNo = q.weekNo;
  }
  if (q.monthNo !== undefined) {
    if (!/^\d{6}$/.test(q.monthNo)) throw new RangeError(`monthNo must be YYYYMM, got ${q.monthNo}`);
    out.monthNo = q.monthNo;
  }
  return out;
}

export function createWellSkyClient(o: ApiOptions): WellSkyClient {
  const t = o.transport;
  const agency = <T extends Json>(body: T) => withAgencyTag(body, o.agencyId);

  async function search<S extends z.ZodType>(resource: string, schema: S, params: Record<string, string>, opts: SearchCall = {}): Promise<Page<z.infer<S>>> {
    const via = opts.via ?? 'GET';
    const paging = { _count: opts.count ?? PAGE_SIZE, _page: opts.page ?? 0 };
    const common = { interactive: opts.interactive, signal: opts.signal, kind: 'read' as const };
    const json =
      via === 'GET'
        ? await t.send({ method: 'GET', path: `${resource}/`, query: { ...params, ...paging }, ...common })
        : await t.send({ method: 'POST', path: `${resource}/_search/`, query: paging, body: params, ...common });
    return parseBundle(schema, json, { method: via, path: t.displayPath(via === 'GET' ? `${resource}/` : `${resource}/_search/`) });
  }

  function searchAll<S extends z.ZodType>(
    resource: string,
    schema: S,
    params: Record<string, string>,
    keyOf: (e: z.infer<S>) => string,
    opts: Omit<SearchCall, 'page' | 'count'> = {},
  ): Promise<z.infer<S>[]> {
    return collectPages((page, count) => search(resource, schema, params, { ...opts, page, count }), {
      keyOf,
      logger: o.logger,
      label: resource,
    });
  }

  async function list<S extends z.ZodType>(path: string, schema: S, opts: CallOptions = {}): Promise<z.infer<S>[]> {
    const json = await t.send({ method: 'GET', path, interactive: opts.interactive, signal: opts.signal });
    return parseBundle(schema, json, { method: 'GET', path: t.displayPath(path) }).entries;
  }

  function get<S extends z.ZodType>(path: string, schema: S, opts: CallOptions = {}): Promise<z.infer<S>> {
    return t.call({ method: 'GET', path, interactive: opts.interactive, signal: opts.signal }, schema);
  }

  async function write(method: Method, path: string, body: unknown, opts: CallOptions = {}): Promise<unknown> {
    return t.send({ method, path, body, kind: 'write', interactive: opts.interactive, signal: opts.signal });
  }

  async function create(path: string, body: Json, opts: CallOptions = {}): Promise<{ id: string }> {
    const created = await t.call({ method: 'POST', path, body, kind: 'write', interactive: opts.interactive, signal: opts.signal }, createdSchema);
    return { id: String(created.id) };
  }

  const byId = (e: { id: string | number }) => String(e.id);
  // Recurring shifts share one id: the occurrence is the id and its start.
  const byOccurrence = (a: FhirAppointment) => `${String(a.id)}@${a.start}`;

  return {
    token: (opts) => t.tokens.get(opts?.signal),

    searchPractitioners: (params, opts) => search('practitioners', practitionerSchema, asStrings(params), opts),
    searchAllPractitioners: (params, opts) => searchAll('practitioners', practitionerSchema, asStrings(params), byId, opts),
    getPractitioner: (id, opts) => get(`practitioners/${segment(id, 'practitioner')}/`, practitionerSchema, opts),

    searchPatients: (params, opts) => search('patients', patientSchema, asStrings(params), opts),
    searchAllPatients: (params, opts) => searchAll('patients', patientSchema, asStrings(params), byId, opts),
    getPatient: (id, opts) => get(`patients/${segment(id, 'patient')}/`, patientSchema, opts),
    createPatient: (body, opts) => create('patients/', agency({ resourceType: 'Patient', ...body }), opts),
    updatePatient: (id, body, opts) => write('PUT', `patients/${segment(id, 'patient')}/`, agency(body), opts),

    searchAppointments: (query, opts) => search('appointment', appointmentSchema, appointmentParams(query), opts),
    searchAllAppointments: (query, opts) => searchAll('appointment', appointmentSchema, appointmentParams(query), byOccurrence, opts),
    getAppointment: (id, opts) => get(`appointment/${segment(id, 'appointment')}/`, appointmentSchema, opts),
    putAppointment: (id, body, opts) => write('PUT', `appointment/${segment(id, 'appointment')}/`, agency(body), opts),

    createAdminTask: (body, opts) => create('adminTasks/', agency(body as unknown as Json), opts),

    searchEncounters(query, opts = {}) {
      const body = asStrings({
        clientId: query.clientId,
        caregiverId: query.caregiverId,
        startDate: toSearchDate(query.startDate),
        endDate: toSearchDate(query.endDate),
      });
      if (!body.clientId && !body.caregiverId) throw new RangeError('an encounter search needs clientId or caregiverId');
      // Paged like the other searches: with the default _count of 20 a busy client would lose visits.
      return collectPages(
        async (page, count) => {
          const json = await t.send({ method: 'POST', path: 'encounter/_search/', query: { _count: count, _page: page }, body, kind: 'read', interactive: opts.interactive, signal: opts.signal });
          return parseBundle(encounterSchema, json, { method: 'POST', path: t.displayPath('encounter/_search/') });
        },
        { keyOf: byId, logger: o.logger, label: 'encounter', firstPage: 1 },
      );
    },
    async createTaskLog(encounterId, body, opts = {}) {
      const path = `encounter/${segment(encounterId, 'encounter')}/tasklog/`;
      const created = await t.call({ method: 'POST', path, body, kind: 'write', interactive: opts.interactive, signal: opts.signal }, taskLogCreatedSchema);
      return { id: String(created.taskLogId) };
    },

    getRelatedPersons: (patientId, opts) => list(`relatedperson/${segment(patientId, 'patient')}/`, relatedPersonSchema, opts),
    createRelatedPerson: (body, opts) => create('relatedperson/', agency({ resourceType: 'RelatedPerson', ...body }), opts),

    putRelatedPerson: (id, body, opts) => write('PUT', `relatedperson/${segment(id, 'relatedperson')}/`, agency({ resourceType: 'RelatedPerson', ...body }), opts),

    getEncounter: (id, opts) => get(`encounter/${segment(id, 'encounter')}/`, encounterSchema, opts),

    createSubscription: (body, opts) => create('subscriptions/', agency({ resourceType: 'Subscription', ...body }), opts),
    listSubscriptions: (opts) => list('subscriptions/', subscriptionSchema, opts),
    getSubscription: (id, opts) => get(`subscriptions/${segment(id, 'subscription')}/`, subscriptionSchema, opts),
    putSubscription: (id, body, opts) => write('PUT', `subscriptions/${segment(id, 'subscription')}/`, agency({ resourceType: 'Subscription', ...body }), opts),
    getProfileTag: (id, opts) => get(`profileTags/${segment(id, 'profile tag')}/`, profileTagSchema, opts),

    listProfileTags: (opts) =>
      collectPages(
        async (page, count) => {
          const json = await t.send({ method: 'GET', path: 'profileTags/', query: { _count: count, _page: page }, interactive: opts?.interactive, signal: opts?.signal });
          return parseBundle(profileTagSchema, json, { method: 'GET', path: t.displayPath('profileTags/') });
        },
        { keyOf: byId, logger: o.logger, label: 'profileTags', firstPage: 1 },
      ),

    circuitState() {
      switch (o.breaker.state) {
        case CircuitState.Open:
          return 'open';
        case CircuitState.HalfOpen:
          return 'half-open';
        case CircuitState.Isolated:
          return 'isolated';
        default:
          return 'closed';
      }
    },
  };
}
