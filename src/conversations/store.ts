/**
 * Conversation rows, turn replies and leases. Every function here is one short statement or one
 * short transaction: nothing waits on a remote call while holding the database.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from '../db';
import type { Channel } from '../../flows/conversation';

export interface ConversationRow {
  id: string;
  channel: Channel;
  call_sid: string | null;
  caller_phone: string;
  agency_phone: string;
  flow: string;
  machine_version: number;
  snapshot: unknown;
  status: 'active' | 'closed';
  turn: number;
  pending_event: unknown;
  created_at: Date;
  last_activity_at: Date;
}

/** A thread as found for an incoming text: the row without its snapshot (the turn's lease statement reads that). */
export type SmsThreadRow = Omit<ConversationRow, 'snapshot' | 'pending_event'>;
const SMS_THREAD_COLUMNS = 'id, channel, call_sid, caller_phone, agency_phone, flow, machine_version, status, turn, created_at, last_activity_at';

export const SMS_THREAD_IDLE_MS = 30 * 60 * 1000;

export function newConversationId(channel: Channel): string {
  return `${channel === 'voice' ? 'cv' : 'cs'}_${randomUUID().replace(/-/g, '')}`;
}

export class ConversationStore {
  constructor(private readonly db: Db) {}

  async get(id: string): Promise<ConversationRow | undefined> {
    const { rows } = await this.db.query<ConversationRow>('SELECT * FROM conversations WHERE id = $1', [id]);
    return rows[0];
  }

  async byCallSid(callSid: string): Promise<ConversationRow | undefined> {
    const { rows } = await this.db.query<ConversationRow>('SELECT * FROM conversations WHERE call_sid = $1', [callSid]);
    return rows[0];
  }

  /** The call's conversation, created on first sight (a retried first ring finds the same row). */
  async openVoice(callSid: string, callerPhone: string, agencyPhone: string, flow: string, version: number): Promise<{ row: ConversationRow; created: boolean }> {
    const id = newConversationId('voice');
    const inserted = await this.db.query<ConversationRow>(
      `INSERT INTO conversations (id, channel, call_sid, caller_phone, agency_phone, flow, machine_version)
       VALUES ($1, 'voice', $2, $3, $4, $5, $6) ON CONFLICT (call_sid) DO NOTHING RETURNING *`,
      [id, callSid, callerPhone, agencyPhone, flow, version],
    );
    if (inserted.rows[0]) return { row: inserted.rows[0], created: true };
    const existing = await this.byCallSid(callSid);
    if (!existing) throw new Error('conversation vanished after insert conflict');
    return { row: existing, created: false };
  }

  /**
   * The open SMS thread between these two numbers, or a new one when there is none or it has
   * been idle for 30 minutes (the idle one is closed).
   *
   * Most texts continue a thread: that costs one read, with no transaction and no lock. Starting
   * one is one more statement: the insert, which the unique index on active threads (migration
   * 050) refuses when a text at the same moment started it first; the loser then reads and joins
   * the winner's thread, so two texts at once share one. Replacing an idle thread closes it and
   * starts the new one in one short transaction, under the same rule. Whether a thread is idle is
   * judged by each text's own `now`.
   */
  async openSmsThread(callerPhone: string, agencyPhone: string, flow: string, version: number, now: Date): Promise<{ row: SmsThreadRow; created: boolean }> {
    // A text that loses the race to start (or replace) the thread reads again and joins the winner's.
    for (let attempt = 0; attempt < 3; attempt++) {
      const live = await liveSmsThread(this.db, callerPhone, agencyPhone);
      if (live && isLive(live, now)) return { row: live, created: false };
      const started = live
        // Idle 30 minutes: closed, and a new thread started, together.
        ? await this.db.transaction(async (tx) => {
            await tx.query(`UPDATE conversations SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'active'`, [live.id, now]);
            return startSmsThread(tx, callerPhone, agencyPhone, flow, version, now);
          })
        : await startSmsThread(this.db, callerPhone, agencyPhone, flow, version, now);
      if (started) return { row: started, created: true };
    }
    throw new Error('could not open an SMS thread: the phone pair\'s thread kept changing under this text');
  }

  /**
   * Takes the conversation's lease if it is free or expired, and returns the row with the reply
   * already stored for `turnKey`, if any: one statement, the turn's only read. 'busy' when another
   * turn holds the lease; 'unknown' when there is no such conversation, or it belongs to a call
   * other than `callSid`. The lease is a row update, not a held transaction: safe on PGlite's one
   * connection.
   */
  async tryLease(id: string, owner: string, leaseMs: number, turnKey?: string, callSid?: string): Promise<{ row: ConversationRow; stored?: string } | 'busy' | 'unknown'> {
    const { rows } = await this.db.query<ConversationRow & { probe_call_sid: string | null; stored_reply: string | null }>(
      `WITH leased AS (
         UPDATE conversations SET lease_owner = $2, lease_until = now() + ($3::int * interval '1 millisecond')
         WHERE id = $1 AND (lease_until IS NULL OR lease_until < now()) AND ($5::text IS NULL OR call_sid IS NULL OR call_sid = $5)
         RETURNING *
       ), probe AS (
         SELECT call_sid AS probe_call_sid FROM conversations WHERE id = $1
       )
       SELECT probe.probe_call_sid, leased.*,
         CASE WHEN leased.id IS NULL THEN NULL ELSE (SELECT response FROM conversation_turns WHERE turn_key = $4) END AS stored_reply
       FROM probe LEFT JOIN leased ON true`,
      [id, owner, leaseMs, turnKey ?? null, callSid ?? null],
    );
    const r = rows[0];
    if (!r) return 'unknown';
    const { probe_call_sid, stored_reply, ...row } = r;
    if (!row.id) return callSid && probe_call_sid && probe_call_sid !== callSid ? 'unknown' : 'busy';
    return { row: row as ConversationRow, stored: stored_reply ?? undefined };
  }

