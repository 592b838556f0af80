/**
 * The composition root: builds every dependency from the configuration, and starts the API and
 * the workers on them. Entry points (src/server.ts, workers/*.worker.ts, scripts/start.ts) are
 * thin wrappers around these functions.
 */
import type { Server } from 'node:http';
import { Worker, type Processor } from 'bullmq';
import type { Config } from '../config/index.js';
import { createAuthenticator } from './access/authenticate.js';
import { createApp } from './api/app.js';
import { createBullBoardRouter } from './api/bull-board.js';
import { analyzeMention } from './analysis/analyze-mention.js';
import { competitorNames, watchedBrands } from './analysis/brand.js';
import { brandNames } from './analysis/journey.js';
import type { AcceptDeps } from './ingest/accept.js';
import { createCountProcessor } from './jobs/count.js';
import { createDetectProcessor } from './jobs/detect.js';
import { createNotifyProcessor } from './jobs/notify.js';
import { createHealthProcessor } from './jobs/ops-check.js';
import { createPollProcessor } from './jobs/poll.js';
import type { ShutdownStep } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createMetricsRecorder, metricsConnection, type MetricsRecorder } from './ops/recorder.js';
import { createMetricsScraper } from './ops/scraper.js';
import { instrumentWorker } from './ops/workers.js';
import { createLeases } from './queue/lease.js';
import { createQueues, QUEUE, type Queues } from './queue/queues.js';
import { watchSchedules } from './queue/schedulers.js';
import { connectRedis, type RedisHandle } from './queue/redis.js';
import { createSourceCatalog, type SourceCatalog } from './ingest/source-catalog.js';
import { createHttpClient, SOURCE_KINDS, type HttpClient } from './sources/index.js';
import { createTokenStore } from './sources/_types.js';
import { createAccessRepository, type AccessRepository } from './store/access-repository.js';
import {
  createCorrectionsRepository,
  type CorrectionsRepository,
} from './store/corrections-repository.js';
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
import { createSettingsRepository, type SettingsRepository } from './store/settings-repository.js';
import { createChannelCatalog, type ChannelCatalog } from './settings/channel-catalog.js';
import { createJourneyProvider, type JourneyProvider } from './settings/journey-provider.js';
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
  /** Counters every process shares through Redis, for `/metrics` (src/ops/). */
  metrics: MetricsRecorder;
  /** Users, API keys and dashboard sessions. */
  access: AccessRepository;
  corrections: CorrectionsRepository;
  /** Channels, routes and touchpoints changed through the API (the `settings` collection). */
  settings: SettingsRepository;
  /** Channels and routes: alerts.yaml's and the API's. */
  channels: ChannelCatalog;
  /** The journey in force: touchpoints.yaml's with the API's changes, re-read every few seconds. */
  journey: JourneyProvider;
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
  // On a connection of its own that gives up quickly: counting never holds a job up.
  const metrics = createMetricsRecorder({
    redis: metricsConnection(redis.redis),
    prefix: config.redis.prefix,
    logger,
  });
  const mentions = createMentionsRepository(mongo.db);
  // The detector re-reads five weeks of days on every run: they stay in memory, packed.
  const counts = createCountsRepository(mongo.db, { cacheBytes: 48 * 2 ** 20 });
  const settings = createSettingsRepository(mongo.db);
  const box = config.secretsKey ? createSecretBox(config.secretsKey) : undefined;
  // Every process reads mentions with the journey in force (the API may change it): one `_id`
  // lookup every few seconds, the linker rebuilt when it moved.
  const journey = createJourneyProvider({
    file: config.touchpoints,
    settings,
    logger,
    maxAgeMs: config.settingsRefreshMs,
  });
  await journey.refresh();
  const channels = createChannelCatalog({
    alerts: config.alerts,
    routesDeclared: config.alertRoutesDeclared,
    settings,
    ...(box ? { box } : {}),
  });
  const brandAliases = brandNames(config.touchpoints.brand);
  const competitors = competitorNames(config.touchpoints.brand);
  const sources = createSourcesRepository(mongo.db);
  const catalog = createSourceCatalog({
    fileSources: config.sources,
    sources,
    envSecrets: config.sourceSecrets,
    ...(box ? { box } : {}),
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
    access: createAccessRepository(mongo.db),
    corrections: createCorrectionsRepository(mongo.db),
    settings,
    channels,
    journey,
    counts,
    deliveries: createDeliveriesRepository(mongo.db),
    metrics,
    acceptDeps: {
      metrics,
      mentions,
      counts,
      crossposts: createCrosspostsRepository(mongo.db),
      analyze: (m) =>
        analyzeMention(m, {
          link: journey.link,
          brandAliases,
          competitors,
          watched: catalog.watches(m.source),
        }),
      enqueueCount: () => queues.enqueueCount(),
    },
  };
}

