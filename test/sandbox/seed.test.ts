import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { DateTime } from 'luxon';
import { createSandbox, fixturePeople, FIXTURE_PEOPLE as F, generateSyntheticAgency, loadSeedFile, type SeedData } from '../../src/wellsky-sandbox';
import { bearer, resources, WEDNESDAY_10AM_DENVER, ZONE } from './helpers';

const tag = (r: { meta: { tag: { code: string; display: string }[] } }, code: string) => r.meta.tag.find((t) => t.code === code)?.display;
const phonesOf = (seed: SeedData) =>
  [...seed.practitioners, ...seed.patients, ...seed.relatedPersons].flatMap((r) => r.telecom.filter((t) => t.system === 'phone').map((t) => t.value));
const caregiverShifts = (seed: SeedData, id: string) => seed.appointments.filter((a) => a.caregiver?.id === id);

describe('the synthetic agency', () => {
  const seed = generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE });

  it('has at least 30 caregivers, most hired and active, some inactive, some applicants', () => {
    const hiredActive = seed.practitioners.filter((p) => p.active && tag(p, 'isHired') === 'true');
    expect(seed.practitioners.length).toBeGreaterThanOrEqual(30);
    expect(hiredActive.length).toBeGreaterThan(seed.practitioners.length * 0.7);
    expect(seed.practitioners.filter((p) => !p.active).length).toBeGreaterThanOrEqual(2);
    const applicants = seed.practitioners.filter((p) => tag(p, 'isHired') === 'false');
    expect(applicants.length).toBeGreaterThanOrEqual(2);
    for (const a of applicants) expect([10, 20, 30, 40, 50, 60, 70, 80, 90, 110]).toContain(Number(tag(a, 'status')));
  });

  it('has Spanish speakers, profile tags and several cities', () => {
    const spanish = seed.practitioners.filter((p) => p.communication?.some((c) => c.coding.some((x) => x.display === 'Spanish')));
    expect(spanish.length).toBeGreaterThanOrEqual(3);
    expect(new Set(seed.practitioners.map((p) => p.address?.[0]?.city)).size).toBeGreaterThanOrEqual(5);
    expect(seed.profileTags.map((t) => t.name)).toEqual(expect.arrayContaining(['Hoyer Lift', 'Dementia Care', 'CNA', 'Spanish']));
  });

  it('has 20 clients and a few prospects, some with status "None"', () => {
    const clients = seed.patients.filter((p) => p.active && tag(p, 'isClient') === 'true');
    const prospects = seed.patients.filter((p) => tag(p, 'isClient') === 'false');
    expect(clients).toHaveLength(20);
    expect(prospects.length).toBeGreaterThanOrEqual(2);
    expect(seed.patients.filter((p) => tag(p, 'status') === 'None').length).toBeGreaterThanOrEqual(3);
  });

  it('gives every client 1–3 contacts with exactly one primary', () => {
    for (const client of seed.patients.filter((p) => p.active && tag(p, 'isClient') === 'true')) {
      const contacts = seed.relatedPersons.filter((r) => r.patient.reference === `Patient/${client.id}`);
      expect(contacts.length).toBeGreaterThanOrEqual(1);
      expect(contacts.length).toBeLessThanOrEqual(3);
      expect(contacts.filter((c) => c.primaryContact)).toHaveLength(1);
    }
  });

  it('uses only fictional 555-01xx numbers, never the agency or staff numbers, and shares one only on purpose', () => {
    const phones = phonesOf(seed);
    for (const p of phones) expect(p).toMatch(/^[2-9]\d{2}5550[1]\d\d$/);
    for (const staff of ['3035550100', '3035550101', '3035550105']) expect(phones).not.toContain(staff);
    const counts = new Map<string, number>();
    for (const p of phones) counts.set(p, (counts.get(p) ?? 0) + 1);
    const shared = [...counts].filter(([, n]) => n > 1).map(([p]) => p).sort();
    expect(shared).toEqual([F.sharedPhoneCaregiver.phone, F.clientSharingLandline.phone].sort());
  });

  it('schedules shifts from two weeks back to two weeks ahead, with tomorrow covered', () => {
    const today = DateTime.fromJSDate(WEDNESDAY_10AM_DENVER, { zone: ZONE }).startOf('day');
    const days = seed.appointments.map((a) => Math.round(DateTime.fromISO(a.start).setZone(ZONE).startOf('day').diff(today, 'days').days));
    expect(Math.min(...days)).toBe(-14);
    expect(Math.max(...days)).toBe(14);
    expect(days.filter((d) => d === 1).length).toBeGreaterThan(5);
    expect(seed.appointments.every((a) => a.start.endsWith('+00:00') && a.end.endsWith('+00:00'))).toBe(true);
  });

  it('has open shifts in all three shapes, and completed past shifts with visits', () => {
    expect(seed.appointments.some((a) => !('caregiver' in a))).toBe(true);
    expect(seed.appointments.some((a) => a.caregiver === null)).toBe(true);
    expect(seed.appointments.some((a) => a.caregiver?.id === '')).toBe(true);
    expect(seed.appointments.filter((a) => a.status === 'COMPLETED').length).toBeGreaterThan(50);
    expect(seed.encounters!.length).toBeGreaterThan(50);
  });

  it('gives each client regular caregivers, so "worked for this client before" means something', () => {
    const client = seed.patients.find((p) => p.id === '2870110')!;
    const caregivers = seed.appointments.filter((a) => a.client.id === client.id && a.caregiver?.id).map((a) => a.caregiver!.id);
    const most = Math.max(...[...new Set(caregivers)].map((c) => caregivers.filter((x) => x === c).length));
    expect(most).toBeGreaterThan(caregivers.length / 3);
  });

  it('is the same for the same seed number and differs for another', () => {
    expect(generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE })).toEqual(seed);
    const other = generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE, seed: 7 });
    expect(other.practitioners.map((p) => p.name)).not.toEqual(seed.practitioners.map((p) => p.name));
    expect(fixturePeople(other)).toBe(F);
  });

  it('scales to 300 caregivers', () => {
    const big = generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE, caregivers: 300 });
    expect(big.practitioners).toHaveLength(300);
    expect(new Set(big.practitioners.map((p) => p.id)).size).toBe(300);
  });

  it('refuses an agency too small for its fixtures, naming the option', () => {
    expect(() => generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE, caregivers: 5 })).toThrow(/caregivers/);
  });
});

