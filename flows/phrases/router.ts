/**
 * Everything the router says or texts, in English and Spanish: one function per thing said.
 * The router machine (flows/router.machine.ts) picks a function by name and language; nothing it
 * says is written anywhere else.
 *
 * SMS replies are short (the runtime joins one turn's lines into one text; keep it ≤ 320 chars).
 * Nothing here ever repeats what a caller said: a phrase only uses the agency's data and names
 * the directory has on file for the caller's own number.
 */
import type { Channel, Lang } from '../conversation';
import type { MessageTopic, StaffRole } from '../effects';

/** One answer the caller can give to "who are you calling as?" (built from their identities). */
export interface WhoOption {
  kind: 'caregiver' | 'client' | 'prospect' | 'contact' | 'staff';
  /** For a contact: the first name of the client whose contact this number is. */
  clientFirstName?: string;
}

/** What a clarifying question can name (the router maps its intents onto these). */
export type ClarifyTopic = 'shift' | 'complaint' | 'whereIsCaregiver' | 'newClient' | 'hours' | 'serviceArea' | 'services' | 'medical' | 'wrongNumber' | 'other';

const clarifyEn: Record<ClarifyTopic, string> = {
  shift: 'your shift',
  complaint: 'a problem with a visit',
  whereIsCaregiver: "a caregiver who hasn't arrived",
  newClient: 'starting care with us',
  hours: 'our office hours',
  serviceArea: 'the areas we serve',
  services: 'the services we offer',
  medical: 'a medical question',
  wrongNumber: 'a wrong number',
  other: 'something else',
};
const clarifyEs: Record<ClarifyTopic, string> = {
  shift: 'su turno',
  complaint: 'un problema con una visita',
  whereIsCaregiver: 'una cuidadora que no ha llegado',
  newClient: 'empezar el cuidado con nosotros',
  hours: 'nuestro horario de oficina',
  serviceArea: 'las zonas donde damos servicio',
  services: 'los servicios que ofrecemos',
  medical: 'una pregunta médica',
  wrongNumber: 'un número equivocado',
  other: 'otra cosa',
};

/** What a gather listens for: picks the speech hints. */
export type Listening = 'clarify' | 'purpose' | 'whoIsCalling' | 'yesNo' | 'personOrMessage' | 'message';

export interface RouterPhrases {
  helloByName(p: { firstName: string; agencyName: string; channel: Channel }): string;
  hello(p: { agencyName: string; channel: Channel }): string;
  askWhoIsCalling(p: { options: WhoOption[]; channel: Channel }): string;
  askAboutShift(p: { channel: Channel }): string;
  askHowWeCanHelp(): string;
  askHowCanIHelpWithExamples(): string;
  askWhatElse(): string;
  didNotCatch(): string;
  didNotUnderstand(): string;
  /** Two readings were too close to call: "Is this about a problem with a visit, or our office hours?" */
  clarify(p: { between: [ClarifyTopic, ClarifyTopic] }): string;
  offerPersonOrMessage(p: { channel: Channel }): string;
  dial911(p: { channel: Channel }): string;
  connectingToOnCall(): string;
  connectingToPerson(): string;
  tryingNextPerson(): string;
  noOneAnswered(): string;
  officeClosedLeaveMessage(): string;
  askForMessage(p: { topic: MessageTopic; channel: Channel }): string;
  didNotHearMessage(): string;
  messagePassedOn(p: { role: StaffRole; callbackHours: number }): string;
  messageNoted(): string;
  staffAlerted(p: { emergency: boolean }): string;
  officeHours(p: { hoursText: string }): string;
  serviceArea(p: { areaText: string }): string;
  services(): string;
  askAnythingElse(): string;
  noMedicalAdvice(p: { channel: Channel }): string;
  offerPerson(p: { channel: Channel }): string;
  cannotShareCareInformation(): string;
  offerMessageForOffice(): string;
  wrongNumber(): string;
  goodbye(p: { agencyName: string; channel: Channel }): string;
  hints(p: { listening: Listening; options?: WhoOption[] }): string[];
}

