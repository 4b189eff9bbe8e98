/**
 * Contract tests: the real client (src/wellsky/) against the WellSky sandbox
 * (src/wellsky-sandbox/), which reproduces the API's field-verified quirks. Every operation of
 * the service, and every quirk the client must survive: token expiry mid-run, a 401 retry,
 * paging over three pages in both bundle shapes, 429 back-off, an outage tripping the breaker,
 * a refused PUT.
 */
import { createSandbox, FIXTURE_PEOPLE, FIXTURE_SHIFTS, type Sandbox } from '../../src/wellsky-sandbox';
import { localDate, nowToEndOfTomorrow, overlaps, searchWindowCovering } from '../../src/time';
import { createWellSkyService, CircuitOpenError, type WellSkyServiceOptions } from '../../src/wellsky/client';
import { ForbiddenError, NotFoundError, UnavailableError } from '../../src/wellsky/errors';
import { memoryLogger } from './fake-wellsky';

const ZONE = 'America/Denver';

interface Running {
  sandbox: Sandbox;
  url: string;
  close(): Promise<void>;
}

async function start(opts: Parameters<typeof createSandbox>[0] = {}): Promise<Running> {
  const sandbox = createSandbox({ timezone: ZONE, ...opts });
  const { url, close } = await sandbox.listen(0);
  return { sandbox, url, close };
}

function clientOf(run: Running, overrides: Partial<WellSkyServiceOptions> = {}) {
  const { logger, lines } = memoryLogger();
  const service = createWellSkyService({
    baseUrl: run.url,
    ...run.sandbox.credentials,
    timezone: ZONE,
    retry: { initialDelayMs: 20, maxDelayMs: 200 },
    logger,
    ...overrides,
  });
  return { service, lines };
}

const apiCalls = (s: Sandbox) => s.requestLog.filter((r) => !r.path.startsWith('/oauth/'));
const tokenCalls = (s: Sandbox) => s.requestLog.filter((r) => r.path === '/oauth/accesstoken');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every shape WellSky has been seen to answer in (docs/sandbox.md). The whole suite below runs
 * against each: the client must not depend on any one of them.
 */
const MODES: [string, Parameters<typeof createSandbox>[0]][] = [
  ['field shapes (default)', {}],
  ['vendor-reference shapes', { encounterStatus: 'COMPLETED', encounterPaging: 'zero-based', openShiftShape: 'missing', patientPut: 'merge' }],
  ['naive local times, null caregivers', { timeFormat: 'local', openShiftShape: 'null', encounterPaging: 'zero-based' }],
  ['as seeded, local times, COMPLETE', { openShiftShape: 'as-stored', timeFormat: 'local', encounterStatus: 'COMPLETE' }],
];

