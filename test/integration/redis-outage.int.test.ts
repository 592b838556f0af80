/**
 * Losing Redis: on a redis-server of the test's own (the shared one is never stopped), killed and
 * started again empty, Maillon says it is not ready meanwhile, then writes its job schedulers
 * again and polls on, without being restarted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { expectedSchedulers, watchSchedules } from '../../src/queue/schedulers.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';

const FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');

let redis: OwnRedis;
let site: TestServer;
let app: TestApp;

beforeAll(async () => {
  redis = await startOwnRedis();
  site = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(FEED);
  });
  app = await startTestApp({
    env: { REDIS_URL: redis.url },
    extraSources: [{ id: 'feed', kind: 'rss', every: 1_000, url: `${site.url}/feed.xml` }],
  });
});

afterAll(async () => {
  await app?.stop();
  await redis?.stop();
  await site?.close();
});

async function getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await app.as('admin')(path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The schedulers `syncSchedules` wrote that are not in Redis now. */
async function missingSchedulers(): Promise<string[]> {
  const expected = expectedSchedulers(app.rt.queues, app.config.sources);
  const found = await Promise.all(expected.map((s) => s.queue.getJobScheduler(s.id)));
  return expected.filter((_, i) => !found[i]).map((s) => s.id);
}

describe('losing Redis', () => {
  it('knows every scheduler it writes', async () => {
    const written = (
      await Promise.all(
        app.rt.queues.all.map(async (q) =>
          (await q.getJobSchedulers()).map((s) => `${q.name}/${s.key}`),
        ),
      )
    ).flat();
    const expected = expectedSchedulers(app.rt.queues, app.config.sources).map(
      (s) => `${s.queue.name}/${s.id}`,
    );
    expect(written.toSorted()).toEqual(expected.toSorted());
  });

  it('is ready while Redis and the store answer, with their latency', async () => {
    const { status, body } = await getJson('/readyz');
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      checks: {
        redis: { status: 'ok', latencyMs: expect.any(Number) },
        mongodb: { status: 'ok', latencyMs: expect.any(Number) },
      },
    });
  });

  it('says not ready while Redis is down, then re-creates the schedulers and polls on when it is back empty', async () => {
    await eventually(async () => (site.requests.length > 0 ? true : undefined), 20_000, 'a poll');
    await redis.kill();

    const down = await eventually(async () => {
      const r = await getJson('/readyz');
      return r.status === 503 ? r : undefined;
    });
    expect(down.body).toMatchObject({
      status: 'not_ready',
      notReady: ['redis'],
      checks: { redis: { status: 'down' }, mongodb: { status: 'ok' } },
    });
    // Alive all the same: a liveness probe must not restart a process Redis left behind.
    expect((await getJson('/healthz')).status).toBe(200);
    // Rate limits cannot be counted without Redis: the API serves uncounted rather than not.
    expect((await getJson('/api/v1/alerts')).status).toBe(200);

    await redis.restart();
    await eventually(async () => ((await getJson('/readyz')).status === 200 ? true : undefined));
    await eventually(
      async () => ((await missingSchedulers()).length === 0 ? true : undefined),
      20_000,
      'the schedulers re-created',
    );
    const polls = site.requests.length;
    await eventually(
      async () => (site.requests.length >= polls + 2 ? true : undefined),
      20_000,
      'polls after the restart',
    );
  });

  it('re-creates them on its periodic look when Redis loses them without a reconnection', async () => {
    const watch = watchSchedules({
      queues: app.rt.queues,
      listSources: () => app.rt.catalog.list(),
      redis: app.rt.redis.redis,
      logger: pino({ level: 'silent' }),
      everyMs: 100,
    });
    try {
      await app.rt.redis.redis.flushall();
      await eventually(
        async () => ((await missingSchedulers()).length === 0 ? true : undefined),
        20_000,
        'the schedulers re-created',
      );
    } finally {
      watch.stop();
    }
    await expect(watch.check()).resolves.toEqual([]);
  });
});
