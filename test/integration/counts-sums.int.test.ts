/**
 * The counts' sums (what trends read) on the real MongoDB-wire server: the same numbers as the
 * full buckets, sentiment and audience summed and taken out again by an edit, a mention not about
 * the brand counted only under the competitors it names, and a process that keeps days and their
 * sums in memory never serving a day another process has counted into since.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/demo/scenario.js';
import {
  createCountsRepository,
  type Bucket,
  type Contribution,
  type CountsRepository,
} from '../../src/store/counts-repository.js';
import type { MongoStore } from '../../src/store/mongo.js';
import { dropStore, openCountsStore } from '../helpers/counts-store.js';

let mongo: MongoStore;
let counts: CountsRepository;

beforeAll(async () => {
  ({ mongo, counts } = await openCountsStore());
});
afterAll(() => dropStore(mongo));

const TPS = [
  { id: 'delivery', stage: 'receive' },
  { id: 'support', stage: 'get-help' },
  { id: 'checkout', stage: 'buy' },
];

const c = (id: string, at: number, over: Partial<Contribution> = {}): Contribution => ({
  mentionId: id,
  publishedAt: new Date(at),
  source: 'reviews',
  author: `a-${id}`,
  reach: 1.5,
  shares: 0,
  audience: 40,
  score: -0.5,
  relevant: true,
  overall: 'negative',
  touchpoints: [{ id: 'delivery', stage: 'receive', label: 'negative', score: -0.75 }],
  ...over,
});

/** What `sums` gives of full buckets. */
const sumsOfBuckets = (buckets: Bucket[]) =>
  buckets.map((b) => ({
    key: b.key,
    start: b.start,
    volume: b.volume,
    negative: b.negative,
    positive: b.positive,
    negativeReach: b.negativeReach,
    sentimentSum: b.sentimentSum,
    audience: b.audience,
  }));

