import { understand, isEmergency, isOperatorRequest, isSkip, detectLanguage, normalize } from '../../flows/understand';
import type { Intent } from '../../flows/understand';

describe('understand: what the caller wants', () => {
  it.each<[string, Intent]>([
    // caregivers: late beats callout
    ["I'll be late because of an emergency", 'late'],
    ["I'm running late", 'late'],
    ["I'm running about 20 minutes late", 'late'],
    ['running 20 minutes behind', 'late'],
    ["not sick, just running late", 'late'],
    ["I'm not sick just running late", 'late'],
    ["I'm stuck in traffic", 'late'],
    ["I'll be there in 20 minutes", 'late'],
    ["I'm sick, I'll be late", 'late'],
    ["I won't make it on time", 'late'],
    ['Voy a llegar tarde', 'late'],
    ['Llego veinte minutos tarde', 'late'],
    ['No estoy enferma, solo voy a llegar tarde', 'late'],
    ['Hay mucho tráfico, voy en camino', 'late'],
    ['No voy a llegar a tiempo', 'late'],
    // call-outs
    ["I'm sick and can't make my shift", 'callout'],
    ["I'm sick and can't make my shift tomorrow", 'callout'],
    ['I need to call out', 'callout'],
    ["I can't come in today", 'callout'],
    ['I need to cancel my shift', 'callout'],
    ["I won't be able to make it tomorrow", 'callout'],
    ["I don't think I can make it", 'callout'],
    ["I can't make it after all", 'callout'],
    ["I'm unable to make my 8 o'clock", 'callout'],
    ["I'm not feeling well", 'callout'],
    ["I'm sick", 'callout'],
    ['I have a family emergency', 'callout'],
    ['No puedo ir a mi turno', 'callout'],
    ['Buenas tardes, no puedo ir mañana', 'callout'],
    ['Estoy enferma y no puedo trabajar hoy', 'callout'],
    ['Quiero cancelar mi turno', 'callout'],
    // taking a call-out back
    ['I can make it after all', 'uncallout'],
    ['Never mind, I can come', 'uncallout'],
    ['never mind I can come', 'uncallout'],
    ["I'm feeling better, I can work", 'uncallout'],
    ['Cancel my call out', 'uncallout'],
    ["I'm not sick anymore, I can come", 'uncallout'],
    ['Sí puedo ir', 'uncallout'],
    ['Olvídalo, ya me siento mejor', 'uncallout'],
    // clients and families
    ['I want to make a complaint about the caregiver', 'complaint'],
    ['I want to file a complaint, the caregiver left early', 'complaint'],
    ['The caregiver was rude to my mother', 'complaint'],
    ["The caregiver didn't show up", 'complaint'],
    ['Nobody came yesterday', 'complaint'],
    ['I think she stole money from my dad', 'complaint'],
    ["I'm not happy with the service", 'complaint'],
    ['Quiero poner una queja', 'complaint'],
    ['I want to cancel the service', 'complaint'],
    ['She is late again, this is the third time', 'complaint'],
    ['La cuidadora se fue temprano', 'complaint'],
    ['Nadie vino ayer', 'complaint'],
    ['Where is my caregiver?', 'whereIsCaregiver'],
    ['Nobody came', 'whereIsCaregiver'],
    ["The caregiver hasn't arrived yet", 'whereIsCaregiver'],
    ["The caregiver hasn't shown up yet, where is she?", 'whereIsCaregiver'],
    ["Where is Dorothy Smith's caregiver? She was supposed to be there at nine", 'whereIsCaregiver'],
    ["She's late and my mom is waiting", 'whereIsCaregiver'],
    ['¿Dónde está la cuidadora?', 'whereIsCaregiver'],
    ['La cuidadora todavía no llega', 'whereIsCaregiver'],
    ['Nadie ha venido', 'whereIsCaregiver'],
    // prospects
    ['I need care for my mother', 'newClient'],
    ['I need home care for my mother', 'newClient'],
    ["It's not a complaint, I need care for my dad", 'newClient'],
    ['I would like information about your services', 'newClient'],
    ['How much does it cost?', 'newClient'],
    ["I'm a discharge planner with a referral", 'newClient'],
    ['Necesito cuidado para mi mamá', 'newClient'],
    ['¿Cuánto cobran por hora?', 'newClient'],
    // offers
    ["I'll take it", 'claimShift'],
    ['I want the shift', 'claimShift'],
    ['Yo lo tomo', 'claimShift'],
    ['Can I take the shift?', 'claimShift'],
    // general questions
    ['What are your office hours?', 'hours'],
    ['Are you open on Saturday?', 'hours'],
    ['¿Cuál es su horario de oficina?', 'hours'],
    ['Do you serve Castle Rock?', 'serviceArea'],
    ['¿Dan servicio en Aurora?', 'serviceArea'],
    ['Where are you located?', 'serviceArea'],
    ['What services do you offer?', 'services'],
    ['¿Qué servicios ofrecen?', 'services'],
    // never answered
    ['What dose of Tylenol can she have?', 'medical'],
    ['How much of her blood pressure medicine should she take?', 'medical'],
    ['Should my dad take his insulin before dinner?', 'medical'],
    ['¿Cuántas pastillas debe tomar?', 'medical'],
    // a person
    ['Operator', 'operator'],
    ['Can I talk to a real person please', 'operator'],
    ['Has my caregiver arrived yet?', 'whereIsCaregiver'],
    ['Is the caregiver on the way?', 'whereIsCaregiver'],
    ['When will my caregiver get here?', 'whereIsCaregiver'],
    ['Can someone call me back please', 'operator'],
    ['Please have somebody call me', 'operator'],
    ['¿Me pueden llamar, por favor?', 'operator'],
    ['Que alguien me llame', 'operator'],
    ['representative', 'operator'],
    ['A person, please.', 'operator'],
    ['Quiero hablar con una persona', 'operator'],
    ['0', 'operator'],
    // emergencies
    ['My dad fell and is bleeding', 'emergency'],
    ['Help, he is having chest pain', 'emergency'],
    ['Mi mamá se cayó', 'emergency'],
    // other
    ['Sorry, wrong number', 'wrongNumber'],
    ['Perdón, número equivocado', 'wrongNumber'],
    ['Yes.', 'yes'],
    ['Yeah, that works', 'yes'],
    ['Sí, claro', 'yes'],
    ['No, thank you.', 'no'],
    ['Nope', 'no'],
    ['purple monkey dishwasher', 'unknown'],
    ['I need someone right now', 'unknown'],
    ["I won't be late", 'unknown'],
    ['', 'unknown'],
  ])('%j → %s', (text, intent) => {
    expect(understand(text).intent).toBe(intent);
  });

  it('says when a keyword was negated and set aside', () => {
    expect(understand("I'm not calling out")).toMatchObject({ intent: 'unknown', negated: true, matched: 'calling out' });
    expect(understand('not sick, just running late')).toMatchObject({ intent: 'late', negated: true });
    expect(understand("I'm running late")).toMatchObject({ negated: false });
  });

  it('is sure of a plain statement and unsure when two unrelated intents compete', () => {
    expect(understand("I'm sick and can't make my shift").confidence).toBe('high');
    expect(understand('The caregiver was rude, and what dose should she take').confidence).toBe('low');
    expect(understand('purple monkey dishwasher').confidence).toBe('low');
  });

  it('reports the detected language', () => {
    expect(understand('No puedo ir a mi turno').lang).toBe('es');
    expect(understand("I can't make my shift").lang).toBe('en');
    expect(understand('Dorothy').lang).toBeUndefined();
  });

  it('takes a digit menu when one is given, spoken or keyed', () => {
    const digitsMenu = { '1': 'callout', '2': 'late', '3': 'complaint' } as const;
    expect(understand('2', { digitsMenu }).intent).toBe('late');
    expect(understand('two', { digitsMenu }).intent).toBe('late');
    expect(understand('number three', { digitsMenu }).intent).toBe('complaint');
    expect(understand('0', { digitsMenu }).intent).toBe('operator');
    expect(understand('She fell', { digitsMenu }).intent).toBe('emergency');
  });
});

