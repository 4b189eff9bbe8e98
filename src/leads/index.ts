/**
 * New-client leads: the `saveLead` effect of flows/lead.machine.ts and the durable WellSky
 * write-back.
 *
 * 1. The effect stores the lead (one row per effect key) with its write-back job in one short
 *    transaction, then queues the intake staff summary and, when the caller agreed, a thank-you
 *    text through the outbox. Nothing remote on the caller's time.
 * 2. The job (`lead.writeBack`, one per lead) looks for the number on file first: a returning
 *    prospect or client is updated, never duplicated (this also adopts a Patient whose create
 *    answer was lost). Otherwise the Patient is created (isClient=false, status 1 New Lead,
 *    referral source, city/ZIP, a notes tag with the rest), and a caller who is not the person
 *    needing care is added as a RelatedPerson. WellSky down: retried on the remote-write schedule
 *    (up to 2 hours apart, about 13 hours), each step once; intake is told after a few failures,
 *    when it finally lands, and when it gives up (a dead letter; they add it by hand).
 */
import { fromPromise } from 'xstate';
import type { Db } from '../db';
import type { AgencyConfig } from '../config';
import { RetryLater, remoteWriteDelay, REMOTE_WRITE_ATTEMPTS, type Job, type JobHandlers, type JobQueue } from '../jobs';
import type { WellSky } from '../wellsky/service';
import { systemClock, type Clock } from '../clock';
import { isRetryableLater } from '../wellsky/errors';
import type { Outbox } from '../twilio/outbox';
import { moduleLog } from '../log';
import type { StaffMessages } from '../conversations/staff-messages';
import { effectKey } from '../../flows/effects';
import type { SaveLeadInput, SaveLeadOutput } from '../../flows/lead.machine';

const log = moduleLog('leads');

export const LEAD_WRITE_BACK_JOB = 'lead.writeBack';
export const ALERT_AFTER_FAILURES = 3;

export interface LeadRow {
  id: string;
  channel: 'voice' | 'sms';
  caller_phone: string;
  caller_name: string | null;
  relationship: string | null;
  care_for_name: string | null;
  care_for_phone: string | null;
  city: string | null;
  zip: string | null;
  needs: string | null;
  schedule: string | null;
  payer: string | null;
  heard_from: string | null;
  consent_to_text: boolean | null;
  skipped: string[];
  lang: 'en' | 'es';
  incomplete: boolean;
  returning_patient_id: string | null;
  wellsky_status: 'pending' | 'written' | 'skipped';
  patient_id: string | null;
  related_person_id: string | null;
  write_attempts: number;
}

const PAYER_LABEL: Record<string, string> = {
  private: 'private pay',
  ltc_insurance: 'long-term-care insurance',
  va: 'VA',
  medicaid: 'Medicaid',
  unknown: 'not sure',
};

export const leadReference = (id: number | string) => `L-${id}`;

function splitName(name: string | null): { firstName: string; lastName: string } | undefined {
  const parts = (name ?? '').trim().split(/\s+/).filter(Boolean);
  if (!parts.length) return undefined;
  return { firstName: parts[0], lastName: parts.slice(1).join(' ') || '-' };
}

/** The caller is the person needing care. */
const forSelf = (row: LeadRow) => row.relationship === 'SELF';

