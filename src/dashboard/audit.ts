/** The console's record of every action and login: who, what, on what, when. */
import type { Db } from '../db';
import type { Clock } from '../clock';

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  note: string | null;
}

export function createAudit(db: Db, clock: Clock) {
  return {
    async record(e: { actor: string; action: string; targetKind?: string; targetId?: string | number; note?: string; detail?: Record<string, unknown> }): Promise<void> {
      await db.query('INSERT INTO console_actions (at, actor, action, target_kind, target_id, note, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        clock.now().toISOString(), e.actor.slice(0, 100), e.action, e.targetKind ?? null, e.targetId == null ? null : String(e.targetId),
        e.note?.slice(0, 2000) ?? null, JSON.stringify(e.detail ?? {}),
      ]);
    },
    async recent(limit = 100, target?: { kind: string; id: string | number }): Promise<AuditEntry[]> {
      const { rows } = await db.query<Record<string, unknown>>(
        `SELECT at, actor, action, target_kind, target_id, note FROM console_actions
         WHERE ($2::text IS NULL OR (target_kind = $2 AND target_id = $3)) ORDER BY id DESC LIMIT $1`,
        [limit, target?.kind ?? null, target ? String(target.id) : null],
      );
      return rows.map((r) => ({
        at: new Date(r.at as string).toISOString(), actor: String(r.actor), action: String(r.action), targetKind: (r.target_kind as string) ?? null,
        targetId: (r.target_id as string) ?? null, note: (r.note as string) ?? null,
      }));
    },
  };
}

export type Audit = ReturnType<typeof createAudit>;