describe('counts: sums', () => {
  it('give what the full buckets give, by hour and by local day', async () => {
    const r = mulberry32(3);
    const t0 = Date.UTC(2026, 4, 4);
    const all: Contribution[] = Array.from({ length: 300 }, (_, i) => {
      const label = r() < 0.3 ? 'negative' : r() < 0.5 ? 'positive' : 'neutral';
      const score = Math.round((r() * 2 - 1) * 1000) / 1000;
      const tp = TPS[Math.floor(r() * TPS.length)]!;
      return c(`r${i}`, t0 + r() * 3 * 86_400_000, {
        source: r() < 0.5 ? 'reviews' : 'forum',
        overall: label,
        score,
        audience: Math.floor(r() * 1000),
        reach: Math.round(r() * 3000) / 1000,
        touchpoints: [{ ...tp, label, score: Math.round(score * 900) / 1000 }],
        ...(r() < 0.2 ? { brands: ['nordlys'] } : {}),
      });
    });
    await counts.add(all);
    const from = new Date(t0);
    const to = new Date(t0 + 3 * 86_400_000);
    // Kolkata's days start on the half hour: read from quarters, not from the months' hours.
    for (const [dim, timeZone] of [
      ...(['all', 'touchpoint', 'stage', 'source', 'brand'] as const).map(
        (d) => [d, 'Europe/Paris'] as const,
      ),
      ['touchpoint', 'Asia/Kolkata'] as const,
    ]) {
      for (const size of ['1h', '1d'] as const) {
        const q = { dim, size, from, to, timeZone };
        const full = sumsOfBuckets(await counts.range(q));
        expect(full.length, `${dim} ${size} ${timeZone}`).toBeGreaterThan(0);
        expect(await counts.sums(q), `${dim} ${size} ${timeZone}`).toEqual(full);
      }
    }
    // The sums themselves, from the input.
    const [day] = await counts.sums({
      dim: 'all',
      size: '1d',
      from,
      to: new Date(t0 + 86_400_000),
    });
    const first = all.filter((x) => x.publishedAt.getTime() < t0 + 86_400_000);
    expect(day?.volume).toBe(first.length);
    expect(day?.audience).toBe(first.reduce((s, x) => s + (x.audience ?? 0), 0));
    expect(day?.sentimentSum).toBeCloseTo(
      first.reduce((s, x) => s + (x.score ?? 0), 0),
      3,
    );
  });

  it('count a mention not about the brand under the competitors it names, and nowhere else', async () => {
    const at = Date.UTC(2026, 5, 1, 10);
    await counts.add(
      c('rival-only', at, { relevant: false, brands: ['nordlys', 'atelier-brume'], audience: 7 }),
    );
    const q = {
      size: '1d' as const,
      from: new Date(Date.UTC(2026, 5, 1)),
      to: new Date(Date.UTC(2026, 5, 2)),
    };
    expect(
      (await counts.sums({ ...q, dim: 'brand' })).map((b) => [b.key, b.volume, b.audience]),
    ).toEqual([
      ['atelier-brume', 1, 7],
      ['nordlys', 1, 7],
    ]);
    for (const dim of ['all', 'touchpoint', 'stage', 'source'] as const)
      expect(await counts.sums({ ...q, dim }), dim).toEqual([]);
  });

  it('take an edited mention’s old sentiment and audience out', async () => {
    const at = Date.UTC(2026, 6, 1, 10);
    const q = {
      dim: 'touchpoint' as const,
      key: 'delivery',
      size: '1d' as const,
      from: new Date(Date.UTC(2026, 6, 1)),
      to: new Date(Date.UTC(2026, 6, 2)),
    };
    await counts.add([c('e1', at), c('e2', at, { audience: 10 })]);
    expect(await counts.sums(q)).toMatchObject([{ volume: 2, sentimentSum: -1.5, audience: 50 }]);
    await counts.add(
      c('e1', at, {
        version: 1,
        overall: 'positive',
        score: 0.5,
        audience: 100,
        touchpoints: [{ id: 'delivery', stage: 'receive', label: 'positive', score: 0.25 }],
      }),
    );
    expect(await counts.sums(q)).toMatchObject([
      { volume: 2, negative: 1, positive: 1, sentimentSum: -0.5, audience: 110 },
    ]);
  });

  it('are never stale in a process that keeps days in memory', async () => {
    const memory = createCountsRepository(mongo.db, { cacheBytes: 4 * 2 ** 20 });
    const at = Date.UTC(2026, 7, 3, 9);
    const q = {
      dim: 'all' as const,
      size: '1d' as const,
      from: new Date(Date.UTC(2026, 7, 3)),
      to: new Date(Date.UTC(2026, 7, 4)),
    };
    await counts.add(c('m1', at));
    expect((await memory.sums(q)).map((b) => b.volume)).toEqual([1]);
    // Read again unchanged: from memory, the same.
    expect((await memory.sums(q)).map((b) => b.volume)).toEqual([1]);
    // Another process counts into the same day: the next read sees it.
    await counts.add(c('m2', at + 60_000, { score: 0.25, audience: 5 }));
    expect(await memory.sums(q)).toMatchObject([{ volume: 2, sentimentSum: -0.25, audience: 45 }]);
    // And its own drain's writes too.
    await memory.add(c('m3', at + 120_000, { score: 0, audience: 1 }));
    expect(await memory.sums(q)).toMatchObject([{ volume: 3, sentimentSum: -0.25, audience: 46 }]);
    expect(await counts.sums(q)).toMatchObject([{ volume: 3 }]);
  });

  it('read the days of a store counted before months of hours were kept, until a drain sums them', async () => {
    const older = mongo.client.db(`${mongo.db.databaseName}-older`);
    try {
      const r = mulberry32(11);
      const t0 = Date.UTC(2026, 2, 20);
      const q = {
        dim: 'touchpoint' as const,
        size: '1d' as const,
        from: new Date(t0),
        to: new Date(t0 + 20 * 86_400_000),
        timeZone: 'Europe/Paris',
      };
      await createCountsRepository(older).add(
        Array.from({ length: 120 }, (_, i) =>
          c(`o${i}`, t0 + r() * 20 * 86_400_000, { audience: i, score: r() - 0.5 }),
        ),
      );
      // What an older version left: day documents only, and a drain state without `hours`.
      const series = older.collection<{ _id: string; hours?: boolean }>('series');
      await series.deleteMany({ _id: { $regex: '^hours\\|' } });
      await series.updateOne({ _id: 'drain' }, { $unset: { hours: '' } });
      const full = async (repo: CountsRepository) => sumsOfBuckets(await repo.range(q));
      const repo = createCountsRepository(older);
      const expected = await full(repo);
      expect(expected.reduce((n, b) => n + b.volume, 0)).toBe(120);
      expect(await repo.sums(q)).toEqual(expected);
      // One new mention in March: its drain sums March's older days into March's hours.
      await repo.add(c('o-new', Date.UTC(2026, 2, 25, 9)));
      expect(await series.findOne({ _id: 'hours|touchpoint|delivery|2026-03' })).not.toBeNull();
      expect(await series.findOne({ _id: 'hours|touchpoint|delivery|2026-04' })).toBeNull();
      const now = await full(repo);
      expect(now.reduce((n, b) => n + b.volume, 0)).toBe(121);
      expect(await repo.sums(q)).toEqual(now);
    } finally {
      await older.dropDatabase();
    }
  });
});
