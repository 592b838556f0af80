/**
 * The mention store and the queues' safety net: indexes are idempotent, racing writers store a
 * mention once, and a mention whose analyze job was lost is found by the sweep and analysed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MentionInput } from '../../src/domain/mention.js';
import { ensureIndexes } from '../../src/store/mongo.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ api: false, workers: ['analyze'] });
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
  it('creates its indexes idempotently, the natural key unique', async () => {
    await ensureIndexes(app.rt.mongo.db);
    await ensureIndexes(app.rt.mongo.db);
    const indexes = await app.rt.mongo.db.collection('mentions').indexes();
    expect(indexes.find((i) => i.name === 'source_externalId')).toMatchObject({ unique: true });
  });

  it('stores a mention once when writers race on it', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 5 }, () => app.rt.mentions.accept([input('race')], new Date())),
    );
    const flat = outcomes.flat();
    expect(flat.filter((o) => o.inserted)).toHaveLength(1);
    expect(new Set(flat.map((o) => o.id)).size).toBe(1);
  });

  it('re-queues mentions whose analyze job was lost, and they get analysed', async () => {
    // Stored ten minutes ago, never queued: what a crash between store and queue leaves.
    const [lost] = await app.rt.mentions.accept(
      [input('lost')],
      new Date(Date.now() - 10 * 60_000),
    );
    await app.rt.queues.analyze.add('sweep', {});
    const analysed = await eventually(async () => {
      const m = await app.rt.mentions.findById(lost!.id);
      return m?.status === 'analyzed' ? m : undefined;
    });
    expect(analysed.sentiment?.label).toBe('positive');
  });
});
