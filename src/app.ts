/**
 * The composition root: builds every service from the config and wires the HTTP app. The same
 * wiring runs in production, under `npm start`, and in the end-to-end tests; only the config
 * differs (real WellSky or the sandbox, real Twilio or the dev transport).
 */
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { privacySettings, staffWithRole, type Config } from './config';
import { systemClock, type Clock } from './clock';
import { openDb, type Db } from './db';
import { migrate } from './db/migrate';
import { log, withRequestId } from './log';
import { createDeadLetterAlerts, createJobQueue, createJobRunner, recurringHandler, startRecurring, type JobQueue, type JobRunner, type RecurringJob } from './jobs';
import { createWellSkyService } from './wellsky/client';
import type { WellSky } from './wellsky/service';
import { createSandbox, type Sandbox } from './wellsky-sandbox';
import { createDirectory, createWellSkyWebhookRouter, directoryJobHandlers, registerSubscriptions, SYNC_JOB } from './directory';
import type { Directory } from './directory/types';
import { createOutbox, listSentTexts, type Outbox } from './twilio/outbox';
import { createTransport, type SmsTransport } from './twilio/transport';
import { createOptOutLedger, type OptOutLedger } from './twilio/optout';
import { keywordReply } from './twilio/keyword-replies';
import { createTwilioRouter, SMS_FLOW, VOICE_FLOW } from './twilio/webhooks';
import { ConversationStore } from './conversations/store';
import { TurnRuntime } from './conversations/runtime';
import { createStaffMessages, type StaffMessages } from './conversations/staff-messages';
import { createEffects } from './conversations/effects';
import { createConversationInput } from './conversations/input';
import { smsText } from './twilio/render';
import { ROUTER_MACHINE_VERSION, smsRouterMachine, voiceRouterMachine } from '../flows/router.machine';
import { createDashboardRouter } from './dashboard';
import { CALLOUT_FLOW, CALLOUT_MACHINE_VERSION, calloutMachine } from '../flows/callout.machine';
import { createCalloutEffects, createShiftFill, type ShiftFill } from './shiftfill';
import { COMPLAINT_MACHINE_VERSION, complaintMachine } from '../flows/complaint.machine';
import { FLOWS } from '../flows/kit';
import { createComplaints, type Complaints } from './complaints';
import { LEAD_MACHINE_VERSION, leadMachine } from '../flows/lead.machine';
import { createLeads } from './leads';
import { WHERE_IS_CAREGIVER_MACHINE_VERSION, whereIsCaregiverMachine } from '../flows/where-is-caregiver.machine';
import { createWhereIsCaregiver } from './where-is-caregiver';
import { createReadiness, type Readiness } from './readiness';
import { createRateLimiters, RATE_LIMITS, type RateLimits } from './rate-limits';


/** How often the directory is fully re-read from WellSky (subscriptions keep it fresh between). */
export const DIRECTORY_SYNC_INTERVAL_MS = 15 * 60 * 1000;
/** How long a job claim lasts without renewal. */
export const JOB_LEASE_MS = 30_000;
/** The recurring job that (re)registers the WellSky subscriptions, and how often. */
export const SUBSCRIPTIONS_JOB = 'directory.subscriptions';
export const SUBSCRIPTION_RENEWAL_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface Services {
  config: Config;
  clock: Clock;
  db: Db;
  wellsky: WellSky;
  sandbox?: { sandbox: Sandbox; url: string; close(): Promise<void> };
  jobs: JobQueue;
  runner: JobRunner;
  directory: Directory;
  optOuts: OptOutLedger;
  transport: SmsTransport;
  outbox: Outbox;
  staffMessages: StaffMessages;
  store: ConversationStore;
  runtime: TurnRuntime;
  shiftFill: ShiftFill;
  complaints: Complaints;
  /** The last known database and WellSky state, for /readyz (the web process starts its probe). */
  readiness: Readiness;
  /** `draining` once a graceful stop began: /readyz answers 503 and responses close their connection. */
  lifecycle: { draining: boolean };
  /**
   * Stops the job runner (with `graceMs`: jobs still running after that long are released for
   * another process at once) and everything else. Resolves with how many jobs were released.
   */
  close(opts?: { graceMs?: number }): Promise<number>;
}

