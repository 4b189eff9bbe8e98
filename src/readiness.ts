/**
 * What `/readyz` answers: the last known state of the database and WellSky, from a background
 * probe (one `SELECT 1` and one cheap WellSky read every 30 s at most), never a live request per
 * GET. Anonymous GETs therefore cannot spend the WellSky rate budget or trip the circuit breaker
 * the callers' lookups share; the probe's own one read per 30 s is all /readyz ever costs.
 * Errors are logged here (when the state changes) and never returned to the caller.
 */
import type { Db } from './db';
import type { WellSky } from './wellsky/service';
import { moduleLog } from './log';

const log = moduleLog('readiness');

/** How often the background probe runs (and so the most often WellSky is asked on its behalf). */
export const READINESS_PROBE_INTERVAL_MS = 30_000;
/** A probe result older than this many intervals is not trusted (a hung probe is not "ok"). */
const STALE_AFTER_INTERVALS = 3;

export type CheckState = 'ok' | 'down' | 'unknown';

export interface ReadinessState {
  database: CheckState;
  wellsky: CheckState;
  /** When the last probe finished (undefined before the first). */
  checkedAt?: Date;
}

export interface Readiness {
  /** The last known state; `unknown` before the first probe or once the last one is stale. */
  state(): ReadinessState;
  /** Runs a probe now (one at a time: a probe already running is awaited, not doubled). */
  probe(): Promise<ReadinessState>;
  /** Starts the background probe: one at once, then every `intervalMs`. */
  start(): void;
  stop(): void;
}

export function createReadiness(opts: { db: Db; wellsky: WellSky; intervalMs?: number; now?: () => number }): Readiness {
  const intervalMs = opts.intervalMs ?? READINESS_PROBE_INTERVAL_MS;
  const now = opts.now ?? (() => Date.now());
  let last: ReadinessState = { database: 'unknown', wellsky: 'unknown' };
  let running: Promise<ReadinessState> | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function check(name: 'database' | 'wellsky', run: () => Promise<unknown>): Promise<CheckState> {
    try {
      await run();
      if (last[name] === 'down') log.info(`readiness: ${name} answers again`);
      return 'ok';
    } catch (err) {
      if (last[name] !== 'down') log.warn(`readiness: ${name} does not answer`, { error: (err as Error).name, detail: (err as Error).message });
      return 'down';
    }
  }

  async function probeOnce(): Promise<ReadinessState> {
    const [database, wellsky] = await Promise.all([
      check('database', () => opts.db.query('SELECT 1')),
      // Interactive: the short deadline, so a hung WellSky shows as down within seconds.
      check('wellsky', () => opts.wellsky.ping({ interactive: true })),
    ]);
    last = { database, wellsky, checkedAt: new Date(now()) };
    return last;
  }

  return {
    state() {
      const stale = last.checkedAt && now() - last.checkedAt.getTime() > STALE_AFTER_INTERVALS * intervalMs;
      return stale ? { database: 'unknown', wellsky: 'unknown', checkedAt: last.checkedAt } : last;
    },
    probe() {
      running ??= probeOnce().finally(() => (running = undefined));
      return running;
    },
    start() {
      if (timer) return;
      void this.probe();
      timer = setInterval(() => void this.probe(), intervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
