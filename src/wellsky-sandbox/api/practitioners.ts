/** `practitioners/`: caregivers and applicants. */
import type { RequestHandler, Router } from 'express';
import { agencyIdTrap, parsePaging } from '../bundle';
import type { SandboxContext } from '../context';
import type { Practitioner } from '../resources';
import { clone, tagValue } from '../resources';
import { assertPhoneParam, notFound } from '../rules';
import { body, param, searchParams, type Params } from './params';
import { checkPersonWrite, firstNameIs, hasPhone, lastNameIs, livesIn } from './people';

export function searchPractitioners(ctx: SandboxContext, p: Params): Practitioner[] {
  assertPhoneParam(p.mobile_phone);
  assertPhoneParam(p.home_phone);
  assertPhoneParam(p.work_phone, true);
  const tags = p.tags ? p.tags.split(',').map((t) => t.trim()).filter(Boolean) : [];
  let found = ctx.state.practitioners.filter(
    (r) =>
      (p.first_name === undefined || firstNameIs(r, p.first_name)) &&
      (p.last_name === undefined || lastNameIs(r, p.last_name)) &&
      (p.city === undefined || livesIn(r, 'city', p.city)) &&
      (p.state === undefined || livesIn(r, 'state', p.state)) &&
      (p.active === undefined || String(r.active) === p.active) &&
      (p.is_hired === undefined || (tagValue(r.meta, 'isHired') ?? 'false') === p.is_hired) &&
      (p.mobile_phone === undefined || hasPhone(r, 'mobile', p.mobile_phone)) &&
      (p.home_phone === undefined || hasPhone(r, 'home', p.home_phone)) &&
      (p.work_phone === undefined || hasPhone(r, 'work', p.work_phone)) &&
      tags.every((t) => (tagValue(r.meta, 'profileTags') ?? '').split(',').includes(t)),
  );
  if (p.agencyId !== undefined) found = agencyIdTrap(found);
  return found;
}

export function mountPractitioners(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  const search: RequestHandler = (req, res) => {
    const p = searchParams(req);
    const paging = parsePaging(p);
    res.json(ctx.bundles.bundle(searchPractitioners(ctx, p), paging));
  };
  const find = (id: string): Practitioner => {
    const found = ctx.state.practitioners.find((r) => r.id === id);
    if (!found) throw notFound(`Practitioner ${id}`);
    return found;
  };

  router.get('/v1/practitioners/', auth, search);
  router.post('/v1/practitioners/_search/', auth, search);

  router.post('/v1/practitioners/', auth, (req, res) => {
    const b = body(req);
    checkPersonWrite(b, 'Practitioner', ctx.agencyId);
    const created = { ...clone(b), resourceType: 'Practitioner', id: ctx.ids.take('practitioner'), active: b.active ?? true, telecom: b.telecom ?? [] } as Practitioner;
    ctx.state.practitioners.push(created);
    ctx.changes.practitionerChanged(undefined, created);
    res.status(201).json({ resourceType: 'Practitioner', id: created.id });
  });

  router.get('/v1/practitioners/:id/', auth, (req, res) => {
    res.json(find(param(req, 'id')));
  });

  router.put('/v1/practitioners/:id/', auth, (req, res) => {
    const before = find(param(req, 'id'));
    const b = body(req);
    checkPersonWrite(b, 'Practitioner', ctx.agencyId);
    const after = { ...clone(b), resourceType: 'Practitioner', id: before.id, active: b.active ?? true, telecom: b.telecom ?? [] } as Practitioner;
    ctx.state.practitioners[ctx.state.practitioners.indexOf(before)] = after;
    ctx.changes.practitionerChanged(before, after);
    res.json(after);
  });

  router.delete('/v1/practitioners/:id/', auth, (req, res) => {
    const found = find(param(req, 'id'));
    ctx.state.practitioners.splice(ctx.state.practitioners.indexOf(found), 1);
    res.status(204).end();
  });
}
