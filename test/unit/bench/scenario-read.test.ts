import { describe, expect, it } from 'vitest';
import { textFingerprint } from '../../../src/analysis/text.js';
import {
  aggregateBuckets,
  type CountedMention,
} from '../../../scripts/bench/detect/scenario-read.js';

const Q = 15 * 60_000;
const start = Date.UTC(2026, 0, 5);
const m = (over: Partial<CountedMention>): CountedMention => ({
  publishedAt: start,
  author: 'x:ann',
  source: 'x',
  text: 'parcel lost',
  relevant: true,
  reach: 2,
  shares: 0,
  touchpoints: [{ id: 'delivery', label: 'negative' }],
  ...over,
});

describe('aggregateBuckets (the bench counts as the store does)', () => {
  it('keeps negatives per author, source and text fingerprint, and full zero-filled series', () => {
    const series = aggregateBuckets(
      [
        m({}),
        m({ author: 'x:bob', text: 'Parcel LOST https://t.co/1', reach: 3, shares: 4 }),
        m({ author: 'reddit:cy', source: 'reddit', publishedAt: start + Q + 1 }),
        m({ touchpoints: [{ id: 'delivery', label: 'positive' }], author: 'x:dee' }),
        m({ relevant: false, author: 'x:eve' }),
        m({ publishedAt: start + 10 * Q }),
      ],
      { start, buckets: 4, bucketMs: Q },
    );
    const d = series.get('delivery');
    expect(d).toHaveLength(4);
    expect(d?.[0]).toMatchObject({
      volume: 3,
      negative: 2,
      positive: 1,
      negativeAuthors: { 'x:ann': 1, 'x:bob': 1 },
      negativeSources: { x: 2 },
      negativeTexts: { [textFingerprint('parcel lost')]: 2 },
      negativeReach: 5,
      negativeShares: 4,
      contagion: 0,
    });
    expect(d?.[1]).toMatchObject({ negative: 1, negativeSources: { reddit: 1 } });
    expect(d?.[2]).toMatchObject({ volume: 0, negative: 0, negativeAuthors: {} });
  });

  it('counts one mention under each touchpoint with its own label, and contagion from the others', () => {
    const both = [
      { id: 'delivery', label: 'negative' as const },
      { id: 'support', label: 'negative' as const },
    ];
    const series = aggregateBuckets(
      [m({ touchpoints: both }), m({ author: 'x:bob', touchpoints: both }), m({ author: 'x:cy' })],
      { start, buckets: 1, bucketMs: Q },
    );
    expect(series.get('delivery')?.[0]).toMatchObject({ negative: 3, contagion: 1 });
    expect(series.get('support')?.[0]).toMatchObject({ negative: 2, contagion: 1 });
  });
});
