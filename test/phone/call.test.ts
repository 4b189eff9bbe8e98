import { simulateCall } from '../../scripts/phone/simulator';
import { FAKE_TOKEN, FakeApp, startFakeApp, statusCallbackAccepted, voice } from './fake-twilio-app';

const CALLER = '+13035550123';
const ON_CALL = '+13035550105';

let app: FakeApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function call(script: string[], extra: { publicBase?: string; dialOutcome?: 'no-answer' } = {}) {
  return simulateCall({ base: app!.base, authToken: FAKE_TOKEN, from: CALLER, script, ...extra });
}

function requestsTo(path: string) {
  return app!.requests.filter((r) => r.path === path);
}

describe('a scripted call', () => {
  beforeEach(async () => {
    app = await startFakeApp({
      'POST /twilio/voice': () =>
        voice((r) => {
          r.say({ voice: 'Polly.Joanna' }, 'Thanks for calling the agency.');
          const g = r.gather({ input: ['speech', 'dtmf'], action: '/twilio/voice/turn?c=1&t=1', method: 'POST', hints: 'late, sick' });
          g.say('How can I help?');
        }),
      'POST /twilio/voice/turn': (p, q) => {
        if (q.t === '1') return voice((r) => { r.say(`You said ${p.SpeechResult}`); r.redirect({ method: 'POST' }, '/twilio/voice/menu'); });
        return voice((r) => {
          r.say(`You pressed ${p.Digits}. Putting you through.`);
          r.dial({ action: '/twilio/voice/dialed', callerId: '+13035550100', timeout: 20 }).number(ON_CALL);
        });
      },
      'POST /twilio/voice/menu': () =>
        voice((r) => r.gather({ input: ['dtmf'], numDigits: 1, action: '/twilio/voice/turn?c=1&t=2' }).say('Press 1 for a person.')),
      'POST /twilio/voice/dialed': (p) =>
        voice((r) => {
          r.say(`The transfer ended ${p.DialCallStatus}. Leave a message after the beep.`);
          r.record({ action: '/twilio/voice/recorded', transcribe: true, transcribeCallback: '/twilio/voice/transcribed', maxLength: 120 });
        }),
      'POST /twilio/voice/recorded': () => voice((r) => { r.say('Thank you. Goodbye.'); r.hangup(); }),
      'POST /twilio/voice/transcribed': statusCallbackAccepted,
      'POST /twilio/voice/status': statusCallbackAccepted,
    });
  });

  it('follows Say, Gather, Redirect, Dial and Record to the hang-up, as the caller hears it', async () => {
    const result = await call(['say: I need a person', 'press: 1', 'My caregiver left early today.']);

    expect(result.ended).toBe('hangup');
    expect(result.heard).toEqual([
      'Thanks for calling the agency.',
      'How can I help?',
      'You said I need a person.',
      'Press 1 for a person.',
      'You pressed 1. Putting you through.',
      'The transfer ended completed. Leave a message after the beep.',
      'Thank you. Goodbye.',
    ]);
    expect(result.dialed).toEqual([ON_CALL]);
    expect(result.recorded).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it('posts the first ring with the call parameters Twilio sends', async () => {
    const result = await call(['hangup']);
    const ring = requestsTo('/twilio/voice')[0].params;
    expect(ring).toMatchObject({ From: CALLER, To: '+13035550100', Caller: CALLER, Called: '+13035550100', CallStatus: 'ringing', Direction: 'inbound', ApiVersion: '2010-04-01' });
    expect(ring.CallSid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(ring.AccountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(result.ended).toBe('hangup');
  });

  it('sends speech as Twilio transcribes it and digits as pressed', async () => {
    await call(['i need a person', '1']);
    const [speechTurn, digitTurn] = requestsTo('/twilio/voice/turn');
    expect(speechTurn.params).toMatchObject({ SpeechResult: 'I need a person.', CallStatus: 'in-progress' });
    expect(Number(speechTurn.params.Confidence)).toBeGreaterThan(0);
    expect(digitTurn.params.Digits).toBe('1');
    expect(digitTurn.params).not.toHaveProperty('SpeechResult');
  });

  it('reports how the transfer ended to the Dial action', async () => {
    await call(['say: a person', 'press: 1', 'dial: no-answer', 'hello']);
    expect(requestsTo('/twilio/voice/dialed')[0].params).toMatchObject({ DialCallStatus: 'no-answer', DialCallDuration: '0' });
  });

  it('posts the recording to the Record action and its transcription to the callback', async () => {
    await call(['a person', '1', 'My caregiver left early today.']);
    const recorded = requestsTo('/twilio/voice/recorded')[0].params;
    const transcribed = requestsTo('/twilio/voice/transcribed')[0].params;
    expect(recorded.RecordingUrl).toMatch(/^https:\/\//);
    expect(recorded.RecordingSid).toMatch(/^RE[0-9a-f]{32}$/);
    expect(Number(recorded.RecordingDuration)).toBeGreaterThan(0);
    expect(transcribed).toMatchObject({ TranscriptionText: 'My caregiver left early today.', TranscriptionStatus: 'completed', RecordingSid: recorded.RecordingSid });
  });

  it('posts the completed status callback when the call ends', async () => {
    const result = await call(['a person', '1', 'My caregiver left early today.']);
    const status = requestsTo('/twilio/voice/status');
    expect(status).toHaveLength(1);
    expect(status[0].params).toMatchObject({ CallSid: result.callSid, CallStatus: 'completed' });
    expect(Number(status[0].params.CallDuration)).toBeGreaterThan(0);
    expect(result.requests).toBe(app!.requests.length);
  });

  it('hangs up when the script says hangup, and still reports the call completed', async () => {
    const result = await call(['hangup']);
    expect(result.ended).toBe('hangup');
    expect(requestsTo('/twilio/voice/turn')).toHaveLength(0);
    expect(requestsTo('/twilio/voice/status')[0].params.CallStatus).toBe('completed');
  });

  it('counts the script lines left over when the call ends early', async () => {
    const result = await call(['hangup', 'say: never heard', 'press: 9']);
    expect(result.unusedScriptLines).toBe(2);
  });

  it("ends 'script-exhausted' when the app still asks for input after the last line", async () => {
    const result = await call(['say: a person']);
    expect(result.ended).toBe('script-exhausted');
    expect(result.heard).toContain('Press 1 for a person.');
    expect(requestsTo('/twilio/voice/status')).toHaveLength(1);
  });
});

describe('no input', () => {
  it('posts the Gather action with neither speech nor digits when actionOnEmptyResult is set', async () => {
    app = await startFakeApp({
      'POST /twilio/voice': () => voice((r) => r.gather({ input: ['speech', 'dtmf'], action: '/twilio/voice/turn?t=1', actionOnEmptyResult: true }).say('Are you there?')),
      'POST /twilio/voice/turn': (p) => voice((r) => { r.say(p.SpeechResult || p.Digits ? 'Got it.' : 'I did not hear anything.'); r.hangup(); }),
      'POST /twilio/voice/status': statusCallbackAccepted,
    });
    const result = await call(['silence']);
    const turn = requestsTo('/twilio/voice/turn')[0].params;
    expect(turn).not.toHaveProperty('SpeechResult');
    expect(turn).not.toHaveProperty('Digits');
    expect(result.heard).toContain('I did not hear anything.');
    expect(result.ended).toBe('hangup');
  });

  it('falls through to the verbs after the Gather when actionOnEmptyResult is not set', async () => {
    app = await startFakeApp({
      'POST /twilio/voice': () =>
        voice((r) => {
          r.gather({ input: ['speech'], action: '/twilio/voice/turn?t=1' }).say('What can I do for you?');
          r.say('We did not hear you. Goodbye.');
        }),
      'POST /twilio/voice/status': statusCallbackAccepted,
    });
    const result = await call(['silence']);
    expect(requestsTo('/twilio/voice/turn')).toHaveLength(0);
    expect(result.heard).toEqual(['What can I do for you?', 'We did not hear you. Goodbye.']);
    expect(result.ended).toBe('no-more-verbs');
  });
});

describe('signatures', () => {
  const PUBLIC_BASE = 'https://frontdoor.example.com';
  const routes = {
    'POST /twilio/voice': () => voice((r) => r.gather({ input: ['speech'], action: `${PUBLIC_BASE}/twilio/voice/turn?c=9&t=1` }).say('Hello.')),
    'POST /twilio/voice/turn': () => voice((r) => r.hangup()),
    'POST /twilio/voice/status': statusCallbackAccepted,
  };

  it('signs over the public base URL, and follows absolute action URLs back to the local server', async () => {
    app = await startFakeApp(routes, { publicBase: PUBLIC_BASE });
    const result = await call(['yes'], { publicBase: PUBLIC_BASE });
    expect(app.rejected).toBe(0);
    expect(result.ended).toBe('hangup');
    expect(requestsTo('/twilio/voice/turn')[0].query).toEqual({ c: '9', t: '1' });
  });

  it('is refused when the public base URL the app expects differs, and reports the 403', async () => {
    app = await startFakeApp(routes, { publicBase: PUBLIC_BASE });
    const result = await call(['yes']);
    expect(result.ended).toBe('error');
    expect(result.error).toContain('HTTP 403');
  });
});

describe('a broken answer', () => {
  it("ends 'error' on invalid TwiML, saying what is wrong", async () => {
    app = await startFakeApp({
      'POST /twilio/voice': () => '<Response><Say>Hello</Response>',
      'POST /twilio/voice/status': statusCallbackAccepted,
    });
    const result = await call([]);
    expect(result.ended).toBe('error');
    expect(result.error).toMatch(/invalid TwiML/);
  });

  it("ends 'error' when the server answers 500", async () => {
    app = await startFakeApp({
      'POST /twilio/voice': () => ({ status: 500, body: 'boom', type: 'text/plain' }),
      'POST /twilio/voice/status': statusCallbackAccepted,
    });
    const result = await call([]);
    expect(result.ended).toBe('error');
    expect(result.error).toContain('HTTP 500');
  });
});
