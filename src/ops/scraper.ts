/**
 * The read side of the metrics, in the API process: what `/metrics` answers Prometheus. It holds
 * the API's own metrics (request durations, the process's default metrics) and, at each scrape,
 * reads the counters the workers and doors share through Redis (./metrics.ts) and each queue's
 * job counts from BullMQ, so that one scrape of one API shows the whole system, however many
 * workers run.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { collectDefaultMetrics, Histogram, Registry, type Metric } from 'prom-client';
import type { Logger } from '../logger.js';
import {
  API_METRICS,
  DEFAULT_METRICS_PREFIX,
  HTTP_DURATION_BUCKETS,
  labelField,
  metricKey,
  parseLabelField,
  SHARED_METRICS,
  type SharedMetric,
} from './metrics.js';

export interface MetricsScraper {
  /** `text/plain; version=0.0.4; charset=utf-8`: Prometheus's text format. */
  readonly contentType: string;
  /** Everything, in Prometheus's text format; concurrent scrapes share one read. */
  render(): Promise<string>;
  /** One API request, by its route pattern (never its raw path: ids would explode the series). */
  observeRequest(r: { method: string; route: string; status: number; seconds: number }): void;
}

export interface ScraperOptions {
  /** A connection that fails fast (the recorder's, see `metricsConnection`). */
  redis: Redis;
  prefix: string;
  /** Every queue of the pipeline (`Queues.all`). */
  queues: readonly Queue[];
  logger: Logger;
  /** How long a scrape waits for Redis before answering without the shared part. @default 2000 */
  timeoutMs?: number;
  /** The process's default metrics (CPU, memory, event loop...). @default true */
  defaultMetrics?: boolean;
}

interface Sample {
  metricName?: string;
  labels: Record<string, string>;
  value: number;
}

/** What one scrape read from Redis and BullMQ. */
interface Snapshot {
  shared: Map<string, Sample[]>;
  queueJobs: Sample[];
}

const EMPTY: Snapshot = { shared: new Map(), queueJobs: [] };

