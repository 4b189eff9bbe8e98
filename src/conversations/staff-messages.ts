/**
 * Messages for staff: voicemails, texted messages and hand-offs, stored first and then texted to
 * everyone with the right role. Idempotent by key: a replayed turn stores and texts nothing twice.
 */
import type { Db } from '../db';
import { staffWithRole, type AgencyConfig, type StaffRole } from '../config';
import type { CallerIdentity } from '../../flows/conversation';
import { systemClock, type Clock } from '../clock';

export interface TextSender {
  send(msg: { to: string; body: string; purpose: string; audience: 'staff'; idempotencyKey: string; meta?: Record<string, unknown> }): Promise<unknown>;
}

export interface TakeMessageInput {
  key: string;
  conversationId?: string;
  role: StaffRole;
  topic: string;
  callerPhone: string;
  identities?: CallerIdentity[];
  body?: string;
  recordingUrl?: string;
  recordingSid?: string;
  incomplete?: boolean;
}

const TOPIC_LABEL: Record<string, string> = {
  callout: 'call-out',
  late: 'running late',
  uncallout: 'taking back a call-out',
  complaint: 'complaint',
  lead: 'new client inquiry',
  newClient: 'new client inquiry',
  whereIsCaregiver: 'caregiver not arrived',
  operator: 'asked for a person',
  emergency: 'EMERGENCY',
  voicemail: 'voicemail',
  general: 'message',
};

/** "Maria Lopez (caregiver)", "Ann Baker (daughter of client Dorothy)", or "unknown caller". */
export function describeCaller(identities: CallerIdentity[] | undefined): string {
  if (!identities?.length) return 'unknown caller';
  return identities
    .map((i) => {
      const name = `${i.firstName} ${i.lastName}`.trim();
      if (i.kind === 'contact') return `${name} (${(i.relationship ?? 'contact').toLowerCase()} of client ${i.clientFirstName ?? i.clientId ?? ''})`.replace(/ \)$/, ')');
      return `${name} (${i.kind})`;
    })
    .join(' / ');
}

export function createStaffMessages(deps: { db: Db; texts: TextSender; agency: AgencyConfig; clock?: Clock }) {
  const { db, texts, agency } = deps;
  const clock = deps.clock ?? systemClock;

  /** Texts everyone with the role (on-call when nobody has it). `text` is a body or a typed staff text (shiftfill/texts.ts). */
  async function textRole(role: StaffRole, key: string, text: string | { body: string; audience: 'staff' }, meta: Record<string, unknown> = {}): Promise<number> {
    const people = staffWithRole(agency, role);
    const fallback = people.length ? people : staffWithRole(agency, 'oncall');
    const body = typeof text === 'string' ? text : text.body;
    for (const person of fallback) {
      await texts.send({ to: person.phone, body, purpose: 'staff_alert', audience: 'staff', idempotencyKey: `${key}:${person.phone}`, meta: { role, ...meta } });
    }
    return fallback.length;
  }

  return {
    textRole,

    async take(input: TakeMessageInput): Promise<{ reference: string; id: number }> {
      const label = describeCaller(input.identities);
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO staff_messages (idempotency_key, conversation_id, role, topic, caller_phone, caller_label, body, recording_url, recording_sid, incomplete, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (idempotency_key) DO UPDATE SET
           body = COALESCE(EXCLUDED.body, staff_messages.body),
           recording_url = COALESCE(EXCLUDED.recording_url, staff_messages.recording_url),
           updated_at = now()
         RETURNING id`,
        [input.key, input.conversationId ?? null, input.role, input.topic, input.callerPhone, label, input.body ?? null,
          input.recordingUrl ?? null, input.recordingSid ?? null, input.incomplete ?? false, clock.now()],
      );
      const id = Number(rows[0].id);
      const reference = `M-${id}`;
      const what = TOPIC_LABEL[input.topic] ?? input.topic;
      const parts = [
        `${agency.agency.name}: ${input.incomplete ? 'INCOMPLETE ' : ''}${what} (${reference}) from ${label}, ${input.callerPhone}.`,
        input.body ? `Message: ${input.body.slice(0, 400)}` : undefined,
        input.recordingUrl ? `Voicemail: ${input.recordingUrl}` : undefined,
        input.incomplete ? 'The caller hung up before finishing.' : undefined,
        'Please call them back.',
      ].filter(Boolean);
      await textRole(input.role, `msg:${input.key}`, parts.join(' '), { staffMessageId: id, topic: input.topic });
      return { reference, id };
    },

    /** A voicemail's transcription arrived: keep it and text it to the same people. */
    async addTranscription(input: { recordingUrl?: string; recordingSid?: string; conversationId?: string; text: string }): Promise<boolean> {
      const { rows } = await db.query<{ id: string; idempotency_key: string; role: StaffRole; caller_label: string; caller_phone: string }>(
        `UPDATE staff_messages SET transcription = $4, updated_at = now()
         WHERE (recording_url = $1 OR recording_sid = $2 OR ($1::text IS NULL AND $2::text IS NULL AND conversation_id = $3))
           AND transcription IS NULL
         RETURNING id, idempotency_key, role, caller_label, caller_phone`,
        [input.recordingUrl ?? null, input.recordingSid ?? null, input.conversationId ?? null, input.text],
      );
      for (const row of rows) {
        await textRole(row.role, `transcript:${row.idempotency_key}`, `${agency.agency.name}: transcript of M-${row.id} from ${row.caller_label}, ${row.caller_phone}: "${input.text.slice(0, 600)}"`, {
          staffMessageId: Number(row.id),
        });
      }
      return rows.length > 0;
    },
  };
}

export type StaffMessages = ReturnType<typeof createStaffMessages>;
