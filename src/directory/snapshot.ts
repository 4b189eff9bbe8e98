/**
 * Reading everyone from WellSky for a full sync, entirely in memory: caregivers, patients, and
 * each client's contacts a few at a time. Nothing here touches the database, so no transaction
 * is ever held across these requests.
 */
import { bulkhead } from 'cockatiel';
import type { WellSky } from '../wellsky/service';
import type { Client } from '../wellsky/types';
import { NotFoundError } from '../wellsky/errors';
import { caregiverEntries, contactEntries, patientEntries, type DirectoryEntry } from './entries';

export interface Snapshot {
  entries: DirectoryEntry[];
  caregivers: number;
  patients: number;
  contacts: number;
  /** Clients whose contact list could not be read: their previous contacts are kept. */
  contactsUnreadFor: string[];
}

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

export interface SnapshotOptions {
  at: Date;
  /** Contact lists read at once (WellSky allows 100 requests/s and is built for single records). */
  concurrency: number;
  /**
   * Beyond this many unreadable contact lists WellSky is taken to be failing, and the whole
   * sync is abandoned rather than half-written.
   */
  maxContactFailures: number;
}

/** Whose contacts are worth reading: clients, current or former. Prospects' callers are on their own record. */
function hasContacts(p: Client): boolean {
  return p.isClient;
}

export async function readSnapshot(wellsky: WellSky, opts: SnapshotOptions): Promise<Snapshot> {
  const stamp = { source: 'sync' as const, at: opts.at };
  const [caregivers, patients] = await Promise.all([wellsky.listCaregivers(), wellsky.listPatients()]);

  const entries: DirectoryEntry[] = [
    ...caregivers.flatMap((c) => caregiverEntries(c, stamp)),
    ...patients.flatMap((p) => patientEntries(p, stamp)),
  ];

  const pool = bulkhead(opts.concurrency, Infinity);
  const contactsUnreadFor: string[] = [];
  let contacts = 0;
  let lastFailure: unknown;
  const abandon = new AbortController();
  await Promise.all(
    patients.filter(hasContacts).map((client) =>
      pool.execute(async () => {
        if (abandon.signal.aborted) return;
        try {
          const list = await wellsky.contactsOf(client.id, { signal: abandon.signal });
          contacts += list.length;
          for (const contact of list) entries.push(...contactEntries({ ...contact, clientId: client.id }, client, stamp));
        } catch (err) {
          if (err instanceof NotFoundError) return; // the client went away since the listing
          if (abandon.signal.aborted) return;
          contactsUnreadFor.push(client.id);
          lastFailure = err;
          if (contactsUnreadFor.length > opts.maxContactFailures) abandon.abort();
        }
      }),
    ),
  );
  if (abandon.signal.aborted) {
    throw new SnapshotError(
      `could not read the contacts of ${contactsUnreadFor.length} clients (last error: ${describe(lastFailure)}); ` +
        'the directory was left as it was',
    );
  }
  return { entries, caregivers: caregivers.length, patients: patients.length, contacts, contactsUnreadFor };
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
