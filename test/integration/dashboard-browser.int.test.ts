/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against the real
 * API, store and count worker, as each role: signing in, the journey map's weak link and the
 * contagion it spread, its alert (evidence in words, what people wrote as text), acknowledging
 * it as a manager and not being offered to as a viewer, the inbox grouping by status, French
 * throughout, a loading cue on a period switch, and no script error, console error or
 * content-policy violation on any page.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../src/devtools/chromium.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { browserSuite, signIn, signInWithKey, watchedPage } from '../helpers/browser.js';
import { HOSTILE, seedDashboard, userOf } from '../helpers/dashboard-seed.js';

const PAGES = ['', 'alerts', 'mentions', 'trends', 'sources', 'settings'];

browserSuite('the dashboard in a browser, role by role', () => {
  let app: TestApp;
  let browser: Browser;
  let alertId = '';

  beforeAll(async () => {
    // Each test signs in through the form, like a person: more than the default 10 a minute per IP.
    app = await startTestApp({ workers: ['count'], env: { SIGN_IN_RATE_LIMIT: '100' } });
    await app.rt.catalog.seed();
    ({ alertId } = await seedDashboard(app));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('refuses a wrong password and signs in each role, showing who and what they may open', async () => {
    const { page, problems } = await watchedPage(browser, { allow: [/^401 \/api\/v1\/session$/] });
    await page.goto(`${app.url}/`);
    await page.fill('input[name="email"]', userOf('viewer').email);
    await page.fill('input[name="password"]', 'not the password at all');
    await page.click('button[type="submit"]');
    await expect(page.locator('.form-error').textContent()).resolves.toContain('Wrong');
    await page.context().close();
    expect(problems).toEqual([]);

    for (const role of ['viewer', 'manager', 'admin'] as const) {
      const { page: p, problems: seen } = await watchedPage(browser);
      await signIn(p, app.url, userOf(role));
      const who = await p.locator('[data-testid="who"]').textContent();
      expect(who).toContain(`${role[0]!.toUpperCase()}${role.slice(1)} Dupont`);
      expect(who).toContain(role);
      expect(await p.locator('.nav a', { hasText: 'Settings' }).count()).toBe(
        role === 'admin' ? 1 : 0,
      );
      // Every page this role can open draws without an error of any kind.
      for (const hash of PAGES.filter((h) => h !== 'settings' || role === 'admin')) {
        await p.goto(`${app.url}/#/${hash}`);
        await p.waitForSelector('.panel, .banner');
        await expect.poll(() => p.locator('.loading-bar, .state.loading').count()).toBe(0);
      }
      await p.click('text=Sign out');
      await p.waitForSelector('input[name="email"]');
      expect(seen, role).toEqual([]);
      await p.context().close();
    }
  });

  it('would notice a content-policy violation (the watcher itself works)', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'));
    // An inline script, as injected markup would bring: the policy blocks it and says so.
    await page.evaluate(
      "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s);",
    );
    await expect.poll(() => problems.join()).toContain('CSP violation: script-src');
    expect(await page.evaluate('window.ran')).toBeUndefined();
    await page.context().close();
  });

  it('signs in with an API key', async () => {
    const { page, problems } = await watchedPage(browser);
    await signInWithKey(page, app.url, app.keys.manager);
    expect(await page.locator('[data-testid="who"]').textContent()).toContain('manager');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows the weak link on the journey map, its contagion, and opens its alert', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'));
    const banner = page.locator('[data-testid="weak-link"]');
    expect(await banner.locator('.banner-title').textContent()).toBe('Delivery');
    const weakest = page.locator('.tp-card.weakest');
    expect(await weakest.count()).toBe(1);
    expect(await weakest.getAttribute('data-touchpoint')).toBe('delivery');
    expect(await weakest.getAttribute('class')).toContain('weak');
    // Support is drawn as reached by the delivery wave.
    await page.waitForSelector('path.contagion-link[data-from="delivery"][data-to="support"]');
    expect(await page.locator('.tp-card[data-touchpoint="support"]').getAttribute('class')).toMatch(
      /watch|weak/,
    );

    await banner.locator('a', { hasText: 'Open its alert' }).click();
    await page.waitForSelector('[data-testid="alert-summary"]');
    expect(page.url()).toContain(`#/alerts/${alertId}`);
    expect(await page.locator('[data-testid="alert-summary"]').textContent()).toMatch(
      /^Delivery: 14 complaints since \d\d:\d\d from 11 people on 1 site/,
    );
    // No internal field names in what a community manager reads.
    const text = (await page.locator('main').innerText()).toLowerCase();
    for (const internal of ['author-buckets', 'log10', 'pvalue', 'topauthorshare'])
      expect(text).not.toContain(internal);
    // A viewer reads; the actions are not offered.
    expect(await page.locator('button', { hasText: 'Acknowledge' }).count()).toBe(0);
    expect(await page.locator('[data-testid="read-only"]').count()).toBe(1);
    const refused = await app.as('viewer')(`/api/v1/alerts/${alertId}/acknowledge`, {
      method: 'POST',
      body: '{}',
    });
    expect(refused.status).toBe(403);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows what people wrote as text: no element, no dialog, no javascript: link', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'), `alerts/${alertId}`);
    const quote = page.locator('.quote').first();
    await quote.waitFor();
    expect(await quote.locator('p').textContent()).toBe(
      `Colis <b>toujours</b> pas arrivé ${HOSTILE}`,
    );
    expect(await quote.locator('img, b').count()).toBe(0);
    expect(await quote.locator('a').count()).toBe(0);
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('lets a manager acknowledge the alert: recorded under their name, and no longer "open"', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('manager'), 'alerts');
    await page.waitForSelector('tr.alert-row');
    expect(await page.locator('tr.alert-row').count()).toBe(1);
    await page.click('tr.alert-row');
    await page.fill('textarea', 'on it, calling the carrier');
    await page.click('button:text("Acknowledge")');
    await page.waitForSelector('.alert-head .badge.status.acknowledged');
    const stored = await app.rt.alerts.findById(alertId);
    expect(stored?.status).toBe('acknowledged');
    expect(stored?.history.at(-1)).toMatchObject({
      kind: 'acknowledged',
      by: 'Manager Dupont',
      byId: userOf('manager').email,
      text: 'on it, calling the carrier',
    });
    await page.click('text=← All alerts');
    await page.waitForSelector('.state.empty');
    expect(await page.locator('tr.alert-row').count()).toBe(0);
    await page.click('[data-status="acknowledged"]');
    await page.waitForSelector('tr.alert-row.acknowledged');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('assigns the alert to someone, who finds it, comments and resolves it', async () => {
    const admin = await watchedPage(browser);
    await signIn(admin.page, app.url, userOf('admin'), `alerts/${alertId}`);
    await admin.page.selectOption('select[aria-label="Assign to"]', userOf('manager').email);
    await admin.page.click('button:text-is("Assign")');
    await admin.page.waitForSelector('.alert-head .badge:text("assigned to Manager Dupont")');
    expect(admin.problems).toEqual([]);
    await admin.page.context().close();

    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('manager'), 'alerts?status=all');
    await page.selectOption('select[name="assignee"]', userOf('manager').email);
    await page.waitForURL(/assignee=/);
    await page.waitForSelector('tr.alert-row');
    expect(await page.locator('tr.alert-row').count()).toBe(1);
    await page.click('tr.alert-row');
    await page.fill('textarea', 'the carrier found the lost van');
    await page.click('button:text("Comment")');
    await page.waitForSelector(
      '.event.commented .event-text:text("the carrier found the lost van")',
    );
    await page.click('button:text("Resolve")');
    await page.waitForSelector('.alert-head .badge.status.resolved');
    const stored = await app.rt.alerts.findById(alertId);
    expect(stored?.assignee).toEqual({ id: userOf('manager').email, name: 'Manager Dupont' });
    expect(stored?.history.map((h) => [h.kind, h.by])).toEqual(
      expect.arrayContaining([
        ['assigned', 'Admin Dupont'],
        ['commented', 'Manager Dupont'],
        ['resolved', 'Manager Dupont'],
      ]),
    );
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('speaks French on the map and the alert: French words, a 24-hour clock', async () => {
    const { page, problems } = await watchedPage(browser, { lang: 'fr' });
    await signIn(page, app.url, userOf('manager'));
    // The browser says French: the dashboard starts in French and remembers it.
    expect(await page.locator('.banner-kicker').textContent()).toBe('Maillon faible');
    const english =
      /\b(healthy|weak link|to watch|complaints|usually|open|alert|since|spread|negative|sign out|am|pm)\b/i;
    // What the page says (the language menu names both languages, in their own words).
    const map = [
      await page.locator('.topbar .nav').innerText(),
      await page.locator('.topbar-right button').innerText(),
      await page.locator('main').innerText(),
    ].join('\n');
    expect(map).not.toMatch(english);
    expect(map).toContain('Livraison');
    await page.goto(`${app.url}/#/alerts/${alertId}`);
    await page.waitForSelector('[data-testid="alert-summary"]');
    const summary = await page.locator('[data-testid="alert-summary"]').textContent();
    // Open: "depuis 16 h 30"; resolved (the test before): "de 16 h 30 à 17 h 30".
    expect(summary).toMatch(/^Livraison : 14 plaintes (depuis|de) \d+ h/);
    const head = await page.locator('.alert-head').innerText();
    expect(head).toContain('critique');
    const when = await page.locator('.timeline .event-when').first().textContent();
    expect(when).toMatch(/\d{1,2} \S+ \d\d:\d\d/);
    expect(when).not.toMatch(/am|pm/i);
    expect(await page.locator('.alert-side').innerText()).not.toMatch(english);
    // The inbox: tabs, filters, badges, dates.
    await page.goto(`${app.url}/#/alerts?status=all`);
    await page.waitForSelector('tr.alert-row');
    const inbox = await page.locator('main').innerText();
    expect(inbox).toContain('résolue');
    expect(inbox).not.toMatch(english);
    // Switching back to English is remembered.
    await page.selectOption('#lang', 'en');
    await page.waitForSelector('th:text("What happened")');
    await page.reload();
    await page.waitForSelector('th:text("What happened")');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows a loading cue while a period switch loads, then the new period', async () => {
    const { page, problems } = await watchedPage(browser);
    await signIn(page, app.url, userOf('viewer'), 'trends');
    await page.waitForSelector('.chart canvas');
    await page.route('**/api/v1/trends?**', async (route) => {
      await new Promise((r) => setTimeout(r, 1_000));
      await route.continue();
    });
    await page.click('.segmented button:text("28 days")');
    await page.waitForSelector('.loading-bar', { timeout: 900 });
    // The previous chart stays on screen meanwhile.
    expect(await page.locator('.chart canvas').count()).toBeGreaterThan(0);
    await page.waitForSelector('.loading-bar', { state: 'detached' });
    expect(page.url()).toContain('period=28d');
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