export interface BuildOptions {
  clock?: Clock;
  /** An already open database (tests); otherwise opened from the config. */
  db?: Db;
  /** A WellSky implementation to use instead of building one (tests). */
  wellsky?: WellSky;
  /** Sandbox options when the config asks for the embedded sandbox. */
  sandbox?: Parameters<typeof createSandbox>[0];
  /** A transport to use instead of the one the config asks for (tests). */
  transport?: SmsTransport;
  /** Start the job runner's polling loop (default: config.workerEnabled). */
  startWorker?: boolean;
  /** Run the first full directory sync before returning (tests want a warm directory). */
  awaitFirstSync?: boolean;
  settleTimeoutMs?: number;
}

export async function buildServices(config: Config, opts: BuildOptions = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const ownsDb = !opts.db;
  const db = opts.db ?? (await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, preparedStatements: config.databasePreparedStatements }));
  await migrate(db);

  let sandbox: Services['sandbox'];
  let wellsky = opts.wellsky;
  if (!wellsky) {
    if (config.wellsky.mode === 'sandbox') {
      const sb = createSandbox({ timezone: config.agency.agency.timezone, agencyId: config.wellsky.agencyId, ...opts.sandbox });
      const listening = await sb.listen(0, '127.0.0.1');
      sandbox = { sandbox: sb, url: listening.url, close: listening.close };
      wellsky = createWellSkyService({ baseUrl: listening.url, ...sb.credentials, timezone: config.agency.agency.timezone, now: () => clock.now(), maxRequestsPerSecond: config.wellskyMaxRequestsPerSecond });
    } else {
      wellsky = createWellSkyService({ ...config.wellsky, timezone: config.agency.agency.timezone, now: () => clock.now(), maxRequestsPerSecond: config.wellskyMaxRequestsPerSecond });
    }
  }

  const jobs = createJobQueue(db, clock);
  const optOuts = createOptOutLedger({ db, clock });
  const transport = opts.transport ?? createTransport(config.twilio, config.publicBaseUrl, { timeoutMs: Number(process.env.TWILIO_TIMEOUT_MS) || undefined });
  const outbox = createOutbox({
    db, jobs, transport, clock, optOuts, sendLeaseMs: JOB_LEASE_MS,
    from: { phoneNumber: config.twilio.phoneNumber, messagingServiceSid: config.twilio.mode === 'live' ? config.twilio.messagingServiceSid : undefined },
    // The PHI budget (docs/privacy.md); a text it holds back is told to the schedulers (on-call when none).
    privacy: {
      settings: privacySettings(config.agency),
      agencyName: config.agency.agency.shortName ?? config.agency.agency.name,
      alertTo: (staffWithRole(config.agency, 'scheduler').length ? staffWithRole(config.agency, 'scheduler') : staffWithRole(config.agency, 'oncall')).map((p) => p.phone),
    },
  });
  const directory = createDirectory({ db, wellsky, agency: config.agency, clock });
  const staffMessages = createStaffMessages({ db, texts: outbox, agency: config.agency, clock });
  const effects = createEffects({ staffMessages, agency: config.agency });
  const complaints = createComplaints({ db, jobs, wellsky, directory, staffMessages, agency: config.agency, clock });
  const leads = createLeads({ db, jobs, wellsky, outbox, staffMessages, agency: config.agency, clock });
  const whereIsCaregiver = createWhereIsCaregiver({ wellsky, directory, outbox, staffMessages, agency: config.agency });
  // Flows the router hands callers to; a name missing here makes the router take a message instead.
  // The campaign's first offers wait on a chain of jobs: wake this process's worker as each is committed.
  const shiftFill = createShiftFill({ db, jobs, outbox, wellsky, directory, staffMessages, optOuts, agency: config.agency, clock, wakeWorker: () => runner.poke() });
  const handoffFlows = {
    [CALLOUT_FLOW]: {
      machine: calloutMachine.provide({ actors: createCalloutEffects({ wellsky, directory, shiftFill, timezone: config.agency.agency.timezone }) }),
      version: CALLOUT_MACHINE_VERSION,
    },
    [FLOWS.complaint]: { machine: complaintMachine.provide({ actors: { ...effects, ...complaints.effects } }), version: COMPLAINT_MACHINE_VERSION },
    [FLOWS.lead]: { machine: leadMachine.provide({ actors: { ...effects, ...leads.effects } }), version: LEAD_MACHINE_VERSION },
    [FLOWS.whereIsCaregiver]: {
      machine: whereIsCaregiverMachine.provide({ actors: { ...effects, ...whereIsCaregiver.effects } }),
      version: WHERE_IS_CAREGIVER_MACHINE_VERSION,
    },
  };
  const routerGuards = { flowAvailable: (_: unknown, params: { flow: string }) => params.flow in handoffFlows };
  const store = new ConversationStore(db);
  const runtime = new TurnRuntime({
    store,
    clock,
    settleTimeoutMs: opts.settleTimeoutMs,
    flows: {
      [VOICE_FLOW]: { machine: voiceRouterMachine.provide({ actors: effects, guards: routerGuards }), version: ROUTER_MACHINE_VERSION },
      [SMS_FLOW]: { machine: smsRouterMachine.provide({ actors: effects, guards: routerGuards }), version: ROUTER_MACHINE_VERSION },
      ...handoffFlows,
    },
    // A slow SMS turn's answer goes out as a text once it is ready.
    deliverLate: async (row, outcome) => {
      const body = smsText(outcome);
      if (body) await outbox.send({ to: row.caller_phone, body, purpose: 'reply', audience: 'caller', idempotencyKey: `late:${row.id}:${outcome.turn}`, meta: { conversationId: row.id } });
    },
  });

  const recurring: RecurringJob[] = [
    { kind: SYNC_JOB, intervalMs: DIRECTORY_SYNC_INTERVAL_MS, maxAttempts: 3, run: async () => void (await directory.fullSync()) },
  ];
  if (config.wellskyWebhookSecret && config.wellsky.mode === 'live') {
    // Subscriptions are (re)registered at start and every few hours (WellSky may drop them).
    recurring.push({
      kind: SUBSCRIPTIONS_JOB, intervalMs: SUBSCRIPTION_RENEWAL_INTERVAL_MS,
      run: async () => {
        const outcome = await registerSubscriptions({ wellsky, publicBaseUrl: config.publicBaseUrl, secret: config.wellskyWebhookSecret, now: () => clock.now() });
        if (outcome.failed.length) throw new Error(`${outcome.failed.length} WellSky subscriptions could not be registered; the scheduled sync keeps the directory fresh`);
      },
    });
  }
  // A job that gives up is texted to the staff whose work it was (coalesced), pointing at the console.
  const deadLetters = createDeadLetterAlerts({ db, jobs, clock, texts: outbox, agency: config.agency, consoleUrl: `${config.publicBaseUrl}/dashboard` });
  const runner = createJobRunner({
    db,
    clock,
    workerId: `${process.env.DYNO ?? 'local'}-${process.pid}-${randomUUID().slice(0, 6)}`,
    onDeadLetter: (job) => deadLetters.onDeadLetter(job),
    // A process killed mid-job (kill -9, a crashed dyno) leaves its claims for at most 30 s;
    // a live job renews its lease every 10 s, however long it runs.
    leaseMs: JOB_LEASE_MS,
    handlers: {
      ...deadLetters.jobHandlers,
      ...outbox.jobHandlers,
      ...shiftFill.jobHandlers,
      ...complaints.jobHandlers,
      ...leads.jobHandlers,
      ...directoryJobHandlers(directory),
      // Recurring jobs are scheduled by time: each run queues the next slot before it works, so a
      // run that fails (and is dead-lettered) never stops the ones after it.
      ...Object.fromEntries(recurring.map((r) => [r.kind, recurringHandler(jobs, clock, r)])),
    },
  });

  const readiness = createReadiness({ db, wellsky });

  await directory.syncStaff();
  // The first full sync at start (one per start-up minute, whatever the process count) and the chain.
  for (const r of recurring) await startRecurring(jobs, clock, r);
  if (opts.awaitFirstSync) await directory.fullSync();

  const startWorker = opts.startWorker ?? config.workerEnabled;
  if (startWorker) runner.start();

  return {
    config, clock, db, wellsky, sandbox, jobs, runner, directory, optOuts, transport, outbox, staffMessages, store, runtime, shiftFill, complaints, readiness,
    lifecycle: { draining: false },
    async close(closeOpts = {}) {
      readiness.stop();
      const released = await runner.stop({ graceMs: closeOpts.graceMs });
      runtime.stopAll();
      await sandbox?.close();
      if (ownsDb) await db.close();
      return released;
    },
  };
}

