import { createActor, fromPromise, waitFor, type AnyActorRef } from 'xstate';
import type { CallerIdentity, ConversationEvent, ConversationInput, Directive, Line } from '../../flows/conversation';
import type { AlertStaffInput, TakeMessageInput, TakeMessageOutput } from '../../flows/effects';
import { chosenIdentity, smsRouterMachine, voiceRouterMachine } from '../../flows/router.machine';
import { agency, maria, mariaForDorothy } from './fixtures';

const NOW = '2026-12-01T16:00:00.000Z';

const rosa: CallerIdentity = { ...maria, personId: 'cg-2', firstName: 'Rosa', lastName: 'Garcia', language: 'es' };
const susan: CallerIdentity = {
  kind: 'contact',
  personId: 'rp-9',
  firstName: 'Susan',
  lastName: 'Hall',
  clientId: 'cl-4',
  clientFirstName: 'Harold',
  relationship: 'daughter',
  language: 'en',
  active: true,
};

function inputFor(over: Partial<ConversationInput> & { officeOpen?: boolean } = {}): ConversationInput {
  const { officeOpen, ...rest } = over;
  return {
    conversationId: 'conv-1',
    channel: 'voice',
    callerPhone: '+13035550199',
    identities: [],
    lang: 'en',
    now: NOW,
    ...rest,
    agency: { ...agency, ...(rest.agency ?? {}), ...(officeOpen === undefined ? {} : { officeOpen }) },
  };
}

interface Fakes {
  messages: TakeMessageInput[];
  alerts: AlertStaffInput[];
  failMessages?: boolean;
  failAlerts?: boolean;
}

/** A conversation driven turn by turn, as the runtime does. */
class Conversation {
  readonly fakes: Fakes;
  private readonly actor: AnyActorRef;
  private seen = 0;
  private errors: unknown[] = [];

  constructor(
    machine: typeof voiceRouterMachine,
    input: ConversationInput,
    options: { failMessages?: boolean; failAlerts?: boolean; flowsRunning?: boolean } = {},
  ) {
    this.fakes = { messages: [], alerts: [], failMessages: options.failMessages, failAlerts: options.failAlerts };
    const fakes = this.fakes;
    const provided = machine.provide({
      actors: {
        takeMessage: fromPromise<TakeMessageOutput, TakeMessageInput>(async ({ input: message }) => {
          fakes.messages.push(message);
          if (fakes.failMessages) throw new Error('message store down');
          return { reference: 'M-1' };
        }),
        alertStaff: fromPromise<void, AlertStaffInput>(async ({ input: alert }) => {
          fakes.alerts.push(alert);
          if (fakes.failAlerts) throw new Error('outbox down');
        }),
      },
      guards: options.flowsRunning ? { flowAvailable: () => true } : {},
    });
    this.actor = createActor(provided, { input });
    this.actor.subscribe({ error: (error) => this.errors.push(error) });
    this.actor.start();
  }

  /** Send one event, wait until the machine settles, return what was said this turn. */
  async turn(event: Omit<ConversationEvent, 'now'> & { type: ConversationEvent['type'] }): Promise<string[]> {
    this.actor.send({ now: NOW, ...event } as ConversationEvent);
    await waitFor(this.actor, (s) => s.status !== 'active' || s.hasTag('awaitingInput'), { timeout: 2000 });
    expect(this.errors).toEqual([]);
    const lines = this.lines.slice(this.seen);
    this.seen = this.lines.length;
    return lines.map((line) => line.text);
  }

  start(text?: string) {
    return this.turn({ type: 'START', text } as ConversationEvent);
  }
  say(text: string) {
    return this.turn({ type: 'INPUT', text } as ConversationEvent);
  }
  press(digits: string) {
    return this.turn({ type: 'INPUT', digits } as ConversationEvent);
  }
  silence() {
    return this.turn({ type: 'NO_INPUT' } as ConversationEvent);
  }
  dialResult(status: string) {
    return this.turn({ type: 'DIAL_RESULT', status } as ConversationEvent);
  }
  recording(recordingUrl: string) {
    return this.turn({ type: 'RECORDING', recordingUrl, durationSeconds: 21 } as ConversationEvent);
  }
  hangUp() {
    return this.turn({ type: 'HANGUP' } as ConversationEvent);
  }

