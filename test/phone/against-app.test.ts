/**
 * The phone simulator against the real server (src/server.ts startServer, dev Twilio mode, the
 * WellSky sandbox): what the README's "try it" section promises works.
 */
import { startServer, type RunningServer } from '../../src/server';
import { FakeClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { fetchDevTexts, simulateCall, simulateText } from '../../scripts/phone/simulator';
import { pgliteTestDb, release } from '../support/db';
import type { Db } from '../../src/db';

describe('the phone simulator against npm start', () => {
  let db: Db;
  let server: RunningServer;
  const clock = new FakeClock(new Date('2026-12-01T17:00:00Z')); // a Tuesday, 10 AM in Denver

  beforeAll(async () => {
    db = await pgliteTestDb();
    server = await startServer({ port: 0, config: loadConfig({}), db, clock, startWorker: true, awaitFirstSync: true, sandbox: { now: () => clock.now() } });
  }, 60_000);
  afterAll(async () => {
    await server.close();
    await release(db);
  });

  it('drives a whole call: greeted by name, asks for a person, is put through to on-call', async () => {
    const call = await simulateCall({ base: server.url, from: '+17205550112', script: ['say: I would like to talk to a person'] });
    expect(call.ended).not.toBe('error');
    expect(call.heard[0]).toMatch(/^Hi Dana, thanks for calling Colorado CareAssist/);
    expect(call.dialed).toEqual(['+13035550105']);
    expect(call.problems).toEqual([]);
  });

  it('sends a text, shows the reply, and shows the staff alert it caused in the dev outbox', async () => {
    const first = await simulateText({ base: server.url, from: '+13035550997', body: 'Hello' });
    expect(first.replies[0]).toMatch(/Thanks for texting Colorado CareAssist/);
    const second = await simulateText({ base: server.url, from: '+13035550997', body: 'Can someone call me back please' });
    expect(second.replies.join(' ')).toMatch(/someone will call you back/);
    let alerts: Awaited<ReturnType<typeof fetchDevTexts>> = [];
    for (let i = 0; i < 40 && !alerts.some((t) => t.to === '+13035550105'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      alerts = await fetchDevTexts(server.url);
    }
    expect(alerts.find((t) => t.to === '+13035550105')?.body).toContain('+13035550997');
  });
});
