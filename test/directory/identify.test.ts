import { createDirectory } from '../../src/directory';
import { FakeClock } from '../../src/clock';
import { describeEachDb } from '../support/db';
import { aCaregiver, aClient } from '../support/fake-wellsky';
import { PHONES, seededWellSky, testAgency } from './fixtures';

describeEachDb('directory: identifying a caller', (ctx) => {
  function setup(opts: { liveLookupTimeoutMs?: number } = {}) {
    const wellsky = seededWellSky();
    const directory = createDirectory({ db: ctx.db, wellsky, agency: testAgency(), clock: new FakeClock('2026-02-02T15:00:00Z'), ...opts });
    return { wellsky, directory };
  }

  it('identifies a caller on file without asking WellSky', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    wellsky.resetCalls();

    const result = await directory.identify(PHONES.dorothy);

    expect(result).toEqual({
      source: 'cache',
      identities: [{ kind: 'client', personId: '2001', clientId: '2001', firstName: 'Dorothy', lastName: 'Lopez', language: 'en', active: true }],
    });
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('returns every identity for a shared number: a caregiver who is also a client’s daughter', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    wellsky.resetCalls();

    const { identities, source } = await directory.identify(PHONES.maria);

    expect(source).toBe('cache');
    expect(identities).toEqual([
      expect.objectContaining({ kind: 'caregiver', personId: '3001', hired: true, active: true }),
      expect.objectContaining({ kind: 'contact', personId: '5001', clientId: '2001', clientFirstName: 'Dorothy', relationship: 'DAU' }),
    ]);
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('still identifies a caregiver who left, flagged inactive', async () => {
    const { directory } = setup();
    await directory.fullSync();
    const { identities } = await directory.identify(PHONES.james);
    expect(identities).toEqual([expect.objectContaining({ kind: 'caregiver', firstName: 'James', active: false, hired: true })]);
  });

  it('knows an applicant is not hired and speaks Spanish', async () => {
    const { directory } = setup();
    await directory.fullSync();
    const { identities } = await directory.identify(PHONES.ana);
    expect(identities).toEqual([expect.objectContaining({ kind: 'caregiver', hired: false, language: 'es' })]);
  });

  it('always knows staff from the agency config, even before any sync', async () => {
    const { wellsky, directory } = setup();
    const result = await directory.identify(PHONES.careManager);
    expect(result.source).toBe('cache');
    expect(result.identities).toEqual([
      expect.objectContaining({ kind: 'staff', personId: PHONES.careManager, roles: ['oncall', 'scheduler', 'complaints'] }),
    ]);
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('searches WellSky live on a miss, and keeps what it found so the next call is free', async () => {
    const { wellsky, directory } = setup();
    await directory.fullSync();
    const newPhone = '+13035550042';
    wellsky.caregivers.push(aCaregiver({ id: '3010', firstName: 'Lena', lastName: 'Cho', phones: [newPhone] }));
    wellsky.patients.push(aClient({ id: '2010', firstName: 'Lena', lastName: 'Cho', phones: [newPhone] }));
    wellsky.resetCalls();

    const first = await directory.identify(newPhone);
    expect(first.source).toBe('live');
    expect(first.identities.map((i) => `${i.kind}:${i.personId}`)).toEqual(['caregiver:3010', 'client:2010']);
    expect(wellsky.calls.findCaregiversByPhone).toBe(1);
    expect(wellsky.calls.findPatientsByPhone).toBe(1);
    expect(wellsky.log.map((c) => c.method).sort()).toEqual(['findCaregiversByPhone', 'findPatientsByPhone']);
    wellsky.resetCalls();

    const second = await directory.identify(newPhone);
    expect(second).toEqual({ source: 'cache', identities: first.identities });
    expect(wellsky.totalCalls()).toBe(0);
    const rows = await ctx.db.query<{ source: string }>(`SELECT DISTINCT source FROM directory_entries WHERE phone = $1`, [newPhone]);
    expect(rows.rows).toEqual([{ source: 'live' }]);
  });

  it('asks WellSky as a caller is waiting: interactive, with a signal to cut it short', async () => {
    const { wellsky, directory } = setup();
    const seen: unknown[] = [];
    const original = wellsky.findPatientsByPhone.bind(wellsky);
    wellsky.findPatientsByPhone = async (phone, opts) => {
      seen.push(opts);
      return original(phone, opts);
    };
    await directory.identify(PHONES.stranger);
    expect(seen).toEqual([expect.objectContaining({ interactive: true, signal: expect.any(AbortSignal) })]);
  });

  it('answers "nobody" for an unknown number, and asks nothing when told not to search', async () => {
    const { wellsky, directory } = setup();
    expect(await directory.identify(PHONES.stranger)).toEqual({ identities: [], source: 'none' });
    wellsky.resetCalls();
    expect(await directory.identify(PHONES.stranger, { live: false })).toEqual({ identities: [], source: 'none' });
    expect(await directory.identify('anonymous')).toEqual({ identities: [], source: 'none' });
    expect(await directory.identify('+266696687')).toEqual({ identities: [], source: 'none' }); // Twilio's "anonymous"
    expect(await directory.identify('+442071838750')).toEqual({ identities: [], source: 'none' }); // WellSky holds US numbers only
    expect(wellsky.totalCalls()).toBe(0);
  });

  it('answers "nobody" without throwing when WellSky is down', async () => {
    const { wellsky, directory } = setup();
    wellsky.setDown();
    await expect(directory.identify(PHONES.dorothy)).resolves.toEqual({ identities: [], source: 'none' });
  });

  it('gives up on a slow WellSky within the time limit', async () => {
    const { wellsky, directory } = setup({ liveLookupTimeoutMs: 200 });
    wellsky.setLatency(10_000);
    const started = Date.now();
    const result = await directory.identify(PHONES.dorothy);
    expect(result).toEqual({ identities: [], source: 'none' });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('keeps a caregiver found live even when the patient search fails', async () => {
    const { wellsky, directory } = setup();
    wellsky.failOn('findPatientsByPhone');
    const result = await directory.identify(PHONES.james);
    expect(result.source).toBe('live');
    expect(result.identities).toEqual([expect.objectContaining({ kind: 'caregiver', personId: '3002', active: false })]);
  });

  it('accepts the number spelled without the country code', async () => {
    const { directory } = setup();
    await directory.fullSync();
    const { identities } = await directory.identify('(303) 555-0010');
    expect(identities.map((i) => i.personId)).toEqual(['2001']);
  });

  it('returns identities that survive a trip through JSON (they live in conversation snapshots)', async () => {
    const { directory } = setup();
    await directory.fullSync();
    const { identities } = await directory.identify(PHONES.maria);
    expect(JSON.parse(JSON.stringify(identities))).toEqual(identities);
  });
});
