/**
 * Complaints and leads with WellSky down, end to end: the caller and the staff hear at once from
 * the local record; the AdminTask (complaint) and the Patient (lead) are written once WellSky is
 * back, with staff told it is pending and then that it landed — or that it gave up, for good.
 */
import { describeEachDb } from '../support/db';
import { CARE_MANAGER, OWNER, startHarness, type Harness } from '../support/harness';

const LINDA = '+19705550131'; // Harold Fischer's daughter
const NEW_CALLER = '+17205550188';
const MINUTE = 60_000;

describeEachDb('reliability: complaints and leads while WellSky is down', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  async function pass(ms: number, step: number) {
    for (let t = 0; t < ms; t += step) {
      h.clock.advance(step);
      await h.runJobs();
    }
  }
  const wellskyBack = async () => {
    h.sandbox.setFaults({ outage: false });
    await new Promise((r) => setTimeout(r, 150)); // the client's breaker probes after real milliseconds
  };

  it('texts the complaints staff at once, writes the AdminTask once when WellSky is back, and says it landed', async () => {
    h = await startHarness(ctx.db);
    h.sandbox.setFaults({ outage: true });
    await h.text(LINDA, 'I have a complaint');
    await h.text(LINDA, 'The caregiver keeps forgetting to do the laundry');
    expect((await h.text(LINDA, 'Yes')).join(' ')).toMatch(/case C-1/);
    await h.runJobs();
    expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/New complaint C-1/);
    await pass(60 * MINUTE, 10 * MINUTE);
    expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/AdminTask for complaint C-1 is not written yet/);
    expect(h.sandbox.state.adminTasks).toEqual([]);
    await wellskyBack();
    await pass(3 * 60 * MINUTE, 10 * MINUTE);
    expect(h.sandbox.state.adminTasks.filter((t) => /Client complaint/.test(t.description ?? ""))).toHaveLength(1);
    expect(h.textsTo(CARE_MANAGER).join('\n')).toMatch(/the AdminTask for complaint C-1 is now written/);
  }, 60_000);

  it('tells intake a lead was not written after hours of outage, and the lead is a dead letter they are texted about', async () => {
    h = await startHarness(ctx.db);
    h.sandbox.setFaults({ outage: true });
    await h.call(NEW_CALLER, ['I need care for my dad', 'Ann Lee', 'Bob Lee', 'Aurora', 'skip', 'skip', 'skip', 'skip', 'no']);
    await h.runJobs();
    expect(h.textsTo(OWNER).join('\n')).toMatch(/New lead L-1/);
    await pass(20 * 60 * MINUTE, 30 * MINUTE);
    const toIntake = h.textsTo(OWNER).join('\n');
    expect(toIntake).toMatch(/lead L-1 .*was NOT written to WellSky/);
    expect(toIntake).toMatch(/1 WellSky write has failed since .*open the console/);
    expect((await h.services.jobs.listDead({ kindPrefix: 'lead.' })).length).toBe(1);
  }, 60_000);
});