export function createLeads(deps: { db: Db; jobs: JobQueue; wellsky: WellSky; outbox: Outbox; staffMessages: StaffMessages; agency: AgencyConfig; clock?: Clock }) {
  const { db, jobs, wellsky, outbox, staffMessages, agency } = deps;
  const clock = deps.clock ?? systemClock;

  function describe(row: LeadRow): string {
    const parts = [
      `caller ${row.caller_name ?? '(name not given)'}${row.relationship ? ` (${row.relationship})` : ''}, ${row.caller_phone}`,
      row.care_for_name && !forSelf(row) ? `for ${row.care_for_name}` : undefined,
      row.city || row.zip ? [row.city, row.zip].filter(Boolean).join(' ') : undefined,
      row.needs ? `needs: ${row.needs}` : undefined,
      row.schedule ? `schedule: ${row.schedule}` : undefined,
      row.payer ? `payer: ${PAYER_LABEL[row.payer] ?? row.payer}` : undefined,
      row.heard_from ? `heard of us: ${row.heard_from}` : undefined,
      row.consent_to_text === null ? undefined : `texts OK: ${row.consent_to_text ? 'yes' : 'no'}`,
      row.skipped.length ? `skipped: ${row.skipped.join(', ')}` : undefined,
    ];
    return parts.filter(Boolean).join('; ');
  }

  async function get(id: number): Promise<LeadRow | null> {
    const { rows } = await db.query<LeadRow>('SELECT * FROM leads WHERE id = $1', [id]);
    return rows[0] ?? null;
  }

  async function save(input: SaveLeadInput): Promise<{ id: number; reference: string }> {
    const key = effectKey(input);
    // Something WellSky can hold: a name for the Patient, or at least a returning record to update.
    const writable = !!(input.careForName || input.callerName || input.returningPatientId);
    const id = await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: string }>(
        `INSERT INTO leads (idempotency_key, conversation_id, channel, caller_phone, caller_name, relationship, care_for_name,
           city, zip, needs, schedule, payer, heard_from, consent_to_text, skipped, lang, incomplete, returning_patient_id, wellsky_status, care_for_phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
         ON CONFLICT (idempotency_key) DO UPDATE SET updated_at = now()
         RETURNING id`,
        [key, input.conversationId, input.channel, input.callerPhone, input.callerName ?? null, input.relationship ?? null,
          input.careForName ?? (input.relationship === 'SELF' ? (input.callerName ?? null) : null), input.city ?? null, input.zip ?? null,
          input.needs ?? null, input.schedule ?? null, input.payer ?? null, input.heardFrom ?? null, input.consentToText ?? null,
          JSON.stringify(input.skipped), input.lang, input.incomplete, input.returningPatientId ?? null, writable ? 'pending' : 'skipped',
          input.relationship === 'SELF' ? null : (input.careForPhone ?? null), clock.now()],
      );
      const leadId = Number(rows[0].id);
      if (writable) await jobs.enqueue(LEAD_WRITE_BACK_JOB, { leadId }, { dedupeKey: `${LEAD_WRITE_BACK_JOB}:${leadId}`, maxAttempts: REMOTE_WRITE_ATTEMPTS }, tx);
      return leadId;
    });
    const row = (await get(id))!;
    const reference = leadReference(id);
    const stopped = input.stoppedFor === 'operator' ? 'the caller asked for a person' : input.stoppedFor === 'emergency' ? 'the caller had an emergency'
      : input.stoppedFor ? 'the caller did not finish' : 'the caller hung up';
    const flags = [row.returning_patient_id ? 'RETURNING caller (record on file)' : undefined, row.incomplete ? `INCOMPLETE: ${stopped}` : undefined]
      .filter(Boolean)
      .join(', ');
    await staffMessages.textRole(
      'intake',
      `lead:${id}`,
      `${agency.agency.name}: New lead ${reference}${flags ? ` (${flags})` : ''}: ${describe(row)}. Please call within ${agency.callbackPromise.hours} h.`,
      { leadId: id },
    );
    if (row.consent_to_text && !row.incomplete) {
      const body =
        row.lang === 'es'
          ? `Gracias por contactar a ${agency.agency.name}. Nuestro equipo de nuevos clientes le llamará pronto. Referencia ${reference}.`
          : `Thank you for contacting ${agency.agency.name}. Our new client team will call you soon. Reference ${reference}.`;
      await outbox.send({ to: row.caller_phone, body, purpose: 'confirmation', audience: 'caller', idempotencyKey: `lead:${id}:thanks`, meta: { leadId: id } });
    }
    log.info('lead saved', { leadId: id, incomplete: row.incomplete, returning: !!row.returning_patient_id });
    return { id, reference };
  }

  function notesTag(row: LeadRow): string {
    return `[Front door lead ${leadReference(row.id)}] ${describe(row)}`;
  }

  async function writeBack(payload: { leadId: number }, job?: Job): Promise<void> {
    const row = await get(payload.leadId);
    if (!row || row.wellsky_status !== 'pending') return;
    try {
      let patientId = row.patient_id;
      if (!patientId) {
        // Existing records first: a number on file is updated, never duplicated.
        const existing = row.returning_patient_id ?? (await wellsky.findPatientsByPhone(row.caller_phone))[0]?.id;
        if (existing) {
          await wellsky.updatePatient(existing, {
            notes: notesTag(row),
            ...(row.city ? { city: row.city } : {}),
            ...(row.zip ? { postalCode: row.zip } : {}),
          });
          patientId = existing;
          await db.query(`UPDATE leads SET patient_id = $2, returning_patient_id = COALESCE(returning_patient_id, $2), updated_at = now() WHERE id = $1`, [row.id, existing]);
          row.returning_patient_id = row.returning_patient_id ?? existing;
        } else {
          const name = splitName(row.care_for_name) ?? { firstName: 'Unknown', lastName: splitName(row.caller_name)?.lastName ?? 'Lead' };
          const created = await wellsky.createLead({
            ...name,
            // The person's own phone when given; otherwise the caller's, as the contact number.
            phone: row.care_for_phone ?? row.caller_phone,
            city: row.city ?? undefined,
            postalCode: row.zip ?? undefined,
            referralSource: row.heard_from ?? 'Phone line',
            notes: notesTag(row),
          });
          patientId = created.id;
          await db.query(`UPDATE leads SET patient_id = $2, updated_at = now() WHERE id = $1`, [row.id, patientId]);
        }
      }
      const caller = splitName(row.caller_name);
      if (!forSelf(row) && !row.returning_patient_id && !row.related_person_id && caller) {
        const contact = await wellsky.createContact({
          clientId: patientId,
          ...caller,
          relationship: row.relationship && row.relationship !== 'PROF' ? row.relationship : 'OTH',
          phone: row.caller_phone,
          primaryContact: true,
        });
        await db.query(`UPDATE leads SET related_person_id = $2, updated_at = now() WHERE id = $1`, [row.id, contact.id]);
      }
      await db.query(`UPDATE leads SET wellsky_status = 'written', written_at = now(), last_error = NULL, updated_at = now() WHERE id = $1`, [row.id]);
      log.info('lead written to WellSky', { leadId: Number(row.id), returning: !!row.returning_patient_id });
      if (Number(row.write_attempts) >= ALERT_AFTER_FAILURES) {
        await staffMessages.textRole('intake', `lead:${row.id}:wellsky-written`,
          `${agency.agency.name}: WellSky answers again; lead ${leadReference(row.id)} is now in WellSky.`, { leadId: Number(row.id) });
      }
    } catch (err) {
      if (!isRetryableLater(err)) throw err;
      const { rows } = await db.query<{ write_attempts: number }>(
        `UPDATE leads SET write_attempts = write_attempts + 1, last_error = $2, updated_at = now() WHERE id = $1 RETURNING write_attempts`,
        [row.id, (err as Error).name],
      );
      const attempts = Number(rows[0]?.write_attempts ?? 1);
      const lastTry = !!job && job.attempts >= job.maxAttempts;
      if (lastTry) {
        await staffMessages.textRole('intake', `lead:${row.id}:wellsky-gave-up`,
          `${agency.agency.name}: WellSky did not answer for hours; lead ${leadReference(row.id)} (${row.caller_phone}) is saved here but was NOT written to WellSky. Please add it by hand (details in the console).`,
          { leadId: Number(row.id) });
      } else if (attempts === ALERT_AFTER_FAILURES) {
        await staffMessages.textRole(
          'intake',
          `lead:${row.id}:wellsky-failing`,
          `${agency.agency.name}: WellSky is not answering; lead ${leadReference(row.id)} (${row.caller_phone}) is saved here but not in WellSky yet. It is retried automatically.`,
          { leadId: Number(row.id) },
        );
      }
      throw new RetryLater(job ? remoteWriteDelay(job.attempts) : remoteWriteDelay(attempts), 'WellSky unavailable', { countAttempt: !!job });
    }
  }

  return {
    save,
    get,
    effects: {
      saveLead: fromPromise<SaveLeadOutput, SaveLeadInput>(async ({ input }) => ({ reference: (await save(input)).reference })),
    },
    jobHandlers: { [LEAD_WRITE_BACK_JOB]: async (payload: { leadId: number }, jctx) => writeBack(payload, jctx.job) } as JobHandlers,
  };
}
