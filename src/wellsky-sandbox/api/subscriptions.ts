/** `subscriptions/`: rest-hook webhooks (delivery lives in ../webhooks.ts). */
import type { RequestHandler, Router } from 'express';
import type { SandboxContext } from '../context';
import type { Subscription } from '../resources';
import { assertBmpOnly, notFound, unprocessable } from '../rules';
import { body, param } from './params';

export function mountSubscriptions(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  /** A Subscription body as POST and PUT take it, or 422. `end` (ISO date-time) is optional. */
  const checkSubscription = (b: Record<string, unknown>, id: string): Subscription => {
    assertBmpOnly(b);
    if (typeof b.criteria !== 'string' || !/^[a-z]+(\.[a-z]+)+$/.test(b.criteria)) {
      throw unprocessable('criteria must look like "patient.telecom.changed"');
    }
    const channel = b.channel as Record<string, unknown> | undefined;
    if (!channel || channel.type !== 'rest-hook') throw unprocessable('channel.type must be "rest-hook"');
    if (typeof channel.endpoint !== 'string' || !/^https?:\/\/\S+$/.test(channel.endpoint)) throw unprocessable('channel.endpoint must be an http(s) URL');
    const header = channel.header ?? [];
    if (!Array.isArray(header) || header.some((h) => typeof h !== 'string' || !h.includes(':'))) {
      throw unprocessable('channel.header must be an array of "Name: value" strings');
    }
    if (b.end !== undefined && (typeof b.end !== 'string' || Number.isNaN(Date.parse(b.end)))) throw unprocessable('end must be a date-time');
    const sub: Subscription = {
      resourceType: 'Subscription',
      id,
      status: 'active',
      criteria: b.criteria,
      channel: {
        type: 'rest-hook',
        endpoint: channel.endpoint,
        payload: typeof channel.payload === 'string' ? channel.payload : 'application/fhir+json',
        header: header as string[],
      },
      ...(typeof b.end === 'string' ? { end: b.end } : {}),
    };
    return sub;
  };

  router.post('/v1/subscriptions/', auth, (req, res) => {
    const sub = checkSubscription(body(req), ctx.ids.take('subscription'));
    ctx.state.subscriptions.push(sub);
    res.status(201).json(sub);
  });

  const indexOf = (id: string): number => {
    const i = ctx.state.subscriptions.findIndex((s) => s.id === id);
    if (i < 0) throw notFound(`Subscription ${id}`);
    return i;
  };

  router.get('/v1/subscriptions/:id/', auth, (req, res) => {
    res.json(ctx.state.subscriptions[indexOf(param(req, 'id'))]);
  });

  // Full replacement (how renewal is done: read, move `end`, write back).
  router.put('/v1/subscriptions/:id/', auth, (req, res) => {
    const i = indexOf(param(req, 'id'));
    const sub = checkSubscription(body(req), ctx.state.subscriptions[i].id);
    ctx.state.subscriptions[i] = sub;
    res.json(sub);
  });

  router.get('/v1/subscriptions/', auth, (_req, res) => {
    res.json(ctx.bundles.bundle(ctx.state.subscriptions, undefined));
  });

  router.delete('/v1/subscriptions/:id/', auth, (req, res) => {
    const id = param(req, 'id');
    const i = ctx.state.subscriptions.findIndex((s) => s.id === id);
    if (i < 0) throw notFound(`Subscription ${id}`);
    ctx.state.subscriptions.splice(i, 1);
    res.status(204).end();
  });
}
