/** What the ops console reads about texts: the exact words each recipient got, and delivery health. */
import type { Db } from '../db';

export interface TextView {
  id: number;
  to: string;
  purpose: string;
  status: string;
  body: string;
  errorCode: number | null;
  createdAt: string;
}

const iso = (v: unknown) => new Date(v as string).toISOString();

export function createTextsConsole(deps: { db: Db }) {
  const { db } = deps;
  return {
    /** Texts whose meta names this campaign or call-out, oldest first. */
    async forShiftFill(ref: { campaignId?: number; callOutId?: number }): Promise<TextView[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT id, to_phone, purpose, status, body, error_code, created_at FROM outbound_messages
         WHERE ($1::text IS NOT NULL AND meta->>'campaignId' = $1) OR ($2::text IS NOT NULL AND meta->>'callOutId' = $2) ORDER BY id`,
        [ref.campaignId != null ? String(ref.campaignId) : null, ref.callOutId != null ? String(ref.callOutId) : null],
      );
      return rows.map((r) => ({
        id: Number(r.id), to: String(r.to_phone), purpose: String(r.purpose), status: String(r.status), body: String(r.body),
        errorCode: r.error_code == null ? null : Number(r.error_code), createdAt: iso(r.created_at),
      }));
    },
    /** Texts since `since` per status (delivery health), and the last failure. */
    async health(since: Date): Promise<{ byStatus: Record<string, number>; lastFailure?: { at: string; errorCode: number | null } }> {
      const { rows } = await db.query<{ status: string; n: string }>(
        'SELECT status, count(*)::text AS n FROM outbound_messages WHERE created_at >= $1 GROUP BY status', [since.toISOString()]);
      const failed = await db.query<{ updated_at: string; error_code: number | null }>(
        `SELECT updated_at, error_code FROM outbound_messages WHERE status IN ('failed', 'undelivered') ORDER BY updated_at DESC LIMIT 1`);
      return {
        byStatus: Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])),
        lastFailure: failed.rows[0] ? { at: iso(failed.rows[0].updated_at), errorCode: failed.rows[0].error_code } : undefined,
      };
    },
  };
}

export type TextsConsole = ReturnType<typeof createTextsConsole>;
