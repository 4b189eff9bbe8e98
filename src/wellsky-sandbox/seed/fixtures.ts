/**
 * The deliberately interesting people and shifts of the synthetic agency, with fixed ids and
 * phones whatever the seed number, so tests and demos can find them. docs/sandbox.md tells
 * their stories. Day offsets are agency-local days from "today" (the `now` the seed was made at).
 */
import type { SeedData } from '../resources';

export const FIXTURE_PEOPLE = {
  /** Rosa Martinez: Spanish-speaking caregiver; Carmen Ruiz every day 08:00–12:00, so tomorrow too. */
  spanishCaregiver: { id: '3300101', phone: '7205550111', firstName: 'Rosa', lastName: 'Martinez' },
  /** Dana Whitfield: exactly one shift in the next 36 hours (tomorrow 09:00–13:00, Harold Fischer). */
  oneShiftCaregiver: { id: '3300102', phone: '7205550112', firstName: 'Dana', lastName: 'Whitfield' },
  /** Kevin Osei: none today, three tomorrow (Gloria 07–10, Frank 11–14, Harold 15–18). */
  threeShiftCaregiver: { id: '3300103', phone: '7205550113', firstName: 'Kevin', lastName: 'Osei' },
  /** Tanya Brooks: a caregiver whose mobile is also on file as Gloria Brooks's daughter. */
  sharedPhoneCaregiver: { id: '3300104', phone: '3035550114', firstName: 'Tanya', lastName: 'Brooks' },
  /** Luis Herrera: Spanish-speaking; double-booked the day after tomorrow (two overlapping shifts). */
  doubleBookedCaregiver: { id: '3300105', phone: '7205550115', firstName: 'Luis', lastName: 'Herrera' },
  /** Paul Jensen: inactive (active=false); worked for Harold Fischer two weeks ago. */
  inactiveCaregiver: { id: '3300106', phone: '7205550116', firstName: 'Paul', lastName: 'Jensen' },
  /** Amy Chen: applicant, status 10 (New Applicant), not hired. */
  applicant: { id: '3300107', phone: '7205550117', firstName: 'Amy', lastName: 'Chen' },

  /** Carmen Ruiz: Spanish-speaking client in Denver; son Miguel is her primary contact. */
  spanishClient: { id: '2870101', phone: '3035550121', firstName: 'Carmen', lastName: 'Ruiz' },
  /** Gloria Brooks: client whose daughter (primary contact) is caregiver Tanya Brooks; status reads "None". */
  clientWithCaregiverDaughter: { id: '2870102', phone: '3035550122', firstName: 'Gloria', lastName: 'Brooks' },
  /** Harold Fischer: client in Lakewood needing a Hoyer lift; daughter Linda is his primary contact. */
  clientWithDaughter: { id: '2870103', phone: '3035550123', firstName: 'Harold', lastName: 'Fischer' },
  /** Frank Delgado: client whose wife Irene shares his home landline; has two open shifts. */
  clientSharingLandline: { id: '2870104', phone: '3035550124', firstName: 'Frank', lastName: 'Delgado' },

  /** Linda Fischer: Harold's daughter (DAU, primary and emergency contact). */
  daughterContact: { id: '5100103', phone: '9705550131', firstName: 'Linda', lastName: 'Fischer', patientId: '2870103' },
  /** Tanya Brooks as Gloria's daughter: the same phone as the caregiver. */
  caregiverAsDaughterContact: { id: '5100101', phone: '3035550114', firstName: 'Tanya', lastName: 'Brooks', patientId: '2870102' },

  /** Betty Sandoval: a prospect (isClient=false, status 1 New Lead). */
  prospect: { id: '2870901', phone: '7205550141', firstName: 'Betty', lastName: 'Sandoval' },
  /** Walter Nguyen: a prospect whose status reads back "None". */
  prospectStatusNone: { id: '2870902', phone: '3035550142', firstName: 'Walter', lastName: 'Nguyen' },
} as const;

export const FIXTURE_SHIFTS = {
  /** Harold Fischer, day after tomorrow 09:00–13:00: open, `caregiver` key missing, status OPEN. */
  openShiftMissingCaregiver: '109100001',
  /** Kevin's three shifts tomorrow, in time order. */
  kevinTomorrow: ['109100002', '109100003', '109100004'],
  /** Rosa with Carmen tomorrow 08:00–12:00. */
  rosaTomorrow: '109100005',
  /** Dana with Harold tomorrow 09:00–13:00: her only shift in the next 36 hours. */
  danaTomorrow: '109100006',
  /** Luis, day after tomorrow: Gloria 10:00–14:00 overlaps Frank 12:00–16:00. */
  luisOverlapping: ['109100007', '109100008'],
  /** Frank Delgado, in 3 days 18:00–21:00: open with `"caregiver": null`. */
  openShiftNullCaregiver: '109100009',
  /** Frank Delgado, in 4 days 18:00–21:00: open with `"caregiver": {"id": ""}`. */
  openShiftEmptyCaregiver: '109100010',
} as const;

export type FixturePeople = typeof FIXTURE_PEOPLE;

/** The fixture people of a seed, after checking they are really in it (a seed file may lack them). */
export function fixturePeople(seed: SeedData): FixturePeople {
  const missing = Object.entries(FIXTURE_PEOPLE)
    .filter(([, f]) => ![...seed.practitioners, ...seed.patients, ...seed.relatedPersons].some((r) => r.id === f.id))
    .map(([key]) => key);
  if (missing.length) throw new Error(`This seed has no fixture people (${missing.join(', ')}): it was not made by generateSyntheticAgency`);
  return FIXTURE_PEOPLE;
}
