/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * API, store and count worker: the overview shows the open alert and the chart, the alert page
 * shows its evidence and quotes, Acknowledge goes through to the stored alert, and the
 * touchpoint page lists what people wrote, as text. The page must load
 * without a script error or a content-policy violation.
 *
 * Chromium is a Debian package (`apt-get install chromium`); `.ci/run` installs it. Without it
 * the suite is skipped locally, with the reason in its title, and fails under CI=true.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_CHROMIUM, launchChromium } from '../../src/devtools/chromium.js';
import type { AlertEvidence } from '../../src/domain/alert.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

const CHROMIUM = DEBIAN_CHROMIUM;
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`);
}
const suite = haveChromium
  ? describe
  : describe.skip.bind(describe, `dashboard in a browser: skipped, ${CHROMIUM} is not installed`);

const evidence: AlertEvidence = {
  observed: 14,
  expected: 1.2,
  score: 62,
  facts: {
    since: new Date(Math.floor(Date.now() / 900_000) * 900_000 - 3_600_000),
    until: new Date(Math.floor(Date.now() / 900_000) * 900_000),
    negatives: 14,
    counted: 14,
    expected: 1.2,
    usualPerDay: 0.5,
    authors: 11,
    sources: 1,
    topAuthorShare: 2 / 14,
    negativeShare: 0.8,
    usualShare: 0.2,
    reshares: 3,
    contagion: 0,
    pValue: 1e-8,
  },
  negativeShare: 0.8,
  authors: 11,
  sources: ['reviews'],
  reach: 2.4,
  quotes: [
    {
      mentionId: 'm1',
      source: 'reviews',
      url: 'javascript:alert(1)',
      author: 'ann',
      quote: 'Colis <b>toujours</b> pas arrivé',
      lang: 'fr',
      reach: 2,
      publishedAt: new Date(),
    },
  ],
};

suite('the dashboard in a browser', () => {
  let app: TestApp;
  let browser: Browser;
  let alertId = '';
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startTestApp({
      workers: ['count'],
      extraSources: [
        { id: 'broken-feed', kind: 'rss', every: 3_600_000, url: 'http://127.0.0.1:9/feed.xml' },
      ],
    });
    // A source that keeps failing: the overview must say so, and why, in the source's words.
    await app.rt.catalog.seed();
    await app.rt.sources.recordFailure('broken-feed', {
      message: 'broken-feed: GET http://127.0.0.1:9/feed.xml answered 503',
      at: new Date(),
    });
    // One real mention through the API (read at the door) and the count worker, with markup in its text.
    const res = await fetch(`${app.url}/api/v1/mentions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        source: 'api',
        externalId: 'hostile-1',
        url: 'https://reviews.example/1',
        author: { id: 'zoe', name: 'Zoé' },
        text: 'Maison Lumière : <img src=x onerror=alert(1)> colis jamais livré, livraison catastrophique.',
        lang: 'fr',
        publishedAt: new Date(Date.now() - 600_000).toISOString(),
      }),
    });
    if (res.status !== 202) throw new Error(`POST /api/v1/mentions answered ${res.status}`);
    await eventually(async () => {
      const r = await fetch(`${app.url}/api/v1/mentions?touchpoint=delivery&sentiment=negative`);
      const body = (await r.json()) as { data: unknown[] };
      return body.data.length > 0 || undefined;
    });
    const openedAt = new Date(Math.floor(Date.now() / 900_000) * 900_000 - 3_600_000);
    for (let i = 0; i < 6; i++) {
      await app.rt.counts.add({
        mentionId: `m${i}`,
        publishedAt: new Date(openedAt.getTime() + i * 60_000),
        source: 'reviews',
        author: `a${i}`,
        reach: 1,
        shares: 0,
        relevant: true,
        overall: 'negative',
        touchpoints: [{ id: 'delivery', stage: 'receive', label: 'negative' }],
      });
    }
    const { alert } = await app.rt.alerts.openOnce({
      key: `weak-link:delivery:${openedAt.toISOString()}`,
      kind: 'weak-link',
      touchpoint: { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
      title: 'Delivery / Livraison',
      openedAt,
      severity: 'critical',
      evidence,
    });
    alertId = alert.id;
    browser = await launchChromium(CHROMIUM);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  const newPage = async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`${res.status()} ${res.url()}`);
    });
    page.on('console', (msg) => {
      // Failed loads are reported above, with their URL.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${msg.text()}`);
      }
    });
    return page;
  };

  it('shows the open alert, the chart and the journey on the overview', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const card = page.locator('.alert-card.critical');
    await expect(card.locator('h3').textContent()).resolves.toContain('Delivery');
    await expect(card.locator('p.summary').textContent()).resolves.toMatch(
      /^Delivery: 14 complaints since /,
    );
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    expect(await page.locator('table').first().textContent()).toContain('Delivery');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows a failing source and why, in English and in French', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/`);
    await page.waitForSelector('body[data-ready="true"]');
    const row = page.locator('tr.failing', { hasText: 'broken-feed' });
    expect(await row.textContent()).toContain('answered 503');
    expect(await row.textContent()).toContain('failing');
    await page.selectOption('#lang', 'fr');
    await page.waitForSelector('tr.failing:has-text("en échec")');
    await page.selectOption('#lang', 'en');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the evidence as text and acknowledges the alert', async () => {
    const page = await newPage();
    await page.goto(`${app.url}/#/alerts/${alertId}`);
    await page.waitForSelector('.chart canvas');
    // The alert in words, from the API, in the chosen language.
    const summary = page.locator('p.summary');
    expect(await summary.textContent()).toMatch(
      /^Delivery: 14 complaints since (\w+ \d+ \w+ )?\d\d:\d\d from 11 people on 1 site, usually less than 1 a day\. 80% of mentions about it are negative, usually 20%\./,
    );
    await page.selectOption('#lang', 'fr');
    await page.waitForSelector('p.summary:text("plaintes")');
    expect(await page.locator('p.summary').textContent()).toMatch(
      /^Livraison : 14 plaintes depuis (\S+ \d+ \S+ à )?\d+ h( \d\d)?, de 11 personnes sur 1 site ; d'habitude moins d'une par jour\./,
    );
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('p.summary:text("complaints")');
    const quote = page.locator('.quotes blockquote').first();
    // What people wrote is text, and a javascript: URL is not a link.
    expect(await quote.textContent()).toContain('Colis <b>toujours</b> pas arrivé');
    expect(await quote.locator('a').count()).toBe(0);

    await page.fill('input[placeholder="Your name"]', 'claire');
    await page.fill('textarea', 'on it, calling the carrier');
    await page.click('button:text("Acknowledge")');
    await page.waitForSelector('.badge.acknowledged');
    const stored = await app.rt.alerts.findById(alertId);
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.history.at(-1)).toMatchObject({
      kind: 'acknowledged',
      by: 'claire',
      text: 'on it, calling the carrier',
    });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("lists what people wrote about a touchpoint, as text, with the touchpoint's sentiment", async () => {
    const page = await newPage();
    await page.goto(`${app.url}/#/touchpoints/delivery`);
    await page.waitForSelector('blockquote.mention');
    const mention = page.locator('blockquote.mention').first();
    expect(await mention.getAttribute('class')).toContain('negative');
    expect(await mention.textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await mention.locator('img').count()).toBe(0);
    expect(await mention.locator('a').getAttribute('href')).toBe('https://reviews.example/1');
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });
});
