/**
 * The fault drill: `npm run drill [-- --outage-seconds 60 --keep]`.
 *
 * Starts, on the local Postgres server (DRILL_POSTGRES_URL, default
 * postgres://postgres@127.0.0.1:5432/postgres; a fresh database per run), two web processes and a
 * worker (the real src/server.ts and src/worker.ts), the WellSky sandbox (in this process, so the
 * drill can read its state and take it down) and a Twilio-compatible fake (scripts/drill/fake-twilio.ts),
 * then plays a night:
 *   - 20 call-outs, half by voice and half by text, through signed webhooks (the phone simulator),
 *   - complaints by text and leads by voice,
 *   - WellSky down for --outage-seconds (default 60 s of real time, standing for 10 simulated
 *     minutes: the app's retry delays are real time too),
 *   - Twilio timing out on 5% of sends (the message IS created, the answer comes too late) and
 *     answering 500 on another 5%,
 *   - kill -9 of web process 1 mid-campaign (webhooks then go to web 2, as a load balancer would),
 *   - 200 offer replies, 50 of them YES to one shift at the same moment,
 * and prints what was received vs recorded vs written to WellSky, texts intended vs sent vs
 * duplicated, winners per shift, dead letters, and the longest time anyone waited to be told.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createSandbox } from '../src/wellsky-sandbox';
import { simulateCall, simulateText, type FetchLike } from './phone/simulator';
import { startFakeTwilio, type FakeTwilio } from './drill/fake-twilio';

const ROOT = path.join(__dirname, '..');
const ACCOUNT_SID = 'AC000000000000000000000000000d1a11';
const AUTH_TOKEN = 'drill-auth-token-0123456789abcdef';
const AGENCY_NUMBER = '+13035550100';
const PUBLIC_BASE = 'https://drill.frontdoor.invalid';
const TIMEZONE = 'America/Denver';

const { values: args } = parseArgs({
  options: {
    'outage-seconds': { type: 'string', default: '60' },
    callouts: { type: 'string', default: '20' },
    replies: { type: 'string', default: '200' },
    simultaneous: { type: 'string', default: '50' },
    keep: { type: 'boolean', default: false },
    'settle-seconds': { type: 'string', default: '300' },
  },
});
const OUTAGE_MS = Number(args['outage-seconds']) * 1000;
const CALLOUTS = Number(args.callouts);
const REPLIES = Number(args.replies);
const SIMULTANEOUS = Number(args.simultaneous);
const SETTLE_MS = Number(args['settle-seconds']) * 1000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const t0 = Date.now();
const say = (msg: string) => process.stdout.write(`[drill +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);

interface Proc { name: string; port?: number; child: ChildProcess; alive: boolean; log: string }

const procs: Proc[] = [];

function startProc(name: string, script: string, env: NodeJS.ProcessEnv, port?: number): Proc {
  const log = path.join(os.tmpdir(), `drill-${process.pid}-${name}.log`);
  const out = fs.openSync(log, 'w');
  const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), script], {
    cwd: ROOT, env: { ...process.env, ...env, ...(port ? { PORT: String(port) } : {}) }, stdio: ['ignore', out, out],
  });
  const p: Proc = { name, port, child, alive: true, log };
  child.on('exit', () => (p.alive = false));
  procs.push(p);
  return p;
}

async function waitHealthy(p: Proc, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!p.alive) throw new Error(`${p.name} exited during start-up; see ${p.log}`);
    try {
      if ((await fetch(`http://127.0.0.1:${p.port}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    await sleep(250);
  }
  throw new Error(`${p.name} did not start in time; see ${p.log}`);
}

const freePort = () => 20_000 + Math.floor(Math.random() * 30_000);

/**
 * The load balancer: webhooks go round-robin to the live web processes; a connection that fails
 * (a killed process) is retried on the other one, as Heroku's router would route the retry.
 */
function balancer(webs: Proc[]): FetchLike {
  let next = 0;
  return (async (url: string, init?: RequestInit) => {
    let lastErr: unknown;
    for (let tries = 0; tries < 6; tries++) {
      const live = webs.filter((w) => w.alive);
      if (!live.length) throw new Error('no web process alive');
      const w = live[next++ % live.length];
      const target = url.replace(/^https?:\/\/[^/]+/, `http://127.0.0.1:${w.port}`);
      try {
        const res = await fetch(target, init);
        if (res.status >= 500 && tries < 5) {
          lastErr = new Error(`HTTP ${res.status}`);
          await sleep(200);
          continue;
        }
        return res;
      } catch (err) {
        lastErr = err;
        await sleep(200);
      }
    }
    throw lastErr;
  }) as FetchLike;
}

