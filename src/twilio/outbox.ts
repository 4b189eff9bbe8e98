/**
 * The outbox: every outbound text is a row before it is a request to Twilio.
 *
 * `send` writes the row (one per idempotency key) and a durable `outbox.send` job in one short
 * transaction; the job calls the transport. `sendNow` does the same with the job set a little in
 * the future as a safety net, then tries at once. Whoever sends first takes the message with a
 * compare-and-set (queued → sending, with a short lease), so a key is texted once however many
 * times it is sent, retried or raced. Twilio's Messages API has no idempotency key, so after an
 * ambiguous attempt (a timeout, a dropped connection, a 5xx, or a sender that died mid-send) the
 * next attempt first looks the message up on Twilio (To, From, date since the attempt, same body)
 * and records the sid it finds instead of sending again.
 *
 * It is also where the PHI budget (docs/privacy.md, ./privacy.ts) is enforced: every message names
 * its audience and the facts it carries; one that declares a fact its audience may not have, or a
 * broadcast whose body holds a name, street address, phone number or condition of the client it
 * is about (checked against that client's record, passed as `subject`), is kept as
 * 'refused_privacy', never sent, and staff are texted about it.
 */
import type { Db, Queryable } from '../db';
import type { Clock } from '../clock';
import type { JobHandlers, JobQueue } from '../jobs';
import { insertJobsSql, RetryLater } from '../jobs';
import { moduleLog, maskPhone, scrubString } from '../log';
import { toE164 } from '../phone';
import { ledgerPhone, optedOutSql, type OptOutLedger } from './optout';
import { classifySendError, SmsTransportError, type SmsTransport } from './transport';
import { AUDIENCES, broadcastViolation, DEFAULT_PRIVACY, factsOverBudget, type Audience, type Fact, type PrivacySettings, type PrivacySubject, type Violation } from './privacy';

const log = moduleLog('outbox');

export const OUTBOX_SEND_JOB = 'outbox.send';

export type OutboundStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'suppressed_opted_out' | 'bad_number' | 'refused_privacy';

