/** Environment for one test file: its own database and its own BullMQ prefix. */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  const id = randomUUID().replace(/-/g, '').slice(0, 12);
  const mongo = new URL(inject('mongoBaseUrl'));
  mongo.pathname = `/maillon_test_${id}`;
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PORT: '0',
    MONGODB_URL: mongo.toString(),
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `test-${id}`,
    // Retries back off in tens of milliseconds: tests wait for the retry, not for the clock.
    RETRY_DELAY_SCALE: '0.01',
    // The fake sites and receivers are local servers: the SSRF guard lets 127.0.0.1 through
    // (and only it: not localhost, not [::1]).
    HTTP_ALLOW_HOSTS: '127.0.0.1',
    ...overrides,
  };
}