  get snapshot() {
    return this.actor.getSnapshot();
  }
  get lines(): Line[] {
    return this.snapshot.context.lines;
  }
  get directive(): Directive {
    return this.snapshot.context.directive;
  }
  get state(): string {
    return JSON.stringify(this.snapshot.value).replace(/"/g, '');
  }
  get done(): boolean {
    return this.snapshot.status === 'done';
  }
  stop() {
    this.actor.stop();
  }
}

const conversations: Conversation[] = [];
function callFrom(identities: CallerIdentity[], over: Parameters<typeof inputFor>[0] = {}, options = {}) {
  const conversation = new Conversation(voiceRouterMachine, inputFor({ identities, ...over }), options);
  conversations.push(conversation);
  return conversation;
}
function textFrom(identities: CallerIdentity[], over: Parameters<typeof inputFor>[0] = {}, options = {}) {
  const conversation = new Conversation(smsRouterMachine, inputFor({ identities, channel: 'sms', ...over }), options);
  conversations.push(conversation);
  return conversation;
}
afterEach(() => {
  while (conversations.length) conversations.pop()!.stop();
});

const EMERGENCY = 'My mother fell and she is not breathing';
const DIAL_911 = 'If this is a medical emergency, please hang up and dial 911 now.';

describe('voice router: greeting', () => {
  it('greets a known caregiver by first name and asks whether it is about a shift', async () => {
    const call = callFrom([maria]);
    const said = await call.start();
    expect(said[0]).toBe('Hi Maria, thanks for calling Colorado CareAssist.');
    expect(said[1]).toMatch(/about a shift.*calling out or running late.*something else/);
    expect(call.state).toBe('askingPurpose');
    expect(call.directive.kind).toBe('gather');
  });

  it('asks a client or family member how we can help', async () => {
    const call = callFrom([susan]);
    expect(await call.start()).toEqual(['Hi Susan, thanks for calling Colorado CareAssist.', 'How can we help you today?']);
  });

  it('greets an unknown caller with the agency name and examples of what to say', async () => {
    const call = callFrom([]);
    expect(await call.start()).toEqual([
      'Thanks for calling Colorado CareAssist.',
      "How can I help? For example: I need care for a family member, I have a concern about care, or I'm a caregiver.",
    ]);
  });

  it('asks who is calling when one number belongs to a caregiver and a client’s daughter', async () => {
    const call = callFrom([maria, mariaForDorothy]);
    const said = await call.start();
    expect(said).toContain("Are you calling as a caregiver, or about Dorothy's care?");
    expect(call.state).toBe('choosingIdentity');
    expect(call.directive).toMatchObject({ kind: 'gather' });

    const answer = await call.say('As a caregiver');
    expect(answer.join(' ')).toMatch(/about a shift/);
    expect(call.state).toBe('askingPurpose');
  });

  it('takes the client’s name as the answer to who is calling', async () => {
    const call = callFrom([maria, mariaForDorothy]);
    await call.start();
    expect(await call.say("It's about Dorothy")).toEqual(['How can we help you today?']);
    expect(call.snapshot.context.caller?.personId).toBe('rp-7');
  });

  it('answers a Spanish-speaking caregiver in Spanish', async () => {
    const call = callFrom([rosa]);
    const said = await call.start();
    expect(said[0]).toBe('Hola Rosa, gracias por llamar a Colorado CareAssist.');
    expect(call.lines.every((line) => line.lang === 'es')).toBe(true);
  });

  it('switches to Spanish when the caller speaks Spanish', async () => {
    const call = callFrom([]);
    await call.start();
    const said = await call.say('Hola, ¿cuál es su horario de oficina?');
    expect(call.snapshot.context.lang).toBe('es');
    expect(said.join(' ')).toContain('de lunes a viernes, de 8 a 5');
    expect(call.lines.slice(-2).every((line) => line.lang === 'es')).toBe(true);
  });
});

describe('voice router: a person, now', () => {
  it('puts a caller who asks for a person through to on-call, down the chain, then to voicemail', async () => {
    const call = callFrom([susan]);
    await call.start();
    await call.say('Can I talk to a real person please');
    expect(call.directive).toEqual({ kind: 'dial', number: '+13035550105', timeoutSeconds: 25 });
    await call.dialResult('no-answer');
    expect(call.directive).toMatchObject({ kind: 'dial', number: '+13035550101' });
    const said = await call.dialResult('busy');
    expect(said.join(' ')).toMatch(/no one could answer/);
    expect(call.directive.kind).toBe('record');
    await call.recording('https://api.twilio.com/rec/RE1');
    expect(call.fakes.messages).toEqual([
      expect.objectContaining({ role: 'oncall', topic: 'general', recordingUrl: 'https://api.twilio.com/rec/RE1', incomplete: false }),
    ]);
    expect(call.done).toBe(true);
  });

  it('pressing 0 at the first question dials on-call', async () => {
    const call = callFrom([]);
    await call.start();
    await call.press('0');
    expect(call.directive).toMatchObject({ kind: 'dial', number: '+13035550105' });
  });

  it('ends the call once someone on call answered', async () => {
    const call = callFrom([]);
    await call.start();
    await call.press('0');
    await call.dialResult('completed');
    expect(call.done).toBe(true);
    expect(call.directive).toEqual({ kind: 'end' });
  });

  it('after hours, takes a voicemail that is texted to on-call instead of dialling', async () => {
    const call = callFrom([susan], { officeOpen: false });
    await call.start();
    const said = await call.say('operator');
    expect(said.join(' ')).toMatch(/office is closed/);
    expect(call.directive.kind).toBe('record');
    await call.recording('https://api.twilio.com/rec/RE2');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'oncall', recordingUrl: 'https://api.twilio.com/rec/RE2' });
  });