export function createMetricsScraper(opts: ScraperOptions): MetricsScraper {
  const { redis, prefix, queues, logger } = opts;
  const timeoutMs = opts.timeoutMs ?? 2_000;
  const registry = new Registry();
  if (opts.defaultMetrics ?? true)
    collectDefaultMetrics({ register: registry, prefix: DEFAULT_METRICS_PREFIX });
  const http = new Histogram({
    ...API_METRICS.httpDuration,
    labelNames: ['method', 'route', 'status'],
    buckets: [...HTTP_DURATION_BUCKETS],
    registers: [registry],
  });

  let snapshot: Snapshot = EMPTY;
  let sharedUp = 0;
  /**
   * A metric whose values are this scrape's snapshot. prom-client's registry asks a metric only
   * for its name and `get()`; its own metric classes cannot be set from outside (a histogram
   * only observes), hence this plain object.
   */
  const collected = (
    name: string,
    help: string,
    type: 'counter' | 'gauge' | 'histogram',
    values: () => Sample[],
  ) => {
    const metric = {
      name,
      help,
      type,
      aggregator: 'sum',
      get: () => Promise.resolve({ name, help, type, aggregator: 'sum', values: values() }),
      reset: () => {},
    };
    // NOTE: cast: `Metric` is the union of prom-client's classes; the registry reads the members above.
    registry.registerMetric(metric as unknown as Metric);
  };
  for (const def of Object.values(SHARED_METRICS))
    collected(def.name, def.help, def.type, () => snapshot.shared.get(def.name) ?? []);
  collected(
    API_METRICS.queueJobs.name,
    API_METRICS.queueJobs.help,
    'gauge',
    () => snapshot.queueJobs,
  );
  collected(API_METRICS.sharedUp.name, API_METRICS.sharedUp.help, 'gauge', () => [
    { labels: {}, value: sharedUp },
  ]);

  const defs: SharedMetric[] = Object.values(SHARED_METRICS);

  const read = async (): Promise<Snapshot> => {
    // The queues' connection waits for Redis to come back; this one says at once that it is away.
    if (redis.status !== 'ready') throw new Error(`metrics: redis connection ${redis.status}`);
    const p = redis.pipeline();
    for (const def of defs) {
      if (def.type === 'counter') p.hgetall(metricKey(prefix, def.name));
      else {
        p.hgetall(metricKey(prefix, def.name, 'buckets'));
        p.hgetall(metricKey(prefix, def.name, 'sum'));
      }
    }
    const [results, counts] = await Promise.all([
      p.exec(),
      Promise.all(queues.map(async (q) => ({ queue: q.name, counts: await q.getJobCounts() }))),
    ]);
    const hashes = (results ?? []).map(([err, v]) => {
      if (err) throw err;
      return v as Record<string, string>;
    });
    const shared = new Map<string, Sample[]>();
    let i = 0;
    for (const def of defs) {
      if (def.type === 'counter') shared.set(def.name, counterSamples(def, hashes[i++] ?? {}));
      else {
        const buckets = hashes[i++] ?? {};
        const sums = hashes[i++] ?? {};
        shared.set(def.name, histogramSamples(def, buckets, sums));
      }
    }
    const queueJobs = counts.flatMap(({ queue, counts: c }) =>
      Object.entries(c).map(([state, value]) => ({ labels: { queue, state }, value })),
    );
    return { shared, queueJobs };
  };

  const withTimeout = <T>(p: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`metrics: Redis did not answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  };

  let inflight: Promise<string> | undefined;
  const scrape = async (): Promise<string> => {
    try {
      snapshot = await withTimeout(read());
      sharedUp = 1;
    } catch (err) {
      // Still answer: the API's own metrics say something, and `shared_metrics_up 0` says why
      // the rest is missing.
      logger.warn({ err }, 'metrics: shared counters and queue depths unreadable for this scrape');
      snapshot = EMPTY;
      sharedUp = 0;
    }
    return registry.metrics();
  };

  return {
    contentType: registry.contentType,
    render: () => (inflight ??= scrape().finally(() => (inflight = undefined))),
    observeRequest({ method, route, status, seconds }) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
  };
}

function counterSamples(def: SharedMetric, hash: Record<string, string>): Sample[] {
  const out: Sample[] = [];
  for (const [field, raw] of Object.entries(hash)) {
    const values = parseLabelField(field, def.labels.length);
    const value = Number(raw);
    if (!values || !Number.isFinite(value)) continue;
    out.push({ labels: labelsOf(def.labels, values), value });
  }
  return out;
}

/** Per label set: cumulative `_bucket`s over the definition's bounds, `_sum` and `_count`. */
function histogramSamples(
  def: SharedMetric,
  bucketHash: Record<string, string>,
  sumHash: Record<string, string>,
): Sample[] {
  const bounds = [...(def.buckets ?? []).map(String), '+Inf'];
  const n = def.labels.length;
  const bySet = new Map<string, { labels: string[]; counts: Map<string, number> }>();
  for (const [field, raw] of Object.entries(bucketHash)) {
    const values = parseLabelField(field, n + 1);
    const count = Number(raw);
    if (!values || !Number.isFinite(count)) continue;
    const labels = values.slice(0, n);
    const le = values[n]!;
    const key = labelField(labels);
    let set = bySet.get(key);
    if (!set) bySet.set(key, (set = { labels, counts: new Map() }));
    set.counts.set(le, (set.counts.get(le) ?? 0) + count);
  }
  const out: Sample[] = [];
  for (const [key, { labels, counts }] of bySet) {
    const base = labelsOf(def.labels, labels);
    let cumulative = 0;
    for (const le of bounds) {
      cumulative += counts.get(le) ?? 0;
      out.push({ metricName: `${def.name}_bucket`, labels: { ...base, le }, value: cumulative });
    }
    out.push({ metricName: `${def.name}_sum`, labels: base, value: Number(sumHash[key] ?? 0) });
    out.push({ metricName: `${def.name}_count`, labels: base, value: cumulative });
  }
  return out;
}

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
}
