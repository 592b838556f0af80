/**
 * `npm run docs:screenshot -- --email E --password P [URL]`: pictures of each page of the
 * dashboard of a running Maillon (default the demo's, http://127.0.0.1:3000) for the README,
 * signed in through the sign-in form like a person: docs/journey.png and docs/journey-fr.png (the
 * map), docs/alerts.png (the inbox), docs/alert.png and docs/alert-fr.png (the newest weak-link
 * alert), docs/mentions.png (the explorer on delivery's complaints), docs/trends.png,
 * docs/sources.png and docs/settings.png (when the account is an admin). Run it once `npm run
 * demo` has printed its ALERT line, with one of the accounts it printed (the admin's for all).
 *
 * Needs Chromium: Debian's package (`apt-get install chromium`, /usr/bin/chromium), or the path
 * in `--chromium PATH`. Not part of the test suite: the pages are tested in
 * test/integration/dashboard-*.int.test.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { DEBIAN_CHROMIUM, launchChromium } from '../src/devtools/chromium.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const executablePath = flag('--chromium') ?? DEBIAN_CHROMIUM;
// The browser of a community manager of the demo brand: Paris time, as the alerts' own words.
const timezoneId = flag('--time-zone') ?? 'Europe/Paris';
const email = flag('--email');
const password = flag('--password');
if (!email || !password) {
  process.stderr.write('usage: npm run docs:screenshot -- --email E --password P [URL]\n');
  process.exit(2);
}
const base = (args[0] ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs');

/** Waits until the page has drawn its data: no loading cue left, charts drawn. */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('.panel, .banner, .state.error');
  for (let i = 0; i < 100 && (await page.locator('.loading-bar, .state.loading').count()) > 0; i++)
    await page.waitForTimeout(100);
  await page.waitForTimeout(300);
}

async function shoot(page: Page, hash: string, file: string, fullPage = true): Promise<void> {
  await page.goto(`${base}/#/${hash}`);
  await settled(page);
  await page.screenshot({ path: path.join(docs, file), fullPage });
  process.stdout.write(`wrote ${path.join(docs, file)}\n`);
}

const browser = await launchChromium(executablePath);
try {
  for (const lang of ['en', 'fr'] as const) {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 860 },
      timezoneId,
      locale: lang === 'fr' ? 'fr-FR' : 'en-GB',
    });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.fill('input[name="email"]', email);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="who"]');
    const suffix = lang === 'fr' ? '-fr' : '';
    // The session's cookie goes with these requests too.
    const res = await page.request.get(`${base}/api/v1/alerts?kind=weak-link&limit=1`);
    const { data } = (await res.json()) as { data: Array<{ id: string }> };
    await shoot(page, '', `journey${suffix}.png`);
    if (data[0]) await shoot(page, `alerts/${data[0].id}`, `alert${suffix}.png`);
    if (lang === 'en') {
      await shoot(page, 'alerts?status=all', 'alerts.png');
      // A page of 25 mentions is long: the first screenful shows what the page is.
      await shoot(page, 'mentions?touchpoint=delivery&sentiment=negative', 'mentions.png', false);
      await shoot(page, 'trends', 'trends.png');
      await shoot(page, 'sources', 'sources.png');
      if ((await page.locator('.nav a[href="#/settings"]').count()) > 0)
        await shoot(page, 'settings', 'settings.png');
    }
    await context.close();
  }
} finally {
  await browser.close();
}
