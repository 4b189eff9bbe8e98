/**
 * The WellSky sandbox on its own: `npm run sandbox -- [--port 8089] [--seed FILE]
 * [--caregivers N] [--clients N] [--token-ttl S] [--no-put] [--host 127.0.0.1] [--set key=value …]`.
 * `--set` switches a quirk (docs/sandbox.md), e.g. `--set timeFormat=local --set openShiftShape=missing`.
 * Prints where it listens, the credentials to use and the admin routes. See docs/sandbox.md.
 */
import { parseArgs } from 'node:util';
import { createSandbox, loadSeedFile, type SandboxOptions } from '../src/wellsky-sandbox';

function fail(message: string): never {
  process.stderr.write(`sandbox: ${message}\n`);
  process.exit(2);
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) fail(`${flag} must be a positive whole number, got "${value}"`);
  return Number(value);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string', default: '8089' },
        host: { type: 'string', default: '127.0.0.1' },
        seed: { type: 'string' },
        caregivers: { type: 'string' },
        clients: { type: 'string' },
        'token-ttl': { type: 'string' },
        'no-put': { type: 'boolean', default: false },
        set: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    fail(`${(err as Error).message}\nUsage: tsx scripts/sandbox.ts [--port 8089] [--host 127.0.0.1] [--seed FILE] [--caregivers N] [--clients N] [--token-ttl S] [--no-put] [--set key=value …]`);
  }
  if (args.help) {
    process.stdout.write('Usage: tsx scripts/sandbox.ts [--port 8089] [--host 127.0.0.1] [--seed FILE] [--caregivers N] [--clients N] [--token-ttl S] [--no-put] [--set key=value …]\n');
    return;
  }
  const port = Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0–65535, got "${args.port}"`);

  const opts: SandboxOptions = {
    caregivers: positiveInt('--caregivers', args.caregivers),
    clients: positiveInt('--clients', args.clients),
    tokenTtlSeconds: positiveInt('--token-ttl', args['token-ttl']),
    allowAppointmentPut: !args['no-put'],
  };
  if (args.seed) {
    try {
      opts.seed = loadSeedFile(args.seed);
    } catch (err) {
      fail((err as Error).message);
    }
  }
  let sandbox;
  try {
    sandbox = createSandbox(opts);
    const switches: Record<string, unknown> = {};
    for (const pair of args.set ?? []) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(pair);
      if (!m) fail(`--set takes key=value, got "${pair}"`);
      const [, key, raw] = m;
      switches[key] = raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) ? Number(raw) : raw;
    }
    if (Object.keys(switches).length) sandbox.configure(switches);
  } catch (err) {
    const e = err as { message?: string; body?: { error?: string } };
    fail(e.body?.error ?? e.message ?? String(err));
  }
  const server = await sandbox.listen(port, args.host).catch((err: Error) => fail(`cannot listen on ${args.host}:${port}: ${err.message}`));
  const { url } = server;
  const c = sandbox.credentials;
  const s = sandbox.state;
  process.stdout.write(
    [
      `WellSky sandbox listening on ${url}`,
      `  data:        ${s.practitioners.length} practitioners, ${s.patients.length} patients, ${s.appointments.length} appointments${args.seed ? ` (from ${args.seed})` : ' (synthetic agency)'}`,
      `  token:       POST ${url}/oauth/accesstoken  (grant_type=client_credentials)`,
      `  API:         ${url}/v1/`,
      `  credentials: WELLSKY_BASE_URL=${url} WELLSKY_CLIENT_ID=${c.clientId} WELLSKY_CLIENT_SECRET=${c.clientSecret} WELLSKY_AGENCY_ID=${c.agencyId}`,
      `  token TTL:   ${opts.tokenTtlSeconds ?? 3599} s; appointment PUT ${opts.allowAppointmentPut ? 'allowed' : 'refused (403)'}`,
      '  admin (no auth):',
      `    GET    ${url}/_sandbox/requests          request log      DELETE same to clear`,
      `    POST   ${url}/_sandbox/faults            {"latencyMs":0,"errorRate":0,"outage":false}`,
      `    GET    ${url}/_sandbox/config            the switches now: ${JSON.stringify(sandbox.config())}`,
      `    POST   ${url}/_sandbox/config            {"timeFormat":"local","openShiftShape":"missing",…} (unknown keys refused)`,
      `    POST   ${url}/_sandbox/reset             back to the seed (?regenerate=1 to redraw around now)`,
      `    GET    ${url}/_sandbox/state/summary     counts`,
      `    POST   ${url}/_sandbox/clock-in/:appointmentId`,
      `    POST   ${url}/_sandbox/mutate/:resource/:id   partial patch; fires subscriptions`,
      `    GET    ${url}/_sandbox/webhooks          subscription deliveries`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    void server.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