describe('the fixture people, whatever the time of day or season', () => {
  const moments = ['2026-02-04T17:00:00Z', '2026-07-15T06:10:00Z' /* 00:10 MDT */, '2026-03-08T05:30:00Z' /* 22:30 MST, DST starts that night */, '2026-11-01T04:30:00Z'];

  it.each(moments)('holds at %s', (iso) => {
    const now = new Date(iso);
    const seed = generateSyntheticAgency({ now, timezone: ZONE });
    const endOfTomorrow = DateTime.fromJSDate(now, { zone: ZONE }).plus({ days: 1 }).endOf('day').toMillis();
    const within = (id: string, untilMs: number) => caregiverShifts(seed, id).filter((a) => Date.parse(a.end) > now.getTime() && Date.parse(a.start) <= untilMs);

    expect(within(F.oneShiftCaregiver.id, now.getTime() + 36 * 3600_000)).toHaveLength(1);
    expect(within(F.threeShiftCaregiver.id, endOfTomorrow)).toHaveLength(3);
    const tomorrow = DateTime.fromJSDate(now, { zone: ZONE }).plus({ days: 1 }).toISODate();
    const rosaTomorrow = caregiverShifts(seed, F.spanishCaregiver.id).filter((a) => DateTime.fromISO(a.start).setZone(ZONE).toISODate() === tomorrow);
    expect(rosaTomorrow).toHaveLength(1);

    const luis = caregiverShifts(seed, F.doubleBookedCaregiver.id).filter((a) => Date.parse(a.start) > now.getTime());
    const overlapping = luis.some((a) => luis.some((b) => a !== b && Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end)));
    expect(overlapping).toBe(true);
  });

  it('are who docs/sandbox.md says', () => {
    const seed = generateSyntheticAgency({ now: WEDNESDAY_10AM_DENVER, timezone: ZONE });
    const rosa = seed.practitioners.find((p) => p.id === F.spanishCaregiver.id)!;
    expect(rosa.communication?.[0].coding[0].display).toBe('Spanish');
    expect(rosa.telecom[0].value).toBe(F.spanishCaregiver.phone);
    const tanyaAsDaughter = seed.relatedPersons.find((r) => r.id === F.caregiverAsDaughterContact.id)!;
    expect(tanyaAsDaughter.relationship.coding[0].code).toBe('DAU');
    expect(tanyaAsDaughter.telecom[0].value).toBe(F.sharedPhoneCaregiver.phone);
    const prospect = seed.patients.find((p) => p.id === F.prospect.id)!;
    expect(tag(prospect, 'isClient')).toBe('false');
    expect(tag(prospect, 'status')).toBe('1');
  });
});

describe('seed files', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-seed-'));
  const write = (name: string, data: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
    return file;
  };
  const example = () => JSON.parse(fs.readFileSync(path.join(__dirname, '../../src/wellsky-sandbox/seed.example.json'), 'utf8'));

  it('loads the documented example and serves it', async () => {
    const seed = loadSeedFile(path.join(__dirname, '../../src/wellsky-sandbox/seed.example.json'));
    const sb = createSandbox({ seed, now: () => WEDNESDAY_10AM_DENVER });
    const auth = await bearer(sb);
    const res = await request(sb.app).get('/v1/appointment/?clientId=3900001&monthNo=202603').set('Authorization', auth);
    expect(resources(res.body).map((a) => a.id)).toEqual(['119000001', '119000002']);
  });

  it('names the field of a bad phone', () => {
    const data = example();
    data.practitioners[1].telecom[0].value = '+17205550191';
    expect(() => loadSeedFile(write('phone.json', data))).toThrow(/practitioners\[1\]\.telecom\[0\]\.value: must be 10 digits/);
  });

  it('names a missing field', () => {
    const data = example();
    delete data.patients[0].meta;
    expect(() => loadSeedFile(write('meta.json', data))).toThrow(/patients\[0\]\.meta/);
  });

  it('names an appointment whose client does not exist', () => {
    const data = example();
    data.appointments[0].client.id = '123';
    expect(() => loadSeedFile(write('client.json', data))).toThrow(/appointments\[0\]\.client\.id: no patient has id 123/);
  });

  it('names an unknown top-level key and a file that is not JSON', () => {
    expect(() => loadSeedFile(write('extra.json', { ...example(), caregivers: [] }))).toThrow(/caregivers/);
    expect(() => loadSeedFile(write('broken.json', '{ nope'))).toThrow(/not JSON/);
  });
});
