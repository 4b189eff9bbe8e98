/**
 * What a conversation machine is told when it starts: who is calling (from the directory, never a
 * WellSky round trip for a known number), the agency's hours and on-call chain, the language.
 */
import type { AgencyConfig } from '../config';
import { staffWithRole } from '../config';
import type { Clock } from '../clock';
import type { Directory } from '../directory/types';
import { describeOfficeHours, isOfficeOpen } from '../office-hours';
import type { CallerIdentity, ConversationInput, Lang } from '../../flows/conversation';
import type { ConversationRow } from './store';

export function createConversationInput(deps: { agency: AgencyConfig; directory: Directory; clock: Clock }) {
  const { agency, directory, clock } = deps;
  const officeHoursText = { en: describeOfficeHours(agency, 'en'), es: describeOfficeHours(agency, 'es') };
  const onCall = staffWithRole(agency, 'oncall').map((s) => ({ name: s.name, phone: s.phone }));
  const serviceAreaText = agency.serviceArea.cities.length
    ? `${agency.serviceArea.description} (${agency.serviceArea.cities.join(', ')})`
    : agency.serviceArea.description;

  return async function conversationInput(row: ConversationRow): Promise<ConversationInput> {
    const now = clock.now();
    const { identities } = await directory.identify(row.caller_phone);
    return {
      conversationId: row.id,
      channel: row.channel,
      callerPhone: row.caller_phone,
      identities: identities as CallerIdentity[],
      lang: languageOf(identities as CallerIdentity[]),
      agency: {
        name: agency.agency.shortName ?? agency.agency.name,
        timezone: agency.agency.timezone,
        officeOpen: isOfficeOpen(agency, now),
        officeHoursText,
        serviceAreaText,
        callbackHours: agency.callbackPromise.hours,
        onCall,
      },
      now: now.toISOString(),
    };
  };
}

/** Spanish when everyone this number belongs to prefers Spanish; otherwise English until they speak. */
export function languageOf(identities: CallerIdentity[]): Lang {
  return identities.length > 0 && identities.every((i) => i.language === 'es') ? 'es' : 'en';
}
