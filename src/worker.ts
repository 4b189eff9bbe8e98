/**
 * The background worker alone: `npm run worker` (and `worker:` in the Procfile). It builds the
 * same services as the web process (src/app.ts, the composition root), so every job kind the web
 * process can enqueue has its handler here, and runs the job runner until SIGTERM or SIGINT; then
 * it stops claiming, lets the jobs in flight finish for up to 20 s, gives back the claims of the
 * ones still running (another worker takes them at once instead of waiting out the lease), and exits.
 *
 * Embedded PGlite belongs to one process: run a separate worker only with DATABASE_URL (the web
 * process runs the worker itself unless WORKER=off).
 */
import { loadConfigOrExit, type Config } from './config';
import { buildServices, type Services } from './app';
import { moduleLog } from './log';

const log = moduleLog('worker');

/** How long a graceful stop may take before the process exits anyway (Heroku allows 30 s). */
export const STOP_TIMEOUT_MS = 27_000;
/** Jobs still running this long after SIGTERM are released: another worker runs them at once. */
export const STOP_GRACE_MS = 20_000;

export interface RunningWorker {
  services: Services;
  /** Stops claiming, lets the jobs in flight finish for `graceMs`, then releases the rest. Resolves with how many were released. */
  stop(opts?: { graceMs?: number }): Promise<number>;
}

export async function startWorker(config: Config): Promise<RunningWorker> {
  if (!config.databaseUrl) {
    log.warn(`worker on embedded PGlite in ${config.dataDir}: do not run the web process on the same DATA_DIR at the same time (set DATABASE_URL to run them apart)`);
  }
  const services = await buildServices(config, { startWorker: true });
  log.info('worker running', { mode: config.safety.mode, because: config.safety.because, database: config.databaseUrl ? 'postgres' : 'pglite', twilio: config.twilio.mode, wellsky: config.wellsky.mode });
  let stopped: Promise<number> | undefined;
  return {
    services,
    stop({ graceMs = STOP_GRACE_MS } = {}) {
      stopped ??= services.close({ graceMs });
      return stopped;
    },
  };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const worker = await startWorker(config);
  const stop = (signal: string) => {
    log.info('worker stopping: no new jobs; finishing the jobs in flight or releasing them', { signal, running: worker.services.runner.running, graceMs: STOP_GRACE_MS });
    const timer = setTimeout(() => {
      log.error('worker did not stop in time; exiting (unfinished jobs run again when their lease expires)', { timeoutMs: STOP_TIMEOUT_MS });
      process.exit(1);
    }, STOP_TIMEOUT_MS);
    timer.unref();
    worker.stop().then(
      (released) => {
        log.info('worker stopped', { releasedJobs: released });
        process.exit(0);
      },
      (err: Error) => {
        log.error('worker stop failed', { error: err.message });
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`Worker start-up failed: ${err.message}`);
    process.exit(1);
  });
}
