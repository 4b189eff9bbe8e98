/**
 * A synthetic home-care agency, generated relative to `now` in the agency's time zone, the same
 * for the same seed number: caregivers and applicants, clients and prospects, family contacts,
 * and four weeks of shifts (two back, two ahead) with regular caregivers per client, open shifts
 * in all three shapes, and a few overlaps. The fixture people (./fixtures.ts) come first with
 * fixed ids; the rest is drawn at random. No real person's data: names are combined at random,
 * phones are 555-01xx.
 */
import { DateTime } from 'luxon';
import type { Appointment, ContactPoint, Encounter, Patient, Practitioner, RelatedPerson, SeedData } from '../resources';
import { wellskyUtc } from '../calendar';
import { FIXTURE_PEOPLE as F, FIXTURE_SHIFTS as S } from './fixtures';
import {
  AREA_CODES, CITIES, FEMALE_FIRST, LAST, MALE_FIRST, PROFILE_TAGS, REFERRAL_SOURCES, RELATIONSHIPS, RESERVED_PHONES,
  SCHEDULED_ITEMS, SKILL_TAGS, SPANISH_LAST, STREETS, type City,
} from './names';

export interface SyntheticAgencyOptions {
  now: Date;
  timezone: string;
  caregivers?: number;
  clients?: number;
  seed?: number;
}

const AGENCY_ID = '1669';
const DAYS_BACK = 14;
const DAYS_AHEAD = 14;
const FIXTURE_CAREGIVERS = 7;
const FIXTURE_CLIENTS = 4;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
class Random {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
  sample<T>(items: readonly T[], k: number): T[] {
    return this.shuffle([...items]).slice(0, k);
  }
}

/** Fictional numbers, none used twice unless a fixture shares one on purpose. */
class PhoneBook {
  private pool: string[];
  constructor(rng: Random, fixed: Set<string>) {
    const range = (area: string) =>
      Array.from({ length: 100 }, (_, i) => `${area}5550${100 + i}`).filter((p) => !RESERVED_PHONES.has(p) && !fixed.has(p));
    const colorado = rng.shuffle(AREA_CODES.slice(0, 3).flatMap(range));
    const overflow = rng.shuffle(AREA_CODES.slice(3).flatMap(range));
    this.pool = [...colorado, ...overflow];
  }
  take(): string {
    const phone = this.pool.shift();
    if (!phone) throw new RangeError('The synthetic agency ran out of fictional 555-01xx phone numbers: ask for fewer caregivers or clients');
    return phone;
  }
}

type OpenShape = 'missing' | 'null' | 'empty';

interface ShiftSpec {
  id?: string;
  day: number;
  start: string; // HH:MM, agency-local
  hours: number;
  clientId: string;
  caregiver: string | OpenShape;
  status?: string;
}

class AgencyBuilder {
  readonly practitioners: Practitioner[] = [];
  readonly patients: Patient[] = [];
  readonly relatedPersons: RelatedPerson[] = [];
  readonly appointments: Appointment[] = [];
  readonly encounters: Encounter[] = [];
  private readonly today: DateTime;
  private readonly nowMs: number;
  private readonly busy = new Map<string, [number, number][]>();
  private nextAppointment = 109100101;
  private nextEncounter = 88000001;
  private nextTask = 700001;

  constructor(
    readonly rng: Random,
    readonly phones: PhoneBook,
    now: Date,
    zone: string,
  ) {
    this.today = DateTime.fromJSDate(now, { zone }).startOf('day');
    this.nowMs = now.getTime();
  }

  address(city: City, zip?: string) {
    return [{ use: 'home', line: [`${this.rng.int(100, 9899)} ${this.rng.pick(STREETS)}`], city: city.name, state: 'CO', postalCode: zip ?? this.rng.pick(city.zips) }];
  }

