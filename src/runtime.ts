/**
 * The composition root: builds every dependency from the configuration, and starts the API and
 * the workers on them. Entry points (src/server.ts, workers/*.worker.ts, scripts/start.ts) are
 * thin wrappers around these functions.
 */
import type { Server } from 'node:http';
import { Worker, type Processor } from 'bullmq';
import type { Config } from '../config/index.js';
import { createApp } from './api/app.js';
import { analyzeMention } from './analysis/analyze-mention.js';
import { brandNames } from './analysis/journey.js';
import { createTouchpointLinker } from './analysis/touchpoints.js';
import type { AcceptDeps } from './ingest/accept.js';
import { createCountProcessor } from './jobs/count.js';
import { createDetectProcessor } from './jobs/detect.js';
import { createNotifyProcessor } from './jobs/notify.js';
import { createHealthProcessor } from './jobs/ops-check.js';
import { createPollProcessor } from './jobs/poll.js';
import type { ShutdownStep } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createLeases } from './queue/lease.js';
import { createQueues, QUEUE, type Queues } from './queue/queues.js';
import { watchSchedules } from './queue/schedulers.js';
import { connectRedis, type RedisHandle } from './queue/redis.js';
import { createSourceCatalog, type SourceCatalog } from './ingest/source-catalog.js';
import { createHttpClient, SOURCE_KINDS, type HttpClient } from './sources/index.js';
import { createTokenStore } from './sources/_types.js';
import { createAlertsRepository, type AlertsRepository } from './store/alerts-repository.js';
import { createCountsRepository, type CountsRepository } from './store/counts-repository.js';
import {
  createDeliveriesRepository,
  type DeliveriesRepository,
} from './store/deliveries-repository.js';
import { createMentionsRepository, type MentionsRepository } from './store/mentions-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from './store/mongo.js';
import { createCrosspostsRepository } from './store/crossposts-repository.js';
import { createSecretBox } from './store/sealed.js';
import { createSourcesRepository, type SourcesRepository } from './store/sources-repository.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  redis: RedisHandle;
  mongo: MongoStore;
  queues: Queues;
  mentions: MentionsRepository;
  sources: SourcesRepository;
  alerts: AlertsRepository;
  counts: CountsRepository;
  deliveries: DeliveriesRepository;
  /** What every door (poll, API push, import, demo) needs to accept mentions. */
  acceptDeps: AcceptDeps;
  /** The one HTTP client of the sources (polls, and the API's source tests). */
  http: HttpClient;
  /** Every source, from sources.yaml and from the API. */
  catalog: SourceCatalog;
}

export async function createRuntime(
  config: Config,
  logger = createLogger(config.log),
): Promise<Runtime> {
  const redis = connectRedis(config.redis.url);
  redis.redis.on('error', (err) => logger.error({ err }, 'redis error'));
  const mongo = await connectMongo(config.mongo);
  await ensureIndexes(mongo.db);
  const queues = createQueues(redis.redis, config.redis.prefix, SOURCE_KINDS, {
    retryDelayScale: config.workers.retryDelayScale,
  });
  for (const q of queues.all)
    q.on('error', (err) => logger.error({ err, queue: q.name }, 'queue error'));
  const mentions = createMentionsRepository(mongo.db);
  // The detector re-reads five weeks of days on every run: they stay in memory, packed.
  const counts = createCountsRepository(mongo.db, { cacheBytes: 48 * 2 ** 20 });
  const link = createTouchpointLinker(config.touchpoints).link;
  const brandAliases = brandNames(config.touchpoints.brand);
  const sources = createSourcesRepository(mongo.db);
  const catalog = createSourceCatalog({
    fileSources: config.sources,
    sources,
    envSecrets: config.sourceSecrets,
    ...(config.secretsKey ? { box: createSecretBox(config.secretsKey) } : {}),
  });
  // Per-host politeness shared by every process through Redis, under the installation's prefix.
  const http = createHttpClient({
    ...config.http,
    redis: redis.redis,
    prefix: config.redis.prefix,
  });
  return {
    http,
    catalog,
    config,
    logger,
    redis,
    mongo,
    queues,
    mentions,
    sources,
    alerts: createAlertsRepository(mongo.db),
    counts,
    deliveries: createDeliveriesRepository(mongo.db),
    acceptDeps: {
      mentions,
      counts,
      crossposts: createCrosspostsRepository(mongo.db),
      analyze: (m) => analyzeMention(m, { link, brandAliases, watched: catalog.watches(m.source) }),
      enqueueCount: () => queues.enqueueCount(),
    },
  };
}

/** In order: queues, MongoDB, Redis (workers and the API close before these). */
export function runtimeShutdownSteps(rt: Runtime): ShutdownStep[] {
  return [
    { name: 'queues', run: () => rt.queues.close() },
    { name: 'mongodb', run: () => rt.mongo.close() },
    { name: 'redis', run: () => rt.redis.close() },
  ];
}

export type WorkerKind = 'poll' | 'count' | 'detect' | 'notify';
export const WORKER_KINDS: WorkerKind[] = ['poll', 'count', 'detect', 'notify'];

