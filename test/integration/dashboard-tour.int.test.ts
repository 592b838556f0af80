// TEMPORARY: development tour, deleted before hand-off.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, it } from 'vitest';
import { launchChromium } from '../../src/devtools/chromium.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSuite, signIn, watchedPage } from '../helpers/browser.js';
import { ensureDashboardRoutes, seedDashboard, userOf } from '../helpers/dashboard-seed.js';

browserSuite('tour', () => {
  let app: TestApp;
  let browser: Browser;
  let alertId = '';
  beforeAll(async () => {
    ensureDashboardRoutes();
    app = await startTestApp({ workers: ['count'], env: { SIGN_IN_RATE_LIMIT: '100' } });
    await app.rt.catalog.seed();
    ({ alertId } = await seedDashboard(app));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  it('tours', async () => {
    const pages = (process.env.TOUR ?? ',alerts,ALERT,mentions,trends,sources,settings').split(',');
    for (const lang of (process.env.TOUR_LANGS ?? 'en').split(',') as Array<'en' | 'fr'>) {
      const { page, problems } = await watchedPage(browser, { lang });
      await signIn(page, app.url, userOf((process.env.TOUR_ROLE as 'admin') ?? 'admin'));
      for (const p of pages) {
        const hash = p === 'ALERT' ? `alerts/${alertId}` : p;
        await page.goto(`${app.url}/#/${hash}`);
        await page.waitForTimeout(1500);
        await page.screenshot({ path: `/tmp/shots/${lang}-${p || 'journey'}.png`, fullPage: true });
      }
      console.log(lang, JSON.stringify(problems, null, 1));
      await page.context().close();
    }
  });
});
