/**
 * Call-outs and shift-fill campaigns: the story from "I can't make it" to a replacement booked in
 * WellSky. Every step is a durable job (dedupe key per step) and every text goes through the
 * outbox with an idempotency key, so a worker killed at any point and restarted resumes without
 * sending anything twice. No transaction is ever held across a WellSky or Twilio call.
 *
 *   recordCallOut ─► job shiftfill.callout: AdminTask, open the shift in WellSky, campaign,
 *                    schedulers texted, caregiver confirmed
 *   job shiftfill.wave n: rank candidates (once), check the next ones in WellSky, offer to
 *                    `waveSize`, schedule wave n+1
 *   handleReply "YES 4821": one conditional UPDATE picks the winner ─► job shiftfill.writeBack:
 *                    PUT, read back, details to the winner, family told (or AdminTask + on-call)
 *   job shiftfill.escalate n: the on-call chain, one person every escalationStepSeconds, until OK
 *
 * This file tells the call-out, write-back, escalation and take-back parts; the rows and their
 * readers are in store.ts, the offer waves in waves.ts, the replies and the claim in claims.ts.
 */
import { RetryLater, remoteWriteDelay, REMOTE_WRITE_ATTEMPTS, type Job, type JobHandlers } from '../jobs';
import { staffWithRole } from '../config';
import { ForbiddenError, isRetryableLater } from '../wellsky/errors';
import { hoursBetween, localDate, localDateTime } from '../time';
import { moduleLog } from '../log';
import type { Lang } from '../../flows/conversation';
import { createClaims } from './claims';
import {
  CALL_OUT_TIMES, createShiftFillContext, iso, rowIso, SHIFTFILL_JOBS, URGENT_MS, type CallOutRow, type CampaignRow, type ShiftFillDeps, type ShiftRef,
} from './store';
import { createWaves } from './waves';
import type { WellSky } from '../wellsky/service';
import * as T from './texts';

export { SHIFTFILL_JOBS, URGENT_MS, type CallOutRow, type CampaignRow, type ShiftFillDeps, type ShiftRef } from './store';

const log = moduleLog('shiftfill');

