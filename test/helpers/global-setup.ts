/**
 * Integration tests need Redis and a MongoDB-wire server. Redis must already run (REDIS_URL,
 * default the machine's 127.0.0.1:6379); MongoDB comes from MONGODB_URL or, when unset, from our
 * FerretDB build started here on a free port with a throw-away data folder. Missing
 * infrastructure fails the run loudly: a skipped integration suite would pass silently.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { startMongoDev } from '../../src/devtools/mongo-dev.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A MongoDB URL; tests replace its path with their own database. */
    mongoBaseUrl: string;
    redisUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(
      `integration tests need Redis at ${redisUrl} (set REDIS_URL, or start one: redis-server --daemonize yes --save "" --appendonly no): ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    redis.disconnect();
  }

  let stop = async () => {};
  let mongoBaseUrl = process.env.MONGODB_URL;
  if (!mongoBaseUrl) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'maillon-test-mongo-'));
    const server = await startMongoDev({ dataDir });
    mongoBaseUrl = server.url;
    stop = async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    };
  }
  project.provide('mongoBaseUrl', mongoBaseUrl);
  project.provide('redisUrl', redisUrl);
  return stop;
}
