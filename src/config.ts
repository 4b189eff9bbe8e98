/**
 * Configuration: the environment (design.md's table) and the agency config file, both validated
 * with zod. A bad or missing value stops start-up with one line naming the key and what is wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { IANAZone } from 'luxon';
import { BROADCASTABLE_FACTS, DEFAULT_BROADCAST_TAG_TYPES, DEFAULT_BUDGET, FACTS, type Audience, type PrivacySettings } from './twilio/privacy';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// Agency config file
// ---------------------------------------------------------------------------------------------

const E164 = z.string().regex(/^\+1[2-9]\d{9}$/, 'must be a US phone number in E.164 form, like +13035550101');
const HOURS = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be "HH:MM-HH:MM" (24-hour) or null for closed')
  .nullable();

const LINK_TEMPLATE = z
  .string()
  .regex(/^https:\/\/[^\s]+$/, 'must be an https:// address')
  .refine((t) => t.includes('{id}'), 'must contain {id} where the record id goes');

export const ROLES = ['oncall', 'scheduler', 'complaints', 'intake', 'owner'] as const;
export type StaffRole = (typeof ROLES)[number];

const staffSchema = z.strictObject({
  name: z.string().min(1),
  phone: E164,
  roles: z.array(z.enum(ROLES)).min(1),
  /** Language staff texts are written in; staff are English speakers unless told otherwise. */
  language: z.enum(['en', 'es']).default('en'),
  /** Ops console password (scrypt hash from `npm run hash-password`); without one, staff log in by a texted link. */
  passwordHash: z.string().regex(/^scrypt\$/, 'must be a hash from `npm run hash-password`').optional(),
});

const facts = (audience: Exclude<Audience, 'broadcast'>) =>
  z.array(z.enum(FACTS, { error: `must be one of ${FACTS.join(', ')}` })).default([...DEFAULT_BUDGET[audience]]);

export const agencyConfigSchema = z.strictObject({
  agency: z.strictObject({
    name: z.string().min(1),
    timezone: z.string().refine((tz) => IANAZone.isValidZone(tz), 'must be an IANA time zone such as America/Denver'),
    /** Shown in greetings; defaults to the agency name. */
    shortName: z.string().min(1).optional(),
  }),
  officeHours: z.strictObject({
    mon: HOURS, tue: HOURS, wed: HOURS, thu: HOURS, fri: HOURS, sat: HOURS, sun: HOURS,
  }),
  staff: z.array(staffSchema).min(1),
  shiftFill: z
    .strictObject({
      waveSize: z.number().int().min(1).max(100).default(8),
      waveIntervalSeconds: z.number().int().min(10).default(600),
      escalateAfterSeconds: z.number().int().min(30).default(1800),
      escalationStepSeconds: z.number().int().min(30).default(300),
      maxWeeklyHours: z.number().min(1).max(168).default(40),
      writeBack: z.boolean().default(true),
      notifyClient: z.boolean().default(true),
    })
    .prefault({}),
  serviceArea: z
    .strictObject({
      description: z.string().default('our local area'),
      cities: z.array(z.string()).default([]),
      zips: z.array(z.string().regex(/^\d{5}$/, 'must be a 5-digit ZIP')).default([]),
    })
    .prefault({}),
  /**
   * The PHI budget (docs/privacy.md): the facts each audience of a text may be told, and which
   * profile tag types are skills that offers may name. Omitted: the safe defaults.
   */
  privacy: z
    .strictObject({
      broadcast: z.array(z.enum(BROADCASTABLE_FACTS, { error: `a broadcast may carry only ${BROADCASTABLE_FACTS.join(', ')}` }))
        .default([...BROADCASTABLE_FACTS])
        .refine((list) => ['day', 'time', 'claimCode'].every((f) => list.includes(f as never)), 'must keep day, time and claimCode (an offer cannot go without them)'),
      assigned: facts('assigned'),
      family: facts('family'),
      staff: facts('staff'),
      caller: facts('caller'),
      /** Profile tag types (lower case) whose names offers may carry; every other type is a condition or unknown and never broadcast. */
      broadcastTagTypes: z.array(z.string().min(1).transform((t) => t.toLowerCase())).default([...DEFAULT_BROADCAST_TAG_TYPES]),
    })
    .prefault({}),
  /** What callers are promised about a callback for a normal complaint. */
  callbackPromise: z.strictObject({ hours: z.number().min(0.25).max(72).default(4) }).prefault({}),
  greeting: z
    .strictObject({
      en: z.string().optional(),
      es: z.string().optional(),
    })
    .prefault({}),
  /**
   * Where the console links a WellSky record: the agency's own WellSky web address with `{id}`
   * for the record's id (it differs per agency and WellSky does not publish it). Unset: the
   * console shows the id to copy.
   */
  wellskyLinks: z
    .strictObject({
      patient: LINK_TEMPLATE.optional(),
      adminTask: LINK_TEMPLATE.optional(),
      shift: LINK_TEMPLATE.optional(),
    })
    .prefault({}),
});

