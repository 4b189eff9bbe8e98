/** The WellSky service's operations, as the rest of the product uses them, against a fake WellSky. */
import { ForbiddenError } from '../../src/wellsky/errors';
import { bundle, serviceFor, startFakeWellSky, type FakeWellSky } from './fake-wellsky';
import { appointment, patient, practitioner } from './fixtures';

let fake: FakeWellSky;
beforeEach(async () => {
  fake = await startFakeWellSky(() => ({ status: 200, body: bundle([]) }));
});
afterEach(() => fake.close());

describe('shifts', () => {
  it('searches a caregiver\'s shifts by local start date and additional days, as YYYYMMDD', async () => {
    fake.route = () => ({ status: 200, body: bundle([appointment()]) });
    const { service } = serviceFor(fake);
    const shifts = await service.shiftsForCaregiver('3306118', { startDate: '2026-01-29', additionalDays: 1 });
    expect(shifts.map((s) => s.start)).toEqual(['2026-01-29T14:00:00.000Z']);
    const [req] = fake.apiRequests();
    expect(req.path).toBe('/v1/appointment/');
    expect(req.query).toEqual({ caregiverId: '3306118', startDate: '20260129', additionalDays: '1', _count: '100', _page: '0' });
  });

  it('searches a client\'s shifts by week or month', async () => {
    const { service } = serviceFor(fake);
    await service.shiftsForClient('2870130', { weekNo: '202605' });
    await service.shiftsForClient('2870130', { monthNo: '202601' });
    expect(fake.apiRequests().map((r) => r.query)).toEqual([
      { clientId: '2870130', weekNo: '202605', _count: '100', _page: '0' },
      { clientId: '2870130', monthNo: '202601', _count: '100', _page: '0' },
    ]);
  });

  it('splits a window longer than seven days into several searches and merges them in time order', async () => {
    fake.route = (req) =>
      req.query.startDate === '20260201'
        ? { status: 200, body: bundle([appointment({ id: 'b', start: '2026-02-02T14:00:00Z', end: '2026-02-02T18:00:00Z' })]) }
        : { status: 200, body: bundle([appointment({ id: 'a', start: '2026-01-26T14:00:00Z', end: '2026-01-26T18:00:00Z' })]) };
    const { service } = serviceFor(fake);
    const shifts = await service.shiftsForClient('2870130', { startDate: '2026-01-25', additionalDays: 13 });
    expect(fake.apiRequests().map((r) => [r.query.startDate, r.query.additionalDays])).toEqual([
      ['20260125', '6'],
      ['20260201', '6'],
    ]);
    expect(shifts.map((s) => s.id)).toEqual(['a', 'b']);
  });

  it('keeps each occurrence of a recurring shift (same id, different start)', async () => {
    fake.route = () => ({
      status: 200,
      body: bundle([appointment(), appointment({ start: '2026-01-30T14:00:00+00:00', end: '2026-01-30T18:00:00+00:00' })]),
    });
    const { service } = serviceFor(fake);
    expect(await service.shiftsForCaregiver('3306118', { startDate: '2026-01-29', additionalDays: 1 })).toHaveLength(2);
  });

  it('finds open shifts in all three shapes', async () => {
    const missing = appointment({ id: '1' });
    delete (missing as Record<string, unknown>).caregiver;
    fake.route = () => ({ status: 200, body: bundle([missing, appointment({ id: '2', caregiver: null }), appointment({ id: '3', caregiver: { id: '' } })], { wrapped: true }) });
    const { service } = serviceFor(fake);
    const shifts = await service.shiftsForClient('2870130', { startDate: '2026-01-29' });
    expect(shifts.map((s) => s.caregiverId)).toEqual([undefined, undefined, undefined]);
  });

  it('assigns a caregiver by PUTting the appointment back whole with only the caregiver changed', async () => {
    const original = appointment({ customField: { keep: ['me'] } });
    fake.route = (req) => (req.method === 'GET' ? { status: 200, body: original } : { status: 200, body: { success: true } });
    const { service } = serviceFor(fake);
    const shift = await service.assignShift('109131818', '4242');
    const put = fake.apiRequests().find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/v1/appointment/109131818/');
    const { caregiver, meta, ...rest } = put.body as Record<string, unknown>;
    const { caregiver: _old, ...originalRest } = original;
    expect(rest).toEqual(originalRest);
    expect(caregiver).toEqual({ id: '4242' });
    expect(meta).toEqual({ tag: [{ code: 'agencyId', display: '1669' }] });
    expect(shift).toMatchObject({ id: '109131818', caregiverId: '4242', start: '2026-01-29T14:00:00.000Z' });
  });

  it('opens a shift with caregiver {"id":""} and reads it back as open', async () => {
    fake.route = (req) => (req.method === 'GET' ? { status: 200, body: appointment() } : { status: 200, body: { ...(req.body as object) } });
    const { service } = serviceFor(fake);
    const shift = await service.assignShift('109131818', null);
    const put = fake.apiRequests().find((r) => r.method === 'PUT')!;
    expect((put.body as Record<string, unknown>).caregiver).toEqual({ id: '' });
    expect(shift.caregiverId).toBeUndefined();
  });

  it('reports a refused PUT as ForbiddenError (the fallback is a human)', async () => {
    fake.route = (req) => (req.method === 'GET' ? { status: 200, body: appointment() } : { status: 403, body: { message: 'Forbidden' } });
    const { service, lines } = serviceFor(fake);
    await expect(service.assignShift('109131818', '4242')).rejects.toBeInstanceOf(ForbiddenError);
    expect(lines.find((l) => l.message === 'WellSky answered 403')).toMatchObject({ method: 'PUT', path: '/v1/appointment/109131818/' });
  });
});

