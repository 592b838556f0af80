/**
 * The demo the README promises: four weeks of ordinary history, then the demo feed polled by the
 * real pipeline; its delivery complaints open a weak-link alert delivered to the console channel.
 * The feed's clock is moved past its three minutes instead of waiting for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoFeed, type DemoFeed } from '../../src/demo/demo-feed.js';
import { seedDemoHistory } from '../../src/demo/seed.js';
import { eventually, pipelineIdle, startTestApp, type TestApp } from '../helpers/app.js';

let clock = Date.now();
let feed: DemoFeed;
let app: TestApp;

beforeAll(async () => {
  feed = await startDemoFeed({ now: () => clock });
  app = await startTestApp({
    extraSources: [{ id: 'demo', kind: 'rss', every: 500, url: feed.url }],
  });
  await seedDemoHistory(app.rt.acceptDeps, new Date(clock));
}, 120_000);
afterAll(async () => {
  await app?.stop();
  await feed?.stop();
});

describe('npm run demo', () => {
  it('shows mentions arriving, then a weak-link alert on delivery delivered to the console', async () => {
    const first = await eventually(async () => {
      // The history's mentions naming a competitor alone come from this source too: not the
      // brand's (they count under the competitor only).
      const page = await app.rt.mentions.list({ source: 'demo', limit: 100 });
      const brand = page.mentions.filter((m) => m.relevant !== false);
      return brand.length > 0 ? brand : undefined;
    });
    expect(first).toHaveLength(2); // only the posts of second 0
    // The history raises nothing by itself.
    await eventually(
      async () => ((await pipelineIdle(app)) ? true : undefined),
      60_000,
      'the history counted',
    );
    expect(await app.rt.alerts.list({ kind: 'weak-link', limit: 5 })).toEqual([]);

    clock += 200_000;
    const alert = await eventually(
      async () => (await app.rt.alerts.list({ kind: 'weak-link', limit: 5 }))[0],
      120_000,
      'the demo alert',
    );
    expect(alert.touchpoint?.id).toBe('delivery');
    expect(alert.evidence.quotes.map((q) => q.quote).join(' ')).toMatch(
      /deliver|parcel|package|courier/i,
    );
    await eventually(async () => {
      const delivered = await app.rt.deliveries.list({ status: 'delivered', limit: 10 });
      return delivered.some((d) => 'alertId' in d && d.alertId === alert.id) ? true : undefined;
    });
    expect(await app.rt.alerts.list({ kind: 'weak-link', limit: 5 })).toHaveLength(1);
  }, 420_000);
});
