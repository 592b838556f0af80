/**
 * A manager corrects how a mention was read; the counts follow exactly once (a second correction
 * moves them again, never twice), the mention keeps who corrected it, and the quality report
 * measures the reader against the corrections.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, eventually, pipelineIdle, type TestApp } from '../helpers/app.js';

let app: TestApp;
const day = new Date(Date.now() - 2 * 3_600_000);
const from = new Date(day.getTime() - 24 * 3_600_000);
const to = new Date(Date.now() + 3_600_000);

beforeAll(async () => {
  app = await startTestApp({ workers: ['count', 'detect'] });
});
afterAll(async () => {
  await app?.stop();
});

const mention = (i: number, text: string) => ({
  source: 'reviews',
  externalId: `c-${i}`,
  url: `https://reviews.example/${i}`,
  author: { id: `a${i}`, name: `Author ${i}` },
  text,
  lang: 'fr',
  publishedAt: new Date(day.getTime() + i * 60_000).toISOString(),
});

/** Negatives and volume counted for a touchpoint over the test's day. */
async function counted(touchpoint: string) {
  const buckets = await app.rt.counts.range({
    dim: 'touchpoint',
    key: touchpoint,
    size: '1d',
    from,
    to,
  });
  return {
    volume: buckets.reduce((n, b) => n + b.volume, 0),
    negative: buckets.reduce((n, b) => n + b.negative, 0),
  };
}

const settle = () => eventually(async () => ((await pipelineIdle(app)) ? true : undefined), 30_000);

describe('correcting a mention', () => {
  let id: string;

  it('moves its counts from the old reading to the new one, exactly once', async () => {
    const manager = app.as('manager');
    const res = await manager('/api/v1/mentions', {
      method: 'POST',
      body: JSON.stringify([
        mention(1, 'Livraison en retard de deux semaines, colis abîmé, très déçu.'),
        mention(2, 'Livraison rapide, colis parfait, merci !'),
      ]),
    });
    expect(res.status).toBe(202);
    id = ((await res.json()) as { ids: string[] }).ids[0]!;
    await settle();
    const before = await counted('delivery');
    expect(before).toEqual({ volume: 2, negative: 1 });

    // The reader linked it to delivery; the manager says it was about the checkout, and positive.
    const correct = await manager(`/api/v1/mentions/${id}/corrections`, {
      method: 'POST',
      body: JSON.stringify({
        sentiment: 'positive',
        touchpoints: [{ id: 'checkout', label: 'positive' }],
        note: 'sarcasm about the payment page',
      }),
    });
    expect(correct.status).toBe(201);
    const body = (await correct.json()) as {
      mention: { sentiment: { label: string }; touchpoints: { id: string }[] };
      correction: { by: string; before: { sentiment: string } };
    };
    expect(body.mention.sentiment.label).toBe('positive');
    expect(body.mention.touchpoints.map((t) => t.id)).toEqual(['checkout']);
    expect(body.correction).toMatchObject({
      by: 'test manager',
      before: { sentiment: 'negative' },
    });
    await settle();
    expect(await counted('delivery')).toEqual({ volume: 1, negative: 0 });
    expect(await counted('checkout')).toEqual({ volume: 1, negative: 0 });

    // Corrected again: the counts move from the corrected reading, not from the first one.
    const again = await manager(`/api/v1/mentions/${id}/corrections`, {
      method: 'POST',
      body: JSON.stringify({ touchpoints: [{ id: 'checkout', label: 'negative' }] }),
    });
    expect(again.status).toBe(201);
    await settle();
    expect(await counted('checkout')).toEqual({ volume: 1, negative: 1 });
    expect(await counted('delivery')).toEqual({ volume: 1, negative: 0 });

    // A recount from the ledger's point of view: the drain runs again and changes nothing.
    await app.rt.queues.enqueueCount();
    await settle();
    expect(await counted('checkout')).toEqual({ volume: 1, negative: 1 });

    const stored = await app.rt.mentions.findById(id);
    expect(stored).toMatchObject({ version: 2, correctedBy: 'test manager' });
    const list = await app.as('viewer')(`/api/v1/mentions/${id}/corrections`);
    expect(((await list.json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('is for managers, names real touchpoints, and says what it corrects', async () => {
    const viewer = app.as('viewer');
    const body = JSON.stringify({ sentiment: 'neutral' });
    expect(
      (await viewer(`/api/v1/mentions/${id}/corrections`, { method: 'POST', body })).status,
    ).toBe(403);
    const manager = app.as('manager');
    const post = (b: unknown) =>
      manager(`/api/v1/mentions/${id}/corrections`, { method: 'POST', body: JSON.stringify(b) });
    expect((await post({})).status).toBe(400);
    expect((await post({ touchpoints: [{ id: 'teleportation', label: 'negative' }] })).status).toBe(
      400,
    );
    expect((await post({ sentiment: 'furious' })).status).toBe(400);
    const missing = await manager('/api/v1/mentions/0123456789abcdef01234567/corrections', {
      method: 'POST',
      body,
    });
    expect(missing.status).toBe(404);
  });

  it("reports the reader's agreement with people, per language and touchpoint", async () => {
    const res = await app.as('viewer')('/api/v1/analysis/quality');
    expect(res.status).toBe(200);
    const q = (await res.json()) as {
      corrections: number;
      byLanguage: { lang: string; sentiment: { judged: number; agreed: number } }[];
      byTouchpoint: { touchpoint: string; kept: { judged: number; agreed: number } }[];
    };
    expect(q.corrections).toBe(2);
    expect(q.byLanguage).toEqual([
      expect.objectContaining({ lang: 'fr', sentiment: { judged: 1, agreed: 0, rate: 0 } }),
    ]);
    // The reader linked delivery (dropped by the first correction) and checkout was its own
    // reading by the second: one of two links kept.
    const delivery = q.byTouchpoint.find((t) => t.touchpoint === 'delivery');
    expect(delivery?.kept).toEqual({ judged: 1, agreed: 0, rate: 0 });
    const checkout = q.byTouchpoint.find((t) => t.touchpoint === 'checkout');
    expect(checkout?.kept).toEqual({ judged: 1, agreed: 1, rate: 1 });
  });
});
