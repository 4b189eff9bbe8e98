/**
 * `npm run bench`: webhook latency, throughput and memory under load, with signed requests like
 * Twilio's. Prints figures next to the targets and never fails on them; docs/performance.md
 * says how to read them.
 *
 *   npm run bench                                  # starts the app in-process on a temp DATA_DIR
 *   npm run bench -- --base http://localhost:3000 [--server-pid PID] [--public-base URL] [--token T]
 *   (RSS of a local --base server is read from /proc; its pid is found from the port)
 *   options: --duration 10 --connections 10 --known-from +17205550112,… --only ring,turn,sms --json
 *   --baseline: also starts a bare express 5 handler that checks the Twilio signature and answers a
 *   Gather (the floor any Twilio app pays), loads it first the same way, and prints each
 *   scenario's throughput as a share of it, from the same run.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import twilio from 'twilio';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { parseTwiml, Verb } from './phone/twiml';
import {
  DEFAULT_AGENCY_NUMBER,
  DEV_ACCOUNT_SID,
  DEV_AUTH_TOKEN,
  WebhookTarget,
  defaultFetch,
  newSid,
  resolvePublicUrl,
  sendWebhook,
  signature,
  trimBase,
} from './phone/webhook';

const TARGET_P99_MS = 50;
const TARGET_RSS_MB = 300;
/** Understood by no flow, so every turn re-asks and needs no WellSky request. */
// A question the router answers from the agency config and then asks "anything else?": the call
// goes on turn after turn with no WellSky request (unrecognised speech would end it after two tries).
const UNRECOGNISED_SPEECH = 'What are your office hours?';

type ScenarioName = 'ring' | 'turn' | 'sms' | 'baseline';
const SCENARIO_TITLES: Record<ScenarioName, string> = {
  baseline: 'baseline: bare signed Gather',
  ring: 'first ring, known caller',
  turn: 'speech turn, no WellSky',
  sms: 'SMS turn ("hello")',
};

interface BenchOptions {
  target: WebhookTarget;
  knownFrom: string[];
  agencyNumber: string;
  durationSeconds: number;
  connections: number;
  rssOf: () => number | undefined;
}

interface Figures {
  scenario: ScenarioName;
  title: string;
  connections: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerSecond: number;
  peakRssMb?: number;
  non2xx: number;
  errors: number;
  note?: string;
}