  caregiver(o: {
    id: string; first: string; last: string; gender: string; city: City; mobile?: string; home?: string;
    languages: ('en' | 'es' | 'vi')[]; tags: string[]; active: boolean; hired: boolean; status: number;
  }): Practitioner {
    const telecom: ContactPoint[] = [];
    if (o.mobile) telecom.push({ system: 'phone', value: o.mobile, use: 'mobile' });
    if (o.home) telecom.push({ system: 'phone', value: o.home, use: 'home' });
    telecom.push({ system: 'email', value: `${o.first}.${o.last}.${o.id.slice(-3)}@example.com`.toLowerCase() });
    const p: Practitioner = {
      resourceType: 'Practitioner',
      id: o.id,
      active: o.active,
      name: [{ use: 'official', family: o.last, given: [o.first] }],
      telecom,
      address: this.address(o.city),
      gender: o.gender,
      communication: o.languages.map((code) => ({ coding: [{ code, display: LANGUAGE_NAMES[code] }] })),
      meta: {
        tag: [
          { code: 'isHired', display: String(o.hired) },
          { code: 'status', display: String(o.status) },
          { code: 'profileTags', display: o.tags.join(',') },
          { code: 'agencyId', display: AGENCY_ID },
        ],
      },
    };
    this.practitioners.push(p);
    return p;
  }

  patient(o: {
    id: string; first: string; last: string; gender: string; city: City; home?: string; mobile?: string;
    languages: ('en' | 'es' | 'vi')[]; isClient: boolean; status: string; active?: boolean; needs?: string[]; referralSource?: string;
  }): Patient {
    const telecom: ContactPoint[] = [];
    if (o.home) telecom.push({ system: 'phone', value: o.home, use: 'home' });
    if (o.mobile) telecom.push({ system: 'phone', value: o.mobile, use: 'mobile' });
    const tag = [
      { code: 'isClient', display: String(o.isClient) },
      { code: 'status', display: o.status },
      { code: 'agencyId', display: AGENCY_ID },
    ];
    if (o.referralSource) tag.push({ code: 'referralSource', display: o.referralSource });
    if (o.needs?.length) tag.push({ code: 'profileTags', display: o.needs.join(',') });
    const p: Patient = {
      resourceType: 'Patient',
      id: o.id,
      active: o.active ?? true,
      name: [{ use: 'official', family: o.last, given: [o.first] }],
      telecom,
      address: this.address(o.city),
      gender: o.gender,
      birthDate: `${this.rng.int(1928, 1956)}-${pad(this.rng.int(1, 12))}-${pad(this.rng.int(1, 28))}`,
      communication: o.languages.map((code) => ({ coding: [{ code, display: LANGUAGE_NAMES[code] }] })),
      meta: { tag },
    };
    this.patients.push(p);
    return p;
  }

  contact(o: { id: string; patientId: string; first: string; last: string; code: string; phone: string; use?: string; primary: boolean; emergency: boolean }): void {
    this.relatedPersons.push({
      resourceType: 'RelatedPerson',
      id: o.id,
      patient: { reference: `Patient/${o.patientId}` },
      name: [{ use: 'official', family: o.last, given: [o.first] }],
      relationship: { coding: [{ code: o.code, display: RELATIONSHIPS[o.code] }] },
      telecom: [{ system: 'phone', value: o.phone, use: o.use ?? 'mobile' }],
      primaryContact: o.primary,
      emergencyContact: o.emergency,
      payer: false,
      poa: o.primary && o.code !== 'FRND',
    });
  }

  interval(day: number, start: string, hours: number): [DateTime, DateTime] {
    const [h, m] = start.split(':').map(Number);
    const s = this.today.plus({ days: day }).set({ hour: h, minute: m, second: 0, millisecond: 0 });
    return [s, s.plus({ hours })];
  }

  isFree(caregiverId: string, s: DateTime, e: DateTime): boolean {
    return !(this.busy.get(caregiverId) ?? []).some(([bs, be]) => bs < e.toMillis() && s.toMillis() < be);
  }