export interface OutboundMessage {
  id: number;
  idempotencyKey: string;
  to: string;
  body: string;
  purpose: string;
  audience: Audience | null;
  campaignId: number | null;
  meta: Record<string, unknown>;
  status: OutboundStatus;
  twilioSid: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  attempts: number;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

export interface SendRequest {
  to: string;
  body: string;
  /** What the text is for: 'offer', 'staff_alert', 'confirmation', 'reply', … */
  purpose: string;
  /** Same key → same message, sent once. Build it from what makes the text unique (e.g. `offer:${campaignId}:${caregiverId}`). */
  idempotencyKey: string;
  /** Related ids only (campaign, shift, conversation); never names or text. */
  meta?: Record<string, unknown>;
  /** Who the text is for: what it may say depends on it (the agency's privacy budget). */
  audience: Audience;
  /** The facts the body was built from (texts.ts declares them); required for a broadcast. */
  facts?: readonly Fact[];
  /** Broadcast: the client the text is about, as what it must not give away (privacy.ts `subjectOf`). Required for a broadcast. */
  subject?: PrivacySubject;
  /** The shift-fill campaign the text belongs to (defaults to meta.campaignId). */
  campaignId?: number;
}

export interface StatusCallbackParams {
  MessageSid: string;
  MessageStatus: string;
  ErrorCode?: string | number | null;
}

export interface Outbox {
  /** Writes the message (or finds it by key) and schedules its sending. Pass `tx` to write it with your own rows. */
  send(req: SendRequest, tx?: Queryable): Promise<OutboundMessage>;
  /** Writes the message and tries to send it at once (inside a webhook turn); a durable job takes over on failure. Never inside a transaction. */
  sendNow(req: SendRequest): Promise<OutboundMessage>;
  /** Applies a Twilio status callback; status only moves forward. `matched` is false for a sid the outbox does not know (yet). */
  handleStatusCallback(params: StatusCallbackParams): Promise<{ matched: boolean; status?: OutboundStatus }>;
  get(id: number): Promise<OutboundMessage | null>;
  getByKey(idempotencyKey: string): Promise<OutboundMessage | null>;
  /** Register these with the job runner. */
  readonly jobHandlers: JobHandlers;
}

export interface OutboxOptions {
  db: Db;
  jobs: JobQueue;
  transport: SmsTransport;
  clock: Clock;
  from: { phoneNumber: string; messagingServiceSid?: string };
  optOuts: OptOutLedger;
  /** How long one sender owns a message while calling Twilio; default 60 s. */
  sendLeaseMs?: number;
  /** `sendNow`'s safety-net job runs this long after the inline attempt began; default 30 s. */
  fallbackDelayMs?: number;
  /** Attempts of the `outbox.send` job before the message is marked failed; default 12 (about an hour with the runner's default backoff). */
  maxAttempts?: number;
  /** The PHI budget and who hears about a refused text; default: the safe defaults, nobody alerted. */
  privacy?: { settings?: PrivacySettings; agencyName?: string; alertTo?: string[] };
}

const MAX_BODY = 1600;
export const TERMINAL_STATUSES: readonly OutboundStatus[] = ['delivered', 'undelivered', 'failed', 'suppressed_opted_out', 'bad_number', 'refused_privacy'];
export const PRIVACY_ALERT_PURPOSE = 'privacy_alert';

/** Order of statuses: a status never moves to a lower rank; terminal ones never change. */
export function statusRank(status: OutboundStatus): number {
  switch (status) {
    case 'queued': return 0;
    case 'sending': return 1;
    case 'sent': return 2;
    default: return 3;
  }
}
const RANK_SQL = `(CASE status WHEN 'queued' THEN 0 WHEN 'sending' THEN 1 WHEN 'sent' THEN 2 ELSE 3 END)`;

/** Twilio's MessageStatus → ours; undefined for statuses of inbound messages. */
export function outboundStatusOf(twilioStatus: string): OutboundStatus | undefined {
  switch (twilioStatus) {
    case 'accepted': case 'scheduled': case 'queued': return 'queued';
    case 'sending': return 'sending';
    case 'sent': return 'sent';
    case 'delivered': case 'read': return 'delivered';
    case 'undelivered': return 'undelivered';
    case 'failed': case 'canceled': return 'failed';
    default: return undefined;
  }
}

interface MessageRow {
  id: number | string;
  idempotency_key: string;
  to_phone: string;
  body: string;
  purpose: string;
  audience: string | null;
  campaign_id: number | string | null;
  meta: unknown;
  status: OutboundStatus;
  twilio_sid: string | null;
  error_code: number | null;
  error_message: string | null;
  attempts: number;
  created_at: Date | string;
  updated_at: Date | string;
  sent_at: Date | string | null;
}

function messageFromRow(r: MessageRow): OutboundMessage {
  return {
    id: Number(r.id),
    idempotencyKey: r.idempotency_key,
    to: r.to_phone,
    body: r.body,
    purpose: r.purpose,
    audience: (r.audience as Audience | null) ?? null,
    campaignId: r.campaign_id == null ? null : Number(r.campaign_id),
    meta: (typeof r.meta === 'string' ? JSON.parse(r.meta) : r.meta) as Record<string, unknown>,
    status: r.status,
    twilioSid: r.twilio_sid,
    errorCode: r.error_code == null ? null : Number(r.error_code),
    errorMessage: r.error_message,
    attempts: Number(r.attempts),
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    sentAt: r.sent_at == null ? null : new Date(r.sent_at),
  };
}

function validate(req: SendRequest): string {
  const to = toE164(req.to);
  if (!to) throw new Error(`outbox: "to" is not a valid phone number (ending ${String(req.to ?? '').replace(/\D/g, '').slice(-4) || 'nothing'})`);
  if (!req.idempotencyKey) throw new Error('outbox: an idempotencyKey is required (the same key must always mean the same text)');
  if (!req.purpose) throw new Error('outbox: a purpose is required');
  if (!AUDIENCES.includes(req.audience)) throw new Error(`outbox: ${req.idempotencyKey} needs an audience (one of ${AUDIENCES.join(', ')})`);
  if (!req.body || !req.body.trim()) throw new Error(`outbox: empty body for ${req.idempotencyKey}`);
  if (req.body.length > MAX_BODY) throw new Error(`outbox: body of ${req.idempotencyKey} is ${req.body.length} characters; Twilio takes at most ${MAX_BODY}`);
  return to;
}

type AttemptResult = 'done' | 'retry' | 'busy';

const VIOLATION_WORDS: Record<Violation, string> = {
  name: "a name from the client's record",
  address: 'a street address',
  phone: 'a phone number',
  condition: 'a condition or diagnosis',
};

/** Why the budget refuses this message (words for staff: the kind of fact, never the fact), or undefined. */
export function privacyRefusal(req: Pick<SendRequest, 'audience' | 'body' | 'facts' | 'subject'>, settings: PrivacySettings = DEFAULT_PRIVACY, agencyName?: string): string | undefined {
  if (req.audience === 'broadcast') {
    if (!req.facts) return 'a broadcast must declare the facts it carries';
    if (!req.subject) return "a broadcast must come with the client's record to check it against";
  }
  const over = req.facts ? factsOverBudget(req.audience, req.facts, settings.budget) : [];
  if (over.length) return `it carries ${over.join(', ')}, which ${req.audience} texts may not`;
  if (req.audience === 'broadcast') {
    const violation = broadcastViolation(req.body, req.subject!, { agencyName });
    if (violation) return `it holds ${VIOLATION_WORDS[violation]}`;
  }
  return undefined;
}

function campaignIdOf(req: SendRequest): number | null {
  if (req.campaignId != null) return req.campaignId;
  const fromMeta = Number(req.meta?.campaignId);
  return Number.isSafeInteger(fromMeta) && fromMeta > 0 ? fromMeta : null;
}

export function createOutbox(opts: OutboxOptions): Outbox {
  const { db, jobs, transport, clock, optOuts } = opts;
  const sendLeaseMs = opts.sendLeaseMs ?? 60_000;
  const fallbackDelayMs = opts.fallbackDelayMs ?? 30_000;
  const maxAttempts = opts.maxAttempts ?? 12;
  const iso = (d: Date = clock.now()) => d.toISOString();
  const jobKey = (id: number) => `${OUTBOX_SEND_JOB}:${id}`;
  const privacy = { settings: opts.privacy?.settings ?? DEFAULT_PRIVACY, agencyName: opts.privacy?.agencyName, alertTo: opts.privacy?.alertTo ?? [] };

  /** Staff told once per campaign (or per text) that a text was held back. */
  async function alertRefused(message: OutboundMessage, why: string, tx: Queryable): Promise<void> {
    const what = message.audience === 'broadcast' ? 'An offer text' : `A text (${message.purpose}, to ${message.audience ?? 'someone'})`;
    const where = message.campaignId != null ? ` in campaign ${message.campaignId}` : '';
    const body = `${privacy.agencyName ? `${privacy.agencyName}: ` : ''}PRIVACY HOLD: ${what}${where} was NOT sent: ${why}. ` +
      `Please check the ops console${message.campaignId != null ? ' campaign page' : ''}; the recipient got nothing.`;
    for (const phone of privacy.alertTo) {
      await write({
        to: phone, body, purpose: PRIVACY_ALERT_PURPOSE, audience: 'staff', campaignId: message.campaignId ?? undefined,
        idempotencyKey: `privacy-refused:${message.campaignId != null ? `campaign-${message.campaignId}` : `message-${message.id}`}:${phone}`,
        meta: { refusedMessageId: message.id, ...(message.campaignId != null ? { campaignId: message.campaignId } : {}) },
      }, tx, clock.now());
    }
  }

  async function load(id: number, q: Queryable = db): Promise<OutboundMessage | null> {
    const res = await q.query<MessageRow>('SELECT * FROM outbound_messages WHERE id = $1', [id]);
    return res.rows.length ? messageFromRow(res.rows[0]) : null;
  }

  /**
   * Inserts the message (or finds it by key) and its `outbox.send` job, in `q` (the database or a
   * caller's transaction). One statement on the usual path: the opt-out ledger is read, the row
   * written and its job queued together (a single statement is atomic, so no transaction is
   * needed). A text the privacy budget refuses takes the slower path: a transaction that also
   * writes the staff alerts.
   */
  async function write(req: SendRequest, q: Queryable, runAt: Date): Promise<{ message: OutboundMessage; created: boolean }> {
    const to = validate(req);
    const refused = privacyRefusal(req, privacy.settings, privacy.agencyName);
    if (refused) return q === db ? db.transaction((tx) => writeRefused(req, to, refused, tx)) : writeRefused(req, to, refused, q);
    const now = iso();
    const notify = db.engine === 'postgres' && runAt.getTime() <= clock.now().getTime() + 1000;
    const inserted = await q.query<MessageRow & { jobs: number | string }>(
      `WITH msg AS (
         INSERT INTO outbound_messages (idempotency_key, to_phone, body, purpose, audience, campaign_id, meta, status, error_message, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7::jsonb,
           CASE WHEN o.opted_out THEN 'suppressed_opted_out' ELSE 'queued' END,
           CASE WHEN o.opted_out THEN 'the number has opted out of texts' END, $8, $8
         FROM (SELECT ${optedOutSql('$9')} AS opted_out) AS o
         ON CONFLICT (idempotency_key) DO NOTHING
         RETURNING *
       ), job AS (
         ${insertJobsSql(`SELECT '${OUTBOX_SEND_JOB}'::text AS kind, jsonb_build_object('messageId', msg.id) AS payload, '${OUTBOX_SEND_JOB}:' || msg.id AS dedupe_key,
           $10::timestamptz AS run_at, $11::int AS max_attempts, $8::timestamptz AS at FROM msg WHERE msg.status = 'queued'`, notify)}
       )
       SELECT msg.*, (SELECT count(*) FROM job) AS jobs FROM msg`,
      [req.idempotencyKey, to, req.body, req.purpose, req.audience, campaignIdOf(req), JSON.stringify(req.meta ?? {}), now, ledgerPhone(to), runAt.toISOString(), maxAttempts],
    );
    if (!inserted.rows.length) return { message: await existingFor(req, to, q), created: false };
    const message = messageFromRow(inserted.rows[0]);
    if (message.status === 'suppressed_opted_out') {
      log.info('text suppressed: number opted out', { messageId: message.id, purpose: req.purpose, to: maskPhone(to) });
    }
    return { message, created: true };
  }

  /** The message a reused key already names (the first one stands). */
  async function existingFor(req: SendRequest, to: string, q: Queryable): Promise<OutboundMessage> {
    const existing = await q.query<MessageRow>('SELECT * FROM outbound_messages WHERE idempotency_key = $1', [req.idempotencyKey]);
    const message = messageFromRow(existing.rows[0]);
    if (message.to !== to || message.body !== req.body) {
      log.warn('outbox key reused for a different text: the first one stands', { idempotencyKey: req.idempotencyKey, messageId: message.id });
    }
    return message;
  }

  /** A text the privacy budget refuses: kept as refused_privacy, never sent, staff alerted (in `tx`). */
  async function writeRefused(req: SendRequest, to: string, refused: string, tx: Queryable): Promise<{ message: OutboundMessage; created: boolean }> {
    const inserted = await tx.query<MessageRow>(
      `INSERT INTO outbound_messages (idempotency_key, to_phone, body, purpose, audience, campaign_id, meta, status, error_message, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, 'refused_privacy', $8, $9, $9)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING *`,
      [req.idempotencyKey, to, req.body, req.purpose, req.audience, campaignIdOf(req), JSON.stringify(req.meta ?? {}), `held back by the privacy budget: ${refused}`, iso()],
    );
    if (!inserted.rows.length) return { message: await existingFor(req, to, tx), created: false };
    const message = messageFromRow(inserted.rows[0]);
    log.warn('text refused by the privacy budget: not sent, staff alerted', { messageId: message.id, purpose: req.purpose, audience: req.audience, why: refused });
    await alertRefused(message, refused, tx);
    return { message, created: true };
  }

  /** Fenced update of a message this sender holds ('sending', this attempt). */
  async function settle(id: number, attempt: number, fields: { status: OutboundStatus; errorCode?: number | null; errorMessage?: string | null }): Promise<void> {
    await db.query(
      `UPDATE outbound_messages SET status = $3, error_code = $4, error_message = $5, sending_until = NULL, updated_at = $6
       WHERE id = $1 AND status = 'sending' AND attempts = $2`,
      [id, attempt, fields.status, fields.errorCode ?? null, fields.errorMessage ?? null, iso()],
    );
  }

  /** Moves a message forward to `status` (never back), by id or sid. True when it changed. */
  async function advance(where: { id: number } | { sid: string }, status: OutboundStatus, errorCode: number | null, q: Queryable = db): Promise<boolean> {
    const [column, value] = 'id' in where ? ['id', where.id] : ['twilio_sid', where.sid];
    const res = await q.query(
      `UPDATE outbound_messages SET status = $2, error_code = COALESCE($3, error_code), updated_at = $4
       WHERE ${column} = $1 AND ${RANK_SQL} < $5
       RETURNING id`,
      [value, status, errorCode, iso(), statusRank(status)],
    );
    return res.rows.length > 0;
  }

  /** A callback's status, with opt-out and bad-number codes turned into ours (and the ledger told). */
  async function statusForCallback(to: string | undefined, status: OutboundStatus, errorCode: number | null): Promise<OutboundStatus> {
    if ((status === 'failed' || status === 'undelivered') && errorCode === 21610) {
      if (to) await optOuts.markOptedOut(to, 'twilio 21610', 'status_callback');
      return 'suppressed_opted_out';
    }
    if ((status === 'failed' || status === 'undelivered') && (errorCode === 21211 || errorCode === 21614)) return 'bad_number';
    return status;
  }

  /** Tries to send message `id` once. 'busy': another sender holds it; 'retry': a transient failure, still queued. */
  async function attempt(id: number): Promise<{ result: AttemptResult; message: OutboundMessage | null; error?: string; retryInMs?: number }> {
    const now = clock.now();
    // The claim also reads the opt-out ledger (to_phone is the ledger's E.164 key): one statement.
    const claimed = await db.query<MessageRow & { previous_status: OutboundStatus; previous_until: Date | string | null; ambiguous_since: Date | string | null; opted_out: boolean }>(
      `WITH previous AS (SELECT id, status, sending_until FROM outbound_messages WHERE id = $1 FOR UPDATE)
       UPDATE outbound_messages m SET status = 'sending', attempts = m.attempts + 1, sending_until = $3, updated_at = $2
       FROM previous
       WHERE m.id = previous.id AND (m.status = 'queued' OR (m.status = 'sending' AND m.sending_until <= $2))
       RETURNING m.*, previous.status AS previous_status, previous.sending_until AS previous_until, ${optedOutSql('m.to_phone')} AS opted_out`,
      [id, iso(now), iso(new Date(now.getTime() + sendLeaseMs))],
    );
    if (!claimed.rows.length) {
      const message = await load(id);
      if (message?.status === 'sending') {
        const until = await db.query<{ sending_until: Date | string | null }>('SELECT sending_until FROM outbound_messages WHERE id = $1', [id]);
        const ms = until.rows[0]?.sending_until ? new Date(until.rows[0].sending_until).getTime() - now.getTime() : sendLeaseMs;
        return { result: 'busy', message, retryInMs: Math.max(1000, ms) };
      }
      return { result: 'done', message };
    }
    const message = messageFromRow(claimed.rows[0]);
    const meta = { messageId: id, purpose: message.purpose, to: maskPhone(message.to), attempt: message.attempts };
    const takenOver = claimed.rows[0].previous_status === 'sending';
    // When an earlier attempt may have reached Twilio: a timeout or dropped connection, or a sender
    // that stopped mid-send (its claim began a lease before its expiry).
    const ambiguousSince = claimed.rows[0].ambiguous_since
      ? new Date(claimed.rows[0].ambiguous_since)
      : takenOver && claimed.rows[0].previous_until ? new Date(new Date(claimed.rows[0].previous_until).getTime() - sendLeaseMs) : undefined;
    if (takenOver) log.warn('taking over a text whose sender stopped mid-send: looking it up on Twilio first', meta);

    if (claimed.rows[0].opted_out === true) {
      await settle(id, message.attempts, { status: 'suppressed_opted_out', errorMessage: 'the number has opted out of texts' });
      log.info('text suppressed: number opted out', meta);
      return { result: 'done', message: await load(id) };
    }

    let sent: { sid: string; status?: string } | null = null;
    if (ambiguousSince && transport.lookup) {
      // No duplicate texts: if Twilio took the earlier attempt, record its sid instead of sending again.
      try {
        sent = await transport.lookup({ to: message.to, body: message.body, from: opts.from.messagingServiceSid ? undefined : opts.from.phoneNumber, sentAfter: new Date(ambiguousSince.getTime() - 1_000) });
      } catch (err) {
        const errorMessage = scrubString(err instanceof Error ? err.message : String(err)).slice(0, 500);
        await settle(id, message.attempts, { status: 'queued', errorMessage: `could not look the earlier attempt up on Twilio: ${errorMessage}` });
        log.warn('text not sent yet: the earlier attempt may have reached Twilio and it cannot be checked now, will retry', { ...meta, error: errorMessage });
        return { result: 'retry', message: await load(id), error: errorMessage };
      }
      if (sent) log.info('the earlier, ambiguous attempt had reached Twilio: recorded its sid, not sent again', { ...meta, sid: sent.sid });
    }
    const attemptStarted = clock.now();
    if (!sent) try {
      sent = await transport.send({
        to: message.to,
        body: message.body,
        from: opts.from.messagingServiceSid ? undefined : opts.from.phoneNumber,
        messagingServiceSid: opts.from.messagingServiceSid,
      });
    } catch (err) {
      const kind = classifySendError(err);
      const code = err instanceof SmsTransportError ? err.code ?? err.status ?? null : null;
      const errorMessage = scrubString(err instanceof Error ? err.message : String(err)).slice(0, 500);
      switch (kind) {
        case 'opted_out':
          await optOuts.markOptedOut(message.to, 'twilio 21610', 'twilio_error');
          await settle(id, message.attempts, { status: 'suppressed_opted_out', errorCode: code, errorMessage });
          log.info('text refused by Twilio: number opted out (ledger updated)', meta);
          return { result: 'done', message: await load(id) };
        case 'bad_number':
          await settle(id, message.attempts, { status: 'bad_number', errorCode: code, errorMessage });
          log.warn('text refused by Twilio: not a number that can take texts', { ...meta, errorCode: code });
          return { result: 'done', message: await load(id) };
        case 'permanent':
          await settle(id, message.attempts, { status: 'failed', errorCode: code, errorMessage });
          log.error('text refused by Twilio', { ...meta, errorCode: code, error: errorMessage });
          return { result: 'done', message: await load(id) };
        case 'transient':
          await settle(id, message.attempts, { status: 'queued', errorCode: code, errorMessage });
          if (err instanceof SmsTransportError && err.ambiguous) {
            // Twilio may have accepted it: the next attempt looks it up before sending again.
            await db.query('UPDATE outbound_messages SET ambiguous_since = COALESCE(ambiguous_since, $2) WHERE id = $1', [id, iso(attemptStarted)]);
          }
          log.warn('text not sent yet: Twilio unavailable or busy, will retry', { ...meta, errorCode: code, error: errorMessage, ambiguous: err instanceof SmsTransportError && err.ambiguous });
          return { result: 'retry', message: await load(id), error: errorMessage };
      }
    }

    // Accepted by Twilio: store the sid, then whatever callbacks beat us here.
    const reported = sent.status ? outboundStatusOf(sent.status) : undefined;
    const status: OutboundStatus = reported && statusRank(reported) > statusRank('sent') ? reported : 'sent';
    const stored = await db.query<MessageRow>(
      `UPDATE outbound_messages SET status = $3, twilio_sid = $4, sent_at = $5, updated_at = $5, sending_until = NULL, error_code = NULL, error_message = NULL, ambiguous_since = NULL
       WHERE id = $1 AND status = 'sending' AND attempts = $2
       RETURNING *`,
      [id, message.attempts, status, sent.sid, iso()],
    );
    if (!stored.rows.length) log.warn('text sent, but another sender took the message over meanwhile (lease expired)', { ...meta, sid: sent.sid });
    // The status callbacks that beat the sid here, read only after it is committed: a callback
    // recorded while the store ran is seen by this read, or its own update finds the sid. (Read in
    // the storing statement, such a callback could be missed by both, on Postgres.)
    const early = (await db.query<{ status: string; error_code: number | null }>(
      'SELECT status, error_code FROM outbound_message_events WHERE twilio_sid = $1 ORDER BY id', [sent.sid])).rows;
    let moved = false;
    for (const e of early) {
      const s = outboundStatusOf(e.status);
      if (s) moved = (await advance({ id }, await statusForCallback(message.to, s, e.error_code), e.error_code)) || moved;
    }
    log.info('text sent', { ...meta, sid: sent.sid });
    return { result: 'done', message: stored.rows.length && !moved ? messageFromRow(stored.rows[0]) : await load(id) };
  }

  const jobHandlers: JobHandlers = {
    async [OUTBOX_SEND_JOB](payload: { messageId: number }, ctx) {
      const outcome = await attempt(Number(payload.messageId));
      if (outcome.result === 'busy') throw new RetryLater(outcome.retryInMs ?? sendLeaseMs, 'another sender holds this text');
      if (outcome.result === 'retry') {
        if (ctx.job.attempts >= ctx.job.maxAttempts) {
          await db.query(
            `UPDATE outbound_messages SET status = 'failed', updated_at = $2 WHERE id = $1 AND status = 'queued'`,
            [payload.messageId, iso()],
          );
          log.error('text given up after repeated failures', { messageId: payload.messageId, attempts: ctx.job.attempts });
        }
        throw new Error(outcome.error ?? 'transient send failure');
      }
    },
  };

  return {
    jobHandlers,

    async send(req, tx) {
      const runAt = clock.now();
      const { message } = await write(req, tx ?? db, runAt);
      return message;
    },

    async sendNow(req) {
      const runAt = new Date(clock.now().getTime() + fallbackDelayMs);
      const { message } = await write(req, db, runAt);
      if (message.status !== 'queued') return message;
      const outcome = await attempt(message.id);
      // Sent or settled for good: the safety-net job has nothing left to do.
      if (outcome.result === 'done') await jobs.cancel(jobKey(message.id));
      return outcome.message ?? message;
    },

    async handleStatusCallback(params) {
      const sid = String(params.MessageSid ?? '');
      const reported = outboundStatusOf(String(params.MessageStatus ?? ''));
      const code = params.ErrorCode === undefined || params.ErrorCode === null || params.ErrorCode === '' ? null : Number(params.ErrorCode);
      const errorCode = Number.isFinite(code) ? code : null;
      if (!sid) return { matched: false };
      await db.query('INSERT INTO outbound_message_events (twilio_sid, status, error_code, received_at) VALUES ($1, $2, $3, $4)', [
        sid, String(params.MessageStatus ?? ''), errorCode, iso(),
      ]);
      const row = await db.query<MessageRow>('SELECT * FROM outbound_messages WHERE twilio_sid = $1', [sid]);
      if (!row.rows.length) return { matched: false };
      const message = messageFromRow(row.rows[0]);
      if (reported) {
        const status = await statusForCallback(message.to, reported, errorCode);
        if (await advance({ sid }, status, errorCode)) {
          log.info('text status', { messageId: message.id, status, errorCode });
          return { matched: true, status };
        }
      }
      return { matched: true, status: message.status };
    },

    get: (id) => load(id),

    async getByKey(key) {
      const res = await db.query<MessageRow>('SELECT * FROM outbound_messages WHERE idempotency_key = $1', [key]);
      return res.rows.length ? messageFromRow(res.rows[0]) : null;
    },
  };
}

export interface SentText {
  id: number;
  to: string;
  body: string;
  purpose: string;
  audience: Audience | null;
  status: OutboundStatus;
  createdAt: Date;
}

/**
 * Texts the transport took (dev mode: every text "delivered" to the simulated phones), oldest
 * first, for the dev outbox page and the phone simulator. `afterId` pages/polls; `to` filters to
 * one phone; `includeUnsent` also lists queued, suppressed and failed ones (the dev outbox page).
 */
export async function listSentTexts(
  db: Queryable,
  opts: { afterId?: number; to?: string; limit?: number; includeUnsent?: boolean } = {},
): Promise<SentText[]> {
  const to = opts.to ? toE164(opts.to) ?? opts.to : null;
  const limit = Math.min(Math.max(1, opts.limit ?? 100), 1000);
  const res = await db.query<MessageRow>(
    `SELECT * FROM outbound_messages
     WHERE id > $1 AND ($2::text IS NULL OR to_phone = $2) AND ($3::boolean OR twilio_sid IS NOT NULL)
     ORDER BY id
     LIMIT $4`,
    [opts.afterId ?? 0, to, opts.includeUnsent ?? false, limit],
  );
  return res.rows.map((r) => ({
    id: Number(r.id),
    to: r.to_phone,
    body: r.body,
    purpose: r.purpose,
    audience: (r.audience as Audience | null) ?? null,
    status: r.status,
    createdAt: new Date(r.created_at),
  }));
}

