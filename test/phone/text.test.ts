import twilio from 'twilio';
import { DevOutboxUnavailableError, fetchDevTexts, latestDevTextId, simulateText, watchDevTexts } from '../../scripts/phone/simulator';
import { FAKE_TOKEN, FakeApp, startFakeApp } from './fake-twilio-app';

const CAREGIVER = '+13035550123';

let app: FakeApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const initialOutbox = () => [
  { id: 11, to: '+13035550105', body: 'Call-out: Tue 8am shift is open', purpose: 'staff_alert', createdAt: '2025-01-07T14:00:00Z' },
  { id: 12, to: '+13035550110', body: 'Open shift Tue 8am-12pm in Denver. Reply YES 4821', purpose: 'offer', createdAt: '2025-01-07T14:00:01Z' },
];

describe('texting the agency', () => {
  beforeEach(async () => {
    const sentByThisApp: Array<{ id: number; to: string; body: string; purpose: string; createdAt: string }> = initialOutbox();
    app = await startFakeApp({
      'POST /twilio/sms': (p) => {
        // Like the app's job queue: the staff alert goes out a moment after the reply.
        setTimeout(() => sentByThisApp.push({ id: 13, to: '+13035550105', body: `Call-out from a caregiver: ${p.Body}`, purpose: 'staff_alert', createdAt: new Date().toISOString() }), 150);
        const reply = new twilio.twiml.MessagingResponse();
        reply.message(`Got it: ${p.Body}`);
        reply.message("We'll find someone to cover.");
        return reply.toString();
      },
      'GET /dev/texts': (_p, q) => ({
        status: 200,
        type: 'application/json',
        body: JSON.stringify({ texts: sentByThisApp.filter((t) => t.id > Number(q.after ?? 0)) }),
      }),
    });
  });

  it('sends a signed inbound text and returns every reply', async () => {
    const { replies } = await simulateText({ base: app!.base, authToken: FAKE_TOKEN, from: CAREGIVER, body: "I can't make my shift tomorrow" });
    expect(replies).toEqual(["Got it: I can't make my shift tomorrow", "We'll find someone to cover."]);
    expect(app!.rejected).toBe(0);
  });

  it('posts the message parameters Twilio sends', async () => {
    await simulateText({ base: app!.base, authToken: FAKE_TOKEN, from: CAREGIVER, body: 'hello' });
    const params = app!.requests[0].params;
    expect(params).toMatchObject({ From: CAREGIVER, To: '+13035550100', Body: 'hello', NumMedia: '0', NumSegments: '1', SmsStatus: 'received' });
    expect(params.MessageSid).toMatch(/^SM[0-9a-f]{32}$/);
  });

  it('reads the texts the app sent to anyone after a given id from the dev outbox', async () => {
    expect(await fetchDevTexts(app!.base)).toHaveLength(2);
    const later = await fetchDevTexts(app!.base, 11);
    expect(later.map((t) => t.to)).toEqual(['+13035550110']);
  });

  it('watches the dev outbox for texts the app sends to anyone after the text', async () => {
    const after = await latestDevTextId(app!.base);
    await simulateText({ base: app!.base, authToken: FAKE_TOKEN, from: CAREGIVER, body: 'sick today' });
    const seen: string[] = [];
    const texts = await watchDevTexts(app!.base, { after, waitMs: 600, intervalMs: 50, onText: (t) => seen.push(t.to) });
    expect(after).toBe(12);
    expect(texts.map((t) => t.body)).toEqual(['Call-out from a caregiver: sick today']);
    expect(seen).toEqual(['+13035550105']);
  });
});

it('says the dev outbox is not available when the server has no /dev/texts', async () => {
  app = await startFakeApp({});
  await expect(fetchDevTexts(app.base)).rejects.toBeInstanceOf(DevOutboxUnavailableError);
});

it('fails with the status when the server refuses the text', async () => {
  app = await startFakeApp({ 'POST /twilio/sms': () => ({ status: 500, body: 'boom' }) });
  await expect(simulateText({ base: app.base, authToken: FAKE_TOKEN, from: CAREGIVER, body: 'hi' })).rejects.toThrow(/HTTP 500/);
});
