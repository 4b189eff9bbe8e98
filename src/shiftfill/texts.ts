/**
 * Every text the shift-fill campaign sends, in English and Spanish. Offers are broadcast to many
 * caregivers: they carry no client name, address or condition — only day, time, length, area,
 * skills and how to claim — and stay under 160 plain (GSM-7) characters.
 */
import { DateTime } from 'luxon';
import type { Lang } from '../../flows/conversation';

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

export function offerText(p: { agency: string; when: ShiftWhen; area?: string; skills: string[]; code: string; lang: Lang }): string {
  const when = shiftWhen(p.when, p.lang);
  const hours = shiftHours(p.when);
  const build = (skills: string[], agency: string) => {
    if (p.lang === 'es') {
      return gsm(
        `${agency}: turno disponible ${when} (${hours})${p.area ? `, ${p.area}` : ''}.` +
          (skills.length ? ` Requiere: ${skills.join(', ')}.` : '') +
          ` Responda SI ${p.code} para tomarlo.`,
      );
    }
    return gsm(
      `${agency}: open shift ${when} (${hours})${p.area ? `, ${p.area}` : ''}.` +
        (skills.length ? ` Needs: ${skills.join(', ')}.` : '') +
        ` Reply YES ${p.code} to take it.`,
    );
  };
  let skills = [...p.skills];
  let text = build(skills, p.agency);
  while (text.length > OFFER_LIMIT && skills.length) {
    skills = skills.slice(0, -1);
    text = build(skills, p.agency);
  }
  if (text.length > OFFER_LIMIT) text = build([], p.agency.slice(0, 20));
  return text;
}

export function winnerDetailsText(p: {
  agency: string; when: ShiftWhen; clientName: string; address?: string; tasks: string[]; lang: Lang;
}): string {
  const when = shiftWhen(p.when, p.lang);
  const tasks = p.tasks.slice(0, 6).join(', ');
  if (p.lang === 'es') {
    return `${p.agency}: el turno es suyo. ${when} con ${p.clientName}${p.address ? `, ${p.address}` : ''}.` +
      (tasks ? ` Tareas: ${tasks}.` : '') + ' Gracias!';
  }
  return `${p.agency}: the shift is yours. ${when} with ${p.clientName}${p.address ? `, ${p.address}` : ''}.` +
    (tasks ? ` Tasks: ${tasks}.` : '') + ' Thank you!';
}

export function winnerPendingText(p: { agency: string; when: ShiftWhen; lang: Lang }): string {
  const when = shiftWhen(p.when, p.lang);
  return p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${when} es suyo. La oficina le confirmara los detalles pronto.`
    : `${p.agency}: thanks, the shift ${when} is yours. The office will confirm the details with you shortly.`;
}

export function filledText(p: { agency: string; code: string; lang: Lang }): string {
  return p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${p.code} ya fue cubierto. Le avisaremos del proximo.`
    : `${p.agency}: thanks, shift ${p.code} has already been filled. We'll text you about the next one.`;
}

/** The shift needs nobody any more (the caregiver who called out can make it after all, or it was closed). */
export function noLongerNeededText(p: { agency: string; code: string; lang: Lang }): string {
  return p.lang === 'es'
    ? `${p.agency}: gracias, el turno ${p.code} ya no se necesita. Le avisaremos del proximo.`
    : `${p.agency}: thanks, shift ${p.code} is no longer needed. We'll text you about the next one.`;
}

export function declineAckText(p: { agency: string; lang: Lang }): string {
  return p.lang === 'es' ? `${p.agency}: entendido, gracias.` : `${p.agency}: got it, thanks for letting us know.`;
}

export function noOfferText(p: { agency: string; lang: Lang }): string {
  return p.lang === 'es'
    ? `${p.agency}: no encontramos una oferta abierta con ese codigo. Responda con el codigo del mensaje, p. ej. SI 1234.`
    : `${p.agency}: we couldn't find an open offer for that. Reply with the code from the offer, e.g. YES 1234.`;
}

export function whichOfferText(p: { agency: string; codes: string[]; lang: Lang }): string {
  return p.lang === 'es'
    ? `${p.agency}: tiene varias ofertas abiertas. Responda SI con el codigo: ${p.codes.join(', ')}.`
    : `${p.agency}: you have several open offers. Reply YES with the code: ${p.codes.join(', ')}.`;
}

export function familyNoticeText(p: { agency: string; clientFirstName: string; when: ShiftWhen; caregiverFirstName: string; lang: Lang }): string {
  const when = shiftWhen(p.when, p.lang);
  return p.lang === 'es'
    ? `${p.agency}: la visita de ${p.clientFirstName} (${when}) la cubrira ${p.caregiverFirstName}, en lugar de la cuidadora habitual. Preguntas? Llamenos.`
    : `${p.agency}: ${p.clientFirstName}'s visit ${when} will be covered by ${p.caregiverFirstName} instead of the usual caregiver. Questions? Call us.`;
}

export function callOutConfirmationText(p: { agency: string; when: ShiftWhen; clientFirstName: string; lang: Lang; urgent: boolean }): string {
  const when = shiftWhen(p.when, p.lang);
  if (p.lang === 'es') {
    return `${p.agency}: registramos que no puede ir al turno ${when} con ${p.clientFirstName}. Estamos buscando reemplazo.` +
      (p.urgent ? ' La persona de guardia ya fue avisada.' : '') + ' Si puede ir despues de todo, llamenos o escribanos.';
  }
  return `${p.agency}: we've recorded that you can't make ${when} with ${p.clientFirstName}. We're finding a replacement.` +
    (p.urgent ? ' Our on-call manager has been alerted.' : '') + " If you can make it after all, call or text us.";
}
