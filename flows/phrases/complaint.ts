/**
 * What the complaint flow says or texts, in English and Spanish. It never names a client: the
 * caller knows who they are calling about, and a caller not on file must hear nothing about anyone.
 * The only words of the caller it repeats are their own complaint, back to them.
 */
import type { Channel, Lang } from '../conversation';

export interface ComplaintPhrases {
  askWhatHappened(p: { channel: Channel }): string;
  askAgain(): string;
  didNotCatch(): string;
  readBack(p: { gist: string }): string;
  askForRecording(): string;
  caseTaken(p: { caseNumber: string; callbackHours: number; channel: Channel }): string;
  urgentTaken(p: { caseNumber: string; channel: Channel }): string;
  emergencyTaken(p: { caseNumber: string }): string;
  passedOn(p: { callbackHours: number }): string;
  noted(): string;
  unassignedVisit(): string;
  hints(): string[];
}

const spell = (caseNumber: string, channel: Channel) => (channel === 'voice' ? caseNumber.replace('-', ' ').split('').join(' ').replace(/ {2,}/g, ', ') : caseNumber);
const within = (hours: number, en: boolean) =>
  en ? `within ${hours} ${hours === 1 ? 'hour' : 'hours'}` : `dentro de ${hours} ${hours === 1 ? 'hora' : 'horas'}`;

const en: ComplaintPhrases = {
  askWhatHappened: ({ channel }) =>
    channel === 'sms'
      ? "I'm sorry something went wrong. Please tell me what happened, in your own words."
      : "I'm sorry something went wrong. Please tell me what happened, in your own words. Or say 'leave a message' to record it.",
  askAgain: () => 'Please tell me again what happened.',
  didNotCatch: () => "Sorry, I didn't catch that.",
  readBack: ({ gist }) => `I have: "${gist}". Is that right?`,
  askForRecording: () => 'After the tone, please tell us what happened, then hang up or press the pound key.',
  caseTaken: ({ caseNumber, callbackHours, channel }) =>
    `Thank you. I've opened case ${spell(caseNumber, channel)} for our client care team; someone will call you back ${within(callbackHours, true)}.`,
  urgentTaken: ({ caseNumber, channel }) =>
    channel === 'sms'
      ? `Thank you. This is urgent: I've opened case ${caseNumber} and alerted our on-call staff; someone will call you shortly.`
      : `Thank you. This is urgent: I've opened case ${spell(caseNumber, channel)} and alerted our on-call staff.`,
  emergencyTaken: ({ caseNumber }) => `I've opened case ${caseNumber} and alerted our on-call staff.`,
  passedOn: ({ callbackHours }) => `Thank you. I've passed this to our client care team; someone will call you back ${within(callbackHours, true)}.`,
  noted: () => "Thank you. I've noted it and someone will call you back.",
  unassignedVisit: () => 'No caregiver is assigned to the visit today.',
  hints: () => ['left early', 'did not show up', 'late', 'rude', 'leave a message', 'a person'],
};

const es: ComplaintPhrases = {
  askWhatHappened: ({ channel }) =>
    channel === 'sms'
      ? 'Lamento que algo haya salido mal. Por favor cuénteme qué pasó, con sus propias palabras.'
      : "Lamento que algo haya salido mal. Por favor cuénteme qué pasó, con sus propias palabras. O diga 'dejar un mensaje' para grabarlo.",
  askAgain: () => 'Por favor cuénteme de nuevo qué pasó.',
  didNotCatch: () => 'Perdón, no le escuché bien.',
  readBack: ({ gist }) => `Tengo: "${gist}". ¿Es correcto?`,
  askForRecording: () => 'Después del tono, cuéntenos qué pasó, y luego cuelgue o marque la tecla de número.',
  caseTaken: ({ caseNumber, callbackHours, channel }) =>
    `Gracias. Abrí el caso ${spell(caseNumber, channel)} para nuestro equipo de atención al cliente; alguien le llamará ${within(callbackHours, false)}.`,
  urgentTaken: ({ caseNumber, channel }) =>
    channel === 'sms'
      ? `Gracias. Es urgente: abrí el caso ${caseNumber} y avisé a nuestro personal de guardia; alguien le llamará pronto.`
      : `Gracias. Es urgente: abrí el caso ${spell(caseNumber, channel)} y avisé a nuestro personal de guardia.`,
  emergencyTaken: ({ caseNumber }) => `Abrí el caso ${caseNumber} y avisé a nuestro personal de guardia.`,
  passedOn: ({ callbackHours }) => `Gracias. Se lo pasé a nuestro equipo de atención al cliente; alguien le llamará ${within(callbackHours, false)}.`,
  noted: () => 'Gracias. Lo anoté y alguien le llamará.',
  unassignedVisit: () => 'No hay cuidador asignado a la visita de hoy.',
  hints: () => ['se fue temprano', 'no vino', 'tarde', 'dejar un mensaje', 'una persona'],
};

export function complaintPhrases(lang: Lang): ComplaintPhrases {
  return lang === 'es' ? es : en;
}
