/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the busy time went, by file or
 * package (self time), by function (self time), and the inclusive time of the functions that
 * match `--inclusive` patterns (each sample counted once per function, recursion included).
 *
 *   npx tsx scripts/cpuprofile-summary.ts PROFILE.cpuprofile [--top 25] [--inclusive 'runtime.ts:,saveTurn,pglite'] [--from 12 --to 22]
 *
 * `--callers NAME` shows who calls the functions matching NAME (their self time by caller chain).
 *
 * `--stages` charges every busy sample to one stage of a webhook turn (TURN_STAGES: signature
 * check, body parse, lease, snapshot restore, machine run, render, save, logging, the database
 * driver, the HTTP server, GC), the first stage in that order with a function on the sample's
 * stack; `--requests N` (the bench's request count in the window) adds the CPU µs per request.
 *
 * It prints the busy milliseconds of every second first: a load run shows as a plateau, and
 * `--from`/`--to` (seconds from the profile's start) keep start-up and shutdown out of the figures.
 *
 * Idle time ("(idle)") is left out of every share: the shares are of the time the thread worked.
 * docs/performance.md shows how the turn profiles were taken.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Window {
  /** Seconds from the profile's start: samples before are left out (start-up, say). */
  fromS?: number;
  /** Seconds from the profile's start: samples after are left out. */
  toS?: number;
}

const ROOT = path.resolve(__dirname, '..');

/** A file's short name: a package for node_modules, a repository path for ours, "node:…" for Node's own. */
export function fileOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = u.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  if (u.startsWith('node:')) return u;
  if (u.startsWith(ROOT)) u = path.relative(ROOT, u);
  else if (/\/wt-[^/]+\//.test(u)) u = u.replace(/^.*\/wt-[^/]+\//, '');
  return u;
}

function keyOf(f: CallFrame): string {
  return `${f.functionName || '(anonymous)'} ${fileOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
}

/**
 * The stages of a turn, in priority order: a sample is charged to the first stage with a matching
 * function anywhere on its stack (so the driver's send inside `tryLease` is the lease's, and the
 * render called from the save step is the render's). Patterns match "function file:line" keys.
 * Only synchronous work is on a stack: the database's reply is parsed by the driver when it
 * arrives, outside the stage that asked (it is charged to "database driver").
 */
export const TURN_STAGES: readonly { stage: string; match: RegExp }[] = [
  { stage: 'signature check', match: /\btwilioSignature\b|validateRequest|getExpectedTwilioSignature|src\/twilio\/signature\.[jt]s/ },
  { stage: 'body parse', match: /npm:body-parser|npm:raw-body|npm:qs|npm:iconv-lite|urlencodedParser/ },
  { stage: 'render (TwiML)', match: /src\/twilio\/render\.[jt]s|npm:xmlbuilder|twiml\// },
  { stage: 'logging', match: /npm:winston|npm:logform|src\/log\.[jt]s/ },
  { stage: 'lease (+ stored reply)', match: /\b(acquireLease|tryLease|openVoice|openSmsThread)\b/ },
  { stage: 'snapshot restore', match: /\bcreateActor (dist\/)?src\/conversations\/runtime/ },
  { stage: 'save (snapshot + reply)', match: /\b(persistSettled|saveTurn)\b/ },
  { stage: 'machine run (flows, understanding)', match: /npm:xstate|^\S+ (dist\/)?flows\/|npm:chrono-node|npm:luxon|npm:libphonenumber-js/ },
  { stage: 'database driver (send, parse replies)', match: /npm:pg\b|npm:pg-|npm:postgres-|npm:@electric-sql|(dist\/)?src\/db\// },
  { stage: 'HTTP server (express, sockets)', match: /node:_http|npm:express|npm:router|node:net|npm:finalhandler|npm:on-finished|npm:send\b|node:internal\/streams|node:internal\/stream_base/ },
  { stage: 'other app code (webhook, runtime, outbox, jobs)', match: /^\S+ (dist\/)?src\// },
  { stage: 'garbage collector', match: /\(garbage collector\)/ },
];
export const OTHER_STAGE = 'other (Node internals, timers, promises)';

export interface Summary {
  totalMs: number;
  busyMs: number;
  byFile: [string, number][];
  byFunction: [string, number][];
  inclusive: [string, number][];
  /** For `callersOf`: the self time of matching functions by the chain of up to 6 callers above them. */
  callers: [string, number][];
  /** Busy milliseconds in each second of the profile (the window's seconds are the ones to read). */
  timeline: number[];
  /** Busy time by TURN_STAGES stage (each sample charged once), in TURN_STAGES order, then "other". */
  stages: [string, number][];
}

export function summarise(profile: CpuProfile, inclusivePatterns: string[] = [], window: Window = {}, callersOf?: string): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfMs = new Map<number, number>();
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let totalMs = 0;
  let atMs = 0;
  const timeline: number[] = [];
  const fromMs = (window.fromS ?? 0) * 1000;
  const toMs = window.toS === undefined ? Infinity : window.toS * 1000;
  // timeDeltas[i] is the time since the previous sample: charge it to sample i.
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    atMs += ms;
    const second = Math.floor(atMs / 1000);
    while (timeline.length <= second) timeline.push(0);
    if (!idle.has(id)) timeline[second] += ms;
    if (atMs < fromMs || atMs > toMs) return;
    totalMs += ms;
    selfMs.set(id, (selfMs.get(id) ?? 0) + ms);
  });
  const idleMs = [...selfMs].filter(([id]) => idle.has(id)).reduce((a, [, ms]) => a + ms, 0);

  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>(inclusivePatterns.map((p) => [p, 0]));
  const callers = new Map<string, number>();
  const stages = new Map<string, number>([...TURN_STAGES.map((t) => [t.stage, 0] as [string, number]), [OTHER_STAGE, 0]]);
  const stageOfNode = new Map<number, number>();
  /** The index of the highest-priority stage with a function on the stack from `id` up (memoised per node). */
  const stageIndex = (id: number): number => {
    const known = stageOfNode.get(id);
    if (known !== undefined) return known;
    const k = keyOf(byId.get(id)!.callFrame);
    let best = TURN_STAGES.findIndex((t) => t.match.test(k));
    if (best < 0) best = TURN_STAGES.length;
    const up = parent.get(id);
    if (up !== undefined) best = Math.min(best, stageIndex(up));
    stageOfNode.set(id, best);
    return best;
  };
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (idle.has(id)) continue;
    const file = fileOf(node.callFrame.url, node.callFrame.functionName);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
    const si = stageIndex(id);
    const stage = si < TURN_STAGES.length ? TURN_STAGES[si].stage : OTHER_STAGE;
    stages.set(stage, stages.get(stage)! + ms);
    const key = keyOf(node.callFrame);
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    if (callersOf && key.includes(callersOf)) {
      const chain: string[] = [];
      for (let cur = parent.get(id); cur !== undefined && chain.length < 6; cur = parent.get(cur)) chain.push(keyOf(byId.get(cur)!.callFrame));
      const k = chain.join(' < ');
      callers.set(k, (callers.get(k) ?? 0) + ms);
    }
    if (!inclusivePatterns.length) continue;
    // Walk up the stack once; each pattern counts this sample at most once.
    const hit = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!.callFrame);
      for (const p of inclusivePatterns) if (!hit.has(p) && k.includes(p)) hit.add(p);
    }
    for (const p of hit) inclusive.set(p, inclusive.get(p)! + ms);
  }
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { totalMs, busyMs: totalMs - idleMs, byFile: sorted(byFile), byFunction: sorted(byFunction), inclusive: [...inclusive], callers: sorted(callers), timeline, stages: [...stages] };
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      top: { type: 'string', default: '25' },
      inclusive: { type: 'string', default: '' },
      from: { type: 'string' },
      to: { type: 'string' },
      callers: { type: 'string' },
      stages: { type: 'boolean', default: false },
      requests: { type: 'string' },
    },
  });
  if (!positionals.length) {
    console.error('usage: tsx scripts/cpuprofile-summary.ts PROFILE.cpuprofile [--top 25] [--inclusive pattern,pattern] [--from S] [--to S] [--callers NAME] [--stages [--requests N]]');
    process.exit(2);
  }
  const top = Number(values.top);
  for (const file of positionals) {
    const window = { fromS: values.from === undefined ? undefined : Number(values.from), toS: values.to === undefined ? undefined : Number(values.to) };
    const s = summarise(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, values.inclusive.split(',').filter(Boolean), window, values.callers);
    const pct = (ms: number) => `${((100 * ms) / s.busyMs).toFixed(1).padStart(5)}%`;
    const row = (name: string, ms: number) => `  ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${name}`;
    console.log(`${file}: ${(s.totalMs / 1000).toFixed(1)} s profiled${window.fromS !== undefined || window.toS !== undefined ? ` (seconds ${window.fromS ?? 0}–${window.toS ?? 'end'})` : ''}, ${(s.busyMs / 1000).toFixed(1)} s busy (shares below are of the busy time)`);
    console.log(`busy ms per second, whole profile (pick --from/--to from it): ${s.timeline.map((ms) => ms.toFixed(0)).join(' ')}`);
    console.log('\nself time by file / package:');
    for (const [name, ms] of s.byFile.slice(0, top)) console.log(row(name, ms));
    console.log('\nself time by function:');
    for (const [name, ms] of s.byFunction.slice(0, top)) console.log(row(name, ms));
    if (s.inclusive.length) {
      console.log('\ninclusive time (samples with a matching function on the stack):');
      for (const [name, ms] of s.inclusive) console.log(row(name, ms));
    }
    if (values.stages) {
      const requests = values.requests ? Number(values.requests) : undefined;
      console.log(`\nbusy time by stage of a turn (each sample charged to the first stage on its stack, in this order)${requests ? `; CPU µs per request over ${requests} requests` : ''}:`);
      for (const [name, ms] of s.stages) console.log(`${row(name, ms)}${requests ? `  ${((ms * 1000) / requests).toFixed(0).padStart(6)} µs/request` : ''}`);
    }
    if (values.callers) {
      console.log(`\nself time of functions matching "${values.callers}", by caller chain:`);
      for (const [name, ms] of s.callers.slice(0, top)) console.log(row(name, ms));
    }
    console.log('');
  }
}

if (require.main === module) main();