/**
 * Starts the workers of the given kinds. The poll side also records the configured sources and
 * (re)writes their job schedulers, so starting it is what makes polling happen.
 */
export async function startWorkers(
  rt: Runtime,
  kinds: WorkerKind[] = WORKER_KINDS,
): Promise<Worker[]> {
  const { config, logger, http } = rt;
  const workers: Worker[] = [];
  const start = (
    name: string,
    processor: Processor,
    extra: { limiter?: { max: number; duration: number } } = {},
  ) => {
    const w = new Worker(name, processor, {
      connection: rt.redis.redis,
      prefix: config.redis.prefix,
      concurrency: config.workers.concurrency,
      ...extra,
    });
    w.on('error', (err) => logger.error({ err, queue: name }, 'worker error'));
    w.on('failed', (job, err) =>
      logger.warn(
        { queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message },
        'job failed',
      ),
    );
    workers.push(w);
  };

  // What the health check (poll side) and the digest (notify side) read.
  const opsDeps = {
    alertsConfig: config.alerts,
    catalog: rt.catalog,
    touchpoints: config.touchpoints.touchpoints,
    alerts: rt.alerts,
    deliveries: rt.deliveries,
    sources: rt.sources,
    counts: rt.counts,
    queues: rt.queues,
    logger,
    publicUrl: config.api.publicUrl,
    timeZone: config.touchpoints.brand.timeZone,
  };
  if (kinds.includes('poll')) {
    await rt.catalog.seed();
    await rt.queues.syncSchedules(await rt.catalog.list());
    const poll = createPollProcessor({
      catalog: rt.catalog,
      sources: rt.sources,
      tokens: createTokenStore(),
      ...rt.acceptDeps,
      http,
      logger,
      leases: createLeases(rt.redis.redis, { prefix: config.redis.prefix }),
    });
    // A courtesy cap per source kind; per-site waits (Retry-After) are handled in the processor.
    for (const kind of SOURCE_KINDS) {
      start(QUEUE.poll(kind), poll, { limiter: { max: 10, duration: 1_000 } });
    }
    // Redis may come back empty: the schedulers written above are written again; the watch
    // ends with the poll workers.
    const watch = watchSchedules({
      queues: rt.queues,
      listSources: () => rt.catalog.list(),
      redis: rt.redis.redis,
      logger,
    });
    workers.at(-1)?.once('closing', () => watch.stop());
    // Sources' health is looked at beside the pollers, on its own queue.
    start(QUEUE.health, createHealthProcessor(opsDeps));
  }
  if (kinds.includes('count')) {
    // One drain at a time is also what the count job's deduplication guarantees.
    start(QUEUE.count, createCountProcessor({ counts: rt.counts, queues: rt.queues, logger }));
  }
  if (kinds.includes('detect')) {
    start(
      QUEUE.detect,
      createDetectProcessor({
        touchpoints: config.touchpoints.touchpoints,
        params: config.detection,
        counts: rt.counts,
        mentions: rt.mentions,
        alerts: rt.alerts,
        queues: rt.queues,
        logger,
      }),
    );
  }
  if (kinds.includes('notify')) {
    start(
      QUEUE.notify,
      createNotifyProcessor({
        ...opsDeps,
        timeoutMs: config.http.timeoutMs,
        // Webhook and Slack receivers pass the sources' SSRF guard, with the same allow-list.
        ...(config.http.allowHosts ? { allowHosts: config.http.allowHosts } : {}),
      }),
    );
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ workers: workers.map((w) => w.name) }, 'workers started');
  return workers;
}

export function workerShutdownSteps(workers: Worker[]): ShutdownStep[] {
  // close() lets in-flight jobs finish before it resolves.
  return [{ name: 'workers', run: () => Promise.all(workers.map((w) => w.close())) }];
}

/** Starts the API; resolves once it listens (port 0 picks a free port). */
export async function startApi(
  rt: Runtime,
): Promise<{ server: Server; url: string; steps: ShutdownStep[] }> {
  const app = createApp({
    settings: {
      nodeEnv: rt.config.nodeEnv,
      bodyLimit: rt.config.api.bodyLimit,
      maxBatch: rt.config.api.maxBatch,
      timeZone: rt.config.touchpoints.brand.timeZone,
      touchpoints: rt.config.touchpoints.touchpoints,
    },
    logger: rt.logger,
    mentions: rt.mentions,
    alerts: rt.alerts,
    sources: rt.sources,
    deliveries: rt.deliveries,
    counts: rt.counts,
    queues: rt.queues,
    acceptDeps: rt.acceptDeps,
    catalog: rt.catalog,
    http: rt.http,
    checks: { redis: () => rt.redis.ping(), mongodb: () => rt.mongo.ping() },
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(rt.config.api.port, rt.config.api.host, (err?: Error) =>
      err ? reject(err) : resolve(s),
    );
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : rt.config.api.port;
  const url = `http://${rt.config.api.host}:${port}`;
  rt.logger.info({ url }, 'api listening');
  return {
    server,
    url,
    steps: [
      { name: 'api', run: () => new Promise<void>((resolve) => server.close(() => resolve())) },
    ],
  };
}
