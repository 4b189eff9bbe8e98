/**
 * The local WellSky sandbox: an express app that behaves like WellSky's "Home Connect" API
 * where a client could go wrong (docs/wellsky-api.md, last section; docs/sandbox.md).
 *
 * Written independently of src/wellsky/ on purpose: nothing is imported from there.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { moduleLog } from '../log';
import { adminRouter } from './admin';
import { mountAppointments } from './api/appointments';
import { mountContacts } from './api/contacts';
import { mountEncounters } from './api/encounters';
import { mountOffice } from './api/office';
import { mountPatients } from './api/patients';
import { mountPractitioners } from './api/practitioners';
import { mountSubscriptions } from './api/subscriptions';
import { BundleStyle, type CountField, type EntryShape } from './bundle';
import { IdSequence, type SandboxConfig, type SandboxContext } from './context';
import { RateLimiter, TokenStore, injectFaults, rateLimit, recordRequests, requireBearer, tokenEndpoint, unknownRoute } from './gateway';
import type { Faults, Meta, RequestLogEntry, SandboxState, SeedData, WebhookDelivery } from './resources';
import { clone } from './resources';
import { ENCOUNTER_STATUSES, OPEN_SHIFT_SHAPES, PATIENT_PUTS, TIME_FORMATS, type CompletedSpelling, type OpenShiftShape, type PatientPut, type TimeFormat } from './quirks';
import { HttpError } from './rules';
import { generateSyntheticAgency } from './seed/synthetic';
import { ChangeFeed } from './webhooks';

export type { Faults, RequestLogEntry, SandboxState, SeedData, WebhookDelivery } from './resources';
export type { CountField, EntryShape } from './bundle';
export type { SandboxConfig } from './context';
export type { CompletedSpelling, OpenShiftShape, PatientPut, TimeFormat } from './quirks';
export { generateSyntheticAgency } from './seed/synthetic';
export { loadSeedFile, parseSeed, SeedFileError } from './seed/file';
export { FIXTURE_PEOPLE, FIXTURE_SHIFTS, fixturePeople } from './seed/fixtures';
export { GATEWAY_403 } from './gateway';
export { SUPPORTED_CRITERIA } from './webhooks';

const log = moduleLog('sandbox');

export interface SandboxOptions {
  seed?: SeedData;
  caregivers?: number;
  clients?: number;
  timezone?: string;
  now?: () => Date;
  clientId?: string;
  clientSecret?: string;
  agencyId?: string;
  tokenTtlSeconds?: number;
  countField?: CountField;
  entryShape?: EntryShape;
  allowAppointmentPut?: boolean;
  rateLimitPerSecond?: number;
  encounterStatus?: CompletedSpelling;
  encounterPaging?: 'one-based' | 'zero-based';
  openShiftShape?: OpenShiftShape;
  timeFormat?: TimeFormat;
  patientPut?: PatientPut;
}

/** The run-time switches: configure(), POST /_sandbox/config, `npm run sandbox -- --set key=value`. */
export type SandboxSwitches = Partial<SandboxConfig>;

export interface Sandbox {
  app: Express;
  credentials: { clientId: string; clientSecret: string; agencyId: string };
  state: SandboxState;
  requestLog: RequestLogEntry[];
  /** Every webhook delivery attempted for a subscription (sandbox extra). */
  webhookDeliveries: WebhookDelivery[];
  /** Resolves once every webhook delivery started so far has finished (sandbox extra). */
  flushWebhooks(): Promise<void>;
  setFaults(f: Partial<Faults>): void;
  /** Changes switches at run time; an unknown key or a bad value throws (HttpError 400) and changes nothing. */
  configure(o: SandboxSwitches): void;
  /** The switches in force. */
  config(): SandboxConfig;
  /** Back to the seed: faults off, logs cleared, tokens revoked, configure() undone. `regenerate` re-draws a synthetic seed around the current clock. */
  reset(o?: { regenerate?: boolean }): void;
  listen(port?: number, host?: string): Promise<{ url: string; close(): Promise<void> }>;
}

const NO_FAULTS: Faults = { latencyMs: 0, errorRate: 0, outage: false };
const COUNT_FIELDS = ['totalRecords', 'total', 'alternate'];
const ENTRY_SHAPES = ['bare', 'wrapped', 'alternate'];