describe('isEmergency: medical emergencies, both languages, negation-aware', () => {
  it.each(['she fell last night', 'she fell yesterday', 'she fell last week and now she is on the floor', 'he had a fall'])('%j: a recent fall is still an emergency', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it.each([
    'My client fell',
    'She has fallen and can’t get up',
    "He's not breathing",
    'She is having chest pain',
    "He's bleeding a lot",
    'Call 911',
    'She is unconscious',
    'I think he had a stroke',
    'He is choking',
    'She fell but she says she is fine',
    "I'll be late, my client fell",
    'This is an emergency',
    'Se cayó mi mamá',
    'No respira',
    'Tiene dolor de pecho',
    'Está sangrando',
    'Es una emergencia',
    'Está inconsciente',
  ])('%j is an emergency', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it.each([
    "I'll be late because of an emergency",
    'I have a family emergency and can’t come',
    "She didn't fall, she is fine",
    "It's not an emergency",
    'No emergency, I just have a question',
    'The caregiver fell asleep',
    'I want to update her emergency contact',
    'Voy a llegar tarde por una emergencia',
    'Tengo una emergencia familiar',
    'No se cayó, está bien',
    'No es una emergencia',
    "I'm running late",
    // a fall told as history, as new clients tell it
    "my mom fell last month, she's fine now, she's home",
    'my dad had a fall a few weeks ago and needs help',
    'since her fall she needs help with bathing',
    'mi mamá se cayó el mes pasado y necesita ayuda',
  ])('%j is not an emergency', (text) => {
    expect(isEmergency(text)).toBe(false);
  });
});

describe('isOperatorRequest', () => {
  it.each<[string, string | undefined, boolean]>([
    ['representative', undefined, true],
    ['Operator.', undefined, true],
    ['A person.', undefined, true],
    ['I want to speak to someone', undefined, true],
    ['Can I talk to a human', undefined, true],
    ['hablar con una persona', undefined, true],
    ['Operadora, por favor', undefined, true],
    ['Representante', undefined, true],
    ['', '0', true],
    ['anything', '0', true],
    ['I need care for a person with dementia', undefined, false],
    ["I don't need to talk to anyone", undefined, false],
    ['', '1', false],
    ['Yes', undefined, false],
  ])('%j (digits %s) → %s', (text, digits, expected) => {
    expect(isOperatorRequest(text, digits)).toBe(expected);
  });
});

describe('isSkip', () => {
  it.each<[string, boolean]>([
    ['skip', true],
    ["I don't know", true],
    ['Not sure', true],
    ["I'd prefer not to say", true],
    ['No sé', true],
    ['Paso', true],
    ['Denver', false],
    ['Private pay', false],
  ])('%j → %s', (text, expected) => {
    expect(isSkip(text)).toBe(expected);
  });
});

describe('detectLanguage', () => {
  it.each<[string, 'en' | 'es' | undefined]>([
    ['Hola', 'es'],
    ['Necesito ayuda', 'es'],
    ['No puedo ir a mi turno', 'es'],
    ['Sí', 'es'],
    ['¿Dónde está la cuidadora?', 'es'],
    ["Hi, I can't make my shift", 'en'],
    ['Yes', 'en'],
    ['Where is my caregiver', 'en'],
    ['no', undefined],
    ['ok', undefined],
    ['Dorothy', undefined],
  ])('%j → %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});

describe('normalize', () => {
  it.each<[string, string]>([
    ['Yes.', 'yes'],
    ["I can't make it!", 'i cant make it'],
    ['Mañana a las OCHO', 'manana a las 8'],
    ['twenty-five minutes', '25 minutes'],
    ['treinta y cinco', '35'],
    ['by 9:30 a.m.', 'by 9 30 am'],
    ['8am', '8 am'],
    ["the 8 o'clock", 'the 8 oclock'],
    ["Dorothy's", 'dorothys'],
    ["someone, anyone: the first one", 'someone anyone the first one'],
    ['  lots   of   space ', 'lots of space'],
  ])('%j → %j', (text, expected) => {
    expect(normalize(text)).toBe(expected);
  });
});
