/** The Redis connection BullMQ shares (workers duplicate it for their blocking reads). */
import { Redis } from 'ioredis';

export interface RedisHandle {
  redis: Redis;
  /**
   * Answers when Redis does; rejects at once while the connection is down, rather than waiting
   * in the offline queue for it to come back (commands wait there: BullMQ needs that).
   */
  ping(): Promise<void>;
  /** Safe to call twice. */
  close(): Promise<void>;
}

export function connectRedis(url: string): RedisHandle {
  // BullMQ workers need maxRetriesPerRequest: null, or a blocking read fails on reconnect.
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  let closing: Promise<void> | undefined;
  return {
    redis,
    ping: async () => {
      if (redis.status !== 'ready') throw new Error(`redis: connection ${redis.status}`);
      await redis.ping();
    },
    close: () =>
      (closing ??= redis.quit().then(
        () => undefined,
        () => redis.disconnect(),
      )),
  };
}

/**
 * Deletes every key matching `pattern` (a SCAN, never KEYS): for a demo's own counters and
 * limits when it stops, under its own prefix only.
 */
export async function deleteKeys(redis: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
