/**
 * The mention store and the queues' safety net: indexes are idempotent, racing writers store a
 * mention once, and a mention whose count request was lost is counted by the sweep, once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MentionInput } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { recountStored } from '../../src/ingest/recount.js';
import { mentionId, mentionObjectId } from '../../src/store/mentions-repository.js';
import { ensureIndexes } from '../../src/store/mongo.js';
import { eventually, pipelineIdle, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ api: false, workers: ['count'] });
});
afterAll(async () => {
  await app?.stop();
});

const input = (id: string): MentionInput => ({
  source: 'store-test',
  externalId: id,
  url: `https://example.com/${id}`,
  author: { id: 'a', name: 'A' },
  text: 'A wonderful shop with great staff',
  publishedAt: new Date('2026-02-01T12:00:00Z'),
});

describe('mentions store', () => {
  it('creates its indexes idempotently, and drops those of fields a mention no longer has', async () => {
    // An earlier version's unique natural key: the `_id` is derived from it now.
    const mentions = app.rt.mongo.db.collection('mentions');
    await mentions.createIndex(
      { source: 1, externalId: 1 },
      { name: 'source_externalId', unique: true },
    );
    await ensureIndexes(app.rt.mongo.db);
    await ensureIndexes(app.rt.mongo.db);
    const names = (await mentions.indexes()).map((i) => i.name);
    expect(names).not.toContain('source_externalId');
    const alerts = await app.rt.mongo.db.collection('alerts').indexes();
    expect(alerts.find((i) => i.name === 'key')).toMatchObject({ unique: true });
  });

  it('stores a mention as two JSON strings beside its source and dates, and reads it back whole', async () => {
    const m = input('shape');
    const [id] = (await acceptMentions(app.rt.acceptDeps, [m])).ids;
    const raw = await app.rt.mongo.db
      .collection('mentions')
      .findOne({ _id: mentionObjectId(m.source, m.externalId) });
    // No nested document: the bundled server spends its CPU on those.
    const nested = Object.entries(raw ?? {}).filter(
      ([k, v]) => k !== '_id' && typeof v === 'object' && !(v instanceof Date),
    );
    expect(nested).toEqual([]);
    expect(raw).toMatchObject({ source: m.source, publishedAt: m.publishedAt, status: 'analyzed' });
    expect(JSON.parse(raw?.i as string)).toMatchObject({ text: m.text, author: m.author });
    expect(await app.rt.mentions.findById(id!)).toMatchObject({
      ...m,
      id,
      sentiment: { label: 'positive' },
      relevant: true,
    });
  });

  it('stores a mention once when writers race on it', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => acceptMentions(app.rt.acceptDeps, [input('race')])),
    );
    expect(outcomes.map((o) => o.accepted).toSorted((a, b) => a - b)).toEqual([0, 0, 0, 0, 1]);
    expect(new Set(outcomes.flatMap((o) => o.ids)).size).toBe(1);
  });

  it('counts a mention once when its count request was lost, and once however often it is staged', async () => {
    // Staged and stored, but the request for a drain lost (Redis restarted empty): the sweep asks
    // again. Then the same mention arrives twice more (a feed polled again).
    const m = { ...input('lost'), publishedAt: new Date('2026-02-02T12:00:00Z') };
    await eventually(async () => ((await app.rt.counts.pending()) === 0 ? true : undefined));
    await acceptMentions({ ...app.rt.acceptDeps, enqueueCount: async () => {} }, [m]);
    expect(await app.rt.counts.pending()).toBe(1);
    await app.rt.queues.count.add('sweep', {});
    const day = { from: new Date('2026-02-02T00:00:00Z'), to: new Date('2026-02-03T00:00:00Z') };
    const volume = async () =>
      (await app.rt.counts.range({ dim: 'all', size: '1d', ...day }))[0]?.volume ?? 0;
    await eventually(async () => ((await volume()) === 1 ? true : undefined));
    await acceptMentions(app.rt.acceptDeps, [m, m]);
    await eventually(async () => ((await app.rt.counts.pending()) === 0 ? true : undefined));
    expect(await volume()).toBe(1);
  });

  it('recounts a store kept before mentions were read at the door, once however often it runs', async () => {
    // Two mentions as an older version stored them: one waiting for its reading, one read.
    const old = { ...input('old-unread'), publishedAt: new Date('2026-02-03T09:00:00Z') };
    const read = { ...input('old-read'), publishedAt: new Date('2026-02-03T10:00:00Z') };
    await app.rt.mongo.db.collection('mentions').insertMany([
      {
        _id: mentionObjectId(old.source, old.externalId),
        ...old,
        status: 'received',
        fetchedAt: new Date(),
      },
      {
        _id: mentionObjectId(read.source, read.externalId),
        ...read,
        ...app.rt.acceptDeps.analyze(read),
        status: 'analyzed',
        fetchedAt: new Date(),
      },
    ]);
    const day = { from: new Date('2026-02-03T00:00:00Z'), to: new Date('2026-02-04T00:00:00Z') };
    const positive = async () =>
      (await app.rt.counts.range({ dim: 'all', size: '1d', ...day }))[0]?.positive ?? 0;
    const deps = { ...app.rt.acceptDeps, mentions: app.rt.mentions };
    for (const run of [1, 2]) {
      const summary = await recountStored(deps);
      expect(summary.read).toBe(run === 1 ? 1 : 0);
      await eventually(async () => ((await pipelineIdle(app)) ? true : undefined));
      expect(await positive()).toBe(2);
    }
    expect((await app.rt.mentions.findById(mentionId(old.source, old.externalId)))?.status).toBe(
      'analyzed',
    );
  });
});
