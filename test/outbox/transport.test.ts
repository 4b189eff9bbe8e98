import { FakeClock } from '../../src/clock';
import { createJobQueue, createJobRunner } from '../../src/jobs';
import { createOutbox } from '../../src/twilio/outbox';
import { createOptOutLedger } from '../../src/twilio/optout';
import { classifySendError, createTransport, createTwilioTransport, SmsTransportError } from '../../src/twilio/transport';
import { describeEachDb } from '../support/db';
import { startFakeTwilioApi, type FakeTwilioApi } from './fake-twilio-api';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'test-auth-token';
const AGENCY = '+13035550100';
const MARIA = '+13035550142';
const SERVICE = 'MG0123456789abcdef0123456789abcdef';

let api: FakeTwilioApi;
beforeAll(async () => {
  api = await startFakeTwilioApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.received.length = 0;
  api.failures.clear();
});

function transport(publicBaseUrl = 'https://frontdoor.example.com') {
  return createTwilioTransport({ accountSid: ACCOUNT, authToken: TOKEN, apiUrl: api.url, publicBaseUrl });
}

async function rejection(p: Promise<unknown>): Promise<SmsTransportError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(SmsTransportError);
    return err as SmsTransportError;
  }
  throw new Error('expected the send to fail');
}

describe('Twilio transport (against a local Twilio API through TWILIO_API_URL)', () => {
  it('sends a text from the agency number with a status callback, authenticated as the account', async () => {
    const result = await transport().send({ to: MARIA, body: 'Your shift is confirmed.', from: AGENCY });
    expect(result).toEqual({ sid: expect.stringMatching(/^SM\d{32}$/), status: 'queued' });
    expect(api.received).toHaveLength(1);
    const [call] = api.received;
    expect(call.accountSid).toBe(ACCOUNT);
    expect(call.authorization).toBe(`Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`);
    expect(call.params).toEqual({ To: MARIA, From: AGENCY, Body: 'Your shift is confirmed.', StatusCallback: 'https://frontdoor.example.com/twilio/sms/status' });
  });

  it('sends through the Messaging Service when one is given', async () => {
    await transport().send({ to: MARIA, body: 'Hi', messagingServiceSid: SERVICE, from: AGENCY });
    expect(api.received[0].params).toMatchObject({ MessagingServiceSid: SERVICE });
    expect(api.received[0].params.From).toBeUndefined();
  });

  it("maps Twilio's error body to { code, status }", async () => {
    api.failures.set(MARIA, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const err = await rejection(transport().send({ to: MARIA, body: 'Hi', from: AGENCY }));
    expect({ code: err.code, status: err.status }).toEqual({ code: 21610, status: 400 });
    expect(err.message).toContain('unsubscribed recipient');
    expect(classifySendError(err)).toBe('opted_out');
  });

  it('keeps phone numbers out of the error message (it ends up in logs and job errors)', async () => {
    api.failures.set(MARIA, { status: 400, code: 21211, message: `The 'To' number ${MARIA} is not a valid phone number.` });
    const err = await rejection(transport().send({ to: MARIA, body: 'Hi', from: AGENCY }));
    expect(err.message).not.toContain(MARIA);
    expect(err.message).toContain('***0142');
  });

  it.each([
    [{ status: 400, code: 21211, message: "The 'To' number is not a valid phone number." }, 'bad_number'],
    [{ status: 400, code: 21614, message: "'To' number is not a valid mobile number" }, 'bad_number'],
    [{ status: 429, code: 20429, message: 'Too Many Requests' }, 'transient'],
    [{ status: 503, code: 20503, message: 'Service Unavailable' }, 'transient'],
    [{ status: 400, code: 21408, message: 'Permission to send an SMS has not been enabled' }, 'permanent'],
    [{ status: 401, code: 20003, message: 'Authenticate' }, 'permanent'],
  ])('classifies %p as %p', async (failure, kind) => {
    api.failures.set(MARIA, failure);
    const err = await rejection(transport().send({ to: MARIA, body: 'Hi', from: AGENCY }));
    expect({ code: err.code, status: err.status }).toEqual({ code: failure.code, status: failure.status });
    expect(classifySendError(err)).toBe(kind);
  });

  it('reports an unreachable API as a transient network failure', async () => {
    const dead = createTwilioTransport({ accountSid: ACCOUNT, authToken: TOKEN, apiUrl: 'http://127.0.0.1:1' });
    const err = await rejection(dead.send({ to: MARIA, body: 'Hi', from: AGENCY }));
    expect(err.status).toBeUndefined();
    expect(err.message).toMatch(/could not be reached/);
    expect(classifySendError(err)).toBe('transient');
  });

  it('is chosen by the config: Twilio with credentials, the dev outbox without', () => {
    expect(createTransport({ mode: 'dev', phoneNumber: AGENCY }).kind).toBe('dev');
    expect(createTransport({ mode: 'live', accountSid: ACCOUNT, authTokens: [TOKEN], phoneNumber: AGENCY, apiUrl: api.url }, 'https://x.example.com').kind).toBe('twilio');
  });
});

describeEachDb('outbox over the Twilio transport', (ctx) => {
  it('sends through the API, and a 21610 answer opts the number out in the ledger', async () => {
    const clock = new FakeClock('2026-03-02T15:00:00Z');
    const jobs = createJobQueue(ctx.db, clock);
    const optOuts = createOptOutLedger({ db: ctx.db, clock });
    const outbox = createOutbox({ db: ctx.db, jobs, clock, optOuts, transport: transport(), from: { phoneNumber: AGENCY } });
    const runner = createJobRunner({ db: ctx.db, clock, handlers: outbox.jobHandlers, workerId: 'w' });

    const ok = await outbox.sendNow({ to: '+13035550177', body: 'Shift filled, thanks.', purpose: 'reply', audience: 'caller', idempotencyKey: 'reply:1' });
    expect(ok).toMatchObject({ status: 'sent', twilioSid: expect.stringMatching(/^SM/) });

    api.failures.set(MARIA, { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    const refused = await outbox.send({ to: MARIA, body: 'Open shift Tue.', purpose: 'offer', audience: 'caller', idempotencyKey: 'offer:1' });
    await runner.runDueOnce();
    expect(await outbox.get(refused.id)).toMatchObject({ status: 'suppressed_opted_out', errorCode: 21610 });
    expect(await optOuts.isOptedOut(MARIA)).toBe(true);
    expect(api.received.map((r) => r.params.To)).toEqual(['+13035550177', MARIA]);
  });
});
