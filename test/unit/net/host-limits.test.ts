/**
 * Per-host budgets in one process (no Redis): the window, the concurrency slots, the short waits
 * waited and the long ones refused, Crawl-delay. A fake clock moves with the fake sleep: no test
 * waits for real time. The same rules through Redis, shared by processes, are in
 * test/integration/net/host-limits.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { budgetOf, createHostLimits, HostBusyError } from '../../../src/net/host-limits.js';

function clock() {
  const c = { t: 1_000_000, slept: [] as number[] };
  return {
    c,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.slept.push(ms);
      c.t += ms;
    },
  };
}
const signal = () => new AbortController().signal;

describe('budgetOf', () => {
  it('is the kind politeness by default', () => {
    expect(budgetOf({ perMinute: 30, concurrency: 2, robots: true })).toEqual({
      limit: 30,
      windowMs: 60_000,
      concurrency: 2,
    });
  });

  it('lowers the rate to a Crawl-delay, never raises it', () => {
    const p = { perMinute: 30, concurrency: 1, robots: true };
    expect(budgetOf(p, 10_000).limit).toBe(6);
    expect(budgetOf({ ...p, perMinute: 2 }, 10_000).limit).toBe(2);
    // Longer than a minute: one per delay.
    expect(budgetOf(p, 120_000)).toMatchObject({ limit: 1, windowMs: 120_000 });
    // At most an hour.
    expect(budgetOf(p, 86_400_000)).toMatchObject({ limit: 1, windowMs: 3_600_000 });
  });
});

describe('createHostLimits in one process', () => {
  const budget = { limit: 2, windowMs: 60_000, concurrency: 5 };

  it('waits a short wait for the window to move on', async () => {
    const { c, now, sleep } = clock();
    const limits = createHostLimits({ slotTtlMs: 10_000, maxWaitMs: 60_000, now, sleep });

    for (let i = 0; i < 3; i++) await (await limits.acquire('site.example', budget, signal()))();

    expect(c.slept).toEqual([60_000]);
  });

  it('refuses a long wait with the time to wait', async () => {
    const { now, sleep } = clock();
    const limits = createHostLimits({ slotTtlMs: 10_000, maxWaitMs: 5_000, now, sleep });
    await limits.acquire('site.example', budget, signal());
    await limits.acquire('site.example', budget, signal());

    const err = await limits.acquire('site.example', budget, signal()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(HostBusyError);
    expect(err).toMatchObject({ retryAfterMs: 60_000 });
    expect((err as Error).message).toBe(
      'site.example: 2 requests in 60 s already sent, the most Maillon sends it; next in 60 s',
    );
  });

  it('keeps one budget per host', async () => {
    const { now, sleep } = clock();
    const limits = createHostLimits({ slotTtlMs: 10_000, maxWaitMs: 0, now, sleep });
    await limits.acquire('a.example', budget, signal());
    await limits.acquire('a.example', budget, signal());

    await expect(limits.acquire('b.example', budget, signal())).resolves.toBeTypeOf('function');
  });

  it('holds concurrency to its slots, and gives a slot back on release', async () => {
    const { c, now, sleep } = clock();
    const one = { limit: 100, windowMs: 60_000, concurrency: 1 };
    const limits = createHostLimits({ slotTtlMs: 30_000, maxWaitMs: 1_000, now, sleep });
    const release = await limits.acquire('site.example', one, signal());

    const busy = await limits.acquire('site.example', one, signal()).catch((e: unknown) => e);
    await release();
    const next = await limits.acquire('site.example', one, signal());

    expect(busy).toBeInstanceOf(HostBusyError);
    expect((busy as Error).message).toContain('1 request(s) already in flight');
    // It looked again every 100 ms for its second.
    expect(c.slept.every((ms) => ms === 100)).toBe(true);
    expect(next).toBeTypeOf('function');
  });

  it('frees the slot of a holder that never gives it back when its time is up', async () => {
    const { c, now, sleep } = clock();
    const one = { limit: 100, windowMs: 60_000, concurrency: 1 };
    const limits = createHostLimits({ slotTtlMs: 30_000, maxWaitMs: 40_000, now, sleep });
    await limits.acquire('site.example', one, signal()); // never released

    await limits.acquire('site.example', one, signal());

    expect(c.t - 1_000_000).toBeGreaterThanOrEqual(30_000);
  });

  it('stops waiting when the signal aborts', async () => {
    const limits = createHostLimits({ slotTtlMs: 30_000, maxWaitMs: 60_000 });
    await limits.acquire('site.example', budget, signal());
    await limits.acquire('site.example', budget, signal());
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 20);

    await expect(limits.acquire('site.example', budget, abort.signal)).rejects.toThrow(/abort/i);
  });
});