/** In order: queues, MongoDB, Redis (workers and the API close before these). */
export function runtimeShutdownSteps(rt: Runtime): ShutdownStep[] {
  return [
    { name: 'queues', run: () => rt.queues.close() },
    { name: 'mongodb', run: () => rt.mongo.close() },
    { name: 'metrics', run: () => rt.metrics.close() },
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
    instrumentWorker(w, rt.metrics);
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
    metrics: rt.metrics,
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
        touchpoints: () => rt.journey.touchpoints(),
        params: config.detection,
        counts: rt.counts,
        mentions: rt.mentions,
        alerts: rt.alerts,
        queues: rt.queues,
        logger,
        metrics: rt.metrics,
      }),
    );
  }
  if (kinds.includes('notify')) {
    start(
      QUEUE.notify,
      createNotifyProcessor({
        ...opsDeps,
        timeoutMs: config.http.timeoutMs,
        channels: rt.channels,
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
  const app = createApp(
    {
      settings: {
        nodeEnv: rt.config.nodeEnv,
        bodyLimit: rt.config.api.bodyLimit,
        maxBatch: rt.config.api.maxBatch,
        timeZone: rt.config.touchpoints.brand.timeZone,
        // The journey in force (touchpoints changed through the API included), read per request.
        get touchpoints() {
          return rt.journey.touchpoints();
        },
        brands: watchedBrands(rt.config.touchpoints.brand),
        corsOrigins: rt.config.api.corsOrigins,
        rateLimitPerMinute: rt.config.api.rateLimitPerMinute,
        signInPerMinute: rt.config.api.signInPerMinute,
        trustProxy: rt.config.api.trustProxy,
      },
      logger: rt.logger,
      access: rt.access,
      corrections: rt.corrections,
      auth: createAuthenticator({
        access: rt.access,
        now: () => new Date(),
        sessionTtlMs: rt.config.api.sessionTtlMs,
      }),
      mentions: rt.mentions,
      alerts: rt.alerts,
      sources: rt.sources,
      deliveries: rt.deliveries,
      counts: rt.counts,
      queues: rt.queues,
      acceptDeps: rt.acceptDeps,
      catalog: rt.catalog,
      channels: rt.channels,
      journey: rt.journey,
      settingsStore: rt.settings,
      notifier: {
        logger: rt.logger,
        publicUrl: rt.config.api.publicUrl,
        timeoutMs: rt.config.http.timeoutMs,
        now: () => new Date(),
        timeZone: rt.config.touchpoints.brand.timeZone,
        ...(rt.config.http.allowHosts ? { allowHosts: rt.config.http.allowHosts } : {}),
      },
      http: rt.http,
      checks: { redis: () => rt.redis.ping(), mongodb: () => rt.mongo.ping() },
      metrics: createMetricsScraper({
        redis: rt.metrics.redis,
        prefix: rt.config.redis.prefix,
        queues: rt.queues.all,
        logger: rt.logger,
      }),
    },
    {
      redis: { client: rt.redis.redis, prefix: rt.config.redis.prefix },
      adminQueues: createBullBoardRouter(rt.queues.all, '/admin/queues'),
    },
  );
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
