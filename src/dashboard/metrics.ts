/**
 * Fill metrics from the shift-fill module's records: call-outs, fill rate, time from call-out to
 * first offer and to fill (median, 90th percentile), texts per fill, escalations, the share filled
 * by the first wave, and per-caregiver reply rate and speed. Pure functions; the chart is SVG.
 */
import { DateTime } from 'luxon';
import type { FillRecord, OfferRecord } from '../shiftfill/console';
import { esc, raw, type Html } from './html';

export interface FillMetrics {
  days: number;
  callOuts: number;
  filled: number;
  fillRate: number | null;
  firstOfferMedianMs: number | null;
  firstOfferP90Ms: number | null;
  fillMedianMs: number | null;
  fillP90Ms: number | null;
  textsPerFill: number | null;
  escalated: number;
  firstWaveShare: number | null;
}

export interface CaregiverReplyStats {
  caregiverId: string;
  firstName: string | null;
  offers: number;
  replies: number;
  replyRate: number;
  medianReplyMs: number | null;
  claimed: number;
}

/** Nearest-rank percentile of `values` (p in 0..100); null for none. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

const ms = (a: string, b: string) => Date.parse(b) - Date.parse(a);

export function fillMetrics(records: FillRecord[], days: number): FillMetrics {
  const filled = records.filter((r) => r.status === 'filled' && r.filledAt);
  const firstOffer = records.filter((r) => r.firstOfferAt).map((r) => ms(r.callOutAt, r.firstOfferAt!));
  const toFill = filled.map((r) => ms(r.callOutAt, r.filledAt!));
  const byOffer = filled.filter((r) => r.winnerWave != null);
  return {
    days,
    callOuts: records.length,
    filled: filled.length,
    fillRate: records.length ? filled.length / records.length : null,
    firstOfferMedianMs: percentile(firstOffer, 50),
    firstOfferP90Ms: percentile(firstOffer, 90),
    fillMedianMs: percentile(toFill, 50),
    fillP90Ms: percentile(toFill, 90),
    textsPerFill: filled.length ? records.reduce((n, r) => n + r.offers, 0) / filled.length : null,
    escalated: records.filter((r) => r.escalated).length,
    firstWaveShare: byOffer.length ? byOffer.filter((r) => r.winnerWave === 1).length / byOffer.length : null,
  };
}

export function caregiverStats(offers: OfferRecord[]): CaregiverReplyStats[] {
  const by = new Map<string, OfferRecord[]>();
  for (const o of offers) by.set(o.caregiverId, [...(by.get(o.caregiverId) ?? []), o]);
  return [...by.entries()]
    .map(([caregiverId, list]) => {
      const replied = list.filter((o) => o.repliedAt);
      return {
        caregiverId,
        firstName: list.find((o) => o.firstName)?.firstName ?? null,
        offers: list.length,
        replies: replied.length,
        replyRate: replied.length / list.length,
        medianReplyMs: percentile(replied.map((o) => ms(o.sentAt, o.repliedAt!)), 50),
        claimed: list.filter((o) => o.status === 'claimed').length,
      };
    })
    .sort((a, b) => b.offers - a.offers || b.replyRate - a.replyRate || a.caregiverId.localeCompare(b.caregiverId));
}

/** Per agency day: call-outs and how many of them were filled. */
export function dailyCounts(records: FillRecord[], days: number, now: Date, zone: string): { day: string; callOuts: number; filled: number }[] {
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const out = Array.from({ length: days }, (_, i) => ({ day: today.minus({ days: days - 1 - i }).toISODate()!, callOuts: 0, filled: 0 }));
  const index = new Map(out.map((d, i) => [d.day, i]));
  for (const r of records) {
    const i = index.get(DateTime.fromISO(r.callOutAt, { zone: 'utc' }).setZone(zone).toISODate()!);
    if (i === undefined) continue;
    out[i].callOuts += 1;
    if (r.status === 'filled') out[i].filled += 1;
  }
  return out;
}

/** A bar chart of call-outs (grey) and fills (green) per day, as inline SVG. */
export function fillChart(days: { day: string; callOuts: number; filled: number }[]): Html {
  const w = 760;
  const h = 180;
  const pad = { l: 30, r: 10, t: 14, b: 28 };
  const max = Math.max(1, ...days.map((d) => d.callOuts));
  const band = (w - pad.l - pad.r) / days.length;
  const y = (v: number) => pad.t + (h - pad.t - pad.b) * (1 - v / max);
  const bars = days
    .map((d, i) => {
      const x = pad.l + i * band;
      const bw = Math.max(2, band * 0.38);
      const label = i % Math.ceil(days.length / 10) === 0 ? `<text x="${x + band / 2}" y="${h - 10}" font-size="10" text-anchor="middle">${esc(d.day.slice(5))}</text>` : '';
      return `<g><title>${esc(d.day)}: ${d.callOuts} call-outs, ${d.filled} filled</title>` +
        `<rect x="${x + band * 0.1}" y="${y(d.callOuts)}" width="${bw}" height="${h - pad.b - y(d.callOuts)}" fill="#aab4c3"/>` +
        `<rect x="${x + band * 0.1 + bw}" y="${y(d.filled)}" width="${bw}" height="${h - pad.b - y(d.filled)}" fill="#2e8b57"/>${label}</g>`;
    })
    .join('');
  const ticks = [0, Math.round(max / 2), max]
    .map((t) => `<text x="${pad.l - 6}" y="${y(t) + 3}" font-size="10" text-anchor="end">${t}</text><line x1="${pad.l}" x2="${w - pad.r}" y1="${y(t)}" y2="${y(t)}" stroke="#e3e6ea"/>`)
    .join('');
  return raw(
    `<svg role="img" aria-label="Call-outs and fills per day" viewBox="0 0 ${w} ${h}" width="100%" style="max-width:${w}px;background:#fff;border:1px solid #dde1e7">` +
      `${ticks}${bars}<g font-size="11"><rect x="${w - 170}" y="4" width="10" height="10" fill="#aab4c3"/><text x="${w - 156}" y="13">call-outs</text>` +
      `<rect x="${w - 95}" y="4" width="10" height="10" fill="#2e8b57"/><text x="${w - 81}" y="13">filled</text></g></svg>`,
  );
}
