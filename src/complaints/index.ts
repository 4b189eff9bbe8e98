/**
 * Complaints ("cases"): the `recordComplaint` effect of flows/complaint.machine.ts and the durable
 * job that follows it up.
 *
 * 1. The effect stores the case (one row per effect key) and enqueues its follow-up job, in one
 *    short transaction, and answers the case number at once: nothing remote on the caller's time.
 * 2. The job `complaint.followUp` (one per case) reads the client's context (shifts ±7 days with
 *    caregiver names, earlier cases) and texts the complaints staff — and on-call too when urgent —
 *    through the outbox (idempotent keys). WellSky down: staff are texted without the schedule.
 * 3. The job `complaint.adminTask` (one per case, separate so it never holds up the texts) writes
 *    the AdminTask in WellSky exactly once, retried on the remote-write schedule (hours); staff hear
 *    when it is still pending after a few failures, when it finally lands, and when it gives up.
 */
import { fromPromise } from 'xstate';
import type { Db } from '../db';
import type { Clock } from '../clock';
import type { AgencyConfig } from '../config';
import type { Directory } from '../directory/types';
import { RetryLater, remoteWriteDelay, REMOTE_WRITE_ATTEMPTS, type Job, type JobQueue, type JobHandlers } from '../jobs';
import type { WellSky } from '../wellsky/service';
import { isRetryableLater } from '../wellsky/errors';
import { moduleLog } from '../log';
import { localDate, localDateTime } from '../time';
import { describeCaller, type StaffMessages } from '../conversations/staff-messages';
import { effectKey } from '../../flows/effects';
import { gist, triageComplaint } from '../../flows/understand/complaint';
import type { RecordComplaintInput, RecordComplaintOutput } from '../../flows/complaint.machine';
import {
  caseNumberOf,
  clientName,
  describeDate,
  describeShift,
  earlierCases,
  shiftsAround,
  type ComplaintContext,
} from './context';

const log = moduleLog('complaints');

export const COMPLAINT_FOLLOW_UP_JOB = 'complaint.followUp';
/** The case's AdminTask in WellSky: its own job, on the remote-write schedule (hours, not minutes). */
export const COMPLAINT_ADMIN_TASK_JOB = 'complaint.adminTask';
/** Failed AdminTask writes before staff are told it is still pending. */
export const ALERT_AFTER_FAILURES = 3;

export interface ComplaintRow {
  id: string;
  conversation_id: string | null;
  channel: 'voice' | 'sms';
  caller_phone: string;
  caller_label: string;
  client_id: string | null;
  client_name: string | null;
  body: string | null;
  recording_url: string | null;
  severity: 'emergency' | 'urgent' | 'normal';
  reason: string | null;
  incomplete: boolean;
  context: ComplaintContext | null;
  staff_texted_at: string | null;
  admin_task_id: string | null;
  write_attempts: number;
  created_at: string | Date;
}

export interface ComplaintsDeps {
  db: Db;
  jobs: JobQueue;
  wellsky: WellSky;
  directory: Directory;
  staffMessages: StaffMessages;
  agency: AgencyConfig;
  clock: Clock;
}

