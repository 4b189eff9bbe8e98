/**
 * What the ops console reads about new-client leads, and the office's follow-up of each (new →
 * acknowledged → called back → resolved, an owner, a note). Read-only but for `setStatus`.
 */
import type { Db } from '../db';
import type { Clock } from '../clock';
import { leadReference } from './index';

export const LEAD_STATUSES = ['new', 'acknowledged', 'called_back', 'resolved'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export interface LeadView {
  id: number;
  reference: string;
  channel: 'voice' | 'sms';
  callerPhone: string;
  callerName: string | null;
  relationship: string | null;
  careForName: string | null;
  city: string | null;
  zip: string | null;
  needs: string | null;
  schedule: string | null;
  payer: string | null;
  heardFrom: string | null;
  incomplete: boolean;
  wellskyStatus: 'pending' | 'written' | 'skipped';
  patientId: string | null;
  lastError: string | null;
  conversationId: string | null;
  status: LeadStatus;
  owner: string | null;
  statusNote: string | null;
  statusBy: string | null;
  createdAt: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

function view(r: Record<string, unknown>): LeadView {
  const s = (k: string) => (r[k] as string) ?? null;
  return {
    id: Number(r.id), reference: leadReference(Number(r.id)), channel: r.channel as 'voice' | 'sms', callerPhone: String(r.caller_phone),
    callerName: s('caller_name'), relationship: s('relationship'), careForName: s('care_for_name'), city: s('city'), zip: s('zip'), needs: s('needs'),
    schedule: s('schedule'), payer: s('payer'), heardFrom: s('heard_from'), incomplete: !!r.incomplete,
    wellskyStatus: r.wellsky_status as LeadView['wellskyStatus'], patientId: s('patient_id'), lastError: s('last_error'),
    conversationId: s('conversation_id'), status: r.status as LeadStatus, owner: s('owner'), statusNote: s('status_note'), statusBy: s('status_by'),
    createdAt: iso(r.created_at),
  };
}

export function createLeadsConsole(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    async list(opts: { since?: Date; status?: LeadStatus | 'open'; limit?: number } = {}): Promise<LeadView[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT * FROM leads WHERE ($1::timestamptz IS NULL OR created_at >= $1)
           AND ($2::text IS NULL OR ($2 = 'open' AND status <> 'resolved') OR status = $2)
         ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, created_at DESC LIMIT $3`,
        [opts.since?.toISOString() ?? null, opts.status ?? null, opts.limit ?? 200],
      );
      return rows.map(view);
    },
    async get(id: number): Promise<LeadView | undefined> {
      const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM leads WHERE id = $1', [id]);
      return rows[0] ? view(rows[0]) : undefined;
    },
    async byConversation(conversationId: string): Promise<LeadView[]> {
      const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM leads WHERE conversation_id = $1', [conversationId]);
      return rows.map(view);
    },
    async setStatus(id: number, change: { status?: LeadStatus; owner?: string; note?: string }, by: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE leads SET status = COALESCE($2, status), owner = COALESCE($3, owner), status_note = COALESCE($4, status_note),
           status_by = $5, status_at = $6, updated_at = $6 WHERE id = $1 RETURNING id`,
        [id, change.status ?? null, change.owner ?? null, change.note ?? null, by, clock.now().toISOString()],
      );
      return rows.length > 0;
    },
  };
}

export type LeadsConsole = ReturnType<typeof createLeadsConsole>;
