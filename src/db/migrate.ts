/**
 * SQL migrations: `src/db/migrations/NNN_name.sql`, applied in order, each once, each in its own
 * transaction. Run at start by the web and worker processes and by Heroku's `release` phase; on
 * Postgres an advisory lock keeps two processes from migrating at once.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from './index';
import { moduleLog } from '../log';

const log = moduleLog('migrate');
const MIGRATIONS_DIR = path.join(__dirname, 'migrations');
const LOCK_KEY = 727_001; // arbitrary, constant: "migrations"

export interface Migration {
  id: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({ id: f.replace(/\.sql$/, ''), sql: fs.readFileSync(path.join(dir, f), 'utf8') }));
}

export async function migrate(db: Db, migrations = loadMigrations()): Promise<string[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    if (db.engine === 'postgres') await tx.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
    const done = new Set((await tx.query<{ id: string }>('SELECT id FROM schema_migrations')).rows.map((r) => r.id));
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      // Each file may hold several statements; split on lines that end a statement.
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (id) VALUES ($1)', [m.id]);
      applied.push(m.id);
    }
  });
  if (applied.length) log.info('migrations applied', { applied });
  return applied;
}

/** Splits a migration on semicolons at line ends, ignoring `--` comments. No $$ bodies here. */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .map((l) => l.replace(/--.*$/, ''))
    .join('\n');
  return withoutComments
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}