  shift(spec: ShiftSpec, jitter = false): Appointment {
    const [s, e] = this.interval(spec.day, spec.start, spec.hours);
    const open = spec.caregiver === 'missing' || spec.caregiver === 'null' || spec.caregiver === 'empty';
    const status = spec.status ?? (open ? (spec.caregiver === 'missing' ? 'OPEN' : 'SCHEDULED') : this.statusAt(s, e));
    const client = this.patients.find((p) => p.id === spec.clientId)!;
    const city = CITIES.find((c) => c.name === client.address?.[0]?.city) ?? CITIES[0];
    const a: Appointment = { resourceType: 'Appointment', id: spec.id ?? String(this.nextAppointment++), status } as Appointment;
    if (spec.caregiver === 'null') a.caregiver = null;
    else if (spec.caregiver === 'empty') a.caregiver = { id: '' };
    else if (!open) a.caregiver = { id: spec.caregiver };
    a.client = { id: spec.clientId };
    a.start = wellskyUtc(s);
    a.end = wellskyUtc(e);
    a.position = { latitude: round4(city.latitude + (this.rng.next() - 0.5) / 50), longitude: round4(city.longitude + (this.rng.next() - 0.5) / 50) };
    const items = this.rng.sample(SCHEDULED_ITEMS, this.rng.int(1, 3));
    a.scheduledItems = items.map((name) => ({ id: String(3001 + SCHEDULED_ITEMS.indexOf(name)), name }));
    a.tasks = items.map((name) => ({ id: String(this.nextTask++), description: name, status: status === 'COMPLETED' ? 'COMPLETE' : 'NOT_COMPLETE' }));
    this.appointments.push(a);
    if (!open) {
      const cg = spec.caregiver;
      this.busy.set(cg, [...(this.busy.get(cg) ?? []), [s.toMillis(), e.toMillis()]]);
      if (status === 'COMPLETED' || status === 'IN_PROGRESS') this.visit(a, cg, s, e, status, jitter);
    }
    return a;
  }

  private statusAt(s: DateTime, e: DateTime): string {
    if (e.toMillis() <= this.nowMs) return 'COMPLETED';
    if (s.toMillis() <= this.nowMs) return 'IN_PROGRESS';
    return 'SCHEDULED';
  }

  private visit(a: Appointment, caregiverId: string, s: DateTime, e: DateTime, status: string, jitter: boolean): void {
    const early = jitter ? this.rng.int(-5, 10) : 0;
    const period: Encounter['period'] = { start: wellskyUtc(s.plus({ minutes: early })) };
    if (status === 'COMPLETED') period.end = wellskyUtc(e.plus({ minutes: jitter ? this.rng.int(-10, 5) : 0 }));
    this.encounters.push({
      resourceType: 'Encounter',
      id: String(this.nextEncounter++),
      status: status === 'COMPLETED' ? 'COMPLETED' : 'IN_PROGRESS',
      appointment: { id: a.id },
      caregiver: { id: caregiverId },
      client: { id: a.client.id },
      period,
    });
  }
}

const LANGUAGE_NAMES = { en: 'English', es: 'Spanish', vi: 'Vietnamese' } as const;
const pad = (n: number) => String(n).padStart(2, '0');
const round4 = (n: number) => Math.round(n * 10000) / 10000;
const city = (name: string) => CITIES.find((c) => c.name === name)!;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

