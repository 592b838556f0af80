/**
 * What the dashboard reads, through the real API and store: trends per touchpoint over event
 * time (zero-filled buckets, counted once however often a fact is written), the configured
 * journey, the dashboard's own files with their security headers, and its words: every key a
 * page uses exists in French and in English, and the French is not the English.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Contribution } from '../../src/store/counts-repository.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;

const mention = (
  id: string,
  at: string,
  label: 'negative' | 'positive',
  touchpoint = 'delivery',
): Contribution => ({
  mentionId: id,
  publishedAt: new Date(at),
  source: 'reviews',
  author: `a-${id}`,
  reach: 1,
  shares: 0,
  relevant: true,
  overall: label,
  touchpoints: [{ id: touchpoint, stage: 'receive', label }],
});

beforeAll(async () => {
  app = await startTestApp({ workers: [] });
  const facts = [
    mention('m1', '2026-03-02T10:05:00Z', 'negative'),
    mention('m2', '2026-03-02T10:50:00Z', 'negative'),
    mention('m3', '2026-03-02T12:10:00Z', 'positive'),
    mention('m4', '2026-03-02T11:30:00Z', 'negative', 'support'),
    // 00:30 on 3 March in Paris.
    mention('m5', '2026-03-02T23:30:00Z', 'negative', 'checkout'),
  ];
  for (const f of facts) await app.rt.counts.add(f);
  // A retried job writes the same facts again: they must count once.
  await app.rt.counts.add(facts[0]!);
});
afterAll(async () => {
  await app?.stop();
});

interface Trend {
  bucket: string;
  data: Array<{
    key: string;
    totals: { volume: number; negative: number; positive: number };
    data: Array<{ start: string; negative: number; positive: number }>;
  }>;
}

const get = async (path: string) => {
  const res = await app.as('admin')(path);
  return { status: res.status, res, body: (await res.json()) as Trend & { error?: unknown } };
};

describe('GET /api/v1/trends', () => {
  it('gives one zero-filled series per touchpoint, most negatives first', async () => {
    const { status, body } = await get(
      '/api/v1/trends?bucket=1h&since=2026-03-02T09:00:00Z&until=2026-03-02T13:00:00Z',
    );
    expect(status).toBe(200);
    expect(body.data.map((s) => s.key)).toEqual(['delivery', 'support']);
    const delivery = body.data[0]!;
    expect(delivery.totals).toMatchObject({ volume: 3, negative: 2, positive: 1 });
    expect(delivery.data.map((p) => [p.start, p.negative, p.positive])).toEqual([
      ['2026-03-02T09:00:00.000Z', 0, 0],
      ['2026-03-02T10:00:00.000Z', 2, 0],
      ['2026-03-02T11:00:00.000Z', 0, 0],
      ['2026-03-02T12:00:00.000Z', 0, 1],
    ]);
  });

  it("counts days from the brand's midnight (Europe/Paris)", async () => {
    const { body } = await get(
      '/api/v1/trends?key=checkout&bucket=1d&since=2026-03-02T00:00:00Z&until=2026-03-04T00:00:00Z',
    );
    expect(body).toMatchObject({ bucket: '1d', timeZone: 'Europe/Paris' });
    expect(body.data[0]?.data.map((p) => [p.start, p.negative])).toEqual([
      ['2026-03-01T23:00:00.000Z', 0],
      ['2026-03-02T23:00:00.000Z', 1],
      ['2026-03-03T23:00:00.000Z', 0],
    ]);
  });

  it('filters one key and refuses bad or oversized queries', async () => {
    const one = await get(
      '/api/v1/trends?key=support&bucket=15m&since=2026-03-02T11:00:00Z&until=2026-03-02T12:00:00Z',
    );
    expect(one.body.data.map((s) => [s.key, s.data.map((p) => p.negative)])).toEqual([
      ['support', [0, 0, 1, 0]],
    ]);
    expect((await get('/api/v1/trends?bucket=5m')).status).toBe(400);
    expect((await get('/api/v1/trends?key[$gt]=')).status).toBe(400);
    const huge = await get('/api/v1/trends?bucket=15m&since=2020-01-01T00:00:00Z');
    expect(huge.status).toBe(400);
    expect(huge.body.error).toMatchObject({ code: 'validation_failed' });
  });
});

describe('the dashboard', () => {
  it('lists the configured journey', async () => {
    const res = await app.as('admin')(`/api/v1/touchpoints`);
    const body = (await res.json()) as { data: Array<{ id: string; stage: string }> };
    expect(body.data.length).toBe(app.config.touchpoints.touchpoints.length);
    expect(body.data).toContainEqual(expect.objectContaining({ id: 'delivery', stage: 'receive' }));
  });

  it('serves its page, script and chart library with a strict content policy', async () => {
    const page = await app.as('admin')(`/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="app.js">');
    // ES modules without a build step: Preact + htm and uPlot come as ES modules from /vendor.
    for (const path of [
      '/app.js',
      '/lib/preact.js',
      '/pages/journey.js',
      '/dashboard.css',
      '/vendor/htm/preact/standalone.module.js',
      '/vendor/uplot/uPlot.esm.js',
      '/vendor/uplot/uPlot.min.css',
    ]) {
      const res = await app.as('anonymous')(path);
      expect(res.status, path).toBe(200);
      // A module script is only run when served as JavaScript.
      expect(res.headers.get('content-type'), path).toMatch(
        path.endsWith('.js') ? /javascript/ : /css/,
      );
    }
    // Unknown paths stay JSON 404s; the library folder lists nothing else.
    const missing = await app.as('admin')(`/vendor/uplot/../../package.json`);
    expect(missing.status).toBe(404);
  });
});

describe("the dashboard's words", () => {
  const web = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
  const table = async (lang: 'en' | 'fr') =>
    (
      (await import(pathToFileURL(join(web, `lib/strings-${lang}.js`)).href)) as {
        [k: string]: Record<string, string>;
      }
    )[lang.toUpperCase()]!;

  it('has the same keys in French and English, and no French string left in English', async () => {
    const [en, fr] = [await table('en'), await table('fr')];
    expect(Object.keys(fr).toSorted()).toEqual(Object.keys(en).toSorted());
    // Words that are the same in both languages (names, units, loanwords) are few and known.
    const alike = new Set([
      'nav.mentions',
      'nav.sources',
      'common.pages',
      'common.page',
      'common.source',
      'severity.info',
      'journey.volume',
      'alert.actions',
      'alert.fig.sites',
      'period.1d',
      'dim.source',
      'metric.volume',
      'sources.source',
      'sources.last24h',
      'channels.type',
      'channels.options',
      'quality.corrections',
    ]);
    const same = Object.keys(en).filter(
      (k) => en[k] === fr[k] && !/^(sourceKind|channelType)\./.test(k),
    );
    expect(same.filter((k) => !alike.has(k))).toEqual([]);
  });

  it('has every key the pages ask for, in both languages', async () => {
    const [en, fr] = [await table('en'), await table('fr')];
    const files: string[] = [];
    for (const dir of ['', 'components', 'pages']) {
      for (const f of await readdir(join(web, dir)))
        if (f.endsWith('.js')) files.push(join(web, dir, f));
    }
    const used = new Set<string>();
    for (const f of files) {
      const code = await readFile(f, 'utf8');
      for (const m of code.matchAll(/\bt\('([\w.-]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(150);
    // A key used with a count may exist only in its plural forms.
    const has = (tbl: Record<string, string>, k: string) => k in tbl || `${k}_other` in tbl;
    expect([...used].filter((k) => !has(en, k) || !has(fr, k))).toEqual([]);
  });
});
