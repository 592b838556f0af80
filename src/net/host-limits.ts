/**
 * Per-host politeness shared by every worker process: at most `limit` requests to one host in
 * any `windowMs` (a sliding window: a sorted set of request times in Redis) and at most
 * `concurrency` in flight (a semaphore: a sorted set of holders scored by their expiry, so that
 * a crashed process frees its slot when its requests would have timed out anyway). Both are taken
 * together in one Lua script, so that two processes never both take the last slot.
 *
 * When the budget is spent, a short wait is waited (up to `maxWaitMs`); a longer one is a
 * `HostBusyError` carrying how long to wait, which the HTTP client turns into a 429 of that
 * source alone, so that the poll job backs off that source and no other.
 *
 * Without Redis the same rules hold in this process only.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Redis } from 'ioredis';

/**
 * How a source kind treats one host (the adapters' `Politeness`, src/sources/_types.ts, has this
 * shape).
 */
export interface HostPolicy {
  perMinute: number;
  concurrency: number;
  /** Whether robots.txt governs the requests (see ./robots.ts). */
  robots: boolean;
}

/** One host's budget: `limit` requests in any `windowMs`, `concurrency` at once. */
export interface HostBudget {
  limit: number;
  windowMs: number;
  concurrency: number;
}

/** The budget of a policy, lowered to honour a robots.txt Crawl-delay. */
export function budgetOf(policy: HostPolicy, crawlDelayMs?: number): HostBudget {
  const base = {
    limit: Math.max(1, policy.perMinute),
    windowMs: 60_000,
    concurrency: Math.max(1, policy.concurrency),
  };
  if (!crawlDelayMs || crawlDelayMs <= 0) return base;
  // A delay past an hour is not a crawl delay but a wish not to be read: robots.txt says that
  // with Disallow. An hour is the most we wait.
  const delayMs = Math.min(crawlDelayMs, MAX_WINDOW_MS);
  const perMinute = Math.floor(60_000 / delayMs);
  if (perMinute >= 1) return { ...base, limit: Math.min(base.limit, perMinute) };
  return { ...base, limit: 1, windowMs: delayMs };
}

/** The longest window kept in the rate set. */
const MAX_WINDOW_MS = 3_600_000;
/** How often a request waiting for a concurrency slot looks again. */
const SLOT_POLL_MS = 100;

/** The budget of a host is spent for longer than we wait. */
export class HostBusyError extends Error {
  readonly retryAfterMs: number;
  constructor(message: string, retryAfterMs: number) {
    super(message);
    this.name = 'HostBusyError';
    this.retryAfterMs = retryAfterMs;
  }
}

export interface HostLimitsOptions {
  /** Shares the limits between processes; without it they hold in this process. */
  redis?: Redis;
  /** The installation's key prefix (QUEUE_PREFIX): two installations keep two budgets. */
  prefix?: string;
  /**
   * How long a slot is held at most when its holder never gives it back (a crashed process):
   * longer than any request lasts.
   */
  slotTtlMs: number;
  /** The longest wait for a budget before giving up with `HostBusyError`. */
  maxWaitMs: number;
  now?: () => number;
  /** Waits `ms`; rejects when `signal` aborts. Tests skip the wait. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface HostLimits {
  /**
   * Takes a slot of `host`'s budget, waiting briefly if need be; resolves to its release (which
   * never rejects). Throws `HostBusyError` when the wait would be long.
   */
  acquire(host: string, budget: HostBudget, signal: AbortSignal): Promise<() => Promise<void>>;
}

type Attempt = { ok: true } | { ok: false; why: 'rate' | 'concurrency'; waitMs: number };

interface LimitStore {
  tryAcquire(
    host: string,
    budget: HostBudget,
    token: string,
    now: number,
    ttlMs: number,
  ): Promise<Attempt>;
  release(host: string, token: string): Promise<void>;
}

/**
 * KEYS: rate set, slot set. ARGV: now, window, limit, concurrency, slot TTL, token, longest
 * window. Returns {0, 0} when taken, {1, wait} when the rate is spent, {2, wait} when every slot
 * is held (wait: until the earliest holder expires at the latest).
 */
