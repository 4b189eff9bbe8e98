/**
 * The real implementations of the effects conversation machines name (flows/effects.ts),
 * provided at the composition root with `machine.provide({ actors })`. Each is idempotent by its
 * effect key (conversation id + step): a replayed turn stores and texts nothing twice.
 */
import { fromPromise } from 'xstate';
import {
  effectKey,
  type AlertStaffInput,
  type AlertStaffOutput,
  type TakeMessageInput,
  type TakeMessageOutput,
} from '../../flows/effects';
import type { AgencyConfig } from '../config';
import { describeCaller, type StaffMessages } from './staff-messages';

export function createEffects(deps: { staffMessages: StaffMessages; agency: AgencyConfig }) {
  const { staffMessages, agency } = deps;
  return {
    takeMessage: fromPromise<TakeMessageOutput, TakeMessageInput>(async ({ input }) => {
      const { reference } = await staffMessages.take({
        key: effectKey(input),
        conversationId: input.conversationId,
        role: input.role,
        topic: input.topic,
        callerPhone: input.callerPhone,
        identities: input.identities,
        body: input.text,
        recordingUrl: input.recordingUrl,
        incomplete: input.incomplete,
      });
      return { reference };
    }),

    alertStaff: fromPromise<AlertStaffOutput, AlertStaffInput>(async ({ input }) => {
      const who = `${describeCaller(input.identities)}, ${input.callerPhone}`;
      const what =
        input.reason === 'emergency'
          ? `EMERGENCY reported by ${who}. They were told to dial 911. Please call them now.`
          : input.reason === 'operator'
            ? `${who} asked to speak to a person. Please call them back.`
            : `URGENT: ${who} needs someone now. Please call them back right away.`;
      const text = input.text ? ` They wrote: "${input.text.slice(0, 300)}"` : '';
      await staffMessages.textRole(input.role, `alert:${effectKey(input)}`, `${agency.agency.name}: ${what}${text}`, { reason: input.reason });
    }),
  };
}