describe('people', () => {
  it('finds caregivers by mobile, home and work phone and merges them', async () => {
    fake.route = (req) => {
      const body = req.body as Record<string, string>;
      if (body.mobile_phone) return { status: 200, body: bundle([practitioner({ id: '1' })]) };
      if (body.home_phone) return { status: 200, body: bundle([practitioner({ id: '1' }), practitioner({ id: '2' })], { wrapped: true }) };
      return { status: 200, body: bundle([]) };
    };
    const { service } = serviceFor(fake);
    const found = await service.findCaregiversByPhone('+13035551234');
    expect(found.map((c) => c.id).sort()).toEqual(['1', '2']);
    const searches = fake.apiRequests();
    expect(searches.map((r) => r.path)).toEqual(['/v1/practitioners/_search/', '/v1/practitioners/_search/', '/v1/practitioners/_search/']);
    expect(searches.map((r) => r.body)).toEqual([{ mobile_phone: '3035551234' }, { home_phone: '3035551234' }, { work_phone: '3035551234' }]);
  });

  it('does not search for a phone that is not a US number', async () => {
    const { service } = serviceFor(fake);
    expect(await service.findCaregiversByPhone('+442071234567')).toEqual([]);
    expect(fake.apiRequests()).toHaveLength(0);
  });

  it('creates a lead as a Patient with isClient=false, status 1, referral source and notes', async () => {
    fake.route = () => ({ status: 201, body: { resourceType: 'Patient', id: '3000001' } });
    const { service } = serviceFor(fake);
    const { id } = await service.createLead({
      firstName: 'Ann',
      lastName: 'Lee',
      phone: '+13035559876',
      city: 'Denver',
      postalCode: '80202',
      referralSource: 'Hospital discharge planner',
      notes: 'Mother, 84, needs help mornings; private pay',
    });
    expect(id).toBe('3000001');
    const [req] = fake.apiRequests();
    expect(req.path).toBe('/v1/patients/');
    expect(req.body).toEqual({
      resourceType: 'Patient',
      active: true,
      name: [{ use: 'official', family: 'Lee', given: ['Ann'] }],
      telecom: [{ system: 'phone', value: '3035559876', use: 'mobile' }],
      address: [{ use: 'home', city: 'Denver', postalCode: '80202' }],
      meta: {
        tag: [
          { code: 'isClient', display: 'false' },
          { code: 'status', display: '1' },
          { code: 'referralSource', display: 'Hospital discharge planner' },
          { code: 'notes', display: 'Mother, 84, needs help mornings; private pay' },
          { code: 'agencyId', display: '1669' },
        ],
      },
    });
  });

  it('updates a patient with a full PUT that keeps what it did not change', async () => {
    fake.route = (req) => (req.method === 'GET' ? { status: 200, body: patient({ gender: 'male' }) } : { status: 200, body: {} });
    const { service } = serviceFor(fake);
    await service.updatePatient('2870130', { phone: '+17205550000', notes: 'prefers mornings' });
    const put = fake.apiRequests().find((r) => r.method === 'PUT')!;
    expect(put.path).toBe('/v1/patients/2870130/');
    expect(put.body).toMatchObject({
      id: '2870130',
      gender: 'male',
      name: [{ use: 'official', family: 'Smith', given: ['Robert'] }],
      telecom: [{ system: 'phone', value: '7205550000', use: 'mobile' }, { system: 'phone', value: '3035550142', use: 'home' }],
    });
    expect((put.body as { meta: { tag: unknown[] } }).meta.tag).toEqual([
      { code: 'isClient', display: 'true' },
      { code: 'status', display: 'None' },
      { code: 'notes', display: 'prefers mornings' },
      { code: 'agencyId', display: '1669' },
    ]);
  });

  it("reads a client's contacts and creates one linked to the client", async () => {
    fake.route = (req) =>
      req.method === 'GET'
        ? {
            status: 200,
            body: bundle(
              [{ resourceType: 'RelatedPerson', id: '555', name: [{ family: 'Smith', given: ['Anna'] }], relationship: { coding: [{ code: 'DAU' }] }, telecom: [{ system: 'phone', value: '7205550123' }], primaryContact: true }],
              { wrapped: true },
            ),
          }
        : { status: 201, body: { id: 556 } };
    const { service } = serviceFor(fake);
    const contacts = await service.contactsOf('2870130');
    expect(contacts).toEqual([{ id: '555', clientId: '2870130', firstName: 'Anna', lastName: 'Smith', relationship: 'DAU', phones: ['+17205550123'], primaryContact: true, emergencyContact: false }]);
    expect(fake.apiRequests()[0].path).toBe('/v1/relatedperson/2870130/');
    const { id } = await service.createContact({ clientId: '2870130', firstName: 'Tom', lastName: 'Smith', relationship: 'SON', phone: '+17205550124' });
    expect(id).toBe('556');
    expect(fake.apiRequests()[1].body).toMatchObject({
      resourceType: 'RelatedPerson',
      patient: { reference: 'Patient/2870130' },
      relationship: { coding: [{ code: 'SON' }] },
      telecom: [{ system: 'phone', value: '7205550124', use: 'mobile' }],
    });
  });

  it('reads "no contacts" as an empty list even when WellSky answers 404', async () => {
    fake.route = () => ({ status: 404 });
    const { service } = serviceFor(fake);
    expect(await service.contactsOf('2870130')).toEqual([]);
  });
});

