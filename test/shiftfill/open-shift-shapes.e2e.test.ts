/**
 * Issue 12: WellSky writes an open shift's caregiver three ways (the key missing, `{"id":""}` with
 * status still SCHEDULED, and `null`). A call-out must open the shift, offer it, book the winner
 * and read the booking back the same way whichever shape this WellSky answers in.
 */
import { FIXTURE_PEOPLE, FIXTURE_SHIFTS } from '../../src/wellsky-sandbox';
import { describeEachDb, resetTables } from '../support/db';
import { startHarness, type Harness } from '../support/harness';

/** Monday 2 March 2026, 06:00 in Denver: before the office opens. */
const MONDAY_6AM = '2026-03-02T13:00:00.000Z';
const DANA = `+1${FIXTURE_PEOPLE.oneShiftCaregiver.phone}`;
const SCHEDULER = '+13035550105';

describeEachDb('a call-out filled whatever shape WellSky gives open shifts', (ctx) => {
  describe.each(['empty-id', 'null', 'missing'] as const)('open shifts written as %s', (shape) => {
    let h: Harness;
    beforeAll(async () => {
      await resetTables(ctx.db);
      h = await startHarness(ctx.db, { now: MONDAY_6AM, sandbox: { openShiftShape: shape } });
    }, 60_000);
    afterAll(async () => {
      await h.close();
    });

    it('opens the shift, offers it, books the first YES and tells the office it is covered', async () => {
      const texted = await h.text(DANA, "hi its dana, i'm sick and cant make my shift tomorrow");
      expect(texted.join(' ')).toMatch(/your shift tomorrow at 9 AM with Harold/);
      expect((await h.text(DANA, 'yes')).join(' ')).toMatch(/why can't you make it/i);
      expect((await h.text(DANA, 'I have a fever')).join(' ')).toMatch(/To confirm/);
      expect((await h.text(DANA, 'yes')).join(' ')).toMatch(/call-out is recorded/);
      await h.runJobs();

      // WellSky now answers the shift in this shape (see the contract suite); the client reads it as open.
      expect((await h.services.wellsky.getShift(FIXTURE_SHIFTS.danaTomorrow)).caregiverId).toBeFalsy();
      expect(h.sandbox.requestLog.some((r) => r.method === 'PUT' && r.path.includes(FIXTURE_SHIFTS.danaTomorrow))).toBe(true);

      const offers = h.transport.calls.filter((c) => /open shift/.test(c.body));
      expect(offers.length).toBeGreaterThan(0);
      const code = offers[0].body.match(/YES (\d{4})/)![1];
      expect((await h.text(offers[0].to, `yes ${code}`)).join(' ')).toMatch(/is yours/);
      await h.runJobs();

      const booked = h.sandbox.state.appointments.find((a) => a.id === FIXTURE_SHIFTS.danaTomorrow)!;
      expect(booked.caregiver?.id).toBeTruthy();
      expect(booked.caregiver?.id).not.toBe(FIXTURE_PEOPLE.oneShiftCaregiver.id);
      const toOffice = h.transport.calls.filter((c) => c.to === SCHEDULER).map((c) => c.body).join('\n');
      expect(toOffice).toMatch(/FILLED|covered|filled/i);
    }, 60_000);
  });
}, { resetEach: false });
