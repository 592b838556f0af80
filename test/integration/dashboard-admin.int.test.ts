/**
 * The operations pages in a real browser, against the real API and store: a failing source and
 * why (its own words, as text), testing, pausing and adding a source as a manager (a viewer is
 * offered none of it), and an admin's users, API keys (a key shown once, then revoked), channels
 * and routes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../src/devtools/chromium.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSuite, signIn, watchedPage } from '../helpers/browser.js';
import { seedDashboard, userOf } from '../helpers/dashboard-seed.js';

browserSuite('the sources and settings pages in a browser', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await startTestApp({
      workers: ['count'],
      env: { SIGN_IN_RATE_LIMIT: '100' },
      extraSources: [
        { id: 'broken-feed', kind: 'rss', every: 3_600_000, url: 'http://127.0.0.1:9/feed.xml' },
      ],
    });
    await app.rt.catalog.seed();
    await app.rt.sources.recordFailure('broken-feed', {
      message: 'broken-feed: GET http://127.0.0.1:9/feed.xml answered 503 <script>x</script>',
      at: new Date(),
    });
    await seedDashboard(app);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('shows a failing source and why, as text, in English and in French; a viewer only reads', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'), 'sources');
    const row = page.locator('tr.source-row', { hasText: 'broken-feed' });
    await row.waitFor();
    expect(await row.getAttribute('class')).toContain('failing');
    expect(await row.locator('.source-error').textContent()).toBe(
      'broken-feed: GET http://127.0.0.1:9/feed.xml answered 503 <script>x</script>',
    );
    expect(await row.locator('.badge').textContent()).toBe('failing');
    expect(await page.locator('button', { hasText: /^(Test|Pause|Add a source)$/ }).count()).toBe(
      0,
    );
    await page.selectOption('#lang', 'fr');
    await page.waitForSelector('tr.source-row .badge:text("en échec")');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets a manager test, pause and add a source', async () => {
    const { page, problems } = await watchedPage(browser, {
      allow: [/^4\d\d \/api\/v1\/sources$/],
    });
    await signIn(page, app.url, userOf('manager'), 'sources');
    const row = page.locator('tr.source-row', { hasText: 'broken-feed' });
    await row.locator('button:text("Test")').click();
    const failed = page.locator('[data-testid="test-failed"]');
    await failed.waitFor();
    expect(await failed.textContent()).toMatch(/127\.0\.0\.1:9/);
    await page.keyboard.press('Escape');

    await row.locator('button:text("Pause")').click();
    await page.waitForSelector('tr.source-row.paused:has-text("broken-feed")');
    expect((await app.rt.catalog.get('broken-feed'))?.enabled).toBe(false);

    await page.click('button:text("Add a source")');
    await page.fill('input[name="id"]', 'press-feed');
    await page.fill('textarea[name="settings"]', '{"url": "http://127.0.0.1:9/press.xml"}');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('tr.source-row:has-text("press-feed")');
    expect((await app.rt.catalog.get('press-feed'))?.kind).toBe('rss');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets an admin make an API key, shown once, that works, then revoke it', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('admin'), 'settings');
    await page.fill('input[name="keyName"]', 'crm export');
    await page.selectOption('select[name="keyRole"]', 'viewer');
    await page.click('button:text("Make a key")');
    const secret = await page.locator('[data-testid="secret"]').inputValue();
    expect(secret.length).toBeGreaterThan(20);
    const auth = { authorization: `Bearer ${secret}` };
    expect((await fetch(`${app.url}/api/v1/workspace`, { headers: auth })).status).toBe(200);
    // Shown once: a reload does not show it again.
    await page.reload();
    await page.waitForSelector('tr:has-text("crm export")');
    expect(await page.locator('[data-testid="secret"]').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);

    await page.locator('tr', { hasText: 'crm export' }).locator('button:text("Revoke")').click();
    await page.waitForSelector('tr:has-text("crm export") .badge:text("revoked")');
    expect((await fetch(`${app.url}/api/v1/workspace`, { headers: auth })).status).toBe(401);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets an admin add a user with a generated password, who can then sign in', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('admin'), 'settings');
    await page.click('button:text("Add a user")');
    await page.fill('dialog input[name="email"]', 'claire@maillon.test');
    await page.fill('dialog input[name="name"]', 'Claire Martin');
    await page.selectOption('dialog select[name="role"]', 'manager');
    await page.click('dialog button[type="submit"]');
    const password = await page.locator('dialog [data-testid="secret"]').inputValue();
    await page.click('dialog button:text("Done")');
    await page.waitForSelector('tr:has-text("Claire Martin")');
    await page.context().close();
    expect(problems).toEqual([]);

    const claire = await watchedPage(browser);
    await signIn(claire.page, app.url, { email: 'claire@maillon.test', password });
    expect(await claire.page.locator('[data-testid="who"]').textContent()).toContain(
      'Claire Martin',
    );
    expect(claire.problems).toEqual([]);
    await claire.page.context().close();
  });

  it('lets an admin add a channel, test it, route alerts to it, and go back to the file', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('admin'), 'settings');
    await page.click('button:text("Add a channel")');
    await page.selectOption('dialog select[name="type"]', 'log');
    await page.fill('dialog input[name="id"]', 'ops-log');
    await page.click('dialog button[type="submit"]');
    const row = page.locator('tr', { hasText: 'ops-log' });
    await row.waitFor();
    expect(await row.textContent()).toContain('this dashboard or the API');
    await row.locator('button:text("Send a test")').click();
    await row.locator('[data-testid="channel-ok"]').waitFor();

    await page.click('button:text("Edit")');
    await page.fill(
      'textarea[name="routes"]',
      JSON.stringify([
        {
          match: { kind: 'weak-link', touchpoints: ['delivery'], minSeverity: 'warning' },
          channels: ['ops-log'],
        },
        { match: { kind: 'operational' }, channels: ['console'] },
      ]),
    );
    await page.click('button:text("Save the routes")');
    await page.waitForSelector(
      'ul.routes li:text("Weak-link alerts, on Delivery, warning or worse → ops-log")',
    );
    const routesNow: unknown = await (await app.as('admin')('/api/v1/routes')).json();
    expect(routesNow).toMatchObject({ origin: 'api' });
    await page.click('button:text("Back to the file’s routes")');
    await page.waitForSelector('text=The routes of the configuration file');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
