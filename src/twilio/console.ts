/** What the ops console reads about texts: delivery health. (What each recipient of a campaign got: shiftfill/store.ts `textsOfCampaign`.) */
import type { Db } from '../db';

const iso = (v: unknown) => new Date(v as string).toISOString();

export function createTextsConsole(deps: { db: Db }) {
  const { db } = deps;
  return {
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
