/**
 * Shift-offer replies from their own OS process, for the two-process claim test
 * (test/shiftfill/claims-two-processes.test.ts).
 *
 * Env: CLAIM_CHILD_DATABASE_URL, CLAIM_CHILD_SCHEMA (an existing, migrated schema holding an open
 * campaign), CLAIM_CHILD_NOW (UTC ISO; the test's fake time), CLAIM_CHILD_PHONES (comma-separated
 * E.164 numbers that were offered the shift).
 * Builds the real shift-fill module on that database (no WellSky: a claim needs none), warms its
 * connection pool, prints "ready", then waits for "go <code> <epochMs>" on stdin. At that wall-clock
 * instant it sends "YES <code>" from every phone at once through the same `interceptSms` the SMS
 * webhook calls, and prints {"replies":[{"from","reply"}]} before exiting.
 */
import { loadAgencyConfig, BUNDLED_AGENCY_CONFIG } from '../src/config';
import { FakeClock } from '../src/clock';
import { openDb } from '../src/db';
import { createJobQueue } from '../src/jobs';
import { createOutbox } from '../src/twilio/outbox';
import { createOptOutLedger } from '../src/twilio/optout';
import { createDirectory } from '../src/directory';
import { createStaffMessages } from '../src/conversations/staff-messages';
import { createShiftFill } from '../src/shiftfill';
import type { SmsTransport } from '../src/twilio/transport';
import type { WellSky } from '../src/wellsky/service';

async function main(): Promise<void> {
  const databaseUrl = process.env.CLAIM_CHILD_DATABASE_URL;
  const schema = process.env.CLAIM_CHILD_SCHEMA;
  const phones = (process.env.CLAIM_CHILD_PHONES ?? '').split(',').filter(Boolean);
  if (!databaseUrl || !schema || !phones.length) throw new Error('CLAIM_CHILD_DATABASE_URL, CLAIM_CHILD_SCHEMA and CLAIM_CHILD_PHONES are required');

  const db = await openDb({ databaseUrl, schema, poolSize: phones.length + 2 });
  const clock = new FakeClock(process.env.CLAIM_CHILD_NOW ?? Date.now());
  const agency = loadAgencyConfig(BUNDLED_AGENCY_CONFIG);
  // A claim never reaches WellSky (the write-back is a job for whichever worker takes it).
  const wellsky = new Proxy({} as WellSky, {
    get: (_t, method) => (method === 'then' ? undefined : async () => {
      throw new Error(`claim child: WellSky.${String(method)} is not available in this process`);
    }),
  });
  const transport: SmsTransport = {
    kind: 'dev',
    send: async () => {
      throw new Error('claim child: texts are sent by the worker, not here');
    },
  } as unknown as SmsTransport;
  const jobs = createJobQueue(db, clock);
  const optOuts = createOptOutLedger({ db, clock });
  const outbox = createOutbox({ db, jobs, transport, clock, optOuts, from: { phoneNumber: '+13035550100' } });
  const directory = createDirectory({ db, wellsky, agency, clock });
  const staffMessages = createStaffMessages({ db, texts: outbox, agency });
  const shiftFill = createShiftFill({ db, jobs, outbox, wellsky, directory, staffMessages, optOuts, agency, clock });

  // Open every connection now, so that at "go" no claim waits for a connection to be made.
  await Promise.all(phones.map(() => db.query('SELECT 1')));
  process.stdout.write('ready\n');

  process.stdin.setEncoding('utf8');
  let buffered = '';
  process.stdin.on('data', (chunk: string) => {
    buffered += chunk;
    const match = /go (\d{4}) (\d+)\n/.exec(buffered);
    if (!match) return;
    process.stdin.pause();
    const [, code, at] = match;
    setTimeout(async () => {
      const replies = await Promise.all(phones.map(async (from) => ({ from, reply: (await shiftFill.interceptSms({ from, body: `YES ${code}` })) ?? null })));
      await db.close();
      process.stdout.write(`${JSON.stringify({ replies })}\n`);
      process.exit(0);
    }, Math.max(0, Number(at) - Date.now()));
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`claim-child: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
