/**
 * The understanding measured on the labelled corpus (test/understanding/corpus/*.jsonl): accuracy
 * per intent, a confusion table, the misses, and the two hard rules — no emergency missed, no
 * complaint answered with info. Used by `npm run eval:understanding` and by the jest test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { INFO_INTENTS, readUtterance, type CallerRole, type Reading } from '../../flows/understand';
import type { Intent } from '../../flows/understand';

export interface CorpusRow {
  text: string;
  intent: Intent;
  role: CallerRole;
  lang: 'en' | 'es';
  channel: 'sms' | 'voice';
  /** Expected entities; `claimCode: null` means "no claim code here" (digits that are not one). */
  entities?: { claimCode?: string | null; etaMinutes?: number; relationship?: string; zip?: string; payer?: string; day?: 'today' | 'tomorrow' };
  tags?: string[];
  file: string;
}

/** The fixed "now" of the corpus: Wednesday 4 March 2026, 10:00 in Denver. */
export const CORPUS_CLOCK = { now: '2026-03-04T17:00:00.000Z', timezone: 'America/Denver' };

export function loadCorpus(dir = path.join(__dirname, 'corpus')): CorpusRow[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => ({ ...(JSON.parse(line) as Omit<CorpusRow, 'file'>), file })),
    );
}

export interface Miss {
  row: CorpusRow;
  got: Intent;
  why: string;
}

export interface Evaluation {
  total: number;
  correct: number;
  accuracy: number;
  perIntent: Record<string, { total: number; correct: number }>;
  confusion: Record<string, Record<string, number>>;
  misses: Miss[];
  entityMisses: Miss[];
  emergenciesMissed: Miss[];
  complaintsGivenInfo: Miss[];
  /** Rows the router would answer with a clarifying question (right intent among the two). */
  clarified: number;
}

function entityProblems(row: CorpusRow, reading: Reading): string[] {
  const want = row.entities;
  if (!want) return [];
  const got = reading.entities;
  const problems: string[] = [];
  if ('claimCode' in want && (want.claimCode ?? undefined) !== got.claim?.code) problems.push(`claimCode ${got.claim?.code ?? 'none'} ≠ ${want.claimCode ?? 'none'}`);
  if (want.etaMinutes !== undefined && got.etaMinutes !== want.etaMinutes) problems.push(`eta ${got.etaMinutes ?? 'none'} ≠ ${want.etaMinutes}`);
  if (want.relationship !== undefined && got.relationship !== want.relationship) problems.push(`relationship ${got.relationship ?? 'none'} ≠ ${want.relationship}`);
  if (want.zip !== undefined && got.place?.zip !== want.zip) problems.push(`zip ${got.place?.zip ?? 'none'} ≠ ${want.zip}`);
  if (want.payer !== undefined && got.payer !== want.payer) problems.push(`payer ${got.payer ?? 'none'} ≠ ${want.payer}`);
  if (want.day !== undefined) {
    const today = DateTime.fromISO(CORPUS_CLOCK.now).setZone(CORPUS_CLOCK.timezone).startOf('day');
    const date = today.plus({ days: want.day === 'tomorrow' ? 1 : 0 }).toISODate();
    if (got.shift?.date !== date) problems.push(`day ${got.shift?.date ?? 'none'} ≠ ${date}`);
  }
  return problems;
}

export function evaluate(rows: CorpusRow[] = loadCorpus()): Evaluation {
  const e: Evaluation = {
    total: rows.length, correct: 0, accuracy: 0, perIntent: {}, confusion: {}, misses: [], entityMisses: [], emergenciesMissed: [], complaintsGivenInfo: [], clarified: 0,
  };
  for (const row of rows) {
    const reading = readUtterance(row.text, { role: row.role, clock: CORPUS_CLOCK, expecting: { kind: 'purpose' } });
    const got = reading.intent;
    const stat = (e.perIntent[row.intent] ??= { total: 0, correct: 0 });
    stat.total++;
    (e.confusion[row.intent] ??= {})[got] = (e.confusion[row.intent][got] ?? 0) + 1;
    if (got === row.intent) {
      stat.correct++;
      e.correct++;
    } else {
      const miss = { row, got, why: reading.unsure ? `unsure ${reading.unsure.join('/')}` : `scores ${JSON.stringify(reading.scores)}` };
      e.misses.push(miss);
      if (reading.unsure?.includes(row.intent)) e.clarified++;
      if (row.intent === 'emergency') e.emergenciesMissed.push(miss);
      if (row.intent === 'complaint' && INFO_INTENTS.includes(got)) e.complaintsGivenInfo.push(miss);
    }
    const problems = entityProblems(row, reading);
    if (problems.length) e.entityMisses.push({ row, got, why: problems.join('; ') });
  }
  e.accuracy = e.total ? e.correct / e.total : 0;
  return e;
}

export function report(e: Evaluation): string {
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const lines = [`Understanding on ${e.total} labelled utterances: ${pct(e.correct, e.total)} intent accuracy (${e.correct}/${e.total})`, ''];
  lines.push('intent             n    correct  accuracy');
  for (const [intent, s] of Object.entries(e.perIntent).sort()) {
    lines.push(`${intent.padEnd(18)} ${String(s.total).padStart(4)} ${String(s.correct).padStart(8)}  ${pct(s.correct, s.total).padStart(8)}`);
  }
  const labels = [...new Set([...Object.keys(e.confusion), ...Object.values(e.confusion).flatMap((r) => Object.keys(r))])].sort();
  lines.push('', 'confusion (rows: labelled, columns: understood; first 6 letters)');
  lines.push(''.padEnd(18) + labels.map((l) => l.slice(0, 6).padStart(7)).join(''));
  for (const intent of Object.keys(e.confusion).sort()) {
    lines.push(intent.padEnd(18) + labels.map((l) => String(e.confusion[intent][l] ?? '.').padStart(7)).join(''));
  }
  lines.push('', `emergencies missed: ${e.emergenciesMissed.length}`, `complaints answered with info: ${e.complaintsGivenInfo.length}`);
  lines.push(`misses the router would ask about (the right intent among the two named): ${e.clarified}`);
  lines.push('', `misses (${e.misses.length}):`);
  for (const m of e.misses) lines.push(`  [${m.row.file}] ${JSON.stringify(m.row.text)} → ${m.got} (want ${m.row.intent}; ${m.why})`);
  lines.push('', `entity misses (${e.entityMisses.length}):`);
  for (const m of e.entityMisses) lines.push(`  [${m.row.file}] ${JSON.stringify(m.row.text)}: ${m.why}`);
  return lines.join('\n');
}
