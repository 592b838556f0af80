/**
 * `/metrics` on the real thing, as Prometheus reads it. The API runs in one runtime and the
 * workers in another, each with its own connections and its own recorder, sharing only Redis and
 * the store as separate processes do: what the API shows of the jobs was counted by the other.
 * Local sites serve a feed (polled and stored) and a broken feed (500: poll errors).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { runShutdown } from '../../src/lifecycle.js';
import {
  createRuntime,
  runtimeShutdownSteps,
  startWorkers,
  workerShutdownSteps,
  type Runtime,
} from '../../src/runtime.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');

let site: TestServer;
let brokenSite: TestServer;
let app: TestApp;
let workerRt: Runtime;
let workers: Worker[] = [];

beforeAll(async () => {
  site = await startHttpServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/atom+xml' }).end(FEED);
  });
  // A host of its own: each host has its own politeness budget, which the broken source's
  // retries would otherwise spend for the good one.
  brokenSite = await startHttpServer((_req, res) => {
    res.writeHead(500).end('down for maintenance');
  });
  // The API's process: no workers.
  app = await startTestApp({
    workers: [],
    extraSources: [
      // Polled at once, then every 5 s: well within its host's budget however long the test.
      { id: 'feed', kind: 'rss', every: 5_000, url: `${site.url}/feed.xml` },
      { id: 'broken', kind: 'rss', every: 1_000, url: `${brokenSite.url}/broken.xml` },
    ],
  });
  // The workers' process: the same configuration, everything else its own.
  workerRt = await createRuntime(app.config);
  workers = await startWorkers(workerRt);
});

afterAll(async () => {
  if (workerRt) {
    await runShutdown(workerShutdownSteps(workers), workerRt.logger);
    await runShutdown(runtimeShutdownSteps(workerRt), workerRt.logger);
  }
  if (app) {
    const redis = app.rt.redis.redis;
    const keys = await redis.keys(`${app.config.redis.prefix}:metrics:*`);
    if (keys.length > 0) await redis.del(...keys);
    await app.stop();
  }
  await site?.close();
  await brokenSite?.close();
});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Scrape {
  samples: Sample[];
  /** Families with their `# HELP` and `# TYPE`. */
  help: Map<string, string>;
  type: Map<string, string>;
}

/** Prometheus's text format 0.0.4, as a scraper reads it. */
function parseExposition(text: string): Scrape {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      (meta[1] === 'HELP' ? help : type).set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[k!] = v!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    if (Number.isNaN(value)) throw new Error(`not a number: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, help, type };
}

async function scrape(): Promise<Scrape> {
  const res = await app.as('viewer')('/metrics');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** The samples of `name` whose labels include `labels`. */
function find(s: Scrape, name: string, labels: Record<string, string> = {}): Sample[] {
  return s.samples.filter(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
}

/** The sum of the matching samples' values, or undefined when there is none. */
function valueOf(s: Scrape, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = find(s, name, labels);
  return found.length === 0 ? undefined : found.reduce((a, x) => a + x.value, 0);
}

const mention = (n: number) => ({
  source: 'pushed',
  externalId: `p-${n}`,
  url: `https://example.com/p/${n}`,
  author: { id: `a-${n}`, name: `Author ${n}` },
  text: `Pushed mention number ${n}`,
  publishedAt: new Date(Date.now() - n * 60_000).toISOString(),
});

const push = async (body: unknown): Promise<{ accepted: number }> => {
  const res = await app.as('manager')('/api/v1/mentions', {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(202);
  return (await res.json()) as { accepted: number };
};

describe('GET /metrics', () => {
  it('is for signed-in callers only', async () => {
    expect((await app.as('anonymous')('/metrics')).status).toBe(401);
  });

  it('shows every queue by state, says the shared part was read, and the process metrics', async () => {
    const s = await scrape();
    expect(valueOf(s, 'maillon_shared_metrics_up')).toBe(1);
    for (const q of app.rt.queues.all) {
      for (const state of ['waiting', 'active', 'delayed', 'failed', 'completed'])
        expect(
          find(s, 'maillon_queue_jobs', { queue: q.name, state }),
          `${q.name} ${state}`,
        ).toHaveLength(1);
    }
    expect(valueOf(s, 'maillon_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Every sample of ours belongs to a family that says what it is.
    for (const { name } of s.samples) {
      const family = s.help.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
      expect(s.help.get(family), `HELP of ${name}`).toBeTruthy();
      expect(s.type.get(family), `TYPE of ${name}`).toBeTruthy();
    }
  });

  it('counts the mentions accepted by source and door, exactly', async () => {
    expect(await push([mention(1), mention(2), mention(3)])).toEqual(
      expect.objectContaining({ accepted: 3 }),
    );
    // Repeats are not counted; a new one is.
    expect(await push([mention(1), mention(2), mention(4)])).toEqual(
      expect.objectContaining({ accepted: 1 }),
    );
    const pushed = await eventually(async () => {
      const v = valueOf(await scrape(), 'maillon_mentions_accepted_total', {
        source: 'pushed',
        door: 'api',
      });
      return v === 4 ? v : undefined;
    });
    expect(pushed).toBe(4);

    // The feed is polled by the other runtime; every poll after the first finds only repeats,
    // so the counter settles on what the store holds from it.
    const mentions = app.rt.mongo.db.collection('mentions');
    const settled = await eventually(
      async () => {
        const stored = await mentions.countDocuments({ source: 'feed' });
        const counted = valueOf(await scrape(), 'maillon_mentions_accepted_total', {
          source: 'feed',
          door: 'poll',
        });
        return stored > 0 && counted === stored ? counted : undefined;
      },
      30_000,
      'the feed counted as stored',
    );
    expect(settled).toBe(20);
  });

  it("counts the broken source's poll errors and failed attempts, and not the good source's", async () => {
    const s = await eventually(
      async () => {
        const x = await scrape();
        return (valueOf(x, 'maillon_poll_errors_total', { source: 'broken' }) ?? 0) >= 2
          ? x
          : undefined;
      },
      30_000,
      'poll errors of the broken source',
    );
    expect(find(s, 'maillon_poll_errors_total', { source: 'broken' })[0]?.labels.kind).toBe('rss');
    expect(valueOf(s, 'maillon_poll_errors_total', { source: 'feed' })).toBeUndefined();
    expect(
      valueOf(s, 'maillon_job_failures_total', { queue: 'poll.rss', name: 'poll' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('times the jobs run by the other runtime in a histogram', async () => {
    const s = await eventually(async () => {
      const x = await scrape();
      return (valueOf(x, 'maillon_job_duration_seconds_count', { queue: 'count' }) ?? 0) > 0
        ? x
        : undefined;
    });
    const labels = { queue: 'poll.rss', name: 'poll', outcome: 'completed' };
    const count = valueOf(s, 'maillon_job_duration_seconds_count', labels) ?? 0;
    expect(count).toBeGreaterThan(0);
    expect(valueOf(s, 'maillon_job_duration_seconds_sum', labels)).toBeGreaterThan(0);
    const buckets = find(s, 'maillon_job_duration_seconds_bucket', labels);
    expect(buckets.at(-1)?.labels.le).toBe('+Inf');
    expect(buckets.at(-1)?.value).toBe(count);
    // Cumulative: never decreasing.
    for (let i = 1; i < buckets.length; i++)
      expect(buckets[i]!.value).toBeGreaterThanOrEqual(buckets[i - 1]!.value);
    expect(s.type.get('maillon_job_duration_seconds')).toBe('histogram');
    // The API's runtime runs no worker: it recorded none of these.
    expect(workers.length).toBeGreaterThan(0);
  });
});
