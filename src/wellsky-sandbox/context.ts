/**
 * What every sandbox route reads: the live state, the run-time configuration, the clock, the
 * bundle style and the change feed that drives subscriptions.
 */
import type { BundleStyle, CountField, EntryShape } from './bundle';
import type { CompletedSpelling, OpenShiftShape, PatientPut, TimeFormat } from './quirks';
import type { SandboxState } from './resources';
import type { ChangeFeed } from './webhooks';

export interface SandboxConfig {
  countField: CountField;
  entryShape: EntryShape;
  allowAppointmentPut: boolean;
  rateLimitPerSecond: number;
  tokenTtlSeconds: number;
  /** Spelling of a finished visit: `COMPLETE` (vendor reference, field traces) or `COMPLETED`. */
  encounterStatus: CompletedSpelling;
  /** `_page` of encounter search and profile tags: `one-based` (vendor reference) or `zero-based`. */
  encounterPaging: 'one-based' | 'zero-based';
  openShiftShape: OpenShiftShape;
  timeFormat: TimeFormat;
  patientPut: PatientPut;
}

export interface SandboxContext {
  state: SandboxState;
  agencyId: string;
  timezone: string;
  now: () => Date;
  config: SandboxConfig;
  bundles: BundleStyle;
  ids: IdSequence;
  changes: ChangeFeed;
}

type Kind = 'practitioner' | 'patient' | 'appointment' | 'relatedPerson' | 'encounter' | 'taskLog' | 'adminTask' | 'subscription';

/** Numeric-string ids that continue after the highest one in the seed. */
export class IdSequence {
  private next = new Map<Kind, number>();

  constructor(state: SandboxState) {
    const start = (ids: (string | number)[], floor: number): number =>
      ids.reduce<number>((max, id) => (/^\d+$/.test(String(id)) ? Math.max(max, Number(id) + 1) : max), floor);
    this.next.set('practitioner', start(state.practitioners.map((r) => r.id), 3400001));
    this.next.set('patient', start(state.patients.map((r) => r.id), 2880001));
    this.next.set('appointment', start(state.appointments.map((r) => r.id), 109200001));
    this.next.set('relatedPerson', start(state.relatedPersons.map((r) => r.id), 5200001));
    this.next.set('encounter', start(state.encounters.map((r) => r.id), 88100001));
    this.next.set('taskLog', start(state.taskLogs.map((r) => r.id), 12001));
    this.next.set('adminTask', start(state.adminTasks.map((r) => r.id), 7700001));
    this.next.set('subscription', start(state.subscriptions.map((r) => r.id), 901));
  }

  take(kind: Kind): string {
    const n = this.next.get(kind)!;
    this.next.set(kind, n + 1);
    return String(n);
  }
}
