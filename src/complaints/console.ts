/**
 * What the ops console reads about complaints, and the office's follow-up of each one (new →
 * acknowledged → called back → resolved, an owner, a note). Read-only but for `setStatus`.
 */
import type { Db } from '../db';
import type { Clock } from '../clock';
import { caseNumberOf, type ComplaintContext } from './context';

export const FOLLOW_UP_STATUSES = ['new', 'acknowledged', 'called_back', 'resolved'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

export interface ComplaintView {
  id: number;
  caseNumber: string;
  channel: 'voice' | 'sms';
  callerPhone: string;
  callerLabel: string;
  clientId: string | null;
  clientName: string | null;
  body: string | null;
  transcription: string | null;
  recordingUrl: string | null;
  severity: 'emergency' | 'urgent' | 'normal';
  reason: string | null;
  incomplete: boolean;
  context: ComplaintContext | null;
  adminTaskId: string | null;
  lastError: string | null;
  conversationId: string | null;
  status: FollowUpStatus;
  owner: string | null;
  statusNote: string | null;
  statusBy: string | null;
  statusAt: string | null;
  createdAt: string;
}

const SEVERITY_ORDER = `CASE severity WHEN 'emergency' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END`;
const iso = (v: unknown) => (v == null ? null : new Date(v as string).toISOString());

function view(r: Record<string, unknown>): ComplaintView {
  return {
    id: Number(r.id), caseNumber: caseNumberOf(Number(r.id)), channel: r.channel as 'voice' | 'sms', callerPhone: String(r.caller_phone),
    callerLabel: String(r.caller_label), clientId: (r.client_id as string) ?? null, clientName: (r.client_name as string) ?? null,
    body: (r.body as string) ?? null, transcription: (r.transcription as string) ?? null, recordingUrl: (r.recording_url as string) ?? null,
    severity: r.severity as ComplaintView['severity'], reason: (r.reason as string) ?? null, incomplete: !!r.incomplete,
    context: (typeof r.context === 'string' ? JSON.parse(r.context) : r.context) as ComplaintContext | null,
    adminTaskId: (r.admin_task_id as string) ?? null, lastError: (r.last_error as string) ?? null, conversationId: (r.conversation_id as string) ?? null,
    status: r.status as FollowUpStatus, owner: (r.owner as string) ?? null, statusNote: (r.status_note as string) ?? null,
    statusBy: (r.status_by as string) ?? null, statusAt: iso(r.status_at), createdAt: iso(r.created_at)!,
  };
}

export function createComplaintsConsole(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  return {
    /** Complaints, open ones first (urgent first), then newest; or only those since `since`. */
    async list(opts: { since?: Date; status?: FollowUpStatus | 'open'; limit?: number } = {}): Promise<ComplaintView[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT * FROM complaints WHERE ($1::timestamptz IS NULL OR created_at >= $1)
           AND ($2::text IS NULL OR ($2 = 'open' AND status <> 'resolved') OR status = $2)
         ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, ${SEVERITY_ORDER}, created_at DESC LIMIT $3`,
        [opts.since?.toISOString() ?? null, opts.status ?? null, opts.limit ?? 200],
      );
      return rows.map(view);
    },
    async get(id: number): Promise<ComplaintView | undefined> {
      const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM complaints WHERE id = $1', [id]);
      return rows[0] ? view(rows[0]) : undefined;
    },
    async byConversation(conversationId: string): Promise<ComplaintView[]> {
      const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM complaints WHERE conversation_id = $1', [conversationId]);
      return rows.map(view);
    },
    /** Follow-up by the office; the owner is kept unless a new one is given. False for an unknown case. */
    async setStatus(id: number, change: { status?: FollowUpStatus; owner?: string; note?: string }, by: string): Promise<boolean> {
      const { rows } = await db.query(
        `UPDATE complaints SET status = COALESCE($2, status), owner = COALESCE($3, owner), status_note = COALESCE($4, status_note),
           status_by = $5, status_at = $6, updated_at = $6 WHERE id = $1 RETURNING id`,
        [id, change.status ?? null, change.owner ?? null, change.note ?? null, by, clock.now().toISOString()],
      );
      return rows.length > 0;
    },
    /** The newest complaint's id (the today page's live updates). */
    async latestId(): Promise<number> {
      const { rows } = await db.query<{ id: string | null }>('SELECT max(id)::text AS id FROM complaints');
      return Number(rows[0]?.id ?? 0);
    },
  };
}

export type ComplaintsConsole = ReturnType<typeof createComplaintsConsole>;