  it('lets a caller ask for a person in the middle of leaving a message', async () => {
    const call = callFrom([susan]);
    await call.start();
    await call.say('I want to make a complaint about the caregiver');
    expect(call.state).toBe('leavingMessage');
    await call.press('0');
    expect(call.directive).toMatchObject({ kind: 'dial', number: '+13035550105' });
    expect(call.fakes.messages).toEqual([]);
  });

  describe('an emergency, from any question', () => {
    const waitingStates: Array<[string, CallerIdentity[], (call: Conversation) => Promise<unknown>]> = [
      ['choosingIdentity', [maria, mariaForDorothy], async (c) => c.start()],
      ['askingPurpose', [maria], async (c) => c.start()],
      ['askingAnythingElse', [], async (c) => (await c.start(), c.say('What are your hours?'))],
      ['offeringPerson', [susan], async (c) => (await c.start(), c.say('How much of her blood pressure medicine should she take?'))],
      ['offeringMessageForOffice', [], async (c) => (await c.start(), c.say('Where is the caregiver for Dorothy Smith?'))],
      ['offeringPersonOrMessage', [], async (c) => (await c.start(), await c.silence(), c.silence())],
      ['leavingMessage', [maria], async (c) => (await c.start(), c.say("I'm sick and can't make my shift"))],
    ];

    it.each(waitingStates)('from %s: tells them to dial 911 and puts them through to on-call', async (state, identities, reach) => {
      const call = callFrom(identities, { officeOpen: false });
      await reach(call);
      expect(call.state).toBe(state);
      const said = await call.say(EMERGENCY);
      expect(said[0]).toBe(DIAL_911);
      // Urgent: dialled even after hours.
      expect(call.directive).toMatchObject({ kind: 'dial', number: '+13035550105' });
    });

    it('with nobody on call, records a message marked as an emergency', async () => {
      const call = callFrom([], { agency: { ...agency, onCall: [] } });
      await call.start();
      await call.say('Help, he is having chest pain');
      expect(call.directive.kind).toBe('record');
      await call.recording('https://api.twilio.com/rec/RE3');
      expect(call.fakes.messages[0]).toMatchObject({ role: 'oncall', topic: 'emergency' });
    });
  });
});

