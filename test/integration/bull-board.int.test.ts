/**
 * Bull Board over the real queues, mounted as app.ts mounts it (at /admin/queues, under its own
 * CSP): its API lists every queue of the pipeline, and its page runs in Debian's Chromium with no
 * script error and no CSP violation but the one it is meant to have (the Google Fonts stylesheet
 * its page links to: an admin page of ours calls no third party; system fonts stand in).
 */
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { Job } from 'bullmq';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BULL_BOARD_CSP, createBullBoardRouter } from '../../src/api/bull-board.js';
import { DEBIAN_CHROMIUM, launchChromium } from '../../src/devtools/chromium.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const BASE = '/admin/queues';
const haveChromium = existsSync(DEBIAN_CHROMIUM);
if (!haveChromium && process.env.CI === 'true')
  throw new Error(
    `${DEBIAN_CHROMIUM} is missing: install Debian's chromium package (.ci/run does)`,
  );
const browserSuite = haveChromium
  ? describe
  : describe.skip.bind(describe, `Bull Board in a browser: skipped, ${DEBIAN_CHROMIUM} is missing`);

let app: TestApp;
let job: Job;
let server: Server;
let url: string;

beforeAll(async () => {
  app = await startTestApp({ workers: [], api: false });
  job = await app.rt.queues.count.add('count', {}, { delay: 60_000 });
  const web = express();
  web.use(BASE, (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('content-security-policy', BULL_BOARD_CSP);
    next();
  });
  web.use(BASE, createBullBoardRouter(app.rt.queues.all, BASE));
  server = await new Promise<Server>((resolve) => {
    const s = web.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await app?.stop();
});

describe('Bull Board', () => {
  it('serves its page under the base path and lists every queue with its counts', async () => {
    const page = await fetch(`${url}${BASE}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(`<base href="${BASE}/"`);

    const res = await fetch(`${url}${BASE}/api/queues`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      queues: { name: string; counts: Record<string, number> }[];
    };
    expect(body.queues.map((q) => q.name).toSorted()).toEqual(
      app.rt.queues.all.map((q) => q.name).toSorted(),
    );
    expect(body.queues.find((q) => q.name === 'count')?.counts.delayed).toBe(1);
  });
});

browserSuite('Bull Board in a browser', () => {
  it('runs under its CSP without a script error or a CSP violation', async () => {
    let browser: Browser | undefined;
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      // Chromium reports each CSP violation as a console error ("Refused to ...").
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.goto(`${url}${BASE}`);
      await page.getByText('count', { exact: true }).first().waitFor({ timeout: 20_000 });
      // A queue's page, with its delayed job.
      await page.goto(`${url}${BASE}/queue/count?status=delayed`);
      await page.getByText(`#${job.id}`).first().waitFor({ timeout: 20_000 });
      expect(errors.filter((e) => !e.includes('https://fonts.googleapis.com/'))).toEqual([]);
    } finally {
      await browser?.close();
    }
  });
});