export function generateSyntheticAgency(o: SyntheticAgencyOptions): SeedData {
  const caregiverCount = o.caregivers ?? 36;
  const clientCount = o.clients ?? 20;
  if (caregiverCount < FIXTURE_CAREGIVERS + 3) throw new RangeError(`caregivers must be at least ${FIXTURE_CAREGIVERS + 3}, got ${caregiverCount}`);
  if (clientCount < FIXTURE_CLIENTS + 1) throw new RangeError(`clients must be at least ${FIXTURE_CLIENTS + 1}, got ${clientCount}`);
  if (!DateTime.local().setZone(o.timezone).isValid) throw new RangeError(`timezone is not an IANA zone: ${o.timezone}`);

  const rng = new Random(o.seed ?? 1669);
  const fixedPhones = new Set(Object.values(F).map((f) => f.phone as string).concat(['7205550132', '7205550134']));
  const b = new AgencyBuilder(rng, new PhoneBook(rng, fixedPhones), o.now, o.timezone);

  addFixturePeople(b);
  addFixtureShifts(b);
  const randomCaregivers = addRandomCaregivers(b, caregiverCount - FIXTURE_CAREGIVERS);
  addRandomClients(b, clientCount - FIXTURE_CLIENTS, randomCaregivers);
  addProspects(b, Math.max(1, Math.round(clientCount / 6)));

  b.appointments.sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || x.id.localeCompare(y.id));
  return {
    practitioners: b.practitioners,
    patients: b.patients,
    relatedPersons: b.relatedPersons,
    appointments: b.appointments,
    encounters: b.encounters,
    profileTags: PROFILE_TAGS.map((t) => ({ ...t })),
    referralSources: REFERRAL_SOURCES.map((r) => ({ ...r })),
  };
}

function addFixturePeople(b: AgencyBuilder): void {
  const hired = { active: true, hired: true, status: 100 };
  b.caregiver({ ...hired, id: F.spanishCaregiver.id, first: 'Rosa', last: 'Martinez', gender: 'female', city: city('Denver'), mobile: F.spanishCaregiver.phone, languages: ['es', 'en'], tags: ['42', '44', '45', '51', '55'] });
  b.caregiver({ ...hired, id: F.oneShiftCaregiver.id, first: 'Dana', last: 'Whitfield', gender: 'female', city: city('Lakewood'), mobile: F.oneShiftCaregiver.phone, languages: ['en'], tags: ['41', '43', '51', '53'] });
  b.caregiver({ ...hired, id: F.threeShiftCaregiver.id, first: 'Kevin', last: 'Osei', gender: 'male', city: city('Aurora'), mobile: F.threeShiftCaregiver.phone, languages: ['en'], tags: ['41', '43', '50', '52'] });
  b.caregiver({ ...hired, id: F.sharedPhoneCaregiver.id, first: 'Tanya', last: 'Brooks', gender: 'female', city: city('Aurora'), mobile: F.sharedPhoneCaregiver.phone, languages: ['en'], tags: ['45', '46', '53'] });
  b.caregiver({ ...hired, id: F.doubleBookedCaregiver.id, first: 'Luis', last: 'Herrera', gender: 'male', city: city('Englewood'), mobile: F.doubleBookedCaregiver.phone, languages: ['en', 'es'], tags: ['43', '50', '55'] });
  b.caregiver({ active: false, hired: true, status: 100, id: F.inactiveCaregiver.id, first: 'Paul', last: 'Jensen', gender: 'male', city: city('Lakewood'), mobile: F.inactiveCaregiver.phone, languages: ['en'], tags: ['41', '51'] });
  b.caregiver({ active: true, hired: false, status: 10, id: F.applicant.id, first: 'Amy', last: 'Chen', gender: 'female', city: city('Arvada'), mobile: F.applicant.phone, languages: ['en'], tags: [] });

  b.patient({ id: F.spanishClient.id, first: 'Carmen', last: 'Ruiz', gender: 'female', city: city('Denver'), home: F.spanishClient.phone, languages: ['es'], isClient: true, status: '80', needs: ['42'] });
  b.patient({ id: F.clientWithCaregiverDaughter.id, first: 'Gloria', last: 'Brooks', gender: 'female', city: city('Aurora'), home: F.clientWithCaregiverDaughter.phone, languages: ['en'], isClient: true, status: 'None' });
  b.patient({ id: F.clientWithDaughter.id, first: 'Harold', last: 'Fischer', gender: 'male', city: city('Lakewood'), home: F.clientWithDaughter.phone, languages: ['en'], isClient: true, status: '80', needs: ['41', '43'] });
  b.patient({ id: F.clientSharingLandline.id, first: 'Frank', last: 'Delgado', gender: 'male', city: city('Englewood'), home: F.clientSharingLandline.phone, languages: ['en', 'es'], isClient: true, status: 'None' });

  b.contact({ id: F.caregiverAsDaughterContact.id, patientId: F.clientWithCaregiverDaughter.id, first: 'Tanya', last: 'Brooks', code: 'DAU', phone: F.caregiverAsDaughterContact.phone, primary: true, emergency: true });
  b.contact({ id: '5100102', patientId: F.clientWithCaregiverDaughter.id, first: 'Marcus', last: 'Brooks', code: 'SON', phone: '7205550132', primary: false, emergency: true });
  b.contact({ id: F.daughterContact.id, patientId: F.clientWithDaughter.id, first: 'Linda', last: 'Fischer', code: 'DAU', phone: F.daughterContact.phone, primary: true, emergency: true });
  b.contact({ id: '5100104', patientId: F.spanishClient.id, first: 'Miguel', last: 'Ruiz', code: 'SON', phone: '7205550134', primary: true, emergency: true });
  b.contact({ id: '5100105', patientId: F.clientSharingLandline.id, first: 'Irene', last: 'Delgado', code: 'SPS', phone: F.clientSharingLandline.phone, use: 'home', primary: true, emergency: true });

  b.patient({ id: F.prospect.id, first: 'Betty', last: 'Sandoval', gender: 'female', city: city('Littleton'), mobile: F.prospect.phone, languages: ['en'], isClient: false, status: '1', referralSource: 'Hospital discharge planner' });
  b.patient({ id: F.prospectStatusNone.id, first: 'Walter', last: 'Nguyen', gender: 'male', city: city('Arvada'), home: F.prospectStatusNone.phone, languages: ['en', 'vi'], isClient: false, status: 'None', referralSource: 'Online search' });
}