/** One request as autocannon wants it: method, path (as sent), headers, body. */
interface PreparedRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      base: { type: 'string' },
      'public-base': { type: 'string' },
      token: { type: 'string' },
      // Sandbox fixture people (docs/sandbox.md): on file whatever the seed, so every ring is a cache hit.
      'known-from': { type: 'string', default: '+17205550112,+17205550113,+17205550111,+19705550131,+13035550121,+13035550122,+13035550123,+13035550124,+17205550115,+13035550114' },
      to: { type: 'string', default: DEFAULT_AGENCY_NUMBER },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      only: { type: 'string', default: 'ring,turn,sms,campaign' },
      caregivers: { type: 'string', default: '300' },
      latency: { type: 'string', default: '100' },
      'server-pid': { type: 'string' },
      json: { type: 'boolean', default: false },
      baseline: { type: 'boolean', default: false },
    },
  });
  const requested = values.only.split(',').map((s) => s.trim());
  const withCampaign = requested.includes('campaign');
  const scenarios = requested.filter((s) => s !== 'campaign' && s !== 'baseline') as ScenarioName[];
  const unknown = scenarios.find((s) => !(s in SCENARIO_TITLES));
  if (unknown) throw new Error(`--only ${values.only}: "${unknown}" is not a scenario; use ring, turn, sms, campaign`);

  const server = values.base
    ? { url: trimBase(values.base), close: async () => undefined, inProcess: false }
    : scenarios.length
      ? await startInProcess()
      : { url: 'http://localhost (no webhook scenario)', close: async () => undefined, inProcess: true };
  const base = server.url;
  const serverPid = values['server-pid'] ? Number(values['server-pid']) : server.inProcess ? undefined : pidListeningOn(base);
  const opts: BenchOptions = {
    target: {
      base,
      publicBase: trimBase(values['public-base'] ?? base),
      authToken: values.token ?? process.env.TWILIO_AUTH_TOKEN ?? DEV_AUTH_TOKEN,
      fetchImpl: defaultFetch,
    },
    knownFrom: values['known-from'].split(',').map((s) => s.trim()),
    agencyNumber: values.to,
    durationSeconds: positive(values.duration, '--duration'),
    connections: positive(values.connections, '--connections'),
    rssOf: server.inProcess ? () => process.memoryUsage().rss : serverPid ? () => rssOfPid(serverPid) : () => undefined,
  };

  const log = (s: string) => (values.json ? process.stderr : process.stdout).write(s + '\n');
  log(`Benchmarking ${base}${server.inProcess ? ' (app started in-process: dev Twilio mode, embedded WellSky sandbox, temp DATA_DIR)' : ''}`);
  if (serverPid !== undefined) log(`server process: pid ${serverPid}${values['server-pid'] ? '' : ' (found listening on the --base port)'}`);
  log(`${opts.durationSeconds} s per scenario, ${opts.connections} connections, known caller ${opts.knownFrom.join(', ')}\n`);

  const results: Figures[] = [];
  if (values.baseline) {
    log(`running: ${SCENARIO_TITLES.baseline} ...`);
    const bare = await startBaseline(opts.target.authToken);
    try {
      const target = { ...opts.target, base: bare.url, publicBase: bare.url };
      results.push(await RUNNERS.baseline({ ...opts, target, rssOf: opts.rssOf }));
    } finally {
      await bare.close();
    }
  }
  try {
    for (const scenario of scenarios) {
      log(`running: ${SCENARIO_TITLES[scenario]} ...`);
      try {
        results.push(await RUNNERS[scenario](opts));
      } catch (err) {
        log(`  skipped: ${(err as Error).message}`);
      }
    }
  } finally {
    await server.close();
  }

  // The campaign figure builds its own app and sandbox (300 caregivers, slow WellSky), whatever --base says.
  let campaign: import('./bench-campaign').CampaignFigures | undefined;
  if (withCampaign) {
    log('running: campaign, call-out confirmed → first offer to the transport ...');
    process.env.LOG_LEVEL ??= 'warn';
    const { measureCampaign } = await import('./bench-campaign');
    campaign = await measureCampaign({ caregivers: positive(values.caregivers, '--caregivers'), latencyMs: Number(values.latency) });
  }

  const floor = results.find((r) => r.scenario === 'baseline');
  const ratios = floor ? Object.fromEntries(results.filter((r) => r !== floor).map((r) => [r.scenario, r.requestsPerSecond / floor.requestsPerSecond])) : undefined;
  if (values.json) console.log(JSON.stringify({ base, inProcess: server.inProcess, targets: { p99Ms: TARGET_P99_MS, rssMb: TARGET_RSS_MB }, results, ratios, campaign }, null, 2));
  else {
    if (results.length) printTable(results, server.inProcess, serverPid !== undefined);
    if (campaign) (await import('./bench-campaign')).printCampaign(campaign);
  }
}

// ---------------------------------------------------------------------------------------------
// Scenarios
// ---------------------------------------------------------------------------------------------

