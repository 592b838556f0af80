/**
 * The trends' arithmetic: local weeks from Monday, periods and the previous period of as many
 * buckets (lined up across a change of clocks), and the figures summed from counts.
 */
import { describe, expect, it } from 'vitest';
import { shareOfVoice } from '../../../src/insights/share-of-voice.js';
import {
  changeOf,
  figuresOf,
  nextTrendBucket,
  periodOf,
  previousPeriod,
  trendOf,
  weekStart,
  type CountBucket,
} from '../../../src/insights/trends.js';

const PARIS = 'Europe/Paris';
const KOLKATA = 'Asia/Kolkata';
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

const bucket = (key: string, start: string, over: Partial<CountBucket> = {}): CountBucket => ({
  key,
  start: new Date(start),
  volume: 0,
  negative: 0,
  positive: 0,
  negativeReach: 0,
  sentimentSum: 0,
  audience: 0,
  ...over,
});

describe('weeks', () => {
  it("start on Monday at the brand's midnight", () => {
    // Sunday 29 March 2026, 23:30 in Paris (summer time since 02:00 that day).
    expect(iso(weekStart(t('2026-03-29T21:30:00Z'), PARIS))).toBe('2026-03-22T23:00:00.000Z');
    // Monday 30 March, 00:10 in Paris: a new week, at Paris midnight in summer time.
    expect(iso(weekStart(t('2026-03-29T22:10:00Z'), PARIS))).toBe('2026-03-29T22:00:00.000Z');
    // Kolkata's Monday starts at 18:30 UTC on Sunday.
    expect(iso(weekStart(t('2026-03-02T10:00:00Z'), KOLKATA))).toBe('2026-03-01T18:30:00.000Z');
  });

  it('last seven local days, 167 hours across the change to summer time', () => {
    const monday = t('2026-03-22T23:00:00Z');
    const next = nextTrendBucket(monday, '1w', PARIS);
    expect(iso(next)).toBe('2026-03-29T22:00:00.000Z');
    expect((next - monday) / 3_600_000).toBe(167);
  });
});

describe('periods', () => {
  it('cover the buckets holding since and the last instant before until', () => {
    const p = periodOf(t('2026-03-02T09:20:00Z'), t('2026-03-02T12:00:00Z'), '1h', PARIS);
    expect(p.starts.map(iso)).toEqual([
      '2026-03-02T09:00:00.000Z',
      '2026-03-02T10:00:00.000Z',
      '2026-03-02T11:00:00.000Z',
    ]);
    expect(iso(p.to)).toBe('2026-03-02T12:00:00.000Z');
    expect(
      periodOf(t('2026-03-02T12:00:00Z'), t('2026-03-02T12:00:00Z'), '1h', PARIS).starts,
    ).toEqual([]);
  });

  it('have a previous period of as many local days, each starting at local midnight across a change of clocks', () => {
    // The week of 30 March 2026 in Paris (summer time); the week before holds the change.
    const p = periodOf(t('2026-03-29T22:00:00Z'), t('2026-04-05T22:00:00Z'), '1d', PARIS);
    expect(p.starts).toHaveLength(7);
    const prev = previousPeriod(p, '1d', PARIS);
    expect(prev.starts).toHaveLength(7);
    expect(prev.to).toBe(p.from);
    expect(prev.starts.map(iso)).toEqual([
      '2026-03-22T23:00:00.000Z',
      '2026-03-23T23:00:00.000Z',
      '2026-03-24T23:00:00.000Z',
      '2026-03-25T23:00:00.000Z',
      '2026-03-26T23:00:00.000Z',
      '2026-03-27T23:00:00.000Z',
      // Sunday 29 March: 23 hours long.
      '2026-03-28T23:00:00.000Z',
    ]);
    // Point i of one lines up with point i of the other: same weekday, same local midnight.
    expect((p.to - p.from) / 3_600_000).toBe(168);
    expect((prev.to - prev.from) / 3_600_000).toBe(167);
  });

  it('have a previous period of as many hours (UTC hours: the same length)', () => {
    const p = periodOf(t('2026-03-29T00:00:00Z'), t('2026-03-29T06:00:00Z'), '1h', PARIS);
    const prev = previousPeriod(p, '1h', PARIS);
    expect(iso(prev.from)).toBe('2026-03-28T18:00:00.000Z');
    expect(prev.starts).toHaveLength(6);
  });

  it('have a previous period of as many weeks', () => {
    const p = periodOf(t('2026-03-30T10:00:00Z'), t('2026-04-13T10:00:00Z'), '1w', PARIS);
    expect(p.starts.map(iso)).toEqual([
      '2026-03-29T22:00:00.000Z',
      '2026-04-05T22:00:00.000Z',
      '2026-04-12T22:00:00.000Z',
    ]);
    const prev = previousPeriod(p, '1w', PARIS);
    expect(prev.starts.map(iso)).toEqual([
      '2026-03-08T23:00:00.000Z',
      '2026-03-15T23:00:00.000Z',
      '2026-03-22T23:00:00.000Z',
    ]);
  });
});

