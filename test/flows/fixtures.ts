/** People and an agency the flow tests share (plain data, as the directory and config give them). */
import type { CallerIdentity, ConversationInput } from '../../flows/conversation';

export const agency: ConversationInput['agency'] = {
  name: 'Colorado CareAssist',
  timezone: 'America/Denver',
  officeOpen: true,
  officeHoursText: { en: 'Monday to Friday, 8 AM to 5 PM', es: 'de lunes a viernes, de 8 a 5' },
  serviceAreaText: 'Denver, Aurora and Boulder',
  callbackHours: 2,
  onCall: [
    { name: 'Care Manager', phone: '+13035550105' },
    { name: 'Owner', phone: '+13035550101' },
  ],
};

/** Maria Lopez, a hired caregiver. */
export const maria: CallerIdentity = {
  kind: 'caregiver',
  personId: 'cg-1',
  firstName: 'Maria',
  lastName: 'Lopez',
  language: 'en',
  active: true,
  hired: true,
};

/** The same Maria, on file as the daughter of client Dorothy (one number, two identities). */
export const mariaForDorothy: CallerIdentity = {
  kind: 'contact',
  personId: 'rp-7',
  firstName: 'Maria',
  lastName: 'Lopez',
  clientId: 'cl-3',
  clientFirstName: 'Dorothy',
  relationship: 'daughter',
  language: 'en',
  active: true,
};
