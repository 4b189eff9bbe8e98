/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): where the busy time went, by file or
 * package (self time), by function (self time), and the inclusive time of the functions that
 * match `--inclusive` patterns (each sample counted once per function, recursion included).
 *
 *   npx tsx scripts/cpuprofile-summary.ts PROFILE.cpuprofile [--top 25] [--inclusive 'runtime.ts:,saveTurn,pglite'] [--from 12 --to 22]
 *
 * `--callers NAME` shows who calls the functions matching NAME (their self time by caller chain).
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
  for (const [id, ms] of selfMs) {
    const node = byId.get(id)!;
    if (idle.has(id)) continue;
    const file = fileOf(node.callFrame.url, node.callFrame.functionName);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
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
  return { totalMs, busyMs: totalMs - idleMs, byFile: sorted(byFile), byFunction: sorted(byFunction), inclusive: [...inclusive], callers: sorted(callers), timeline };
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
    },
  });
  if (!positionals.length) {
    console.error('usage: tsx scripts/cpuprofile-summary.ts PROFILE.cpuprofile [--top 25] [--inclusive pattern,pattern] [--from S] [--to S] [--callers NAME]');
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
    if (values.callers) {
      console.log(`\nself time of functions matching "${values.callers}", by caller chain:`);
      for (const [name, ms] of s.callers.slice(0, top)) console.log(row(name, ms));
    }
    console.log('');
  }
}

if (require.main === module) main();
