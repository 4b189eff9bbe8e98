/**
 * The FHIR-flavoured shapes WellSky answers, as zod schemas. They are deliberately loose:
 * extra fields pass through untouched, optional fields may be missing or null, ids may be
 * strings or numbers. Only what the product cannot work without is required. No schema
 * transforms anything, so a parsed resource is the same JSON WellSky sent — which is what lets
 * `assignShift` PUT an appointment back exactly as it was read.
 */
import { z } from 'zod';
import { ResponseShapeError } from './errors';

const id = z.union([z.string().min(1), z.number()]);
const optionalId = z.union([z.string(), z.number()]).nullish();
const text = z.string().nullish();
/** Booleans have been seen as true/"true"; mapping decides. */
const flag = z.union([z.boolean(), z.string(), z.number()]).nullish();
const list = <T extends z.ZodType>(item: T) => z.array(item).nullish();

export const tagSchema = z.looseObject({
  code: text,
  display: z.union([z.string(), z.number(), z.boolean()]).nullish(),
});

export const metaSchema = z.looseObject({ tag: list(tagSchema) }).nullish();

export const humanNameSchema = z.looseObject({
  use: text,
  text,
  family: text,
  given: list(z.string()),
});

export const contactPointSchema = z.looseObject({
  system: text,
  value: z.union([z.string(), z.number()]).nullish(),
  use: text,
});

export const addressSchema = z.looseObject({
  use: text,
  line: list(z.string()),
  city: text,
  state: text,
  postalCode: z.union([z.string(), z.number()]).nullish(),
});

export const codingSchema = z.looseObject({ system: text, code: text, display: text });

/** WellSky puts `coding` directly on the entry; standard FHIR nests it in `language`. */
export const communicationSchema = z.looseObject({
  coding: list(codingSchema),
  language: z.looseObject({ coding: list(codingSchema), text }).nullish(),
});

const person = {
  resourceType: text,
  id,
  active: flag,
  name: list(humanNameSchema),
  telecom: list(contactPointSchema),
  address: list(addressSchema),
  gender: text,
  communication: list(communicationSchema),
  meta: metaSchema,
};

export const practitionerSchema = z.looseObject(person);
export const patientSchema = z.looseObject(person);

const reference = z.looseObject({ id: optionalId, reference: text });

export const appointmentSchema = z.looseObject({
  resourceType: text,
  id,
  status: text,
  /** Open shift: missing, null or {"id":""}. */
  caregiver: reference.nullish(),
  client: z.looseObject({ id }),
  start: z.string(),
  end: z.string(),
  scheduledItems: list(z.looseObject({ id: optionalId, name: text })),
  tasks: list(z.looseObject({ id: optionalId, description: text, status: text })),
  meta: metaSchema,
});

export const encounterSchema = z.looseObject({
  resourceType: text,
  id,
  status: text,
  appointment: reference.nullish(),
  appointmentId: optionalId,
  client: reference.nullish(),
  clientId: optionalId,
  caregiver: reference.nullish(),
  caregiverId: optionalId,
  period: z.looseObject({ start: text, end: text }).nullish(),
});

/** `relationship` is one CodeableConcept in WellSky's examples, a list in standard FHIR. */
const codeableConcept = z.looseObject({ coding: list(codingSchema), text });

export const relatedPersonSchema = z.looseObject({
  resourceType: text,
  id,
  patient: reference.nullish(),
  name: list(humanNameSchema),
  relationship: z.union([codeableConcept, z.array(codeableConcept)]).nullish(),
  telecom: list(contactPointSchema),
  emergencyContact: flag,
  primaryContact: flag,
  payer: flag,
  poa: flag,
});

export const profileTagSchema = z.looseObject({
  id,
  name: text,
  description: text,
  display: text,
  type: text,
  tagType: text,
  category: text,
});