const RUNNERS: Record<ScenarioName, (opts: BenchOptions) => Promise<Figures>> = {
  /** The floor: the same signed speech-turn request, to a handler that only checks the signature and answers a Gather. */
  baseline: (opts) => {
    let n = 0;
    return load(opts, 'baseline', opts.connections, () => () =>
      signedPost(opts.target, `/gather?t=${++n}`, {
        ...callParams(opts, newSid('CA'), opts.knownFrom[n % opts.knownFrom.length], 'in-progress'),
        SpeechResult: UNRECOGNISED_SPEECH,
        Confidence: '0.87',
      }),
    );
  },

  /** A new call from a caregiver's phone, new CallSid every request. */
  ring: (opts) => {
    let n = 0;
    return load(opts, 'ring', opts.connections, () => () => {
      const from = opts.knownFrom[n++ % opts.knownFrom.length];
      return signedPost(opts.target, '/twilio/voice', callParams(opts, newSid('CA'), from, 'ringing'));
    });
  },

  /**
   * One call per connection, each answered turn after turn with a question the router answers itself, so
   * the app re-asks without any WellSky request. Each connection owns its call: turns of one call
   * never race each other (they would only measure the conversation lock), and turn numbers rise.
   */
  turn: async (opts) => {
    const calls: CallAtGather[] = [];
    for (let i = 0; i < opts.connections; i++) calls.push(await startCallAtGather(opts, opts.knownFrom[i % opts.knownFrom.length]));
    let next = 0;
    const note = calls[0].turnParam ? undefined : 'action URL has no t= turn number: every request repeats one turn (dedupe path)';
    return load(opts, 'turn', opts.connections, () => {
      const call = calls[next++ % calls.length];
      return () => {
        const action = new URL(call.action);
        if (call.turnParam) action.searchParams.set('t', String(++call.turn));
        const pathAndQuery = action.toString().slice(opts.target.publicBase.length);
        return signedPost(opts.target, pathAndQuery, { ...callParams(opts, call.callSid, call.from, 'in-progress'), SpeechResult: UNRECOGNISED_SPEECH, Confidence: '0.87' });
      };
    }, note);
  },

  /**
   * "hello" from known phones, new MessageSid every request. A thread is keyed by the phone pair,
   * so one connection per phone: a person texts one message at a time, and ten connections on one
   * thread would only measure the wait for its lock. Pass several --known-from for more load.
   */
  sms: (opts) => {
    const connections = Math.min(opts.connections, opts.knownFrom.length);
    let next = 0;
    const note = connections < opts.connections ? `one connection per phone in --known-from (${connections})` : undefined;
    return load(opts, 'sms', connections, () => {
      const from = opts.knownFrom[next++ % opts.knownFrom.length];
      return () => {
        const sid = newSid('SM');
        return signedPost(opts.target, '/twilio/sms', {
          MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AccountSid: accountSid(), From: from, To: opts.agencyNumber,
          Body: 'hello', NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01',
        });
      };
    }, note);
  },
};

function callParams(opts: BenchOptions, callSid: string, from: string, callStatus: string): Record<string, string> {
  return {
    CallSid: callSid, AccountSid: accountSid(), From: from, To: opts.agencyNumber, Caller: from, Called: opts.agencyNumber,
    CallStatus: callStatus, Direction: 'inbound', ApiVersion: '2010-04-01',
  };
}

function accountSid(): string {
  return process.env.TWILIO_ACCOUNT_SID ?? DEV_ACCOUNT_SID;
}

/** Signs over the public URL; the path sent keeps any path prefix of --base. */
function signedPost(target: WebhookTarget, pathAndQuery: string, params: Record<string, string>): PreparedRequest {
  const basePath = new URL(target.base).pathname.replace(/\/+$/, '');
  return {
    method: 'POST',
    path: basePath + pathAndQuery,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signature(target.authToken, target.publicBase + pathAndQuery, params),
    },
    body: new URLSearchParams(params).toString(),
  };
}

interface CallAtGather {
  callSid: string;
  from: string;
  /** Public URL of the Gather action. */
  action: string;
  /** Whether the action carries a `t=` turn number (raised on every request). */
  turnParam: boolean;
  turn: number;
}