const en: RouterPhrases = {
  helloByName: ({ firstName, agencyName, channel }) =>
    `Hi ${firstName}, thanks for ${channel === 'sms' ? 'texting' : 'calling'} ${agencyName}.`,
  hello: ({ agencyName, channel }) => `Thanks for ${channel === 'sms' ? 'texting' : 'calling'} ${agencyName}.`,
  askWhoIsCalling: ({ options, channel }) =>
    `Are you ${channel === 'sms' ? 'texting' : 'calling'} ${joinOr(options.map(whoLabelEn), 'or')}?`,
  askAboutShift: ({ channel }) =>
    channel === 'sms'
      ? 'Is this about a shift (calling out or running late), or something else?'
      : 'Are you calling about a shift, like calling out or running late, or about something else?',
  askHowWeCanHelp: () => 'How can we help you today?',
  askHowCanIHelpWithExamples: () =>
    "How can I help? For example: I need care for a family member, I have a concern about care, or I'm a caregiver.",
  askWhatElse: () => 'What else can I help you with?',
  didNotCatch: () => "Sorry, I didn't catch that.",
  didNotUnderstand: () => "Sorry, I didn't understand.",
  clarify: ({ between: [a, b] }) => `Is this about ${clarifyEn[a]}, or ${clarifyEn[b]}?`,
  offerPersonOrMessage: ({ channel }) =>
    channel === 'sms'
      ? "Reply PERSON to have someone call you back, or text your message and I'll pass it to our office."
      : "Press 0 or say 'a person' to talk to someone, or stay on the line to leave a message.",
  dial911: ({ channel }) =>
    channel === 'sms'
      ? 'If this is a medical emergency, please call 911 now.'
      : 'If this is a medical emergency, please hang up and dial 911 now.',
  connectingToOnCall: () => "I'm connecting you to our on-call staff now. Please hold.",
  connectingToPerson: () => "I'll connect you with someone now. Please hold.",
  tryingNextPerson: () => "I'm still trying to reach someone. Please hold.",
  noOneAnswered: () => "I'm sorry, no one could answer right now.",
  officeClosedLeaveMessage: () =>
    'Our office is closed right now, but our on-call staff will get your message right away.',
  askForMessage: ({ topic, channel }) => {
    const how = channel === 'sms' ? 'Please text' : 'After the tone, please say';
    const end = channel === 'sms' ? '.' : ', then hang up or press the pound key.';
    switch (topic) {
      case 'callout':
      case 'uncallout':
      case 'claimShift':
        return `${how} your name, which shift, and what is happening${end}`;
      case 'late':
        return `${how} your name, which shift, and when you expect to arrive${end}`;
      case 'complaint':
        return `${how} your name, who receives care, and what happened${end}`;
      case 'lead':
        return `${how} your name, who needs care, the city, and what help is needed${end}`;
      case 'whereIsCaregiver':
        return `${how} your name and who was expecting a caregiver${end}`;
      case 'emergency':
      case 'general':
        return `${how} your name and your message${end}`;
    }
  },
  didNotHearMessage: () => "Sorry, I didn't hear a message.",
  messagePassedOn: ({ role, callbackHours }) =>
    `Thank you. I've passed your message to our ${teamEn[role]}; someone will call you back` +
    (callbackHours > 0 ? ` within ${callbackHours} ${callbackHours === 1 ? 'hour' : 'hours'}.` : '.'),
  messageNoted: () => "Thank you. I've noted it and someone will call you back.",
  staffAlerted: ({ emergency }) =>
    emergency
      ? "I've alerted our on-call staff; someone will call you right away."
      : "I've let our on-call staff know; someone will call you back soon.",
  officeHours: ({ hoursText }) => `Our office hours are ${hoursText}.`,
  serviceArea: ({ areaText }) => `We serve ${areaText}.`,
  services: () =>
    'We provide non-medical home care: help with bathing, dressing, meals, medication reminders, companionship, light housekeeping and errands.',
  askAnythingElse: () => 'Is there anything else I can help with?',
  noMedicalAdvice: ({ channel }) =>
    channel === 'sms'
      ? "I can't give medical advice. If this is an emergency, call 911."
      : "I can't give medical advice. If this is an emergency, hang up and dial 911.",
  offerPerson: ({ channel }) =>
    channel === 'sms' ? 'Would you like someone from our team to call you?' : 'Would you like to talk to a person?',
  cannotShareCareInformation: () =>
    "I'm sorry, I can't share information about anyone's care with a number we don't have on file.",
  offerMessageForOffice: () => 'Would you like to leave a message for our office?',
  wrongNumber: () => 'No problem, sorry for the trouble. Goodbye.',
  goodbye: ({ agencyName, channel }) =>
    `Thank you for ${channel === 'sms' ? 'texting' : 'calling'} ${agencyName}. Goodbye.`,
  hints: ({ listening, options }) => {
    switch (listening) {
      case 'clarify':
      case 'purpose':
        return ['call out', 'running late', 'sick', 'complaint', 'new client', 'care for my mother', 'hours', 'a person'];
      case 'whoIsCalling':
        return ['caregiver', ...(options ?? []).flatMap((o) => (o.clientFirstName ? [o.clientFirstName] : [])), 'a person'];
      case 'yesNo':
        return ['yes', 'no', 'a person'];
      case 'personOrMessage':
        return ['a person', 'message'];
      case 'message':
        return [];
    }
  },
};

