/**
 * Complaints end to end (issue 5): signed Twilio webhooks → router → complaint flow → case in our
 * database → staff texts and the WellSky AdminTask from the durable follow-up job, against the
 * WellSky sandbox (fixture people: docs/sandbox.md).
 */
import { describeEachDb } from '../support/db';
import { CARE_MANAGER, OWNER, heard, startHarness, type Harness } from '../support/harness';

const LINDA = '+19705550131'; // Harold Fischer's daughter (primary contact)
const STRANGER = '+17205559876';

describeEachDb('complaints, end to end', (ctx) => {
  let h: Harness;
  afterEach(async () => h?.close());

  function adminTasks() {
    return h.sandbox.state.adminTasks;
  }

  it("puts an urgent complaint from a daughter's phone through to on-call, and texts them the client and yesterday's caregiver", async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(LINDA, [
      'The caregiver left two hours early yesterday and my dad was by himself',
      'yes',
      'dial: no-answer',
    ]);
    const said = heard(call);
    expect(said).toMatch(/I have: "The caregiver left two hours early yesterday and my dad was by himself"/);
    expect(said).toMatch(/urgent/i);
    expect(said).toMatch(/case C, 1/);
    expect(call.dialed).toEqual([CARE_MANAGER, OWNER]);

    await h.runJobs();
    const [alert] = h.textsTo(CARE_MANAGER).filter((t) => /complaint C-1/.test(t));
    expect(alert).toMatch(/URGENT complaint C-1 \(leftEarly\) about client Harold Fischer/);
    expect(alert).toMatch(/Linda Fischer/);
    // Yesterday (Tuesday) 9:00–13:00 was Dana Whitfield's shift with Harold.
    expect(alert).toMatch(/Tue 3\/3 9:00 AM-1:00 PM Dana Whitfield/);
    expect(h.textsTo(OWNER).some((t) => /URGENT complaint C-1/.test(t))).toBe(true);

    const { rows } = await ctx.db.query<{ admin_task_id: string | null; severity: string; client_id: string }>('SELECT * FROM complaints');
    expect(rows).toEqual([expect.objectContaining({ severity: 'urgent', client_id: '2870103', admin_task_id: expect.any(String) })]);
    expect(adminTasks()).toEqual([
      expect.objectContaining({ description: expect.stringMatching(/^Client complaint: The caregiver left two hours early[\s\S]*Dana Whitfield/) }),
    ]);
  });

  it('takes a normal complaint by SMS: read back, a case number, a callback promise, staff texted, AdminTask written', async () => {
    h = await startHarness(ctx.db);
    const first = await h.text(LINDA, 'I have a complaint');
    expect(first.join(' ')).toMatch(/tell me what happened/);
    const second = await h.text(LINDA, 'The caregiver keeps forgetting to do the laundry and the kitchen is messy');
    expect(second.join(' ')).toMatch(/I have: "The caregiver keeps forgetting to do the laundry and the kitchen is messy". Is that right\?/);
    const third = await h.text(LINDA, 'Yes');
    expect(third).toEqual([
      "Thank you. I've opened case C-1 for our client care team; someone will call you back within 4 hours.",
    ]);


    await h.runJobs();
    const alert = h.textsTo(CARE_MANAGER).find((t) => /complaint C-1/.test(t));
    expect(alert).toMatch(/New complaint C-1 about client Harold Fischer/);
    expect(alert).toMatch(/Said: "The caregiver keeps forgetting to do the laundry/);
    expect(alert).toMatch(/Dana Whitfield/);
    expect(alert).toMatch(/Callback promised within 4 h/);
    expect(adminTasks()).toEqual([expect.objectContaining({ description: expect.stringMatching(/^Client complaint: The caregiver keeps forgetting/) })]);
  });

  it('takes a complaint left as a recording, and keeps and texts its transcription when it arrives', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(LINDA, ['I have a complaint', 'I would rather leave a message', 'The aide was rude to my father this morning']);
    expect(call.recorded).toBe(true);
    await h.runJobs();
    const { rows } = await ctx.db.query<{ recording_url: string | null; transcription: string | null; client_id: string }>('SELECT * FROM complaints');
    expect(rows).toEqual([expect.objectContaining({ client_id: '2870103', recording_url: expect.stringMatching(/^https:/), transcription: 'The aide was rude to my father this morning' })]);
    expect(h.textsTo(CARE_MANAGER).some((t) => /transcript of complaint C-1 .*"The aide was rude to my father this morning"/.test(t))).toBe(true);
  });

  it('raises a recorded complaint to urgent when its transcription tells of neglect, and alerts on-call', async () => {
    h = await startHarness(ctx.db);
    await h.call(LINDA, ['I have a complaint', 'I would rather leave a message', 'Nobody came yesterday and my dad was left alone all day without food']);
    await h.runJobs();
    const { rows } = await ctx.db.query<{ severity: string }>('SELECT severity FROM complaints');
    expect(rows).toEqual([{ severity: 'urgent' }]);
    expect(h.textsTo(OWNER).some((t) => /now URGENT.*transcript of complaint C-1/.test(t))).toBe(true);
  });

  it('still records a complaint cut short by a hang-up, marked incomplete, and alerts staff', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(LINDA, ['I want to make a complaint', 'hangup']);
    expect(heard(call)).toMatch(/tell me what happened/);
    await h.runJobs();
    const { rows } = await ctx.db.query<{ incomplete: boolean; client_id: string }>('SELECT incomplete, client_id FROM complaints');
    expect(rows).toEqual([{ incomplete: true, client_id: '2870103' }]);
    expect(h.textsTo(CARE_MANAGER).find((t) => /complaint C-1/.test(t))).toMatch(/INCOMPLETE: the caller hung up/);
    expect(adminTasks()).toHaveLength(1);
  });

  it('takes a complaint from a number not on file without saying anything about any client', async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(STRANGER, ['I have a complaint', 'The caregiver next door was rude to my neighbor', 'yes']);
    const said = heard(call);
    expect(said).toMatch(/case C, 1/);
    expect(said).not.toMatch(/Harold|Dana|Fischer|Whitfield|shift|visit/);
    await h.runJobs();
    expect(h.textsTo(CARE_MANAGER).find((t) => /complaint C-1/.test(t))).toMatch(/caller not on file for any client/);
  });

  it("tells a neighbour asking about a client's schedule nothing about it", async () => {
    h = await startHarness(ctx.db);
    const call = await h.call(STRANGER, ["Where is Harold Fischer's caregiver today?", 'no', 'no']);
    const said = heard(call);
    expect(said).toMatch(/can't share information about anyone's care/);
    expect(said).not.toMatch(/Dana|Whitfield|Kevin|9:00|scheduled|shift/);
  });
});
