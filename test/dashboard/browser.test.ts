/**
 * The console in a real browser (headless Chromium via playwright-core): a scheduler logs in at
 * 6 a.m., reads last night's filled call-out and its timeline, assigns this morning's unfilled
 * shift by hand (and WellSky changes), resolves a complaint, retries a dead job, and watches the
 * today page update itself when a new call-out arrives.
 */
import type { Browser, Page } from 'playwright-core';
import { describeEachDb } from '../support/db';
import type { Harness } from '../support/harness';
import { chromiumPath, launchChromium } from '../support/browser';
import { CARE_MANAGER, KEVIN, overnight, startConsoleHarness, STAFF_PASSWORD, type Scenario } from '../support/console-scenario';

const browserPath = chromiumPath();
if (!browserPath) {
  // eslint-disable-next-line no-console
  console.warn('SKIPPED console browser tests: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH).');
}
const maybe = browserPath ? describeEachDb : (name: string, fn: unknown) => describe.skip(`${name} (no Chromium installed)`, () => void fn);

maybe('ops console in a browser', (ctx: { db: import('../../src/db').Db }) => {
  let h: Harness;
  let night: Scenario;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    h = await startConsoleHarness(ctx.db);
    night = await overnight(h);
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in with a password and lands on the overnight page', async () => {
    await page.goto(`${h.base}/dashboard/`);
    await page.fill('#who', CARE_MANAGER);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('text=Log in');
    await page.waitForSelector('[data-testid=user]');
    expect(await page.textContent('[data-testid=user]')).toBe(CARE_MANAGER);
    expect(await page.textContent('h1')).toMatch(/Since the office closed/);
    expect(await page.textContent('[data-testid=unstaffed]')).toMatch(/Carmen Ruiz/);
  });

  it("shows last night's call-out filled, with its timeline", async () => {
    await page.click(`a[href="/dashboard/campaigns/${night.filledCampaignId}"]`);
    const timeline = await page.textContent('[data-testid=timeline]');
    expect(timeline).toMatch(/Dana Whitfield called out by phone/);
    expect(timeline).toMatch(/Wave 1: offered to \d+ caregiver/);
    expect(timeline).toMatch(/said YES and got the shift after 4 min/);
    expect(timeline).toMatch(/Filled by .* written to WellSky and read back/);
  });

  it('assigns the unfilled shift by hand, and the WellSky sandbox shows the caregiver', async () => {
    await page.goto(`${h.base}/dashboard/campaigns/${night.openCampaignId}`);
    const choice = await page.$eval('select[name=caregiverId][aria-label="caregiver to assign"] option', (o) => (o as unknown as { value: string }).value);
    await page.selectOption('select[aria-label="caregiver to assign"]', choice);
    await page.click('text=Assign by hand (writes WellSky)');
    await page.waitForSelector('.flash');
    expect(await page.textContent('.flash')).toMatch(/booked in WellSky \(read back\)/);
    expect(await page.textContent('[data-testid=wellsky-now]')).not.toMatch(/caregiver: none/);
    const shiftId = (await ctx.db.query<{ shift_id: string }>('SELECT shift_id FROM campaigns WHERE id = $1', [night.openCampaignId])).rows[0].shift_id;
    expect(h.sandbox.state.appointments.find((a) => a.id === shiftId)?.caregiver?.id).toBe(choice);
  });

  it('resolves a complaint with a note', async () => {
    await page.goto(`${h.base}/dashboard/cases`);
    const card = `[data-testid=complaint-${night.complaintId}]`;
    expect(await page.textContent(card)).toMatch(/laundry/);
    await page.fill(`${card} input[name=note]`, 'Called Linda back; laundry added to the care plan');
    await page.click(`${card} button[value=resolve]`);
    await page.waitForSelector('.flash');
    expect(await page.textContent('.flash')).toMatch(/resolved/);
    expect(await page.textContent(card)).toMatch(/resolved[\s\S]*note: Called Linda back/);
  });

  it('retries a dead-lettered job', async () => {
    await page.goto(`${h.base}/dashboard/failures`);
    await page.click(`form[action="/dashboard/jobs/${night.deadJobId}/retry"] button`);
    await page.waitForSelector('.flash');
    expect(await page.textContent('.flash')).toMatch(new RegExp(`Job #${night.deadJobId} is back in the queue`));
    expect(await h.services.jobs.get(night.deadJobId)).toMatchObject({ status: 'pending', retriedBy: CARE_MANAGER });
  });

  it('updates the today page by itself when a call-out arrives', async () => {
    await page.goto(`${h.base}/dashboard/`);
    expect(await page.textContent('main')).not.toMatch(/Kevin Osei/);
    await page.locator('#live', { hasText: /^live$/ }).waitFor();
    await h.call(KEVIN, ["I'm sick, I can't make my shift", 'the first one', 'I have a fever', 'yes']);
    await page.locator('main', { hasText: 'Kevin Osei' }).waitFor({ timeout: 15_000 });
    expect(await page.textContent('main')).toMatch(/Kevin Osei[\s\S]*I have a fever/);
  }, 30_000);
}, { resetEach: false });
