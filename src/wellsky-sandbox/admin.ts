/**
 * `/_sandbox/…`: the developer's remote control. No auth, never rate-limited or fault-injected,
 * never in the request log. A mutation here stands for an office edit in WellSky's own screens
 * and fires subscriptions like one.
 */
import express, { type Router } from 'express';
import { clockIn } from './api/encounters';
import { param } from './api/params';
import type { SandboxConfig, SandboxContext } from './context';
import type { Faults, Meta, Patient, Practitioner, RequestLogEntry, WebhookDelivery } from './resources';
import { clone } from './resources';
import { HttpError, assertTelecom, badRequest, notFound } from './rules';

export interface AdminControls {
  ctx: () => SandboxContext;
  requestLog: RequestLogEntry[];
  deliveries: WebhookDelivery[];
  faults: () => Faults;
  setFaults: (f: Partial<Faults>) => void;
  configure: (c: Partial<SandboxConfig>) => void;
  reset: (o?: { regenerate?: boolean }) => void;
}

/** Shallow merge, except meta.tag, which merges tag by tag (code → display). */
export function applyPatch<T extends object>(target: T, patch: Record<string, unknown>): T {
  const next = { ...clone(target), ...clone(patch) } as T & { meta?: Meta };
  const patchTags = (patch.meta as Meta | undefined)?.tag;
  const meta = (target as { meta?: Meta }).meta;
  if (Array.isArray(patchTags) && meta) {
    const tags = clone(meta.tag ?? []);
    for (const t of patchTags) {
      const existing = tags.find((x) => x.code === t.code);
      if (existing) existing.display = t.display;
      else tags.push({ ...t });
    }
    next.meta = { ...meta, ...(patch.meta as Meta), tag: tags };
  }
  return next;
}

export function adminRouter(c: AdminControls): Router {
  const r = express.Router();
  r.use(express.json({ type: ['application/json', 'application/*+json'] }));

  r.get('/requests', (_req, res) => {
    res.json(c.requestLog);
  });
  r.delete('/requests', (_req, res) => {
    c.requestLog.length = 0;
    res.status(204).end();
  });

  r.get('/faults', (_req, res) => {
    res.json(c.faults());
  });
  r.post('/faults', (req, res) => {
    c.setFaults((req.body ?? {}) as Partial<Faults>);
    res.json(c.faults());
  });

  r.get('/config', (_req, res) => {
    res.json(c.ctx().config);
  });
  r.post('/config', (req, res) => {
    c.configure((req.body ?? {}) as Partial<SandboxConfig>);
    res.json(c.ctx().config);
  });

  r.post('/reset', (req, res) => {
    c.reset({ regenerate: req.query.regenerate === '1' || req.query.regenerate === 'true' });
    res.json({ ok: true });
  });

  r.get('/state/summary', (_req, res) => {
    const s = c.ctx().state;
    const isClient = (p: Patient) => p.meta.tag.some((t) => t.code === 'isClient' && t.display === 'true');
    const isHired = (p: Practitioner) => p.meta.tag.some((t) => t.code === 'isHired' && t.display === 'true');
    res.json({
      practitioners: s.practitioners.length,
      caregivers: s.practitioners.filter((p) => p.active && isHired(p)).length,
      patients: s.patients.length,
      clients: s.patients.filter((p) => p.active && isClient(p)).length,
      prospects: s.patients.filter((p) => !isClient(p)).length,
      relatedPersons: s.relatedPersons.length,
      appointments: s.appointments.length,
      openAppointments: s.appointments.filter((a) => !a.caregiver?.id).length,
      encounters: s.encounters.length,
      taskLogs: s.taskLogs.length,
      adminTasks: s.adminTasks.length,
      subscriptions: s.subscriptions.length,
      profileTags: s.profileTags.length,
      requests: c.requestLog.length,
      webhookDeliveries: c.deliveries.length,
    });
  });

  r.get('/webhooks', (_req, res) => {
    res.json(c.deliveries);
  });

  r.post('/clock-in/:appointmentId', (req, res) => {
    const e = clockIn(c.ctx(), param(req, 'appointmentId'));
    res.json({ id: Number(e.id), status: e.status, success: true });
  });

  r.post('/mutate/:resource/:id', (req, res) => {
    const ctx = c.ctx();
    const id = param(req, 'id');
    const patch = req.body as Record<string, unknown> | undefined;
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('Body must be a JSON object: the fields to change');
    if ('telecom' in patch) assertTelecom(patch.telecom);
    const kind = param(req, 'resource').toLowerCase();
    const s = ctx.state;
    if (kind === 'practitioner' || kind === 'practitioners') {
      const i = s.practitioners.findIndex((p) => p.id === id);
      if (i < 0) throw notFound(`Practitioner ${id}`);
      const before = s.practitioners[i];
      s.practitioners[i] = applyPatch(before, { ...patch, id, resourceType: 'Practitioner' });
      ctx.changes.practitionerChanged(before, s.practitioners[i]);
      res.json(s.practitioners[i]);
    } else if (kind === 'patient' || kind === 'patients') {
      const i = s.patients.findIndex((p) => p.id === id);
      if (i < 0) throw notFound(`Patient ${id}`);
      const before = s.patients[i];
      s.patients[i] = applyPatch(before, { ...patch, id, resourceType: 'Patient' });
      ctx.changes.patientChanged(before, s.patients[i]);
      res.json(s.patients[i]);
    } else if (kind === 'appointment' || kind === 'appointments') {
      const i = s.appointments.findIndex((a) => a.id === id);
      if (i < 0) throw notFound(`Appointment ${id}`);
      s.appointments[i] = applyPatch(s.appointments[i], { ...patch, id, resourceType: 'Appointment' });
      res.json(s.appointments[i]);
    } else if (kind === 'relatedperson' || kind === 'relatedpersons') {
      const i = s.relatedPersons.findIndex((p) => p.id === id);
      if (i < 0) throw notFound(`RelatedPerson ${id}`);
      s.relatedPersons[i] = applyPatch(s.relatedPersons[i], { ...patch, id, resourceType: 'RelatedPerson' });
      res.json(s.relatedPersons[i]);
    } else {
      throw new HttpError(400, { error: `Unknown resource "${kind}": use practitioners, patients, appointment or relatedperson` });
    }
  });

  r.use((req, res) => {
    res.status(404).json({ error: `No sandbox admin route ${req.method} /_sandbox${req.path}` });
  });
  return r;
}