export function createComplaints(deps: ComplaintsDeps) {
  const { db, jobs, wellsky, directory, staffMessages, agency, clock } = deps;
  const timezone = agency.agency.timezone;

  async function record(input: RecordComplaintInput): Promise<{ id: number; caseNumber: string }> {
    const key = effectKey(input);
    const name = input.clientId ? await clientName(directory, input.clientId) : undefined;
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO complaints (idempotency_key, conversation_id, channel, caller_phone, caller_label, client_id, client_name,
           body, recording_url, severity, reason, incomplete, lang, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         ON CONFLICT (idempotency_key) DO UPDATE SET updated_at = now()
         RETURNING id`,
        [key, input.conversationId, input.channel, input.callerPhone, describeCaller(input.caller ? [input.caller] : input.identities),
          input.clientId, name ?? null, input.text ?? null, input.recordingUrl ?? null, input.severity, input.reason ?? null, input.incomplete, input.lang, clock.now()],
      );
      const caseId = Number(rows[0].id);
      await jobs.enqueue(COMPLAINT_FOLLOW_UP_JOB, { complaintId: caseId }, { dedupeKey: `${COMPLAINT_FOLLOW_UP_JOB}:${caseId}` }, tx);
      await jobs.enqueue(COMPLAINT_ADMIN_TASK_JOB, { complaintId: caseId }, { dedupeKey: `${COMPLAINT_ADMIN_TASK_JOB}:${caseId}`, maxAttempts: REMOTE_WRITE_ATTEMPTS }, tx);
      return caseId;
    });
    log.info('complaint recorded', { complaintId: id, severity: input.severity, incomplete: input.incomplete, onFile: !!input.clientId });
    return { id, caseNumber: caseNumberOf(id) };
  }

  async function get(id: number): Promise<ComplaintRow | null> {
    const { rows } = await db.query<ComplaintRow>('SELECT * FROM complaints WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  async function gatherContext(row: ComplaintRow, interactive: boolean): Promise<ComplaintContext> {
    const earlier = row.client_id ? await earlierCases(db, row.client_id, Number(row.id)) : [];
    if (!row.client_id) return { recentShifts: [], upcomingShifts: [], earlierCases: earlier };
    try {
      const { recent, upcoming } = await shiftsAround({ wellsky, directory, timezone }, row.client_id, clock.now(), { interactive });
      return { clientName: row.client_name ?? undefined, recentShifts: recent, upcomingShifts: upcoming, earlierCases: earlier };
    } catch (err) {
      if (!isRetryableLater(err) || !interactive) throw err;
      return { clientName: row.client_name ?? undefined, recentShifts: [], upcomingShifts: [], scheduleUnavailable: true, earlierCases: earlier };
    }
  }

  function staffText(row: ComplaintRow, context: ComplaintContext): string {
    const caseNumber = caseNumberOf(row.id);
    const level = row.severity === 'emergency' ? 'EMERGENCY' : row.severity === 'urgent' ? 'URGENT' : 'New';
    const about = row.client_name ? ` about client ${row.client_name}` : row.client_id ? ` about client #${row.client_id}` : ' (caller not on file for any client)';
    const parts = [
      `${agency.agency.name}: ${level} complaint ${caseNumber}${row.reason ? ` (${row.reason})` : ''}${about} from ${row.caller_label}, ${row.caller_phone}.`,
      row.body ? `Said: "${gist(row.body, 40)}"` : row.recording_url ? `Voicemail: ${row.recording_url}` : 'No details given.',
      row.incomplete ? 'INCOMPLETE: the caller hung up before finishing.' : undefined,
      context.scheduleUnavailable ? 'Schedule: WellSky unavailable, check it there.' : undefined,
      context.recentShifts.length ? `Last 7 days: ${context.recentShifts.slice(0, 4).map((s) => describeShift(s, timezone)).join('; ')}.` : undefined,
      context.upcomingShifts.length ? `Next: ${context.upcomingShifts.slice(0, 2).map((s) => describeShift(s, timezone)).join('; ')}.` : undefined,
      context.earlierCases.length
        ? `Earlier complaints: ${context.earlierCases.map((c) => `${c.caseNumber} (${describeDate(c.createdAt, timezone)})`).join(', ')}.`
        : undefined,
      row.severity === 'normal' ? `Callback promised within ${agency.callbackPromise.hours} h.` : 'Please call them now.',
    ];
    return parts.filter(Boolean).join(' ');
  }

  function adminTaskDescription(row: ComplaintRow, context: ComplaintContext): string {
    const lines = [
      `Client complaint: ${row.body ? gist(row.body, 60) : row.recording_url ? `voicemail ${row.recording_url}` : '(no details: the caller hung up)'}`,
      `Case ${caseNumberOf(row.id)}, severity ${row.severity}${row.reason ? ` (${row.reason})` : ''}${row.incomplete ? ', INCOMPLETE' : ''}.`,
      `Caller: ${row.caller_label}, ${row.caller_phone}, by ${row.channel === 'voice' ? 'phone' : 'text'}.`,
      context.recentShifts.length ? `Shifts, last 7 days: ${context.recentShifts.map((s) => describeShift(s, timezone)).join('; ')}.` : undefined,
      context.upcomingShifts.length ? `Shifts, next 7 days: ${context.upcomingShifts.map((s) => describeShift(s, timezone)).join('; ')}.` : undefined,
      context.earlierCases.length ? `Earlier complaints: ${context.earlierCases.map((c) => c.caseNumber).join(', ')}.` : 'No earlier complaints on record.',
    ];
    return lines.filter(Boolean).join('\n');
  }

  /** Staff hear at once (with the schedule when WellSky answers quickly); the AdminTask is its own job. */
  async function followUp(payload: { complaintId: number }): Promise<void> {
    const row = await get(payload.complaintId);
    if (!row) return;
    // Cases queued before the split get their AdminTask job here.
    await jobs.enqueue(COMPLAINT_ADMIN_TASK_JOB, { complaintId: Number(row.id) }, { dedupeKey: `${COMPLAINT_ADMIN_TASK_JOB}:${row.id}`, maxAttempts: REMOTE_WRITE_ATTEMPTS });
    if (row.staff_texted_at) return;
    const context = await gatherContext(row, true);
    const body = staffText(row, context);
    const key = `complaint:${row.id}`;
    await staffMessages.textRole('complaints', key, body, { complaintId: Number(row.id) });
    if (row.severity !== 'normal') await staffMessages.textRole('oncall', key, body, { complaintId: Number(row.id) });
    await db.query(`UPDATE complaints SET context = COALESCE(context, $2), staff_texted_at = now(), updated_at = now() WHERE id = $1`, [row.id, JSON.stringify(context)]);
  }

  /**
   * The AdminTask, exactly once. WellSky down: retried on the remote-write schedule (up to 2 hours
   * apart, about 13 hours); staff hear after a few failures that it is pending, when it finally
   * lands, and when it gives up (then it is a dead letter, and they are asked to write it by hand).
   */
  async function writeAdminTask(payload: { complaintId: number }, job: Job): Promise<void> {
    const row = await get(payload.complaintId);
    if (!row || row.admin_task_id) return;
    try {
      const context = row.context && !row.context.scheduleUnavailable ? row.context : await gatherContext(row, false);
      const now = clock.now();
      const due = new Date(now.getTime() + (row.severity === 'normal' ? agency.callbackPromise.hours * 3_600_000 : 30 * 60_000));
      const task = await wellsky.createAdminTask({
        description: adminTaskDescription(row, context),
        executionDate: localDate(now, timezone),
        dueDate: localDateTime(due, timezone),
        requester: row.client_id ? { resourceType: 'Patient', id: row.client_id } : undefined,
      });
      await db.query(`UPDATE complaints SET admin_task_id = $2, context = $3, last_error = NULL, updated_at = now() WHERE id = $1`, [
        row.id, task.id, JSON.stringify(context),
      ]);
      log.info('complaint AdminTask written', { complaintId: Number(row.id) });
      if (Number(row.write_attempts) >= ALERT_AFTER_FAILURES) {
        await staffMessages.textRole('complaints', `complaint:${row.id}:wellsky-written`,
          `${agency.agency.name}: WellSky answers again; the AdminTask for complaint ${caseNumberOf(row.id)} is now written.`, { complaintId: Number(row.id) });
      }
    } catch (err) {
      if (!isRetryableLater(err)) throw err;
      const { rows } = await db.query<{ write_attempts: number }>(
        `UPDATE complaints SET write_attempts = write_attempts + 1, last_error = $2, updated_at = now() WHERE id = $1 RETURNING write_attempts`,
        [row.id, (err as Error).name],
      );
      const attempts = Number(rows[0]?.write_attempts ?? 1);
      if (job.attempts >= job.maxAttempts) {
        await staffMessages.textRole('complaints', `complaint:${row.id}:wellsky-gave-up`,
          `${agency.agency.name}: WellSky did not answer for hours; the AdminTask for complaint ${caseNumberOf(row.id)} was NOT written. Please add it in WellSky by hand (details in the console).`,
          { complaintId: Number(row.id) });
      } else if (attempts === ALERT_AFTER_FAILURES) {
        await staffMessages.textRole(
          'complaints',
          `complaint:${row.id}:wellsky-failing`,
          `${agency.agency.name}: WellSky is not answering; the AdminTask for complaint ${caseNumberOf(row.id)} is not written yet. It is retried automatically.`,
          { complaintId: Number(row.id) },
        );
      }
      throw new RetryLater(remoteWriteDelay(job.attempts), `WellSky unavailable (${(err as Error).name})`, { countAttempt: true });
    }
  }

  /**
   * Twilio's transcription of a recorded complaint arrived (after the call): keep it on the case
   * and text it to the complaints staff. False when no case has that recording.
   */
  async function attachTranscription(t: { recordingUrl?: string; text: string }): Promise<boolean> {
    if (!t.recordingUrl) return false;
    const { rows } = await db.query<{ id: string; caller_label: string; caller_phone: string; severity: string }>(
      `UPDATE complaints SET transcription = $2, updated_at = now()
       WHERE recording_url = $1 AND transcription IS NULL
       RETURNING id, caller_label, caller_phone, severity`,
      [t.recordingUrl, t.text],
    );
    for (const row of rows) {
      // A recording could not be triaged during the call; its words can be now.
      const triage = triageComplaint(t.text);
      const raised = row.severity === 'normal' && triage.severity !== 'normal';
      if (raised) {
        await db.query(`UPDATE complaints SET severity = $2, reason = COALESCE(reason, $3), updated_at = now() WHERE id = $1`, [row.id, triage.severity, triage.reason ?? null]);
      }
      const level = raised ? `now ${triage.severity.toUpperCase()}${triage.reason ? ` (${triage.reason})` : ''}: ` : '';
      const body = `${agency.agency.name}: ${level}transcript of complaint ${caseNumberOf(Number(row.id))} from ${row.caller_label}, ${row.caller_phone}: "${t.text.slice(0, 600)}"`;
      await staffMessages.textRole('complaints', `complaint-transcript:${row.id}`, body, { complaintId: Number(row.id) });
      if (raised) await staffMessages.textRole('oncall', `complaint-transcript:${row.id}`, body, { complaintId: Number(row.id) });
    }
    return rows.length > 0;
  }

  return {
    record,
    get,
    attachTranscription,
    effects: {
      recordComplaint: fromPromise<RecordComplaintOutput, RecordComplaintInput>(async ({ input }) => ({ caseNumber: (await record(input)).caseNumber })),
    },
    jobHandlers: {
      [COMPLAINT_FOLLOW_UP_JOB]: async (payload: { complaintId: number }) => followUp(payload),
      [COMPLAINT_ADMIN_TASK_JOB]: async (payload: { complaintId: number }, jctx) => writeAdminTask(payload, jctx.job),
    } as JobHandlers,
  };
}

export type Complaints = ReturnType<typeof createComplaints>;
