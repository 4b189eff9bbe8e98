/** `patients/`: clients (isClient=true) and prospects. */
import type { RequestHandler, Router } from 'express';
import { agencyIdTrap, parsePaging } from '../bundle';
import type { SandboxContext } from '../context';
import type { Patient } from '../resources';
import { clone } from '../resources';
import { assertPhoneParam, notFound } from '../rules';
import { body, param, searchParams, type Params } from './params';
import { checkPersonWrite, firstNameIs, hasPhone, lastNameContains, lastNameIs, livesIn } from './people';

export function searchPatients(ctx: SandboxContext, p: Params): Patient[] {
  assertPhoneParam(p.mobile_phone);
  assertPhoneParam(p.home_phone);
  assertPhoneParam(p.work_phone);
  // Field trap: `active=true` returned nothing at all in the field. Reproduced on purpose.
  if (p.active === 'true') return [];
  let found = ctx.state.patients.filter(
    (r) =>
      (p.first_name === undefined || firstNameIs(r, p.first_name)) &&
      (p.last_name === undefined || lastNameIs(r, p.last_name)) &&
      (p['last_name:contains'] === undefined || lastNameContains(r, p['last_name:contains'])) &&
      (p.city === undefined || livesIn(r, 'city', p.city)) &&
      (p.active === undefined || String(r.active) === p.active) &&
      (p.mobile_phone === undefined || hasPhone(r, 'mobile', p.mobile_phone)) &&
      (p.home_phone === undefined || hasPhone(r, 'home', p.home_phone)) &&
      (p.work_phone === undefined || hasPhone(r, 'work', p.work_phone)),
  );
  if (p.agencyId !== undefined) found = agencyIdTrap(found);
  return found;
}

export function mountPatients(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  const search: RequestHandler = (req, res) => {
    const p = searchParams(req);
    const paging = parsePaging(p);
    res.json(ctx.bundles.bundle(searchPatients(ctx, p), paging));
  };
  const find = (id: string): Patient => {
    const found = ctx.state.patients.find((r) => r.id === id);
    if (!found) throw notFound(`Patient ${id}`);
    return found;
  };

  router.get('/v1/patients/', auth, search);
  router.post('/v1/patients/_search/', auth, search);

  router.post('/v1/patients/', auth, (req, res) => {
    const b = body(req);
    checkPersonWrite(b, 'Patient', ctx.agencyId);
    const created = { ...clone(b), resourceType: 'Patient', id: ctx.ids.take('patient'), active: b.active ?? true, telecom: b.telecom ?? [] } as Patient;
    ctx.state.patients.push(created);
    ctx.changes.patientChanged(undefined, created);
    // WellSky answers a create with the id only; read it back with a GET.
    res.status(201).json({ resourceType: 'Patient', id: created.id });
  });

  router.get('/v1/patients/:id/', auth, (req, res) => {
    res.json(find(param(req, 'id')));
  });

  router.put('/v1/patients/:id/', auth, (req, res) => {
    const before = find(param(req, 'id'));
    const b = body(req);
    checkPersonWrite(b, 'Patient', ctx.agencyId);
    // Which is true is unproven (docs/wellsky.md): the vendor reference shows a partial body, the
    // sandbox's default treats PUT as full replacement and drops what was not sent.
    const after =
      ctx.config.patientPut === 'merge'
        ? ({ ...clone(before), ...clone(b), resourceType: 'Patient', id: before.id } as Patient)
        : ({ ...clone(b), resourceType: 'Patient', id: before.id, active: b.active ?? true, telecom: b.telecom ?? [] } as Patient);
    ctx.state.patients[ctx.state.patients.indexOf(before)] = after;
    ctx.changes.patientChanged(before, after);
    res.json(after);
  });

  router.delete('/v1/patients/:id/', auth, (req, res) => {
    const found = find(param(req, 'id'));
    ctx.state.patients.splice(ctx.state.patients.indexOf(found), 1);
    res.status(204).end();
  });
}