function addFixtureShifts(b: AgencyBuilder): void {
  const carmen = F.spanishClient.id;
  const gloria = F.clientWithCaregiverDaughter.id;
  const harold = F.clientWithDaughter.id;
  const frank = F.clientSharingLandline.id;
  const rosa = F.spanishCaregiver.id;
  const dana = F.oneShiftCaregiver.id;
  const kevin = F.threeShiftCaregiver.id;
  const tanya = F.sharedPhoneCaregiver.id;
  const luis = F.doubleBookedCaregiver.id;
  const paul = F.inactiveCaregiver.id;

  // The named shifts first, so they keep their fixed ids.
  b.shift({ id: S.openShiftMissingCaregiver, day: 2, start: '09:00', hours: 4, clientId: harold, caregiver: 'missing' });
  b.shift({ id: S.kevinTomorrow[0], day: 1, start: '07:00', hours: 3, clientId: gloria, caregiver: kevin });
  b.shift({ id: S.kevinTomorrow[1], day: 1, start: '11:00', hours: 3, clientId: frank, caregiver: kevin });
  b.shift({ id: S.kevinTomorrow[2], day: 1, start: '15:00', hours: 3, clientId: harold, caregiver: kevin });
  b.shift({ id: S.rosaTomorrow, day: 1, start: '08:00', hours: 4, clientId: carmen, caregiver: rosa });
  b.shift({ id: S.danaTomorrow, day: 1, start: '09:00', hours: 4, clientId: harold, caregiver: dana });
  b.shift({ id: S.luisOverlapping[0], day: 2, start: '10:00', hours: 4, clientId: gloria, caregiver: luis });
  b.shift({ id: S.luisOverlapping[1], day: 2, start: '12:00', hours: 4, clientId: frank, caregiver: luis });
  b.shift({ id: S.openShiftNullCaregiver, day: 3, start: '18:00', hours: 3, clientId: frank, caregiver: 'null' });
  b.shift({ id: S.openShiftEmptyCaregiver, day: 4, start: '18:00', hours: 3, clientId: frank, caregiver: 'empty' });

  for (const day of range(-DAYS_BACK, DAYS_AHEAD)) {
    const odd = Math.abs(day) % 2 === 1;
    if (day !== 1) b.shift({ day, start: '08:00', hours: 4, clientId: carmen, caregiver: rosa });
    if (!odd) b.shift({ day, start: '13:00', hours: 4, clientId: carmen, caregiver: tanya });
    // Kevin: Gloria's mornings every other day, never today or the day after tomorrow.
    if (((!odd && day <= -2) || (odd && day >= 3))) b.shift({ day, start: '07:00', hours: 3, clientId: gloria, caregiver: kevin });
    // Dana: Harold's mornings on odd days; tomorrow's is the named one.
    if (odd && day !== 1) b.shift({ day, start: '09:00', hours: 4, clientId: harold, caregiver: dana });
    // Luis: Frank's afternoons, except tomorrow (Kevin) and the day after (the named overlap).
    if (day !== 1 && day !== 2) b.shift({ day, start: '12:00', hours: 4, clientId: frank, caregiver: luis });
  }
  b.shift({ day: -7, start: '11:00', hours: 3, clientId: frank, caregiver: kevin });
  for (const day of [-6, -4]) b.shift({ day, start: '15:00', hours: 3, clientId: harold, caregiver: kevin });
  for (const day of [-14, -12, -10]) b.shift({ day, start: '15:00', hours: 3, clientId: harold, caregiver: paul });
}

