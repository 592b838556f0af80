/**
 * The write side of the shared metrics (./metrics.ts), used by the workers and the doors of any
 * process. Counting must never cost a job anything: a write is one pipeline sent without waiting
 * for it (a batch of mentions is one HINCRBY per source, not one per mention), on a connection
 * of its own that gives up quickly when Redis is away, at most `maxPending` pipelines in flight;
 * what cannot be written is dropped, logged at most once a minute, and counted in
 * `maillon_metrics_writes_dropped_total` once Redis answers again.
 */
import type { ChainableCommander, Redis, RedisOptions } from 'ioredis';
import type { Logger } from '../logger.js';
import {
  bucketOf,
  labelField,
  metricKey,
  SHARED_METRICS,
  type Door,
  type SharedMetric,
} from './metrics.js';

/** What the instrumented code calls; every method returns at once and never throws. */
export interface MetricsRecorder {
  /** Mentions stored for the first time by one batch, per source id (one pipeline a batch). */
  mentionsAccepted(door: Door, bySource: Readonly<Record<string, number>>): void;
  /** One attempt of a job, done or failed; `final`: a failure with no retry to come. */
  jobFinished(job: {
    queue: string;
    name: string;
    outcome: 'completed' | 'failed';
    seconds: number;
    final?: boolean;
  }): void;
  alertOpened(kind: string, severity: string): void;
  /** One failed attempt to deliver; `final`: the delivery is dead. */
  deliveryFailed(channelType: string, final: boolean): void;
  pollFailed(sourceId: string, kind: string): void;
  /** Resolves when the writes sent so far have been answered (or given up on). */
  flush(): Promise<void>;
  /** Flushes, then closes the connection it was given. Safe to call twice. */
  close(): Promise<void>;
  /** The connection it writes on; the API's scraper reads on it too. */
  readonly redis: Redis;
}

/**
 * For the metrics' own connection: a command waits for one reconnection at most, and a second
 * at most for an answer, rather than queueing until Redis comes back as BullMQ's must.
 */
export const METRICS_REDIS_OPTIONS = {
  maxRetriesPerRequest: 1,
  commandTimeout: 1_000,
  connectionName: 'maillon-metrics',
} satisfies RedisOptions;

/** The metrics' own connection, to the same Redis as `base`. */
export function metricsConnection(base: Redis): Redis {
  return base.duplicate(METRICS_REDIS_OPTIONS);
}

/** A no-op recorder: for code run without metrics (tests, one-off scripts). */
export const NO_METRICS: Omit<MetricsRecorder, 'redis'> = {
  mentionsAccepted: () => {},
  jobFinished: () => {},
  alertOpened: () => {},
  deliveryFailed: () => {},
  pollFailed: () => {},
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

export interface RecorderOptions {
  /** Owned from now on: `close()` quits it. See `metricsConnection`. */
  redis: Redis;
  /** The installation's Redis prefix (`config.redis.prefix`), as BullMQ's queues use. */
  prefix: string;
  logger: Logger;
  /** Pipelines in flight beyond which writes are dropped. @default 256 */
  maxPending?: number;
  /** For the log's pace. @default Date.now */
  now?: () => number;
}

/** Losses are logged at most this often. */
const LOG_EVERY_MS = 60_000;

export function createMetricsRecorder(opts: RecorderOptions): MetricsRecorder {
  const { redis, prefix, logger } = opts;
  const maxPending = opts.maxPending ?? 256;
  const now = opts.now ?? Date.now;
  const pending = new Set<Promise<void>>();
  /** Writes lost and not yet counted in Redis. */
  let lost = 0;
  /** Writes lost since the last log line, and when that was. */
  let lostSinceLog = 0;
  let loggedAt = -Infinity;
  let closing: Promise<void> | undefined;
  // The main connection logs Redis going away; this one only says it at debug level.
  redis.on('error', (err) => logger.debug({ err }, 'metrics: redis connection error'));

  const noteLoss = (n: number, err?: unknown) => {
    lost += n;
    lostSinceLog += n;
    if (now() - loggedAt < LOG_EVERY_MS) return;
    loggedAt = now();
    logger.warn(
      { err, lost: lostSinceLog, pending: pending.size },
      'metrics: writes lost (Redis unreachable or slow); counting goes on without them',
    );
    lostSinceLog = 0;
  };

  const hincr = (p: ChainableCommander, def: SharedMetric, labels: readonly string[], by = 1) =>
    p.hincrby(metricKey(prefix, def.name), labelField(labels), by);

  /** Sends one pipeline without waiting for it; never throws. */
  const write = (build: (p: ChainableCommander) => void) => {
    if (closing) return;
    if (pending.size >= maxPending) {
      noteLoss(1);
      return;
    }
    let sent: Promise<void>;
    try {
      const p = redis.pipeline();
      build(p);
      // What was lost before is counted with the first write that goes through.
      const carried = lost;
      if (carried > 0) hincr(p, SHARED_METRICS.writesDropped, [], carried);
      lost = 0;
      sent = p.exec().then(
        (results) => {
          const failed = results?.find(([err]) => err)?.[0];
          if (failed) noteLoss(1 + carried, failed);
        },
        (err: unknown) => noteLoss(1 + carried, err),
      );
    } catch (err) {
      noteLoss(1, err);
      return;
    }
    const tracked = sent.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  const flush = async () => {
    while (pending.size > 0) await Promise.all(pending);
  };

  return {
    redis,
    mentionsAccepted(door, bySource) {
      const entries = Object.entries(bySource).filter(([, n]) => n > 0);
      if (entries.length === 0) return;
      write((p) => {
        for (const [source, n] of entries)
          hincr(p, SHARED_METRICS.mentionsAccepted, [source, door], n);
      });
    },
    jobFinished({ queue, name, outcome, seconds, final }) {
      write((p) => {
        const def = SHARED_METRICS.jobDuration;
        if (Number.isFinite(seconds) && seconds >= 0) {
          const labels = [queue, name, outcome];
          p.hincrby(
            metricKey(prefix, def.name, 'buckets'),
            labelField([...labels, bucketOf(seconds, def.buckets)]),
            1,
          );
          p.hincrbyfloat(metricKey(prefix, def.name, 'sum'), labelField(labels), seconds);
        }
        if (outcome === 'failed')
          hincr(p, SHARED_METRICS.jobFailures, [queue, name, String(final ?? false)]);
      });
    },
    alertOpened(kind, severity) {
      write((p) => hincr(p, SHARED_METRICS.alertsOpened, [kind, severity]));
    },
    deliveryFailed(channelType, final) {
      write((p) => hincr(p, SHARED_METRICS.deliveryFailures, [channelType, String(final)]));
    },
    pollFailed(sourceId, kind) {
      write((p) => hincr(p, SHARED_METRICS.pollErrors, [sourceId, kind]));
    },
    flush,
    close: () =>
      (closing ??= (async () => {
        await flush();
        // Without Redis, a QUIT would wait for it to come back: just drop the connection.
        if (redis.status !== 'ready') redis.disconnect();
        else
          await redis.quit().then(
            () => undefined,
            () => redis.disconnect(),
          );
      })()),
  };
}
