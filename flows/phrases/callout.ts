/**
 * Everything the call-out flow says or texts, in English and Spanish. Shifts are described by
 * day, time and the client's first name only — said to the caregiver who works that shift.
 * What the router already says (didn't catch that, goodbye, …) comes from phrases/router.ts.
 */
import { DateTime } from 'luxon';
import type { Channel, Lang } from '../conversation';

export interface ShiftWords {
  /** UTC ISO */
  start: string;
  end: string;
  clientFirstName?: string;
  timezone: string;
  /** UTC ISO of "now", to say "today" / "tomorrow". */
  now: string;
}

export interface CalloutPhrases {
  lookingUp(): string;
  cannotReachSchedule(): string;
  noShifts(p: { channel: Channel }): string;
  confirmShift(p: { shift: ShiftWords; channel: Channel }): string;
  chooseShift(p: { shifts: ShiftWords[]; channel: Channel }): string;
  didNotGetWhichShift(): string;
  notThatShift(p: { channel: Channel }): string;
  alreadyUnderWay(): string;
  askLateOrCallOut(p: { channel: Channel }): string;
  askEta(): string;
  lateNoted(p: { minutes: number; familyTold: boolean }): string;
  askReason(): string;
  confirmCallOut(p: { shift: ShiftWords; channel: Channel }): string;
  notRecorded(p: { channel: Channel }): string;
  callOutRecorded(p: { channel: Channel }): string;
  urgentOfferTransfer(): string;
  urgentOnCallAlerted(): string;
  takenBack(p: { shift: ShiftWords }): string;
  alreadyFilled(): string;
  noCallOutToTakeBack(p: { channel: Channel }): string;
  claimed(): string;
  claimTooLate(): string;
  noOfferToClaim(p: { channel: Channel }): string;
  goodbye(): string;
  hints(p: { listening: 'yesNo' | 'shift' | 'lateOrCallOut' | 'eta' | 'reason'; shifts?: ShiftWords[] }): string[];
}

function local(iso: string, zone: string, lang: Lang): DateTime {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).setLocale(lang === 'es' ? 'es' : 'en-US');
}

function dayWord(s: ShiftWords, lang: Lang): string {
  const start = local(s.start, s.timezone, lang).startOf('day');
  const today = local(s.now, s.timezone, lang).startOf('day');
  const diff = Math.round(start.diff(today, 'days').days);
  if (diff === 0) return lang === 'es' ? 'hoy' : 'today';
  if (diff === 1) return lang === 'es' ? 'mañana' : 'tomorrow';
  return lang === 'es' ? `el ${start.toFormat('cccc d')}` : start.toFormat('cccc, LLLL d');
}

function timeWord(iso: string, zone: string, lang: Lang): string {
  const t = local(iso, zone, lang);
  if (lang === 'es') return t.minute ? `las ${t.toFormat('H:mm')}` : `las ${t.hour}`;
  return t.toFormat(t.minute ? 'h:mm a' : 'h a');
}

/** "tomorrow at 9 AM with Harold" / "mañana a las 9 con Harold". */
export function describeShift(s: ShiftWords, lang: Lang): string {
  const who = s.clientFirstName ? (lang === 'es' ? ` con ${s.clientFirstName}` : ` with ${s.clientFirstName}`) : '';
  return lang === 'es' ? `${dayWord(s, lang)} a ${timeWord(s.start, s.timezone, lang)}${who}` : `${dayWord(s, lang)} at ${timeWord(s.start, s.timezone, lang)}${who}`;
}

