/**
 * The directory's SQL: reading entries, replacing one person's rows, replacing everything a full
 * sync saw, and the sync-run log. Every write is one short transaction with no remote call inside.
 */
import type { Db, Queryable } from '../db';
import type { CallerKind, SyncCounts, SyncRun } from './types';
import { refreshKeyOf, type DirectoryEntry, type RefreshKey } from './entries';

interface EntryRow {
  phone: string;
  kind: CallerKind;
  person_id: string;
  client_id: string;
  client_first_name: string | null;
  first_name: string;
  last_name: string;
  relationship: string | null;
  language: 'en' | 'es';
  active: boolean;
  hired: boolean | null;
  roles: string[] | null;
  primary_contact: boolean;
  source: DirectoryEntry['source'];
  synced_at: Date | string;
}

const COLUMNS = `phone, kind, person_id, client_id, client_first_name, first_name, last_name, relationship,
  language, active, hired, roles, primary_contact, source, synced_at`;

/** The refresh key of a row, in SQL (mirrors refreshKeyOf). */
const ROW_KEY = `(CASE kind
  WHEN 'caregiver' THEN 'caregiver:' || person_id
  WHEN 'contact' THEN 'contacts:' || client_id
  WHEN 'staff' THEN 'staff:' || person_id
  ELSE 'patient:' || person_id END)`;

function fromRow(r: EntryRow): DirectoryEntry {
  return {
    phone: r.phone,
    kind: r.kind,
    personId: r.person_id,
    clientId: r.client_id,
    clientFirstName: r.client_first_name,
    firstName: r.first_name,
    lastName: r.last_name,
    relationship: r.relationship,
    language: r.language,
    active: r.active,
    hired: r.hired,
    roles: r.roles,
    primaryContact: r.primary_contact,
    source: r.source,
    syncedAt: r.synced_at instanceof Date ? r.synced_at : new Date(r.synced_at),
  };
}

/** Inserts many entries with one statement: the rows travel as one JSON parameter. */
async function insertEntries(q: Queryable, entries: readonly DirectoryEntry[]): Promise<void> {
  if (!entries.length) return;
  const records = entries.map((e) => ({
    phone: e.phone,
    kind: e.kind,
    person_id: e.personId,
    client_id: e.clientId,
    client_first_name: e.clientFirstName,
    first_name: e.firstName,
    last_name: e.lastName,
    relationship: e.relationship,
    language: e.language,
    active: e.active,
    hired: e.hired,
    roles: e.roles,
    primary_contact: e.primaryContact,
    source: e.source,
    synced_at: e.syncedAt.toISOString(),
  }));
  await q.query(
    `INSERT INTO directory_entries (${COLUMNS})
     SELECT ${COLUMNS} FROM jsonb_to_recordset($1::jsonb) AS x(
       phone text, kind text, person_id text, client_id text, client_first_name text, first_name text,
       last_name text, relationship text, language text, active boolean, hired boolean, roles jsonb,
       primary_contact boolean, source text, synced_at timestamptz)
     ON CONFLICT (phone, kind, person_id, client_id) DO NOTHING`,
    [JSON.stringify(records)],
  );
}

async function markRefreshed(q: Queryable, keys: readonly string[], at: Date): Promise<void> {
  if (!keys.length) return;
  await q.query(
    `INSERT INTO directory_refreshes (key, refreshed_at)
     SELECT k, $2::timestamptz FROM jsonb_array_elements_text($1::jsonb) AS k
     ON CONFLICT (key) DO UPDATE SET refreshed_at = GREATEST(directory_refreshes.refreshed_at, EXCLUDED.refreshed_at)`,
    [JSON.stringify(keys), at.toISOString()],
  );
}

