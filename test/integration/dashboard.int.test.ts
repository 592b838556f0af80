/**
 * What the dashboard reads, through the real API and store: trends per touchpoint over event
 * time (zero-filled buckets, counted once however often a fact is written), the configured
 * journey, and the dashboard's own files with their security headers.
 */
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
  const res = await fetch(`${app.url}${path}`);
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
    expect(delivery.totals).toEqual({ volume: 3, negative: 2, positive: 1 });
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
    const res = await fetch(`${app.url}/api/v1/touchpoints`);
    const body = (await res.json()) as { data: Array<{ id: string; stage: string }> };
    expect(body.data.length).toBe(app.config.touchpoints.touchpoints.length);
    expect(body.data).toContainEqual(expect.objectContaining({ id: 'delivery', stage: 'receive' }));
  });

  it('serves its page, script and chart library with a strict content policy', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('dashboard.js');
    for (const path of ['/dashboard.js', '/dashboard.css', '/vendor/uplot/uPlot.iife.min.js']) {
      expect((await fetch(`${app.url}${path}`)).status, path).toBe(200);
    }
    // Unknown paths stay JSON 404s; the library folder lists nothing else.
    const missing = await fetch(`${app.url}/vendor/uplot/../../package.json`);
    expect(missing.status).toBe(404);
  });
});
