/**
 * The mention explorer in a real browser, against the real API, store and count worker: a
 * search finds the mention with its words marked, its markup shown as text; a manager corrects
 * it in place and the journey map's count follows; a viewer is not offered to; the filtered set
 * exports as CSV and NDJSON; no script error, console error or content-policy violation.
 */
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../src/devtools/chromium.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { browserSuite, signIn, watchedPage } from '../helpers/browser.js';
import { HOSTILE, seedDashboard, userOf } from '../helpers/dashboard-seed.js';

browserSuite('the mention explorer in a browser', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // Each test signs in through the form, like a person: more than the default 10 a minute per IP.
    app = await startTestApp({ workers: ['count'], env: { SIGN_IN_RATE_LIMIT: '100' } });
    await app.rt.catalog.seed();
    await seedDashboard(app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('searches, marks the words found, and shows markup as text', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'), 'mentions');
    await page.fill('input[name="q"]', 'catastrophique');
    await page.click('button:text("Search")');
    await page.waitForURL(/q=catastrophique/);
    const mention = page.locator('li.mention').first();
    await page.waitForSelector('mark.hl.search');
    expect(await page.locator('li.mention').count()).toBe(1);
    expect(await mention.locator('mark.hl.search').first().textContent()).toBe('catastrophique');
    // The touchpoint's phrases are marked too, and the text keeps its markup as characters.
    expect(await mention.locator('mark.hl.touchpoint').count()).toBeGreaterThan(0);
    expect(await mention.locator('.mention-text').textContent()).toContain(HOSTILE);
    expect(await mention.locator('.author').textContent()).toBe('Zoé <b>Z</b>');
    expect(await page.locator('li.mention img, li.mention b').count()).toBe(0);
    // A viewer reads, and is not offered to correct.
    expect(await mention.locator('[data-action="correct"]').count()).toBe(0);

    await page.fill('input[name="q"]', 'introuvablexyz');
    await page.click('button:text("Search")');
    await page.waitForSelector('.state.empty');

    // Dates are the brand's days: "from today" starts at midnight in Paris, "to yesterday"
    // ends at the next midnight there.
    await page.goto(`${app.url}/#/mentions`);
    await page.waitForSelector('li.mention');
    // The seeded mention was published 10 minutes before the seed ran.
    const published = Date.now() - 600_000;
    const day = (ms: number) =>
      new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(ms));
    await page.fill('input[name="until"]', day(published - 86_400_000));
    await page.waitForSelector('.state.empty');
    await page.click('button:text("Clear filters")');
    await page.fill('input[name="since"]', day(published));
    await page.waitForSelector('li.mention');
    const since = new URL(page.url().replace('#/mentions', 'mentions')).searchParams.get('since');
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeStyle: 'short' }).format(
        new Date(since!),
      ),
    ).toBe('00:00');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets a manager correct a mention in place, and the journey map follows', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('manager'));
    const complaints = page.locator('.tp-card[data-touchpoint="delivery"] .tp-figures dd').first();
    const before = Number(await complaints.textContent());
    expect(before).toBe(7);

    await page.goto(`${app.url}/#/mentions?touchpoint=delivery&sentiment=negative`);
    const mention = page.locator('li.mention').first();
    await mention.locator('[data-action="correct"]').click();
    const form = mention.locator('form.correction');
    await form.locator('select[name="sentiment"]').selectOption('positive');
    await form.locator('.tp-line[data-touchpoint="delivery"] select').selectOption('positive');
    await form.locator('input[name="note"]').fill('ironic: the parcel came');
    await form.locator('button[type="submit"]').click();
    await mention.locator('.badge.corrected').waitFor();
    expect(await mention.locator('.badge.sentiment').textContent()).toBe('positive');
    expect(await mention.locator('.chip').first().textContent()).toContain('positive');

    // The count drain runs within seconds: the map's figure follows.
    await eventually(
      async () => {
        await page.goto(`${app.url}/#/`);
        await page.reload();
        const n = Number(await complaints.textContent());
        return n === before - 1 || undefined;
      },
      20_000,
      'the journey map to count one complaint less',
    );
    // The correction measures the reader: it read this French mention wrong.
    await page.goto(`${app.url}/#/trends`);
    const quality = page.locator('.quality');
    await quality.locator('text=From 1 correction.').waitFor();
    const french = quality.locator('tr', { hasText: 'French' });
    expect(await french.locator('td').nth(2).textContent()).toMatch(/^0%\s*\(1\)$/);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('exports the filtered mentions as CSV and NDJSON', async () => {
    const { page, problems } = await watchedPage(browser);
    // The previous dashboard's touchpoint page leads to its mentions in the explorer.
    await signIn(page, app.url, userOf('viewer'), 'touchpoints/delivery');
    await page.waitForURL(/#\/mentions\?touchpoint=delivery$/);
    await page.waitForSelector('li.mention');
    const csvLink = page.locator('a', { hasText: 'CSV' });
    expect(await csvLink.getAttribute('href')).toBe(
      '/api/v1/mentions/export?touchpoint=delivery&format=csv',
    );
    const [csv] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    const csvText = await readFile(await csv.path(), 'utf8');
    expect(csvText.split('\n')[0]).toContain('publishedAt');
    expect(csvText).toContain('colis jamais livré');
    const [nd] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a', { hasText: 'NDJSON' }).click(),
    ]);
    const lines = (await readFile(await nd.path(), 'utf8')).trim().split('\n');
    expect(lines.length).toBe(1);
    expect((JSON.parse(lines[0]!) as { text: string }).text).toContain(HOSTILE);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