export type AgencyConfig = z.infer<typeof agencyConfigSchema>;
export type StaffMember = AgencyConfig['staff'][number];

export const BUNDLED_AGENCY_CONFIG = path.join(__dirname, '..', 'config', 'agency.example.json');

function describeIssue(issue: z.core.$ZodIssue, prefix: string): string {
  const where = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as z.core.$ZodIssueUnrecognizedKeys).keys;
    return `${[where, keys[0]].filter(Boolean).join('.')}: unknown key (remove it or check its spelling)`;
  }
  return `${where || prefix}: ${issue.message}`;
}

export function parseAgencyConfig(raw: unknown, source = 'agency config'): AgencyConfig {
  const parsed = agencyConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${source}: ${describeIssue(parsed.error.issues[0], '')}`);
  }
  const cfg = parsed.data;
  if (!cfg.staff.some((s) => s.roles.includes('oncall'))) {
    throw new ConfigError(`${source}: staff: at least one person needs the "oncall" role`);
  }
  return cfg;
}

export function loadAgencyConfig(file = BUNDLED_AGENCY_CONFIG): AgencyConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`AGENCY_CONFIG: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`AGENCY_CONFIG: ${file} is not valid JSON (${(err as Error).message})`);
  }
  return parseAgencyConfig(raw, `AGENCY_CONFIG ${path.basename(file)}`);
}

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_BASE_URL: optionalString.pipe(z.url({ message: 'must be a URL such as https://frontdoor.example.com' }).optional()),
  DATABASE_URL: optionalString.pipe(
    z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  ),
  /** Postgres: named (prepared) statements; off behind a transaction-mode pooler that cannot keep them. */
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  DATA_DIR: z.string().default('./data'),
  WELLSKY_BASE_URL: z.url({ message: 'must be a URL such as https://connect.clearcareonline.com' }).default('https://connect.clearcareonline.com'),
  WELLSKY_CLIENT_ID: optionalString,
  WELLSKY_CLIENT_SECRET: optionalString,
  WELLSKY_AGENCY_ID: optionalString.pipe(z.string().regex(/^\d+$/, 'must be the numeric agency id').optional()),
  WELLSKY_WEBHOOK_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** WellSky requests per second this process may make: the agency's API budget is shared by every process, so split it. */
  WELLSKY_MAX_RPS: optionalString.pipe(z.coerce.number<string | undefined>().int('must be a whole number').min(1, 'must be at least 1').max(1000, 'must be at most 1000').optional()),
  TWILIO_ACCOUNT_SID: optionalString.pipe(z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'must look like AC followed by 32 hex digits').optional()),
  TWILIO_AUTH_TOKEN: optionalString,
  /** Accepted alongside TWILIO_AUTH_TOKEN during a token rotation. */
  TWILIO_AUTH_TOKEN_SECONDARY: optionalString,
  TWILIO_PHONE_NUMBER: optionalString.pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be E.164, like +13035550100').optional()),
  TWILIO_MESSAGING_SERVICE_SID: optionalString.pipe(z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'must look like MG followed by 32 hex digits').optional()),
  TWILIO_API_URL: optionalString.pipe(z.url().optional()),
  AGENCY_CONFIG: optionalString,
  ADMIN_PASSWORD: optionalString,
  /** Signs the ops console's session cookies (default: derived from ADMIN_PASSWORD). */
  SESSION_SECRET: optionalString.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  WORKER: z.enum(['on', 'off']).default('on'),
  /** Proxies in front of the app whose X-Forwarded-For entry is trusted (Heroku's router: 1). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(1),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).optional(),
});

/**
 * How much the process trusts its surroundings, from what is configured (docs/privacy.md,
 * "Start-up safety"):
 *  - `dev`: nothing live is configured (no Twilio credential, no WellSky credential for a
 *    non-loopback host) and NODE_ENV is not production. Only here: dev Twilio mode (unsigned
 *    webhooks, the dev transport), the `/dev/*` routes, an open console without ADMIN_PASSWORD,
 *    and the bundled example agency.
 *  - `live`: NODE_ENV=production or any live credential. Twilio must be fully configured,
 *    PUBLIC_BASE_URL set (https unless loopback), ADMIN_PASSWORD at least 12 characters, and
 *    AGENCY_CONFIG set explicitly.
 */
