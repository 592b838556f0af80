/**
 * Trends for marketers, the arithmetic: periods of buckets (a quarter of an hour, an hour, a local
 * day, a local week starting on Monday), the previous period of the same length, and the figures
 * of a bucket or a period (volume, negative share, mean sentiment, reach) from the counts' sums.
 *
 * The previous period has as many buckets as the period, ending where it starts: 24 hourly
 * buckets before 24 hourly buckets, 30 local days before 30 local days (a day of 23 or 25 hours
 * when clocks change is one day on either side), 4 weeks before 4 weeks. Its points line up
 * with the period's by index. Pure: no I/O, no clock.
 */
import {
  BUCKETS,
  nextLocalDay,
  startOfLocalDay,
  localTime,
  floorTo,
  type BucketSize,
} from '../domain/calendar.js';

/** The counts' buckets and the local week (Monday to Sunday, in the brand's time zone). */
export const TREND_BUCKETS = ['15m', '1h', '1d', '1w'] as const;
export type TrendBucket = (typeof TREND_BUCKETS)[number];

/** What a trend reads of the counts (the store's bucket sums satisfy it). */
export interface CountBucket {
  key: string;
  start: Date;
  volume: number;
  negative: number;
  positive: number;
  negativeReach: number;
  sentimentSum: number;
  audience: number;
}

/** Monday 00:00 of the local week holding `t`. */
export function weekStart(t: number, timeZone: string): number {
  let day = startOfLocalDay(t, timeZone);
  // At most six steps back: Sunday to Monday.
  while (localTime(day, timeZone).weekday !== 1) day = startOfLocalDay(day - 1, timeZone);
  return day;
}

/** Start of the trend bucket holding `t`: UTC quarters and hours, local days and weeks. */
export function trendBucketStart(t: number, size: TrendBucket, timeZone: string): number {
  if (size === '1w') return weekStart(t, timeZone);
  if (size === '1d') return startOfLocalDay(t, timeZone);
  return floorTo(t, BUCKETS[size]);
}

/** Start of the bucket after the one starting at `start`. */
export function nextTrendBucket(start: number, size: TrendBucket, timeZone: string): number {
  if (size === '1w') {
    let t = start;
    for (let i = 0; i < 7; i++) t = nextLocalDay(t, timeZone);
    return t;
  }
  if (size === '1d') return nextLocalDay(start, timeZone);
  return start + BUCKETS[size];
}

/** Start of the bucket before the one starting at `start`. */
export function previousTrendBucket(start: number, size: TrendBucket, timeZone: string): number {
  return trendBucketStart(start - 1, size, timeZone);
}

/** The bucket size the counts are read in for a trend bucket (weeks are summed from days). */
export function readSize(size: TrendBucket): BucketSize {
  return size === '1w' ? '1d' : size;
}

/** A run of buckets: [from, to), and each bucket's start, oldest first. */
export interface Period {
  from: number;
  to: number;
  starts: number[];
}

/**
 * The buckets covering [since, until): from the start of the bucket holding `since` to the end
 * of the bucket holding the last instant before `until`. Empty when `until` <= `since`.
 */
export function periodOf(
  since: number,
  until: number,
  size: TrendBucket,
  timeZone: string,
): Period {
  const from = trendBucketStart(since, size, timeZone);
  if (until <= since) return { from, to: from, starts: [] };
  const starts: number[] = [];
  let t = from;
  for (; t < until; t = nextTrendBucket(t, size, timeZone)) starts.push(t);
  return { from, to: t, starts };
}

/** The period of as many buckets ending where `p` starts. */
export function previousPeriod(p: Period, size: TrendBucket, timeZone: string): Period {
  const starts: number[] = [];
  let t = p.from;
  for (let i = 0; i < p.starts.length; i++) {
    t = previousTrendBucket(t, size, timeZone);
    starts.push(t);
  }
  starts.reverse();
  return { from: starts[0] ?? p.from, to: p.from, starts };
}