export function createSandbox(opts: SandboxOptions = {}): Sandbox {
  const now = opts.now ?? (() => new Date());
  const timezone = opts.timezone ?? 'America/Denver';
  const credentials = { clientId: opts.clientId ?? 'sandbox-client', clientSecret: opts.clientSecret ?? 'sandbox-secret', agencyId: opts.agencyId ?? '1669' };
  const initialConfig: SandboxConfig = {
    countField: opts.countField ?? 'totalRecords',
    entryShape: opts.entryShape ?? 'wrapped',
    allowAppointmentPut: opts.allowAppointmentPut ?? true,
    rateLimitPerSecond: opts.rateLimitPerSecond ?? 100,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3599,
    encounterStatus: opts.encounterStatus ?? 'COMPLETE',
    encounterPaging: opts.encounterPaging ?? 'one-based',
    openShiftShape: opts.openShiftShape ?? 'empty-id',
    timeFormat: opts.timeFormat ?? 'utc',
    patientPut: opts.patientPut ?? 'replace',
  };
  checkConfig(initialConfig);
  const generate = () => generateSyntheticAgency({ now: now(), timezone, caregivers: opts.caregivers, clients: opts.clients });
  let seed = opts.seed ?? generate();

  const state = {} as SandboxState;
  const requestLog: RequestLogEntry[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  let faults: Faults = { ...NO_FAULTS };
  const ctx: SandboxContext = {
    state,
    agencyId: credentials.agencyId,
    timezone,
    now,
    config: { ...initialConfig },
    bundles: new BundleStyle(initialConfig.countField, initialConfig.entryShape),
    ids: undefined as unknown as IdSequence,
    changes: new ChangeFeed(() => state.subscriptions, webhookDeliveries, now),
  };
  const tokens = new TokenStore(now);
  const limiter = new RateLimiter(() => ctx.config.rateLimitPerSecond);

  const loadState = () => {
    const data = clone(seed);
    for (const r of [...data.practitioners, ...data.patients]) retagAgency(r.meta, credentials.agencyId);
    Object.assign(state, {
      practitioners: data.practitioners,
      patients: data.patients,
      relatedPersons: data.relatedPersons ?? [],
      appointments: data.appointments ?? [],
      encounters: data.encounters ?? [],
      taskLogs: [],
      adminTasks: [],
      subscriptions: [],
      profileTags: data.profileTags ?? [],
      referralSources: data.referralSources ?? [],
    } satisfies SandboxState);
    ctx.ids = new IdSequence(state);
  };
  loadState();

  const setFaults = (f: Partial<Faults>) => {
    const next = { ...faults, ...f };
    if (typeof next.latencyMs !== 'number' || !(next.latencyMs >= 0)) throw new HttpError(400, { error: `latencyMs must be a number ≥ 0, got ${JSON.stringify(f.latencyMs)}` });
    if (typeof next.errorRate !== 'number' || !(next.errorRate >= 0 && next.errorRate <= 1)) throw new HttpError(400, { error: `errorRate must be a number from 0 to 1, got ${JSON.stringify(f.errorRate)}` });
    if (typeof next.outage !== 'boolean') throw new HttpError(400, { error: `outage must be true or false, got ${JSON.stringify(f.outage)}` });
    faults = { latencyMs: next.latencyMs, errorRate: next.errorRate, outage: next.outage };
    if (faults.latencyMs || faults.errorRate || faults.outage) log.info('sandbox faults set', { ...faults });
  };
  const configure = (c: Partial<SandboxConfig>) => {
    const next = { ...ctx.config };
    const unknown = Object.keys(c ?? {}).filter((k) => !(k in initialConfig));
    if (unknown.length) throw new HttpError(400, { error: `unknown sandbox setting ${unknown.join(', ')}; known: ${Object.keys(initialConfig).join(', ')}` });
    for (const key of Object.keys(initialConfig) as (keyof SandboxConfig)[]) {
      if (c[key] !== undefined) (next as Record<string, unknown>)[key] = c[key];
    }
    checkConfig(next);
    ctx.config = next;
    ctx.bundles.countField = next.countField;
    ctx.bundles.entryShape = next.entryShape;
  };
  const reset = (o: { regenerate?: boolean } = {}) => {
    if (o.regenerate && !opts.seed) seed = generate();
    loadState();
    faults = { ...NO_FAULTS };
    requestLog.length = 0;
    webhookDeliveries.length = 0;
    tokens.revokeAll();
    limiter.clear();
    ctx.config = { ...initialConfig };
    ctx.bundles = new BundleStyle(initialConfig.countField, initialConfig.entryShape);
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  app.use('/_sandbox', adminRouter({ ctx: () => ctx, requestLog, deliveries: webhookDeliveries, faults: () => faults, setFaults, configure, reset }));

  // Everything else is an API call: logged, fault-injected, rate-limited, then routed.
  app.use(recordRequests(requestLog, now));
  app.use(injectFaults(() => faults));
  app.use(rateLimit(limiter));
  app.use(express.json({ type: ['application/json', 'application/fhir+json', 'application/*+json'], limit: '1mb' }));
  app.use(express.urlencoded({ extended: false }));
  app.post('/oauth/accesstoken', tokenEndpoint(tokens, () => credentials, () => ctx.config.tokenTtlSeconds));

  const api = express.Router({ caseSensitive: true, strict: true });
  const auth = requireBearer(tokens);
  mountPractitioners(api, ctx, auth);
  mountPatients(api, ctx, auth);
  mountAppointments(api, ctx, auth);
  mountEncounters(api, ctx, auth);
  mountContacts(api, ctx, auth);
  mountOffice(api, ctx, auth);
  mountSubscriptions(api, ctx, auth);
  app.use(api);
  app.use(unknownRoute);
  app.use(errorHandler);

  return {
    app,
    credentials,
    state,
    requestLog,
    webhookDeliveries,
    flushWebhooks: () => ctx.changes.flush(),
    setFaults,
    configure,
    config: () => ({ ...ctx.config }),
    reset,
    listen: (port = 0, host = '127.0.0.1') => listen(app, port, host),
  };
}

function checkConfig(c: SandboxConfig): void {
  const bad = (msg: string) => new HttpError(400, { error: msg });
  if (!COUNT_FIELDS.includes(c.countField)) throw bad(`countField must be one of ${COUNT_FIELDS.join(', ')}, got ${JSON.stringify(c.countField)}`);
  if (!ENTRY_SHAPES.includes(c.entryShape)) throw bad(`entryShape must be one of ${ENTRY_SHAPES.join(', ')}, got ${JSON.stringify(c.entryShape)}`);
  if (typeof c.allowAppointmentPut !== 'boolean') throw bad('allowAppointmentPut must be true or false');
  if (!Number.isInteger(c.rateLimitPerSecond) || c.rateLimitPerSecond < 1) throw bad(`rateLimitPerSecond must be a positive integer, got ${JSON.stringify(c.rateLimitPerSecond)}`);
  if (!Number.isInteger(c.tokenTtlSeconds) || c.tokenTtlSeconds < 1) throw bad(`tokenTtlSeconds must be a positive integer, got ${JSON.stringify(c.tokenTtlSeconds)}`);
  const oneOf = (key: keyof SandboxConfig, allowed: readonly string[]) => {
    if (!allowed.includes(c[key] as string)) throw bad(`${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(c[key])}`);
  };
  oneOf('encounterStatus', ENCOUNTER_STATUSES);
  oneOf('encounterPaging', ['one-based', 'zero-based']);
  oneOf('openShiftShape', OPEN_SHIFT_SHAPES);
  oneOf('timeFormat', TIME_FORMATS);
  oneOf('patientPut', PATIENT_PUTS);
}

function retagAgency(meta: Meta | undefined, agencyId: string): void {
  for (const t of meta?.tag ?? []) if (t.code === 'agencyId') t.display = agencyId;
}

const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (err instanceof HttpError) {
    res.status(err.status).json(err.body);
    return;
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e.type === 'entity.parse.failed') {
    res.status(400).json({ error: 'Malformed JSON in request body' });
    return;
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json({ error: e.message ?? 'Bad request' });
    return;
  }
  log.error('sandbox route failed', { method: req.method, path: req.path, error: err });
  res.status(500).json({ error: 'Internal Server Error' });
};

function listen(app: Express, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
      resolve({
        url: `http://${shownHost}:${actual}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((e) => (e ? fail(e) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