const es: RouterPhrases = {
  helloByName: ({ firstName, agencyName, channel }) =>
    `Hola ${firstName}, gracias por ${channel === 'sms' ? 'escribir a' : 'llamar a'} ${agencyName}.`,
  hello: ({ agencyName, channel }) => `Gracias por ${channel === 'sms' ? 'escribir a' : 'llamar a'} ${agencyName}.`,
  askWhoIsCalling: ({ options, channel }) =>
    `¿${channel === 'sms' ? 'Escribe' : 'Llama'} ${joinOr(options.map(whoLabelEs), 'o')}?`,
  askAboutShift: ({ channel }) =>
    channel === 'sms'
      ? '¿Es sobre un turno (faltar o llegar tarde) o sobre otra cosa?'
      : '¿Llama por un turno, por ejemplo para avisar que no puede ir o que llegará tarde, o por otra cosa?',
  askHowWeCanHelp: () => '¿En qué le podemos ayudar hoy?',
  askHowCanIHelpWithExamples: () =>
    '¿En qué le puedo ayudar? Por ejemplo: necesito cuidado para un familiar, tengo una queja sobre el cuidado, o soy cuidador.',
  askWhatElse: () => '¿En qué más le puedo ayudar?',
  didNotCatch: () => 'Perdón, no le escuché bien.',
  didNotUnderstand: () => 'Perdón, no le entendí.',
  clarify: ({ between: [a, b] }) => `¿Es sobre ${clarifyEs[a]}, o sobre ${clarifyEs[b]}?`,
  offerPersonOrMessage: ({ channel }) =>
    channel === 'sms'
      ? 'Responda PERSONA para que alguien le llame, o escriba su mensaje y se lo pasaré a nuestra oficina.'
      : "Marque 0 o diga 'una persona' para hablar con alguien, o quédese en la línea para dejar un mensaje.",
  dial911: ({ channel }) =>
    channel === 'sms'
      ? 'Si es una emergencia médica, llame al 911 ahora.'
      : 'Si es una emergencia médica, cuelgue y marque el 911 ahora.',
  connectingToOnCall: () => 'Le comunico ahora con nuestro personal de guardia. Por favor espere.',
  connectingToPerson: () => 'Le comunico con alguien ahora. Por favor espere.',
  tryingNextPerson: () => 'Sigo intentando comunicarme con alguien. Por favor espere.',
  noOneAnswered: () => 'Lo siento, nadie pudo contestar en este momento.',
  officeClosedLeaveMessage: () =>
    'Nuestra oficina está cerrada ahora, pero nuestro personal de guardia recibirá su mensaje de inmediato.',
  askForMessage: ({ topic, channel }) => {
    const how = channel === 'sms' ? 'Por favor escriba' : 'Después del tono, por favor diga';
    const end = channel === 'sms' ? '.' : ', y luego cuelgue o marque la tecla de número.';
    switch (topic) {
      case 'callout':
      case 'uncallout':
      case 'claimShift':
        return `${how} su nombre, cuál turno y qué está pasando${end}`;
      case 'late':
        return `${how} su nombre, cuál turno y a qué hora espera llegar${end}`;
      case 'complaint':
        return `${how} su nombre, quién recibe el cuidado y qué pasó${end}`;
      case 'lead':
        return `${how} su nombre, quién necesita cuidado, la ciudad y qué ayuda necesita${end}`;
      case 'whereIsCaregiver':
        return `${how} su nombre y quién esperaba a un cuidador${end}`;
      case 'emergency':
      case 'general':
        return `${how} su nombre y su mensaje${end}`;
    }
  },
  didNotHearMessage: () => 'Perdón, no escuché ningún mensaje.',
  messagePassedOn: ({ role, callbackHours }) =>
    `Gracias. Le pasé su mensaje a nuestro ${teamEs[role]}; alguien le llamará` +
    (callbackHours > 0 ? ` dentro de ${callbackHours} ${callbackHours === 1 ? 'hora' : 'horas'}.` : '.'),
  messageNoted: () => 'Gracias. Lo anoté y alguien le llamará.',
  staffAlerted: ({ emergency }) =>
    emergency
      ? 'Avisé a nuestro personal de guardia; alguien le llamará de inmediato.'
      : 'Avisé a nuestro personal de guardia; alguien le llamará pronto.',
  officeHours: ({ hoursText }) => `Nuestro horario de oficina es ${hoursText}.`,
  serviceArea: ({ areaText }) => `Atendemos ${areaText}.`,
  services: () =>
    'Ofrecemos cuidado en casa no médico: ayuda para bañarse, vestirse, comidas, recordatorios de medicamentos, compañía, limpieza ligera y mandados.',
  askAnythingElse: () => '¿Hay algo más en que le pueda ayudar?',
  noMedicalAdvice: ({ channel }) =>
    channel === 'sms'
      ? 'No puedo dar consejos médicos. Si es una emergencia, llame al 911.'
      : 'No puedo dar consejos médicos. Si es una emergencia, cuelgue y marque el 911.',
  offerPerson: ({ channel }) =>
    channel === 'sms' ? '¿Quiere que alguien de nuestro equipo le llame?' : '¿Quiere hablar con una persona?',
  cannotShareCareInformation: () =>
    'Lo siento, no puedo compartir información sobre el cuidado de nadie con un número que no tenemos registrado.',
  offerMessageForOffice: () => '¿Quiere dejar un mensaje para nuestra oficina?',
  wrongNumber: () => 'No se preocupe, disculpe la molestia. Adiós.',
  goodbye: ({ agencyName, channel }) =>
    `Gracias por ${channel === 'sms' ? 'escribir a' : 'llamar a'} ${agencyName}. Adiós.`,
  hints: ({ listening, options }) => {
    switch (listening) {
      case 'clarify':
      case 'purpose':
        return ['faltar', 'llegar tarde', 'enfermo', 'queja', 'cuidado para mi mamá', 'horario', 'una persona'];
      case 'whoIsCalling':
        return ['cuidador', ...(options ?? []).flatMap((o) => (o.clientFirstName ? [o.clientFirstName] : [])), 'una persona'];
      case 'yesNo':
        return ['sí', 'no', 'una persona'];
      case 'personOrMessage':
        return ['una persona', 'mensaje'];
      case 'message':
        return [];
    }
  },
};