describe('office work and the rest', () => {
  it('creates an AdminTask exactly like the field-verified example, cutting long text at 5000', async () => {
    fake.route = () => ({ status: 201, body: { id: 'T-1' } });
    const { service } = serviceFor(fake);
    const { id } = await service.createAdminTask({
      description: `COVERAGE NEEDED: ${'x'.repeat(6000)}`,
      executionDate: '2026-02-06',
      dueDate: '2026-02-06T23:59:59',
      requester: { resourceType: 'Patient', id: '2870130' },
    });
    expect(id).toBe('T-1');
    const [req] = fake.apiRequests();
    expect(req.path).toBe('/v1/adminTasks/');
    const body = req.body as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['description', 'dueDate', 'executionDate', 'meta', 'owner', 'requester', 'status']);
    expect(body).toMatchObject({
      status: 'received',
      executionDate: '2026-02-06',
      dueDate: '2026-02-06T23:59:59',
      requester: [{ resourceType: 'Patient', id: 2870130 }],
      owner: [],
      meta: { tag: [{ code: 'agencyId', display: '1669' }] },
    });
    expect((body.description as string).length).toBe(5000);
    expect(body.description).toMatch(/^COVERAGE NEEDED: x+…$/);
  });

  it('searches encounters by POST with YYYYMMDD dates and writes a shift note to the encounter', async () => {
    fake.route = (req) =>
      req.path === '/v1/encounter/_search/'
        ? { status: 200, body: bundle([{ resourceType: 'Encounter', id: 88, status: 'COMPLETED', appointment: { id: '109131818' }, period: { start: '2026-01-29T14:01:00+00:00', end: '2026-01-29T18:00:00+00:00' } }]) }
        : { status: 200, body: { success: true, taskLogId: 12118 } };
    const { service } = serviceFor(fake, { now: () => new Date('2026-01-29T19:00:00.123Z') });
    const encounters = await service.searchEncounters({ clientId: '2870130', startDate: '2026-01-29', endDate: '2026-01-29' });
    expect(encounters).toEqual([{ id: '88', appointmentId: '109131818', clientId: undefined, caregiverId: undefined, status: 'COMPLETED', start: '2026-01-29T14:01:00.000Z', end: '2026-01-29T18:00:00.000Z' }]);
    expect(fake.apiRequests()[0].body).toEqual({ clientId: '2870130', startDate: '20260129', endDate: '20260129' });
    // The vendor reference pages encounter search from 1.
    expect(fake.apiRequests()[0].query).toEqual({ _count: '100', _page: '1' });
    const { id } = await service.createTaskLog('88', { title: 'Care Alert', description: 'Client reported a fall 🚑' });
    expect(id).toBe('12118');
    const note = fake.apiRequests()[1];
    expect(note.path).toBe('/v1/encounter/88/tasklog/');
    expect(note.body).toEqual({ resourceType: 'TaskLog', status: 'COMPLETE', title: 'Care Alert', description: 'Client reported a fall ', recorded: '2026-01-29T19:00:00Z', show_in_family_room: false });
  });

  it('lists profile tags and subscriptions, and subscribes with a rest-hook', async () => {
    fake.route = (req) => {
      if (req.path === '/v1/profileTags/') return { status: 200, body: bundle([{ id: 45, name: 'Hoyer Lift', type: 'skill' }]) };
      if (req.method === 'GET') return { status: 200, body: [{ id: 's1', criteria: 'patient.created', channel: { type: 'rest-hook', endpoint: 'https://x/hook' } }] };
      return { status: 201, body: { id: 's2' } };
    };
    const { service } = serviceFor(fake);
    expect(await service.listProfileTags()).toEqual([{ id: '45', name: 'Hoyer Lift', type: 'skill' }]);
    expect(await service.listSubscriptions()).toEqual([{ id: 's1', criteria: 'patient.created', endpoint: 'https://x/hook' }]);
    expect(await service.createSubscription({ criteria: 'practitioner.telecom.changed', endpoint: 'https://x/hook', secret: 'sekrit-sekrit-sekrit' })).toEqual({ id: 's2' });
    expect(fake.apiRequests()[2].path).toBe('/v1/subscriptions/');
    expect(fake.apiRequests()[2].body).toMatchObject({
      resourceType: 'Subscription',
      criteria: 'practitioner.telecom.changed',
      channel: { type: 'rest-hook', endpoint: 'https://x/hook', payload: 'application/fhir+json', header: ['Authorization: Bearer sekrit-sekrit-sekrit'] },
    });
  });

  it('pings with a token and one cheap read', async () => {
    const { service } = serviceFor(fake);
    await service.ping({ interactive: true });
    expect(fake.tokenRequests()).toHaveLength(1);
    expect(fake.apiRequests().map((r) => [r.path, r.query._count])).toEqual([['/v1/practitioners/', '1']]);
  });

  it('searches practitioners both ways the API offers', async () => {
    fake.route = () => ({ status: 200, body: bundle([practitioner()]) });
    const { service } = serviceFor(fake);
    await service.raw.searchPractitioners({ last_name: 'Lopez', active: true }, { via: 'GET', page: 2, count: 10 });
    await service.raw.searchPractitioners({ last_name: 'Lopez', active: true }, { via: 'POST' });
    const [get, post] = fake.apiRequests();
    expect([get.method, get.path, get.query]).toEqual(['GET', '/v1/practitioners/', { last_name: 'Lopez', active: 'true', _count: '10', _page: '2' }]);
    expect([post.method, post.path, post.query, post.body]).toEqual(['POST', '/v1/practitioners/_search/', { _count: '100', _page: '0' }, { last_name: 'Lopez', active: 'true' }]);
  });
});
