/**
 * Per-host budgets through the real Redis, as the worker processes share them: two clients (two
 * processes) spend one budget, a crashed holder's slot comes back when its time is up. Each test
 * has its own key prefix; a fake clock moves with the fake sleep, so no test waits.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createHostLimits, HostBusyError } from '../../../src/net/host-limits.js';

let redis: Redis;
const prefixes: string[] = [];

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});
afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  await redis.quit();
});

function processes(n: number, opts: { slotTtlMs?: number; maxWaitMs?: number } = {}) {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  prefixes.push(prefix);
  const c = { t: 5_000_000, slept: [] as number[] };
  const make = () =>
    createHostLimits({
      redis,
      prefix,
      slotTtlMs: opts.slotTtlMs ?? 30_000,
      maxWaitMs: opts.maxWaitMs ?? 0,
      now: () => c.t,
      sleep: async (ms) => {
        c.slept.push(ms);
        c.t += ms;
      },
    });
  return { c, prefix, limits: Array.from({ length: n }, make) };
}
const signal = () => new AbortController().signal;

describe('host limits in Redis', () => {
  it('makes two processes share one per-minute budget', async () => {
    const { limits } = processes(2);
    const [a, b] = limits as [
      ReturnType<typeof createHostLimits>,
      ReturnType<typeof createHostLimits>,
    ];
    const budget = { limit: 3, windowMs: 60_000, concurrency: 10 };

    await (
      await a.acquire('site.example', budget, signal())
    )();
    await (
      await b.acquire('site.example', budget, signal())
    )();
    await (
      await a.acquire('site.example', budget, signal())
    )();
    const err = await b.acquire('site.example', budget, signal()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(HostBusyError);
    expect(err).toMatchObject({ retryAfterMs: 60_000 });
    // Another host has its own budget.
    await expect(b.acquire('other.example', budget, signal())).resolves.toBeTypeOf('function');
  });

  it('waits a short wait out, then goes', async () => {
    const { c, limits } = processes(2, { maxWaitMs: 120_000 });
    const [a, b] = limits as [
      ReturnType<typeof createHostLimits>,
      ReturnType<typeof createHostLimits>,
    ];
    const budget = { limit: 1, windowMs: 60_000, concurrency: 10 };

    await a.acquire('site.example', budget, signal());
    await b.acquire('site.example', budget, signal());

    expect(c.slept).toEqual([60_000]);
  });

  it('holds concurrency across processes, and frees a crashed holder slot on expiry', async () => {
    const { c, prefix, limits } = processes(2, { slotTtlMs: 30_000, maxWaitMs: 1_000 });
    const [a, b] = limits as [
      ReturnType<typeof createHostLimits>,
      ReturnType<typeof createHostLimits>,
    ];
    const budget = { limit: 100, windowMs: 60_000, concurrency: 1 };

    // `a` takes the slot and dies without giving it back.
    await a.acquire('site.example', budget, signal());
    const busy = await b.acquire('site.example', budget, signal()).catch((e: unknown) => e);
    c.t += 30_000;
    const after = await b.acquire('site.example', budget, signal());

    expect(busy).toBeInstanceOf(HostBusyError);
    expect(after).toBeTypeOf('function');
    // The keys expire with the slots and the window: nothing stays behind in Redis.
    const ttl = await redis.pttl(`${prefix}:net:{site.example}:slots`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30_000);
  });

  it('gives a released slot back at once', async () => {
    const { limits } = processes(2);
    const [a, b] = limits as [
      ReturnType<typeof createHostLimits>,
      ReturnType<typeof createHostLimits>,
    ];
    const budget = { limit: 100, windowMs: 60_000, concurrency: 1 };

    const release = await a.acquire('site.example', budget, signal());
    await release();

    await expect(b.acquire('site.example', budget, signal())).resolves.toBeTypeOf('function');
  });

  it('keeps two installations apart by their prefix', async () => {
    const one = processes(1).limits[0] as ReturnType<typeof createHostLimits>;
    const two = processes(1).limits[0] as ReturnType<typeof createHostLimits>;
    const budget = { limit: 1, windowMs: 60_000, concurrency: 10 };

    await one.acquire('site.example', budget, signal());

    await expect(two.acquire('site.example', budget, signal())).resolves.toBeTypeOf('function');
  });
});