/** Rings once and follows Redirects to the first Gather, whose action the turn scenario posts to. */
async function startCallAtGather(opts: BenchOptions, from: string): Promise<CallAtGather> {
  const callSid = newSid('CA');
  let url = `${opts.target.publicBase}/twilio/voice`;
  let status = 'ringing';
  for (let hop = 0; hop < 5; hop++) {
    const answer = await sendWebhook(opts.target, url, callParams(opts, callSid, from, status));
    status = 'in-progress';
    if (answer.status !== 200) throw new Error(`POST ${url} answered HTTP ${answer.status}; cannot start a call for the turn scenario`);
    const verbs: Verb[] = parseTwiml(answer.body);
    const gather = verbs.find((v) => v.verb === 'Gather');
    if (gather?.verb === 'Gather') {
      const action = resolvePublicUrl(opts.target, gather.action ?? url, url);
      if (!action.startsWith(opts.target.publicBase)) throw new Error(`the Gather action ${action} is not on ${opts.target.publicBase}`);
      const turn = Number(new URL(action).searchParams.get('t'));
      return { callSid, from, action, turnParam: Number.isFinite(turn) && new URL(action).searchParams.has('t'), turn: turn || 0 };
    }
    const redirect = verbs.find((v) => v.verb === 'Redirect');
    if (redirect?.verb !== 'Redirect') throw new Error(`the first answer to ${from} has no <Gather> (verbs: ${verbs.map((v) => v.verb).join(', ')})`);
    url = resolvePublicUrl(opts.target, redirect.url, url);
  }
  throw new Error('no <Gather> after 5 redirects');
}

/**
 * Runs autocannon with a request generator per connection: each connection asks its generator
 * for the next request as soon as a response arrives (Client.setRequests), so every request is
 * signed and unique.
 */
async function load(
  opts: BenchOptions,
  scenario: ScenarioName,
  connections: number,
  generatorForConnection: () => () => PreparedRequest,
  note?: string,
): Promise<Figures> {
  let peakRss = opts.rssOf();
  const sampler = setInterval(() => {
    const rss = opts.rssOf();
    if (rss !== undefined) peakRss = Math.max(peakRss ?? 0, rss);
  }, 200);
  try {
    const result = await autocannon({
      url: opts.target.base,
      connections,
      duration: opts.durationSeconds,
      timeout: 15, // Twilio's own webhook timeout
      setupClient: (client) => {
        const nextRequest = generatorForConnection();
        client.setRequests([nextRequest()]);
        client.on('response', () => client.setRequests([nextRequest()]));
      },
    });
    return {
      scenario,
      title: SCENARIO_TITLES[scenario],
      connections,
      requests: result.requests.total,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      requestsPerSecond: result.requests.average,
      peakRssMb: peakRss === undefined ? undefined : Math.round(peakRss / 1024 / 1024),
      non2xx: result.non2xx,
      errors: result.errors,
      note,
    };
  } finally {
    clearInterval(sampler);
  }
}