const en: CalloutPhrases = {
  lookingUp: () => 'Let me look up your shifts.',
  cannotReachSchedule: () => "I'm sorry, I can't reach our schedule right now, so I'll take a message for the scheduler.",
  noShifts: ({ channel }) =>
    `I don't see any shifts for you between now and the end of tomorrow. ${channel === 'sms' ? 'Reply YES if you want someone to call you.' : 'Would you like to talk to a person?'}`,
  confirmShift: ({ shift, channel }) =>
    `Is this about your shift ${describeShift(shift, 'en')}? ${channel === 'sms' ? 'Reply YES or NO.' : 'Please say yes or no.'}`,
  chooseShift: ({ shifts, channel }) =>
    `You have ${shifts.length} shifts: ` +
    shifts.map((s, i) => `${i + 1}, ${describeShift(s, 'en')}`).join('; ') +
    `. ${channel === 'sms' ? 'Which one? Reply with its number.' : 'Which one is it? Say the time or the name, or press its number.'}`,
  didNotGetWhichShift: () => "Sorry, I didn't get which shift.",
  notThatShift: ({ channel }) =>
    `That's the only shift I see for you until the end of tomorrow. ${channel === 'sms' ? 'Reply YES if you want someone to call you.' : 'Would you like to talk to a person?'}`,
  alreadyUnderWay: () => "That shift has already started, so I'll put you through to someone now.",
  askLateOrCallOut: ({ channel }) =>
    channel === 'sms' ? 'Are you running late, or can you not make it at all? Reply LATE or CANT.' : 'Are you running late, or can you not make it at all?',
  askEta: () => 'About how many minutes until you get there?',
  lateNoted: ({ minutes, familyTold }) =>
    `Thanks. I've let the scheduler${familyTold ? ' and the family' : ''} know you'll be about ${minutes} minutes late. Drive safely.`,
  askReason: () => "I'm sorry to hear that. In a few words, why can't you make it?",
  confirmCallOut: ({ shift, channel }) =>
    `To confirm: you can't work ${describeShift(shift, 'en')}, and we should find someone to cover it. ${channel === 'sms' ? 'Reply YES to confirm.' : 'Is that right?'}`,
  notRecorded: ({ channel }) =>
    `OK, I haven't recorded a call-out. ${channel === 'sms' ? 'Reply YES if you want someone to call you.' : 'Would you like to talk to a person?'}`,
  callOutRecorded: ({ channel }) =>
    `Thank you. Your call-out is recorded and we're finding a replacement now. ${channel === 'sms' ? "You'll get a confirmation text." : "You'll also get a confirmation by text."} Feel better.`,
  urgentOfferTransfer: () => "Because your shift starts soon, I've alerted our on-call manager. Would you like me to connect you with them now?",
  urgentOnCallAlerted: () => "Because your shift starts soon, I've alerted our on-call manager; they may contact you.",
  takenBack: ({ shift }) => `Great, thanks for letting us know. You're back on your shift ${describeShift(shift, 'en')}, and we've stopped looking for a replacement.`,
  alreadyFilled: () => "Thanks for letting us know. Another caregiver has already taken that shift; the scheduler will contact you.",
  noCallOutToTakeBack: ({ channel }) =>
    `I don't see a call-out of yours that is still open. ${channel === 'sms' ? 'Reply YES if you want someone to call you.' : 'Would you like to talk to a person?'}`,
  claimed: () => "The shift is yours. You'll get the details by text shortly.",
  claimTooLate: () => "I'm sorry, that shift has already been filled. Thanks for offering.",
  noOfferToClaim: ({ channel }) =>
    `I don't see an open shift offer for this number. To claim one, reply to the offer text with YES and its code. ${channel === 'sms' ? 'Reply YES if you want someone to call you.' : 'Would you like to talk to a person?'}`,
  goodbye: () => 'Thank you. Goodbye.',
  hints: ({ listening, shifts }) => {
    switch (listening) {
      case 'yesNo': return ['yes', 'no'];
      case 'lateOrCallOut': return ['running late', "can't make it", 'call out'];
      case 'eta': return ['minutes', 'half an hour', 'an hour'];
      case 'reason': return ['sick', 'family emergency', 'car trouble'];
      case 'shift': return [...new Set((shifts ?? []).map((s) => s.clientFirstName).filter((n): n is string => !!n)), 'the first one', 'the second one', 'tomorrow morning'];
    }
  },
};