/** A bucket's or a period's sums. */
export interface Sums {
  volume: number;
  negative: number;
  positive: number;
  sentimentSum: number;
  audience: number;
  negativeReach: number;
}

/** The figures people read, from sums. */
export interface Figures {
  volume: number;
  negative: number;
  positive: number;
  /** Negatives over volume (0 to 1); null without mentions. */
  negativeShare: number | null;
  /** Mean sentiment score (-1 to 1); null without mentions. */
  meanSentiment: number | null;
  /** People the mentions could reach (their estimated audiences summed). */
  reach: number;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

export function figuresOf(s: Sums): Figures {
  return {
    volume: s.volume,
    negative: s.negative,
    positive: s.positive,
    negativeShare: s.volume > 0 ? round(s.negative / s.volume, 4) : null,
    meanSentiment: s.volume > 0 ? round(s.sentimentSum / s.volume, 4) : null,
    reach: Math.round(s.audience),
  };
}

/** Sums of buckets. */
class Accumulator {
  volume = 0;
  negative = 0;
  positive = 0;
  sentimentSum = 0;
  audience = 0;
  negativeReach = 0;

  add(b: CountBucket): void {
    this.volume += b.volume;
    this.negative += b.negative;
    this.positive += b.positive;
    this.sentimentSum += b.sentimentSum;
    this.audience += b.audience;
    this.negativeReach += b.negativeReach;
  }

  sums(): Sums {
    return {
      volume: this.volume,
      negative: this.negative,
      positive: this.positive,
      sentimentSum: round(this.sentimentSum, 4),
      audience: this.audience,
      negativeReach: round(this.negativeReach, 3),
    };
  }
}

/** One point of a trend: its bucket's start and figures. */
export interface TrendPoint extends Figures {
  start: Date;
  /** The negatives' reach score (log-scaled, src/analysis/reach.ts), summed: what alerts weigh. */
  negativeReach: number;
}

/** One key's points over a period (gaps as zeros) and its totals. */
export interface KeyTrend {
  totals: Figures;
  data: TrendPoint[];
}

/**
 * One key's trend over `period` from counts read in `readSize(size)` buckets: buckets of other
 * keys or outside the period are ignored; several read buckets in one trend bucket (days of a
 * week) are summed.
 */
export function trendOf(
  buckets: readonly CountBucket[],
  key: string,
  period: Period,
  size: TrendBucket,
  timeZone: string,
): KeyTrend {
  const at = new Map(period.starts.map((t) => [t, new Accumulator()]));
  const total = new Accumulator();
  for (const b of buckets) {
    if (b.key !== key) continue;
    const t = b.start.getTime();
    if (t < period.from || t >= period.to) continue;
    at.get(trendBucketStart(t, size, timeZone))?.add(b);
    total.add(b);
  }
  return {
    totals: figuresOf(total.sums()),
    data: period.starts.map((t) => {
      const s = at.get(t)!.sums();
      return { start: new Date(t), ...figuresOf(s), negativeReach: s.negativeReach };
    }),
  };
}

/** How a period compares with the previous one. */
export interface Change {
  /** Relative change of the volume (0.25: a quarter more); null when the previous had none. */
  volume: number | null;
  /** Difference of the negative shares (0.05: five points more); null when either had none. */
  negativeShare: number | null;
  /** Difference of the mean sentiments; null when either had none. */
  meanSentiment: number | null;
  /** Relative change of the reach; null when the previous had none. */
  reach: number | null;
}

export function changeOf(now: Figures, before: Figures): Change {
  const rel = (a: number, b: number) => (b > 0 ? round((a - b) / b, 4) : null);
  const diff = (a: number | null, b: number | null) =>
    a === null || b === null ? null : round(a - b, 4);
  return {
    volume: rel(now.volume, before.volume),
    negativeShare: diff(now.negativeShare, before.negativeShare),
    meanSentiment: diff(now.meanSentiment, before.meanSentiment),
    reach: rel(now.reach, before.reach),
  };
}
