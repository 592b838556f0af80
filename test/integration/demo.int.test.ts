/**
 * The demo the README promises: its feed, polled by the real pipeline, ends in an alert. The
 * demo's clock is moved past the three minutes instead of waiting for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoFeed, type DemoFeed } from '../../src/demo/demo-feed.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

let clock = Date.now();
let feed: DemoFeed;
let app: TestApp;

beforeAll(async () => {
  feed = await startDemoFeed({ now: () => clock });
  app = await startTestApp({
    extraSources: [{ id: 'demo', kind: 'rss', every: 500, url: feed.url }],
  });
});
afterAll(async () => {
  await app?.stop();
  await feed?.stop();
});

describe('npm run demo', () => {
  it('shows mentions arriving over time, then an alert delivered to the console channel', async () => {
    const first = await eventually(async () => {
      const page = await app.rt.mentions.list({ source: 'demo', limit: 100 });
      return page.mentions.length > 0 ? page.mentions : undefined;
    });
    expect(first).toHaveLength(2); // only the posts of second 0

    clock += 200_000;
    const alert = await eventually(
      async () => (await app.rt.alerts.list(5))[0],
      30_000,
      'the demo alert',
    );
    expect(alert.evidence.negative).toBeGreaterThanOrEqual(5);
    expect(alert.evidence.quotes.map((q) => q.quote).join(' ')).toMatch(
      /deliver|parcel|package|courier/i,
    );
    await eventually(async () =>
      (await app.rt.alerts.delivery(alert.id, 'console'))?.status === 'delivered'
        ? true
        : undefined,
    );
    expect(await app.rt.alerts.list(5)).toHaveLength(1);
  });
});
