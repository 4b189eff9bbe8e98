/**
 * Subscriptions that really call back: when a resource changes (through the API or a sandbox
 * admin mutation), every active subscription whose criteria names that change gets a POST of
 * `{"resourceType":…,"id":…}` at its endpoint, with its registered headers, after the API call
 * has answered.
 */
import { fetch } from 'undici';
import { moduleLog } from '../log';
import type { Encounter, Patient, Practitioner, Subscription, WebhookDelivery } from './resources';
import { tagValue } from './resources';

const log = moduleLog('sandbox');

/** The criteria this sandbox fires. Others are stored but never fire. */
export const SUPPORTED_CRITERIA = [
  'practitioner.created',
  'practitioner.telecom.changed',
  'practitioner.deactivated.changed',
  'patient.created',
  'patient.telecom.changed',
  'prospect.status.changed',
  'encounter.clockin.changed',
  'encounter.clockout.changed',
] as const;

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export class ChangeFeed {
  private pending = new Set<Promise<void>>();

  constructor(
    private readonly subscriptions: () => Subscription[],
    private readonly deliveries: WebhookDelivery[],
    private readonly now: () => Date,
  ) {}

  practitionerChanged(before: Practitioner | undefined, after: Practitioner): void {
    const events: string[] = [];
    if (!before) events.push('practitioner.created');
    else {
      if (!same(before.telecom, after.telecom)) events.push('practitioner.telecom.changed');
      if (before.active !== after.active) events.push('practitioner.deactivated.changed');
    }
    this.fire(events, 'Practitioner', after.id);
  }

  patientChanged(before: Patient | undefined, after: Patient): void {
    const events: string[] = [];
    const wasProspect = before ? tagValue(before.meta, 'isClient') === 'false' : false;
    const isProspect = tagValue(after.meta, 'isClient') === 'false';
    if (!before) events.push('patient.created');
    else {
      if (!same(before.telecom, after.telecom)) events.push('patient.telecom.changed');
      const statusMoved = tagValue(before.meta, 'status') !== tagValue(after.meta, 'status') || wasProspect !== isProspect;
      if ((wasProspect || isProspect) && statusMoved) events.push('prospect.status.changed');
    }
    this.fire(events, 'Patient', after.id);
  }

  encounterClockedIn(encounter: Encounter): void {
    this.fire(['encounter.clockin.changed'], 'Encounter', encounter.id);
  }

  encounterClockedOut(encounter: Encounter): void {
    this.fire(['encounter.clockout.changed'], 'Encounter', encounter.id);
  }

  /** Resolves when every delivery started so far has finished (tests await this). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private fire(events: string[], resourceType: string, id: string): void {
    if (!events.length) return;
    for (const sub of this.subscriptions()) {
      if (sub.status !== 'active' || !events.includes(sub.criteria)) continue;
      const delivery = this.deliver(sub, { resourceType, id: /^\d+$/.test(id) ? Number(id) : id });
      this.pending.add(delivery);
      void delivery.finally(() => this.pending.delete(delivery));
    }
  }

  private async deliver(sub: Subscription, payload: WebhookDelivery['payload']): Promise<void> {
    // Answer the API call first, then call back, like a real webhook.
    await new Promise((r) => setImmediate(r));
    const record: WebhookDelivery = { at: this.now().toISOString(), subscriptionId: sub.id, criteria: sub.criteria, endpoint: sub.channel.endpoint, payload };
    const headers: Record<string, string> = { 'content-type': sub.channel.payload || 'application/fhir+json' };
    for (const line of sub.channel.header ?? []) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    try {
      const res = await fetch(sub.channel.endpoint, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(5000) });
      await res.arrayBuffer().catch(() => undefined);
      record.status = res.status;
      if (!res.ok) log.warn('subscription endpoint answered an error', { subscriptionId: sub.id, criteria: sub.criteria, status: res.status });
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      log.warn('subscription delivery failed', { subscriptionId: sub.id, criteria: sub.criteria, error: record.error });
    }
    this.deliveries.push(record);
  }
}
