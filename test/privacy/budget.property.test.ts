/**
 * The PHI budget as a property: for random client records with names, street addresses, phones
 * and conditions planted in every field (city, ZIP, tags of every type, contacts, the call-out's
 * notes, the shift's tasks), no offer the outbox would send contains any of them, and the text to
 * the caregiver who got the shift does contain the address. Hand-rolled generator with a seed: a
 * failure names the seed to replay.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseAgencyConfig, privacySettings } from '../../src/config';
import { norm, type TagLike } from '../../src/twilio/privacy';
import { privacyRefusal } from '../../src/twilio/outbox';
import { offerFacts, subjectOfRecord, type ClientRecord } from '../../src/shiftfill/offers';
import * as T from '../../src/shiftfill/texts';
import type { Client } from '../../src/wellsky/types';
import type { DirectoryPerson } from '../../src/directory/types';

const agency = parseAgencyConfig(JSON.parse(fs.readFileSync(path.join(__dirname, '../../config/agency.example.json'), 'utf8')));
const ctx = { agency, privacy: privacySettings(agency), agencyName: agency.agency.shortName ?? agency.agency.name };
const WHEN = { start: '2026-03-03T16:00:00.000Z', end: '2026-03-03T20:00:00.000Z', timezone: 'America/Denver' };

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <X>(xs: readonly X[]): X => xs[int(0, xs.length - 1)];
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}

const FIRST = ['Harold', 'Dorothy', 'Carmen', 'Gloria', 'Walter', 'Irene', 'Ofelia', 'Bartholomew', 'Marisol', 'Eunice', 'Thaddeus', 'Yolanda', 'June', 'Maya'];
const LAST = ['Fischer', 'Ruiz', 'Delgado', 'Whitfield', 'Okonkwo', 'Lindqvist', 'Marchetti', 'Abernathy', 'Castellanos', 'Nakamura', 'Pruitt'];
const STREETS = ['Elm', 'Maple', 'Juniper', 'Sycamore', 'Wadsworth', 'Colfax', 'Kipling', 'Quebec'];
const SUFFIX = ['St', 'Street', 'Ave', 'Rd', 'Blvd', 'Dr', 'Ln', 'Ct', 'Way'];
const CONDITIONS = ['Dementia Care', 'Hospice Support', "Parkinson's Disease", 'Diabetes', 'Stroke Recovery', 'COPD', 'Wound Care', "Alzheimer's", 'Dialysis', 'Colostomy Care'];
const SKILLS: TagLike[] = [
  { id: 's1', name: 'Hoyer Lift', type: 'skill' }, { id: 's2', name: 'Transfers', type: 'skill' }, { id: 's3', name: 'Meal Preparation', type: 'skill' },
  { id: 's4', name: 'Has Car', type: 'skill' }, { id: 's5', name: 'CNA', type: 'certification' }, { id: 's6', name: 'Spanish', type: 'language' },
];
const CITIES = agency.serviceArea.cities;

interface Planted { names: string[]; nameParts: string[]; streets: string[]; phones: string[]; conditions: string[] }

function phoneFormats(e164: string): string[] {
  const d = e164.replace(/\D/g, '').slice(-10);
  return [d, `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`, `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`, `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`, `${d.slice(3, 6)}-${d.slice(6)}`];
}

function randomRecord(seed: number): { record: ClientRecord; planted: Planted; notes: string; tasks: string[] } {
  const r = rng(seed);
  const first = r.pick(FIRST);
  const last = r.pick(LAST);
  const contacts = Array.from({ length: r.int(0, 2) }, () => ({ firstName: r.pick(FIRST.filter((f) => f !== first)), lastName: r.chance(0.5) ? last : r.pick(LAST) }));
  const phone = () => `+1${r.pick(['303', '720', '970'])}555${String(r.int(0, 9999)).padStart(4, '0')}`;
  const clientPhones = [phone(), ...(r.chance(0.5) ? [phone()] : [])];
  const contactPhones = contacts.map(() => phone());
  const street = `${r.int(1, 99999)} ${r.chance(0.2) ? `${r.pick(['N', 'S', 'E', 'W'])} ` : ''}${r.pick(STREETS)} ${r.pick(SUFFIX)}`;
  const unit = r.chance(0.4) ? ` Apt ${r.int(1, 40)}` : '';
  const conditions = Array.from({ length: r.int(1, 3) }, () => r.pick(CONDITIONS));
  const nice = r.pick(CITIES);
  const anyPhone = r.pick(clientPhones);
  const fmt = r.pick(phoneFormats(anyPhone));

  // Every field gets something planted in it, or a fair value.
  const city = r.pick([nice, nice, `${street}${unit}, ${nice}`, `${first} ${last}`, last, fmt, r.pick(conditions), `${nice} (${r.pick(conditions)})`, 'Boulder', '', `${street}`]);
  const postalCode = r.pick(['80226', '80202', '80226-1234', fmt, street, '8022', '']);
  const tags: TagLike[] = [...SKILLS];
  const tagIds: string[] = SKILLS.filter(() => r.chance(0.4)).map((t) => t.id);
  conditions.forEach((name, i) => {
    // Typed as a condition or diagnosis, untyped, or mislabelled as a skill.
    tags.push({ id: `c${i}`, name, type: r.pick(['condition', 'diagnosis', 'unknown', '', 'skill', 'Medical']) });
    tagIds.push(`c${i}`);
  });
  // Tags that are really the client's name, street or phone.
  if (r.chance(0.5)) { tags.push({ id: 'p1', name: `${first} ${last}`, type: 'skill' }); tagIds.push('p1'); }
  if (r.chance(0.5)) { tags.push({ id: 'p2', name: `Key under mat at ${street}`, type: 'skill' }); tagIds.push('p2'); }
  if (r.chance(0.5)) { tags.push({ id: 'p3', name: `Call daughter ${fmt}`, type: 'skill' }); tagIds.push('p3'); }
  if (r.chance(0.3)) { tags.push({ id: 'p4', name: last, type: 'certification' }); tagIds.push('p4'); }

  const client: Client = {
    id: `C${seed}`, firstName: first, lastName: last, phones: clientPhones, isClient: true, active: true, languages: ['english'], preferredLanguage: 'en',
    address: { line: [`${street}${unit}`], city, postalCode, state: 'CO' }, tagIds,
  };
  const person: DirectoryPerson = { kind: 'client', personId: client.id, firstName: first, lastName: last, language: 'en', active: true, phones: clientPhones };
  const contactPeople: DirectoryPerson[] = contacts.map((c, i) => ({ kind: 'contact', personId: `K${i}`, clientId: client.id, ...c, language: 'en', active: true, phones: [contactPhones[i]] }));
  const notes = `${first} ${last} has ${conditions.join(' and ')}; lives at ${street}${unit}; call ${fmt}.`;
  const tasks = [`Remind ${first} about ${conditions[0]} meds`, `Check mail at ${street}`];
  const names = [`${first} ${last}`, ...contacts.map((c) => `${c.firstName} ${c.lastName}`)];
  return {
    record: { client, person, contacts: contactPeople, tags: tags as ClientRecord['tags'] },
    planted: {
      names,
      nameParts: [...new Set(names.flatMap((n) => n.split(' ')))],
      streets: [street, street.split(' ').slice(0, 2).join(' ')],
      phones: [...clientPhones, ...contactPhones],
      conditions,
    },
    notes,
    tasks,
  };
}

/** What the test itself calls a leak, independently of the checker: word matches on the body, and phone digits. */
function leaks(body: string, p: Planted): string[] {
  const n = norm(body);
  const found: string[] = [];
  for (const term of [...p.names, ...p.streets, ...p.conditions]) if (n.includes(norm(term))) found.push(term);
  // Name parts alone, except when the part is a day or month the offer itself prints (a client called June, "Jun 3" is not her).
  for (const part of p.nameParts) if (!/^(june|may)$/i.test(part) && n.includes(norm(part))) found.push(part);
  if (/\bjune\b/i.test(body)) found.push('June');
  const bodyDigits = (body.match(/[\d().\s-]{7,}/g) ?? []).map((s) => s.replace(/\D/g, ''));
  for (const phone of p.phones) {
    const d = phone.replace(/\D/g, '').slice(-10);
    if (phoneFormats(phone).some((f) => body.includes(f)) || bodyDigits.some((x) => x.includes(d.slice(-7)))) found.push(phone);
  }
  return found;
}