export function createShiftFill(deps: ShiftFillDeps) {
  const ctx = createShiftFillContext(deps);
  const { db, jobs, outbox, wellsky, directory, staffMessages, agency, cfg, zone, agencyName, now, when, callOut, campaign, wakeWorker } = ctx;
  const { runWave } = createWaves(ctx);
  const { handleReply, claimByPhone } = createClaims(ctx);

  async function names(caregiverId: string, clientId: string) {
    const [caregiver, client] = await Promise.all([
      directory.lookupPerson('caregiver', caregiverId).catch(() => null),
      directory.lookupPerson('client', clientId).catch(() => null),
    ]);
    return {
      caregiver: caregiver ? `${caregiver.firstName} ${caregiver.lastName}`.trim() : `caregiver ${caregiverId}`,
      caregiverFirst: caregiver?.firstName ?? 'the caregiver',
      client: client ? `${client.firstName} ${client.lastName}`.trim() : `client ${clientId}`,
      clientFirst: client?.firstName ?? 'the client',
    };
  }

  // ── The call-out ─────────────────────────────────────────────────────────────────────────

  /**
   * Stores the call-out (once per key) and schedules its processing. Fast and local: the
   * conversation answers at once, the WellSky work happens in the job.
   */
  async function recordCallOut(input: {
    key: string; conversationId?: string; channel: string; caregiverId: string; callerPhone: string; lang: Lang;
    shift: ShiftRef; reason?: string;
  }): Promise<{ callOutId: number; urgent: boolean }> {
    const at = now();
    const urgent = Date.parse(input.shift.start) - at.getTime() < URGENT_MS;
    const recorded = await db.transaction(async (tx) => {
      const inserted = await tx.query<{ id: string; urgent: boolean }>(
        `INSERT INTO call_outs (idempotency_key, conversation_id, kind, channel, caregiver_id, caller_phone, lang, shift_id, client_id, shift_start, shift_end, reason, urgent, created_at)
         VALUES ($1, $2, 'callout', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, urgent`,
        [input.key, input.conversationId ?? null, input.channel, input.caregiverId, input.callerPhone, input.lang, input.shift.id,
          input.shift.clientId, input.shift.start, input.shift.end, input.reason?.slice(0, 1000) ?? null, urgent, iso(at)],
      );
      const row = inserted.rows[0] ?? (await tx.query<{ id: string; urgent: boolean }>('SELECT id, urgent FROM call_outs WHERE idempotency_key = $1', [input.key])).rows[0];
      const id = Number(row.id);
      await jobs.enqueue(SHIFTFILL_JOBS.callOut, { callOutId: id }, { dedupeKey: `${SHIFTFILL_JOBS.callOut}:${id}` }, tx);
      await jobs.enqueue(SHIFTFILL_JOBS.record, { callOutId: id }, { dedupeKey: `${SHIFTFILL_JOBS.record}:${id}`, maxAttempts: REMOTE_WRITE_ATTEMPTS }, tx);
      if (inserted.rows[0]) log.info('call-out recorded', { callOutId: id, shiftId: input.shift.id, urgent });
      return { callOutId: id, urgent: row.urgent };
    });
    wakeWorker();
    return recorded;
  }

  /** Running late: noted, the scheduler (and the family, when configured) texted. No campaign. */
  async function recordLate(input: {
    key: string; conversationId?: string; channel: string; caregiverId: string; callerPhone: string; lang: Lang;
    shift: ShiftRef; etaMinutes: number;
  }): Promise<{ familyTold: boolean }> {
    const at = now();
    const inserted = await db.query<{ id: string }>(
      `INSERT INTO call_outs (idempotency_key, conversation_id, kind, channel, caregiver_id, caller_phone, lang, shift_id, client_id, shift_start, shift_end, eta_minutes, status, created_at)
       VALUES ($1, $2, 'late', $3, $4, $5, $6, $7, $8, $9, $10, $11, 'noted', $12)
       ON CONFLICT (idempotency_key) DO UPDATE SET eta_minutes = call_outs.eta_minutes RETURNING id`,
      [input.key, input.conversationId ?? null, input.channel, input.caregiverId, input.callerPhone, input.lang, input.shift.id,
        input.shift.clientId, input.shift.start, input.shift.end, input.etaMinutes, iso(at)],
    );
    const id = Number(inserted.rows[0].id);
    const n = await names(input.caregiverId, input.shift.clientId);
    const arrival = new Date(at.getTime() + input.etaMinutes * 60_000);
    const arrivalText = T.shiftWhen({ start: arrival.toISOString(), end: arrival.toISOString(), timezone: zone }, 'en').replace(/-.*$/, '');
    await staffMessages.textRole('scheduler', `late:${id}`, T.staff.late({
      agency: agencyName, id, caregiver: n.caregiver, shift: T.shiftWhen(when({ shift_start: input.shift.start, shift_end: input.shift.end }), 'en'), client: n.client,
      etaMinutes: input.etaMinutes, arrival: arrivalText,
    }), { callOutId: id });
    let familyTold = false;
    if (cfg.notifyClient) {
      const contact = await familyPhone(input.shift.clientId);
      if (contact) {
        await outbox.send({
          to: contact.phone, purpose: 'family_notice', idempotencyKey: `late-family:${id}`, meta: { callOutId: id },
          ...T.family.runningLate({ agency: agencyName, caregiverFirstName: n.caregiverFirst, clientFirstName: n.clientFirst, etaMinutes: input.etaMinutes, lang: contact.lang }),
        });
        familyTold = true;
      }
    }
    log.info('running late noted', { callOutId: id, etaMinutes: input.etaMinutes });
    return { familyTold };
  }

  /** The client's primary contact's phone, or the client's own; with their language. */
  async function familyPhone(clientId: string): Promise<{ phone: string; lang: Lang; name: string } | null> {
    const contact = await directory.primaryContactFor(clientId).catch(() => null);
    if (contact?.phones[0]) return { phone: contact.phones[0], lang: contact.language === 'es' ? 'es' : 'en', name: `${contact.firstName} ${contact.lastName}`.trim() };
    const client = await directory.lookupPerson('client', clientId).catch(() => null);
    if (client?.phones[0]) return { phone: client.phones[0], lang: client.language === 'es' ? 'es' : 'en', name: `${client.firstName} ${client.lastName}`.trim() };
    return null;
  }

  /**
   * The local half of a call-out, at once and whatever WellSky is doing: the campaign starts, the
   * schedulers are texted, the caregiver is confirmed. The WellSky half is `recordInWellSky`.
   */
  async function processCallOut(callOutId: number): Promise<void> {
    let row = await callOut(callOutId);
    if (!row || row.kind !== 'callout') return;
    if (row.status === 'cancelled') return;
    const n = await names(row.caregiver_id, row.client_id);
    const shiftText = T.shiftWhen(when(row), 'en');
    // Older rows (queued before the split) get their WellSky job here; new ones got it with the row.
    await jobs.enqueue(SHIFTFILL_JOBS.record, { callOutId: row.id }, { dedupeKey: `${SHIFTFILL_JOBS.record}:${row.id}`, maxAttempts: REMOTE_WRITE_ATTEMPTS });

    const campaignId = await startCampaign(row);
    row = (await callOut(callOutId))!;

    await staffMessages.textRole('scheduler', `callout:${row.id}`,
      T.staff.callOut({ agency: agencyName, id: row.id, caregiver: n.caregiver, shift: shiftText, client: n.client, reason: row.reason, campaignId }),
      { callOutId: row.id, campaignId });
    await db.query('UPDATE call_outs SET scheduler_notified = true WHERE id = $1', [row.id]);

    await outbox.send({
      to: row.caller_phone,
      ...T.caller.callOutConfirmation({ agency: agencyName, when: when(row), clientFirstName: n.clientFirst, lang: row.lang, urgent: row.urgent }),
      purpose: 'confirmation', idempotencyKey: `callout-confirm:${row.id}`, meta: { callOutId: row.id },
    });
    await db.query('UPDATE call_outs SET processed_at = COALESCE(processed_at, $2) WHERE id = $1', [row.id, iso(now())]);
  }

  /**
   * The WellSky half of a call-out: the AdminTask, then the shift opened (unassigned). Retried on
   * its own schedule (remoteWriteDelay: up to 2 hours apart, about 13 hours in all) while WellSky
   * is down; the schedulers hear when it finally lands after failures, or that it gave up.
   */
  async function recordInWellSky(callOutId: number, job: Job): Promise<void> {
    // Sent back from the dead letters: try the shift again.
    await db.query(`UPDATE call_outs SET write_back = NULL WHERE id = $1 AND write_back = 'failed'`, [callOutId]);
    const row = await callOut(callOutId);
    if (!row || row.kind !== 'callout') return;
    if (row.status === 'cancelled' && !row.admin_task_id) {
      await db.query(`UPDATE call_outs SET write_back = COALESCE(write_back, 'skipped') WHERE id = $1`, [row.id]);
      return;
    }
    const n = await names(row.caregiver_id, row.client_id);
    const shiftText = T.shiftWhen(when(row), 'en');
    try {
      if (!row.admin_task_id) {
        const task = await wellsky.createAdminTask({
          description: `COVERAGE NEEDED: ${n.caregiver} called out of the shift ${shiftText} (appointment ${row.shift_id}) with client ${n.client}. ` +
            `Reason: ${row.reason ?? 'not given'}. An automatic shift-fill campaign is texting available caregivers (call-out C-${row.id}).`,
          executionDate: localDate(row.shift_start, zone),
          dueDate: localDateTime(row.shift_start, zone),
          requester: { resourceType: 'Patient', id: row.client_id },
        });
        await db.query('UPDATE call_outs SET admin_task_id = $2 WHERE id = $1', [row.id, task.id]);
      }
      if (!row.write_back) {
        let outcome = 'off';
        // A campaign already filled (or taken back) keeps its shift as it is: the winner's write-back owns it now.
        const c = (await db.query<{ status: string }>('SELECT status FROM campaigns WHERE call_out_id = $1', [row.id])).rows[0];
        const fresh = (await callOut(callOutId))!;
        if (fresh.write_back) return; // the winner's write-back took the shift over meanwhile
        const stillOpen = fresh.status === 'open' && (!c || c.status === 'open');
        if (cfg.writeBack && !stillOpen) outcome = 'skipped';
        else if (cfg.writeBack) {
          try {
            await wellsky.assignShift(row.shift_id, null);
            outcome = 'opened';
          } catch (err) {
            if (!(err instanceof ForbiddenError)) throw err;
            outcome = 'refused';
            log.warn('WellSky refused to open the shift; the campaign goes on and a person will assign the winner', { callOutId: row.id, shiftId: row.shift_id });
          }
        }
        await db.query('UPDATE call_outs SET write_back = $2 WHERE id = $1 AND write_back IS NULL', [row.id, outcome]);
        if (outcome === 'refused') {
          await staffMessages.textRole('scheduler', `callout-refused:${row.id}`,
            T.staff.openRefused({ agency: agencyName, id: row.id, shift: shiftText, client: n.client }), { callOutId: row.id });
        }
      }
    } catch (err) {
      if (!isRetryableLater(err)) throw err;
      if (job.attempts >= job.maxAttempts) {
        await db.query(`UPDATE call_outs SET write_back = COALESCE(write_back, 'failed') WHERE id = $1`, [row.id]);
        await staffMessages.textRole('scheduler', `callout-wellsky-gave-up:${row.id}`,
          T.staff.wellskyGaveUp({ agency: agencyName, id: row.id, caregiver: n.caregiver, shift: shiftText, client: n.client, retriedFor: retriedFor(job) }), { callOutId: row.id });
      }
      throw new RetryLater(remoteWriteDelay(job.attempts), `WellSky unavailable (${(err as Error).name})`, { countAttempt: true });
    }
    if (job.attempts > 1) {
      await staffMessages.textRole('scheduler', `callout-wellsky-recovered:${row.id}`,
        T.staff.wellskyRecovered({ agency: agencyName, id: row.id, writeBack: (await callOut(callOutId))!.write_back ?? 'checked' }), { callOutId: row.id });
    }
  }

  /** How long a job has been retrying, in words ("3 h 10 min"). */
  function retriedFor(job: Job): string {
    const mins = Math.max(1, Math.round((now().getTime() - job.createdAt.getTime()) / 60_000));
    return mins < 60 ? `${mins} min` : `${Math.floor(mins / 60)} h ${mins % 60} min`;
  }

  async function startCampaign(row: CallOutRow): Promise<number> {
    const existing = await db.query<{ id: string }>('SELECT id FROM campaigns WHERE call_out_id = $1', [row.id]);
    let id = existing.rows[0] ? Number(existing.rows[0].id) : undefined;
    for (let attempt = 0; !id && attempt < 20; attempt++) {
      const code = String(1000 + Math.floor(Math.random() * 9000));
      try {
        const inserted = await db.query<{ id: string }>(
          `INSERT INTO campaigns (call_out_id, shift_id, client_id, shift_start, shift_end, claim_code, call_out_at, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (call_out_id) DO NOTHING RETURNING id`,
          [row.id, row.shift_id, row.client_id, row.shift_start, row.shift_end, code, row.created_at, iso(now())],
        );
        id = inserted.rows[0] ? Number(inserted.rows[0].id) : Number((await db.query<{ id: string }>('SELECT id FROM campaigns WHERE call_out_id = $1', [row.id])).rows[0].id);
      } catch (err) {
        if (!/campaigns_open_code|unique/i.test((err as Error).message)) throw err;
      }
    }
    if (!id) throw new Error(`no free claim code for call-out ${row.id}`);
    const startMs = Date.parse(row.shift_start);
    const at = now().getTime();
    await jobs.enqueue(SHIFTFILL_JOBS.wave, { campaignId: id, wave: 1 }, { dedupeKey: `${SHIFTFILL_JOBS.wave}:${id}:1` });
    const escalateAt = row.urgent ? at : Math.min(at + cfg.escalateAfterSeconds * 1000, startMs - URGENT_MS);
    await jobs.enqueue(SHIFTFILL_JOBS.escalate, { campaignId: id, step: 0 }, { dedupeKey: `${SHIFTFILL_JOBS.escalate}:${id}:0`, runAt: new Date(Math.max(at, escalateAt)) });
    await jobs.enqueue(SHIFTFILL_JOBS.familyPrompt, { campaignId: id }, { dedupeKey: `${SHIFTFILL_JOBS.familyPrompt}:${id}`, runAt: new Date(Math.max(at, startMs - URGENT_MS)) });
    // The first wave need not wait for this job's remaining texts.
    wakeWorker();
    return id;
  }

  // ── After the claim: write-back, details, family ─────────────────────────────────────────

  /**
   * The winner booked in WellSky and read back, then the details texted. A remote write on its own
   * schedule: WellSky down, it is retried up to 2 hours apart for about 13 hours (the winner already
   * heard "the shift is yours" at once); when it gives up, on-call is asked to book it by hand.
   */
  async function writeBack(campaignId: number, job?: Job): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'filled' || !c.winner_caregiver_id) return;
    // The call-out's own WellSky step must not open the shift after this books it.
    await db.query(`UPDATE call_outs SET write_back = 'superseded' WHERE id = $1 AND write_back IS NULL`, [c.call_out_id]);
    // Sent back from the dead letters: book it for real this time.
    if (c.write_back === 'failed') {
      await db.query(`UPDATE campaigns SET write_back = NULL WHERE id = $1 AND write_back = 'failed'`, [c.id]);
      c.write_back = null;
    }
    try {
      await bookWinner(c);
    } catch (err) {
      if (!isRetryableLater(err) || !job) throw err;
      if (job.attempts >= job.maxAttempts) await gaveUpBooking(c, job);
      throw new RetryLater(remoteWriteDelay(job.attempts), `WellSky unavailable (${(err as Error).name})`, { countAttempt: true });
    }
  }

  async function gaveUpBooking(c: CampaignRow, job: Job): Promise<void> {
    await db.query(`UPDATE campaigns SET write_back = 'failed' WHERE id = $1 AND write_back IS NULL`, [c.id]);
    const n = await names(c.winner_caregiver_id!, c.client_id);
    const winnerLang: Lang = (await db.query<{ lang: Lang }>('SELECT lang FROM offers WHERE campaign_id = $1 AND caregiver_id = $2', [c.id, c.winner_caregiver_id])).rows[0]?.lang ?? 'en';
    await staffMessages.textRole('oncall', `assign:${c.id}`,
      T.staff.assignGaveUp({ agency: agencyName, caregiver: n.caregiver, shift: T.shiftWhen(when(c), 'en'), client: n.client, retriedFor: retriedFor(job) }), { campaignId: c.id });
    await outbox.send({
      to: c.winner_phone!, purpose: 'shift_details', idempotencyKey: `winner-pending:${c.id}`, meta: { campaignId: c.id },
      ...T.assigned.pending({ agency: agencyName, when: when(c), lang: winnerLang }),
    });
  }

  async function bookWinner(c: CampaignRow): Promise<void> {
    const campaignId = c.id;
    const winner = c.winner_caregiver_id!;
    let outcome = c.write_back;
    let shiftAfter: Awaited<ReturnType<WellSky['getShift']>> | undefined;
    if (!outcome) {
      if (!cfg.writeBack) outcome = 'off';
      else {
        try {
          await wellsky.assignShift(c.shift_id, winner);
          shiftAfter = await wellsky.getShift(c.shift_id);
          outcome = shiftAfter.caregiverId === winner ? 'verified' : 'mismatch';
        } catch (err) {
          if (!(err instanceof ForbiddenError)) throw err;
          outcome = 'refused';
        }
      }
      await db.query('UPDATE campaigns SET write_back = $2 WHERE id = $1 AND write_back IS NULL', [c.id, outcome]);
      outcome = (await campaign(campaignId))!.write_back;
      log.info('winner written back', { campaignId, outcome });
    }
    const n = await names(winner, c.client_id);
    const winnerLang: Lang = (await db.query<{ lang: Lang }>('SELECT lang FROM offers WHERE campaign_id = $1 AND caregiver_id = $2', [c.id, winner])).rows[0]?.lang ?? 'en';
    const shiftText = T.shiftWhen(when(c), 'en');

    if (outcome === 'verified') {
      const shift = shiftAfter ?? (await wellsky.getShift(c.shift_id));
      const client = await wellsky.getPatient(c.client_id).catch(() => null);
      const address = T.fullAddress(client?.address);
      const tasks = [...new Set([...shift.scheduledItems.map((i) => i.name), ...shift.tasks.map((t) => t.description)])];
      await outbox.send({
        to: c.winner_phone!, purpose: 'shift_details', idempotencyKey: `winner:${c.id}`, meta: { campaignId: c.id },
        ...T.assigned.details({ agency: agencyName, when: when(c), clientName: n.client, address, tasks, lang: winnerLang, allowed: ctx.privacy.budget.assigned }),
      });
      await staffMessages.textRole('scheduler', `filled:${c.id}`, T.staff.filled({ agency: agencyName, caregiver: n.caregiver, shift: shiftText, client: n.client, campaignId: c.id }), { campaignId: c.id });
      if (cfg.notifyClient) {
        const family = await familyPhone(c.client_id);
        if (family) {
          await outbox.send({
            to: family.phone, purpose: 'family_notice', idempotencyKey: `family:${c.id}`, meta: { campaignId: c.id },
            ...T.family.coverNotice({ agency: agencyName, clientFirstName: n.clientFirst, when: when(c), caregiverFirstName: n.caregiverFirst, lang: family.lang }),
          });
        }
      }
    } else {
      const why = outcome === 'off' ? 'write-back is turned off' : outcome === 'refused' ? 'WellSky refused the update (403)' : 'WellSky did not show the new caregiver after the update';
      const task = await db.query<{ assign_task_id: string | null }>('SELECT assign_task_id FROM campaigns WHERE id = $1', [c.id]);
      if (!task.rows[0]?.assign_task_id) {
        const created = await wellsky.createAdminTask({
          description: `ASSIGN SHIFT: ${n.caregiver} accepted the open shift ${shiftText} (appointment ${c.shift_id}) with client ${n.client} by text, ` +
            `but it could not be booked automatically (${why}). Please assign ${n.caregiver} (caregiver ${winner}) in WellSky and confirm with them.`,
          executionDate: localDate(c.shift_start, zone),
          dueDate: localDateTime(c.shift_start, zone),
          requester: { resourceType: 'Patient', id: c.client_id },
        });
        await db.query('UPDATE campaigns SET assign_task_id = $2 WHERE id = $1', [c.id, created.id]);
      }
      await staffMessages.textRole('oncall', `assign:${c.id}`,
        T.staff.assignByHand({ agency: agencyName, caregiver: n.caregiver, shift: shiftText, client: n.client, why }), { campaignId: c.id });
      await outbox.send({
        to: c.winner_phone!, purpose: 'shift_details', idempotencyKey: `winner-pending:${c.id}`, meta: { campaignId: c.id },
        ...T.assigned.pending({ agency: agencyName, when: when(c), lang: winnerLang }),
      });
    }
  }

  // ── Escalation ───────────────────────────────────────────────────────────────────────────

  async function escalate(campaignId: number, step: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'open' || c.acknowledged_by) return;
    const at = now();
    if (Date.parse(c.shift_start) <= at.getTime()) return;
    const chain = staffWithRole(agency, 'oncall');
    if (!chain.length) return;
    // The next reminder is queued by time before this one is sent: a failing send never ends the chain.
    const next = new Date(at.getTime() + cfg.escalationStepSeconds * 1000);
    if (next.getTime() < Date.parse(c.shift_start)) {
      await jobs.enqueue(SHIFTFILL_JOBS.escalate, { campaignId: c.id, step: step + 1 }, { dedupeKey: `${SHIFTFILL_JOBS.escalate}:${c.id}:${step + 1}`, runAt: next });
    }
    const person = chain[step % chain.length];
    const n = await names((await callOut(c.call_out_id))!.caregiver_id, c.client_id);
    const reason = Date.parse(c.shift_start) - at.getTime() <= URGENT_MS ? 'starts within 2 hours' : `unfilled after ${Math.round(cfg.escalateAfterSeconds / 60)} minutes`;
    await db.transaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO escalations (campaign_id, step, staff_name, staff_phone, reason, sent_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING id`,
        [c.id, step, person.name, person.phone, reason, iso(at)],
      );
      if (!inserted.rows.length) return;
      await tx.query('UPDATE campaigns SET escalated_at = COALESCE(escalated_at, $2) WHERE id = $1', [c.id, iso(at)]);
      await outbox.send({
        to: person.phone, purpose: 'escalation', idempotencyKey: `escalation:${c.id}:${step}`, meta: { campaignId: c.id, step },
        ...T.staff.escalation({ agency: agencyName, reason, shift: T.shiftWhen(when(c), 'en'), client: n.client, caregiver: n.caregiver, code: c.claim_code }),
      }, tx);
    });
  }

  /** An on-call "OK": stops the escalations they were texted about. Undefined when not from on-call or not an OK. */
  async function handleStaffOk(msg: { from: string; body: string }): Promise<string | undefined> {
    const person = staffWithRole(agency, 'oncall').find((s) => s.phone === msg.from);
    if (!person || !/^\s*(ok|okay|k|got it)\b/i.test(msg.body)) return undefined;
    const { rows } = await db.query<{ id: string; claim_code: string }>(
      `UPDATE campaigns SET acknowledged_by = $1, acknowledged_at = $2
       WHERE status = 'open' AND escalated_at IS NOT NULL AND acknowledged_at IS NULL RETURNING id, claim_code`,
      [person.name, iso(now())],
    );
    if (!rows.length) return undefined;
    log.info('escalation acknowledged', { campaigns: rows.map((r) => Number(r.id)) });
    return T.staff.escalationAck({ staffFirstName: person.name.split(' ')[0], codes: rows.map((r) => r.claim_code) }).body;
  }

  async function familyPrompt(campaignId: number): Promise<void> {
    const c = await campaign(campaignId);
    if (!c || c.status !== 'open') return;
    const n = await names((await callOut(c.call_out_id))!.caregiver_id, c.client_id);
    const family = await familyPhone(c.client_id);
    await staffMessages.textRole('oncall', `family-prompt:${c.id}`,
      T.staff.familyPrompt({ agency: agencyName, shift: T.shiftWhen(when(c), 'en'), client: n.client, family: family ? { name: family.name, phone: family.phone } : undefined }), { campaignId: c.id });
  }

  // ── Taking a call-out back ───────────────────────────────────────────────────────────────

  /** "I can make it after all": cancels the caregiver's open campaign for that shift, if nobody took it yet. */
  async function cancelCallOut(input: { caregiverId: string; shiftId?: string }): Promise<{ outcome: 'cancelled' | 'alreadyFilled' | 'none'; shift?: ShiftRef }> {
    const at = iso(now());
    const { rows } = await db.query<CallOutRow & { campaign_status: string | null; campaign_id: string | null }>(
      `SELECT co.*, c.status AS campaign_status, c.id AS campaign_id FROM call_outs co LEFT JOIN campaigns c ON c.call_out_id = co.id
       WHERE co.caregiver_id = $1 AND co.kind = 'callout' AND co.status IN ('open', 'filled') AND co.shift_end > $2 AND ($3::text IS NULL OR co.shift_id = $3)
       ORDER BY co.shift_start LIMIT 1`,
      [input.caregiverId, at, input.shiftId ?? null],
    );
    const row = rows[0] ? rowIso(rows[0], CALL_OUT_TIMES) : undefined;
    if (!row) return { outcome: 'none' };
    const shift = { id: row.shift_id, clientId: row.client_id, start: row.shift_start, end: row.shift_end };
    if (row.status === 'filled' || row.campaign_status === 'filled') return { outcome: 'alreadyFilled', shift };
    const cancelled = await db.transaction(async (tx) => {
      if (row.campaign_id) {
        const r = await tx.query(`UPDATE campaigns SET status = 'cancelled', closed_at = $2 WHERE id = $1 AND status = 'open' RETURNING id`, [row.campaign_id, at]);
        if (!r.rows.length) return false;
        await tx.query(`UPDATE offers SET status = 'withdrawn' WHERE campaign_id = $1 AND status = 'open'`, [row.campaign_id]);
      }
      await tx.query(`UPDATE call_outs SET status = 'cancelled', cancelled_at = $2 WHERE id = $1 AND status = 'open'`, [row.id, at]);
      await jobs.enqueue(SHIFTFILL_JOBS.cancel, { callOutId: row.id }, { dedupeKey: `${SHIFTFILL_JOBS.cancel}:${row.id}` }, tx);
      return true;
    });
    if (!cancelled) return { outcome: 'alreadyFilled', shift };
    log.info('call-out taken back', { callOutId: row.id });
    return { outcome: 'cancelled', shift };
  }

  /** After a cancel: the caregiver back on the shift in WellSky, the schedulers told. */
  async function finishCancel(callOutId: number): Promise<void> {
    const row = await callOut(callOutId);
    if (!row) return;
    if (row.write_back === 'opened') {
      try {
        await wellsky.assignShift(row.shift_id, row.caregiver_id);
        await db.query(`UPDATE call_outs SET write_back = 'restored' WHERE id = $1`, [row.id]);
      } catch (err) {
        if (!(err instanceof ForbiddenError)) throw err;
        await db.query(`UPDATE call_outs SET write_back = 'restore_refused' WHERE id = $1`, [row.id]);
      }
    }
    const n = await names(row.caregiver_id, row.client_id);
    await staffMessages.textRole('scheduler', `uncallout:${row.id}`,
      T.staff.takenBack({ agency: agencyName, id: row.id, caregiver: n.caregiver, shift: T.shiftWhen(when(row), 'en'), client: n.client, restored: row.write_back === 'opened' }), { callOutId: row.id });
  }

  const jobHandlers: JobHandlers = {
    [SHIFTFILL_JOBS.callOut]: async (p: { callOutId: number }) => processCallOut(Number(p.callOutId)),
    [SHIFTFILL_JOBS.record]: async (p: { callOutId: number }, jctx) => recordInWellSky(Number(p.callOutId), jctx.job),
    [SHIFTFILL_JOBS.wave]: async (p: { campaignId: number; wave: number }) => runWave(Number(p.campaignId), Number(p.wave)),
    [SHIFTFILL_JOBS.writeBack]: async (p: { campaignId: number }, jctx) => writeBack(Number(p.campaignId), jctx.job),
    [SHIFTFILL_JOBS.escalate]: async (p: { campaignId: number; step: number }) => escalate(Number(p.campaignId), Number(p.step)),
    [SHIFTFILL_JOBS.familyPrompt]: async (p: { campaignId: number }) => familyPrompt(Number(p.campaignId)),
    [SHIFTFILL_JOBS.cancel]: async (p: { callOutId: number }) => finishCancel(Number(p.callOutId)),
  };

  /** The SMS hook: offer replies and on-call OKs; undefined lets the conversation have the text. */
  async function interceptSms(msg: { from: string; body: string }): Promise<string | undefined> {
    return (await handleStaffOk(msg)) ?? (await handleReply(msg));
  }

  return {
    recordCallOut, recordLate, cancelCallOut, handleReply, claimByPhone, handleStaffOk, interceptSms, jobHandlers,
    processCallOut, runWave, writeBack, escalate, campaign, callOut, hoursOf: (s: ShiftRef) => hoursBetween(s.start, s.end),
  };
}

export type ShiftFill = ReturnType<typeof createShiftFill>;