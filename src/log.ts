/**
 * Logging for health-care data: JSON lines in production, readable lines in development,
 * a request id on every line of a request, and nothing that identifies a person.
 *
 * Two guards, because one is not enough:
 *  - keys that carry names, bodies or speech are replaced by "[redacted]" wherever they appear;
 *  - any run of 7+ digits that looks like a phone number is masked to its last 4 digits,
 *    in messages and in every string value.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with `requestId` attached to every log line written inside it (async included). */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestContext.run({ requestId }, fn);
}

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

const REDACTED_KEYS = new Set(
  [
    'body', 'Body', 'message_body', 'text', 'SpeechResult', 'UnstableSpeechResult', 'TranscriptionText',
    'name', 'firstName', 'lastName', 'first_name', 'last_name', 'fullName', 'callerName', 'CallerName',
    'FromCity', 'address', 'line', 'reason', 'complaint', 'summary', 'description', 'notes',
    'access_token', 'client_secret', 'authToken', 'password', 'authorization', 'Authorization',
  ].map((k) => k.toLowerCase()),
);

// +13035551234, 303-555-1234, (303) 555-1234, 3035551234, 1-303-555-1234: North American numbers.
// Ids (WellSky's are 7–9 digits) and dates stay readable.
const PHONE_LIKE = /(?<![\d\w])(?:\+?1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/g;

/** Masks a phone number to its last four digits: "+13035551234" → "***1234". */
export function maskPhone(value: string | null | undefined): string {
  if (!value) return '';
  const digits = value.replace(/\D/g, '');
  if (digits.length < 4) return '***';
  return `***${digits.slice(-4)}`;
}

export function scrubString(s: string): string {
  return s.replace(PHONE_LIKE, (match) => maskPhone(match));
}

export function scrub(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (typeof value === 'string') return scrubString(value);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value instanceof Error) return { error: scrubString(value.message), name: value.name };
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = REDACTED_KEYS.has(k.toLowerCase()) && v != null && v !== '' ? '[redacted]' : scrub(v, depth + 1);
    }
    return out;
  }
  return value;
}

const SPLAT = Symbol.for('splat');
const scrubFormat = winston.format((info) => {
  const requestId = currentRequestId();
  if (requestId && info.requestId === undefined) info.requestId = requestId;
  for (const key of Object.keys(info)) {
    if (key === 'level' || key === 'timestamp') continue;
    const v = info[key];
    info[key] = key === 'message' ? (typeof v === 'string' ? scrubString(v) : scrub(v)) : REDACTED_KEYS.has(key.toLowerCase()) ? '[redacted]' : scrub(v);
  }
  delete (info as Record<symbol, unknown>)[SPLAT];
  return info;
});

function buildLogger(): winston.Logger {
  const production = process.env.NODE_ENV === 'production';
  const level = process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'warn' : 'info');
  const format = production
    ? winston.format.combine(scrubFormat(), winston.format.timestamp(), winston.format.json())
    : winston.format.combine(
        scrubFormat(),
        winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
        winston.format.printf(({ timestamp, level: lvl, message, requestId, ...rest }) => {
          const meta = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
          const rid = requestId ? ` [${String(requestId)}]` : '';
          return `${String(timestamp)} ${lvl}${rid} ${String(message)}${meta}`;
        }),
      );
  return winston.createLogger({ level, format, transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn'] })] });
}

/**
 * winston runs every line through its formats (the scrubbing, the timestamp, JSON) before the
 * transport drops it for its level: a line below the level cost as much as one written. The
 * level methods (`log.info(…)`, …) return at once for a level nobody writes.
 */
function quietBelowLevel(logger: winston.Logger): winston.Logger {
  const methods = logger as unknown as Record<string, (...args: unknown[]) => winston.Logger>;
  for (const level of Object.keys(logger.levels)) {
    const write = methods[level];
    if (typeof write !== 'function') continue;
    methods[level] = function (this: winston.Logger, ...args: unknown[]) {
      const self = this ?? logger;
      if (!self.isLevelEnabled(level)) return self;
      return write.apply(self, args);
    };
  }
  return logger;
}

export const log = quietBelowLevel(buildLogger());

/** A logger for one module: every line carries `module`. */
export function moduleLog(module: string): winston.Logger {
  return log.child({ module });
}