export interface Safety {
  mode: 'dev' | 'live';
  /** Why the process is live: "NODE_ENV=production", "TWILIO_ACCOUNT_SID is set", … (dev: "nothing live configured"). */
  because: string;
}

/** Minimum ADMIN_PASSWORD length in live mode. */
export const MIN_ADMIN_PASSWORD_LIVE = 12;

const LIVE_TWILIO_KEYS = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_AUTH_TOKEN_SECONDARY'] as const;
const WELLSKY_KEYS = ['WELLSKY_CLIENT_ID', 'WELLSKY_CLIENT_SECRET', 'WELLSKY_AGENCY_ID'] as const;

/** localhost, 127.0.0.0/8 or ::1: a WellSky sandbox or a test server on this machine, never the real one. */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]' || host === '::1';
}

export interface Config {
  env: 'development' | 'production' | 'test';
  safety: Safety;
  port: number;
  publicBaseUrl: string;
  databaseUrl?: string;
  /** Postgres: each distinct statement runs under a name, parsed and planned once per connection. */
  databasePreparedStatements: boolean;
  dataDir: string;
  wellsky:
    | { mode: 'live'; baseUrl: string; clientId: string; clientSecret: string; agencyId: string }
    | { mode: 'sandbox'; agencyId: string };
  wellskyWebhookSecret?: string;
  /** WELLSKY_MAX_RPS: this process's share of the WellSky request budget (the client defaults to 80/s). */
  wellskyMaxRequestsPerSecond?: number;
  twilio:
    | {
        mode: 'live';
        accountSid: string;
        authTokens: string[];
        phoneNumber: string;
        messagingServiceSid?: string;
        apiUrl?: string;
      }
    | { mode: 'dev'; phoneNumber: string; apiUrl?: string };
  adminPassword?: string;
  sessionSecret?: string;
  workerEnabled: boolean;
  /** `trust proxy` hops: which X-Forwarded-For entry is the client (per-IP rate limits, logs). */
  trustProxyHops: number;
  agency: AgencyConfig;
  agencyConfigPath: string;
}

