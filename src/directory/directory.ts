/**
 * The caller directory: who a phone number belongs to, answered from the database so that
 * identifying a caller costs no WellSky request (design.md, "Who is calling").
 *
 * Filled by a full sync (at start and on a schedule), kept fresh one person at a time by WellSky
 * webhooks, and on a miss by a short live search whose findings are kept. Staff come straight
 * from the agency config and are always known.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { AgencyConfig } from '../config';
import { systemClock, type Clock } from '../clock';
import type { Db } from '../db';
import { moduleLog, maskPhone } from '../log';
import type { WellSky } from '../wellsky/service';
import { NotFoundError } from '../wellsky/errors';
import {
  caregiverEntries,
  compareIdentities,
  contactEntries,
  identityOf,
  patientEntries,
  peopleOf,
  staffEntries,
  type DirectoryEntry,
  type RefreshKey,
} from './entries';
import { readSnapshot } from './snapshot';
import { createDirectoryStore } from './store';
import type { CallerKind, Directory, DirectoryPerson, IdentifyResult, RefreshableResource, SyncCounts } from './types';

const log = moduleLog('directory');


export interface DirectoryDeps {
  db: Db;
  wellsky: WellSky;
  agency: Pick<AgencyConfig, 'staff'>;
  clock?: Clock;
  /** How long a caller may wait on a live WellSky search when their number is not on file. */
  liveLookupTimeoutMs?: number;
  /** Contact lists a full sync reads at once. */
  syncConcurrency?: number;
  /** Unreadable contact lists a full sync tolerates (keeping those clients' old contacts) before giving up. */
  maxContactFailures?: number;
}

const WELLSKY_PHONE = /^\+1[2-9]\d{9}$/;
/** A fresh answer each time: callers may add to what they are given. */
const none = (): IdentifyResult => ({ identities: [], source: 'none' });