describe('the PHI budget, on random client records', () => {
  const SEED = Number(process.env.PRIVACY_SEED ?? 20261206);
  const RUNS = 600;

  it('never lets an offer out with a name, street, phone or condition from the record, and keeps skills and a clean area', () => {
    let sent = 0;
    let withArea = 0;
    let withSkill = 0;
    for (let i = 0; i < RUNS; i++) {
      const seed = SEED + i;
      const { record, planted, notes, tasks } = randomRecord(seed);
      const { area, skills } = offerFacts(record, ctx);
      const subject = subjectOfRecord(record, ctx.privacy.broadcastTagTypes);
      for (const lang of ['en', 'es'] as const) {
        for (const firstOffer of [true, false]) {
          const offer = T.broadcast.offer({ agency: ctx.agencyName, when: WHEN, area, skills, code: '4821', lang, firstOffer, allowed: ctx.privacy.budget.broadcast });
          const refused = privacyRefusal({ ...offer, subject }, ctx.privacy, ctx.agencyName);
          if (refused) continue; // held back by the outbox: nobody gets it
          sent++;
          const leaked = leaks(offer.body, planted);
          if (leaked.length) throw new Error(`seed ${seed} (${lang}): the offer "${offer.body}" gives away ${leaked.join(', ')}`);
          // Nor anything from the notes or tasks, which offers never carry.
          for (const line of [notes, ...tasks]) expect(norm(offer.body)).not.toContain(norm(line));
        }
      }
      if (area) {
        withArea++;
        // The area is a service-area city and/or a 5-digit ZIP, nothing else.
        expect(area).toMatch(new RegExp(`^((${CITIES.join('|')})( \\d{5})?|\\d{5})$`));
      }
      if (skills.length) withSkill++;
      for (const s of skills) expect(['Hoyer Lift', 'Transfers', 'Meal Preparation', 'Has Car', 'CNA', 'Spanish']).toContain(s);
    }
    // The pre-filter does the work: offers go out (without the planted facts) rather than being held back.
    expect(sent).toBe(RUNS * 4);
    expect(withArea).toBeGreaterThan(RUNS / 3);
    expect(withSkill).toBeGreaterThan(RUNS / 3);
  });

  it('gives the caregiver who got the shift the street address, within the assigned budget', () => {
    for (let i = 0; i < RUNS; i++) {
      const seed = SEED + i;
      const { record } = randomRecord(seed);
      const client = record.client!;
      const details = T.assigned.details({
        agency: ctx.agencyName, when: WHEN, clientName: `${client.firstName} ${client.lastName}`, address: T.fullAddress(client.address),
        tasks: ['Meal Preparation'], lang: i % 2 ? 'es' : 'en', allowed: ctx.privacy.budget.assigned,
      });
      expect(details.body).toContain(client.address!.line[0]);
      expect(details.body).toContain(client.firstName);
      expect(privacyRefusal(details, ctx.privacy, ctx.agencyName)).toBeUndefined();
    }
  });

  it("leaves out of an offer what the agency's budget drops", () => {
    const narrow = parseAgencyConfig({ ...agency, privacy: { broadcast: ['day', 'time', 'claimCode'] } });
    const offer = T.broadcast.offer({ agency: 'Colorado CareAssist', when: WHEN, area: 'Lakewood 80226', skills: ['Hoyer Lift'], code: '4821', lang: 'en', allowed: privacySettings(narrow).budget.broadcast });
    expect(offer).toEqual({ audience: 'broadcast', facts: ['day', 'time', 'claimCode'], body: 'Open shift Tue Mar 3 9am-1pm. Reply YES 4821 to take it.' });
  });

  it('holds a hand-written broadcast back whatever field of the record it copies', () => {
    for (let i = 0; i < 200; i++) {
      const { record, planted } = randomRecord(SEED + 10_000 + i);
      const subject = subjectOfRecord(record, ctx.privacy.broadcastTagTypes);
      const r = rng(i);
      const leak = r.pick([planted.names[0], planted.nameParts[1], planted.streets[0], r.pick(phoneFormats(planted.phones[0])), planted.conditions[0]]);
      const body = `${ctx.agencyName}: open shift Tue Mar 3 9am-1pm (4h), Lakewood 80226. Needs: ${leak}. Reply YES 4821 to take it.`;
      expect(privacyRefusal({ audience: 'broadcast', body, facts: ['agency', 'day', 'time', 'length', 'area', 'skills', 'claimCode'], subject }, ctx.privacy, ctx.agencyName)).toMatch(/it holds/);
    }
  });
});
