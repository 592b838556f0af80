/**
 * One poll of a source at a time, across processes, on the real Redis: each "process" here is a
 * poll processor with its own Redis connection, polling a local feed that answers only when the
 * test lets it.
 */
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPollProcessor, type PollResult } from '../../src/jobs/poll.js';
import { createLeases } from '../../src/queue/lease.js';
import { createHttpClient, describeSource } from '../../src/sources/index.js';
import { createTokenStore } from '../../src/sources/_types.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');
const ETAG = '"v1"';
const TTL_MS = 300;

let site: TestServer;
let app: TestApp;
/** Held responses of the site, answered when the test says so. */
let held: (() => void)[] = [];
let holdResponses = false;
const connections: Redis[] = [];

beforeAll(async () => {
  site = await startHttpServer((req, res) => {
    // RSS reads robots.txt first (none here): answered at once, the feed is what is held.
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    const answer = () => {
      if (req.headers['if-none-match'] === ETAG) res.writeHead(304, { ETag: ETAG }).end();
      else res.writeHead(200, { 'Content-Type': 'application/atom+xml', ETag: ETAG }).end(FEED);
    };
    if (holdResponses) held.push(answer);
    else answer();
  });
  app = await startTestApp({
    workers: [],
    api: false,
    extraSources: [{ id: 'feed', kind: 'rss', every: 3_600_000, url: `${site.url}/feed.xml` }],
  });
  await app.rt.sources.sync(app.config.sources.map(describeSource));
});

afterEach(() => {
  holdResponses = false;
  for (const answer of held.splice(0)) answer();
});

afterAll(async () => {
  for (const c of connections) c.disconnect();
  await app?.stop();
  await site?.close();
});

/** A Redis connection of its own, as another process would have. */
function connection(): Redis {
  const c = new Redis(app.config.redis.url, { maxRetriesPerRequest: null });
  connections.push(c);
  return c;
}

/** A poll processor as one worker process builds it, with its own connection. */
function pollProcess(redis = connection()) {
  const process = createPollProcessor({
    catalog: app.rt.catalog,
    tokens: createTokenStore(),
    sources: app.rt.sources,
    ...app.rt.acceptDeps,
    http: createHttpClient(app.config.http),
    logger: app.rt.logger,
    leases: createLeases(redis, { prefix: app.config.redis.prefix, ttlMs: TTL_MS }),
  });
  let n = 0;
  return (): Promise<PollResult> =>
    process({ id: `j${++n}`, queueName: 'poll.rss', data: { sourceId: 'feed' } } as Job);
}

const feedRequests = () => site.requests.filter((r) => r.url !== '/robots.txt');
const leaseKey = () => `${app.config.redis.prefix}:lease:poll:feed`;

describe('poll lease', () => {
  it('lets one of two concurrent polls of a source fetch; the other skips, and the next one is conditional', async () => {
    const a = pollProcess();
    const b = pollProcess();
    holdResponses = true;
    const first = a();
    await eventually(async () => (held.length === 1 ? true : undefined), 10_000, 'first fetch');
    // The first poll outlives several lease TTLs while its site is slow: the lease is extended.
    const until = Date.now() + 3 * TTL_MS;
    await eventually(async () => (Date.now() > until ? true : undefined));
    await expect(b()).resolves.toEqual({ sourceId: 'feed', skipped: 'busy' });
    expect(feedRequests()).toHaveLength(1);

    held.shift()?.();
    await expect(first).resolves.toMatchObject({ sourceId: 'feed', fetched: 20 });
    holdResponses = false;
    await expect(b()).resolves.toEqual({ sourceId: 'feed', notModified: true });
    expect(feedRequests().map((r) => r.headers['if-none-match'])).toEqual([undefined, ETAG]);
    expect(await connection().exists(leaseKey())).toBe(0);
  });

  it('frees a source whose poller died, once its lease expires', async () => {
    const dying = connection();
    const leases = createLeases(dying, { prefix: app.config.redis.prefix, ttlMs: TTL_MS });
    expect(await leases.acquire('poll:feed')).toBeDefined();
    dying.disconnect(); // gone without releasing
    const poll = pollProcess();
    const before = feedRequests().length;
    await expect(poll()).resolves.toEqual({ sourceId: 'feed', skipped: 'busy' });
    const result = await eventually(async () => {
      const r = await poll();
      return 'skipped' in r ? undefined : r;
    }, 10_000);
    expect(result).toEqual({ sourceId: 'feed', notModified: true });
    expect(feedRequests().length).toBe(before + 1);
  });

  it('tells a holder that lost its lease, and its release leaves the next holder alone', async () => {
    const redis = connection();
    const mine = await createLeases(redis, { prefix: 'lease-test', ttlMs: TTL_MS }).acquire('x');
    // As if it had expired while its holder stalled, and another took it.
    await redis.del('lease-test:lease:x');
    const theirs = await createLeases(connection(), {
      prefix: 'lease-test',
      ttlMs: TTL_MS,
    }).acquire('x');
    expect(theirs).toBeDefined();
    await eventually(async () => (mine?.signal.aborted ? true : undefined), 10_000, 'lost');
    await mine?.release();
    expect(await redis.exists('lease-test:lease:x')).toBe(1);
    await theirs?.release();
    expect(await redis.exists('lease-test:lease:x')).toBe(0);
  });
});
