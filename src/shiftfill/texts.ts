/**
 * Every text the shift-fill campaign sends, in English and Spanish, split by audience (the PHI
 * budget, docs/privacy.md): `broadcast` (offers to many caregivers), `assigned` (the caregiver
 * who got the shift), `caller` (the caregiver who called out or answered an offer), `family` (a
 * contact on file for the client), `staff`. Each returns a typed message — body, audience and the
 * facts it carries — that the outbox checks against the agency's budget before sending.
 *
 * Offers carry no client name, address or condition — only agency, day, time, length, area,
 * skills and how to claim (whatever of those the agency's budget allows) — and stay under 160
 * plain (GSM-7) characters; a caregiver's first offer ever adds how to opt out after that (a
 * second segment, once).
 */
import { DateTime } from 'luxon';
import type { Lang } from '../../flows/conversation';
import { DEFAULT_BUDGET, type Fact, type Text } from '../twilio/privacy';

export type { Text } from '../twilio/privacy';

export interface ShiftWhen {
  start: string;
  end: string;
  timezone: string;
}

function local(iso: string, zone: string, lang: Lang): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale(lang === 'es' ? 'es' : 'en-US');
}

function clock(dt: DateTime, lang: Lang): string {
  if (lang === 'es') return dt.toFormat('H:mm');
  return dt.toFormat(dt.minute ? 'h:mma' : 'ha').toLowerCase();
}

/** "Fri Mar 6 9am-1pm" / "vie 6 mar 9:00-13:00". */
export function shiftWhen(w: ShiftWhen, lang: Lang): string {
  const start = local(w.start, w.timezone, lang);
  const end = local(w.end, w.timezone, lang);
  const day = lang === 'es' ? start.toFormat('ccc d LLL').replace(/\./g, '') : start.toFormat('ccc LLL d');
  return `${day} ${clock(start, lang)}-${clock(end, lang)}`;
}

export function shiftHours(w: { start: string; end: string }): string {
  const h = (Date.parse(w.end) - Date.parse(w.start)) / 3_600_000;
  return `${Number.isInteger(h) ? h : h.toFixed(1)}h`;
}

/** Plain GSM-7 only: accents off, anything else outside the basic set dropped. */
export function gsm(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7E\n]/g, '');
}

const OFFER_LIMIT = 159;

const typed = (audience: Text['audience'], facts: Fact[], body: string): Text => ({ audience, facts: [...new Set(facts)], body });

/** The line a caregiver's first offer ever ends with. */
export function optOutNotice(lang: Lang): string {
  return lang === 'es' ? 'Responda STOP para no recibir mas mensajes.' : 'Reply STOP to opt out.';
}

// ── broadcast: offers to many caregivers ────────────────────────────────────────────────────

/**
 * An open-shift offer. Only the facts `allowed` lets through (the agency's broadcast budget):
 * day, time and the claim code always (the config requires them); agency, length, area and
 * skills when allowed. Skills are dropped from the end, then the agency name shortened, then the
 * area, until the offer fits one text; the first offer's opt-out line comes on top.
 */
function offer(p: {
  agency: string; when: ShiftWhen; area?: string; skills: string[]; code: string; lang: Lang;
  /** The caregiver's first offer ever: ends with how to opt out. */
  firstOffer?: boolean;
  allowed?: readonly Fact[];
}): Text {
  const allowed = new Set(p.allowed ?? DEFAULT_BUDGET.broadcast);
  const when = shiftWhen(p.when, p.lang);
  const hours = allowed.has('length') ? ` (${shiftHours(p.when)})` : '';
  const notice = p.firstOffer ? ` ${optOutNotice(p.lang)}` : '';
  const limit = OFFER_LIMIT + notice.length;
  const build = (skills: string[], agency: string, area: string | undefined) => {
    const lead = agency ? `${agency}: ` : '';
    const where = area ? `, ${area}` : '';
    const cap = (t: string) => (lead ? t : t.charAt(0).toUpperCase() + t.slice(1));
    if (p.lang === 'es') {
      return gsm(`${lead}${cap('turno')} disponible ${when}${hours}${where}.` + (skills.length ? ` Requiere: ${skills.join(', ')}.` : '') + ` Responda SI ${p.code} para tomarlo.${notice}`);
    }
    return gsm(`${lead}${cap('open')} shift ${when}${hours}${where}.` + (skills.length ? ` Needs: ${skills.join(', ')}.` : '') + ` Reply YES ${p.code} to take it.${notice}`);
  };
  let skills = allowed.has('skills') ? [...p.skills] : [];
  let agency = allowed.has('agency') ? p.agency : '';
  let area = allowed.has('area') ? p.area : undefined;
  let text = build(skills, agency, area);
  while (text.length > limit && skills.length) {
    skills = skills.slice(0, -1);
    text = build(skills, agency, area);
  }
  if (text.length > limit && agency.length > 20) text = build(skills, (agency = agency.slice(0, 20).trim()), area);
  if (text.length > limit && area) text = build(skills, agency, (area = undefined));
  const facts: Fact[] = ['day', 'time', 'claimCode'];
  if (agency) facts.push('agency');
  if (hours) facts.push('length');
  if (area) facts.push('area');
  if (skills.length) facts.push('skills');
  return typed('broadcast', facts, text);
}