describe('figures', () => {
  it('sum days into weeks, gaps as zeros', () => {
    const p = periodOf(t('2026-03-02T00:00:00Z'), t('2026-03-16T00:00:00Z'), '1w', 'UTC');
    const trend = trendOf(
      [
        bucket('delivery', '2026-03-02T00:00:00Z', {
          volume: 4,
          negative: 2,
          positive: 1,
          sentimentSum: -0.6,
          audience: 300,
          negativeReach: 1.5,
        }),
        bucket('delivery', '2026-03-04T00:00:00Z', {
          volume: 1,
          negative: 1,
          sentimentSum: -0.9,
          audience: 10,
          negativeReach: 0.75,
        }),
        // Another key, and a day outside the period: not counted.
        bucket('support', '2026-03-03T00:00:00Z', { volume: 9 }),
        bucket('delivery', '2026-03-16T00:00:00Z', { volume: 9 }),
      ],
      'delivery',
      p,
      '1w',
      'UTC',
    );
    expect(trend.totals).toEqual({
      volume: 5,
      negative: 3,
      positive: 1,
      negativeShare: 0.6,
      meanSentiment: -0.3,
      reach: 310,
    });
    expect(trend.data.map((d) => [iso(d.start.getTime()), d.volume])).toEqual([
      ['2026-03-02T00:00:00.000Z', 5],
      ['2026-03-09T00:00:00.000Z', 0],
    ]);
    expect(trend.data[0]?.negativeReach).toBe(2.25);
    expect(trend.data[1]).toMatchObject({ negativeShare: null, meanSentiment: null });
  });

  it('compare with the previous period', () => {
    const now = figuresOf({
      volume: 150,
      negative: 30,
      positive: 0,
      sentimentSum: -15,
      audience: 200,
      negativeReach: 0,
    });
    const before = { ...now, volume: 100, negativeShare: 0.1, meanSentiment: 0.1, reach: 0 };
    expect(changeOf(now, before)).toEqual({
      volume: 0.5,
      negativeShare: 0.1,
      meanSentiment: -0.2,
      reach: null,
    });
  });

  it('give each brand its share of the brands’ mentions, per bucket and in all', () => {
    const p = periodOf(t('2026-03-02T00:00:00Z'), t('2026-03-04T00:00:00Z'), '1d', 'UTC');
    const trend = (key: string, volumes: number[]) =>
      trendOf(
        volumes.map((v, i) =>
          bucket(key, iso(t('2026-03-02T00:00:00Z') + i * 86_400_000), { volume: v }),
        ),
        key,
        p,
        '1d',
        'UTC',
      );
    const [own, rival] = shareOfVoice([
      { id: 'own', name: 'Us', own: true, trend: trend('all', [3, 0]) },
      { id: 'rival', name: 'Them', own: false, trend: trend('rival', [1, 0]) },
    ]);
    expect(own?.totals.share).toBe(0.75);
    expect(rival?.totals.share).toBe(0.25);
    expect(own?.data.map((d) => d.share)).toEqual([0.75, null]);
  });
});
