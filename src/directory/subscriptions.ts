/**
 * Asks WellSky to tell us when people change. Never proven in the field: an accelerator for the
 * directory, which the scheduled full sync keeps correct without it. So nothing here throws.
 */
import { moduleLog } from '../log';
import type { WellSky } from '../wellsky/service';

const log = moduleLog('directory.subscriptions');

export const DIRECTORY_SUBSCRIPTION_CRITERIA = [
  'practitioner.telecom.changed',
  'practitioner.deactivated.changed',
  'patient.created',
  'patient.telecom.changed',
  'prospect.status.changed',
] as const;

export interface SubscriptionOutcome {
  created: string[];
  existing: string[];
  /** Existing subscriptions whose end was moved forward. */
  renewed: string[];
  failed: string[];
}

/** How far ahead a subscription's end is moved each time it is renewed (the job runs daily). */
export const SUBSCRIPTION_RENEWAL_DAYS = 30;

export async function registerSubscriptions(opts: {
  wellsky: WellSky;
  publicBaseUrl: string;
  secret: string | undefined;
  now?: () => Date;
}): Promise<SubscriptionOutcome> {
  const outcome: SubscriptionOutcome = { created: [], existing: [], renewed: [], failed: [] };
  const now = opts.now ?? (() => new Date());
  const endpoint = `${opts.publicBaseUrl.replace(/\/+$/, '')}/wellsky/webhook`;
  if (!opts.secret) {
    log.warn('WELLSKY_WEBHOOK_SECRET is not set: not subscribing to WellSky changes (the scheduled sync still runs)');
    outcome.failed.push(...DIRECTORY_SUBSCRIPTION_CRITERIA);
    return outcome;
  }

  let existing: Set<string>;
  let ours: { id: string; criteria: string }[];
  try {
    const subscriptions = await opts.wellsky.listSubscriptions();
    ours = subscriptions.filter((s) => sameEndpoint(s.endpoint, endpoint));
    existing = new Set(ours.map((s) => s.criteria));
  } catch (err) {
    log.warn('could not list WellSky subscriptions; will try again at next start', { error: (err as Error).message });
    outcome.failed.push(...DIRECTORY_SUBSCRIPTION_CRITERIA);
    return outcome;
  }

  const until = new Date(now().getTime() + SUBSCRIPTION_RENEWAL_DAYS * 86_400_000);
  for (const criteria of DIRECTORY_SUBSCRIPTION_CRITERIA) {
    if (existing.has(criteria)) {
      outcome.existing.push(criteria);
      for (const sub of ours.filter((s) => s.criteria === criteria)) {
        try {
          await opts.wellsky.renewSubscription(sub.id, until);
          outcome.renewed.push(criteria);
        } catch (err) {
          log.warn('could not renew a WellSky subscription', { criteria, error: (err as Error).message });
          outcome.failed.push(criteria);
        }
      }
      continue;
    }
    try {
      await opts.wellsky.createSubscription({ criteria, endpoint, secret: opts.secret });
      outcome.created.push(criteria);
    } catch (err) {
      log.warn('could not create a WellSky subscription', { criteria, error: (err as Error).message });
      outcome.failed.push(criteria);
    }
  }
  if (outcome.created.length) log.info('WellSky subscriptions created', { criteria: outcome.created, endpoint });
  return outcome;
}

function sameEndpoint(a: string, b: string): boolean {
  return a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase();
}
