/**
 * Dead letters a person sees. The runner calls `onDeadLetter` once per job that gave up; that
 * queues one alert per staff role per minute (coalesced: a burst of failures is one text, and a
 * role is texted at most every 30 minutes however long an outage lasts), and the
 * alert texts the people with the role how many of their jobs failed since when, pointing at the
 * console, where the dead letters are listed with a retry action.
 *
 *   "Acme Home Care: 3 WellSky writes have failed since 02:10: open the console https://…/dashboard"
 */
import { DateTime } from 'luxon';
import type { Db } from '../db';
import type { Clock } from '../clock';
import { staffWithRole, type AgencyConfig, type StaffRole } from '../config';
import { moduleLog } from '../log';
import type { JobQueue } from './queue';
import type { Job, JobHandlers } from './types';

const log = moduleLog('jobs.dead-letters');

export const DEAD_LETTER_ALERT_JOB = 'jobs.deadLetterAlert';
export const DEAD_LETTER_ALERT_PURPOSE = 'dead_letter_alert';

/** Who hears about a dead job of this kind. */
export function roleForKind(kind: string): StaffRole {
  if (kind.startsWith('shiftfill.')) return 'scheduler';
  if (kind.startsWith('complaint.')) return 'complaints';
  if (kind.startsWith('lead.')) return 'intake';
  if (kind.startsWith('outbox.')) return 'oncall';
  return 'owner';
}

/** What a dead job of this kind was, in the plural ("WellSky writes"). */
export function groupForKind(kind: string): { one: string; many: string } {
  if (['shiftfill.record', 'shiftfill.writeBack', 'shiftfill.cancel', 'complaint.adminTask', 'lead.writeBack'].includes(kind)) return { one: 'WellSky write', many: 'WellSky writes' };
  if (kind.startsWith('outbox.')) return { one: 'text', many: 'texts' };
  if (kind.startsWith('directory.')) return { one: 'directory sync', many: 'directory syncs' };
  return { one: 'background job', many: 'background jobs' };
}

export interface DeadLetterAlertsOptions {
  db: Db;
  jobs: JobQueue;
  clock: Clock;
  /** The outbox (or anything that sends a text once per idempotency key). */
  texts: { send(msg: { to: string; body: string; purpose: string; audience: 'staff'; idempotencyKey: string; meta?: Record<string, unknown> }): Promise<unknown> };
  agency: AgencyConfig;
  /** Where staff see the dead letters (the console). */
  consoleUrl: string;
  /** Dead letters within this window make one text; default 60 s. */
  windowMs?: number;
  /** A role is texted at most once this often; later dead letters wait for the next notice. Default 30 min. */
  minGapMs?: number;
}

export function createDeadLetterAlerts(opts: DeadLetterAlertsOptions) {
  const { db, jobs, clock } = opts;
  const windowMs = opts.windowMs ?? 60_000;
  const minGapMs = opts.minGapMs ?? 30 * 60_000;

  /** For JobRunnerOptions.onDeadLetter: queue the role's alert for the end of this window. */
  async function onDeadLetter(job: Job): Promise<void> {
    if (job.kind === DEAD_LETTER_ALERT_JOB) return; // never alert about alerting
    if (job.kind === 'outbox.send') {
      // A dead alert text is not itself alerted (that would loop while Twilio is down).
      const { rows } = await db.query<{ purpose: string }>('SELECT purpose FROM outbound_messages WHERE id = $1', [Number((job.payload as { messageId?: unknown })?.messageId)]);
      if (rows[0]?.purpose === DEAD_LETTER_ALERT_PURPOSE) return;
    }
    const role = roleForKind(job.kind);
    const slot = Math.floor(clock.now().getTime() / windowMs);
    await jobs.enqueue(DEAD_LETTER_ALERT_JOB, { role }, { dedupeKey: `${DEAD_LETTER_ALERT_JOB}:${role}:${slot}`, runAt: new Date((slot + 1) * windowMs), maxAttempts: 5 });
  }

  /**
   * Texts the role about every dead letter of theirs since their last notice. Returns how many it
   * counted, or a time to try again when the role was texted less than `minGapMs` ago.
   */
  async function alert(role: StaffRole): Promise<number | Date> {
    const now = clock.now();
    const last = await db.query<{ until: Date | string; sent_at: Date | string }>('SELECT until, sent_at FROM dead_letter_notices WHERE role = $1 ORDER BY until DESC LIMIT 1', [role]);
    if (last.rows[0] && now.getTime() - new Date(last.rows[0].sent_at).getTime() < minGapMs) return new Date(new Date(last.rows[0].sent_at).getTime() + minGapMs);
    const after = last.rows[0] ? new Date(last.rows[0].until).toISOString() : new Date(0).toISOString();
    const { rows } = await db.query<{ kind: string; dead_at: Date | string }>(
      `SELECT kind, dead_at FROM jobs WHERE status = 'dead' AND dead_at > $1 AND dead_at <= $2 AND kind <> $3 ORDER BY dead_at`,
      [after, now.toISOString(), DEAD_LETTER_ALERT_JOB],
    );
    const mine = rows.filter((r) => roleForKind(r.kind) === role);
    if (!mine.length) return 0;
    const since = new Date(mine[0].dead_at);
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO dead_letter_notices (role, since, until, jobs, sent_at) VALUES ($1, $2, $3, $4, $3) RETURNING id`,
      [role, since.toISOString(), now.toISOString(), mine.length],
    );
    const counts = new Map<string, { n: number; one: string; many: string }>();
    for (const r of mine) {
      const g = groupForKind(r.kind);
      const c = counts.get(g.many) ?? { n: 0, ...g };
      c.n++;
      counts.set(g.many, c);
    }
    const parts = [...counts.values()].map((c) => `${c.n} ${c.n === 1 ? c.one : c.many}`);
    const what = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
    const zone = opts.agency.agency.timezone;
    const at = DateTime.fromJSDate(since, { zone });
    const sinceText = at.hasSame(DateTime.fromJSDate(now, { zone }), 'day') ? at.toFormat('HH:mm') : at.toFormat('ccc d LLL HH:mm');
    const agencyName = opts.agency.agency.shortName ?? opts.agency.agency.name;
    const body = `${agencyName}: ${what} ${mine.length === 1 ? 'has' : 'have'} failed since ${sinceText}: open the console ${opts.consoleUrl}`;
    const people = staffWithRole(opts.agency, role);
    for (const person of people.length ? people : staffWithRole(opts.agency, 'oncall')) {
      await opts.texts.send({ to: person.phone, body, purpose: DEAD_LETTER_ALERT_PURPOSE, audience: 'staff', idempotencyKey: `dead-letters:${inserted.rows[0].id}:${person.phone}`, meta: { role, deadLetters: mine.length } });
    }
    log.warn('staff told about dead letters', { role, jobs: mine.length });
    return mine.length;
  }

  const jobHandlers: JobHandlers = {
    [DEAD_LETTER_ALERT_JOB]: async (p: { role: StaffRole }, jctx) => {
      const result = await alert(p.role);
      if (result instanceof Date) jctx.reschedule(result);
    },
  };

  return { onDeadLetter, alert, jobHandlers };
}
