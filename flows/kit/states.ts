/**
 * The pieces of state config every machine repeats: the emergency and "a person" interrupts,
 * no-input handling, and the yes/no question. Each takes the machine's way of handing a caller
 * back (a `HandBackRoute`), so a flow says once where "back to the router" goes.
 *
 * These build plain config from the names the machines declare in setup() (the kit's guards and
 * actions, and the machine's own); xstate resolves them at runtime, and test/flows/kit.test.ts
 * checks that every name a machine's states use is declared.
 */
import { AWAITING_INPUT } from '../conversation';
import type { HandBack } from './names';

export type Action = string | { type: string; params?: Record<string, unknown> };
export interface Branch {
  target?: string;
  actions?: Action[];
}
export interface Transition extends Branch {
  guard?: string | { type: string; params?: Record<string, unknown> };
}

/** How a machine hands the caller back to the router for a reason. */
export type HandBackRoute = (reason: HandBack) => Branch;

// The builders return `any`: xstate types a transition by the machine's own guard and action
// names, which a shared builder cannot know; test/flows/kit.test.ts checks the names instead.
/* eslint-disable @typescript-eslint/no-explicit-any */

function then(branch: Branch, before: Action[]): Branch {
  return { ...(branch.target ? { target: branch.target } : {}), actions: [...before, ...(branch.actions ?? [])] };
}

/** Emergencies and "a person" interrupt every question: listed first in every INPUT. */
export function interrupts(route: HandBackRoute, before: Action[] = ['noticeLanguage']): any[] {
  const transitions: Transition[] = [
    { guard: 'saidEmergency', ...then(route('emergency'), before) },
    { guard: 'askedForPerson', ...then(route('operator'), before) },
  ];
  return transitions;
}

/**
 * A question's no-input path: ask once more (`again`), then `otherwise` (by default, offer a
 * person or a message through the router).
 */
export function noInput(again: Action[], otherwise: Branch): any[] {
  const transitions: Transition[] = [{ guard: 'silentBefore', ...otherwise }, { actions: ['countSilence', ...again] }];
  return transitions;
}

/**
 * A yes/no question: yes → `yes`, no → `no`, anything else once → said again, twice → a person
 * or a message. `ask` names the action that asks it; `listen` the action that sets the Gather.
 */
export function yesNoQuestion(p: { ask: string; yes: Branch; no: Branch; route: HandBackRoute; listen?: Action[] }): any {
  const secondMiss = p.route('personOrMessage');
  return {
    tags: AWAITING_INPUT,
    entry: ['resetRetries', p.ask, ...(p.listen ?? [])],
    on: {
      INPUT: [
        ...interrupts(p.route),
        { guard: 'saidYes', ...then(p.yes, ['noticeLanguage']) },
        { guard: 'saidNo', ...then(p.no, ['noticeLanguage']) },
        { guard: 'misunderstoodBefore', ...secondMiss },
        { actions: ['noticeLanguage', 'countMisunderstanding', 'sayDidNotUnderstand', p.ask] },
      ],
      NO_INPUT: noInput(['sayDidNotCatch', p.ask], secondMiss),
    },
  };
}
