/**
 * The dashboard in a real browser for the integration tests: Debian's Chromium through
 * playwright-core, a page that records every problem (script error, console error, content-policy
 * violation, a dialog opened by a page script, a failed request), and signing in through the
 * sign-in form like a person.
 *
 * Chromium is a Debian package (`apt-get install chromium`); `.ci/run` installs it. Without it the
 * suites are skipped locally, with the reason in their title, and fail under CI=true.
 */
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { describe } from 'vitest';
import { DEBIAN_CHROMIUM } from '../../src/devtools/chromium.js';

export const haveChromium = existsSync(DEBIAN_CHROMIUM);
if (!haveChromium && process.env.CI === 'true') {
  throw new Error(
    `${DEBIAN_CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`,
  );
}

/** `describe`, or a skip whose title says why. */
export const browserSuite: typeof describe = haveChromium
  ? describe
  : (describe.skip.bind(
      describe,
      `dashboard in a browser: skipped, ${DEBIAN_CHROMIUM} is not installed`,
    ) as unknown as typeof describe);

export interface WatchedPage {
  page: Page;
  /** Everything that went wrong on the page so far; a test expects it empty. */
  problems: string[];
}

/**
 * A new page that records problems. Content-policy violations are reported by the page itself
 * (a `securitypolicyviolation` listener installed before any script runs); any dialog a page
 * script opens (alert(1) from injected markup) is recorded and dismissed; a confirmation is accepted. `allow` lists
 * responses that a test expects to fail (`403 /api/v1/...`).
 */
export async function watchedPage(
  browser: Browser,
  opts: { lang?: 'fr' | 'en'; allow?: RegExp[]; timezoneId?: string } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: opts.lang === 'fr' ? 'fr-FR' : 'en-GB',
    timezoneId: opts.timezoneId ?? 'America/New_York',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  await context.exposeFunction('reportCspViolation', (what: string) =>
    problems.push(`CSP violation: ${what}`),
  );
  // Runs in the page before its own scripts (a string: this project's types have no DOM).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    // Failed loads are reported with their URL below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      problems.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    const line = `${res.status()} ${new URL(res.url()).pathname}`;
    // 401 on GET /api/v1/session is how the dashboard learns nobody is signed in.
    if (res.status() === 401 && line.endsWith('/api/v1/session')) return;
    if (res.status() >= 400 && !(opts.allow ?? []).some((re) => re.test(line))) problems.push(line);
  });
  page.on('dialog', (dialog) => {
    // The dashboard asks before removing something: the person says yes. Nothing else opens one.
    if (dialog.type() === 'confirm') return void dialog.accept();
    problems.push(`dialog: ${dialog.message()}`);
    return void dialog.dismiss();
  });
  return { page, problems };
}

/** Signs in through the form with an e-mail and password; waits for the header. */
export async function signIn(
  page: Page,
  baseUrl: string,
  who: { email: string; password: string },
  hash = '',
): Promise<void> {
  await page.goto(`${baseUrl}/${hash ? `#/${hash}` : ''}`);
  await page.fill('input[name="email"]', who.email);
  await page.fill('input[name="password"]', who.password);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="who"]');
}

/** Signs in with an API key through the form's second tab. */
export async function signInWithKey(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.click('[role="tab"]:nth-child(2)');
  await page.fill('input[name="key"]', key);
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="who"]');
}
