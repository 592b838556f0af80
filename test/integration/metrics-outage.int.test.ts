/**
 * Counting never costs a job anything: with the metrics' Redis down (a redis-server of the
 * test's own, killed; the shared one is never stopped), polls still store their mentions and
 * fail for their own reasons only, the losses are bounded and logged once, and once Redis is back
 * the counters go on, with what was lost counted.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createPollProcessor } from '../../src/jobs/poll.js';
import { metricKey, SHARED_METRICS } from '../../src/ops/metrics.js';
import {
  createMetricsRecorder,
  METRICS_REDIS_OPTIONS,
  type MetricsRecorder,
} from '../../src/ops/recorder.js';
import { createMetricsScraper } from '../../src/ops/scraper.js';
import { createLeases } from '../../src/queue/lease.js';
import { createTokenStore } from '../../src/sources/_types.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

const FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');
const PREFIX = 'metrics-outage';

let own: OwnRedis;
let site: TestServer;
let app: TestApp;
let recorder: MetricsRecorder;
/** What the recorder logged, as JSON lines. */
const logged: { level: number; msg: string; lost?: number }[] = [];

beforeAll(async () => {
  own = await startOwnRedis();
  site = await startHttpServer((req, res) => {
    if (req.url === '/broken.xml') res.writeHead(500).end('down');
    else res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(FEED);
  });
  // The pipeline on the shared Redis; no workers: the test runs the poll itself.
  app = await startTestApp({
    workers: [],
    api: false,
    extraSources: [
      { id: 'feed', kind: 'rss', every: 60_000, url: `${site.url}/feed.xml` },
      { id: 'broken', kind: 'rss', every: 60_000, url: `${site.url}/broken.xml` },
    ],
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean))
        logged.push(JSON.parse(line) as (typeof logged)[number]);
      done();
    },
  });
  recorder = createMetricsRecorder({
    redis: new Redis(own.url, METRICS_REDIS_OPTIONS),
    prefix: PREFIX,
    logger: pino({ level: 'warn' }, sink),
    maxPending: 8,
  });
  await eventually(async () => (recorder.redis.status === 'ready' ? true : undefined));
});

afterAll(async () => {
  await recorder?.close();
  await app?.stop();
  await own?.stop();
  await site?.close();
});

/** The poll processor as a worker builds it, counting on the recorder under test. */
function poll(sourceId: string): Promise<unknown> {
  const process = createPollProcessor({
    catalog: app.rt.catalog,
    tokens: createTokenStore(),
    sources: app.rt.sources,
    ...app.rt.acceptDeps,
    metrics: recorder,
    http: app.rt.http,
    logger: app.rt.logger,
    leases: createLeases(app.rt.redis.redis, { prefix: app.config.redis.prefix }),
  });
  return process({
    id: `j-${sourceId}`,
    name: 'poll',
    queueName: 'poll.rss',
    data: { sourceId },
    attemptsMade: 0,
    opts: {},
  } as unknown as Job);
}

const hash = (name: string) => recorder.redis.hgetall(metricKey(PREFIX, name));

describe('metrics with their Redis down', () => {
  it('count while Redis is up', async () => {
    await expect(poll('feed')).resolves.toMatchObject({ sourceId: 'feed', accepted: 20 });
    await recorder.flush();
    expect(await hash(SHARED_METRICS.mentionsAccepted.name)).toEqual({ '["feed","poll"]': '20' });
  });

  it('never fail nor hold up a job, and lose a bounded number of writes, logged once', async () => {
    await own.kill();
    const started = Date.now();
    // A poll that succeeds stays a success; one that fails fails for its own reason.
    await expect(poll('feed')).resolves.toMatchObject({ sourceId: 'feed', duplicates: 20 });
    await expect(poll('broken')).rejects.toThrow(/500/);
    for (let i = 0; i < 1_000; i++)
      recorder.jobFinished({ queue: 'count', name: 'count', outcome: 'completed', seconds: 0.01 });
    recorder.alertOpened('weak-link', 'warning');
    // At most `maxPending` writes wait, each for at most one reconnection and a second.
    await recorder.flush();
    expect(Date.now() - started).toBeLessThan(10_000);
    const warnings = logged.filter((l) => l.msg.startsWith('metrics: writes lost'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.lost).toBeGreaterThanOrEqual(1);
  });

  it('count again once Redis is back, with what was lost', async () => {
    await own.restart();
    await eventually(async () => (recorder.redis.status === 'ready' ? true : undefined));
    recorder.alertOpened('operational', 'warning');
    recorder.deliveryFailed('slack', true);
    await recorder.flush();
    // Redis came back empty: only what was written since is there, and the count of the losses.
    expect(await hash(SHARED_METRICS.alertsOpened.name)).toEqual({
      '["operational","warning"]': '1',
    });
    const dropped = Number((await hash(SHARED_METRICS.writesDropped.name))['[]'] ?? Number.NaN);
    // The 1,000 job records, the alert and the poll error: all lost, all counted.
    expect(dropped).toBeGreaterThanOrEqual(1_002);

    const text = await createMetricsScraper({
      redis: recorder.redis,
      prefix: PREFIX,
      queues: [],
      logger: pino({ level: 'silent' }),
      defaultMetrics: false,
    }).render();
    expect(text).toContain('maillon_shared_metrics_up 1');
    expect(text).toContain('maillon_delivery_failures_total{channel_type="slack",final="true"} 1');
    expect(text).toContain(`maillon_metrics_writes_dropped_total ${dropped}`);
  });

  it('answers a scrape without the shared part while Redis is down', async () => {
    await own.kill();
    await eventually(async () => (recorder.redis.status !== 'ready' ? true : undefined));
    const text = await createMetricsScraper({
      redis: recorder.redis,
      prefix: PREFIX,
      queues: app.rt.queues.all,
      logger: pino({ level: 'silent' }),
      defaultMetrics: false,
    }).render();
    expect(text).toContain('maillon_shared_metrics_up 0');
    expect(text).not.toContain('maillon_alerts_opened_total{');
    await own.restart();
  });
});