export const subscriptionSchema = z.looseObject({
  id,
  criteria: text,
  status: text,
  channel: z.looseObject({ type: text, endpoint: text }).nullish(),
});

/** Creates answer `{resourceType, id}` or `{id}`. */
export const createdSchema = z.looseObject({ id });

export const taskLogCreatedSchema = z.looseObject({ success: flag, taskLogId: id });

export const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  /** A string of seconds in the field ("3599"); a number is accepted too. */
  expires_in: z.union([z.string(), z.number()]).nullish(),
});

export const bundleSchema = z.looseObject({
  resourceType: text,
  total: z.union([z.number(), z.string()]).nullish(),
  totalRecords: z.union([z.number(), z.string()]).nullish(),
  entry: z.array(z.unknown()).nullish(),
});

export type FhirTag = z.infer<typeof tagSchema>;
export type FhirMeta = z.infer<typeof metaSchema>;
export type FhirContactPoint = z.infer<typeof contactPointSchema>;
export type FhirHumanName = z.infer<typeof humanNameSchema>;
export type FhirAddress = z.infer<typeof addressSchema>;
export type FhirCommunication = z.infer<typeof communicationSchema>;
export type FhirPractitioner = z.infer<typeof practitionerSchema>;
export type FhirPatient = z.infer<typeof patientSchema>;
export type FhirAppointment = z.infer<typeof appointmentSchema>;
export type FhirEncounter = z.infer<typeof encounterSchema>;
export type FhirRelatedPerson = z.infer<typeof relatedPersonSchema>;
export type FhirProfileTag = z.infer<typeof profileTagSchema>;
export type FhirSubscription = z.infer<typeof subscriptionSchema>;

// ---------------------------------------------------------------------------------------------
// Parsing with errors that name the field
// ---------------------------------------------------------------------------------------------

export interface Where {
  method: string;
  path: string;
}

/** ["entry", 3, "resource", "id"] → "entry[3].resource.id" */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function describe(issue: z.core.$ZodIssue, prefix: ReadonlyArray<PropertyKey>): string {
  const field = formatPath([...prefix, ...issue.path]);
  return `${field}: ${issue.message}`;
}

/** Validates one value; on failure a ResponseShapeError naming the field path. */
export function parseShape<S extends z.ZodType>(schema: S, value: unknown, where: Where, prefix: ReadonlyArray<PropertyKey> = []): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ResponseShapeError(
    `WellSky ${where.method} ${where.path} answered a shape we cannot read: ${describe(issue, prefix)}`,
    undefined,
    where.method,
    where.path,
  );
}

export interface Page<T> {
  entries: T[];
  /** The count WellSky reported (`totalRecords` or `total`), when it did. Never trusted alone. */
  total?: number;
}

function countOf(value: string | number | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * A search answer → its entries, each validated. Accepts a Bundle with `totalRecords` or
 * `total`, entries bare or wrapped in `{resource}`, and (for lists some endpoints return) a
 * bare JSON array.
 */
export function parseBundle<S extends z.ZodType>(schema: S, value: unknown, where: Where): Page<z.infer<S>> {
  let rawEntries: unknown[];
  let total: number | undefined;
  let prefix: PropertyKey[] = ['entry'];
  if (Array.isArray(value)) {
    rawEntries = value;
    prefix = [];
  } else {
    const bundle = parseShape(bundleSchema, value, where);
    rawEntries = bundle.entry ?? [];
    total = countOf(bundle.totalRecords) ?? countOf(bundle.total);
  }
  const entries = rawEntries.map((entry, i) => {
    const wrapped = entry !== null && typeof entry === 'object' && 'resource' in entry && typeof (entry as { resource: unknown }).resource === 'object';
    const resource = wrapped ? (entry as { resource: unknown }).resource : entry;
    return parseShape(schema, resource, where, wrapped ? [...prefix, i, 'resource'] : [...prefix, i]);
  });
  return { entries, total };
}
