import { languagesOf, preferredLanguageOf, readStatus, toCaregiver, toClient, toContact, toEncounter, toProfileTag, toShift } from '../../src/wellsky/mapping';
import { appointmentSchema, parseBundle, practitionerSchema, relatedPersonSchema } from '../../src/wellsky/schemas';
import { appointment, patient, practitioner } from './fixtures';

const ZONE = 'America/Denver';

const where = { method: 'GET', path: '/v1/test/' };

describe('FHIR → Caregiver', () => {
  it('reads a hired Spanish-speaking caregiver with her mobile first', () => {
    const c = toCaregiver(practitionerSchema.parse(practitioner()));
    expect(c).toEqual({
      id: '3456789',
      firstName: 'Maria',
      lastName: 'Lopez',
      phones: ['+13035551234', '+17205550111'],
      mobilePhone: '+13035551234',
      active: true,
      hired: true,
      status: 100,
      address: { line: ['123 Main St'], city: 'Denver', state: 'CO', postalCode: '80202' },
      languages: ['spanish', 'english'],
      preferredLanguage: 'es',
      tagIds: ['45', '67'],
    });
  });

  it('counts status 100 as hired even without the isHired tag', () => {
    const c = toCaregiver(practitionerSchema.parse(practitioner({ meta: { tag: [{ code: 'status', display: '100' }] } })));
    expect(c.hired).toBe(true);
  });

  it('does not count an applicant as hired', () => {
    const c = toCaregiver(
      practitionerSchema.parse(practitioner({ meta: { tag: [{ code: 'isHired', display: 'false' }, { code: 'status', display: '10' }] } })),
    );
    expect(c.hired).toBe(false);
    expect(c.status).toBe(10);
  });

  it('speaks English to a caregiver who lists English first, or no language', () => {
    expect(preferredLanguageOf(['english', 'spanish'])).toBe('en');
    expect(preferredLanguageOf(['spanish'])).toBe('es');
    expect(preferredLanguageOf([])).toBe('en');
  });

  it('reads languages from coding on the entry or nested in language', () => {
    expect(languagesOf([{ coding: [{ display: 'SPANISH' }] }, { language: { coding: [{ code: 'en' }] } }])).toEqual(['spanish', 'english']);
  });

  it('tolerates a practitioner with only an id and numeric ids/phones', () => {
    const c = toCaregiver(practitionerSchema.parse({ id: 42, telecom: [{ system: 'phone', value: 3035551234 }] }));
    expect(c).toMatchObject({ id: '42', firstName: '', lastName: '', phones: ['+13035551234'], hired: false, languages: [], tagIds: [] });
  });

  it('skips phones that are not valid numbers', () => {
    const c = toCaregiver(practitionerSchema.parse(practitioner({ telecom: [{ system: 'phone', value: '123' }, { system: 'phone', value: '', use: 'mobile' }] })));
    expect(c.phones).toEqual([]);
    expect(c.mobilePhone).toBeUndefined();
  });
});

describe('FHIR → Client', () => {
  it('reads a client whose status comes back as "None"', () => {
    const c = toClient(patient() as never);
    expect(c).toMatchObject({ id: '2870130', firstName: 'Robert', lastName: 'Smith', phones: ['+13035550142'], isClient: true, active: true });
    expect(c.status).toBeUndefined();
  });

  it('reads a lead: isClient false, status 1, referral source', () => {
    const c = toClient(
      patient({ meta: { tag: [{ code: 'isClient', display: 'false' }, { code: 'status', display: '1' }, { code: 'referralSource', display: 'Hospital' }] } }) as never,
    );
    expect(c).toMatchObject({ isClient: false, status: 1, referralSource: 'Hospital' });
  });

  it.each([['None', undefined], ['', undefined], [null, undefined], ['30', 30], [80, 80], ['n/a', undefined]])('reads status %p as %p', (raw, expected) => {
    expect(readStatus(raw)).toBe(expected);
  });
});