  async releaseLease(id: string, owner: string): Promise<void> {
    await this.db.query('UPDATE conversations SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [id, owner]);
  }

  /**
   * Saves the settled snapshot and the reply in one short transaction, and releases the lease.
   * False when the lease was no longer ours (it expired and another turn took it): nothing saved.
   */
  async saveTurn(input: {
    id: string;
    owner: string;
    turnKeys: string[];
    response: string;
    snapshot: unknown;
    machineVersion: number;
    flow: string;
    turn: number;
    closed: boolean;
    pendingEvent: unknown;
    now: Date;
    /** What the caller said, pressed or texted on this turn (the console's transcript). */
    heard?: string | null;
  }): Promise<boolean> {
    // One statement: the snapshot and the replies are written together or not at all.
    const res = await this.db.query<{ saved: number | string }>(
      `WITH saved AS (
         UPDATE conversations SET snapshot = $2, machine_version = $3, flow = $4, turn = $5, pending_event = $6,
           status = CASE WHEN $7::boolean THEN 'closed' ELSE status END,
           closed_at = CASE WHEN $7::boolean THEN $8::timestamptz ELSE closed_at END,
           last_activity_at = $8, lease_owner = NULL, lease_until = NULL
         WHERE id = $1 AND lease_owner = $11 RETURNING id
       )
       , replies AS (
         INSERT INTO conversation_turns (turn_key, conversation_id, response, heard)
         SELECT key, saved.id, $10, $12 FROM saved, unnest($9::text[]) AS key
         ON CONFLICT (turn_key) DO NOTHING
       )
       SELECT count(*) AS saved FROM saved`,
      [input.id, JSON.stringify(input.snapshot), input.machineVersion, input.flow, input.turn,
        input.pendingEvent === null ? null : JSON.stringify(input.pendingEvent), input.closed, input.now, input.turnKeys, input.response, input.owner, input.heard ?? null],
    );
    return Number(res.rows[0]?.saved ?? 0) > 0;
  }

  async recordReply(turnKey: string, conversationId: string, response: string): Promise<void> {
    await insertReply(this.db, turnKey, conversationId, response);
  }

  async close(id: string, now: Date): Promise<void> {
    await this.db.query(`UPDATE conversations SET status = 'closed', closed_at = $2 WHERE id = $1 AND status = 'active'`, [id, now]);
  }
}

/** The phone pair's active thread (at most one: a unique index, migration 050), live or idle. */
async function liveSmsThread(q: Queryable, callerPhone: string, agencyPhone: string): Promise<SmsThreadRow | undefined> {
  const { rows } = await q.query<SmsThreadRow>(
    `SELECT ${SMS_THREAD_COLUMNS} FROM conversations WHERE channel = 'sms' AND status = 'active' AND caller_phone = $1 AND agency_phone = $2`,
    [callerPhone, agencyPhone],
  );
  return rows[0];
}

/**
 * Starts the pair's thread, one statement: undefined when another text started one first (the
 * unique index on active threads refuses a second), and the caller reads that one.
 */
async function startSmsThread(q: Queryable, callerPhone: string, agencyPhone: string, flow: string, version: number, now: Date): Promise<SmsThreadRow | undefined> {
  const { rows } = await q.query<SmsThreadRow>(
    `INSERT INTO conversations (id, channel, caller_phone, agency_phone, flow, machine_version, last_activity_at)
     VALUES ($1, 'sms', $2, $3, $4, $5, $6)
     ON CONFLICT (caller_phone, agency_phone) WHERE channel = 'sms' AND status = 'active' DO NOTHING
     RETURNING ${SMS_THREAD_COLUMNS}`,
    [newConversationId('sms'), callerPhone, agencyPhone, flow, version, now],
  );
  return rows[0];
}

function isLive(row: Pick<ConversationRow, 'last_activity_at'>, now: Date): boolean {
  return now.getTime() - new Date(row.last_activity_at).getTime() < SMS_THREAD_IDLE_MS;
}

async function insertReply(q: Queryable, key: string, conversationId: string, response: string): Promise<void> {
  await q.query(
    `INSERT INTO conversation_turns (turn_key, conversation_id, response) VALUES ($1, $2, $3) ON CONFLICT (turn_key) DO NOTHING`,
    [key, conversationId, response],
  );
}
