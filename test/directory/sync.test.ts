import { createDirectory } from '../../src/directory';
import { UnavailableError } from '../../src/wellsky/errors';
import { describeEachDb } from '../support/db';
import { aCaregiver, aContact } from '../support/fake-wellsky';
import { PHONES, seededWellSky, testAgency } from './fixtures';

describeEachDb('directory full sync', (ctx) => {
  function setup() {
    const wellsky = seededWellSky();
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency() });
    return { wellsky, directory };
  }

  it('makes caregivers, clients, prospects, family contacts and staff identifiable, and counts them', async () => {
    const { wellsky, directory } = setup();

    const counts = await directory.fullSync();
    expect(counts).toEqual({ caregivers: 3, patients: 3, contacts: 2, removed: 0 });
    wellsky.resetCalls();

    const kindsOf = async (phone: string) => (await directory.identify(phone)).identities.map((i) => i.kind);
    expect(await kindsOf(PHONES.mariaHome)).toEqual(['caregiver']);
    expect(await kindsOf(PHONES.dorothy)).toEqual(['client']);
    expect(await kindsOf(PHONES.harold)).toEqual(['prospect']);
    expect(await kindsOf(PHONES.robert)).toEqual(['contact']);
    expect(await kindsOf(PHONES.owner)).toEqual(['staff']);
    expect(wellsky.totalCalls()).toBe(0);

    const robert = (await directory.identify(PHONES.robert)).identities[0];
    expect(robert).toEqual({
      kind: 'contact',
      personId: '5002',
      firstName: 'Robert',
      lastName: 'Lopez',
      clientId: '2001',
      clientFirstName: 'Dorothy',
      relationship: 'SON',
      language: 'en',
      active: true,
      primaryContact: true,
    });
    const owner = (await directory.identify(PHONES.owner)).identities[0];
    expect(owner).toMatchObject({ kind: 'staff', firstName: 'Pat', lastName: 'Owner', roles: ['oncall', 'owner', 'intake'] });
  });

  it('reads contacts only for clients, never more than five at a time', async () => {
    const { wellsky, directory } = setup();
    for (let i = 0; i < 20; i++) wellsky.patients.push({ ...wellsky.patients[0], id: `30${i}`, phones: [] });
    let running = 0;
    let most = 0;
    const original = wellsky.contactsOf.bind(wellsky);
    wellsky.contactsOf = async (clientId, opts) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await original(clientId, opts);
      } finally {
        running--;
      }
    };

    await directory.fullSync();
    expect(wellsky.calls.contactsOf).toBe(22); // 2 seeded clients + 20 more; not the prospect
    expect(most).toBeLessThanOrEqual(5);
  });

  it('keeps a person with no phone on file, so their name can be looked up by id', async () => {
    const { directory } = setup();
    await directory.fullSync();
    const walter = await directory.lookupPerson('client', '2002');
    expect(walter).toMatchObject({ kind: 'client', firstName: 'Walter', phones: [] });
    const maria = await directory.lookupPerson('caregiver', '3001');
    expect(maria?.phones.sort()).toEqual([PHONES.maria, PHONES.mariaHome].sort());
    expect(await directory.lookupPerson('caregiver', 'nobody')).toBeNull();
  });

  it('drops people WellSky no longer lists, and counts them as removed', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    wellsky.caregivers = wellsky.caregivers.filter((c) => c.id !== '3003');
    wellsky.contacts = wellsky.contacts.filter((c) => c.id !== '5002');

    const counts = await directory.fullSync();
    expect(counts).toEqual({ caregivers: 2, patients: 3, contacts: 1, removed: 2 });
    expect((await directory.identify(PHONES.ana, { live: false })).identities).toEqual([]);
    expect((await directory.identify(PHONES.robert, { live: false })).identities).toEqual([]);
  });

  it('leaves the previous directory in place when WellSky fails during a sync, and records why', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    wellsky.caregivers = [];
    wellsky.failOn('listPatients', new UnavailableError('patients: 503 after retries', 503));

    await expect(directory.fullSync()).rejects.toThrow('503 after retries');

    expect((await directory.identify(PHONES.maria, { live: false })).identities).toHaveLength(2);
    const run = await directory.lastSyncRun();
    expect(run).toMatchObject({ status: 'failed' });
    expect(run?.error).toContain('503 after retries');
    expect(run?.finishedAt).toBeInstanceOf(Date);
  });

  it('gives up without writing when contacts fail for many clients', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    for (let i = 0; i < 10; i++) wellsky.patients.push({ ...wellsky.patients[0], id: `40${i}`, phones: [] });
    wellsky.caregivers = [];
    wellsky.failOn('contactsOf');

    await expect(directory.fullSync()).rejects.toThrow(/contacts of \d+ clients/);
    expect((await directory.identify(PHONES.ana, { live: false })).identities).toHaveLength(1);
    expect((await directory.lastSyncRun())?.status).toBe('failed');
  });

  it("keeps a client's previous contacts when only their list cannot be read", async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    wellsky.failOn('contactsOf', (clientId) => (clientId === '2001' ? new UnavailableError('slow', 504) : undefined));

    const counts = await directory.fullSync();
    expect(counts.removed).toBe(0);
    expect((await directory.identify(PHONES.robert, { live: false })).identities).toHaveLength(1);
    expect(await directory.lastSyncRun()).toMatchObject({ status: 'ok', contactFailures: 1 });
  });

  it('records each successful run with its counts', async () => {
    const { directory } = setup();
    expect(await directory.lastSyncRun()).toBeNull();
    await directory.fullSync();
    expect(await directory.lastSyncRun()).toMatchObject({ status: 'ok', caregivers: 3, patients: 3, contacts: 2, removed: 0 });
  });

  it('does not overwrite a change that arrived by webhook while the sync was reading WellSky', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    const newPhone = '+13035550077';
    // The sync lists caregivers first; the phone changes (and its webhook lands) while it reads contacts.
    const originalContactsOf = wellsky.contactsOf.bind(wellsky);
    let changed = false;
    wellsky.contactsOf = async (clientId, opts) => {
      if (!changed) {
        changed = true;
        wellsky.caregivers[0].phones = [newPhone];
        await directory.refreshPerson('Practitioner', '3001');
      }
      return originalContactsOf(clientId, opts);
    };

    await directory.fullSync();
    const atNew = await directory.identify(newPhone, { live: false });
    expect(atNew.identities.map((i) => i.personId)).toEqual(['3001']);
    const atHome = await directory.identify(PHONES.mariaHome, { live: false });
    expect(atHome.identities).toEqual([]);
  });

  it('shares one run between two sync requests made at the same time', async () => {
    const { wellsky, directory } = setup();
    const [a, b] = await Promise.all([directory.fullSync(), directory.fullSync()]);
    expect(a).toEqual(b);
    expect(wellsky.calls.listCaregivers).toBe(1);
  });

  it('writes the staff rows from the agency config', async () => {
    const { directory } = setup();
    await directory.syncStaff();
    const rows = await ctx.db.query<{ phone: string; source: string }>(
      `SELECT phone, source FROM directory_entries WHERE kind = 'staff' ORDER BY phone`,
    );
    expect(rows.rows).toEqual([
      { phone: PHONES.owner, source: 'config' },
      { phone: PHONES.careManager, source: 'config' },
    ]);
  });

  it('lists a client’s contacts with the primary contact first', async () => {
    const { wellsky, directory } = setup();
    wellsky.caregivers.push(aCaregiver({ id: '3009', phones: [] }));
    wellsky.contacts.push(aContact({ id: '5003', clientId: '2001', firstName: 'Zed', lastName: 'Adams', phones: [] }));
    await directory.fullSync();
    const contacts = await directory.findClientContacts('2001');
    expect(contacts.map((c) => c.firstName)).toEqual(['Robert', 'Zed', 'Maria']);
    expect(await directory.primaryContactFor('2001')).toMatchObject({ personId: '5002', phones: [PHONES.robert] });
    expect(await directory.primaryContactFor('2002')).toBeNull();
  });
});
