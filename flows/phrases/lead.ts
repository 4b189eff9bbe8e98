/**
 * What the new-client intake says or texts, in English and Spanish: one question per slot.
 * No diagnoses or medications are ever asked for.
 */
import type { Channel, Lang } from '../conversation';

export type LeadSlot = 'callerName' | 'relationship' | 'careForName' | 'place' | 'needs' | 'schedule' | 'payer' | 'heardFrom' | 'consent';

export interface LeadPhrases {
  intro(p: { channel: Channel; returning: boolean }): string;
  ask(slot: LeadSlot, p: { channel: Channel }): string;
  didNotCatch(): string;
  thanks(p: { name?: string; callbackHours: number; texting: boolean }): string;
  noted(): string;
  hints(slot: LeadSlot): string[];
}

const skipEn = (channel: Channel) => (channel === 'sms' ? ' (or SKIP)' : '');
const skipEs = (channel: Channel) => (channel === 'sms' ? ' (o PASO)' : '');

const en: LeadPhrases = {
  intro: ({ channel, returning }) =>
    returning
      ? "Welcome back. I'll add this to what we already have on file. A few quick questions, one at a time" +
        (channel === 'voice' ? "; say 'skip' for any you'd rather not answer." : '; reply SKIP to any.')
      : "I'd be glad to help you get care started. A few quick questions, one at a time" +
        (channel === 'voice' ? "; say 'skip' for any you'd rather not answer." : '; reply SKIP to any.'),
  ask: (slot, { channel }) => {
    switch (slot) {
      case 'callerName':
        return 'May I have your name?';
      case 'relationship':
        return `Is the care for yourself, or for someone else, like a parent or a spouse?${skipEn(channel)}`;
      case 'careForName':
        return `What is the name of the person who needs care? If they have a phone of their own, tell me the number too.${skipEn(channel)}`;
      case 'place':
        return `What city or ZIP code do they live in?${skipEn(channel)}`;
      case 'needs':
        return `In a few words, what kind of help is needed at home?${skipEn(channel)}`;
      case 'schedule':
        return `What days and hours would you like care, and when would you like to start?${skipEn(channel)}`;
      case 'payer':
        return `How do you expect to pay for care: private pay, long-term-care insurance, VA benefits, or Medicaid?${skipEn(channel)}`;
      case 'heardFrom':
        return `How did you hear about us?${skipEn(channel)}`;
      case 'consent':
        return channel === 'sms' ? 'May we text you at this number about your care? Reply YES or NO.' : 'May we text you at this number about your care?';
    }
  },
  didNotCatch: () => "Sorry, I didn't catch that.",
  thanks: ({ name, callbackHours, texting }) =>
    `Thank you${name ? `, ${name}` : ''}. Our new client team will call you within ${callbackHours} ${callbackHours === 1 ? 'hour' : 'hours'}.` +
    (texting ? " We'll text you a confirmation." : ''),
  noted: () => "Thank you. I've noted your details and someone will call you back.",
  hints: (slot) => (slot === 'payer' ? ['private pay', 'long-term care insurance', 'VA', 'Medicaid', 'skip'] : ['skip', 'a person']),
};

const es: LeadPhrases = {
  intro: ({ channel, returning }) =>
    (returning
      ? 'Bienvenido de nuevo. Agregaré esto a lo que ya tenemos. Unas preguntas rápidas, una a la vez'
      : 'Con gusto le ayudo a empezar el cuidado. Unas preguntas rápidas, una a la vez') +
    (channel === 'voice' ? "; diga 'paso' para cualquiera que prefiera no contestar." : '; responda PASO a cualquiera.'),
  ask: (slot, { channel }) => {
    switch (slot) {
      case 'callerName':
        return '¿Me dice su nombre?';
      case 'relationship':
        return `¿El cuidado es para usted, o para otra persona, como su mamá, su papá o su esposo?${skipEs(channel)}`;
      case 'careForName':
        return `¿Cómo se llama la persona que necesita cuidado? Si tiene su propio teléfono, dígame también el número.${skipEs(channel)}`;
      case 'place':
        return `¿En qué ciudad o código postal vive?${skipEs(channel)}`;
      case 'needs':
        return `En pocas palabras, ¿qué tipo de ayuda necesita en casa?${skipEs(channel)}`;
      case 'schedule':
        return `¿Qué días y horas le gustaría el cuidado, y cuándo quiere empezar?${skipEs(channel)}`;
      case 'payer':
        return `¿Cómo piensa pagar el cuidado: pago privado, seguro de cuidado a largo plazo, beneficios del VA, o Medicaid?${skipEs(channel)}`;
      case 'heardFrom':
        return `¿Cómo supo de nosotros?${skipEs(channel)}`;
      case 'consent':
        return channel === 'sms' ? '¿Podemos enviarle mensajes de texto a este número? Responda SÍ o NO.' : '¿Podemos enviarle mensajes de texto a este número?';
    }
  },
  didNotCatch: () => 'Perdón, no le escuché bien.',
  thanks: ({ name, callbackHours, texting }) =>
    `Gracias${name ? `, ${name}` : ''}. Nuestro equipo de nuevos clientes le llamará dentro de ${callbackHours} ${callbackHours === 1 ? 'hora' : 'horas'}.` +
    (texting ? ' Le enviaremos una confirmación por texto.' : ''),
  noted: () => 'Gracias. Anoté sus datos y alguien le llamará.',
  hints: (slot) => (slot === 'payer' ? ['pago privado', 'seguro', 'VA', 'Medicaid', 'paso'] : ['paso', 'una persona']),
};

export function leadPhrases(lang: Lang): LeadPhrases {
  return lang === 'es' ? es : en;
}
