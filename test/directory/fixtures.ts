/** A small agency for directory tests: who is on file, and with which phone. */
import { parseAgencyConfig, type AgencyConfig } from '../../src/config';
import { aCaregiver, aClient, aContact, aProspect, createFakeWellSky, type FakeWellSky } from '../support/fake-wellsky';

export const PHONES = {
  maria: '+13035550001', // caregiver, also Dorothy's daughter
  mariaHome: '+13035550002',
  james: '+13035550003', // caregiver who left the agency
  ana: '+13035550004', // applicant, Spanish-speaking
  dorothy: '+13035550010', // client
  robert: '+13035550011', // Dorothy's son, primary contact
  harold: '+13035550020', // prospect
  careManager: '+13035550105', // staff
  owner: '+13035550101', // staff
  stranger: '+13035559999',
} as const;

export function testAgency(): AgencyConfig {
  return parseAgencyConfig({
    agency: { name: 'Test Care', timezone: 'America/Denver' },
    officeHours: { mon: '08:00-17:00', tue: '08:00-17:00', wed: '08:00-17:00', thu: '08:00-17:00', fri: '08:00-17:00', sat: null, sun: null },
    staff: [
      { name: 'Care Manager', phone: PHONES.careManager, roles: ['oncall', 'scheduler', 'complaints'] },
      { name: 'Pat Owner', phone: PHONES.owner, roles: ['oncall', 'owner', 'intake'] },
    ],
  });
}

export function seededWellSky(): FakeWellSky {
  return createFakeWellSky({
    caregivers: [
      aCaregiver({ id: '3001', firstName: 'Maria', lastName: 'Lopez', phones: [PHONES.maria, PHONES.mariaHome] }),
      aCaregiver({ id: '3002', firstName: 'James', lastName: 'Hart', phones: [PHONES.james], active: false }),
      aCaregiver({ id: '3003', firstName: 'Ana', lastName: 'Reyes', phones: [PHONES.ana], hired: false, status: 10, languages: ['spanish'], preferredLanguage: 'es' }),
    ],
    patients: [
      aClient({ id: '2001', firstName: 'Dorothy', lastName: 'Lopez', phones: [PHONES.dorothy] }),
      aClient({ id: '2002', firstName: 'Walter', lastName: 'Price', phones: [] }),
      aProspect({ id: '2101', firstName: 'Harold', lastName: 'Green', phones: [PHONES.harold] }),
    ],
    contacts: [
      aContact({ id: '5001', clientId: '2001', firstName: 'Maria', lastName: 'Lopez', relationship: 'DAU', phones: [PHONES.maria] }),
      aContact({ id: '5002', clientId: '2001', firstName: 'Robert', lastName: 'Lopez', relationship: 'SON', phones: [PHONES.robert], primaryContact: true }),
    ],
  });
}
