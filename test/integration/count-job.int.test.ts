/**
 * The count job on the real MongoDB-wire server, without queues, on a clock of the test's own:
 * after a slow drain that emptied the inbox it waits as long again before the next one (at most
 * 5 s), so that what arrives meanwhile is drained in one batch; after a quick drain it goes on at
 * once; and everything staged is counted once either way.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCountProcessor } from '../../src/jobs/count.js';
import { createLogger } from '../../src/logger.js';
import { type Contribution, type CountsRepository } from '../../src/store/counts-repository.js';
import type { MongoStore } from '../../src/store/mongo.js';
import { dropStore, openCountsStore } from '../helpers/counts-store.js';

let mongo: MongoStore;
let counts: CountsRepository;

beforeAll(async () => {
  ({ mongo, counts } = await openCountsStore());
});
afterAll(() => dropStore(mongo));

let n = 0;
const mentions = (k: number): Contribution[] =>
  Array.from({ length: k }, () => ({
    mentionId: `cj-${n++}`,
    publishedAt: new Date(Date.UTC(2026, 2, 2, 9) + n * 1_000),
    source: 'reviews',
    author: `a${n}`,
    reach: 1,
    shares: 0,
    relevant: true,
    overall: 'negative',
    touchpoints: [{ id: 'delivery', stage: 'receive', label: 'negative' }],
  }));

/**
 * The job with drains that take `cost` ms of the test's clock each, and a wait that lets the
 * `arriving` batches land (one per wait) while it lasts.
 */
function job(cost: number, arriving: number[]) {
  let t = 0;
  const drained: number[] = [];
  const waits: number[] = [];
  const processor = createCountProcessor({
    counts: {
      drain: async (limit) => {
        const r = await counts.drain(limit);
        t += cost;
        drained.push(r.counted);
        return r;
      },
    },
    queues: { enqueueCount: async () => {}, enqueueDetect: async () => {} },
    logger: createLogger({ level: 'silent', format: 'json' }),
    batch: 1_000,
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
      const k = arriving.shift();
      if (k) await counts.stage(mentions(k));
    },
  });
  const run = () => processor({ name: 'count', data: {} } as Job);
  return { run, drained, waits };
}

describe('the count job', () => {
  it('waits after a slow drain, so that what arrives meanwhile is drained at once', async () => {
    await counts.stage(mentions(300));
    const { run, drained, waits } = job(800, [120, 80]);
    expect(await run()).toEqual({ counted: 500, touchpoints: 1 });
    expect(drained).toEqual([300, 120, 80, 0]);
    expect(waits).toEqual([800, 800, 800]);
    expect(await counts.pending()).toBe(0);
  });

  it('never waits more than 5 s, nor after a full batch', async () => {
    // Two door batches: a drain takes whole ones, up to the job's 1,000.
    await counts.stage(mentions(1_000));
    await counts.stage(mentions(500));
    const { run, drained, waits } = job(6_000, []);
    expect(await run()).toMatchObject({ counted: 1_500 });
    // The first drain took a full batch: more was waiting, so no pause before the second.
    expect(drained).toEqual([1_000, 500, 0]);
    expect(waits).toEqual([5_000]);
  });

  it('goes on at once after a quick drain (live mentions, alerts)', async () => {
    await counts.stage(mentions(40));
    const { run, drained, waits } = job(30, []);
    expect(await run()).toMatchObject({ counted: 40 });
    expect(drained).toEqual([40, 0]);
    expect(waits).toEqual([]);
  });
});