/** The bare handler: express 5, urlencoded body, twilio.validateRequest, a Gather. Same process as the app in-process run. */
async function startBaseline(authToken: string): Promise<{ url: string; close: () => Promise<void> }> {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.urlencoded({ extended: false }));
  let url = '';
  app.post('/gather', (req, res) => {
    const ok = twilio.validateRequest(authToken, req.header('x-twilio-signature') ?? '', url + req.originalUrl, req.body as Record<string, string>);
    if (!ok) {
      res.status(403).end();
      return;
    }
    res
      .type('text/xml')
      .send(`<?xml version="1.0" encoding="UTF-8"?><Response><Gather input="speech" action="/gather?t=${Number(req.query.t ?? 0) + 1}" speechTimeout="auto"><Say>Anything else?</Say></Gather></Response>`);
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// The app, in-process
// ---------------------------------------------------------------------------------------------

type StartServer = (opts: { port: number }) => Promise<{ url: string; close: () => Promise<void> }>;

async function startInProcess() {
  const serverModule = path.join(__dirname, '..', 'src', 'server');
  if (!fs.existsSync(`${serverModule}.ts`)) {
    throw new Error('src/server.ts does not exist yet: start the server yourself and pass --base http://localhost:3000');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agency-bench-'));
  // Never load test a real WellSky or send real texts from a benchmark; a temp database starts clean.
  for (const key of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_AUTH_TOKEN_SECONDARY', 'WELLSKY_CLIENT_ID', 'WELLSKY_CLIENT_SECRET', 'WELLSKY_AGENCY_ID', 'PUBLIC_BASE_URL']) {
    delete process.env[key];
  }
  process.env.DATA_DIR = dataDir;
  process.env.LOG_LEVEL ??= 'warn';

  // Required at run time, not imported: the bench must start (and explain) even before the server exists.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  let startServer: StartServer | undefined;
  try {
    ({ startServer } = require(serverModule) as { startServer?: StartServer });
  } catch (err) {
    throw new Error(`cannot load src/server.ts (${(err as Error).message.split('\n')[0]}): fix that, or start the server yourself and pass --base http://localhost:3000`);
  }
  if (typeof startServer !== 'function') {
    throw new Error('src/server.ts does not export startServer({ port }) yet: start the server yourself and pass --base http://localhost:3000');
  }
  const started = await startServer({ port: 0 });
  return {
    url: trimBase(started.url),
    inProcess: true,
    close: async () => {
      await started.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The process listening on the --base port, when it runs on this machine as this user (Linux):
 * found through /proc/net/tcp's socket inode, so nobody has to guess which `node` is the server.
 */
function pidListeningOn(base: string): number | undefined {
  const url = new URL(base);
  if (!['localhost', '127.0.0.1', '[::1]', '0.0.0.0'].includes(url.hostname)) return undefined;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols[1] is local address:port, cols[3] the state (0A = LISTEN), cols[9] the socket inode.
      if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(cols[9]);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1])) return Number(pid);
      } catch {
        // the fd closed while we looked
      }
    }
  }
  return undefined;
}

function rssOfPid(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------

function printTable(results: Figures[], inProcess: boolean, pidGiven: boolean): void {
  const floor = results.find((r) => r.scenario === 'baseline');
  const share = (r: Figures) => (floor && floor.requestsPerSecond > 0 ? `${((100 * r.requestsPerSecond) / floor.requestsPerSecond).toFixed(1)}%` : 'n/a');
  const rows = [
    ['scenario', 'conns', 'requests', 'p50 ms', `p99 ms (target < ${TARGET_P99_MS})`, 'req/s', ...(floor ? ['of baseline'] : []), `peak RSS MB (target < ${TARGET_RSS_MB})`, 'non-2xx', 'errors'],
    ...results.map((r) => [
      r.title,
      String(r.connections),
      String(r.requests),
      r.p50Ms.toFixed(1),
      `${r.p99Ms.toFixed(1)} ${r.p99Ms < TARGET_P99_MS ? 'ok' : 'OVER'}`,
      r.requestsPerSecond.toFixed(0),
      ...(floor ? [share(r)] : []),
      r.peakRssMb === undefined ? 'n/a' : `${r.peakRssMb} ${r.peakRssMb < TARGET_RSS_MB ? 'ok' : 'OVER'}`,
      String(r.non2xx),
      String(r.errors),
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  console.log('');
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('');
  for (const r of results) if (r.note) console.log(`note (${r.scenario}): ${r.note}`);
  if (results.some((r) => r.non2xx > 0)) console.log('note: non-2xx answers count in the latency figures; check the server log (a 403 means --public-base or --token differ from the server).');
  if (floor) console.log('of baseline: throughput as a share of the bare signed-Gather handler in this run (targets, docs/performance.md: speech turn ≥ 25% on Postgres, ≥ 15% on PGlite; SMS turn ≥ 15% on Postgres).');
  console.log(`The p99 target applies to turns that need no WellSky request (the speech turn by design; the first ring and "hello" when the caller is in the directory cache).`);
  if (inProcess) console.log('In-process: the load generator shares the event loop and the RSS with the app, so figures are pessimistic; for release figures run `npm start` and pass --base and --server-pid.');
  else if (!pidGiven) console.log('RSS: the server process was not found on this machine; pass --server-pid PID to sample its memory.');
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} ${value}: must be a positive number`);
  return n;
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exit(1);
  },
);
