/**
 * A night at the agency for the console's tests and screenshots: Monday 6 a.m. (office closed
 * since Friday 5 p.m.), Dana called out of tomorrow's shift and a replacement took it by text,
 * Rosa called out of this morning's shift (nobody yet), Harold's daughter texted a complaint, and
 * one job was dead-lettered.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { hashPassword } from '../../src/dashboard/auth';
import type { Db } from '../../src/db';
import { startHarness, type Harness } from './harness';

export const MONDAY_6AM = '2026-03-02T13:00:00.000Z';
export const e164 = (p: string) => `+1${p}`;
export const DANA = e164(FIXTURE_PEOPLE.oneShiftCaregiver.phone);
export const ROSA = e164(FIXTURE_PEOPLE.spanishCaregiver.phone);
export const KEVIN = e164(FIXTURE_PEOPLE.threeShiftCaregiver.phone);
export const LINDA = e164(FIXTURE_PEOPLE.daughterContact.phone);
export const ADMIN_PASSWORD = 'console admin pass';
export const STAFF_PASSWORD = 'care manager pass';
export const CARE_MANAGER = 'Care Manager';
export const CARE_MANAGER_PHONE = '+13035550105';

/** The bundled agency config with a console password for the Care Manager. */
export function consoleAgencyConfig(dir: string): string {
  const cfg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8'));
  cfg.staff[0].passwordHash = hashPassword(STAFF_PASSWORD);
  // The agency's WellSky web address for clients; AdminTasks left without one (shown as ids).
  cfg.wellskyLinks = { patient: 'https://agency.clearcareonline.com/clients/{id}/' };
  const file = path.join(dir, `agency-console-${process.pid}-${Date.now()}.json`);
  fs.writeFileSync(file, JSON.stringify(cfg));
  return file;
}

export async function startConsoleHarness(db: Db): Promise<Harness> {
  return startHarness(db, { now: MONDAY_6AM, env: { ADMIN_PASSWORD, AGENCY_CONFIG: consoleAgencyConfig(os.tmpdir()) } });
}

export interface Scenario {
  filledCampaignId: number;
  winnerPhone: string;
  openCampaignId: number;
  complaintId: number;
  deadJobId: number;
}

export async function overnight(h: Harness): Promise<Scenario> {
  // Friday evening to Monday 6 a.m.: one call-out taken by a replacement …
  await h.call(DANA, ["I'm sick, I can't make my shift", 'yes', 'I have the flu', 'yes']);
  await h.runJobs();
  const offer = h.transport.calls.find((c) => /open shift|turno disponible/.test(c.body))!;
  const code = /(?:YES|SI) (\d{4})/.exec(offer.body)![1];
  h.clock.advance(4 * 60_000);
  await h.text(offer.to, `YES ${code}`);
  await h.runJobs();
  const campaigns = await h.services.db.query<{ id: string; shift_id: string }>('SELECT id, shift_id FROM campaigns ORDER BY id');
  const filled = campaigns.rows.find((c) => c.shift_id === FIXTURE_SHIFTS.danaTomorrow)!;
  // … a complaint by text …
  await h.text(LINDA, 'I have a complaint');
  await h.text(LINDA, 'The caregiver keeps forgetting to do the laundry and the kitchen is messy');
  await h.text(LINDA, 'Yes');
  await h.runJobs();
  // … a job that gave up …
  const deadJobId = await h.services.jobs.enqueue('reports.weekly', {}, { maxAttempts: 1 });
  await h.runJobs();
  // … and, just now, a call-out of this morning's shift (starts in 2 hours).
  const open = await callOutThisMorning(h);
  const complaint = await h.services.db.query<{ id: string }>('SELECT id FROM complaints ORDER BY id DESC LIMIT 1');
  return { filledCampaignId: Number(filled.id), winnerPhone: offer.to, openCampaignId: open, complaintId: Number(complaint.rows[0].id), deadJobId };
}

/** Rosa calls out of today's 8 a.m. shift with Carmen; returns its campaign id. */
export async function callOutThisMorning(h: Harness): Promise<number> {
  await h.call(ROSA, ['estoy enferma, no puedo ir a mi turno', 'hoy', 'tengo fiebre', 'sí']);
  await h.runJobs();
  const { rows } = await h.services.db.query<{ id: string }>('SELECT id FROM campaigns ORDER BY id DESC LIMIT 1');
  return Number(rows[0].id);
}
