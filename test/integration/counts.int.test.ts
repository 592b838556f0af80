/**
 * Bucketed counts on the real MongoDB-wire server: exactly once (the same mention staged twice,
 * by racing writers or after it was counted, counts once; a drainer that dies mid-batch is
 * finished by the next without counting twice), per touchpoint, stage, source and overall, in
 * 15-minute, hourly and daily buckets of event time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import {
  createCountsRepository,
  type Contribution,
  type CountsRepository,
} from '../../src/store/counts-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from '../../src/store/mongo.js';
import { testEnv } from '../helpers/env.js';

let mongo: MongoStore;
let counts: CountsRepository;

beforeAll(async () => {
  mongo = await connectMongo(loadConfig(testEnv()).mongo);
  await ensureIndexes(mongo.db);
  counts = createCountsRepository(mongo.db);
});
afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
});

const c = (id: string, over: Partial<Contribution> = {}): Contribution => ({
  mentionId: id,
  publishedAt: new Date('2026-05-04T10:20:00Z'),
  source: 'reviews',
  author: `author-${id}`,
  reach: 2,
  shares: 1,
  relevant: true,
  overall: 'negative',
  touchpoints: [
    { id: 'delivery', stage: 'receive', label: 'negative' },
    { id: 'welcome', stage: 'buy', label: 'positive' },
  ],
  ...over,
});

const day = { from: new Date('2026-05-04T00:00:00Z'), to: new Date('2026-05-05T00:00:00Z') };

describe('counts', () => {
  it('counts a mention once however often it is added, even by racing writers', async () => {
    await counts.add(c('m1'));
    await Promise.all([
      counts.add(c('m1')),
      counts.add(c('m1')),
      counts.add(c('m2', { author: 'author-m1' })),
    ]);
    const [delivery] = await counts.range({
      dim: 'touchpoint',
      key: 'delivery',
      size: '15m',
      ...day,
    });
    expect(delivery).toMatchObject({
      start: new Date('2026-05-04T10:15:00Z'),
      volume: 2,
      negative: 2,
      positive: 0,
      negativeAuthors: 1,
      topAuthorNegative: 2,
      negativeReach: 4,
      negativeShares: 2,
      negativeSources: 1,
    });
  });

  it('keeps each touchpoint’s own sentiment, and buckets by hour and day too', async () => {
    const [welcome] = await counts.range({ dim: 'touchpoint', key: 'welcome', size: '1h', ...day });
    expect(welcome).toMatchObject({
      start: new Date('2026-05-04T10:00:00Z'),
      negative: 0,
      positive: 2,
    });
    const [all] = await counts.range({ dim: 'all', size: '1d', ...day });
    expect(all).toMatchObject({ volume: 2, negative: 2 });
    const stages = await counts.range({ dim: 'stage', size: '1d', ...day });
    expect(Object.fromEntries(stages.map((s) => [s.key, [s.negative, s.positive]]))).toEqual({
      receive: [2, 0],
      buy: [0, 2],
    });
    const [source] = await counts.range({ dim: 'source', key: 'reviews', size: '1d', ...day });
    expect(source?.volume).toBe(2);
  });

  it('leaves out mentions the watch query excluded, and finds the latest bucket in event time', async () => {
    await counts.add(
      c('job-ad', { relevant: false, publishedAt: new Date('2026-05-04T23:59:00Z') }),
    );
    expect(await counts.latest('touchpoint', 'delivery', '15m')).toEqual(
      new Date('2026-05-04T10:15:00Z'),
    );
  });

  it('finishes the batch of a drainer that died half-way, counting each mention once', async () => {
    // A drainer whose store connection fails after writing two day documents: it has claimed
    // the batch and applied part of it when it dies.
    let writes = 0;
    const dying = createCountsRepository(
      new Proxy(mongo.db, {
        get(db, prop, receiver) {
          if (prop !== 'collection') return Reflect.get(db, prop, receiver) as unknown;
          return (name: string) => {
            const col = db.collection(name);
            return new Proxy(col, {
              get(target, p, r) {
                if (p !== 'replaceOne' || name !== 'series')
                  return Reflect.get(target, p, r) as unknown;
                return async (...args: Parameters<typeof col.replaceOne>) => {
                  if (++writes > 3) throw new Error('connection lost');
                  return target.replaceOne(...args);
                };
              },
            });
          };
        },
      }),
    );
    const when = { publishedAt: new Date('2026-05-06T08:05:00Z') };
    const batch = ['r1', 'r2', 'r3'].map((id) => c(id, when));
    await dying.stage(batch);
    await expect(dying.drain()).rejects.toThrow('connection lost');
    expect(await counts.pending()).toBe(3);
    // The next drainer finishes it; a mention staged again afterwards is not counted again.
    while ((await counts.drain()).counted > 0);
    await counts.add(c('r1', when));
    const range = { from: new Date('2026-05-06T00:00:00Z'), to: new Date('2026-05-07T00:00:00Z') };
    const totals = async (dim: 'all' | 'touchpoint' | 'stage' | 'source') =>
      Object.fromEntries(
        (await counts.range({ dim, size: '1d', ...range })).map((b) => [b.key, b.volume]),
      );
    expect(await totals('all')).toEqual({ all: 3 });
    expect(await totals('source')).toEqual({ reviews: 3 });
    expect(await totals('touchpoint')).toEqual({ delivery: 3, welcome: 3 });
    expect(await totals('stage')).toEqual({ receive: 3, buy: 3 });
    const negatives = await counts.touchpointNegatives(range);
    expect(negatives.map((n) => [n.key, n.negative])).toEqual([['delivery', 3]]);
    expect(await counts.pending()).toBe(0);
  });
});
