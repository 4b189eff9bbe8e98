/**
 * What the "where is my caregiver?" flow says or texts to the caller, in English and Spanish.
 * The caller is on file for the client (the router made sure): the caregiver is named by first
 * name only, and the client only when the caller must choose between the clients they are on
 * file for. Times are spoken in the agency's zone.
 */
import { DateTime } from 'luxon';
import type { Channel, Lang } from '../conversation';

export interface ClientOption {
  /** The client's first name; absent when the caller is the client. */
  firstName?: string;
  ownCare: boolean;
}

export interface WhereIsPhrases {
  askWhichClient(p: { options: ClientOption[]; channel: Channel }): string;
  didNotUnderstand(): string;
  clockedIn(p: { caregiver?: string; clockedInAt: string; end: string; zone: string }): string;
  visitOver(p: { caregiver?: string; clockedOutAt: string; zone: string }): string;
  notStartedYet(p: { caregiver?: string; start: string; zone: string }): string;
  late(p: { caregiver?: string; start: string; zone: string }): string;
  lateNoticeSent(p: { caregiver?: string }): string;
  latePassedOn(): string;
  unassigned(p: { start: string; zone: string }): string;
  noVisitToday(p: { channel: Channel }): string;
  cannotCheckSchedule(): string;
  schedulerWillCall(): string;
  noted(): string;
  goodbye(): string;
  hints(p: { options?: ClientOption[] }): string[];
}

function time(iso: string, zone: string, lang: Lang): string {
  const t = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  if (lang === 'es') return t.minute ? `las ${t.toFormat('H:mm')}` : `las ${t.hour}`;
  return t.toFormat(t.minute ? 'h:mm a' : 'h a');
}

function joinOr(parts: string[], or: string): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} ${or} ${parts[parts.length - 1]}`;
}

const en: WhereIsPhrases = {
  askWhichClient: ({ options, channel }) =>
    `Which visit are you ${channel === 'sms' ? 'texting' : 'calling'} about: ${joinOr(
      options.map((o) => (o.ownCare || !o.firstName ? 'your own' : `${o.firstName}'s`)),
      'or',
    )}?`,
  didNotUnderstand: () => "Sorry, I didn't understand.",
  clockedIn: ({ caregiver, clockedInAt, end, zone }) =>
    `${caregiver ?? 'Your caregiver'} clocked in at ${time(clockedInAt, zone, 'en')} and is there now. Today's visit runs until ${time(end, zone, 'en')}.`,
  visitOver: ({ caregiver, clockedOutAt, zone }) =>
    `Today's visit is over: ${caregiver ?? 'your caregiver'} clocked out at ${time(clockedOutAt, zone, 'en')}.`,
  notStartedYet: ({ caregiver, start, zone }) =>
    `Today's visit starts at ${time(start, zone, 'en')}${caregiver ? ` with ${caregiver}` : ''}, so it hasn't started yet.`,
  late: ({ caregiver, start, zone }) =>
    `I'm sorry: ${caregiver ?? 'your caregiver'} was due at ${time(start, zone, 'en')} and hasn't clocked in yet.`,
  lateNoticeSent: ({ caregiver }) =>
    `I've let ${caregiver ?? 'your caregiver'} and our scheduler know, and someone will get back to you shortly.`,
  latePassedOn: () => "I've passed this to our scheduler, and someone will get back to you shortly.",
  unassigned: ({ start, zone }) => `I'm sorry: nobody is assigned to today's ${time(start, zone, 'en')} visit. I'm treating this as urgent.`,
  noVisitToday: ({ channel }) =>
    `I don't see a visit scheduled for today. Would you like to ${channel === 'sms' ? 'have a person call you' : 'speak to a person'}?`,
  cannotCheckSchedule: () => "I'm sorry, I can't check the schedule right now.",
  schedulerWillCall: () => "I've asked our scheduler to call you back shortly.",
  noted: () => "I've noted your call and someone will call you back.",
  goodbye: () => 'Thank you for calling. Goodbye.',
  hints: ({ options }) => [...(options ?? []).flatMap((o) => (o.firstName ? [o.firstName] : [])), 'yes', 'no', 'a person'],
};

const es: WhereIsPhrases = {
  askWhichClient: ({ options, channel }) =>
    `¿Por cuál visita ${channel === 'sms' ? 'escribe' : 'llama'}: ${joinOr(
      options.map((o) => (o.ownCare || !o.firstName ? 'la suya' : `la de ${o.firstName}`)),
      'o',
    )}?`,
  didNotUnderstand: () => 'Perdón, no le entendí.',
  clockedIn: ({ caregiver, clockedInAt, end, zone }) =>
    `${caregiver ?? 'Su cuidador'} registró su llegada a ${time(clockedInAt, zone, 'es')} y está allí ahora. La visita de hoy dura hasta ${time(end, zone, 'es')}.`,
  visitOver: ({ caregiver, clockedOutAt, zone }) =>
    `La visita de hoy ya terminó: ${caregiver ?? 'su cuidador'} registró su salida a ${time(clockedOutAt, zone, 'es')}.`,
  notStartedYet: ({ caregiver, start, zone }) =>
    `La visita de hoy empieza a ${time(start, zone, 'es')}${caregiver ? ` con ${caregiver}` : ''}, así que todavía no ha empezado.`,
  late: ({ caregiver, start, zone }) =>
    `Lo siento: ${caregiver ?? 'su cuidador'} debía llegar a ${time(start, zone, 'es')} y todavía no ha registrado su llegada.`,
  lateNoticeSent: ({ caregiver }) =>
    `Ya avisé a ${caregiver ?? 'su cuidador'} y a nuestra programadora, y alguien se comunicará con usted en breve.`,
  latePassedOn: () => 'Se lo pasé a nuestra programadora, y alguien se comunicará con usted en breve.',
  unassigned: ({ start, zone }) => `Lo siento: nadie está asignado a la visita de hoy a ${time(start, zone, 'es')}. Lo trato como urgente.`,
  noVisitToday: ({ channel }) =>
    `No veo ninguna visita programada para hoy. ¿Quiere ${channel === 'sms' ? 'que una persona le llame' : 'hablar con una persona'}?`,
  cannotCheckSchedule: () => 'Lo siento, no puedo consultar el horario en este momento.',
  schedulerWillCall: () => 'Le pedí a nuestra programadora que le llame en breve.',
  noted: () => 'Anoté su llamada y alguien le llamará.',
  goodbye: () => 'Gracias por llamar. Adiós.',
  hints: ({ options }) => [...(options ?? []).flatMap((o) => (o.firstName ? [o.firstName] : [])), 'sí', 'no', 'una persona'],
};

export function whereIsPhrases(lang: Lang): WhereIsPhrases {
  return lang === 'es' ? es : en;
}