describe('voice router: when the caller is silent or unclear', () => {
  it('asks again once, then offers a person or a message, then records a message for the office', async () => {
    const call = callFrom([]);
    await call.start();
    const first = await call.silence();
    expect(first[0]).toBe("Sorry, I didn't catch that.");
    expect(first[1]).toMatch(/How can I help/);
    const second = await call.silence();
    expect(second).toEqual(["Press 0 or say 'a person' to talk to someone, or stay on the line to leave a message."]);
    await call.silence();
    expect(call.directive.kind).toBe('record');
    await call.recording('https://api.twilio.com/rec/RE4');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'scheduler', topic: 'general' });
  });

  it('leaves the after-hours message for on-call', async () => {
    const call = callFrom([], { officeOpen: false });
    await call.start();
    await call.silence();
    await call.silence();
    await call.silence();
    await call.recording('https://api.twilio.com/rec/RE5');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'oncall' });
  });

  it('offers a person or a message after two answers it could not understand', async () => {
    const call = callFrom([]);
    await call.start();
    expect((await call.say('purple monkey dishwasher'))[0]).toBe("Sorry, I didn't understand.");
    expect(await call.say('banana phone')).toEqual([
      "Press 0 or say 'a person' to talk to someone, or stay on the line to leave a message.",
    ]);
  });
});

describe('voice router: privacy', () => {
  it('tells an unknown caller nothing about a client, not even whether they are one', async () => {
    const call = callFrom([]);
    await call.start();
    const said = await call.say("Where is Dorothy Smith's caregiver? She was supposed to be there at nine");
    expect(said.join(' ')).not.toMatch(/Dorothy|Smith/);
    expect(said).toContain("I'm sorry, I can't share information about anyone's care with a number we don't have on file.");
    expect(said).toContain('Would you like to leave a message for our office?');
    await call.say('yes');
    expect(call.directive.kind).toBe('record');
  });

  it('passes a family contact’s "where is the caregiver" to the scheduler', async () => {
    const call = callFrom([susan]);
    await call.start();
    await call.say("The caregiver hasn't shown up yet, where is she?");
    expect(call.state).toBe('leavingMessage');
    await call.recording('https://api.twilio.com/rec/RE6');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'scheduler', topic: 'whereIsCaregiver' });
  });
});

describe('voice router: questions it answers itself', () => {
  it('gives the office hours, then asks if there is anything else, and says goodbye', async () => {
    const call = callFrom([]);
    await call.start();
    const said = await call.say('What are your office hours?');
    expect(said).toEqual(['Our office hours are Monday to Friday, 8 AM to 5 PM.', 'Is there anything else I can help with?']);
    expect(await call.say('No, thank you')).toEqual(['Thank you for calling Colorado CareAssist. Goodbye.']);
    expect(call.done).toBe(true);
    expect(call.directive).toEqual({ kind: 'end' });
  });

  it('goes back to the first question when there is something else', async () => {
    const call = callFrom([]);
    await call.start();
    await call.say('What are your hours?');
    expect(await call.say('yes')).toEqual(['What else can I help you with?']);
    expect(call.state).toBe('askingPurpose');
  });

  it('gives no medical advice and offers a person', async () => {
    const call = callFrom([susan]);
    await call.start();
    const said = await call.say('Should my dad take his insulin before dinner?');
    expect(said[0]).toBe("I can't give medical advice. If this is an emergency, hang up and dial 911.");
    await call.say('yes please');
    expect(call.directive).toMatchObject({ kind: 'dial' });
  });

  it('says goodbye politely to a wrong number', async () => {
    const call = callFrom([]);
    await call.start();
    await call.say('Sorry, wrong number');
    expect(call.done).toBe(true);
  });
});