export const broadcast = { offer };

// ── assigned: the caregiver who got the shift ───────────────────────────────────────────────

/** The address as on file, for the caregiver who got the shift only ("1420 Elm St, Lakewood, 80226"). */
export function fullAddress(address: { line: string[]; city?: string; postalCode?: string } | undefined): string | undefined {
  if (!address) return undefined;
  return [address.line.join(' '), address.city, address.postalCode].map((x) => x?.trim()).filter(Boolean).join(', ') || undefined;
}

/** The shift is theirs, with the client's name, the address (when the budget allows) and the tasks. */
function details(p: {
  agency: string; when: ShiftWhen; clientName: string; address?: string; tasks: string[]; lang: Lang; allowed?: readonly Fact[];
}): Text {
  const allowed = new Set(p.allowed ?? DEFAULT_BUDGET.assigned);
  const when = shiftWhen(p.when, p.lang);
  const address = allowed.has('address') ? p.address : undefined;
  const tasks = allowed.has('tasks') ? p.tasks.slice(0, 6).join(', ') : '';
  const facts: Fact[] = ['agency', 'day', 'time', 'clientName'];
  if (address) facts.push('address');
  if (tasks) facts.push('tasks');
  if (p.lang === 'es') {
    return typed('assigned', facts, `${p.agency}: el turno es suyo. ${when} con ${p.clientName}${address ? `, ${address}` : ''}.` +
      (tasks ? ` Tareas: ${tasks}.` : '') + ' Gracias!');
  }
  return typed('assigned', facts, `${p.agency}: the shift is yours. ${when} with ${p.clientName}${address ? `, ${address}` : ''}.` +
    (tasks ? ` Tasks: ${tasks}.` : '') + ' Thank you!');
}

function pending(p: { agency: string; when: ShiftWhen; lang: Lang }): Text {
  const when = shiftWhen(p.when, p.lang);
  return typed('assigned', ['agency', 'day', 'time'], p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${when} es suyo. La oficina le confirmara los detalles pronto.`
    : `${p.agency}: thanks, the shift ${when} is yours. The office will confirm the details with you shortly.`);
}

/** The reply to the winning YES. */
function claimed(p: { agency: string; code: string; lang: Lang }): Text {
  return typed('assigned', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${p.code} es suyo. Le enviaremos los detalles en un momento.`
    : `${p.agency}: thanks, shift ${p.code} is yours. We'll text you the details in a moment.`);
}

export const assigned = { details, pending, claimed };

// ── caller: the caregiver who called out, or who answered an offer ──────────────────────────