export function createDirectoryStore(db: Db) {
  return {
    /** Every entry for a phone, staff rows excepted (staff come straight from the config). */
    async entriesForPhone(phone: string): Promise<DirectoryEntry[]> {
      const { rows } = await db.query<EntryRow>(
        `SELECT ${COLUMNS} FROM directory_entries WHERE phone = $1 AND kind <> 'staff'`,
        [phone],
      );
      return rows.map(fromRow);
    },

    async entriesOfPerson(kinds: readonly CallerKind[], personId: string): Promise<DirectoryEntry[]> {
      const { rows } = await db.query<EntryRow>(
        `SELECT ${COLUMNS} FROM directory_entries
         WHERE person_id = $1 AND kind IN (SELECT jsonb_array_elements_text($2::jsonb))
         ORDER BY client_id, phone`,
        [personId, JSON.stringify(kinds)],
      );
      return rows.map(fromRow);
    },

    async contactEntriesOf(clientId: string): Promise<DirectoryEntry[]> {
      const { rows } = await db.query<EntryRow>(
        `SELECT ${COLUMNS} FROM directory_entries WHERE kind = 'contact' AND client_id = $1 ORDER BY person_id, phone`,
        [clientId],
      );
      return rows.map(fromRow);
    },

    /** The clients a RelatedPerson is on file as a contact of. */
    async clientsOfContact(contactId: string): Promise<string[]> {
      const { rows } = await db.query<{ client_id: string }>(
        `SELECT DISTINCT client_id FROM directory_entries WHERE kind = 'contact' AND person_id = $1`,
        [contactId],
      );
      return rows.map((r) => r.client_id);
    },

    /**
     * Replaces the rows under `keys` with `entries` (which must all fall under those keys) and
     * notes the refresh, so a full sync running meanwhile does not overwrite it with older data.
     */
    async replace(keys: readonly RefreshKey[], entries: readonly DirectoryEntry[], at: Date): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM directory_entries WHERE ${ROW_KEY} IN (SELECT jsonb_array_elements_text($1::jsonb))`, [
          JSON.stringify(keys),
        ]);
        await insertEntries(tx, entries);
        await markRefreshed(tx, keys.filter((k) => !k.startsWith('staff:')), at);
      });
    },

    async replaceStaff(entries: readonly DirectoryEntry[]): Promise<void> {
      await db.transaction(async (tx) => {
        await tx.query(`DELETE FROM directory_entries WHERE kind = 'staff'`);
        await insertEntries(tx, entries);
      });
    },

    /**
     * Writes a full sync's snapshot: every WellSky row is replaced, except people refreshed one
     * at a time since the sync started (theirs are newer) and the contacts of clients whose
     * contact list could not be read this time. Returns how many entries disappeared.
     */
    async replaceSynced(
      snapshot: readonly DirectoryEntry[],
      opts: { startedAt: Date; keepContactsOf: readonly string[] },
    ): Promise<number> {
      return db.transaction(async (tx) => {
        const fresh = await tx.query<{ key: string }>(`SELECT key FROM directory_refreshes WHERE refreshed_at >= $1`, [
          opts.startedAt.toISOString(),
        ]);
        const keep = new Set<string>([...fresh.rows.map((r) => r.key), ...opts.keepContactsOf.map((c) => `contacts:${c}`)]);
        const deleted = await tx.query<{ phone: string; kind: string; person_id: string; client_id: string }>(
          `DELETE FROM directory_entries
           WHERE kind <> 'staff' AND ${ROW_KEY} NOT IN (SELECT jsonb_array_elements_text($1::jsonb))
           RETURNING phone, kind, person_id, client_id`,
          [JSON.stringify([...keep])],
        );
        const written = snapshot.filter((e) => !keep.has(refreshKeyOf(e)));
        await insertEntries(tx, written);
        // Markers only matter while a sync is running; an hour covers the slowest sync.
        await tx.query(`DELETE FROM directory_refreshes WHERE refreshed_at < $1`, [
          new Date(opts.startedAt.getTime() - 3_600_000).toISOString(),
        ]);
        const present = new Set(written.map((e) => `${e.phone}|${e.kind}|${e.personId}|${e.clientId}`));
        return deleted.rows.filter((r) => !present.has(`${r.phone}|${r.kind}|${r.person_id}|${r.client_id}`)).length;
      });
    },

    async startSyncRun(startedAt: Date): Promise<string> {
      const { rows } = await db.query<{ id: string }>(
        `INSERT INTO directory_sync_runs (started_at) VALUES ($1) RETURNING id::text AS id`,
        [startedAt.toISOString()],
      );
      return rows[0].id;
    },

    async finishSyncRun(id: string, finishedAt: Date, counts: SyncCounts & { contactFailures: number }): Promise<void> {
      await db.query(
        `UPDATE directory_sync_runs SET finished_at = $2, status = 'ok', caregivers = $3, patients = $4, contacts = $5,
           removed = $6, contact_failures = $7 WHERE id = $1`,
        [id, finishedAt.toISOString(), counts.caregivers, counts.patients, counts.contacts, counts.removed, counts.contactFailures],
      );
    },

    async failSyncRun(id: string, finishedAt: Date, error: string): Promise<void> {
      await db.query(`UPDATE directory_sync_runs SET finished_at = $2, status = 'failed', error = $3 WHERE id = $1`, [
        id,
        finishedAt.toISOString(),
        error,
      ]);
    },

    async lastSyncRun(): Promise<SyncRun | null> {
      const { rows } = await db.query<{
        id: string;
        started_at: Date | string;
        finished_at: Date | string | null;
        status: SyncRun['status'];
        caregivers: number | null;
        patients: number | null;
        contacts: number | null;
        removed: number | null;
        contact_failures: number | null;
        error: string | null;
      }>(
        `SELECT id::text AS id, started_at, finished_at, status, caregivers, patients, contacts, removed, contact_failures, error
         FROM directory_sync_runs ORDER BY started_at DESC, id DESC LIMIT 1`,
      );
      const r = rows[0];
      if (!r) return null;
      const run: SyncRun = { id: r.id, startedAt: new Date(r.started_at), status: r.status };
      if (r.finished_at) run.finishedAt = new Date(r.finished_at);
      if (r.caregivers != null) run.caregivers = r.caregivers;
      if (r.patients != null) run.patients = r.patients;
      if (r.contacts != null) run.contacts = r.contacts;
      if (r.removed != null) run.removed = r.removed;
      if (r.contact_failures != null) run.contactFailures = r.contact_failures;
      if (r.error) run.error = r.error;
      return run;
    },
  };
}

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;
