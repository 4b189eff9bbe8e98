/**
 * Who may use the console: staff of the agency config, by password (a scrypt hash in the config)
 * or by a one-time login link texted to their phone; `admin` with ADMIN_PASSWORD (form or HTTP
 * basic auth, the fallback for scripts). Sessions live in a signed cookie (HMAC-SHA256); every
 * form carries a CSRF token bound to the session; failed logins are rate-limited.
 */
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Db } from '../db';
import type { Clock } from '../clock';
import type { Config, StaffMember } from '../config';

export const SESSION_COOKIE = 'fd_console';
export const SESSION_HOURS = 12;
export const LOGIN_LINK_MINUTES = 15;
/** Failed logins per IP (and per name) within the window before further tries are refused. */
export const MAX_FAILED_LOGINS = 5;
export const FAILED_LOGIN_WINDOW_MS = 15 * 60_000;

export interface Session {
  sid: string;
  /** Who is signed in ("Care Manager", "admin"); undefined before login. */
  user?: string;
  exp: number;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ── Passwords ──────────────────────────────────────────────────────────────────────────────

/** "scrypt$<salt>$<hash>" (base64url), what `npm run hash-password` prints for the agency config. */
export function hashPassword(password: string, salt = randomBytes(16)): string {
  const hash = scryptSync(password, salt, 32);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = scryptSync(password, Buffer.from(salt, 'base64url'), expected.length);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

// ── Sessions and CSRF ──────────────────────────────────────────────────────────────────────

export function createSessions(config: Config, clock: Clock) {
  // Without SESSION_SECRET, one derived from ADMIN_PASSWORD (stable across restarts and dynos);
  // with neither (development only), a random one per process.
  const secret = config.sessionSecret
    ? config.sessionSecret
    : config.adminPassword
      ? createHmac('sha256', 'front-door console session').update(config.adminPassword).digest('hex')
      : randomBytes(32).toString('hex');
  const secure = config.publicBaseUrl.startsWith('https://');
  const sign = (data: string) => createHmac('sha256', secret).update(data).digest('base64url');

  function read(req: Request): Session | undefined {
    const cookie = (req.header('cookie') ?? '').split(/;\s*/).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) return undefined;
    const [data, mac] = cookie.slice(SESSION_COOKIE.length + 1).split('.');
    if (!data || !mac || !safeEqual(sign(data), mac)) return undefined;
    try {
      const s = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as Session;
      if (typeof s.sid !== 'string' || typeof s.exp !== 'number' || s.exp < clock.now().getTime()) return undefined;
      return s;
    } catch {
      return undefined;
    }
  }

  function write(res: Response, session: Session): void {
    const data = Buffer.from(JSON.stringify(session)).toString('base64url');
    const maxAge = Math.max(0, Math.round((session.exp - clock.now().getTime()) / 1000));
    res.append('Set-Cookie', `${SESSION_COOKIE}=${data}.${sign(data)}; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`);
  }

  function clear(res: Response): void {
    res.append('Set-Cookie', `${SESSION_COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`);
  }

  /** A new session (a fresh id: a login never keeps the id it had before). */
  function start(user?: string): Session {
    return { sid: randomBytes(18).toString('base64url'), user, exp: clock.now().getTime() + SESSION_HOURS * 3_600_000 };
  }

  const csrfToken = (s: Session) => sign(`csrf:${s.sid}`);
  const csrfValid = (s: Session | undefined, token: unknown) => !!s && typeof token === 'string' && safeEqual(csrfToken(s), token);

  return { read, write, clear, start, csrfToken, csrfValid };
}

export type Sessions = ReturnType<typeof createSessions>;

// ── Login rate limit ───────────────────────────────────────────────────────────────────────

export function createLoginLimiter(clock: Clock, max = MAX_FAILED_LOGINS, windowMs = FAILED_LOGIN_WINDOW_MS) {
  const failures = new Map<string, number[]>();
  const recent = (key: string) => (failures.get(key) ?? []).filter((t) => t > clock.now().getTime() - windowMs);
  return {
    /** Seconds to wait when any of `keys` has too many recent failures; 0 when allowed. */
    blockedFor(keys: string[]): number {
      let wait = 0;
      for (const k of keys) {
        const r = recent(k);
        if (r.length >= max) wait = Math.max(wait, Math.ceil((r[0] + windowMs - clock.now().getTime()) / 1000));
      }
      return wait;
    },
    fail(keys: string[]): void {
      for (const k of keys) failures.set(k, [...recent(k), clock.now().getTime()]);
      if (failures.size > 10_000) failures.clear(); // bounded: a flood cannot grow memory without end
    },
    succeed(keys: string[]): void {
      for (const k of keys) failures.delete(k);
    },
  };
}

// ── Who may log in ─────────────────────────────────────────────────────────────────────────

const digitsOf = (s: string) => s.replace(/\D/g, '').replace(/^1(?=\d{10}$)/, '');

/** A staff member by name (any case) or phone (any formatting). */
export function findStaff(staff: StaffMember[], who: string): StaffMember | undefined {
  const w = who.trim().toLowerCase();
  if (!w) return undefined;
  const d = digitsOf(w);
  return staff.find((s) => s.name.toLowerCase() === w || (d.length === 10 && digitsOf(s.phone) === d));
}

/** Checks a password login; the display name of who logged in, or undefined. */
export function checkPassword(config: Config, who: string, password: string): string | undefined {
  if (!password) return undefined;
  if (who.trim().toLowerCase() === 'admin') return config.adminPassword && safeEqual(password, config.adminPassword) ? 'admin' : undefined;
  const person = findStaff(config.agency.staff, who);
  // Same work whether or not the person exists or has a hash: no timing hint about who is staff.
  const hash = person?.passwordHash ?? hashPassword('not a password', Buffer.alloc(16));
  return verifyPassword(password, hash) && person?.passwordHash ? person.name : undefined;
}

/** HTTP basic auth as `admin` (the fallback for scripts and curl). */
export function basicAdmin(config: Config, req: Request): boolean {
  if (!config.adminPassword) return false;
  const [scheme, encoded] = (req.header('authorization') ?? '').split(' ');
  if (scheme !== 'Basic' || !encoded) return false;
  const [user, ...rest] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
  return user === 'admin' && safeEqual(rest.join(':'), config.adminPassword);
}

// ── One-time login links ───────────────────────────────────────────────────────────────────

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export function createLoginLinks(db: Db, clock: Clock) {
  return {
    /** A new token for a staff phone (only its hash is stored). */
    async issue(staffPhone: string): Promise<string> {
      const token = randomBytes(24).toString('base64url');
      const at = clock.now();
      await db.query('INSERT INTO console_login_tokens (token_hash, staff_phone, created_at, expires_at) VALUES ($1, $2, $3, $4)', [
        tokenHash(token), staffPhone, at.toISOString(), new Date(at.getTime() + LOGIN_LINK_MINUTES * 60_000).toISOString(),
      ]);
      return token;
    },
    /** Uses the token once: the staff phone it was issued for, or undefined (unknown, used, expired). */
    async consume(token: string): Promise<string | undefined> {
      const at = clock.now().toISOString();
      const { rows } = await db.query<{ staff_phone: string }>(
        `UPDATE console_login_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 RETURNING staff_phone`,
        [tokenHash(token), at],
      );
      return rows[0]?.staff_phone;
    },
    async valid(token: string): Promise<boolean> {
      const { rows } = await db.query('SELECT 1 FROM console_login_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2', [
        tokenHash(token), clock.now().toISOString(),
      ]);
      return rows.length > 0;
    },
  };
}
