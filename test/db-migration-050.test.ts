/**
 * Migration 050 makes "one live SMS thread per phone pair" the database's rule (a unique index):
 * a database that somehow holds two active threads for a pair keeps texting the latest one, and
 * the others are closed rather than the migration failing at release time.
 */
import { openDb, type Db } from '../src/db';
import { loadMigrations, migrate } from '../src/db/migrate';
import { engines, postgresUrl } from './support/db';

const BEFORE_050 = loadMigrations().filter((m) => m.id < '050');

async function freshDb(engine: 'pglite' | 'postgres'): Promise<Db> {
  if (engine === 'pglite') return openDb({});
  return openDb({ databaseUrl: postgresUrl!, schema: `m050_${process.pid}_${Date.now().toString(36)}`, poolSize: 2 });
}

describe.each(engines)('migration 050: one active SMS thread per phone pair [%s]', (engine) => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDb(engine);
    await migrate(db, BEFORE_050);
  }, 60_000);
  afterAll(async () => {
    const schema = await db.query<{ s: string }>('SELECT current_schema() AS s');
    if (engine === 'postgres') await db.exec(`DROP SCHEMA IF EXISTS ${schema.rows[0].s} CASCADE`);
    await db.close();
  });

  it('closes all but the latest of duplicate active threads, leaves other pairs alone, then refuses a second one', async () => {
    const thread = (id: string, caller: string, at: string) =>
      db.query(
        `INSERT INTO conversations (id, channel, caller_phone, agency_phone, flow, machine_version, last_activity_at)
         VALUES ($1, 'sms', $2, '+13035550100', 'sms-router', 1, $3)`,
        [id, caller, at],
      );
    await thread('cs_old', '+13035550140', '2026-12-01T15:00:00Z');
    await thread('cs_latest', '+13035550140', '2026-12-01T15:20:00Z');
    await thread('cs_older_still', '+13035550140', '2026-12-01T14:00:00Z');
    await thread('cs_other_pair', '+13035550141', '2026-12-01T14:00:00Z');

    expect(await migrate(db)).toEqual(loadMigrations().filter((m) => m.id >= '050').map((m) => m.id));

    const { rows } = await db.query<{ id: string; status: string; closed: boolean }>(
      `SELECT id, status, closed_at IS NOT NULL AS closed FROM conversations ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: 'cs_latest', status: 'active', closed: false },
      { id: 'cs_old', status: 'closed', closed: true },
      { id: 'cs_older_still', status: 'closed', closed: true },
      { id: 'cs_other_pair', status: 'active', closed: false },
    ]);
    await expect(thread('cs_second', '+13035550140', '2026-12-01T15:30:00Z')).rejects.toThrow(/conversations_sms_thread|unique/);
  });
});