describe('voice router: hand-offs', () => {
  it('takes a complaint as a message for the complaints staff', async () => {
    const call = callFrom([susan]);
    await call.start();
    const said = await call.say('I want to file a complaint, the caregiver left early');
    expect(said.join(' ')).toMatch(/after the tone/i);
    expect(call.directive).toMatchObject({ kind: 'record' });
    const thanks = await call.recording('https://api.twilio.com/rec/RE7');
    expect(call.fakes.messages).toEqual([
      {
        conversationId: 'conv-1',
        step: 'router.takeMessage',
        role: 'complaints',
        topic: 'complaint',
        callerPhone: '+13035550199',
        identities: [susan],
        lang: 'en',
        recordingUrl: 'https://api.twilio.com/rec/RE7',
        recordingSeconds: 21,
        text: undefined,
        incomplete: false,
      },
    ]);
    expect(thanks).toEqual([
      "Thank you. I've passed your message to our client care team; someone will call you back within 2 hours.",
    ]);
    expect(call.done).toBe(true);
  });

  it('takes a caregiver’s call-out as a message for the scheduler', async () => {
    const call = callFrom([maria]);
    await call.start();
    await call.say("I'm sick and can't make my shift tomorrow");
    await call.recording('https://api.twilio.com/rec/RE8');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'scheduler', topic: 'callout' });
  });

  it('takes "running late" as a late notice, and a bare yes to the shift question as a call-out', async () => {
    const late = callFrom([maria]);
    await late.start();
    await late.say("I'm running about 20 minutes late");
    await late.recording('https://api.twilio.com/rec/RE9');
    expect(late.fakes.messages[0]).toMatchObject({ topic: 'late' });

    const yes = callFrom([maria]);
    await yes.start();
    await yes.say('Yes');
    expect(yes.state).toBe('leavingMessage');
  });

  it('takes a new client’s details for intake', async () => {
    const call = callFrom([]);
    await call.start();
    await call.say('I need home care for my mother');
    await call.recording('https://api.twilio.com/rec/RE10');
    expect(call.fakes.messages[0]).toMatchObject({ role: 'intake', topic: 'lead' });
  });

  it('saves a message cut short by a hang-up as incomplete', async () => {
    const call = callFrom([susan]);
    await call.start();
    await call.say('I have a complaint');
    await call.hangUp();
    expect(call.fakes.messages).toEqual([expect.objectContaining({ role: 'complaints', incomplete: true })]);
    expect(call.done).toBe(true);
  });

  it('simply ends when the caller hangs up with nothing unsaid', async () => {
    const call = callFrom([]);
    await call.start();
    await call.hangUp();
    expect(call.done).toBe(true);
    expect(call.fakes.messages).toEqual([]);
  });

  it('still ends politely when the message cannot be saved', async () => {
    const call = callFrom([susan], {}, { failMessages: true });
    await call.start();
    await call.say('I have a complaint');
    const said = await call.recording('https://api.twilio.com/rec/RE11');
    expect(said).toEqual(["Thank you. I've noted it and someone will call you back."]);
    expect(call.done).toBe(true);
    expect(call.directive).toEqual({ kind: 'end' });
  });
});

