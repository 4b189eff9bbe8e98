/**
 * Seed files: an agency's own (synthetic!) data as FHIR-shaped JSON, checked with zod so that a
 * mistake names the field, e.g. `practitioners[2].telecom[0].value: must be 10 digits …`.
 * Format: docs/sandbox.md; example: ../seed.example.json.
 */
import fs from 'node:fs';
import { z } from 'zod';
import type { SeedData } from '../resources';

const tag = z.object({ code: z.string().min(1), display: z.string() });
const meta = z.looseObject({ tag: z.array(tag) });
const name = z.looseObject({ use: z.string().optional(), family: z.string().optional(), given: z.array(z.string()).optional() });
const phoneValue = /^[2-9]\d{9}$/;
const telecom = z
  .looseObject({ system: z.string(), value: z.string(), use: z.string().optional() })
  .superRefine((t, ctx) => {
    if (t.system !== 'phone' && t.system !== 'sms') return;
    const ok = t.use === 'work' ? /^[2-9]\d{9}(x\d{1,6})?$/.test(t.value) : phoneValue.test(t.value);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['value'], message: `must be 10 digits, first digit not 0 or 1 (got "${t.value}")` });
  });
const address = z.looseObject({ use: z.string().optional(), line: z.array(z.string()).optional(), city: z.string().optional(), state: z.string().optional(), postalCode: z.string().optional() });
const communication = z.looseObject({ coding: z.array(z.looseObject({ code: z.string().optional(), display: z.string().optional() })) });
const id = z.string().regex(/^\S+$/, 'must be a non-empty string without spaces');
const utcTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, 'must be a date-time like 2026-01-29T14:00:00+00:00');

const person = {
  id,
  active: z.boolean(),
  name: z.array(name).min(1),
  telecom: z.array(telecom),
  address: z.array(address).optional(),
  gender: z.string().optional(),
  communication: z.array(communication).optional(),
  meta,
};

const practitioner = z.looseObject({ resourceType: z.literal('Practitioner'), ...person });
const patient = z.looseObject({ resourceType: z.literal('Patient'), ...person, birthDate: z.string().optional() });
const relatedPerson = z.looseObject({
  resourceType: z.literal('RelatedPerson'),
  id,
  patient: z.object({ reference: z.string().regex(/^Patient\/\S+$/, 'must be "Patient/{id}"') }),
  name: z.array(name).min(1),
  relationship: z.looseObject({ coding: z.array(z.looseObject({ code: z.string().min(1), display: z.string().optional() })).min(1) }),
  telecom: z.array(telecom),
  primaryContact: z.boolean(),
  emergencyContact: z.boolean(),
});
const appointment = z.looseObject({
  resourceType: z.literal('Appointment'),
  id,
  status: z.enum(['SCHEDULED', 'CONFIRMED', 'IN_PROGRESS', 'COMPLETED', 'CANCELLED', 'MISSED', 'OPEN']),
  caregiver: z.object({ id: z.string() }).nullable().optional(),
  client: z.object({ id }),
  start: utcTime,
  end: utcTime,
});
const profileTag = z.looseObject({ id, name: z.string().min(1), type: z.string().min(1) });
const encounter = z.looseObject({
  resourceType: z.literal('Encounter'),
  id,
  status: z.string(),
  appointment: z.object({ id }),
  client: z.object({ id }),
  period: z.looseObject({ start: utcTime, end: utcTime.optional() }),
});

const seedSchema = z
  .strictObject({
    practitioners: z.array(practitioner),
    patients: z.array(patient),
    relatedPersons: z.array(relatedPerson).default([]),
    appointments: z.array(appointment).default([]),
    profileTags: z.array(profileTag).default([]),
    encounters: z.array(encounter).optional(),
    referralSources: z.array(z.looseObject({ id, name: z.string() })).optional(),
  })
  .superRefine((seed, ctx) => {
    const patients = new Set(seed.patients.map((p) => p.id));
    const practitioners = new Set(seed.practitioners.map((p) => p.id));
    seed.appointments.forEach((a, i) => {
      if (!patients.has(a.client.id)) ctx.addIssue({ code: 'custom', path: ['appointments', i, 'client', 'id'], message: `no patient has id ${a.client.id}` });
      const cg = a.caregiver?.id;
      if (cg && !practitioners.has(cg)) ctx.addIssue({ code: 'custom', path: ['appointments', i, 'caregiver', 'id'], message: `no practitioner has id ${cg}` });
      if (Date.parse(a.end) <= Date.parse(a.start)) ctx.addIssue({ code: 'custom', path: ['appointments', i, 'end'], message: 'must be after start' });
    });
    seed.relatedPersons.forEach((r, i) => {
      const pid = r.patient.reference.slice('Patient/'.length);
      if (!patients.has(pid)) ctx.addIssue({ code: 'custom', path: ['relatedPersons', i, 'patient', 'reference'], message: `no patient has id ${pid}` });
    });
    for (const [key, list] of [['practitioners', seed.practitioners], ['patients', seed.patients], ['appointments', seed.appointments]] as const) {
      const seen = new Set<string>();
      list.forEach((r, i) => {
        if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: [key, i, 'id'], message: `duplicate id ${r.id}` });
        seen.add(r.id);
      });
    }
  });

export class SeedFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedFileError';
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

/** Parses seed data (already read as JSON); errors name every bad field. */
export function parseSeed(data: unknown, source = 'seed'): SeedData {
  const result = seedSchema.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((issue) => `${fieldPath(issue.path) || '(top level)'}: ${issue.message}`);
    const more = result.error.issues.length > 10 ? `\n  … and ${result.error.issues.length - 10} more` : '';
    throw new SeedFileError(`${source} is not a valid sandbox seed:\n  ${lines.join('\n  ')}${more}`);
  }
  return result.data as unknown as SeedData;
}

export function loadSeedFile(path: string): SeedData {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new SeedFileError(`Cannot read seed file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SeedFileError(`Seed file ${path} is not JSON: ${(err as Error).message}`);
  }
  return parseSeed(data, `Seed file ${path}`);
}