function filled(p: { agency: string; code: string; lang: Lang }): Text {
  return typed('caller', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${p.code} ya fue cubierto. Le avisaremos del proximo.`
    : `${p.agency}: thanks, shift ${p.code} has already been filled. We'll text you about the next one.`);
}

/** The shift needs nobody any more (the caregiver who called out can make it after all, or it was closed). */
function noLongerNeeded(p: { agency: string; code: string; lang: Lang }): Text {
  return typed('caller', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${p.code} ya no se necesita. Le avisaremos del proximo.`
    : `${p.agency}: thanks, shift ${p.code} is no longer needed. We'll text you about the next one.`);
}

function tooLate(p: { agency: string; code: string; lang: Lang }): Text {
  return typed('caller', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: lo sentimos, el turno ${p.code} ya comenzó y no se puede tomar por mensaje. Si puede ayudar, llame a la oficina.`
    : `${p.agency}: sorry, shift ${p.code} has already started, so it can't be taken by text. If you can help, please call the office.`);
}

function overlapping(p: { agency: string; code: string; clashCode: string; lang: Lang }): Text {
  return typed('caller', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: ya tiene el turno ${p.clashCode} a esa hora, así que no podemos darle también el turno ${p.code}.`
    : `${p.agency}: you already have shift ${p.clashCode} at that time, so we can't give you shift ${p.code} too.`);
}

function declineAck(p: { agency: string; lang: Lang }): Text {
  return typed('caller', ['agency'], p.lang === 'es' ? `${p.agency}: entendido, gracias.` : `${p.agency}: got it, thanks for letting us know.`);
}

function noOffer(p: { agency: string; lang: Lang }): Text {
  return typed('caller', ['agency'], p.lang === 'es'
    ? `${p.agency}: no encontramos una oferta abierta con ese codigo. Responda con el codigo del mensaje, p. ej. SI 1234.`
    : `${p.agency}: we couldn't find an open offer for that. Reply with the code from the offer, e.g. YES 1234.`);
}

function whichOffer(p: { agency: string; codes: string[]; lang: Lang }): Text {
  return typed('caller', ['agency', 'claimCode'], p.lang === 'es'
    ? `${p.agency}: tiene varias ofertas abiertas. Responda SI con el codigo: ${p.codes.join(', ')}.`
    : `${p.agency}: you have several open offers. Reply YES with the code: ${p.codes.join(', ')}.`);
}

function callOutConfirmation(p: { agency: string; when: ShiftWhen; clientFirstName: string; lang: Lang; urgent: boolean }): Text {
  const when = shiftWhen(p.when, p.lang);
  const facts: Fact[] = ['agency', 'day', 'time', 'clientFirstName'];
  if (p.lang === 'es') {
    return typed('caller', facts, `${p.agency}: registramos que no puede ir al turno ${when} con ${p.clientFirstName}. Estamos buscando reemplazo.` +
      (p.urgent ? ' La persona de guardia ya fue avisada.' : '') + ' Si puede ir despues de todo, llamenos o escribanos.');
  }
  return typed('caller', facts, `${p.agency}: we've recorded that you can't make ${when} with ${p.clientFirstName}. We're finding a replacement.` +
    (p.urgent ? ' Our on-call manager has been alerted.' : '') + " If you can make it after all, call or text us.");
}

export const caller = { filled, noLongerNeeded, tooLate, overlapping, declineAck, noOffer, whichOffer, callOutConfirmation };

// ── family: a contact on file for the client ────────────────────────────────────────────────

function coverNotice(p: { agency: string; clientFirstName: string; when: ShiftWhen; caregiverFirstName: string; lang: Lang }): Text {
  const when = shiftWhen(p.when, p.lang);
  return typed('family', ['agency', 'clientFirstName', 'day', 'time', 'caregiverFirstName'], p.lang === 'es'
    ? `${p.agency}: la visita de ${p.clientFirstName} (${when}) la cubrira ${p.caregiverFirstName}, en lugar de la cuidadora habitual. Preguntas? Llamenos.`
    : `${p.agency}: ${p.clientFirstName}'s visit ${when} will be covered by ${p.caregiverFirstName} instead of the usual caregiver. Questions? Call us.`);
}

function runningLate(p: { agency: string; caregiverFirstName: string; clientFirstName: string; etaMinutes: number; lang: Lang }): Text {
  return typed('family', ['agency', 'caregiverFirstName', 'clientFirstName', 'eta'], p.lang === 'es'
    ? `${p.agency}: ${p.caregiverFirstName} llegara unos ${p.etaMinutes} minutos tarde a la visita de ${p.clientFirstName}. Disculpe la demora.`
    : `${p.agency}: ${p.caregiverFirstName} is running about ${p.etaMinutes} minutes late for ${p.clientFirstName}'s visit today. Sorry for the delay.`);
}

export const family = { coverNotice, runningLate };

// ── staff: the office, in English ───────────────────────────────────────────────────────────

const staffText = (facts: Fact[], body: string) => typed('staff', facts, body) as Text & { audience: 'staff' };
const who = ['agency', 'caregiverName', 'clientName', 'day', 'time', 'reference'] as Fact[];

export const staff = {
  callOut: (p: { agency: string; id: number; caregiver: string; shift: string; client: string; reason: string | null; campaignId: number }) =>
    staffText([...who, 'reason'], `${p.agency}: CALL-OUT C-${p.id}: ${p.caregiver} can't work ${p.shift} with ${p.client}. Reason: ${(p.reason ?? 'not given').slice(0, 200).replace(/[.!?\s]+$/, '')}. ` +
      `Texting replacements now (campaign ${p.campaignId}).`),
  late: (p: { agency: string; id: number; caregiver: string; shift: string; client: string; etaMinutes: number; arrival: string }) =>
    staffText([...who, 'eta'], `${p.agency}: RUNNING LATE (L-${p.id}) ${p.caregiver} for ${p.shift} with ${p.client}: expects to arrive in about ${p.etaMinutes} min (${p.arrival}).`),
  openRefused: (p: { agency: string; id: number; shift: string; client: string }) =>
    staffText(who, `${p.agency}: CALL-OUT C-${p.id}: WellSky refused to open the shift ${p.shift} with ${p.client}: please open it by hand.`),
  wellskyGaveUp: (p: { agency: string; id: number; caregiver: string; shift: string; client: string; retriedFor: string }) =>
    staffText(who, `${p.agency}: CALL-OUT C-${p.id} (${p.caregiver}, ${p.shift} with ${p.client}) could NOT be recorded in WellSky: it did not answer for ${p.retriedFor}. ` +
      'Please add the AdminTask and open the shift by hand. The campaign itself went ahead.'),
  wellskyRecovered: (p: { agency: string; id: number; writeBack: string }) =>
    staffText(['agency', 'reference'], `${p.agency}: CALL-OUT C-${p.id} is now in WellSky (AdminTask written, shift ${p.writeBack}) after WellSky was unavailable.`),
  filled: (p: { agency: string; caregiver: string; shift: string; client: string; campaignId: number }) =>
    staffText(who, `${p.agency}: FILLED: ${p.caregiver} took ${p.shift} with ${p.client} (campaign ${p.campaignId}); booked in WellSky.`),
  assignGaveUp: (p: { agency: string; caregiver: string; shift: string; client: string; retriedFor: string }) =>
    staffText(who, `${p.agency}: PLEASE ASSIGN: ${p.caregiver} took ${p.shift} with ${p.client}, but WellSky did not answer for ${p.retriedFor}. ` +
      'Please book it in WellSky and confirm with them.'),
  assignByHand: (p: { agency: string; caregiver: string; shift: string; client: string; why: string }) =>
    staffText(who, `${p.agency}: PLEASE ASSIGN: ${p.caregiver} took ${p.shift} with ${p.client}, but ${p.why}. An AdminTask is in WellSky; please book it and confirm with them.`),
  escalation: (p: { agency: string; reason: string; shift: string; client: string; caregiver: string; code: string }) =>
    staffText([...who, 'claimCode'], `${p.agency}: COVERAGE NEEDED (${p.reason}): ${p.shift} with ${p.client}, after ${p.caregiver} called out. ` +
      `No replacement yet (code ${p.code}). Reply OK if you are handling it.`),
  escalationAck: (p: { staffFirstName: string; codes: string[] }) =>
    staffText(['claimCode'], `Thanks ${p.staffFirstName}: you have ${p.codes.length === 1 ? `shift ${p.codes[0]}` : `shifts ${p.codes.join(', ')}`}. Nobody else will be alerted; offers stay open.`),
  familyPrompt: (p: { agency: string; shift: string; client: string; family?: { name: string; phone: string } }) =>
    staffText([...who, 'phone'], `${p.agency}: NO REPLACEMENT YET for ${p.shift} with ${p.client} (starts within 2 hours). Please call the family` +
      (p.family ? `: ${p.family.name}, ${p.family.phone}.` : '.')),
  takenBack: (p: { agency: string; id: number; caregiver: string; shift: string; client: string; restored: boolean }) =>
    staffText(who, `${p.agency}: CALL-OUT C-${p.id} TAKEN BACK: ${p.caregiver} can work ${p.shift} with ${p.client} after all. The replacement search has stopped.` +
      (p.restored ? '' : ' Please check the shift in WellSky still shows them.')),
};