export function createDirectory(deps: DirectoryDeps): Directory {
  const { db, wellsky, agency } = deps;
  const liveLookupTimeoutMs = deps.liveLookupTimeoutMs ?? 1500;
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const store = createDirectoryStore(db);
  let syncInProgress: Promise<SyncCounts> | null = null;

  function staffWithPhone(phone: string): DirectoryEntry[] {
    return staffEntries(agency, now()).filter((e) => e.phone === phone);
  }

  async function identify(phoneInput: string, opts: { live?: boolean } = {}): Promise<IdentifyResult> {
    const phone = toE164(phoneInput);
    if (!phone) return none(); // anonymous, short codes, garbage: nothing can be on file

    const staff = staffWithPhone(phone);
    let cached: DirectoryEntry[] = [];
    let cacheReadable = true;
    try {
      cached = await store.entriesForPhone(phone);
    } catch (err) {
      cacheReadable = false;
      log.error('directory read failed; trying WellSky instead', { phone: maskPhone(phone), error: (err as Error).message });
    }
    if (cached.length || staff.length) return { identities: sorted([...staff, ...cached]), source: 'cache' };
    // WellSky holds 10-digit US numbers only: anything else cannot be found there.
    if (opts.live === false || !WELLSKY_PHONE.test(phone)) return none();

    const found = await searchLive(phone);
    if (!found.length) return none();
    if (cacheReadable) {
      await keep(found.keys, found.entries).catch((err) =>
        log.warn('could not keep a live lookup result', { phone: maskPhone(phone), error: (err as Error).message }),
      );
    }
    return { identities: sorted(found.entries.filter((e) => e.phone === phone)), source: 'live' };
  }

  /**
   * Caregivers and patients with this phone, searched in parallel within the time limit. A
   * search that fails or is too slow counts as finding nobody; the other one's findings stand.
   */
  async function searchLive(phone: string): Promise<{ length: number; keys: RefreshKey[]; entries: DirectoryEntry[] }> {
    const started = Date.now();
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => {
        controller.abort();
        resolve('timeout');
      }, liveLookupTimeoutMs);
      timer.unref?.();
    });
    const callOpts = { interactive: true, signal: controller.signal };
    const [caregivers, patients] = await Promise.all([
      settleBy(() => wellsky.findCaregiversByPhone(phone, callOpts), deadline),
      settleBy(() => wellsky.findPatientsByPhone(phone, callOpts), deadline),
    ]);
    clearTimeout(timer);
    controller.abort(); // nothing else should keep running on our behalf

    if (!caregivers.ok || !patients.ok) {
      log.warn('live lookup failed', {
        phone: maskPhone(phone),
        caregiverSearch: caregivers.ok ? 'ok' : caregivers.error,
        patientSearch: patients.ok ? 'ok' : patients.error,
        ms: Date.now() - started,
      });
    }
    // The search may match loosely; only someone with this very number on file is the caller.
    const hasPhone = (p: { phones: string[] }) => p.phones.includes(phone);
    const stamp = { source: 'live' as const, at: now() };
    const foundCaregivers = (caregivers.ok ? caregivers.value : []).filter(hasPhone);
    const foundPatients = (patients.ok ? patients.value : []).filter(hasPhone);
    const keys: RefreshKey[] = [
      ...foundCaregivers.map((c) => `caregiver:${c.id}` as const),
      ...foundPatients.map((p) => `patient:${p.id}` as const),
    ];
    const entries = [
      ...foundCaregivers.flatMap((c) => caregiverEntries(c, stamp)),
      ...foundPatients.flatMap((p) => patientEntries(p, stamp)),
    ];
    return { length: keys.length, keys, entries };
  }

  async function keep(keys: RefreshKey[], entries: DirectoryEntry[]): Promise<void> {
    await store.replace(keys, entries, now());
  }

  function fullSync(): Promise<SyncCounts> {
    // One sync at a time per process: a second request shares the one running.
    syncInProgress ??= runFullSync().finally(() => {
      syncInProgress = null;
    });
    return syncInProgress;
  }

  async function runFullSync(): Promise<SyncCounts> {
    const startedAt = now();
    const runId = await store.startSyncRun(startedAt);
    try {
      const snapshot = await readSnapshot(wellsky, {
        at: startedAt,
        concurrency: deps.syncConcurrency ?? 5,
        maxContactFailures: deps.maxContactFailures ?? 5,
      });
      const removed = await store.replaceSynced(snapshot.entries, { startedAt, keepContactsOf: snapshot.contactsUnreadFor });
      await syncStaff();
      const counts = { caregivers: snapshot.caregivers, patients: snapshot.patients, contacts: snapshot.contacts, removed };
      await store.finishSyncRun(runId, now(), { ...counts, contactFailures: snapshot.contactsUnreadFor.length });
      const ms = now().getTime() - startedAt.getTime();
      if (snapshot.contactsUnreadFor.length) {
        log.warn('directory sync kept old contacts for clients WellSky did not answer for', {
          clients: snapshot.contactsUnreadFor.length,
        });
      }
      log.info('directory sync done', { ...counts, ms });
      return counts;
    } catch (err) {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      await store
        .failSyncRun(runId, now(), message)
        .catch((e) => log.error('could not record the failed directory sync', { error: (e as Error).message }));
      log.error('directory sync failed; the previous directory is unchanged', { error: message });
      throw err;
    }
  }

  async function refreshPerson(resourceType: RefreshableResource, id: string): Promise<void> {
    const stamp = { source: 'webhook' as const, at: now() };
    switch (resourceType) {
      case 'Practitioner': {
        const caregiver = await orNull(wellsky.getCaregiver(id));
        await store.replace([`caregiver:${id}`], caregiver ? caregiverEntries(caregiver, stamp) : [], stamp.at);
        log.info('directory refreshed a caregiver', { caregiverId: id, removed: !caregiver });
        return;
      }
      case 'Patient': {
        const patient = await orNull(wellsky.getPatient(id));
        const contacts = patient?.isClient ? ((await orNull(wellsky.contactsOf(id))) ?? []) : [];
        const entries = patient
          ? [...patientEntries(patient, stamp), ...contacts.flatMap((c) => contactEntries({ ...c, clientId: id }, patient, stamp))]
          : [];
        await store.replace([`patient:${id}`, `contacts:${id}`], entries, stamp.at);
        log.info('directory refreshed a patient', { patientId: id, contacts: contacts.length, removed: !patient });
        return;
      }
      case 'RelatedPerson': {
        // WellSky reads contacts per client only; find whose contact this is from the directory.
        const clients = await store.clientsOfContact(id);
        if (!clients.length) {
          log.info('contact not in the directory yet; the next full sync will pick it up', { contactId: id });
          return;
        }
        for (const clientId of clients) await refreshPerson('Patient', clientId);
        return;
      }
      default:
        throw new Error(`refreshPerson: cannot refresh a ${String(resourceType)} (expected Practitioner, Patient or RelatedPerson)`);
    }
  }

  async function findClientContacts(clientId: string): Promise<DirectoryPerson[]> {
    const people = peopleOf(await store.contactEntriesOf(clientId));
    return people.sort((a, b) => Number(b.primaryContact) - Number(a.primaryContact) || compareIdentities(a, b));
  }

  async function primaryContactFor(clientId: string): Promise<DirectoryPerson | null> {
    return (await findClientContacts(clientId)).find((c) => c.primaryContact) ?? null;
  }

  async function lookupPerson(kind: CallerKind, id: string): Promise<DirectoryPerson | null> {
    if (kind === 'staff') return peopleOf(staffEntries(agency, now()).filter((e) => e.personId === id))[0] ?? null;
    const kinds: CallerKind[] = kind === 'client' || kind === 'prospect' ? ['client', 'prospect'] : [kind];
    return peopleOf(await store.entriesOfPerson(kinds, id))[0] ?? null;
  }

  async function syncStaff(): Promise<void> {
    await store.replaceStaff(staffEntries(agency, now()));
  }

  return {
    identify,
    fullSync,
    refreshPerson,
    findClientContacts,
    primaryContactFor,
    lookupPerson,
    syncStaff,
    lastSyncRun: () => store.lastSyncRun(),
  };
}

/** E.164 for a US number in any common spelling; null for anything that cannot be a phone on file. */
export function toE164(input: string): string | null {
  const trimmed = (input ?? '').trim();
  if (/^\+[1-9]\d{7,14}$/.test(trimmed)) return trimmed;
  const parsed = parsePhoneNumberFromString(trimmed, 'US');
  return parsed?.isValid() ? parsed.number : null;
}

function sorted(entries: DirectoryEntry[]) {
  return entries.map(identityOf).sort(compareIdentities);
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** The promise's result if it settles before `deadline`; never rejects. */
async function settleBy<T>(call: () => Promise<T>, deadline: Promise<'timeout'>): Promise<Outcome<T>> {
  const settled = Promise.resolve().then(call).then(
    (value): Outcome<T> => ({ ok: true, value }),
    (err): Outcome<T> => ({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) }),
  );
  return Promise.race([settled, deadline.then((): Outcome<T> => ({ ok: false, error: 'timed out' }))]);
}

/** The value, or null when WellSky says there is no such record. */
async function orNull<T>(promise: Promise<T>): Promise<T | null> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}
