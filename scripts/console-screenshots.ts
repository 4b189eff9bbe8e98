/**
 * Screenshots of every console page for docs/console.md: `npm run console:screenshots`.
 * Plays the browser tests' night (test/support/console-scenario.ts) on an in-memory database and
 * the WellSky sandbox, then photographs each page with headless Chromium into docs/console/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../src/db';
import { migrate } from '../src/db/migrate';
import { chromiumPath, launchChromium } from '../test/support/browser';
import { CARE_MANAGER, overnight, startConsoleHarness, STAFF_PASSWORD } from '../test/support/console-scenario';

async function main() {
  if (!chromiumPath()) throw new Error('No Chromium: apt-get install -y chromium (or set CHROMIUM_PATH)');
  const out = path.join(__dirname, '..', 'docs', 'console');
  fs.mkdirSync(out, { recursive: true });
  const db = await openDb({});
  await migrate(db);
  const h = await startConsoleHarness(db);
  const night = await overnight(h);
  const browser = await launchChromium();
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const shot = async (name: string, url: string) => {
      await page.goto(`${h.base}${url}`);
      await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
      console.log(`docs/console/${name}.png`);
    };
    await shot('login', '/dashboard/login');
    await page.fill('#who', CARE_MANAGER);
    await page.fill('#password', STAFF_PASSWORD);
    await page.click('text=Log in');
    await page.waitForSelector('[data-testid=user]');
    await shot('today', '/dashboard/');
    await shot('campaign', `/dashboard/campaigns/${night.filledCampaignId}`);
    await shot('campaign-open', `/dashboard/campaigns/${night.openCampaignId}`);
    await shot('cases', '/dashboard/cases');
    const conv = await db.query<{ id: string }>(`SELECT id FROM conversations WHERE channel = 'voice' ORDER BY created_at LIMIT 1`);
    await shot('conversations', '/dashboard/conversations');
    await shot('transcript', `/dashboard/conversations/${conv.rows[0].id}`);
    await shot('metrics', '/dashboard/metrics');
    await shot('failures', '/dashboard/failures');
    await shot('activity', '/dashboard/activity');
  } finally {
    await browser.close();
    await h.close();
    await db.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
