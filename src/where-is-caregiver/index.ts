/**
 * "Where is my caregiver?": the effects of flows/where-is-caregiver.machine.ts.
 *
 * - `checkTodaysVisits` reads the client's shifts of the agency-local day and that day's
 *   encounters (clock-ins) from WellSky, on the caller's time (short timeouts), and names each
 *   caregiver from the directory (no WellSky round trip when they are on file).
 * - `notifyLateCaregiver` texts the scheduler (who is asking, about which visit) and the caregiver
 *   (please clock in, or tell the office your ETA) through the outbox. Keys: the scheduler's text is
 *   one per conversation; the caregiver's one per shift, however many relatives call about it.
 * Nothing here holds a database transaction: the outbox writes its row, then sends from a job.
 */
import { fromPromise } from 'xstate';
import type { AgencyConfig } from '../config';
import type { Directory } from '../directory/types';
import type { Outbox } from '../twilio/outbox';
import type { WellSky } from '../wellsky/service';
import type { Encounter, Shift } from '../wellsky/types';
import { localDate } from '../time';
import { moduleLog } from '../log';
import { describeCaller, type StaffMessages } from '../conversations/staff-messages';
import { effectKey } from '../../flows/effects';
import type {
  CheckTodaysVisitsInput,
  CheckTodaysVisitsOutput,
  NotifyLateCaregiverInput,
  NotifyLateCaregiverOutput,
  TodaysVisit,
} from '../../flows/where-is-caregiver.machine';

const log = moduleLog('where-is-caregiver');

export interface WhereIsCaregiverDeps {
  wellsky: WellSky;
  directory: Directory;
  outbox: Pick<Outbox, 'send'>;
  staffMessages: Pick<StaffMessages, 'textRole'>;
  agency: AgencyConfig;
}

/** The encounter of a shift: by appointment id, else the same caregiver clocking in within the shift. */
function encounterOf(shift: Shift, encounters: Encounter[]): Encounter | undefined {
  const byAppointment = encounters.find((e) => e.appointmentId === shift.id);
  if (byAppointment) return byAppointment;
  return encounters.find(
    (e) => !e.appointmentId && e.caregiverId === shift.caregiverId && !!e.start && Date.parse(e.start) < Date.parse(shift.end) && Date.parse(e.start) >= Date.parse(shift.start) - 2 * 3_600_000,
  );
}

function clock(iso: string, zone: string): string {
  return new Date(iso).toLocaleTimeString('en-US', { timeZone: zone, hour: 'numeric', minute: '2-digit' });
}

export function createWhereIsCaregiver(deps: WhereIsCaregiverDeps) {
  const { wellsky, directory, outbox, staffMessages, agency } = deps;
  const zone = agency.agency.timezone;
  const agencyName = agency.agency.name;

  async function caregiverFirstName(id: string): Promise<string | undefined> {
    const known = await directory.lookupPerson('caregiver', id).catch(() => null);
    if (known) return known.firstName;
    const fetched = await wellsky.getCaregiver(id, { interactive: true }).catch(() => null);
    return fetched?.firstName;
  }

  async function checkTodaysVisits(input: CheckTodaysVisitsInput): Promise<CheckTodaysVisitsOutput> {
    const today = localDate(input.now, zone);
    const [shifts, encounters] = await Promise.all([
      wellsky.shiftsForClient(input.clientId, { startDate: today, additionalDays: 0 }, { interactive: true }),
      wellsky.searchEncounters({ clientId: input.clientId, startDate: today, endDate: today }, { interactive: true }),
    ]);
    const visits: TodaysVisit[] = [];
    for (const shift of shifts) {
      if (shift.status === 'CANCELLED' || localDate(shift.start, zone) !== today) continue;
      const encounter = shift.caregiverId ? encounterOf(shift, encounters) : undefined;
      visits.push({
        shiftId: shift.id,
        start: shift.start,
        end: shift.end,
        caregiverId: shift.caregiverId,
        caregiverFirstName: shift.caregiverId ? await caregiverFirstName(shift.caregiverId) : undefined,
        clockedInAt: encounter?.start,
        clockedOutAt: encounter?.end,
      });
    }
    log.info('today\'s visits checked', { clientId: input.clientId, visits: visits.length, clockedIn: visits.filter((v) => v.clockedInAt).length });
    return { visits };
  }

  async function notifyLateCaregiver(input: NotifyLateCaregiverInput): Promise<NotifyLateCaregiverOutput> {
    const { visit } = input;
    const [client, caregiver] = await Promise.all([
      directory.lookupPerson('client', input.clientId).catch(() => null),
      visit.caregiverId ? directory.lookupPerson('caregiver', visit.caregiverId).catch(() => null) : Promise.resolve(null),
    ]);
    const clientName = client ? `${client.firstName} ${client.lastName}`.trim() : `client ${input.clientId}`;
    const caregiverName = caregiver ? `${caregiver.firstName} ${caregiver.lastName}`.trim() : (visit.caregiverFirstName ?? `caregiver ${visit.caregiverId}`);
    const minutesLate = Math.max(0, Math.round((Date.parse(input.now) - Date.parse(visit.start)) / 60_000));
    const when = `${clock(visit.start, zone)}-${clock(visit.end, zone)}`;

    await staffMessages.textRole(
      'scheduler',
      `where-late:${effectKey(input)}`,
      `${agencyName}: NOT CLOCKED IN: ${caregiverName} for ${clientName} today ${when} (${minutesLate} min past start). ` +
        `${describeCaller(input.caller ? [input.caller] : input.identities)}, ${input.callerPhone}, asked where the caregiver is. ` +
        (caregiver?.phones[0] ? 'The caregiver was texted.' : 'No phone on file for the caregiver: please call them.'),
      { shiftId: visit.shiftId, reason: 'whereIsCaregiver' },
    );

    const phone = caregiver?.phones[0];
    if (phone) {
      const clientFirst = client?.firstName ?? '';
      const body =
        caregiver!.language === 'es'
          ? `${agencyName}: la visita de hoy a las ${clock(visit.start, zone)} con ${clientFirst} aun no tiene registro de llegada. Si ya esta alli, registre su llegada; si no, avise a la oficina cuando llegara.`
          : `${agencyName}: your ${clock(visit.start, zone)} visit with ${clientFirst} today has not been clocked in. If you are there, please clock in; if not, please tell the office when you will arrive.`;
      await outbox.send({ to: phone, body, purpose: 'late_check', audience: 'assigned', facts: ['agency', 'time', 'clientFirstName'], idempotencyKey: `where-late:${visit.shiftId}:caregiver`, meta: { shiftId: visit.shiftId } });
    }
    log.info('late caregiver notice sent', { shiftId: visit.shiftId, minutesLate, caregiverTexted: !!phone });
    return { caregiverTexted: !!phone };
  }

  return {
    effects: {
      checkTodaysVisits: fromPromise<CheckTodaysVisitsOutput, CheckTodaysVisitsInput>(({ input }) => checkTodaysVisits(input)),
      notifyLateCaregiver: fromPromise<NotifyLateCaregiverOutput, NotifyLateCaregiverInput>(({ input }) => notifyLateCaregiver(input)),
    },
  };
}
