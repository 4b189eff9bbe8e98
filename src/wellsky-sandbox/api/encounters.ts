/**
 * `encounter/`: visits. Clock-in takes an appointment id and is idempotent; clock-out and shift
 * notes (TaskLog) take the encounter id it returned — an appointment id there is a 404.
 */
import type { RequestHandler, Router } from 'express';
import { DateTime } from 'luxon';
import { agencyIdTrap, parsePaging } from '../bundle';
import { dayWindow, inWindow, parseWellskyDateTime, wellskyUtc } from '../calendar';
import type { SandboxContext } from '../context';
import type { Encounter } from '../resources';
import { assertBmpOnly, badRequest, notFound, unprocessable } from '../rules';
import { caregiverOf } from './appointments';
import { naiveZone, pageIndex, presentEncounter, presentStatus } from '../quirks';
import { body, param, searchParams } from './params';

/** Starts (or finds) the visit of a shift. Shared with the admin clock-in convenience. */
export function clockIn(ctx: SandboxContext, appointmentId: string, at?: DateTime): Encounter {
  const appointment = ctx.state.appointments.find((a) => a.id === appointmentId);
  if (!appointment) throw notFound(`Appointment ${appointmentId}`);
  const existing = ctx.state.encounters.find((e) => e.appointment.id === appointmentId);
  if (existing) return existing;
  const cg = caregiverOf(appointment);
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: ctx.ids.take('encounter'),
    status: 'IN_PROGRESS',
    appointment: { id: appointmentId },
    caregiver: cg ? { id: cg } : null,
    client: { id: appointment.client.id },
    period: { start: wellskyUtc(at ?? DateTime.fromJSDate(ctx.now())) },
  };
  ctx.state.encounters.push(encounter);
  appointment.status = 'IN_PROGRESS';
  ctx.changes.encounterClockedIn(encounter);
  return encounter;
}



export function mountEncounters(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  const answer = (e: Encounter) => ({ id: Number(e.id), status: presentStatus(ctx, e.status), success: true });
  const findEncounter = (id: string): Encounter => {
    const found = ctx.state.encounters.find((e) => e.id === id);
    if (!found) throw notFound(`Encounter ${id}`);
    return found;
  };

  router.post('/v1/encounter/_search/', auth, (req, res) => {
    const p = searchParams(req);
    // Vendor reference: _count defaults to 30 and _page starts at 1 here (switchable).
    const asked = parsePaging(p, 30);
    const paging = { ...asked, page: pageIndex(ctx, asked.page) };
    if (!p.clientId && !p.caregiverId) throw badRequest('clientId or caregiverId is required');
    const from = p.startDate ? dayWindow(p.startDate, undefined, ctx.timezone).start : undefined;
    const until = p.endDate ? dayWindow(p.endDate, undefined, ctx.timezone).end : undefined;
    const window = { start: from ?? DateTime.fromMillis(0), end: until ?? DateTime.fromMillis(8.64e15) };
    let found = ctx.state.encounters
      .filter(
        (e) =>
          (!p.clientId || e.client.id === p.clientId) &&
          (!p.caregiverId || e.caregiver?.id === p.caregiverId) &&
          inWindow(e.period.start, window),
      )
      .sort((a, b) => Date.parse(a.period.start) - Date.parse(b.period.start));
    if (p.agencyId !== undefined) found = agencyIdTrap(found);
    res.json(ctx.bundles.bundle(found.map((e) => presentEncounter(ctx, e)), paging));
  });

  router.post('/v1/encounter/:appointmentId/clockin/', auth, (req, res) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    assertBmpOnly(b);
    const startText = (b.period as { start?: unknown } | undefined)?.start;
    const at = startText === undefined ? undefined : parseWellskyDateTime(startText, naiveZone(ctx));
    if (startText !== undefined && !at) throw unprocessable('period.start must be a date-time');
    res.json(answer(clockIn(ctx, param(req, 'appointmentId'), at)));
  });

  router.put('/v1/encounter/:encounterId/clockout/', auth, (req, res) => {
    const encounter = findEncounter(param(req, 'encounterId'));
    const b = body(req);
    assertBmpOnly(b);
    const end = parseWellskyDateTime((b.period as { end?: unknown } | undefined)?.end, naiveZone(ctx));
    if (!end) throw unprocessable('period.end is required: a date-time (YYYY-MM-DDTHH:MM:SS with optional offset)');
    if (b.generalComment !== undefined && typeof b.generalComment !== 'string') throw unprocessable('generalComment must be a string');
    encounter.status = 'COMPLETED';
    encounter.period = { ...encounter.period, end: wellskyUtc(end) };
    if (b.generalComment !== undefined) encounter.generalComment = b.generalComment as string;
    const appointment = ctx.state.appointments.find((a) => a.id === encounter.appointment.id);
    if (appointment) appointment.status = 'COMPLETED';
    ctx.changes.encounterClockedOut(encounter);
    res.json(answer(encounter));
  });

  router.post('/v1/encounter/:encounterId/tasklog/', auth, (req, res) => {
    const encounter = findEncounter(param(req, 'encounterId'));
    const b = body(req);
    assertBmpOnly(b);
    if (typeof b.title !== 'string' && typeof b.description !== 'string') throw unprocessable('a TaskLog needs a title or a description');
    if (b.recorded !== undefined && !parseWellskyDateTime(b.recorded, naiveZone(ctx))) throw unprocessable('recorded must be a date-time');
    const id = Number(ctx.ids.take('taskLog'));
    ctx.state.taskLogs.push({ ...b, id, encounterId: encounter.id });
    res.json({ success: true, taskLogId: id });
  });

  // Vendor reference routes: one visit, and the shift notes written against it.
  router.get('/v1/encounter/:encounterId/', auth, (req, res) => {
    res.json(presentEncounter(ctx, findEncounter(param(req, 'encounterId'))));
  });

  router.get('/v1/encounter/:encounterId/tasklog/', auth, (req, res) => {
    const encounter = findEncounter(param(req, 'encounterId'));
    const logs = ctx.state.taskLogs.filter((t) => t.encounterId === encounter.id);
    res.json(ctx.bundles.bundle(logs.map((t) => ({ resourceType: 'TaskLog', ...t })), undefined));
  });
}
