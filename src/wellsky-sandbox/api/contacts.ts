/** `relatedperson/`: a client's family and emergency contacts. */
import type { RequestHandler, Router } from 'express';
import type { SandboxContext } from '../context';
import type { RelatedPerson } from '../resources';
import { clone } from '../resources';
import { assertAgencyTag, assertBmpOnly, assertTelecom, notFound, unprocessable } from '../rules';
import { body, param } from './params';

export function mountContacts(router: Router, ctx: SandboxContext, auth: RequestHandler): void {
  router.get('/v1/relatedperson/:patientId/', auth, (req, res) => {
    const patientId = param(req, 'patientId');
    if (!ctx.state.patients.some((p) => p.id === patientId)) throw notFound(`Patient ${patientId}`);
    const contacts = ctx.state.relatedPersons.filter((r) => r.patient.reference === `Patient/${patientId}`);
    // Entries here are always wrapped in {resource}, whatever the search style.
    res.json(ctx.bundles.bundle(contacts, undefined, true));
  });

  /** A whole RelatedPerson as written by POST or PUT, or 422. */
  const checkContact = (b: Record<string, unknown>): void => {
    assertBmpOnly(b);
    assertTelecom(b.telecom);
    assertAgencyTag(b.meta, ctx.agencyId);
    const ref = (b.patient as { reference?: unknown } | undefined)?.reference;
    const m = typeof ref === 'string' ? /^Patient\/(\S+)$/.exec(ref) : null;
    if (!m) throw unprocessable('patient.reference must be "Patient/{id}"');
    if (!ctx.state.patients.some((p) => p.id === m[1])) throw unprocessable(`patient.reference ${String(ref)} is not a Patient`);
    if (!Array.isArray(b.name) || b.name.length === 0) throw unprocessable('name must be a non-empty array of HumanName');
    const code = (b.relationship as { coding?: { code?: unknown }[] } | undefined)?.coding?.[0]?.code;
    if (typeof code !== 'string' || !code) throw unprocessable('relationship.coding[0].code is required (SON, DAU, SPS, …)');
  };

  router.post('/v1/relatedperson/', auth, (req, res) => {
    const b = body(req);
    checkContact(b);
    const created = {
      primaryContact: false,
      emergencyContact: false,
      telecom: [],
      ...clone(b),
      resourceType: 'RelatedPerson',
      id: ctx.ids.take('relatedPerson'),
    } as unknown as RelatedPerson;
    ctx.state.relatedPersons.push(created);
    res.status(201).json({ resourceType: 'RelatedPerson', id: created.id });
  });

  // Vendor reference: PUT relatedperson/{relatedPersonId}/ — the id of the contact, not of the patient. Full replacement.
  router.put('/v1/relatedperson/:id/', auth, (req, res) => {
    const id = param(req, 'id');
    const i = ctx.state.relatedPersons.findIndex((r) => r.id === id);
    if (i < 0) throw notFound(`RelatedPerson ${id}`);
    const b = body(req);
    checkContact(b);
    const updated = { primaryContact: false, emergencyContact: false, telecom: [], ...clone(b), resourceType: 'RelatedPerson', id } as unknown as RelatedPerson;
    ctx.state.relatedPersons[i] = updated;
    res.json(updated);
  });
}
