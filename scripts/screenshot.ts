/**
 * `npm run docs:screenshot [-- URL]`: pictures of the dashboard of a running Maillon (default
 * the demo's, http://127.0.0.1:3000) for the README: docs/dashboard.png (the overview), when an
 * alert exists docs/alert.png (the newest weak-link alert), and docs/touchpoint.png (delivery). Run it once `npm run demo` has
 * printed its ALERT line.
 *
 * Needs Chromium: Debian's package (`apt-get install chromium`, /usr/bin/chromium), or the path
 * in `--chromium PATH`. Not part of the test suite: the dashboard's data and files are tested
 * through the API (test/integration/dashboard.int.test.ts).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_CHROMIUM, launchChromium } from '../src/devtools/chromium.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const executablePath = flag('--chromium') ?? DEBIAN_CHROMIUM;
// The browser of a community manager of the demo brand: Paris time, as the alerts' own words.
const timezoneId = flag('--time-zone') ?? 'Europe/Paris';
const base = (args[0] ?? 'http://127.0.0.1:3000').replace(/\/$/, '');
const docs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs');

const browser = await launchChromium(executablePath);
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, timezoneId });
  await page.goto(`${base}/`);
  await page.waitForSelector('body[data-ready="true"]');
  await page.screenshot({ path: path.join(docs, 'dashboard.png'), fullPage: true });
  process.stdout.write(`wrote ${path.join(docs, 'dashboard.png')}\n`);

  const res = await fetch(`${base}/api/v1/alerts?kind=weak-link&limit=1`);
  const { data } = (await res.json()) as { data: Array<{ id: string }> };
  if (data[0]) {
    await page.goto(`${base}/#/alerts/${data[0].id}`);
    await page.waitForSelector('.chart canvas');
    await page.screenshot({ path: path.join(docs, 'alert.png'), fullPage: true });
    process.stdout.write(`wrote ${path.join(docs, 'alert.png')}\n`);
  }
  await page.goto(`${base}/#/touchpoints/delivery`);
  await page.waitForSelector('blockquote.mention');
  await page.screenshot({ path: path.join(docs, 'touchpoint.png'), fullPage: true });
  process.stdout.write(`wrote ${path.join(docs, 'touchpoint.png')}\n`);
} finally {
  await browser.close();
}