describe('FHIR → Shift', () => {
  it('reads times as UTC instants and keeps ids, items and tasks', () => {
    expect(toShift(appointmentSchema.parse(appointment()), ZONE)).toEqual({
      id: '109131818',
      clientId: '2870130',
      caregiverId: '3306118',
      status: 'SCHEDULED',
      start: '2026-01-29T14:00:00.000Z',
      end: '2026-01-29T18:00:00.000Z',
      scheduledItems: [{ id: '12345', name: 'Meal Preparation' }],
      tasks: [{ id: '67890', description: 'Assist with breakfast', status: 'NOT_COMPLETE' }],
    });
  });

  it.each([
    ['missing', (a: Record<string, unknown>) => delete a.caregiver],
    ['null', (a: Record<string, unknown>) => (a.caregiver = null)],
    ['{"id":""}', (a: Record<string, unknown>) => (a.caregiver = { id: '' })],
  ])('reads an open shift with caregiver %s as having no caregiver', (_label, change) => {
    const a = appointment();
    change(a);
    expect(toShift(appointmentSchema.parse(a), ZONE).caregiverId).toBeUndefined();
  });

  it('reads "Z" as UTC and an offset-less time as agency wall-clock (both shapes are seen in the field)', () => {
    const s = toShift(appointmentSchema.parse(appointment({ start: '2026-03-08T14:00:00Z', end: '2026-03-08T18:00:00' })), ZONE);
    expect(s.start).toBe('2026-03-08T14:00:00.000Z');
    // 18:00 in Denver on the day clocks went forward (MDT, UTC-6).
    expect(s.end).toBe('2026-03-09T00:00:00.000Z');
  });

  it('gives the same instant for a shift sent as UTC or as naive local time, on either side of a DST change', () => {
    const cases: [string, string][] = [
      ['2026-03-07T16:00:00+00:00', '2026-03-07T09:00:00'], // MST, the day before spring-forward
      ['2026-03-08T15:00:00+00:00', '2026-03-08T09:00:00'], // MDT, the day of
      ['2026-11-01T07:30:00+00:00', '2026-11-01T01:30:00'], // 01:30 happens twice on fall-back: the first (MDT)
      ['2026-11-02T16:00:00+00:00', '2026-11-02T09:00:00'], // MST again
    ];
    for (const [utc, local] of cases) {
      const a = toShift(appointmentSchema.parse(appointment({ start: utc, end: '2026-12-01T00:00:00Z' })), ZONE);
      const b = toShift(appointmentSchema.parse(appointment({ start: local, end: '2026-12-01T00:00:00Z' })), ZONE);
      expect(b.start).toBe(a.start);
      expect(new Date(a.start).toISOString()).toBe(new Date(utc).toISOString());
    }
  });

  it('reads COMPLETE and COMPLETED as one status', () => {
    const done = (status: string) => toEncounter({ id: 1, status, appointment: { id: '5' }, period: { start: '2026-01-29T14:02:00+00:00' } } as never, ZONE).status;
    expect(done('COMPLETE')).toBe('COMPLETED');
    expect(done('COMPLETED')).toBe('COMPLETED');
    expect(done('complete')).toBe('COMPLETED');
    expect(done('IN_PROGRESS')).toBe('IN_PROGRESS');
  });

  it('names the missing field when an appointment has no client', () => {
    const a = appointment();
    delete (a as Record<string, unknown>).client;
    expect(() => parseBundle(appointmentSchema, { entry: [appointment(), { resource: a }] }, where)).toThrow(/entry\[1\]\.resource\.client/);
  });
});

describe('FHIR → Contact, Encounter, ProfileTag', () => {
  it('reads a related person with relationship code and the client it belongs to', () => {
    const r = relatedPersonSchema.parse({
      resourceType: 'RelatedPerson',
      id: '555',
      patient: { reference: 'Patient/2870130' },
      name: [{ family: 'Smith', given: ['Anna'] }],
      relationship: { coding: [{ code: 'DAU' }] },
      telecom: [{ system: 'phone', value: '7205550123', use: 'mobile' }],
      emergencyContact: 'true',
      primaryContact: true,
    });
    expect(toContact(r)).toEqual({
      id: '555',
      clientId: '2870130',
      firstName: 'Anna',
      lastName: 'Smith',
      relationship: 'DAU',
      phones: ['+17205550123'],
      primaryContact: true,
      emergencyContact: true,
    });
  });

  it('reads a FHIR-standard relationship list and falls back to the client asked for', () => {
    const r = relatedPersonSchema.parse({ id: 7, relationship: [{ coding: [{ code: 'son' }] }] });
    expect(toContact(r, '99')).toMatchObject({ id: '7', clientId: '99', relationship: 'SON', primaryContact: false });
  });

  it('reads an encounter with its period in UTC', () => {
    expect(toEncounter({ id: 12, status: 'IN_PROGRESS', appointment: { id: '109131818' }, period: { start: '2026-01-29T14:02:00+00:00' } } as never, ZONE)).toEqual({
      id: '12',
      appointmentId: '109131818',
      clientId: undefined,
      caregiverId: undefined,
      status: 'IN_PROGRESS',
      start: '2026-01-29T14:02:00.000Z',
      end: undefined,
    });
  });

  it('reads profile tags whatever the name of their name field', () => {
    expect(toProfileTag({ id: 45, name: 'Hoyer Lift', type: 'Skill' } as never)).toEqual({ id: '45', name: 'Hoyer Lift', type: 'skill' });
    expect(toProfileTag({ id: '67', description: 'CNA', tagType: 'certification' } as never)).toEqual({ id: '67', name: 'CNA', type: 'certification' });
    // No type: unknown, which offers never name.
    expect(toProfileTag({ id: '68', name: 'Wound Care' } as never)).toEqual({ id: '68', name: 'Wound Care', type: 'unknown' });
  });
});

describe('bundles', () => {
  it('reads totalRecords or total, bare or wrapped entries, and a bare array', () => {
    const bare = parseBundle(practitionerSchema, { resourceType: 'Bundle', totalRecords: 2, entry: [practitioner(), practitioner({ id: '2' })] }, where);
    const wrapped = parseBundle(practitionerSchema, { resourceType: 'Bundle', total: '2', entry: [{ resource: practitioner() }] }, where);
    const array = parseBundle(practitionerSchema, [practitioner()], where);
    expect(bare.total).toBe(2);
    expect(bare.entries.map((p) => p.id)).toEqual(['3456789', '2']);
    expect(wrapped.total).toBe(2);
    expect(wrapped.entries[0].id).toBe('3456789');
    expect(array.entries).toHaveLength(1);
  });

  it('reads a bundle without entries as empty', () => {
    expect(parseBundle(practitionerSchema, { resourceType: 'Bundle', total: 0 }, where).entries).toEqual([]);
  });

  it('keeps unknown fields untouched', () => {
    const [p] = parseBundle(practitionerSchema, { entry: [practitioner({ extraThing: { a: 1 } })] }, where).entries;
    expect((p as Record<string, unknown>).extraThing).toEqual({ a: 1 });
  });
});
