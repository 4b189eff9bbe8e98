import request from 'supertest';
import { createSandbox, FIXTURE_PEOPLE as F, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { agencyTag, bearer, resources, WEDNESDAY_10AM_DENVER } from './helpers';

const sb = createSandbox({ now: () => WEDNESDAY_10AM_DENVER });
let auth: string;
beforeEach(async () => {
  sb.reset();
  auth = await bearer(sb);
});

const get = (path: string) => request(sb.app).get(path).set('Authorization', auth);
const post = (path: string, body: unknown) => request(sb.app).post(path).set('Authorization', auth).set('Content-Type', 'application/fhir+json').send(JSON.stringify(body));
const put = (path: string, body: unknown) => request(sb.app).put(path).set('Authorization', auth).send(body as object);

function newPatient(overrides: Record<string, unknown> = {}) {
  return {
    resourceType: 'Patient',
    active: true,
    name: [{ use: 'official', family: 'Testcase', given: ['Nora'] }],
    telecom: [{ system: 'phone', value: '7205550198', use: 'mobile' }],
    address: [{ use: 'home', city: 'Arvada', state: 'CO', postalCode: '80004' }],
    meta: { tag: [{ code: 'isClient', display: 'false' }, { code: 'status', display: '1' }, { code: 'agencyId', display: '1669' }] },
    ...overrides,
  };
}

describe('phones', () => {
  it.each(['+13035550111', '303-555-0111', '13035550111', '0305550111', '1305550111', '303555011'])('refuses the search phone %s with 400', async (phone) => {
    const res = await get(`/v1/practitioners/?mobile_phone=${encodeURIComponent(phone)}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'Invalid phone number format. Must be 10 digits.' });
  });

  it('finds a caregiver by a 10-digit mobile phone', async () => {
    const res = await get(`/v1/practitioners/?mobile_phone=${F.spanishCaregiver.phone}`);
    expect(res.status).toBe(200);
    expect(resources(res.body).map((r) => r.id)).toEqual([F.spanishCaregiver.id]);
  });

  it('accepts a work phone with an extension but not a mobile with one', async () => {
    expect((await post('/v1/patients/', newPatient({ telecom: [{ system: 'phone', value: '3035550197x123', use: 'work' }] }))).status).toBe(201);
    expect((await post('/v1/patients/', newPatient({ telecom: [{ system: 'phone', value: '3035550197x123', use: 'mobile' }] }))).status).toBe(400);
    expect((await post('/v1/patients/', newPatient({ telecom: [{ system: 'phone', value: '3035550197x1234567', use: 'work' }] }))).status).toBe(400);
  });

  it('refuses an E.164 phone in a written telecom with 400', async () => {
    const res = await post('/v1/patients/', newPatient({ telecom: [{ system: 'phone', value: '+17205550198', use: 'mobile' }] }));
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Invalid phone number format. Must be 10 digits.');
  });
});

describe('writes', () => {
  it('refuses text outside the Basic Multilingual Plane (emoji) with 422', async () => {
    const res = await post('/v1/patients/', newPatient({ name: [{ family: 'Testcase', given: ['Nora 😊'] }] }));
    expect(res.status).toBe(422);
    const task = await post('/v1/adminTasks/', { status: 'received', description: 'Call back 🙏', meta: agencyTag() });
    expect(task.status).toBe(422);
    expect(sb.state.adminTasks).toHaveLength(0);
  });

  it('accepts accented text inside the BMP', async () => {
    expect((await post('/v1/patients/', newPatient({ name: [{ family: 'Muñoz', given: ['José'] }] }))).status).toBe(201);
  });

  it.each([
    ['patients/', () => newPatient({ meta: { tag: [{ code: 'isClient', display: 'false' }] } })],
    ['adminTasks/', () => ({ status: 'received', description: 'Assign shift' })],
    ['relatedperson/', () => ({ patient: { reference: `Patient/${F.spanishClient.id}` }, name: [{ family: 'X', given: ['Y'] }], relationship: { coding: [{ code: 'SON' }] }, telecom: [] })],
  ])('refuses a write to %s without the agencyId meta tag with 422', async (path, body) => {
    expect((await post(`/v1/${path}`, body())).status).toBe(422);
  });

  it('refuses a write tagged with another agency id', async () => {
    expect((await post('/v1/adminTasks/', { description: 'x', meta: agencyTag('9999') })).status).toBe(422);
  });

  it('answers a patient create with resourceType and id only, and the patient reads back', async () => {
    const res = await post('/v1/patients/', newPatient());
    expect(res.status).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['id', 'resourceType']);
    expect(res.body.resourceType).toBe('Patient');
    const back = await get(`/v1/patients/${res.body.id as string}/`);
    expect(back.body.name[0].family).toBe('Testcase');
    expect(back.body.meta.tag).toContainEqual({ code: 'isClient', display: 'false' });
  });

  it('stores an AdminTask and answers its id', async () => {
    const res = await post('/v1/adminTasks/', {
      status: 'received', description: 'COVERAGE NEEDED: Friday 8am', executionDate: '2026-02-06', dueDate: '2026-02-06T23:59:59',
      requester: [{ resourceType: 'Patient', id: 2870101 }], owner: [], meta: agencyTag(),
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String) });
    expect(sb.state.adminTasks.map((t) => t.id)).toEqual([res.body.id]);
  });

  it('refuses an AdminTask description over 5000 characters', async () => {
    expect((await post('/v1/adminTasks/', { description: 'x'.repeat(5001), meta: agencyTag() })).status).toBe(422);
  });

  it('replaces a practitioner on PUT and keeps the id from the path', async () => {
    const before = (await get(`/v1/practitioners/${F.applicant.id}/`)).body;
    const res = await put(`/v1/practitioners/${F.applicant.id}/`, { ...before, id: 'ignored', active: false });
    expect(res.status).toBe(200);
    expect((await get(`/v1/practitioners/${F.applicant.id}/`)).body.active).toBe(false);
  });
});

describe('bundles and paging', () => {
  async function pageThrough(path: string, count: number): Promise<{ ids: string[]; totals: number[]; shapes: string[] }> {
    const ids: string[] = [];
    const totals: number[] = [];
    const shapes: string[] = [];
    for (let page = 0; page < 50; page++) {
      const res = await get(`${path}${path.includes('?') ? '&' : '?'}_count=${count}&_page=${page}`);
      expect(res.status).toBe(200);
      expect(res.body.resourceType).toBe('Bundle');
      expect(res.body.type).toBe('searchset');
      totals.push(res.body.totalRecords ?? res.body.total);
      shapes.push(...(res.body.entry as Record<string, unknown>[]).map((e) => ('resource' in e ? 'wrapped' : 'bare')));
      const batch = resources(res.body).map((r) => r.id as string);
      ids.push(...batch);
      if (batch.length < count) break;
    }
    return { ids, totals, shapes };
  }

  it('pages 0-based with totalRecords and wrapped entries by default', async () => {
    const first = await get('/v1/practitioners/?_count=10');
    expect(first.body.totalRecords).toBe(sb.state.practitioners.length);
    expect(first.body.total).toBeUndefined();
    expect(first.body.entry[0].resource.resourceType).toBe('Practitioner');
    const { ids } = await pageThrough('/v1/practitioners/', 10);
    expect(ids).toHaveLength(sb.state.practitioners.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toBe(sb.state.practitioners[0].id);
  });

  it('uses `total` and bare entries when configured so', async () => {
    sb.configure({ countField: 'total', entryShape: 'bare' });
    const res = await get('/v1/patients/?_count=5&_page=1');
    expect(res.body.total).toBe(sb.state.patients.length);
    expect(res.body.totalRecords).toBeUndefined();
    expect(res.body.entry[0].resourceType).toBe('Patient');
    expect(res.body.entry[0].id).toBe(sb.state.patients[5].id);
  });

  it('alternates count field and entry shape response by response, and paging still finds everyone', async () => {
    sb.configure({ countField: 'alternate', entryShape: 'alternate' });
    const a = await get('/v1/patients/?_count=3');
    const b = await get('/v1/patients/?_count=3');
    expect('totalRecords' in a.body && 'total' in b.body).toBe(true);
    expect('resource' in a.body.entry[0]).not.toBe('resource' in b.body.entry[0]);
    const { ids, shapes } = await pageThrough('/v1/patients/', 7);
    expect(ids).toHaveLength(sb.state.patients.length);
    expect(new Set(shapes)).toEqual(new Set(['bare', 'wrapped']));
  });

  it.each(['0', '101', 'abc', '-1'])('refuses _count=%s with 400', async (count) => {
    expect((await get(`/v1/practitioners/?_count=${count}`)).status).toBe(400);
  });

  it('answers an empty page past the end', async () => {
    const res = await get('/v1/practitioners/?_count=100&_page=5');
    expect(res.body.entry).toEqual([]);
    expect(res.body.totalRecords).toBe(sb.state.practitioners.length);
  });

  it('hides most records when agencyId is sent as a query parameter (field trap)', async () => {
    const all = (await get('/v1/practitioners/?_count=100')).body.totalRecords as number;
    const trapped = (await get('/v1/practitioners/?_count=100&agencyId=1669')).body.totalRecords as number;
    expect(trapped).toBeLessThan(all / 2);
  });
});

describe('practitioner and patient searches', () => {
  it('takes a POST _search body of strings, and refuses a boolean', async () => {
    const ok = await post('/v1/practitioners/_search/?_count=100', { active: 'true', is_hired: 'true', city: 'Lakewood' });
    expect(ok.status).toBe(200);
    const found = resources(ok.body);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.active === true && (p.address as { city: string }[])[0].city === 'Lakewood')).toBe(true);
    expect((await post('/v1/practitioners/_search/', { active: true })).status).toBe(400);
  });

  it('filters by profile tags (all of them)', async () => {
    const res = await get('/v1/practitioners/?tags=41,51&_count=100');
    const ids = resources(res.body).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([F.oneShiftCaregiver.id]));
    expect(ids).not.toContain(F.threeShiftCaregiver.id); // Hoyer lift but HHA, not CNA
  });

  it('finds applicants with is_hired=false', async () => {
    const res = await get('/v1/practitioners/?is_hired=false&_count=100');
    expect(resources(res.body).map((r) => r.id)).toContain(F.applicant.id);
  });

  it('returns nothing for patients active=true (field trap), but lists them all when paging without it', async () => {
    const trapped = await get('/v1/patients/?active=true');
    expect(trapped.status).toBe(200);
    expect(trapped.body.entry).toEqual([]);
    const all = await get('/v1/patients/?_count=100');
    expect(all.body.totalRecords).toBe(sb.state.patients.length);
  });

  it('finds patients by last_name:contains and by home phone', async () => {
    const part = await get('/v1/patients/?last_name:contains=isch');
    expect(resources(part.body).map((r) => r.id)).toContain(F.clientWithDaughter.id);
    const byPhone = await post('/v1/patients/_search/', { home_phone: F.clientWithDaughter.phone });
    expect(resources(byPhone.body).map((r) => r.id)).toEqual([F.clientWithDaughter.id]);
  });

  it('lists profile tags with their names and types', async () => {
    const res = await get('/v1/profileTags/?_count=100');
    expect(resources(res.body)).toContainEqual({ id: '41', name: 'Hoyer Lift', type: 'skill' });
    expect(new Set(resources(res.body).map((t) => t.type))).toEqual(new Set(['skill', 'certification', 'language', 'condition', 'diagnosis']));
    expect(resources(res.body)).toContainEqual({ id: '42', name: 'Dementia Care', type: 'condition' });
  });

  it('serves referral sources', async () => {
    expect(resources((await get('/v1/referralsource/')).body).length).toBeGreaterThan(0);
  });
});

describe('related persons', () => {
  it("returns a client's contacts as a bundle of wrapped entries, even when bundles are configured bare", async () => {
    sb.configure({ entryShape: 'bare' });
    const res = await get(`/v1/relatedperson/${F.clientWithDaughter.id}/`);
    expect(res.status).toBe(200);
    const linda = res.body.entry.map((e: { resource: Record<string, unknown> }) => e.resource).find((r: { id: string }) => r.id === F.daughterContact.id);
    expect(linda.relationship.coding[0].code).toBe('DAU');
    expect(linda.telecom[0].value).toBe(F.daughterContact.phone);
    expect(linda.primaryContact).toBe(true);
    expect(linda.emergencyContact).toBe(true);
  });

  it('creates a contact for Patient/{id} and lists it', async () => {
    const res = await post('/v1/relatedperson/', {
      patient: { reference: `Patient/${F.spanishClient.id}` }, name: [{ family: 'Ruiz', given: ['Elena'] }],
      relationship: { coding: [{ code: 'DAU' }] }, telecom: [{ system: 'phone', value: '9705550199', use: 'mobile' }],
      primaryContact: false, emergencyContact: true, meta: agencyTag(),
    });
    expect(res.status).toBe(201);
    const list = await get(`/v1/relatedperson/${F.spanishClient.id}/`);
    expect(resources(list.body).map((r) => r.id)).toContain(res.body.id);
  });

  it('refuses a bare patient id as the reference', async () => {
    const res = await post('/v1/relatedperson/', {
      patient: { reference: F.spanishClient.id }, name: [{ family: 'Ruiz' }], relationship: { coding: [{ code: 'DAU' }] }, telecom: [], meta: agencyTag(),
    });
    expect(res.status).toBe(422);
  });
});

describe('encounters and shift notes', () => {
  const shift = FIXTURE_SHIFTS.rosaTomorrow;

  it('clocks in idempotently, clocks out, and takes a TaskLog on the encounter id', async () => {
    const a = await post(`/v1/encounter/${shift}/clockin/`, {});
    const b = await post(`/v1/encounter/${shift}/clockin/`, {});
    expect(a.status).toBe(200);
    expect(a.body).toEqual({ id: expect.any(Number), status: 'IN_PROGRESS', success: true });
    expect(b.body.id).toBe(a.body.id);

    const note = await post(`/v1/encounter/${a.body.id as number}/tasklog/`, {
      resourceType: 'TaskLog', status: 'COMPLETE', title: 'Care Alert', description: 'Client declined lunch', recorded: '2026-02-05T16:00:00Z', show_in_family_room: false,
    });
    expect(note.status).toBe(200);
    expect(note.body).toEqual({ success: true, taskLogId: expect.any(Number) });

    const out = await request(sb.app).put(`/v1/encounter/${a.body.id as number}/clockout/`).set('Authorization', auth).send({ period: { end: '2026-02-05T19:00:00' }, generalComment: 'All good' });
    expect(out.status).toBe(200);
    expect(sb.state.encounters.find((e) => e.id === String(a.body.id))?.period.end).toBe('2026-02-05T19:00:00+00:00');
  });

  it('answers 404 to a TaskLog posted on an appointment id instead of an encounter id', async () => {
    expect((await post(`/v1/encounter/${shift}/tasklog/`, { title: 'x', description: 'y' })).status).toBe(404);
  });

  it('refuses a clock-out without period.end with 422', async () => {
    const a = await post(`/v1/encounter/${shift}/clockin/`, {});
    expect((await request(sb.app).put(`/v1/encounter/${a.body.id as number}/clockout/`).set('Authorization', auth).send({})).status).toBe(422);
  });

  it("searches a caregiver's past visits by date range", async () => {
    const res = await post('/v1/encounter/_search/?_count=100', { caregiverId: F.spanishCaregiver.id, startDate: '20260128', endDate: '20260203' });
    expect(res.status).toBe(200);
    expect(resources(res.body)).toHaveLength(7); // Rosa works Carmen's mornings every day
    expect((await post('/v1/encounter/_search/', { startDate: '20260128' })).status).toBe(400);
  });
});

describe('quirk switches', () => {
  it('refuses an unknown or misspelt setting and changes nothing', async () => {
    const before = sb.config();
    expect(() => sb.configure({ timeFormt: 'local' } as never)).toThrow(/unknown sandbox setting timeFormt/);
    expect(() => sb.configure({ timeFormat: 'eastern' } as never)).toThrow(/timeFormat must be one of utc, local/);
    expect(sb.config()).toEqual(before);
    const admin = await request(sb.app).post('/_sandbox/config').send({ openShiftShape: 'nothing' });
    expect(admin.status).toBe(400);
    const ok = await request(sb.app).post('/_sandbox/config').send({ openShiftShape: 'null' });
    expect(ok.body.openShiftShape).toBe('null');
  });

  it('answers a PUT of a partial patient by replacing it, or by merging it, as switched', async () => {
    const id = (await post('/v1/patients/', newPatient())).body.id as string;
    const partial = { resourceType: 'Patient', name: [{ use: 'official', family: 'Testcase', given: ['Nora'] }], meta: newPatient().meta };
    sb.configure({ patientPut: 'merge' });
    await put(`/v1/patients/${id}/`, partial);
    expect((await get(`/v1/patients/${id}/`)).body.address[0].city).toBe('Arvada');
    sb.configure({ patientPut: 'replace' });
    await put(`/v1/patients/${id}/`, partial);
    const replaced = (await get(`/v1/patients/${id}/`)).body;
    expect(replaced.address).toBeUndefined();
    expect(replaced.telecom).toEqual([]);
  });

  it('finds a patient by work_phone', async () => {
    const id = (await post('/v1/patients/', newPatient({ telecom: [{ system: 'phone', value: '3035550177', use: 'work' }] }))).body.id as string;
    expect(resources((await get('/v1/patients/?work_phone=3035550177')).body).map((p) => p.id)).toEqual([id]);
    expect(resources((await get('/v1/patients/?mobile_phone=3035550177')).body)).toEqual([]);
  });

  it('spells a finished visit COMPLETE by default and COMPLETED when switched', async () => {
    const done = sb.state.encounters.find((e) => e.status === 'COMPLETED');
    expect(done).toBeDefined();
    expect((await get(`/v1/encounter/${done!.id}/`)).body.status).toBe('COMPLETE');
    sb.configure({ encounterStatus: 'COMPLETED' });
    expect((await get(`/v1/encounter/${done!.id}/`)).body.status).toBe('COMPLETED');
  });

  it('pages profile tags from 1 by default, and from 0 when switched', async () => {
    const all = sb.state.profileTags.length;
    expect(resources((await get('/v1/profileTags/?_page=1')).body)).toHaveLength(Math.min(all, 100));
    sb.configure({ encounterPaging: 'zero-based' });
    expect(resources((await get('/v1/profileTags/?_page=1')).body)).toHaveLength(Math.max(0, all - 100));
  });

  it('writes shift times as naive agency wall-clock when switched to local times', async () => {
    const shift = sb.state.appointments[0];
    sb.configure({ timeFormat: 'local' });
    const local = (await get(`/v1/appointment/${shift.id}/`)).body;
    expect(local.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(local.start).not.toBe(shift.start);
  });
});
