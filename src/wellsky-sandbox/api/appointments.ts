/**
 * `appointment/` (singular): shifts. No agency-wide search: a caregiver or a client, and a
 * window of agency-local days (startDate + additionalDays, weekNo or monthNo), or 400.
 */
import type { RequestHandler, Router } from 'express';
import { agencyIdTrap, parsePaging } from '../bundle';
import { dayWindow, inWindow, monthWindow, parseWellskyDateTime, wellskyUtc, weekWindow, type Window } from '../calendar';
import type { SandboxContext } from '../context';
import type { Appointment } from '../resources';
import { clone } from '../resources';
import { naiveZone, presentAppointment } from '../quirks';
import { HttpError, assertAgencyTag, assertBmpOnly, badRequest, notFound, unprocessable } from '../rules';
import { body, param, searchParams, type Params } from './params';

export const APPOINTMENT_STATUSES = ['SCHEDULED', 'CONFIRMED', 'IN_PROGRESS', 'COMPLETED', 'COMPLETE', 'CANCELLED', 'MISSED', 'OPEN'];

/** The caregiver of a shift, or undefined for an open shift (caregiver missing, null or {id:""}). */
export function caregiverOf(a: Appointment): string | undefined {
  const id = a.caregiver?.id;
  return id ? id : undefined;
}

function searchWindow(p: Params, zone: string): Window {
  if (p.startDate !== undefined) return dayWindow(p.startDate, p.additionalDays, zone);
  if (p.weekNo !== undefined) return weekWindow(p.weekNo, zone);
  if (p.monthNo !== undefined) return monthWindow(p.monthNo, zone);
  throw badRequest('One of startDate (YYYYMMDD), weekNo (YYYYWW) or monthNo (YYYYMM) is required');
}

export function searchAppointments(ctx: SandboxContext, p: Params): Appointment[] {
  if (!p.caregiverId && !p.clientId) throw badRequest('caregiverId or clientId is required');
  const window = searchWindow(p, ctx.timezone);
  let found = ctx.state.appointments
    .filter(
      (a) =>
        (!p.caregiverId || caregiverOf(a) === p.caregiverId) &&
        (!p.clientId || a.client?.id === p.clientId) &&
        inWindow(a.start, window),
    )
    .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
  if (p.agencyId !== undefined) found = agencyIdTrap(found);
  return found;
}

/** A PUT is a full replacement: the body must be a whole, plausible Appointment. */
function checkAppointment(ctx: SandboxContext, b: Record<string, unknown>, id: string): Appointment {
  assertBmpOnly(b);
  assertAgencyTag(b.meta, ctx.agencyId);
  if (b.resourceType !== 'Appointment') throw unprocessable('resourceType must be "Appointment"');
  if (b.id !== undefined && String(b.id) !== id) throw unprocessable(`id ${String(b.id)} does not match the path (${id})`);
  if (typeof b.status !== 'string' || !APPOINTMENT_STATUSES.includes(b.status)) {
    throw unprocessable(`status must be one of ${APPOINTMENT_STATUSES.join(', ')}`);
  }
  const client = b.client as { id?: unknown } | undefined;
  if (!client || typeof client.id !== 'string' || !ctx.state.patients.some((p) => p.id === client.id)) {
    throw unprocessable('client.id must name an existing Patient');
  }
  const caregiver = b.caregiver as { id?: unknown } | null | undefined;
  if (caregiver !== undefined && caregiver !== null) {
    if (typeof caregiver !== 'object' || typeof caregiver.id !== 'string') throw unprocessable('caregiver must be {"id":"…"}, null, or absent');
    if (caregiver.id !== '' && !ctx.state.practitioners.some((p) => p.id === caregiver.id)) {
      throw unprocessable(`caregiver.id ${caregiver.id} is not a Practitioner`);
    }
  }
  const start = parseWellskyDateTime(b.start, naiveZone(ctx));
  const end = parseWellskyDateTime(b.end, naiveZone(ctx));
  if (!start || !end) throw unprocessable('start and end must be date-times (YYYY-MM-DDTHH:MM:SS with optional offset)');
  if (end <= start) throw unprocessable('end must be after start');
  const stored = { ...(clone(b) as Appointment), id, start: wellskyUtc(start), end: wellskyUtc(end) };
  // Stored in one spelling; presentAppointment writes it back in the configured one.
  if (stored.status === 'COMPLETE') stored.status = 'COMPLETED';
  return stored;
}

export function mountAppointments(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  const search: RequestHandler = (req, res) => {
    const p = searchParams(req);
    const paging = parsePaging(p);
    res.json(ctx.bundles.bundle(searchAppointments(ctx, p).map((a) => presentAppointment(ctx, a)), paging));
  };
  const find = (id: string): Appointment => {
    const found = ctx.state.appointments.find((a) => a.id === id);
    if (!found) throw notFound(`Appointment ${id}`);
    return found;
  };

  router.get('/v1/appointment/', auth, search);
  router.post('/v1/appointment/_search/', auth, search);

  router.post('/v1/appointment/', auth, (req, res) => {
    const created = checkAppointment(ctx, body(req), ctx.ids.take('appointment'));
    ctx.state.appointments.push(created);
    res.status(201).json({ resourceType: 'Appointment', id: created.id });
  });

  router.get('/v1/appointment/:id/', auth, (req, res) => {
    res.json(presentAppointment(ctx, find(param(req, 'id'))));
  });

  router.put('/v1/appointment/:id/', auth, (req, res) => {
    if (!ctx.config.allowAppointmentPut) {
      throw new HttpError(403, { error: 'Forbidden', message: 'This API key is not permitted to update Appointment resources' });
    }
    const before = find(param(req, 'id'));
    const after = checkAppointment(ctx, body(req), before.id);
    ctx.state.appointments[ctx.state.appointments.indexOf(before)] = after;
    res.json(presentAppointment(ctx, after));
  });

  router.delete('/v1/appointment/:id/', auth, (req, res) => {
    const found = find(param(req, 'id'));
    ctx.state.appointments.splice(ctx.state.appointments.indexOf(found), 1);
    res.status(204).end();
  });
}
