import request from 'supertest';
import { DateTime } from 'luxon';
import { createSandbox, FIXTURE_PEOPLE as F, FIXTURE_SHIFTS as S } from '../../src/wellsky-sandbox';
import { agencyTag, bearer, resources, WEDNESDAY_10AM_DENVER, ZONE } from './helpers';

// Now: Wednesday 4 February 2026, 10:00 in Denver (UTC-7). Tomorrow is 20260205.
const sb = createSandbox({ now: () => WEDNESDAY_10AM_DENVER });
let auth: string;
beforeEach(async () => {
  sb.reset();
  auth = await bearer(sb);
});
const get = (path: string) => request(sb.app).get(path).set('Authorization', auth);
const search = async (query: string) => {
  const res = await get(`/v1/appointment/?${query}&_count=100`);
  expect(res.status).toBe(200);
  return resources(res.body);
};

describe('appointment search parameters', () => {
  it.each([
    ['no caregiverId or clientId', 'startDate=20260205'],
    ['no window', `caregiverId=${F.threeShiftCaregiver.id}`],
    ['a dashed date', `caregiverId=${F.threeShiftCaregiver.id}&startDate=2026-02-05`],
    ['an impossible date', `caregiverId=${F.threeShiftCaregiver.id}&startDate=20260230`],
    ['additionalDays above 6', `caregiverId=${F.threeShiftCaregiver.id}&startDate=20260205&additionalDays=7`],
    ['a week 54', `caregiverId=${F.threeShiftCaregiver.id}&weekNo=202654`],
    ['a month 13', `caregiverId=${F.threeShiftCaregiver.id}&monthNo=202613`],
  ])('refuses %s with 400', async (_what, query) => {
    expect((await get(`/v1/appointment/?${query}`)).status).toBe(400);
  });

  it('has no agency-wide search on the plural path', async () => {
    expect((await get('/v1/appointments/?clientId=2870101&startDate=20260205')).status).toBe(403);
  });

  it("returns a caregiver's shifts of one agency-local day, times in UTC with +00:00", async () => {
    const shifts = await search(`caregiverId=${F.threeShiftCaregiver.id}&startDate=20260205`);
    expect(shifts.map((s) => s.id)).toEqual([...S.kevinTomorrow]);
    expect(shifts.map((s) => s.start)).toEqual(['2026-02-05T14:00:00+00:00', '2026-02-05T18:00:00+00:00', '2026-02-05T22:00:00+00:00']);
  });

  it('counts a shift by its agency-local day, not its UTC date', async () => {
    // Saturday 7 February 18:00 in Denver is Sunday 01:00 UTC.
    const saturday = await search(`clientId=${F.clientSharingLandline.id}&startDate=20260207`);
    expect(saturday.map((s) => s.id)).toContain(S.openShiftNullCaregiver);
    const sunday = await search(`clientId=${F.clientSharingLandline.id}&startDate=20260208`);
    expect(sunday.map((s) => s.id)).not.toContain(S.openShiftNullCaregiver);
  });

  it('adds additionalDays to the window', async () => {
    const one = await search(`caregiverId=${F.spanishCaregiver.id}&startDate=20260205`);
    const seven = await search(`caregiverId=${F.spanishCaregiver.id}&startDate=20260205&additionalDays=6`);
    expect(one).toHaveLength(1);
    expect(seven).toHaveLength(7);
  });

  it('takes an ISO week, Monday to Sunday in the agency zone', async () => {
    const week = await search(`caregiverId=${F.spanishCaregiver.id}&weekNo=202606`);
    const days = week.map((s) => DateTime.fromISO(s.start as string).setZone(ZONE).toISODate());
    expect(days).toEqual(['2026-02-02', '2026-02-03', '2026-02-04', '2026-02-05', '2026-02-06', '2026-02-07', '2026-02-08']);
  });

  it('takes a month', async () => {
    const month = await search(`caregiverId=${F.spanishCaregiver.id}&monthNo=202602`);
    // Seeded from 14 days back to 14 days ahead: 1–18 February of this month.
    expect(month).toHaveLength(18);
    expect(month.every((s) => (s.start as string).startsWith('2026-02'))).toBe(true);
  });

  it('takes a POST _search body of strings', async () => {
    const res = await request(sb.app).post('/v1/appointment/_search/').set('Authorization', auth).send({ caregiverId: F.oneShiftCaregiver.id, startDate: '20260205' });
    expect(resources(res.body).map((s) => s.id)).toEqual([S.danaTomorrow]);
    const refused = await request(sb.app).post('/v1/appointment/_search/').set('Authorization', auth).send({ caregiverId: Number(F.oneShiftCaregiver.id), startDate: '20260205' });
    expect(refused.status).toBe(400);
  });
});