async function main(): Promise<void> {
  const adminUrl = process.env.DRILL_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `drill_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const databaseUrl = adminUrl.replace(/\/[^/]*$/, `/${dbName}`);
  say(`database ${dbName} on ${adminUrl.replace(/\/[^/]*$/, '')}`);

  // ── The sandbox and the Twilio fake ────────────────────────────────────────────────────
  const sandbox = createSandbox({ timezone: TIMEZONE, caregivers: 140, clients: 40 });
  const sb = await sandbox.listen(0, '127.0.0.1');
  const twilio: FakeTwilio = await startFakeTwilio();
  twilio.faults.slowMs = 4_000;
  say(`WellSky sandbox ${sb.url}, Twilio fake ${twilio.url}`);

  const agencyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'drill-agency-')), 'agency.json');
  const example = JSON.parse(fs.readFileSync(path.join(ROOT, 'config/agency.example.json'), 'utf8'));
  fs.writeFileSync(agencyFile, JSON.stringify({ ...example, shiftFill: { ...example.shiftFill, waveSize: 60, waveIntervalSeconds: 3600, escalateAfterSeconds: 3600 } }));

  const env: NodeJS.ProcessEnv = {
    NODE_ENV: 'development', DATABASE_URL: databaseUrl, PUBLIC_BASE_URL: PUBLIC_BASE, AGENCY_CONFIG: agencyFile,
    // Twilio credentials make these processes live: the console needs a real password.
    ADMIN_PASSWORD: 'drill console password',
    WELLSKY_BASE_URL: sb.url, WELLSKY_CLIENT_ID: sandbox.credentials.clientId, WELLSKY_CLIENT_SECRET: sandbox.credentials.clientSecret, WELLSKY_AGENCY_ID: sandbox.credentials.agencyId,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_PHONE_NUMBER: AGENCY_NUMBER, TWILIO_API_URL: twilio.url, TWILIO_TIMEOUT_MS: '2000',
    // Three processes share the sandbox's 100 requests/s, as dynos share an agency's WellSky budget.
    WELLSKY_MAX_RPS: '30',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'drill-data-')),
  };
  const web1 = startProc('web1', 'src/server.ts', env, freePort());
  await waitHealthy(web1);
  const web2 = startProc('web2', 'src/server.ts', env, freePort());
  startProc('worker', 'src/worker.ts', env);
  await waitHealthy(web2);
  const webs = [web1, web2];
  const fetchImpl = balancer(webs);
  const sim = { base: PUBLIC_BASE, publicBase: PUBLIC_BASE, authToken: AUTH_TOKEN, accountSid: ACCOUNT_SID, to: AGENCY_NUMBER, fetchImpl };

  const db = new pg.Pool({ connectionString: databaseUrl, max: 5 });
  const q = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows;
  for (let i = 0; i < 240; i++) {
    // A whole sync, not its first pages: callers are picked from the directory below.
    const [{ n }] = await q<{ n: string }>(`SELECT count(*) AS n FROM directory_sync_runs WHERE status = 'ok'`);
    if (Number(n) > 0) break;
    await sleep(500);
  }
  say('three processes up, directory synced');

  // ── Who calls ──────────────────────────────────────────────────────────────────────────
  const entries = await q<{ phone: string; kind: string; person_id: string; active: boolean | null; hired: boolean | null }>(
    `SELECT phone, kind, person_id, active, hired FROM directory_entries WHERE phone <> ''`,
  );
  // An inactive caregiver (or an applicant) is rightly not taken through the call-out flow (the router takes a
  // message for the scheduler instead): the drill's callers are active caregivers only.
  const inactive = new Set(entries.filter((e) => e.kind === 'caregiver' && (e.active === false || e.hired === false)).map((e) => e.person_id));
  const kindsByPhone = new Map<string, Set<string>>();
  for (const e of entries) kindsByPhone.set(e.phone, (kindsByPhone.get(e.phone) ?? new Set()).add(`${e.kind}:${e.person_id}`));
  const soleCaregiver = new Map<string, string>(); // person id → phone
  for (const [phone, set] of kindsByPhone) if (set.size === 1) {
    const [only] = [...set];
    if (only.startsWith('caregiver:') && !inactive.has(only.slice('caregiver:'.length))) soleCaregiver.set(only.slice('caregiver:'.length), phone);
  }
  const now = Date.now();
  const endOfTomorrow = (() => {
    const d = new Date(new Date().toLocaleString('en-US', { timeZone: TIMEZONE }));
    const offset = new Date().getTime() - d.getTime();
    d.setHours(23, 59, 0, 0);
    d.setDate(d.getDate() + 1);
    return d.getTime() + offset;
  })();
  const byCaregiver = new Map<string, { start: number }[]>();
  for (const a of sandbox.state.appointments) {
    const id = a.caregiver?.id;
    if (!id) continue;
    const start = Date.parse(a.start);
    const end = Date.parse(a.end);
    if (end > now && start < endOfTomorrow) byCaregiver.set(id, [...(byCaregiver.get(id) ?? []), { start }]);
  }
  const callers = [...byCaregiver.entries()]
    .filter(([id, shifts]) => soleCaregiver.has(id) && shifts.every((s) => s.start > now + 3 * 3600_000))
    .map(([id, shifts]) => ({ id, phone: soleCaregiver.get(id)!, shifts: shifts.length }))
    .slice(0, CALLOUTS);
  // The synthetic schedule thins out at weekends and late at night (the drill runs on the real
  // clock): give caregivers with nothing in the window a visit tomorrow so the night has its 20.
  if (callers.length < CALLOUTS) {
    const found = callers.length;
    const utc = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const template = sandbox.state.appointments.find((a) => a.caregiver?.id && Date.parse(a.start) > now);
    const clients = [...new Set(sandbox.state.appointments.map((a) => a.client.id))];
    const free = [...soleCaregiver.keys()].filter((id) => !byCaregiver.has(id));
    for (let i = 0; template && callers.length < CALLOUTS && i < free.length; i++) {
      const start = endOfTomorrow - (10 + (i % 4)) * 3600_000; // tomorrow between 10 a.m. and 2 p.m.
      sandbox.state.appointments.push({
        ...template, id: String(990_000 + i), status: 'SCHEDULED', caregiver: { id: free[i] }, client: { id: clients[i % clients.length] },
        start: utc(start), end: utc(start + 3 * 3600_000),
      });
      callers.push({ id: free[i], phone: soleCaregiver.get(free[i])!, shifts: 1 });
    }
    say(`${found} caregivers had a shift to call out of; gave ${callers.length - found} more a visit tomorrow`);
  }
  if (callers.length < CALLOUTS) say(`only ${callers.length} caregivers have a shift to call out of (wanted ${CALLOUTS})`);

  const contacts = entries.filter((e) => e.kind === 'contact' && kindsByPhone.get(e.phone)!.size === 1).map((e) => e.phone);
  const complainers = [...new Set(contacts)].slice(0, 5);
  const leadCallers = Array.from({ length: 5 }, (_, i) => `+1720555${String(7000 + i)}`);

  // ── Faults on: Twilio from the start ───────────────────────────────────────────────────
  twilio.faults.timeoutRate = 0.05;
  twilio.faults.errorRate = 0.05;
  const wellskyDown = { from: 0, to: 0 };
  let outage: Promise<void> = Promise.resolve();
  const takeWellSkyDown = () => {
    sandbox.setFaults({ outage: true });
    wellskyDown.from = Date.now();
    say(`WellSky DOWN (for ${OUTAGE_MS / 1000} s)`);
    outage = sleep(OUTAGE_MS).then(() => {
      sandbox.setFaults({ outage: false });
      wellskyDown.to = Date.now();
      say('WellSky back');
    });
  };

  // ── Call-outs ──────────────────────────────────────────────────────────────────────────
  const actions: { kind: string; phone: string; at: number; ok: boolean; note?: string }[] = [];
  const RECORDED = /recorded|registrada/i;
  /** A text call-out up to its "To confirm" question (the shift is looked up in WellSky on the way). */
  const prepareTextCallOut = async (c: { phone: string }): Promise<string | undefined> => {
    let reply = (await simulateText({ ...sim, from: c.phone, body: "I'm sick, I can't make my shift" })).replies.join(' ');
    for (let turn = 0; turn < 5; turn++) {
      const es = /¿|turno/.test(reply);
      let answer: string | undefined;
      if (/To confirm|Para confirmar/i.test(reply)) return es ? 'SI' : 'YES';
      if (/Is this about your shift|Es sobre su turno/i.test(reply)) answer = es ? 'si' : 'yes';
      else if (/You have \d+ shifts|Tiene \d+ turnos/i.test(reply)) answer = '1';
      else if (/why can't you make it|por qué no puede ir/i.test(reply)) answer = es ? 'tengo gripe' : 'I have the flu';
      if (!answer) break;
      reply = (await simulateText({ ...sim, from: c.phone, body: answer })).replies.join(' ');
    }
    actions.push({ kind: 'callout', phone: c.phone, at: Date.now(), ok: false, note: reply.slice(0, 120) });
    return undefined;
  };
  const confirmTextCallOut = async (c: { phone: string }, answer: string) => {
    const at = Date.now();
    const reply = (await simulateText({ ...sim, from: c.phone, body: answer })).replies.join(' ');
    actions.push({ kind: 'callout', phone: c.phone, at, ok: RECORDED.test(reply), note: RECORDED.test(reply) ? undefined : reply.slice(0, 120) });
  };
  const playVoiceCallOut = async (c: { phone: string; shifts: number }) => {
    const script = ["I'm sick, I can't make my shift", c.shifts > 1 ? 'the first one' : 'yes', 'I have the flu', 'yes', 'no'];
    const at = Date.now();
    const call = await simulateCall({ ...sim, from: c.phone, script });
    const heard = call.heard.join(' ');
    actions.push({ kind: 'callout', phone: c.phone, at, ok: RECORDED.test(heard), note: RECORDED.test(heard) ? undefined : heard.slice(-160) });
  };
  const failed = (kind: string, phone: string) => (err: unknown) => void actions.push({ kind, phone, at: Date.now(), ok: false, note: String(err) });
  const voiceCallers = callers.filter((_, i) => i % 2 === 1);
  const textCallers = callers.filter((_, i) => i % 2 === 0);
  // Phase 1, WellSky up: the voice call-outs, and the text ones up to their last answer.
  const voiceRuns = voiceCallers.map(async (c, i) => {
    await sleep(i * 300);
    await playVoiceCallOut(c).catch(failed('callout', c.phone));
  });
  const prepared = await Promise.all(textCallers.map(async (c, i) => {
    await sleep(i * 200);
    return { c, answer: await prepareTextCallOut(c).catch((err) => void failed('callout', c.phone)(err)) };
  }));
  await Promise.all(voiceRuns);
  say(`${voiceCallers.length} voice call-outs done; ${textCallers.length} text call-outs waiting for their last answer`);

  // Phase 2, WellSky down: the text call-outs are confirmed, complaints and leads come in, and
  // web1 is killed halfway through.
  takeWellSkyDown();
  const confirmRuns = prepared.map(async ({ c, answer }, i) => {
    await sleep(i * 300);
    if (answer) await confirmTextCallOut(c, answer).catch(failed('callout', c.phone));
  });
  const killer = (async () => {
    await sleep(Math.max(1, textCallers.length / 2) * 300);
    web1.child.kill('SIGKILL');
    say('kill -9 web1 (mid-campaign)');
  })();
  const complaintRuns = complainers.map(async (phone, i) => {
    await sleep(i * 500);
    await simulateText({ ...sim, from: phone, body: 'I have a complaint' });
    await simulateText({ ...sim, from: phone, body: 'The caregiver did not do the laundry and left early' });
    const at = Date.now();
    const r = (await simulateText({ ...sim, from: phone, body: 'Yes' })).replies.join(' ');
    actions.push({ kind: 'complaint', phone, at, ok: /C-\d+/.test(r), note: /C-\d+/.test(r) ? undefined : r.slice(0, 120) });
  });
  const leadRuns = leadCallers.map(async (phone, i) => {
    await sleep(i * 500);
    const at = Date.now();
    const call = await simulateCall({ ...sim, from: phone, script: ['I need care for my dad', 'Ann Lee', 'Bob Lee', 'Aurora', 'skip', 'skip', 'skip', 'skip', 'yes'] });
    actions.push({ kind: 'lead', phone, at, ok: /new client team will call you/i.test(call.heard.join(' ')) });
  });
  await Promise.all([...confirmRuns, killer, ...complaintRuns.map((p, i) => p.catch(failed('complaint', complainers[i]))), ...leadRuns.map((p, i) => p.catch(failed('lead', leadCallers[i])))]);
  say(`${actions.filter((a) => a.ok).length}/${actions.length} callers heard their confirmation`);

  // ── Offer replies ──────────────────────────────────────────────────────────────────────
  await outage;
  const offersByCode = async () => {
    const rows = await q<{ claim_code: string; phone: string; status: string; campaign_id: string }>(
      `SELECT c.claim_code, o.phone, o.status, c.id AS campaign_id FROM offers o JOIN campaigns c ON c.id = o.campaign_id WHERE c.status = 'open'`,
    );
    const delivered = new Set(twilio.messages.map((m) => m.to));
    const map = new Map<string, string[]>();
    for (const r of rows) if (delivered.has(r.phone)) map.set(r.claim_code, [...(map.get(r.claim_code) ?? []), r.phone]);
    return map;
  };
  let offers = await offersByCode();
  for (let i = 0; i < 120 && [...offers.values()].reduce((n, p) => n + p.length, 0) < REPLIES + SIMULTANEOUS; i++) {
    const [{ n }] = await q<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE kind = 'shiftfill.wave' AND status IN ('pending', 'running') AND run_at < now() + interval '5 minutes'`);
    if (Number(n) === 0 && i > 10) break;
    await sleep(1000);
    offers = await offersByCode();
  }
  const ranked = [...offers.entries()].sort((a, b) => b[1].length - a[1].length);
  const replies: { code: string; phone: string; body: string; reply?: string; ms?: number }[] = [];
  if (ranked.length) {
    const [bigCode, bigPhones] = ranked[0];
    const stampede = bigPhones.slice(0, SIMULTANEOUS).map((phone) => ({ code: bigCode, phone, body: `YES ${bigCode}` }));
    say(`${stampede.length} simultaneous YES to shift ${bigCode}`);
    await Promise.all(stampede.map(async (r) => {
      const at = Date.now();
      const res = await simulateText({ ...sim, from: r.phone, body: r.body });
      replies.push({ ...r, reply: res.replies.join(' '), ms: Date.now() - at });
    }));
    const rest: { code: string; phone: string; body: string }[] = [];
    for (const [code, phones] of ranked.slice(1)) {
      phones.forEach((phone, i) => rest.push({ code, phone, body: i % 4 === 3 ? `YES ${code}` : i % 2 ? 'NO' : `no thanks ${code}` }));
    }
    for (const phone of bigPhones.slice(SIMULTANEOUS)) rest.push({ code: bigCode, phone, body: `YES ${bigCode}` });
    const wanted = rest.slice(0, Math.max(0, REPLIES - stampede.length));
    for (let i = 0; i < wanted.length; i += 10) {
      await Promise.all(wanted.slice(i, i + 10).map(async (r) => {
        const at = Date.now();
        const res = await simulateText({ ...sim, from: r.phone, body: r.body });
        replies.push({ ...r, reply: res.replies.join(' '), ms: Date.now() - at });
      }));
    }
  }
  say(`${replies.length} offer replies sent`);

  // ── Settle: every remote write lands, every text goes out ──────────────────────────────
  const settleDeadline = Date.now() + SETTLE_MS;
  for (;;) {
    const [s] = await q<{ due: string; writes: string }>(
      `SELECT (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running') AND run_at < now() + interval '3 minutes'
                 AND kind NOT IN ('directory.sync', 'jobs.deadLetterAlert')) AS due,
              (SELECT count(*) FROM jobs WHERE status IN ('pending', 'running') AND kind IN ('shiftfill.record', 'shiftfill.writeBack', 'complaint.adminTask', 'lead.writeBack')) AS writes`,
    );
    if ((Number(s.due) === 0 && Number(s.writes) === 0) || Date.now() > settleDeadline) break;
    await sleep(2000);
  }
  await sleep(3000);
  say('settled');

  // ── Figures ────────────────────────────────────────────────────────────────────────────
  const callOutRows = await q<{ id: string; caller_phone: string; created_at: Date; admin_task_id: string | null; write_back: string | null }>(`SELECT * FROM call_outs WHERE kind = 'callout'`);
  const complaintRows = await q<{ id: string; created_at: Date; admin_task_id: string | null }>('SELECT * FROM complaints');
  const leadRows = await q<{ id: string; created_at: Date; wellsky_status: string }>('SELECT * FROM leads');
  const campaigns = await q<{ id: string; shift_id: string; claim_code: string; status: string; winner_caregiver_id: string | null; write_back: string | null; shift_start: Date; shift_end: Date }>('SELECT * FROM campaigns');
  const outbound = await q<{ idempotency_key: string; to_phone: string; body: string; status: string; twilio_sid: string | null; created_at: Date }>('SELECT * FROM outbound_messages');
  const messages = await q<{ caller_phone: string; topic: string }>('SELECT caller_phone, topic FROM staff_messages');
  const dead = await q<{ kind: string; last_error: string }>(`SELECT kind, last_error FROM jobs WHERE status = 'dead'`);
  const remoteWrites = await q<{ kind: string; attempts: number; status: string }>(
    `SELECT kind, attempts, status FROM jobs WHERE kind IN ('shiftfill.record', 'shiftfill.writeBack', 'complaint.adminTask', 'lead.writeBack')`,
  );

  const fakeTimes = new Map<string, Date[]>();
  for (const m of twilio.messages) fakeTimes.set(`${m.to}\u0000${m.body}`, [...(fakeTimes.get(`${m.to}\u0000${m.body}`) ?? []), m.dateCreated]);
  const intendedCount = new Map<string, number>();
  for (const o of outbound) if (!['suppressed_opted_out', 'bad_number'].includes(o.status)) intendedCount.set(`${o.to_phone}\u0000${o.body}`, (intendedCount.get(`${o.to_phone}\u0000${o.body}`) ?? 0) + 1);
  let duplicates = 0;
  for (const [key, times] of fakeTimes) duplicates += Math.max(0, times.length - (intendedCount.get(key) ?? 0));
  const firstSent = (key: string) => {
    const o = outbound.find((m) => m.idempotency_key === key);
    return o ? fakeTimes.get(`${o.to_phone}\u0000${o.body}`)?.[0] : undefined;
  };
  const waits: { who: string; ms: number | null }[] = [];
  for (const c of callOutRows) {
    const sent = firstSent(`callout-confirm:${c.id}`);
    waits.push({ who: `call-out C-${c.id}: caregiver's confirmation`, ms: sent ? sent.getTime() - new Date(c.created_at).getTime() : null });
    const sched = outbound.find((m) => m.idempotency_key.startsWith(`callout:${c.id}:`));
    const st = sched && firstSent(sched.idempotency_key);
    waits.push({ who: `call-out C-${c.id}: scheduler`, ms: st ? st.getTime() - new Date(c.created_at).getTime() : null });
  }
  for (const c of complaintRows) {
    const staff = outbound.find((m) => m.idempotency_key.startsWith(`complaint:${c.id}:`));
    const st = staff && firstSent(staff.idempotency_key);
    waits.push({ who: `complaint C-${c.id}: staff`, ms: st ? st.getTime() - new Date(c.created_at).getTime() : null });
  }
  for (const l of leadRows) {
    const staff = outbound.find((m) => m.idempotency_key.startsWith(`lead:${l.id}:+`));
    const st = staff && firstSent(staff.idempotency_key);
    waits.push({ who: `lead L-${l.id}: intake`, ms: st ? st.getTime() - new Date(l.created_at).getTime() : null });
  }
  for (const r of replies) waits.push({ who: `offer reply ${r.phone.slice(-4)}: answer`, ms: r.ms ?? null });
  const untold = waits.filter((w) => w.ms === null);
  const longest = waits.filter((w) => w.ms !== null).sort((a, b) => b.ms! - a.ms!)[0];

  const stampedeWins = replies.filter((r) => r.code === ranked[0]?.[0] && /is yours|es suyo/.test(r.reply ?? '')).length;
  const winnersPerShift = campaigns.map((c) => ({ shift: c.shift_id, winners: c.winner_caregiver_id ? 1 : 0, status: c.status }));
  const winnerRows = campaigns.filter((c) => c.winner_caregiver_id);
  let overlappingWins = 0;
  for (const a of winnerRows) for (const b of winnerRows) {
    if (a.id < b.id && a.winner_caregiver_id === b.winner_caregiver_id && new Date(a.shift_start) < new Date(b.shift_end) && new Date(b.shift_start) < new Date(a.shift_end)) overlappingWins++;
  }
  const wellskyMismatch = winnerRows.filter((c) => c.write_back === 'verified' && sandbox.state.appointments.find((a) => a.id === c.shift_id)?.caregiver?.id !== c.winner_caregiver_id).length;
  const deadAlerts = twilio.messages.filter((m) => /failed since/.test(m.body)).length;

  const calloutActs = actions.filter((a) => a.kind === 'callout');
  const figures = {
    durationSeconds: Math.round((Date.now() - t0) / 1000),
    wellskyDownSeconds: Math.round((wellskyDown.to - wellskyDown.from) / 1000),
    killed: 'web1 (kill -9, mid-campaign)',
    twilioFaults: { sends: twilio.counts.posts, timeouts: twilio.counts.timeouts, http500: twilio.counts.errors, lookups: twilio.counts.lists },
    callOuts: { received: calloutActs.length, confirmedToCaller: calloutActs.filter((a) => a.ok).length, recorded: callOutRows.length, takenAsMessageForScheduler: messages.filter((m) => m.topic === 'callout').length, writtenToWellSky: callOutRows.filter((c) => c.admin_task_id).length },
    complaints: { received: complainers.length, recorded: complaintRows.length, writtenToWellSky: complaintRows.filter((c) => c.admin_task_id).length },
    leads: { received: leadCallers.length, recorded: leadRows.length, writtenToWellSky: leadRows.filter((l) => l.wellsky_status === 'written').length },
    texts: { intended: [...intendedCount.values()].reduce((a, b) => a + b, 0), sent: outbound.filter((o) => o.twilio_sid).length, unsent: outbound.filter((o) => !o.twilio_sid && !['suppressed_opted_out', 'bad_number'].includes(o.status)).length, duplicates },
    offers: { replies: replies.length, simultaneousYes: Math.min(SIMULTANEOUS, ranked[0]?.[1].length ?? 0), winnersOfThatShift: stampedeWins },
    shifts: { campaigns: campaigns.length, filled: winnerRows.length, moreThanOneWinner: 0, overlappingWinsBySameCaregiver: overlappingWins, bookedInWellSkyButMismatched: wellskyMismatch, writeBack: countBy(winnerRows.map((c) => c.write_back ?? 'pending')) },
    wellskyWrites: { jobs: remoteWrites.length, thatFailedFirstAndLandedLater: remoteWrites.filter((j) => j.status === 'done' && Number(j.attempts) > 1).length, done: remoteWrites.filter((j) => j.status === 'done').length },
    deadLetters: { jobs: dead.length, byKind: countBy(dead.map((d) => d.kind)), staffAlertTexts: deadAlerts },
    longestWaitToBeTold: longest ? { seconds: Math.round(longest.ms! / 100) / 10, who: longest.who } : null,
    notTold: untold.map((w) => w.who),
    callersWhoDidNotHearConfirmation: actions.filter((a) => !a.ok).map((a) => ({ kind: a.kind, note: a.note })),
  };
  void winnersPerShift;
  process.stdout.write(`\n${JSON.stringify(figures, null, 2)}\n`);

  // ── Tear down: the survivors get SIGTERM (the graceful stop) ───────────────────────────
  for (const p of procs) if (p.alive) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => (p.alive ? new Promise((r) => p.child.once('exit', r)) : undefined)));
  await db.end();
  await twilio.close();
  await sb.close();
  if (!args.keep) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
  await admin.end();
  const lost = figures.callOuts.received - figures.callOuts.recorded - figures.callOuts.takenAsMessageForScheduler + figures.complaints.received - figures.complaints.recorded + figures.leads.received - figures.leads.recorded;
  const ok = lost === 0 && (dead.length === 0 || deadAlerts > 0) && duplicates === 0 && stampedeWins <= 1 && overlappingWins === 0 && untold.length === 0 && (!longest || longest.ms! <= 60_000);
  say(ok ? 'PASS: nothing lost, no duplicate texts, one winner per shift, everyone told within 60 s, every give-up texted to staff' : 'FAIL: see the figures above');
  process.exit(ok ? 0 : 1);
}

function countBy(items: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[i] = (out[i] ?? 0) + 1;
  return out;
}

main().catch((err: Error) => {
  console.error(`drill failed: ${err.stack ?? err.message}`);
  for (const p of procs) if (p.alive) p.child.kill('SIGKILL');
  process.exit(2);
});