const teamEn: Record<StaffRole, string> = {
  oncall: 'on-call staff',
  scheduler: 'scheduling team',
  complaints: 'client care team',
  intake: 'new client team',
  owner: 'office',
};

const teamEs: Record<StaffRole, string> = {
  oncall: 'personal de guardia',
  scheduler: 'equipo de horarios',
  complaints: 'equipo de atención al cliente',
  intake: 'equipo de nuevos clientes',
  owner: 'oficina',
};

function whoLabelEn(option: WhoOption): string {
  switch (option.kind) {
    case 'caregiver':
      return 'as a caregiver';
    case 'contact':
      return option.clientFirstName ? `about ${option.clientFirstName}'s care` : "about a family member's care";
    case 'client':
      return 'about your own care';
    case 'prospect':
      return 'about starting care';
    case 'staff':
      return 'as a member of our staff';
  }
}

function whoLabelEs(option: WhoOption): string {
  switch (option.kind) {
    case 'caregiver':
      return 'como cuidador';
    case 'contact':
      return option.clientFirstName ? `por el cuidado de ${option.clientFirstName}` : 'por el cuidado de un familiar';
    case 'client':
      return 'por su propio cuidado';
    case 'prospect':
      return 'para empezar un servicio de cuidado';
    case 'staff':
      return 'como parte de nuestro personal';
  }
}

function joinOr(parts: string[], or: string): string {
  const unique = [...new Set(parts)];
  if (unique.length <= 1) return unique[0] ?? '';
  return `${unique.slice(0, -1).join(', ')}, ${or} ${unique[unique.length - 1]}`;
}

const byLang: Record<Lang, RouterPhrases> = { en, es };

/** The router's phrases in a language. */
export function routerPhrases(lang: Lang): RouterPhrases {
  return byLang[lang];
}
