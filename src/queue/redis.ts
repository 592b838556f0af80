/** The Redis connection BullMQ shares (workers duplicate it for their blocking reads). */
import { Redis } from 'ioredis';

export interface RedisHandle {
  redis: Redis;
  /** Safe to call twice. */
  close(): Promise<void>;
}

export function connectRedis(url: string): RedisHandle {
  // BullMQ workers need maxRetriesPerRequest: null, or a blocking read fails on reconnect.
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  let closing: Promise<void> | undefined;
  return {
    redis,
    close: () =>
      (closing ??= redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      )),
  };
}
