/**
 * What the ops console reads about conversations: a search by the last digits of a phone (or by
 * the phones of a person, found by the directory), each conversation's transcript turn by turn
 * (what the caller said, what they were told), and the messages taken for staff.
 */
import type { Db } from '../db';

export interface ConversationSummary {
  id: string;
  channel: 'voice' | 'sms';
  callerPhone: string;
  flow: string;
  status: 'active' | 'closed';
  turns: number;
  createdAt: string;
  lastActivityAt: string;
}

export interface TranscriptTurn {
  at: string;
  heard: string | null;
  said: string[];
}

export interface StaffMessageView {
  id: number;
  reference: string;
  role: string;
  topic: string;
  callerPhone: string;
  callerLabel: string | null;
  body: string | null;
  transcription: string | null;
  incomplete: boolean;
  conversationId: string | null;
  createdAt: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

const unescapeXml = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The words of a reply: every <Say> and <Message> of a TwiML document, or the text itself. */
export function spokenIn(response: string): string[] {
  if (!response.startsWith('<?xml')) return response ? [response] : [];
  const parts = [...response.matchAll(/<(Say|Message)[^>]*>([^<]*)<\/\1>/g)].map((m) => unescapeXml(m[2]));
  if (/<Dial/.test(response)) parts.push('(transferred the call)');
  if (/<Record/.test(response)) parts.push('(recording)');
  if (/<Hangup/.test(response)) parts.push('(hung up)');
  return parts;
}

function summary(r: Record<string, unknown>): ConversationSummary {
  return {
    id: String(r.id), channel: r.channel as 'voice' | 'sms', callerPhone: String(r.caller_phone), flow: String(r.flow), status: r.status as 'active' | 'closed',
    turns: Number(r.turn), createdAt: iso(r.created_at), lastActivityAt: iso(r.last_activity_at),
  };
}

export function createConversationsConsole(deps: { db: Db }) {
  const { db } = deps;
  return {
    /**
     * Conversations, newest first: all, those whose phone ends in `digits` (what a masked number
     * shows), or those from any of `phones` (a person's numbers).
     */
    async search(opts: { digits?: string; phones?: string[]; limit?: number } = {}): Promise<ConversationSummary[]> {
      const digits = opts.digits?.replace(/\D/g, '') || null;
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT id, channel, caller_phone, flow, status, turn, created_at, last_activity_at FROM conversations
         WHERE ($1::text IS NULL OR caller_phone LIKE '%' || $1) AND ($2::text[] IS NULL OR caller_phone = ANY($2::text[]))
         ORDER BY last_activity_at DESC LIMIT $3`,
        [digits, opts.phones ?? null, opts.limit ?? 50],
      );
      return rows.map(summary);
    },
    async get(id: string): Promise<ConversationSummary | undefined> {
      const { rows } = await db.query<Record<string, unknown>>(
        'SELECT id, channel, caller_phone, flow, status, turn, created_at, last_activity_at FROM conversations WHERE id = $1', [id]);
      return rows[0] ? summary(rows[0]) : undefined;
    },
    /** Turn by turn: what was heard and what was said, oldest first. */
    async transcript(id: string): Promise<TranscriptTurn[]> {
      const { rows } = await db.query<{ heard: string | null; response: string; created_at: string }>(
        'SELECT heard, response, created_at FROM conversation_turns WHERE conversation_id = $1 ORDER BY created_at, turn_key', [id]);
      return rows.map((r) => ({ at: iso(r.created_at), heard: r.heard, said: spokenIn(r.response) }));
    },
    async staffMessages(opts: { since?: Date; conversationId?: string; limit?: number } = {}): Promise<StaffMessageView[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT * FROM staff_messages WHERE ($1::timestamptz IS NULL OR created_at >= $1) AND ($2::text IS NULL OR conversation_id = $2)
         ORDER BY id DESC LIMIT $3`,
        [opts.since?.toISOString() ?? null, opts.conversationId ?? null, opts.limit ?? 100],
      );
      return rows.map((r) => ({
        id: Number(r.id), reference: `M-${r.id}`, role: String(r.role), topic: String(r.topic), callerPhone: String(r.caller_phone),
        callerLabel: (r.caller_label as string) ?? null, body: (r.body as string) ?? null, transcription: (r.transcription as string) ?? null,
        incomplete: !!r.incomplete, conversationId: (r.conversation_id as string) ?? null, createdAt: iso(r.created_at),
      }));
    },
  };
}

export type ConversationsConsole = ReturnType<typeof createConversationsConsole>;