const es: CalloutPhrases = {
  lookingUp: () => 'Déjeme buscar sus turnos.',
  cannotReachSchedule: () => 'Lo siento, no puedo consultar el horario ahora; tomaré un mensaje para la persona que programa los turnos.',
  noShifts: ({ channel }) =>
    `No veo turnos suyos desde ahora hasta el final de mañana. ${channel === 'sms' ? 'Responda SI si quiere que alguien le llame.' : '¿Quiere hablar con una persona?'}`,
  confirmShift: ({ shift, channel }) =>
    `¿Es sobre su turno de ${describeShift(shift, 'es')}? ${channel === 'sms' ? 'Responda SI o NO.' : 'Por favor diga sí o no.'}`,
  chooseShift: ({ shifts, channel }) =>
    `Tiene ${shifts.length} turnos: ` +
    shifts.map((s, i) => `${i + 1}, ${describeShift(s, 'es')}`).join('; ') +
    `. ${channel === 'sms' ? '¿Cuál? Responda con su número.' : '¿Cuál es? Diga la hora o el nombre, o marque su número.'}`,
  didNotGetWhichShift: () => 'Perdón, no entendí cuál turno.',
  notThatShift: ({ channel }) =>
    `Es el único turno que veo hasta el final de mañana. ${channel === 'sms' ? 'Responda SI si quiere que alguien le llame.' : '¿Quiere hablar con una persona?'}`,
  alreadyUnderWay: () => 'Ese turno ya empezó; le comunico con alguien ahora.',
  askLateOrCallOut: ({ channel }) =>
    channel === 'sms' ? '¿Va a llegar tarde, o no puede ir? Responda TARDE o NO PUEDO.' : '¿Va a llegar tarde, o no puede ir?',
  askEta: () => '¿En cuántos minutos más o menos llegará?',
  lateNoted: ({ minutes, familyTold }) =>
    `Gracias. Avisé a la oficina${familyTold ? ' y a la familia' : ''} que llegará unos ${minutes} minutos tarde. Maneje con cuidado.`,
  askReason: () => 'Lamento oír eso. En pocas palabras, ¿por qué no puede ir?',
  confirmCallOut: ({ shift, channel }) =>
    `Para confirmar: no puede trabajar ${describeShift(shift, 'es')} y debemos buscar a alguien que lo cubra. ${channel === 'sms' ? 'Responda SI para confirmar.' : '¿Es correcto?'}`,
  notRecorded: ({ channel }) =>
    `Está bien, no registré la ausencia. ${channel === 'sms' ? 'Responda SI si quiere que alguien le llame.' : '¿Quiere hablar con una persona?'}`,
  callOutRecorded: ({ channel }) =>
    `Gracias. Su ausencia quedó registrada y ya estamos buscando reemplazo. ${channel === 'sms' ? 'Recibirá un mensaje de confirmación.' : 'También recibirá una confirmación por mensaje de texto.'} Que se mejore.`,
  urgentOfferTransfer: () => 'Como su turno empieza pronto, avisé a la persona de guardia. ¿Quiere que le comunique ahora?',
  urgentOnCallAlerted: () => 'Como su turno empieza pronto, avisé a la persona de guardia; es posible que le contacte.',
  takenBack: ({ shift }) => `Muy bien, gracias por avisar. Sigue en su turno de ${describeShift(shift, 'es')} y dejamos de buscar reemplazo.`,
  alreadyFilled: () => 'Gracias por avisar. Otra cuidadora ya tomó ese turno; la oficina le contactará.',
  noCallOutToTakeBack: ({ channel }) =>
    `No veo ninguna ausencia suya pendiente. ${channel === 'sms' ? 'Responda SI si quiere que alguien le llame.' : '¿Quiere hablar con una persona?'}`,
  claimed: () => 'El turno es suyo. Recibirá los detalles por mensaje en un momento.',
  claimTooLate: () => 'Lo siento, ese turno ya fue cubierto. Gracias por ofrecerse.',
  noOfferToClaim: ({ channel }) =>
    `No veo ninguna oferta de turno abierta para este número. Para tomar una, responda al mensaje con SI y el código. ${channel === 'sms' ? 'Responda SI si quiere que alguien le llame.' : '¿Quiere hablar con una persona?'}`,
  goodbye: () => 'Gracias. Adiós.',
  hints: ({ listening, shifts }) => {
    switch (listening) {
      case 'yesNo': return ['sí', 'no'];
      case 'lateOrCallOut': return ['voy tarde', 'no puedo ir'];
      case 'eta': return ['minutos', 'media hora', 'una hora'];
      case 'reason': return ['enferma', 'emergencia familiar', 'problema con el carro'];
      case 'shift': return [...new Set((shifts ?? []).map((s) => s.clientFirstName).filter((n): n is string => !!n)), 'el primero', 'el segundo', 'mañana en la mañana'];
    }
  },
};

export function calloutPhrases(lang: Lang): CalloutPhrases {
  return lang === 'es' ? es : en;
}