describe('router: hand-offs to the flows the runtime runs', () => {
  it('hands a complaint over to the complaint flow with who is calling and what they said', async () => {
    const call = callFrom([susan], {}, { flowsRunning: true });
    await call.start();
    await call.say('I want to make a complaint, the caregiver left early');
    expect(call.done).toBe(true);
    expect(call.snapshot.output).toMatchObject({
      handoff: {
        flow: 'complaint',
        topic: 'complaint',
        text: 'I want to make a complaint, the caregiver left early',
        identity: susan,
        lang: 'en',
        now: NOW,
      },
    });
    expect(call.fakes.messages).toEqual([]);
  });

  it('puts a caller another flow handed back as urgent through to on-call, even after hours', async () => {
    const call = callFrom([susan], { officeOpen: false, handoff: { flow: 'router', topic: 'urgent', lang: 'en', now: NOW } });
    await call.start();
    expect(call.directive).toMatchObject({ kind: 'dial', number: '+13035550105' });
  });

  it('alerts on-call by text for an urgent matter handed back in an SMS thread', async () => {
    const thread = textFrom([susan], { handoff: { flow: 'router', topic: 'urgent', lang: 'en', now: NOW } });
    await thread.start();
    expect(thread.fakes.alerts).toEqual([expect.objectContaining({ role: 'oncall', reason: 'urgent' })]);
    expect(thread.lines.at(-1)?.text).toBe("I've alerted our on-call staff; someone will call you right away.");
  });

  it('tells a caller handed back in an emergency to dial 911 first', async () => {
    const call = callFrom([susan], { handoff: { flow: 'router', topic: 'emergency', lang: 'en', now: NOW } });
    expect((await call.start())[0]).toBe(DIAL_911);
    expect(call.directive).toMatchObject({ kind: 'dial' });
  });
});

describe('SMS router', () => {
  it('takes a new client’s details over two texts', async () => {
    const thread = textFrom([]);
    const first = await thread.start("Hi, I'm looking for home care for my dad");
    expect(first[0]).toBe('Thanks for texting Colorado CareAssist.');
    expect(first.join(' ')).toMatch(/Please text your name, who needs care/);
    expect(thread.directive.kind).toBe('gather');

    const second = await thread.say('Ann Lee, for my father Bob Lee in Aurora, help with bathing and meals 3 mornings a week');
    expect(thread.fakes.messages).toEqual([
      expect.objectContaining({
        role: 'intake',
        topic: 'lead',
        text: 'Ann Lee, for my father Bob Lee in Aurora, help with bathing and meals 3 mornings a week',
        incomplete: false,
      }),
    ]);
    expect(second).toEqual(["Thank you. I've passed your message to our new client team; someone will call you back within 2 hours."]);
    expect(thread.done).toBe(true);
  });

  it('never dials or records', async () => {
    const thread = textFrom([susan]);
    await thread.start('I need to talk to a person');
    expect(thread.fakes.alerts).toEqual([
      expect.objectContaining({ role: 'oncall', reason: 'operator', conversationId: 'conv-1', step: 'router.alertStaff.operator' }),
    ]);
    expect(thread.lines.at(-1)?.text).toMatch(/someone will call you back/);
    expect(thread.done).toBe(true);
  });

  it('tells a texter in an emergency to call 911 and alerts on-call', async () => {
    const thread = textFrom([susan]);
    await thread.start('Hello');
    const said = await thread.say('My dad fell and is bleeding');
    expect(said[0]).toBe('If this is a medical emergency, please call 911 now.');
    expect(thread.fakes.alerts[0]).toMatchObject({ reason: 'emergency', text: 'My dad fell and is bleeding' });
    expect(thread.done).toBe(true);
  });

  it('answers a Spanish text in Spanish', async () => {
    const thread = textFrom([]);
    const said = await thread.start('Hola, necesito cuidado en casa para mi mamá');
    expect(thread.snapshot.context.lang).toBe('es');
    expect(said[0]).toBe('Gracias por escribir a Colorado CareAssist.');
  });

  it('still answers when the on-call alert cannot be sent', async () => {
    const thread = textFrom([], {}, { failAlerts: true });
    await thread.start('operator');
    expect(thread.lines.at(-1)?.text).toBe("Thank you. I've noted it and someone will call you back.");
    expect(thread.done).toBe(true);
  });
});

describe('chosenIdentity', () => {
  const both = [maria, mariaForDorothy];
  it.each([
    ['as a caregiver', undefined, 0],
    ["about Dorothy's care", undefined, 1],
    ['my mom', undefined, 1],
    [undefined, '2', 1],
    ['I can’t make my shift', undefined, 0],
    ['hmm', undefined, undefined],
  ])('%s / %s → %s', (text, digits, expected) => {
    expect(chosenIdentity(both, text, digits)).toBe(expected);
  });
});