/** The agency id the embedded sandbox uses when no credentials are set. */
export const SANDBOX_AGENCY_ID = '1669';
export const DEV_AGENCY_NUMBER = '+13035550100';

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  const someWellsky = WELLSKY_KEYS.some((k) => e[k]);
  if (someWellsky && !WELLSKY_KEYS.every((k) => e[k])) {
    const missing = WELLSKY_KEYS.find((k) => !e[k]);
    throw new ConfigError(`${missing}: is required when any WellSky credential is set`);
  }
  // A WellSky credential for a host on this machine is the standalone sandbox (docs/sandbox.md), not live data.
  const liveWellsky = someWellsky && !isLoopbackUrl(e.WELLSKY_BASE_URL);

  const liveKey = production ? undefined : (LIVE_TWILIO_KEYS.find((k) => e[k]) ?? (liveWellsky ? WELLSKY_KEYS.find((k) => e[k]) : undefined));
  const safety: Safety = production
    ? { mode: 'live', because: 'NODE_ENV=production' }
    : liveKey
      ? { mode: 'live', because: `${liveKey} is set` }
      : { mode: 'dev', because: 'nothing live configured' };
  // Every refusal names the key and why, in one line: "ADMIN_PASSWORD: is required in production (…)".
  const where = production ? 'in production' : `when ${liveKey} is set (live mode)`;

  if (safety.mode === 'live') {
    if (production && !someWellsky) throw new ConfigError('WELLSKY_CLIENT_ID: is required in production (the embedded sandbox is for development only)');
    const missingTwilio = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_PHONE_NUMBER'] as const).find((k) => !e[k]);
    if (missingTwilio) {
      throw new ConfigError(`${missingTwilio}: is required ${where} (dev Twilio mode accepts unsigned webhooks: it runs only with no Twilio or live WellSky credential)`);
    }
    if (!e.PUBLIC_BASE_URL) throw new ConfigError(`PUBLIC_BASE_URL: is required ${where} (Twilio signatures are checked against it)`);
    if (!e.PUBLIC_BASE_URL.startsWith('https://') && (production || !isLoopbackUrl(e.PUBLIC_BASE_URL))) {
      throw new ConfigError(`PUBLIC_BASE_URL: must be https ${where} (got ${e.PUBLIC_BASE_URL})`);
    }
    if (!e.ADMIN_PASSWORD) throw new ConfigError(`ADMIN_PASSWORD: is required ${where} (the dashboard shows caller data)`);
    if (e.ADMIN_PASSWORD.length < MIN_ADMIN_PASSWORD_LIVE) {
      throw new ConfigError(`ADMIN_PASSWORD: must be at least ${MIN_ADMIN_PASSWORD_LIVE} characters ${where}`);
    }
    if (!e.AGENCY_CONFIG) {
      throw new ConfigError(`AGENCY_CONFIG: is required ${where} (the bundled example agency's on-call chain is fictional numbers)`);
    }
    if (production && path.resolve(e.AGENCY_CONFIG) === BUNDLED_AGENCY_CONFIG) {
      throw new ConfigError(`AGENCY_CONFIG: names the bundled example agency, whose staff numbers are fictional; point it at your agency's file in production`);
    }
  }

  const agencyConfigPath = e.AGENCY_CONFIG ? path.resolve(e.AGENCY_CONFIG) : BUNDLED_AGENCY_CONFIG;
  const agency = loadAgencyConfig(agencyConfigPath);

  const publicBaseUrl = (e.PUBLIC_BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');

  return {
    env: e.NODE_ENV,
    safety,
    port: e.PORT,
    publicBaseUrl,
    databaseUrl: e.DATABASE_URL,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS === 'on',
    dataDir: e.DATA_DIR,
    wellsky: someWellsky
      ? { mode: 'live', baseUrl: e.WELLSKY_BASE_URL.replace(/\/+$/, ''), clientId: e.WELLSKY_CLIENT_ID!, clientSecret: e.WELLSKY_CLIENT_SECRET!, agencyId: e.WELLSKY_AGENCY_ID! }
      : { mode: 'sandbox', agencyId: SANDBOX_AGENCY_ID },
    wellskyWebhookSecret: e.WELLSKY_WEBHOOK_SECRET,
    wellskyMaxRequestsPerSecond: e.WELLSKY_MAX_RPS,
    twilio: safety.mode === 'live'
      ? {
          mode: 'live',
          accountSid: e.TWILIO_ACCOUNT_SID!,
          authTokens: [e.TWILIO_AUTH_TOKEN!, ...(e.TWILIO_AUTH_TOKEN_SECONDARY ? [e.TWILIO_AUTH_TOKEN_SECONDARY] : [])],
          phoneNumber: e.TWILIO_PHONE_NUMBER!,
          messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
          apiUrl: e.TWILIO_API_URL,
        }
      : { mode: 'dev', phoneNumber: e.TWILIO_PHONE_NUMBER ?? DEV_AGENCY_NUMBER, apiUrl: e.TWILIO_API_URL },
    adminPassword: e.ADMIN_PASSWORD,
    sessionSecret: e.SESSION_SECRET,
    workerEnabled: e.WORKER === 'on',
    trustProxyHops: e.TRUST_PROXY_HOPS,
    agency,
    agencyConfigPath,
  };
}

/** The agency's PHI budget and tag split, as the outbox and the texts use them. */
export function privacySettings(agency: AgencyConfig): PrivacySettings {
  const { broadcastTagTypes, ...budget } = agency.privacy;
  return { budget, broadcastTagTypes };
}

/** Staff with a role, in the order the config lists them (the on-call chain's order). */
export function staffWithRole(agency: AgencyConfig, role: StaffRole): StaffMember[] {
  return agency.staff.filter((s) => s.roles.includes(role));
}

/**
 * For process entry points: the config, or one line on stderr naming the key and exit code 1
 * (a config error is an operator's to fix, not a stack trace to read).
 */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
}
