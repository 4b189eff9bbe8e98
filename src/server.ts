/**
 * The web process: `npm start` (development) and `web:` in the Procfile (production).
 * With nothing configured it runs on embedded PGlite in DATA_DIR, the in-process WellSky sandbox
 * and dev Twilio mode, and says so.
 */
import type { Server } from 'node:http';
import { loadConfig, loadConfigOrExit, staffWithRole, type Config } from './config';
import { buildServices, createApp, type BuildOptions, type Services } from './app';
import { log } from './log';

export interface StartOptions extends BuildOptions {
  port?: number;
  env?: NodeJS.ProcessEnv;
  config?: Config;
}

export interface RunningServer {
  url: string;
  services: Services;
  server: Server;
  close(): Promise<void>;
  /**
   * The graceful stop (SIGTERM): takes no new connections or jobs, lets the requests in hand
   * finish (idle keep-alive connections are closed now, busy ones after `graceMs`), gives back the
   * claims of jobs still running after `graceMs` so another process runs them at once, and closes
   * the rest. Resolves with how many jobs were released.
   */
  shutdown(opts?: { graceMs?: number }): Promise<number>;
}

/** How long in-hand work may take after SIGTERM before it is released (Heroku kills at 30 s). */
export const SHUTDOWN_GRACE_MS = 20_000;
/** The hard limit: exit anyway (Heroku's SIGKILL comes at 30 s). */
export const SHUTDOWN_HARD_LIMIT_MS = 27_000;

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const config = opts.config ?? loadConfig(opts.env ?? process.env);
  const services = await buildServices(config, opts);
  // /readyz answers from this probe's last result (at most one WellSky read per 30 s).
  services.readiness.start();
  const app = createApp(services);
  const port = opts.port ?? config.port;
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, () => resolve(s));
    s.on('error', reject);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://localhost:${actualPort}`,
    services,
    server,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await services.close();
    },
    async shutdown({ graceMs = SHUTDOWN_GRACE_MS } = {}) {
      services.lifecycle.draining = true;
      const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const [released] = await Promise.all([
        services.runner.stop({ graceMs }),
        Promise.race([httpClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]).then(() => {
          clearTimeout(timer);
          server.closeAllConnections();
        }),
      ]);
      await services.close({ graceMs: 0 });
      return released;
    },
  };
}

function describeStart(config: Config, url: string, sandboxUrl?: string): string {
  const lines = [`Front door for ${config.agency.agency.name} listening on ${url} (public URL ${config.publicBaseUrl})`];
  lines.push(
    config.safety.mode === 'dev'
      ? '  mode: DEV (nothing live configured): unsigned webhooks, /dev/* routes and the bundled agency allowed (docs/privacy.md)'
      : `  mode: live (${config.safety.because}): signed webhooks only, no /dev/* routes, console needs a login`,
  );
  lines.push(config.databaseUrl ? '  database: Postgres (DATABASE_URL)' : `  database: embedded PGlite in ${config.dataDir}`);
  lines.push(
    config.wellsky.mode === 'sandbox'
      ? `  WellSky: embedded sandbox with a synthetic agency at ${sandboxUrl ?? '(in-process)'} (no WELLSKY_* credentials set; admin API under /_sandbox/, docs/sandbox.md)`
      : `  WellSky: ${config.wellsky.baseUrl}`,
  );
  lines.push(config.twilio.mode === 'dev' ? '  Twilio: DEV MODE: unsigned webhooks accepted, texts go to the dev outbox (GET /dev/texts)' : '  Twilio: live, webhook signatures checked');
  lines.push(`  on-call chain: ${staffWithRole(config.agency, 'oncall').map((s) => s.name).join(' → ')}`);
  lines.push(`  dashboard: ${url}/dashboard${config.adminPassword ? ' (user admin)' : ' (open: no ADMIN_PASSWORD in dev mode)'}`);
  if (config.twilio.mode === 'dev') {
    lines.push(
      '',
      'Try a call as caregiver Dana Whitfield:  npm run phone -- call --from +17205550112',
      'Try a text:                              npm run phone -- text --from +17205550112 "I am sick and cannot make my shift"',
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  if (config.twilio.mode === 'dev') {
    log.warn('TWILIO DEV MODE: webhooks are accepted WITHOUT signature checks and texts are not sent. Set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for real use.');
  }
  const running = await startServer({ config });
  console.log(describeStart(config, running.url, running.services.sandbox?.url));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down: no new webhooks or jobs; finishing or releasing what is in hand', { signal, graceMs: SHUTDOWN_GRACE_MS });
    const timer = setTimeout(() => {
      log.error('shutdown did not finish in time; exiting', { timeoutMs: SHUTDOWN_HARD_LIMIT_MS });
      process.exit(1);
    }, SHUTDOWN_HARD_LIMIT_MS);
    timer.unref();
    const released = await running.shutdown().catch((err: Error) => {
      log.error('shutdown error', { error: err.message });
      return 0;
    });
    log.info('stopped', { releasedJobs: released });
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`Start-up failed: ${err.message}`);
    process.exit(1);
  });
}
