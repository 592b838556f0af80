/**
 * Bucketed counts on the real MongoDB-wire server: atomic and idempotent (the same mention added
 * twice, or by two racing writers, counts once), per touchpoint, stage, source and overall, in
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
});
