/**
 * No duplicate texts on an ambiguous send: after a client-side timeout (Twilio took the message
 * but answered too late) or a 500, the next attempt looks the message up on Twilio (Messages list
 * filtered by To, From and the date since the attempt, matching the body) and records its sid
 * instead of sending it again; only a message Twilio does not have is sent again.
 */
import { systemClock } from '../../src/clock';
import { createJobQueue, createJobRunner } from '../../src/jobs';
import { createOutbox } from '../../src/twilio/outbox';
import { createOptOutLedger } from '../../src/twilio/optout';
import { createTwilioTransport, SmsTransportError } from '../../src/twilio/transport';
import { startFakeTwilio, type FakeTwilio } from '../../scripts/drill/fake-twilio';
import { describeEachDb } from '../support/db';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const AGENCY = '+13035550100';
const MARIA = '+13035550142';

let twilio: FakeTwilio;
beforeAll(async () => {
  twilio = await startFakeTwilio();
  twilio.faults.slowMs = 1500;
});
afterAll(() => twilio.close());
beforeEach(() => {
  twilio.messages.length = 0;
  twilio.script.length = 0;
});

describeEachDb('reliability: ambiguous Twilio sends', (ctx) => {
  function setup() {
    const transport = createTwilioTransport({ accountSid: ACCOUNT, authToken: 'token', apiUrl: twilio.url, timeoutMs: 300 });
    const jobs = createJobQueue(ctx.db, systemClock);
    const optOuts = createOptOutLedger({ db: ctx.db, clock: systemClock });
    const outbox = createOutbox({ db: ctx.db, jobs, clock: systemClock, optOuts, transport, from: { phoneNumber: AGENCY } });
    const runner = createJobRunner({ db: ctx.db, clock: systemClock, handlers: outbox.jobHandlers, workerId: `w-${Math.random()}`, backoff: () => 0 });
    return { outbox, runner, transport };
  }

  it('finds a text that timed out client-side on Twilio and records its sid, without sending it again', async () => {
    const { outbox, runner } = setup();
    twilio.script.push('timeout');
    const msg = await outbox.send({ to: MARIA, body: 'Open shift Tue 9am-1pm. Reply YES 4821.', purpose: 'offer', audience: 'caller', idempotencyKey: 'offer:amb:1' });
    await runner.runDueOnce();
    await runner.runDueOnce();
    expect(await outbox.get(msg.id)).toMatchObject({ status: 'sent', twilioSid: twilio.messages[0].sid });
    expect(twilio.messages).toHaveLength(1);
    expect(twilio.counts.lists).toBeGreaterThan(0);
  });

  it('sends again after a 500 only because Twilio has no such message', async () => {
    const { outbox, runner } = setup();
    twilio.script.push('error');
    const msg = await outbox.send({ to: MARIA, body: 'Your call-out is recorded.', purpose: 'confirmation', audience: 'caller', idempotencyKey: 'confirm:amb:2' });
    await runner.runDueOnce();
    await runner.runDueOnce();
    expect(twilio.messages.map((m) => m.body)).toEqual(['Your call-out is recorded.']);
    expect(await outbox.get(msg.id)).toMatchObject({ status: 'sent', twilioSid: twilio.messages[0].sid });
  });

  it('does not match an older, identical text sent before the attempt', async () => {
    const { outbox, runner, transport } = setup();
    await transport.send({ to: MARIA, body: 'Same words.', from: AGENCY });
    await new Promise((r) => setTimeout(r, 2500)); // Twilio dates have whole seconds
    twilio.script.push('error');
    await outbox.send({ to: MARIA, body: 'Same words.', purpose: 'reply', audience: 'caller', idempotencyKey: 'reply:amb:3' });
    await runner.runDueOnce();
    await runner.runDueOnce();
    expect(twilio.messages.filter((m) => m.body === 'Same words.')).toHaveLength(2);
  });

  it('classes a refused connection as never sent (nothing to look up), a timeout or a dropped connection as ambiguous', async () => {
    const refused = createTwilioTransport({ accountSid: ACCOUNT, authToken: 'token', apiUrl: 'http://127.0.0.1:9', timeoutMs: 300 });
    const err = await refused.send({ to: MARIA, body: 'x', from: AGENCY }).catch((e: SmsTransportError) => e);
    expect(err).toBeInstanceOf(SmsTransportError);
    expect((err as SmsTransportError).ambiguous).toBe(false);
    twilio.script.push('timeout');
    const slow = createTwilioTransport({ accountSid: ACCOUNT, authToken: 'token', apiUrl: twilio.url, timeoutMs: 200 });
    const timedOut = await slow.send({ to: MARIA, body: 'y', from: AGENCY }).catch((e: SmsTransportError) => e);
    expect((timedOut as SmsTransportError).ambiguous).toBe(true);
  });
});
