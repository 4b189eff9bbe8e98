/**
 * The conversation kit (flows/kit/): every machine's states name only guards and actions the
 * machine declares (the kit's builders produce plain config that xstate resolves only when a
 * transition is taken, so a misspelt name would fail in front of a caller, not at start-up), and
 * every reason a flow can hand a caller back for is one the router acts on.
 */
import { calloutMachine } from '../../flows/callout.machine';
import { complaintMachine } from '../../flows/complaint.machine';
import { HAND_BACKS, handBackTopic, readHandBack } from '../../flows/kit';
import { leadMachine } from '../../flows/lead.machine';
import { smsRouterMachine, voiceRouterMachine } from '../../flows/router.machine';
import { whereIsCaregiverMachine } from '../../flows/where-is-caregiver.machine';

/* eslint-disable @typescript-eslint/no-explicit-any */
const MACHINES: Record<string, any> = {
  voiceRouter: voiceRouterMachine,
  smsRouter: smsRouterMachine,
  callout: calloutMachine,
  complaint: complaintMachine,
  lead: leadMachine,
  whereIsCaregiver: whereIsCaregiverMachine,
};

function guardNames(guard: unknown): string[] {
  if (!guard) return [];
  if (typeof guard === 'string') return [guard];
  if (typeof guard === 'function') return ((guard as any).guards ?? []).flatMap(guardNames);
  if (typeof guard === 'object' && typeof (guard as any).type === 'string') return [(guard as any).type];
  return [];
}

function actionNames(actions: unknown): string[] {
  const list = Array.isArray(actions) ? actions : actions ? [actions] : [];
  return list.flatMap((a: any) => (typeof a === 'string' ? [a] : typeof a?.type === 'string' ? [a.type] : []));
}

/** Every guard and action name a machine's states refer to, with where. */
function namesUsed(machine: any): { guards: Map<string, string>; actions: Map<string, string> } {
  const guards = new Map<string, string>();
  const actions = new Map<string, string>();
  const visit = (node: any) => {
    const where = node.id as string;
    for (const name of actionNames(node.entry)) actions.set(name, where);
    for (const name of actionNames(node.exit)) actions.set(name, where);
    const transitions = [...node.transitions.values()].flat().concat(node.always ?? []);
    for (const t of transitions) {
      for (const name of guardNames(t.guard)) guards.set(name, `${where} (${t.eventType})`);
      for (const name of actionNames(t.actions)) actions.set(name, `${where} (${t.eventType})`);
    }
    for (const child of Object.values(node.states ?? {})) visit(child);
  };
  visit(machine.root);
  return { guards, actions };
}

describe('the conversation kit', () => {
  it.each(Object.keys(MACHINES))('%s: every guard and action its states use is declared', (name) => {
    const machine = MACHINES[name];
    const { guards, actions } = namesUsed(machine);
    const declaredGuards = new Set(Object.keys(machine.implementations.guards));
    const declaredActions = new Set(Object.keys(machine.implementations.actions));
    const missing = [
      ...[...guards].filter(([g]) => !declaredGuards.has(g)).map(([g, where]) => `guard ${g} at ${where}`),
      ...[...actions].filter(([a]) => !declaredActions.has(a) && !a.startsWith('xstate.')).map(([a, where]) => `action ${a} at ${where}`),
    ];
    expect(missing).toEqual([]);
    // The walk saw the machine's states: the shared interrupts are among the names used.
    expect(guards.has('saidEmergency')).toBe(true);
  });

  it('the routers act on every reason a flow hands a caller back for', () => {
    for (const router of [voiceRouterMachine, smsRouterMachine] as any[]) {
      const start = router.root.states.waitingForStart ?? router.root.states[router.root.initial?.target?.[0]?.key];
      const handled = new Set<string>();
      const visit = (node: any) => {
        for (const t of [...node.transitions.values()].flat().concat(node.always ?? [])) {
          const g = t.guard;
          if (g && typeof g === 'object' && g.type === 'handedBack') handled.add(g.params.reason);
          if (g === 'handedBackForMessage') handled.add('message');
        }
        for (const child of Object.values(node.states ?? {})) visit(child);
      };
      visit(start ?? router.root);
      expect([...handled].sort()).toEqual([...HAND_BACKS].sort());
    }
  });

  it('writes and reads a hand-back topic, a message with its topic', () => {
    expect(handBackTopic('operator')).toBe('operator');
    expect(readHandBack(handBackTopic('message', 'late'))).toEqual({ reason: 'message', messageTopic: 'late' });
    expect(readHandBack('urgentShift')).toEqual({ reason: 'urgentShift' });
    expect(readHandBack('complaint')).toBeNull();
  });
});