function addRandomCaregivers(b: AgencyBuilder, count: number): Practitioner[] {
  const { rng } = b;
  const hiredActive: Practitioner[] = [];
  for (let i = 0; i < count; i++) {
    const applicant = i % 9 === 8;
    const inactive = !applicant && i % 15 === 14;
    const female = rng.chance(0.82);
    const spanish = rng.chance(0.22);
    const vietnamese = !spanish && rng.chance(0.05);
    const languages: ('en' | 'es' | 'vi')[] = spanish ? (rng.chance(0.5) ? ['es', 'en'] : ['en', 'es']) : vietnamese ? ['en', 'vi'] : ['en'];
    const tags = rng.sample(SKILL_TAGS, rng.int(1, 4));
    if (rng.chance(0.5)) tags.push('51');
    else if (rng.chance(0.4)) tags.push('52');
    if (rng.chance(0.7)) tags.push('53');
    if (spanish) tags.push('55');
    if (vietnamese) tags.push('56');
    const p = b.caregiver({
      id: String(3300108 + i),
      first: rng.pick(female ? FEMALE_FIRST : MALE_FIRST),
      last: spanish && rng.chance(0.7) ? rng.pick(SPANISH_LAST) : rng.pick(LAST),
      gender: female ? 'female' : 'male',
      city: rng.pick(CITIES),
      mobile: b.phones.take(),
      home: rng.chance(0.2) ? b.phones.take() : undefined,
      languages,
      tags: tags.sort((x, y) => Number(x) - Number(y)),
      active: !inactive,
      hired: !applicant,
      status: applicant ? rng.pick([10, 20, 30, 40, 50, 60, 70, 80, 90, 110]) : 100,
    });
    if (!applicant && !inactive) hiredActive.push(p);
  }
  return hiredActive;
}

const OPEN_SHAPES: OpenShape[] = ['missing', 'null', 'empty'];

