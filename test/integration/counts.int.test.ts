/**
 * Bucketed counts on the real MongoDB-wire server: exactly once (the same mention staged twice,
 * by racing writers or after it was counted, counts once; a drainer that dies mid-batch is
 * finished by the next without counting twice), per touchpoint, stage, source and overall, in
 * 15-minute, hourly and daily buckets of event time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCountsRepository,
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

/**
 * A counts repository whose store connection fails at its `failAt`-th write of a day document
 * once armed: a drainer that has claimed a batch and applied part of it when it dies.
 */
function dyingDrainer(failAt: number, opts: { cacheBytes?: number } = {}) {
  let writes = 0;
  let armed = false;
  const repo = createCountsRepository(
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
                if (armed && ++writes === failAt) throw new Error('connection lost');
                return target.replaceOne(...args);
              };
            },
          });
        };
      },
    }),
    opts,
  );
  return { counts: repo, arm: () => void (armed = true) };
}

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

  it('counts a mention staged twice in one batch once', async () => {
    const when = { publishedAt: new Date('2026-05-08T09:00:00Z') };
    await counts.stage([c('twice', when), c('twice', when), c('once', when)]);
    expect(await counts.pending()).toBe(3);
    while ((await counts.drain()).counted > 0);
    const range = { from: new Date('2026-05-08T00:00:00Z'), to: new Date('2026-05-09T00:00:00Z') };
    const [all] = await counts.range({ dim: 'all', size: '1d', ...range });
    expect(all?.volume).toBe(2);
  });

  it('reads what the previous version left: one contribution an inbox document, nested quarters', async () => {
    const when = new Date('2026-05-20T10:05:00Z');
    const { mentionId, ...rest } = c('legacy', { publishedAt: when });
    await mongo.db
      .collection<{ _id: string; [k: string]: unknown }>('inbox')
      .insertOne({ _id: mentionId, ...rest });
    const quarter = { v: 2, n: 0, p: 0, r: 0, sh: 0, ids: [], a: [], s: [], t: [], ax: 0, tx: 0 };
    await mongo.db.collection<{ _id: string; [k: string]: unknown }>('series').insertOne({
      _id: 'all|all|2026-05-20',
      dim: 'all',
      key: 'all',
      day: new Date('2026-05-20T00:00:00Z'),
      seq: 0,
      q: { '40': quarter },
    });
    expect(await counts.pending()).toBe(1);
    while ((await counts.drain()).counted > 0);
    const range = { from: new Date('2026-05-20T00:00:00Z'), to: new Date('2026-05-21T00:00:00Z') };
    const [all] = await counts.range({ dim: 'all', size: '1d', ...range });
    expect(all).toMatchObject({ volume: 3, negative: 1 });
  });

  it('serves days from memory, and never a day another process has counted into since', async () => {
    // A detector's repository keeps what it read; the drains run in another process.
    const cached = createCountsRepository(mongo.db, { cacheBytes: 1_000_000 });
    const range = { from: new Date('2026-05-10T00:00:00Z'), to: new Date('2026-05-13T00:00:00Z') };
    const negatives = async () =>
      (await cached.range({ dim: 'touchpoint', key: 'delivery', size: '1d', ...range })).map(
        (b) => [b.start.toISOString().slice(0, 10), b.negative],
      );
    const at = (d: string, id: string) => c(id, { publishedAt: new Date(`${d}T12:00:00Z`) });
    await counts.add([at('2026-05-10', 'k1'), at('2026-05-11', 'k2')]);
    expect(await negatives()).toEqual([
      ['2026-05-10', 1],
      ['2026-05-11', 1],
    ]);
    await counts.add([at('2026-05-11', 'k3'), at('2026-05-12', 'k4')]);
    expect(await negatives()).toEqual([
      ['2026-05-10', 1],
      ['2026-05-11', 2],
      ['2026-05-12', 1],
    ]);
    expect((await cached.touchpointNegatives(range)).reduce((s, n) => s + n.negative, 0)).toBe(4);
    // Memory only: the same answer with the store's day documents gone.
    const ids = ['2026-05-10', '2026-05-11', '2026-05-12'].map((d) => `touchpoint|delivery|${d}`);
    const series = mongo.db.collection<{ _id: string }>('series');
    const saved = await Promise.all(ids.map((_id) => series.findOne({ _id })));
    for (const _id of ids) await series.deleteOne({ _id });
    expect((await negatives()).length).toBe(3);
    for (const doc of saved) if (doc) await series.insertOne(doc);
  });

  it.each([
    ['another drainer', 0],
    ['the same drainer, with its day cache', 1_000_000],
  ])(
    'finishes the batch of a drainer that failed half-way: %s, counting each mention once',
    async (_, cacheBytes) => {
      // A drainer whose store connection fails at its fourth write of a day document: it has
      // claimed the batch and applied part of it when it fails.
      const { counts: dying, arm } = dyingDrainer(4, { cacheBytes });
      const date = cacheBytes ? '2026-05-16' : '2026-05-06';
      const when = { publishedAt: new Date(`${date}T08:05:00Z`) };
      // The day holds a mention already: its documents are in the drainer's cache, if it has one.
      await dying.add(c(`r0-${date}`, when));
      arm();
      const batch = ['r1', 'r2', 'r3'].map((id) => c(`${id}-${date}`, when));
      await dying.stage(batch);
      await expect(dying.drain()).rejects.toThrow('connection lost');
      expect(await counts.pending()).toBe(3);
      // The next drain finishes it; a mention staged again afterwards is not counted again.
      const next = cacheBytes ? dying : counts;
      while ((await next.drain()).counted > 0);
      await next.add(c(`r1-${date}`, when));
      const range = {
        from: new Date(`${date}T00:00:00Z`),
        to: new Date(new Date(`${date}T00:00:00Z`).getTime() + 86_400_000),
      };
      const totals = async (dim: 'all' | 'touchpoint' | 'stage' | 'source') =>
        Object.fromEntries(
          (await counts.range({ dim, size: '1d', ...range })).map((b) => [b.key, b.volume]),
        );
      expect(await totals('all')).toEqual({ all: 4 });
      expect(await totals('source')).toEqual({ reviews: 4 });
      expect(await totals('touchpoint')).toEqual({ delivery: 4, welcome: 4 });
      expect(await totals('stage')).toEqual({ receive: 4, buy: 4 });
      // The months of hours trends read, set from the days after them.
      expect(
        (await counts.sums({ dim: 'touchpoint', size: '1d', ...range })).map((b) => [
          b.key,
          b.volume,
        ]),
      ).toEqual([
        ['delivery', 4],
        ['welcome', 4],
      ]);
      const negatives = await counts.touchpointNegatives(range);
      expect(negatives.map((n) => [n.key, n.negative])).toEqual([['delivery', 4]]);
      expect(await counts.pending()).toBe(0);
    },
  );

  describe('edits', () => {
    const date = '2026-06-11';
    const when = { publishedAt: new Date(`${date}T09:10:00Z`) };
    const range = { from: new Date(`${date}T00:00:00Z`), to: new Date(`${date}T23:59:59Z`) };
    const delivery = async () => {
      const [b] = await counts.range({ dim: 'touchpoint', key: 'delivery', size: '1d', ...range });
      return b
        ? {
            volume: b.volume,
            negative: b.negative,
            positive: b.positive,
            authors: b.negativeAuthors,
            ids: b.negativeIds,
          }
        : null;
    };
    const praise = {
      overall: 'positive' as const,
      touchpoints: [{ id: 'delivery', stage: 'receive', label: 'positive' as const }],
    };

    it('moves an edited mention from its old reading to its new one, once', async () => {
      await counts.add([c('e1', when), c('e2', when)]);
      expect(await delivery()).toEqual({
        volume: 2,
        negative: 2,
        positive: 0,
        authors: 2,
        ids: ['e1', 'e2'],
      });

      // e1 is edited into praise; the edit comes twice (a retry), and once more in a later batch.
      await counts.stage([c('e1', { ...when, ...praise, version: 1 })]);
      await counts.stage([c('e1', { ...when, ...praise, version: 1 })]);
      while ((await counts.drain()).counted > 0);
      await counts.add(c('e1', { ...when, ...praise, version: 1 }));

      expect(await delivery()).toEqual({
        volume: 2,
        negative: 1,
        positive: 1,
        authors: 1,
        ids: ['e2'],
      });
      const negatives = await counts.touchpointNegatives(range);
      expect(negatives.map((n) => [n.key, n.negative])).toEqual([['delivery', 1]]);
      // An older version arriving late changes nothing.
      await counts.add(c('e1', when));
      expect((await delivery())?.negative).toBe(1);
    });

    it('finishes an edit whose drainer failed half-way, moving its counts once', async () => {
      const d = '2026-06-12';
      const w = { publishedAt: new Date(`${d}T07:00:00Z`) };
      const r = { from: new Date(`${d}T00:00:00Z`), to: new Date(`${d}T23:59:59Z`) };
      const { counts: dying, arm } = dyingDrainer(2);
      await dying.add(c('x1', w));
      arm();
      await dying.stage([c('x1', { ...w, ...praise, version: 1 })]);
      await expect(dying.drain()).rejects.toThrow('connection lost');
      while ((await counts.drain()).counted > 0);

      const totals = async (dim: 'all' | 'touchpoint' | 'source') =>
        Object.fromEntries(
          (await counts.range({ dim, size: '1d', ...r })).map((b) => [
            b.key,
            [b.volume, b.negative, b.positive],
          ]),
        );
      expect(await totals('touchpoint')).toEqual({ delivery: [1, 0, 1], welcome: [0, 0, 0] });
      expect(await totals('all')).toEqual({ all: [1, 0, 1] });
      expect(await totals('source')).toEqual({ reviews: [1, 0, 1] });
    });

    it('takes out a mention edited out of a touchpoint, and counts one edited into it', async () => {
      const other = {
        overall: 'negative' as const,
        touchpoints: [{ id: 'checkout', stage: 'buy', label: 'negative' as const }],
      };
      await counts.add(c('e3', { ...when, ...other }));
      const before = await delivery();
      await counts.add(c('e3', { ...when, version: 1 }));
      await counts.add(c('e2', { ...when, ...other, version: 1 }));

      expect(await delivery()).toEqual({
        volume: before!.volume,
        negative: before!.negative,
        positive: before!.positive,
        authors: 1,
        ids: ['e3'],
      });
      const [checkout] = await counts.range({
        dim: 'touchpoint',
        key: 'checkout',
        size: '1d',
        ...range,
      });
      expect(checkout?.negative).toBe(1);
    });
  });
});