export interface AppOptions {
  /** Per-IP limits (default RATE_LIMITS; docs/privacy.md "Public endpoints"). */
  rateLimits?: RateLimits;
}

export function createApp(s: Services, opts: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  // Heroku's router terminates TLS and adds one X-Forwarded-For entry: trust exactly that many
  // hops, so req.ip is the client (per-IP limits) and a client cannot pick its own by sending the
  // header. Twilio signatures use PUBLIC_BASE_URL, not the Host header.
  app.set('trust proxy', s.config.trustProxyHops);
  const limits = createRateLimiters(opts.rateLimits ?? RATE_LIMITS);

  app.use((req, res, next) => {
    const id = (req.header('x-request-id') ?? randomUUID()).slice(0, 64);
    res.setHeader('x-request-id', id);
    withRequestId(id, () => next());
  });

  app.use((_req, res, next) => {
    // Stopping: finish this request, but let the client open its next connection elsewhere.
    if (s.lifecycle.draining) res.setHeader('connection', 'close');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.status(200).json({ ok: true });
  });

  // From the background probe's last result: no database or WellSky request per GET, no error text.
  app.get('/readyz', limits.readyz, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    if (s.lifecycle.draining) {
      res.status(503).json({ ok: false, checks: { process: 'stopping' } });
      return;
    }
    const state = s.readiness.state();
    const ok = state.database === 'ok' && state.wellsky === 'ok';
    const checks = {
      database: state.database,
      wellsky: state.wellsky === 'ok' && s.config.wellsky.mode === 'sandbox' ? 'ok (sandbox)' : state.wellsky,
    };
    const checkedSecondsAgo = state.checkedAt ? Math.max(0, Math.round((Date.now() - state.checkedAt.getTime()) / 1000)) : null;
    res.status(ok ? 200 : 503).json({ ok, checks, checkedSecondsAgo });
  });

  app.use(
    '/twilio',
    createTwilioRouter({
      config: s.config,
      clock: s.clock,
      store: s.store,
      runtime: s.runtime,
      conversationInput: createConversationInput({ agency: s.config.agency, directory: s.directory, clock: s.clock }),
      staffMessages: s.staffMessages,
      handleOptOutKeyword: async ({ from, body, messageSid, optOutType }) => {
        const receipt = await s.optOuts.receiveKeyword({ phone: from, body, messageSid, optOutType });
        if (!receipt) return undefined;
        const agency = s.config.agency.agency;
        return { reply: keywordReply(receipt, { agency: agency.shortName ?? agency.name, phone: s.config.twilio.phoneNumber }), lang: receipt.lang };
      },
      // Shift-offer replies ("YES 4821", "NO") and on-call "OK"s are not conversation turns.
      interceptSms: (msg) => s.shiftFill.interceptSms(msg),
      onTranscription: (t) => s.complaints.attachTranscription(t),
      handleSmsStatus: async (p) => {
        if (p.MessageSid && p.MessageStatus) await s.outbox.handleStatusCallback({ MessageSid: p.MessageSid, MessageStatus: p.MessageStatus, ErrorCode: p.ErrorCode });
      },
    }),
  );

  app.use('/wellsky/webhook', ...limits.wellskyWebhook);
  app.use(
    createWellSkyWebhookRouter({
      directory: s.directory,
      secret: s.config.wellskyWebhookSecret,
      enqueue: (kind, payload, o) => s.jobs.enqueue(kind, payload, o),
    }),
  );

  if (s.config.safety.mode === 'dev') {
    // Dev mode only (nothing live configured): the dev outbox: every text the app "sent", for the phone simulator and the curious.
    app.get('/dev/texts', async (req, res) => {
      const after = Number(req.query.after ?? 0) || 0;
      const to = typeof req.query.to === 'string' ? req.query.to : undefined;
      const texts = await listSentTexts(s.db, { afterId: after, to, includeUnsent: true });
      res.json({ texts });
    });
  }

  app.use('/dashboard', limits.dashboard);
  app.post(['/dashboard/login', '/dashboard/login/link', '/dashboard/login/link/:token'], limits.dashboardLogin);
  app.use('/dashboard', createDashboardRouter(s));

  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use((err: Error, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    log.error('unhandled request error', { error: err.message });
    res.status(500).json({ error: 'internal error' });
  });
  return app;
}
