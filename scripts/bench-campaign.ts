/**
 * The campaign figure of `npm run bench`: how long from a caregiver's confirmed call-out to the
 * first shift offer handed to the SMS transport, for a sandbox agency of `caregivers` caregivers
 * whose every WellSky request takes `latencyMs` more. The whole app runs in-process with its
 * real job worker and clock (dev Twilio mode, embedded PGlite in a temp DATA_DIR); only the
 * transport is wrapped to note when each text reaches it.
 *
 * "Confirmed" is the moment the call-out flow's recordCallOut effect starts (the caregiver said
 * yes to "To confirm: you can't work …"); the conversation answers as soon as it returns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildServices } from '../src/app';
import { loadConfig } from '../src/config';
import { createDevTransport, type SmsTransport } from '../src/twilio/transport';
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../src/wellsky-sandbox';

export const CAMPAIGN_TARGET_MS = 2000;
const OFFER = /open shift|turno disponible/;

export interface CampaignFigures {
  caregivers: number;
  latencyMs: number;
  runs: CampaignRun[];
}

export interface CampaignRun {
  shift: string;
  /** Confirmation → recordCallOut returned (what the caller waits for). */
  recordedMs: number;
  /** Confirmation → campaign row created (the call-out job's AdminTask and shift opening done). */
  campaignMs: number;
  /** Confirmation → offers written to the outbox (candidates ranked and checked in WellSky). */
  offersWrittenMs: number;
  /** Confirmation → first offer handed to the transport: the figure with the 2 s target. */
  firstOfferMs: number;
  offers: number;
  wellskyRequests: number;
}

export async function measureCampaign(opts: { caregivers?: number; latencyMs?: number; runs?: number } = {}): Promise<CampaignFigures> {
  const caregivers = opts.caregivers ?? 300;
  const latencyMs = opts.latencyMs ?? 100;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agency-bench-campaign-'));
  // An explicit environment: never a real WellSky or Twilio, whatever the shell holds.
  const config = loadConfig({ NODE_ENV: 'development', DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const handedOver: { to: string; body: string; at: number }[] = [];
  const dev = createDevTransport();
  const transport: SmsTransport = {
    kind: dev.kind,
    send: async (req) => {
      handedOver.push({ to: req.to, body: req.body, at: performance.now() });
      return dev.send(req);
    },
  };
  const services = await buildServices(config, { sandbox: { caregivers }, transport, startWorker: true, awaitFirstSync: true });
  try {
    const sandbox = services.sandbox!.sandbox;
    const shifts = [FIXTURE_SHIFTS.danaTomorrow, ...FIXTURE_SHIFTS.kevinTomorrow].slice(0, opts.runs ?? 3);
    const callers: Record<string, { id: string; phone: string }> = {
      [FIXTURE_SHIFTS.danaTomorrow]: FIXTURE_PEOPLE.oneShiftCaregiver,
      ...Object.fromEntries(FIXTURE_SHIFTS.kevinTomorrow.map((id) => [id, FIXTURE_PEOPLE.threeShiftCaregiver])),
    };
    // Read before the latency is switched on: the flow already had these from its shift lookup.
    const details = await Promise.all(shifts.map((id) => services.wellsky.getShift(id)));
    sandbox.setFaults({ latencyMs });
    const runs: CampaignRun[] = [];
    for (const shift of details) {
      const caller = callers[shift.id];
      const requestsBefore = sandbox.requestLog.length;
      const seen = handedOver.length;
      const t0 = performance.now();
      const wallT0 = Date.now();
      const { callOutId } = await services.shiftFill.recordCallOut({
        key: `bench:${shift.id}:${wallT0}`, channel: 'voice', caregiverId: caller.id, callerPhone: `+1${caller.phone}`, lang: 'en',
        shift: { id: shift.id, clientId: shift.clientId, start: shift.start, end: shift.end }, reason: 'bench: sick',
      });
      const recordedMs = performance.now() - t0;
      const first = await waitFor(() => handedOver.slice(seen).find((t) => OFFER.test(t.body)), 30_000);
      const { rows } = await services.db.query<{ created_at: Date | string; first_offer_at: Date | string | null }>(
        'SELECT created_at, first_offer_at FROM campaigns WHERE call_out_id = $1', [callOutId],
      );
      // BENCH_CAMPAIGN_TRACE=1: every WellSky request of the run, at its time from the confirmation.
      if (process.env.BENCH_CAMPAIGN_TRACE) {
        for (const r of sandbox.requestLog.slice(requestsBefore)) console.log(`  ${String(Date.parse(r.at) - wallT0).padStart(5)} ms  ${r.method} ${r.path} ${JSON.stringify(r.query).slice(0, 60)}`);
      }
      // Let the rest of the wave reach the transport before the next run.
      await new Promise((r) => setTimeout(r, 500 + latencyMs));
      runs.push({
        shift: shift.id,
        recordedMs,
        campaignMs: new Date(rows[0].created_at).getTime() - wallT0,
        offersWrittenMs: rows[0].first_offer_at ? new Date(rows[0].first_offer_at).getTime() - wallT0 : NaN,
        firstOfferMs: first.at - t0,
        offers: handedOver.slice(seen).filter((t) => OFFER.test(t.body)).length,
        wellskyRequests: sandbox.requestLog.length - requestsBefore,
      });
    }
    return { caregivers, latencyMs, runs };
  } finally {
    await services.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found) return found;
    if (performance.now() > until) throw new Error(`no offer reached the transport within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function printCampaign(f: CampaignFigures): void {
  const rows = [
    ['shift', 'recorded ms', 'campaign ms', 'offers written ms', `first offer ms (target < ${CAMPAIGN_TARGET_MS})`, 'offers', 'WellSky requests'],
    ...f.runs.map((r) => [
      r.shift,
      r.recordedMs.toFixed(0),
      r.campaignMs.toFixed(0),
      Number.isNaN(r.offersWrittenMs) ? 'n/a' : r.offersWrittenMs.toFixed(0),
      `${r.firstOfferMs.toFixed(0)} ${r.firstOfferMs < CAMPAIGN_TARGET_MS ? 'ok' : 'OVER'}`,
      String(r.offers),
      String(r.wellskyRequests),
    ]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  console.log(`\nCampaign: call-out confirmed → first offer handed to the transport (${f.caregivers} caregivers, +${f.latencyMs} ms per WellSky request)`);
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('Times are from the confirmation; "campaign" = call-out job done up to the campaign row (AdminTask, shift opened), "offers written" = first wave in the outbox.');
}
