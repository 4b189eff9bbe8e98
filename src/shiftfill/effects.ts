/**
 * The call-out flow's effects (flows/callout.machine.ts), provided at the composition root.
 * Each is idempotent by its effect key: a replayed turn records and texts nothing twice.
 */
import { fromPromise } from 'xstate';
import { effectKey } from '../../flows/effects';
import type {
  CancelCallOutInput, CancelCallOutOutput, ClaimOfferInput, ClaimOfferOutput, LookupShiftsInput, LookupShiftsOutput,
  NotifyLateInput, NotifyLateOutput, RecordCallOutInput, RecordCallOutOutput, ShiftOption,
} from '../../flows/callout.machine';
import type { WellSky } from '../wellsky/service';
import type { Directory } from '../directory/types';
import { nowToEndOfTomorrow, searchWindowCovering } from '../time';
import { parseClaim } from '../../flows/understand';
import type { ShiftFill } from './campaigns';

/** Shifts that can still be called out of (or are under way: the flow puts those through). */
const LIVE = new Set(['SCHEDULED', 'CONFIRMED', 'IN_PROGRESS', 'OPEN']);

export function createCalloutEffects(deps: { wellsky: WellSky; directory: Directory; shiftFill: ShiftFill; timezone: string }) {
  const { wellsky, directory, shiftFill, timezone } = deps;
  return {
    /** One appointment search: the caregiver's shifts from now to the end of tomorrow (agency time). */
    lookupShifts: fromPromise<LookupShiftsOutput, LookupShiftsInput>(async ({ input }) => {
      const window = nowToEndOfTomorrow(input.now, timezone);
      const found = await wellsky.shiftsForCaregiver(input.caregiverId, searchWindowCovering(window, timezone), { interactive: true });
      const relevant = found
        .filter((s) => LIVE.has(s.status) && s.caregiverId === input.caregiverId)
        .filter((s) => Date.parse(s.end) > Date.parse(window.start) && Date.parse(s.start) < Date.parse(window.end))
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
      const shifts: ShiftOption[] = [];
      for (const s of relevant) {
        const client = await directory.lookupPerson('client', s.clientId).catch(() => null);
        shifts.push({ id: s.id, clientId: s.clientId, clientFirstName: client?.firstName, start: s.start, end: s.end });
      }
      return { shifts };
    }),

    recordCallOut: fromPromise<RecordCallOutOutput, RecordCallOutInput>(async ({ input }) =>
      shiftFill.recordCallOut({
        key: effectKey(input), conversationId: input.conversationId, channel: input.channel, caregiverId: input.caregiverId,
        callerPhone: input.callerPhone, lang: input.lang, shift: input.shift, reason: input.reason,
      }),
    ),

    notifyLate: fromPromise<NotifyLateOutput, NotifyLateInput>(async ({ input }) =>
      shiftFill.recordLate({
        key: effectKey(input), conversationId: input.conversationId, channel: input.channel, caregiverId: input.caregiverId,
        callerPhone: input.callerPhone, lang: input.lang, shift: input.shift, etaMinutes: input.etaMinutes,
      }),
    ),

    cancelCallOut: fromPromise<CancelCallOutOutput, CancelCallOutInput>(async ({ input }) => {
      const result = await shiftFill.cancelCallOut({ caregiverId: input.caregiverId });
      if (!result.shift) return { outcome: result.outcome };
      const client = await directory.lookupPerson('client', result.shift.clientId).catch(() => null);
      return { outcome: result.outcome, shift: { ...result.shift, clientFirstName: client?.firstName } };
    }),

    /** A caregiver calling to take an offered shift: the same claim as a "YES 4821" text. */
    claimOffer: fromPromise<ClaimOfferOutput, ClaimOfferInput>(async ({ input }) => {
      const code = input.text ? parseClaim(input.text)?.code : undefined;
      const reply = await shiftFill.claimByPhone({ phone: input.callerPhone, code });
      return { outcome: reply };
    }),
  };
}
