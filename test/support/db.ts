/**
 * A clean, migrated database for each test file, fast.
 *
 * - PGlite: one instance per Jest worker (see environment.js), migrated once, its tables
 *   truncated for each test file that asks.
 * - Postgres (only when TEST_DATABASE_URL is set): a schema of its own per test file, dropped at
 *   the end, so parallel workers never see each other's rows.
 *
 * `describeEachDb` runs a block on PGlite always and on Postgres too when the server is there.
 */
import type { PGlite } from '@electric-sql/pglite';
import { PgliteDb, openDb, type Db } from '../../src/db';
import { migrate } from '../../src/db/migrate';

declare global {
  var __sharedPglite: (() => Promise<PGlite>) | undefined;
}

export type Engine = 'pglite' | 'postgres';

export const postgresUrl = process.env.TEST_DATABASE_URL || undefined;

export async function resetTables(db: Db): Promise<void> {
  const { rows } = await db.query<{ tablename: string }>(
    `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'schema_migrations'`,
  );
  if (rows.length) await db.exec(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`);
}

/** A migrated, empty PGlite database shared by this worker (do not close it yourself: use `release`). */
export async function pgliteTestDb(): Promise<Db> {
  if (!globalThis.__sharedPglite) {
    const db = await openDb({});
    await migrate(db);
    return db;
  }
  const db = new PgliteDb(await globalThis.__sharedPglite(), false);
  await migrate(db);
  await resetTables(db);
  return db;
}

let schemaCounter = 0;
/** A migrated Postgres database in a fresh schema; `release` drops the schema. */
export async function postgresTestDb(): Promise<Db & { schema: string; url: string }> {
  if (!postgresUrl) throw new Error('TEST_DATABASE_URL is not set');
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${schemaCounter++}`;
  const db = await openDb({ databaseUrl: postgresUrl, schema, poolSize: 20 });
  await migrate(db);
  return Object.assign(db, { schema, url: postgresUrl });
}

export async function release(db: Db): Promise<void> {
  const schema = (db as Db & { schema?: string }).schema;
  if (db.engine === 'postgres' && schema) {
    await db.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
  }
  await db.close();
}

export async function testDb(engine: Engine = 'pglite'): Promise<Db> {
  return engine === 'postgres' ? postgresTestDb() : pgliteTestDb();
}

/** The engines this run can test: PGlite always, Postgres when TEST_DATABASE_URL is set. */
export const engines: Engine[] = postgresUrl ? ['pglite', 'postgres'] : ['pglite'];

/**
 * Declares `body` once per engine. `ctx.db` is a clean database for the block (fresh before
 * each test when `resetEach` is true).
 */
export function describeEachDb(name: string, body: (ctx: { readonly db: Db; engine: Engine }) => void, opts: { resetEach?: boolean } = {}): void {
  for (const engine of engines) {
    describe(`${name} [${engine}]`, () => {
      const ctx = { db: undefined as unknown as Db, engine };
      beforeAll(async () => {
        ctx.db = await testDb(engine);
      }, 60_000);
      if (opts.resetEach !== false) {
        beforeEach(async () => {
          await resetTables(ctx.db);
        });
      }
      afterAll(async () => {
        if (ctx.db) await release(ctx.db);
      });
      body(ctx);
    });
  }
}