describe.each(MODES)('the client against the sandbox (%s): every operation', (_mode, sandboxOptions) => {
  let run: Running;
  beforeAll(async () => {
    run = await start(sandboxOptions);
  });
  afterAll(() => run.close());
  beforeEach(() => run.sandbox.reset());

  it('pings', async () => {
    const { service } = clientOf(run);
    await expect(service.ping({ interactive: true })).resolves.toBeUndefined();
  });

  it('lists every caregiver and applicant, and reads one', async () => {
    const { service } = clientOf(run);
    const caregivers = await service.listCaregivers();
    expect(caregivers).toHaveLength(run.sandbox.state.practitioners.length);
    const rosa = caregivers.find((c) => c.id === FIXTURE_PEOPLE.spanishCaregiver.id)!;
    expect(rosa).toMatchObject({ firstName: 'Rosa', lastName: 'Martinez', hired: true, active: true, preferredLanguage: 'es' });
    expect(rosa.phones[0]).toBe(`+1${FIXTURE_PEOPLE.spanishCaregiver.phone}`);
    expect(caregivers.find((c) => c.id === FIXTURE_PEOPLE.applicant.id)).toMatchObject({ hired: false, status: 10 });
    expect(caregivers.find((c) => c.id === FIXTURE_PEOPLE.inactiveCaregiver.id)).toMatchObject({ active: false });
    expect(await service.getCaregiver(FIXTURE_PEOPLE.oneShiftCaregiver.id)).toMatchObject({ firstName: 'Dana' });
    await expect(service.getCaregiver('999999999')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('finds a caregiver by phone', async () => {
    const { service } = clientOf(run);
    const found = await service.findCaregiversByPhone(`+1${FIXTURE_PEOPLE.threeShiftCaregiver.phone}`, { interactive: true });
    expect(found.map((c) => c.id)).toEqual([FIXTURE_PEOPLE.threeShiftCaregiver.id]);
  });

  it('lists every patient (clients and prospects), reads one and finds one by phone', async () => {
    const { service } = clientOf(run);
    const patients = await service.listPatients();
    expect(patients).toHaveLength(run.sandbox.state.patients.length);
    expect(patients.find((p) => p.id === FIXTURE_PEOPLE.prospect.id)).toMatchObject({ isClient: false, status: 1 });
    expect(patients.find((p) => p.id === FIXTURE_PEOPLE.prospectStatusNone.id)?.status).toBeUndefined();
    expect(await service.getPatient(FIXTURE_PEOPLE.spanishClient.id)).toMatchObject({ firstName: 'Carmen', isClient: true });
    const byPhone = await service.findPatientsByPhone(`+1${FIXTURE_PEOPLE.clientWithDaughter.phone}`);
    expect(byPhone.map((p) => p.id)).toContain(FIXTURE_PEOPLE.clientWithDaughter.id);
  });

  it("reads a client's contacts and adds one", async () => {
    const { service } = clientOf(run);
    const contacts = await service.contactsOf(FIXTURE_PEOPLE.clientWithDaughter.id);
    expect(contacts.find((c) => c.id === FIXTURE_PEOPLE.daughterContact.id)).toMatchObject({
      clientId: FIXTURE_PEOPLE.clientWithDaughter.id,
      relationship: 'DAU',
      primaryContact: true,
      phones: [`+1${FIXTURE_PEOPLE.daughterContact.phone}`],
    });
    const { id } = await service.createContact({
      clientId: FIXTURE_PEOPLE.clientWithDaughter.id,
      firstName: 'Sam',
      lastName: 'Fischer',
      relationship: 'SON',
      phone: '+17205550188',
    });
    const after = await service.contactsOf(FIXTURE_PEOPLE.clientWithDaughter.id);
    expect(after.find((c) => c.id === id)).toMatchObject({ firstName: 'Sam', relationship: 'SON', phones: ['+17205550188'] });
  });

  it("finds a caregiver's shifts from now to the end of tomorrow", async () => {
    const { service } = clientOf(run);
    const window = nowToEndOfTomorrow(new Date(), ZONE);
    const shifts = await service.shiftsForCaregiver(FIXTURE_PEOPLE.threeShiftCaregiver.id, searchWindowCovering(window, ZONE), { interactive: true });
    const inWindow = shifts.filter((s) => overlaps(s, window));
    expect(inWindow.map((s) => s.id)).toEqual([...FIXTURE_SHIFTS.kevinTomorrow]);
    for (const s of inWindow) {
      expect(s.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      expect(s.caregiverId).toBe(FIXTURE_PEOPLE.threeShiftCaregiver.id);
    }
    const search = apiCalls(run.sandbox).find((r) => r.path === '/v1/appointment/')!;
    expect(search.query).toMatchObject({ caregiverId: FIXTURE_PEOPLE.threeShiftCaregiver.id, startDate: localDate(new Date(), ZONE).replace(/-/g, ''), additionalDays: '1' });
  });

  it("reads a client's open shifts in all three shapes as having no caregiver", async () => {
    const { service } = clientOf(run);
    const today = localDate(new Date(), ZONE);
    const frank = await service.shiftsForClient(FIXTURE_PEOPLE.clientSharingLandline.id, { startDate: today, additionalDays: 6 });
    const harold = await service.shiftsForClient(FIXTURE_PEOPLE.clientWithDaughter.id, { startDate: today, additionalDays: 6 });
    const byId = new Map([...frank, ...harold].map((s) => [s.id, s]));
    for (const id of [FIXTURE_SHIFTS.openShiftMissingCaregiver, FIXTURE_SHIFTS.openShiftNullCaregiver, FIXTURE_SHIFTS.openShiftEmptyCaregiver]) {
      expect(byId.get(id)).toBeDefined();
      expect(byId.get(id)!.caregiverId).toBeUndefined();
    }
    const week = await service.shiftsForClient(FIXTURE_PEOPLE.clientWithDaughter.id, { monthNo: today.slice(0, 4) + today.slice(5, 7) });
    expect(week.length).toBeGreaterThan(0);
  });

  it('assigns an open shift through a whole-resource PUT, and opens it again', async () => {
    const { service } = clientOf(run);
    const id = FIXTURE_SHIFTS.openShiftMissingCaregiver;
    const before = { ...run.sandbox.state.appointments.find((a) => a.id === id)! };
    const assigned = await service.assignShift(id, FIXTURE_PEOPLE.spanishCaregiver.id);
    expect(assigned).toMatchObject({ id, caregiverId: FIXTURE_PEOPLE.spanishCaregiver.id });
    const stored = run.sandbox.state.appointments.find((a) => a.id === id)!;
    expect(stored.caregiver).toEqual({ id: FIXTURE_PEOPLE.spanishCaregiver.id });
    // Everything else as it was (the status as the client read it: an open shift may read SCHEDULED).
    expect({ ...stored, caregiver: undefined, meta: undefined, status: undefined }).toEqual({ ...before, caregiver: undefined, meta: undefined, status: undefined });
    expect(['SCHEDULED', 'OPEN']).toContain(stored.status);
    expect((await service.getShift(id)).caregiverId).toBe(FIXTURE_PEOPLE.spanishCaregiver.id);

    const opened = await service.assignShift(id, null);
    expect(opened.caregiverId).toBeUndefined();
    expect((await service.getShift(id)).caregiverId).toBeUndefined();
  });

  it('creates a lead with emoji in its notes, and reads it back as a prospect', async () => {
    const { service } = clientOf(run);
    const { id } = await service.createLead({
      firstName: 'Nora',
      lastName: 'Quint 😊',
      phone: '+13035550177',
      city: 'Denver',
      postalCode: '80202',
      referralSource: 'Hospital',
      notes: 'Needs help with meals 🍲, mornings; private pay',
    });
    const lead = await service.getPatient(id);
    expect(lead).toMatchObject({ firstName: 'Nora', isClient: false, status: 1, referralSource: 'Hospital', phones: ['+13035550177'] });
    expect(lead.lastName.trim()).toBe('Quint');
    const post = apiCalls(run.sandbox).find((r) => r.method === 'POST' && r.path === '/v1/patients/')!;
    expect(post.status).toBe(201);
    expect(JSON.stringify(post.body)).not.toMatch(/[\u{10000}-\u{10FFFF}]/u);
  });

  it('updates a patient (full PUT) without losing what it did not change', async () => {
    const { service } = clientOf(run);
    const id = FIXTURE_PEOPLE.prospect.id;
    const before = await service.getPatient(id);
    await service.updatePatient(id, { notes: 'called back, wants an assessment', postalCode: '80210' });
    const after = await service.getPatient(id);
    expect(after).toMatchObject({ firstName: before.firstName, lastName: before.lastName, phones: before.phones, isClient: false });
    expect(after.address?.postalCode).toBe('80210');
  });

  it('creates an AdminTask', async () => {
    const { service } = clientOf(run);
    const { id } = await service.createAdminTask({
      description: 'COVERAGE NEEDED: shift 109100006 tomorrow 09:00',
      executionDate: '2026-02-06',
      dueDate: '2026-02-06T23:59:59',
      requester: { resourceType: 'Patient', id: FIXTURE_PEOPLE.clientWithDaughter.id },
    });
    expect(run.sandbox.state.adminTasks.find((t) => t.id === id)).toMatchObject({ status: 'received', owner: [] });
  });

  it('searches encounters and writes a shift note on one', async () => {
    const { service } = clientOf(run);
    const encounter = run.sandbox.state.encounters[0];
    expect(encounter).toBeDefined();
    const day = localDate(encounter.period.start, ZONE);
    const found = await service.searchEncounters({ clientId: encounter.client.id, startDate: day, endDate: day });
    expect(found.map((e) => e.id)).toContain(encounter.id);
    const { id } = await service.createTaskLog(encounter.id, { title: 'Care Alert', description: 'Client seemed tired 😴' });
    expect(run.sandbox.state.taskLogs.find((t) => String(t.id) === id)).toMatchObject({ encounterId: encounter.id, title: 'Care Alert' });
  });

  it('lists profile tags', async () => {
    const { service } = clientOf(run);
    const tags = await service.listProfileTags();
    expect(tags).toHaveLength(run.sandbox.state.profileTags.length);
    expect(tags[0]).toEqual({ id: expect.any(String), name: expect.any(String), type: expect.any(String) });
  });

  it('creates and lists subscriptions', async () => {
    const { service } = clientOf(run);
    const { id } = await service.createSubscription({ criteria: 'patient.telecom.changed', endpoint: 'http://127.0.0.1:9/wellsky/webhook', secret: 'a-long-webhook-secret' });
    expect(await service.listSubscriptions()).toContainEqual({ id, criteria: 'patient.telecom.changed', endpoint: 'http://127.0.0.1:9/wellsky/webhook' });
  });

  it('reads shift times as the same instants whatever shape they are sent in, across a DST change', async () => {
    const { service } = clientOf(run);
    const template = run.sandbox.state.appointments.find((a) => a.id === FIXTURE_SHIFTS.openShiftEmptyCaregiver)!;
    const dst: [string, string, string][] = [
      ['990000001', '2026-03-07T16:00:00+00:00', '2026-03-07T20:00:00+00:00'], // MST
      ['990000002', '2026-03-08T08:00:00+00:00', '2026-03-08T15:00:00+00:00'], // overnight into MDT
      ['990000003', '2026-11-01T06:00:00+00:00', '2026-11-01T10:00:00+00:00'], // overnight out of MDT
    ];
    for (const [id, start, end] of dst) run.sandbox.state.appointments.push({ ...template, id, start, end });
    for (const [id, start, end] of dst) {
      const shift = await service.getShift(id);
      expect([shift.start, shift.end]).toEqual([new Date(start).toISOString(), new Date(end).toISOString()]);
    }
  });

  it('finds a client by any phone WellSky holds: mobile, home landline or work', async () => {
    const { service } = clientOf(run);
    const base = run.sandbox.state.patients.find((p) => p.id === FIXTURE_PEOPLE.spanishClient.id)!;
    const uses: [string, string][] = [['home', '3035550191'], ['work', '3035550192'], ['mobile', '3035550193']];
    uses.forEach(([use, value], i) => run.sandbox.state.patients.push({ ...base, id: `77000${i}`, telecom: [{ system: 'phone', value, use }] }));
    for (const [i, [, value]] of uses.entries()) {
      expect((await service.findPatientsByPhone(`+1${value}`)).map((p) => p.id)).toEqual([`77000${i}`]);
    }
  });

  it('reads a finished visit as COMPLETED by search and by id, with its clock times', async () => {
    const { service } = clientOf(run);
    const done = run.sandbox.state.encounters.find((e) => e.status === 'COMPLETED' && e.period.end)!;
    expect(done).toBeDefined();
    const byId = await service.getEncounter(done.id);
    expect(byId).toMatchObject({ id: done.id, status: 'COMPLETED', start: new Date(done.period.start).toISOString(), end: new Date(done.period.end!).toISOString() });
    const day = localDate(done.period.start, ZONE);
    const found = await service.searchEncounters({ clientId: done.client.id, startDate: day, endDate: day });
    expect(found.find((e) => e.id === done.id)?.status).toBe('COMPLETED');
  });

  it('pages encounter search and profile tags past one page whether pages count from 0 or 1', async () => {
    const { service } = clientOf(run);
    const template = run.sandbox.state.encounters[0];
    const day = localDate(template.period.start, ZONE);
    const before = (await service.searchEncounters({ clientId: template.client.id, startDate: day, endDate: day })).length;
    for (let i = 0; i < 130; i++) run.sandbox.state.encounters.push({ ...template, id: String(66000000 + i) });
    const after = await service.searchEncounters({ clientId: template.client.id, startDate: day, endDate: day });
    expect(after).toHaveLength(before + 130);
    expect(new Set(after.map((e) => e.id)).size).toBe(after.length);

    const tags = run.sandbox.state.profileTags.length;
    for (let i = 0; i < 140; i++) run.sandbox.state.profileTags.push({ id: String(5000 + i), name: `Skill ${i}`, type: 'skill' });
    const listed = await service.listProfileTags();
    expect(listed).toHaveLength(tags + 140);
    expect(await service.getProfileTag('5007')).toEqual({ id: '5007', name: 'Skill 7', type: 'skill' });
  });

  it('updates a contact by reading and writing it back whole', async () => {
    const { service } = clientOf(run);
    const clientId = FIXTURE_PEOPLE.clientWithDaughter.id;
    const contactId = FIXTURE_PEOPLE.daughterContact.id;
    const before = (await service.contactsOf(clientId)).find((c) => c.id === contactId)!;
    await service.updateContact(clientId, contactId, { phone: '+17205550144' });
    const after = (await service.contactsOf(clientId)).find((c) => c.id === contactId)!;
    expect(after).toMatchObject({ firstName: before.firstName, lastName: before.lastName, relationship: before.relationship, primaryContact: before.primaryContact });
    expect(after.phones[0]).toBe('+17205550144');
    await expect(service.updateContact(FIXTURE_PEOPLE.spanishClient.id, contactId, { phone: '+17205550145' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('renews a subscription by moving its end, keeping its criteria and endpoint', async () => {
    const { service } = clientOf(run);
    const { id } = await service.createSubscription({ criteria: 'patient.telecom.changed', endpoint: 'http://127.0.0.1:9/wellsky/webhook', secret: 'a-long-webhook-secret' });
    const until = new Date('2027-01-05T00:00:00Z');
    await service.renewSubscription(id, until);
    const stored = run.sandbox.state.subscriptions.find((x) => x.id === id)!;
    expect(stored).toMatchObject({ criteria: 'patient.telecom.changed', status: 'active', end: '2027-01-05T00:00:00Z', channel: { endpoint: 'http://127.0.0.1:9/wellsky/webhook' } });
    expect(stored.channel.header).toEqual(['Authorization: Bearer a-long-webhook-secret']);
  });

  it('never sends agencyId as a query parameter and always Bearer auth', async () => {
    const { service } = clientOf(run);
    await service.listCaregivers();
    await service.listPatients();
    await service.shiftsForClient(FIXTURE_PEOPLE.spanishClient.id, { startDate: localDate(new Date(), ZONE) });
    await service.findCaregiversByPhone(`+1${FIXTURE_PEOPLE.spanishCaregiver.phone}`);
    for (const r of run.sandbox.requestLog) {
      expect(Object.keys(r.query).map((k) => k.toLowerCase())).not.toContain('agencyid');
      expect(r.status).toBeLessThan(400);
    }
  });
});

describe('the client against the sandbox: quirks', () => {
  it('replaces a 2-second token before it expires, mid-run, without a 401', async () => {
    const run = await start({ tokenTtlSeconds: 2 });
    try {
      const { service } = clientOf(run);
      const started = Date.now();
      while (Date.now() - started < 4500) {
        await service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id);
        await sleep(200);
      }
      expect(tokenCalls(run.sandbox).length).toBeGreaterThanOrEqual(3);
      expect(apiCalls(run.sandbox).filter((r) => r.status === 401)).toHaveLength(0);
    } finally {
      await run.close();
    }
  });

  it('fetches a new token and retries once when WellSky says the token expired (401)', async () => {
    let skewMs = 0;
    const run = await start({ now: () => new Date(Date.now() + skewMs) });
    try {
      const { service } = clientOf(run);
      await service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id);
      skewMs = 2 * 3600 * 1000; // WellSky's clock runs past the token's life; ours does not know
      await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)).resolves.toMatchObject({ firstName: 'Rosa' });
      expect(apiCalls(run.sandbox).map((r) => r.status)).toEqual([200, 401, 200]);
      expect(tokenCalls(run.sandbox)).toHaveLength(2);
    } finally {
      await run.close();
    }
  });

  it('pages across three pages whatever the count field and entry shape', async () => {
    const run = await start();
    try {
      const template = run.sandbox.state.practitioners[0];
      for (let i = 0; i < 230; i++) {
        run.sandbox.state.practitioners.push({ ...structuredClone(template), id: String(8800000 + i), telecom: [] });
      }
      const total = run.sandbox.state.practitioners.length;
      expect(total % 100).not.toBe(0);
      run.sandbox.configure({ countField: 'alternate', entryShape: 'alternate' });
      const { service } = clientOf(run);
      const caregivers = await service.listCaregivers();
      expect(caregivers).toHaveLength(total);
      expect(new Set(caregivers.map((c) => c.id)).size).toBe(total);
      const pages = apiCalls(run.sandbox).filter((r) => r.path === '/v1/practitioners/').map((r) => r.query._page);
      expect(pages).toEqual(['0', '1', '2']);
      for (const [countField, entryShape] of [['total', 'bare'], ['totalRecords', 'wrapped']] as const) {
        run.sandbox.configure({ countField, entryShape });
        expect(await service.listCaregivers()).toHaveLength(total);
      }
    } finally {
      await run.close();
    }
  });

  it('backs off on 429 (honouring Retry-After) when over the rate limit, and every call succeeds', async () => {
    const run = await start({ rateLimitPerSecond: 4 });
    try {
      const { service } = clientOf(run);
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 10 }, () => service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)));
      expect(results.every((c) => c.firstName === 'Rosa')).toBe(true);
      expect(run.sandbox.requestLog.some((r) => r.status === 429)).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    } finally {
      await run.close();
    }
  });

  it('opens the breaker in an outage, fails fast, and recovers after it', async () => {
    const run = await start();
    try {
      const { service } = clientOf(run, { breaker: { failures: 3, halfOpenAfterMs: 300 }, retry: { maxRetries: 0 } });
      await service.ping();
      run.sandbox.setFaults({ outage: true });
      for (let i = 0; i < 3; i++) await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)).rejects.toBeInstanceOf(UnavailableError);
      const sent = run.sandbox.requestLog.length;
      await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)).rejects.toBeInstanceOf(CircuitOpenError);
      expect(run.sandbox.requestLog).toHaveLength(sent);
      run.sandbox.setFaults({ outage: false });
      await sleep(350);
      await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)).resolves.toMatchObject({ firstName: 'Rosa' });
      expect(service.raw.circuitState()).toBe('closed');
    } finally {
      await run.close();
    }
  });

  it('rides out a share of 5xx answers on reads', async () => {
    const run = await start();
    try {
      // Eight retries: a call fails only if nine answers in a row are errors (0.3^9 ≈ 2e-5).
      const { service } = clientOf(run, { breaker: { failures: 50 }, retry: { maxRetries: 8, initialDelayMs: 5, maxDelayMs: 40 } });
      run.sandbox.setFaults({ errorRate: 0.3 });
      for (let i = 0; i < 10; i++) await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id)).resolves.toMatchObject({ firstName: 'Rosa' });
    } finally {
      await run.close();
    }
  });

  it('times out an interactive call when WellSky is slow', async () => {
    const run = await start();
    try {
      const { service } = clientOf(run, { timeouts: { interactiveMs: 300 } });
      await service.ping();
      run.sandbox.setFaults({ latencyMs: 1000 });
      await expect(service.getCaregiver(FIXTURE_PEOPLE.spanishCaregiver.id, { interactive: true })).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      run.sandbox.setFaults({ latencyMs: 0 });
      await run.close();
    }
  });

  it('reports a refused shift PUT as ForbiddenError, logged with method and path', async () => {
    const run = await start({ allowAppointmentPut: false });
    try {
      const { service, lines } = clientOf(run);
      await expect(service.assignShift(FIXTURE_SHIFTS.openShiftNullCaregiver, FIXTURE_PEOPLE.spanishCaregiver.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect(lines.find((l) => l.message === 'WellSky answered 403')).toMatchObject({ method: 'PUT', path: `/v1/appointment/${FIXTURE_SHIFTS.openShiftNullCaregiver}/` });
      expect(apiCalls(run.sandbox).filter((r) => r.method === 'PUT')).toHaveLength(1);
      run.sandbox.configure({ allowAppointmentPut: true });
      await expect(service.assignShift(FIXTURE_SHIFTS.openShiftNullCaregiver, FIXTURE_PEOPLE.spanishCaregiver.id)).resolves.toMatchObject({
        caregiverId: FIXTURE_PEOPLE.spanishCaregiver.id,
      });
    } finally {
      await run.close();
    }
  });
});