function addRandomClients(b: AgencyBuilder, count: number, caregivers: Practitioner[]): void {
  const { rng } = b;
  let openTurn = 0;
  let contactId = 5100201;
  for (let i = 0; i < count; i++) {
    const female = rng.chance(0.6);
    const spanish = rng.chance(0.2);
    const last = spanish ? rng.pick(SPANISH_LAST) : rng.pick(LAST);
    const home = rng.chance(0.85) ? b.phones.take() : undefined;
    const client = b.patient({
      id: String(2870105 + i),
      first: rng.pick(female ? FEMALE_FIRST : MALE_FIRST),
      last,
      gender: female ? 'female' : 'male',
      city: rng.pick(CITIES),
      home,
      mobile: !home || rng.chance(0.3) ? b.phones.take() : undefined,
      languages: spanish ? ['es', 'en'] : ['en'],
      isClient: true,
      status: rng.chance(0.35) ? 'None' : '80',
      needs: rng.chance(0.4) ? rng.sample(SKILL_TAGS.slice(0, 4), rng.int(1, 2)) : undefined,
      referralSource: rng.pick(REFERRAL_SOURCES).name,
    });

    const relatives = rng.sample(Object.keys(RELATIONSHIPS), rng.int(1, 3));
    relatives.forEach((code, k) => {
      const femaleRelative = code === 'DAU' || code === 'SIS' || code === 'NIECE' || (code === 'SPS' ? !female : rng.chance(0.5));
      b.contact({
        id: String(contactId++),
        patientId: client.id,
        first: rng.pick(femaleRelative ? FEMALE_FIRST : MALE_FIRST),
        last: code === 'FRND' || (code === 'DAU' && rng.chance(0.4)) ? rng.pick(LAST) : last,
        code,
        phone: b.phones.take(),
        primary: k === 0,
        emergency: k === 0 || rng.chance(0.3),
      });
    });

    if (!caregivers.length) continue;
    const regulars = rng.sample(caregivers, Math.min(caregivers.length, rng.int(1, 2)));
    const weekdays = new Set(rng.sample([1, 2, 3, 4, 5, 6, 7], rng.pick([3, 3, 4, 5, 5, 7])));
    const start = `${pad(rng.pick([7, 8, 9, 10, 12, 13, 14, 16, 17]))}:${rng.pick(['00', '00', '00', '30'])}`;
    const hours = rng.pick([3, 4, 4, 4, 4, 5, 6]);
    const twoPersonDay = i % 8 === 3 ? rng.int(1, DAYS_AHEAD) : undefined;
    for (const day of range(-DAYS_BACK, DAYS_AHEAD)) {
      const [s, e] = b.interval(day, start, hours);
      if (!weekdays.has(s.weekday)) continue;
      const order = rng.chance(0.2) ? [...regulars].reverse() : regulars;
      const free = order.find((c) => b.isFree(c.id, s, e)) ?? rng.sample(caregivers, 5).find((c) => b.isFree(c.id, s, e));
      const future = day > 0;
      if (!free || (future && rng.chance(0.05))) {
        b.shift({ day, start, hours, clientId: client.id, caregiver: OPEN_SHAPES[openTurn++ % 3] });
        continue;
      }
      const status = future ? (rng.chance(0.3) ? 'CONFIRMED' : undefined) : day < 0 && rng.chance(0.04) ? rng.pick(['CANCELLED', 'CANCELLED', 'MISSED']) : undefined;
      b.shift({ day, start, hours, clientId: client.id, caregiver: free.id, status }, true);
      // A two-person transfer: a second caregiver on the same visit, overlapping the first.
      if (day === twoPersonDay) {
        const second = caregivers.find((c) => c.id !== free.id && b.isFree(c.id, s, e));
        if (second) b.shift({ day, start, hours, clientId: client.id, caregiver: second.id });
      }
    }
  }
}

function addProspects(b: AgencyBuilder, count: number): void {
  const { rng } = b;
  for (let i = 0; i < count; i++) {
    const female = rng.chance(0.6);
    b.patient({
      id: String(2870903 + i),
      first: rng.pick(female ? FEMALE_FIRST : MALE_FIRST),
      last: rng.pick([...LAST, ...SPANISH_LAST]),
      gender: female ? 'female' : 'male',
      city: rng.pick(CITIES),
      mobile: b.phones.take(),
      languages: ['en'],
      isClient: false,
      status: rng.pick(['1', '10', '20', '30', '40', '50', '60', '70', '90', 'None', 'None']),
      referralSource: rng.pick(REFERRAL_SOURCES).name,
    });
  }
  // A former client: inactive, so `active=false` searches find someone.
  b.patient({
    id: '2870951', first: rng.pick(MALE_FIRST), last: rng.pick(LAST), gender: 'male', city: rng.pick(CITIES), home: b.phones.take(),
    languages: ['en'], isClient: true, status: 'None', active: false,
  });
}