describe('open shifts', () => {
  it('are served in the field shape by default: {"id":""} with status SCHEDULED', async () => {
    for (const id of [S.openShiftMissingCaregiver, S.openShiftNullCaregiver, S.openShiftEmptyCaregiver]) {
      const shift = (await get(`/v1/appointment/${id}/`)).body;
      expect(shift.caregiver).toEqual({ id: '' });
      expect(shift.status).not.toBe('OPEN');
    }
  });

  it('can be served in each shape: caregiver missing, null, or {"id":""}', async () => {
    sb.configure({ openShiftShape: 'missing' });
    const missing = (await get(`/v1/appointment/${S.openShiftEmptyCaregiver}/`)).body;
    expect('caregiver' in missing).toBe(false);
    sb.configure({ openShiftShape: 'null' });
    expect((await get(`/v1/appointment/${S.openShiftEmptyCaregiver}/`)).body.caregiver).toBeNull();
    sb.configure({ openShiftShape: 'empty-id' });
    expect((await get(`/v1/appointment/${S.openShiftMissingCaregiver}/`)).body.caregiver).toEqual({ id: '' });
  });

  it('come as seeded in all three shapes with openShiftShape "as-stored"', async () => {
    sb.configure({ openShiftShape: 'as-stored' });
    const missing = (await get(`/v1/appointment/${S.openShiftMissingCaregiver}/`)).body;
    const nul = (await get(`/v1/appointment/${S.openShiftNullCaregiver}/`)).body;
    const empty = (await get(`/v1/appointment/${S.openShiftEmptyCaregiver}/`)).body;
    expect('caregiver' in missing).toBe(false);
    expect(nul.caregiver).toBeNull();
    expect(empty.caregiver).toEqual({ id: '' });
  });

  it("appear in the client's search and in no caregiver's", async () => {
    const harold = await search(`clientId=${F.clientWithDaughter.id}&startDate=20260206`);
    expect(harold.map((s) => s.id)).toContain(S.openShiftMissingCaregiver);
    const kevin = await search(`caregiverId=${F.threeShiftCaregiver.id}&startDate=20260206`);
    expect(kevin.map((s) => s.id)).not.toContain(S.openShiftMissingCaregiver);
  });
});

describe('PUT appointment', () => {
  async function assignment(caregiverId: string) {
    const shift = (await get(`/v1/appointment/${S.openShiftMissingCaregiver}/`)).body;
    return { ...shift, status: 'SCHEDULED', caregiver: { id: caregiverId }, meta: agencyTag() };
  }

  it('replaces the shift when the key may PUT, and the caregiver then finds it', async () => {
    const res = await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send(await assignment(F.spanishCaregiver.id));
    expect(res.status).toBe(200);
    const rosa = await search(`caregiverId=${F.spanishCaregiver.id}&startDate=20260206`);
    expect(rosa.map((s) => s.id)).toContain(S.openShiftMissingCaregiver);
  });

  it('refuses the PUT with 403 when the key may not, and leaves the shift open', async () => {
    sb.configure({ allowAppointmentPut: false });
    const res = await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send(await assignment(F.spanishCaregiver.id));
    expect(res.status).toBe(403);
    expect((await get(`/v1/appointment/${S.openShiftMissingCaregiver}/`)).body.caregiver).toEqual({ id: '' });
  });

  it('refuses a partial body: PUT is a full replacement', async () => {
    const res = await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send({ caregiver: { id: F.spanishCaregiver.id }, meta: agencyTag() });
    expect(res.status).toBe(422);
  });

  it('refuses a PUT without the agencyId tag, or naming a caregiver who does not exist', async () => {
    const body = await assignment(F.spanishCaregiver.id);
    delete body.meta;
    expect((await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send(body)).status).toBe(422);
    expect((await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send(await assignment('404404'))).status).toBe(422);
  });

  it('stores times given with an offset as UTC', async () => {
    const body = { ...(await assignment(F.spanishCaregiver.id)), start: '2026-02-06T09:00:00-07:00', end: '2026-02-06T13:00:00-07:00' };
    await request(sb.app).put(`/v1/appointment/${S.openShiftMissingCaregiver}/`).set('Authorization', auth).send(body).expect(200);
    expect((await get(`/v1/appointment/${S.openShiftMissingCaregiver}/`)).body.start).toBe('2026-02-06T16:00:00+00:00');
  });

  it('refuses the plural path for a detail too', async () => {
    expect((await get(`/v1/appointments/${S.openShiftMissingCaregiver}/`)).status).toBe(403);
  });
});
