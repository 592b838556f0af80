/**
 * Keeps the job schedulers in place. They live in Redis only: a Redis that restarts empty (or is
 * flushed) takes them away, and polling, the count sweep, the detection tick and the
 * operational check would stop until Maillon restarted. The process that writes them at start
 * (the poll side, see `startWorkers`) looks again on every reconnection and periodically, and
 * writes them again when one is missing.
 */
import type { Redis } from 'ioredis';
import type { SourceConfig } from '../sources/index.js';
import type { Logger } from '../logger.js';
import type { Queues } from './queues.js';

/** How often the schedulers are looked at between reconnections (a FLUSHALL emits nothing). */
export const SCHEDULES_CHECK_EVERY_MS = 30_000;

export interface ScheduleWatch {
  /** Looks once, re-creates what is missing; resolves to the names that were missing. */
  check(): Promise<string[]>;
  /** Safe to call twice. */
  stop(): void;
}

/**
 * Each scheduler `syncSchedules` writes, by queue: one per enabled source, and the four periodic
 * tasks. Kept beside it by a test that compares both.
 */
export function expectedSchedulers(
  queues: Queues,
  sources: Pick<SourceConfig, 'id' | 'kind' | 'enabled'>[],
): { queue: Queues['count']; id: string }[] {
  return [
    ...sources
      .filter((s) => s.enabled)
      .map((s) => ({ queue: queues.pollQueue(s.kind), id: `poll-${s.id}` })),
    { queue: queues.count, id: 'sweep' },
    { queue: queues.detect, id: 'tick' },
    { queue: queues.notify, id: 'digest' },
    { queue: queues.health, id: 'check' },
  ];
}

export function watchSchedules(opts: {
  queues: Queues;
  /** Every source (sources.yaml's and the API's), read at each look. */
  listSources: () => Promise<SourceConfig[]>;
  /** The connection whose 'ready' (after a reconnection) triggers a look. */
  redis: Redis;
  logger: Logger;
  /** @default SCHEDULES_CHECK_EVERY_MS */
  everyMs?: number;
}): ScheduleWatch {
  const { queues, logger } = opts;
  let running: Promise<string[]> | undefined;
  let stopped = false;

  const look = async (): Promise<string[]> => {
    const sources = await opts.listSources();
    const expected = expectedSchedulers(queues, sources);
    const found = await Promise.all(expected.map((s) => s.queue.getJobScheduler(s.id)));
    const missing = expected.filter((_, i) => !found[i]).map((s) => `${s.queue.name}/${s.id}`);
    if (missing.length > 0 && !stopped) {
      await queues.syncSchedules(sources);
      logger.warn({ missing }, 'job schedulers were missing (Redis lost its data?): re-created');
    }
    return missing;
  };
  // One look at a time; a look asked for during one shares it.
  const check = () =>
    (running ??= look().finally(() => {
      running = undefined;
    }));
  const lookQuietly = () => {
    if (stopped) return;
    check().catch((err: unknown) => logger.warn({ err }, 'job schedulers: check failed'));
  };

  const timer = setInterval(lookQuietly, opts.everyMs ?? SCHEDULES_CHECK_EVERY_MS);
  timer.unref();
  opts.redis.on('ready', lookQuietly);
  return {
    check,
    stop() {
      stopped = true;
      clearInterval(timer);
      opts.redis.off('ready', lookQuietly);
    },
  };
}