const ACQUIRE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local concurrency = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local token = ARGV[6]
local longest = tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - longest)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local since = '(' .. (now - window)
if redis.call('ZCOUNT', KEYS[1], since, '+inf') >= limit then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], since, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {1, tonumber(oldest[2]) + window - now}
end
if redis.call('ZCARD', KEYS[2]) >= concurrency then
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  return {2, tonumber(first[2]) - now}
end
redis.call('ZADD', KEYS[1], now, token)
if redis.call('PTTL', KEYS[1]) < window then redis.call('PEXPIRE', KEYS[1], window) end
redis.call('ZADD', KEYS[2], now + ttl, token)
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
return {0, 0}
`;

function redisStore(redis: Redis, prefix: string): LimitStore {
  // The hash tag keeps both keys of a host in one Redis Cluster slot, as Lua needs.
  const keys = (host: string) => [`${prefix}:net:{${host}}:rate`, `${prefix}:net:{${host}}:slots`];
  return {
    async tryAcquire(host, budget, token, now, ttlMs) {
      const [rate, slots] = keys(host);
      const reply = (await redis.eval(
        ACQUIRE,
        2,
        rate as string,
        slots as string,
        now,
        budget.windowMs,
        budget.limit,
        budget.concurrency,
        ttlMs,
        token,
        MAX_WINDOW_MS,
      )) as [number, number];
      const [code, waitMs] = reply;
      if (code === 0) return { ok: true };
      return { ok: false, why: code === 1 ? 'rate' : 'concurrency', waitMs: Math.max(1, waitMs) };
    },
    async release(host, token) {
      await redis.zrem(keys(host)[1] as string, token);
    },
  };
}

function memoryStore(): LimitStore {
  const hosts = new Map<string, { hits: number[]; slots: Map<string, number> }>();
  return {
    async tryAcquire(host, budget, token, now, ttlMs) {
      let h = hosts.get(host);
      if (!h) hosts.set(host, (h = { hits: [], slots: new Map() }));
      h.hits = h.hits.filter((t) => t > now - MAX_WINDOW_MS);
      for (const [t, until] of h.slots) if (until <= now) h.slots.delete(t);
      const recent = h.hits.filter((t) => t > now - budget.windowMs);
      if (recent.length >= budget.limit)
        return {
          ok: false,
          why: 'rate',
          waitMs: Math.max(1, Math.min(...recent) + budget.windowMs - now),
        };
      if (h.slots.size >= budget.concurrency)
        return {
          ok: false,
          why: 'concurrency',
          waitMs: Math.max(1, Math.min(...h.slots.values()) - now),
        };
      h.hits.push(now);
      h.slots.set(token, now + ttlMs);
      return { ok: true };
    },
    async release(host, token) {
      hosts.get(host)?.slots.delete(token);
    },
  };
}

export function createHostLimits(opts: HostLimitsOptions): HostLimits {
  const store = opts.redis ? redisStore(opts.redis, opts.prefix ?? 'maillon') : memoryStore();
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms, signal) => delay(ms, undefined, { signal }));

  return {
    async acquire(host, budget, signal) {
      const token = randomUUID();
      const started = now();
      for (;;) {
        signal.throwIfAborted();
        const t = now();
        const attempt = await store.tryAcquire(host, budget, token, t, opts.slotTtlMs);
        if (attempt.ok) {
          let released = false;
          return async () => {
            if (released) return;
            released = true;
            // A slot left behind expires with its TTL.
            await store.release(host, token).catch(() => undefined);
          };
        }
        // A slot may free up any moment: look again soon; a spent rate frees up at a known time.
        const wait =
          attempt.why === 'rate' ? attempt.waitMs : Math.min(attempt.waitMs, SLOT_POLL_MS);
        if (t + wait - started > opts.maxWaitMs) {
          const secs = Math.ceil(attempt.waitMs / 1000);
          throw new HostBusyError(
            attempt.why === 'rate'
              ? `${host}: ${budget.limit} requests in ${Math.round(budget.windowMs / 1000)} s already sent, the most Maillon sends it; next in ${secs} s`
              : `${host}: ${budget.concurrency} request(s) already in flight, the most Maillon sends it at once`,
            Math.max(1000, attempt.waitMs),
          );
        }
        await sleep(wait, signal);
      }
    },
  };
}

/**
 * Removes an installation's host budgets from Redis (the demo, which removes everything it
 * created when it stops; otherwise they expire with their window).
 */
export async function clearHostLimits(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:net:*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
