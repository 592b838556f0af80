/**
 * Trends for marketers: per touchpoint, stage, source, competitor or overall, the volume,
 * negative share, mean sentiment and reach by quarter, hour, local day or local week, with the
 * previous period of the same length beside each series. Read from the counts' day documents by
 * `_id` only (src/store/counts-repository.ts), never from the mentions: the cost is a few
 * lookups per key and day, whatever the history holds.
 */
import { z } from 'zod';
import { DAY_MS } from '../../domain/calendar.js';
import {
  changeOf,
  periodOf,
  previousPeriod,
  readSize,
  trendOf,
  TREND_BUCKETS,
  type Period,
  type TrendBucket,
} from '../../insights/trends.js';
import type { Dimension } from '../../store/counts-repository.js';
import { errorResponse } from '../errors.js';
import { defineRoute } from '../route.js';
import { isoDateParam, isoString } from '../schemas.js';
import type { ApiDeps } from './_deps.js';

/** A chart of more points than this is unreadable, and its facts a needless load on the store. */
export const MAX_POINTS = 2_000;
/** Days of counts one period may span (each is a lookup per key). */
export const MAX_DAYS = 400;

const DIMENSIONS = ['touchpoint', 'stage', 'source', 'all', 'brand'] as const satisfies Dimension[];

/** The span asked for when `since` is not given. */
const DEFAULT_SPAN: Record<TrendBucket, number> = {
  '15m': DAY_MS,
  '1h': 7 * DAY_MS,
  '1d': 7 * DAY_MS,
  '1w': 12 * 7 * DAY_MS,
};

/** `previous=false` leaves the previous period out (half the reads). */
export const previousParam = z
  .enum(['true', 'false'])
  .default('true')
  .transform((v) => v === 'true')
  .describe('Whether to give the previous period of the same length beside each series.');

const querySchema = z
  .object({
    dim: z.enum(DIMENSIONS).default('touchpoint').describe('`brand`: the competitors, by id.'),
    key: z
      .string()
      .regex(/^[\w.:-]{1,100}$/)
      .optional()
      .describe('One key of the dimension; default: every key with mentions.'),
    bucket: z
      .enum(TREND_BUCKETS)
      .default('1h')
      .describe("Quarter, hour, the brand's local day, or its local week (Monday to Sunday)."),
    since: isoDateParam.describe(
      'Start (default: until less 1 day for 15m, 7 days, 12 weeks for 1w).',
    ),
    until: isoDateParam.describe('End, exclusive (default: now).'),
    previous: previousParam,
  })
  .strict();

const nullableRatio = z.number().nullable();

/** A bucket's or a period's figures. */
export const figuresSchema = z.object({
  volume: z.number().int(),
  negative: z.number().int(),
  positive: z.number().int(),
  negativeShare: nullableRatio.describe('Negatives over volume (0 to 1); null without mentions.'),
  meanSentiment: nullableRatio.describe('Mean sentiment score (-1 to 1); null without mentions.'),
  reach: z.number().describe('People the mentions could reach: their estimated audiences summed.'),
});

export const trendPointSchema = figuresSchema.extend({
  start: isoString,
  negativeReach: z.number().describe("The negatives' log-scaled reach scores, summed."),
});

export const changeSchema = z
  .object({
    volume: nullableRatio.describe('Relative change (0.25: a quarter more).'),
    negativeShare: nullableRatio.describe('Difference of the shares (0.05: five points more).'),
    meanSentiment: nullableRatio.describe('Difference of the means.'),
    reach: nullableRatio.describe('Relative change.'),
  })
  .describe('Against the previous period; null where it cannot be said.');

export const spanSchema = z.object({ since: isoString, until: isoString });

const trendsSchema = z.object({
  dim: z.enum(DIMENSIONS),
  bucket: z.enum(TREND_BUCKETS),
  timeZone: z.string(),
  since: isoString,
  until: isoString,
  previous: spanSchema.nullable(),
  data: z.array(
    z.object({
      key: z.string(),
      totals: figuresSchema,
      data: z.array(trendPointSchema),
      previous: z
        .object({ totals: figuresSchema, data: z.array(trendPointSchema) })
        .nullable()
        .describe("The previous period: as many buckets, lined up with `data`'s by index."),
      change: changeSchema.nullable(),
    }),
  ),
});

/** The period asked for, and the previous one, or a reason to refuse. */
export function periodsOf(
  q: { bucket: TrendBucket; since?: Date | undefined; until?: Date | undefined; previous: boolean },
  timeZone: string,
  now: Date,
  defaultSpan: number = DEFAULT_SPAN[q.bucket],
): { period: Period; previous: Period | null } | { refused: string } {
  const until = (q.until ?? now).getTime();
  const since = q.since?.getTime() ?? until - defaultSpan;
  const period = periodOf(since, until, q.bucket, timeZone);
  const points = period.starts.length;
  if (points <= 0 || points > MAX_POINTS || period.to - period.from > MAX_DAYS * DAY_MS) {
    return {
      refused: `query: since..until must span 1 to ${MAX_POINTS} buckets of ${q.bucket} and at most ${MAX_DAYS} days (asked ${points} buckets)`,
    };
  }
  return { period, previous: q.previous ? previousPeriod(period, q.bucket, timeZone) : null };
}

/** The counts over both periods (they are contiguous: one read). */
export function readBoth(
  deps: ApiDeps,
  q: { dim: Dimension; key?: string; bucket: TrendBucket },
  period: Period,
  previous: Period | null,
) {
  return deps.counts.sums({
    dim: q.dim,
    ...(q.key ? { key: q.key } : {}),
    size: readSize(q.bucket),
    from: new Date(previous?.from ?? period.from),
    to: new Date(period.to),
    timeZone: deps.settings.timeZone,
  });
}

export const listTrends = defineRoute({
  method: 'get',
  path: '/api/v1/trends',
  access: 'viewer',
  tag: 'Trends',
  summary: 'Volume, negative share, mean sentiment and reach over time, with the previous period',
  description:
    "One series per key of the dimension (every key with mentions in either period, most negatives first), one point per bucket with empty buckets as zeros. Days and weeks are the brand's (`brand.timeZone`); weeks start on Monday. `previous` holds the period of as many buckets just before, its points lined up with `data`'s by index. Mentions the watch query excluded count only under the competitors they name (`dim=brand`).",
  query: querySchema,
  responses: { 200: { description: 'The series.', schema: trendsSchema } },
  handler: async ({ query: q }, deps) => {
    const timeZone = deps.settings.timeZone;
    const periods = periodsOf(q, timeZone, new Date());
    if ('refused' in periods) return errorResponse(400, 'validation_failed', periods.refused);
    const { period, previous } = periods;
    const buckets = await readBoth(deps, q, period, previous);
    const keys = q.key ? [q.key] : [...new Set(buckets.map((b) => b.key))];
    const series = keys.map((key) => {
      const now = trendOf(buckets, key, period, q.bucket, timeZone);
      const before = previous ? trendOf(buckets, key, previous, q.bucket, timeZone) : null;
      return {
        key,
        ...now,
        previous: before,
        change: before ? changeOf(now.totals, before.totals) : null,
      };
    });
    // A key asked for by name is answered even without mentions; otherwise keys with some.
    const shown = q.key
      ? series
      : series.filter((s) => s.totals.volume > 0 || (s.previous?.totals.volume ?? 0) > 0);
    shown.sort((a, b) => b.totals.negative - a.totals.negative || a.key.localeCompare(b.key));
    return {
      status: 200,
      body: {
        dim: q.dim,
        bucket: q.bucket,
        timeZone,
        since: new Date(period.from),
        until: new Date(period.to),
        previous: previous
          ? { since: new Date(previous.from), until: new Date(previous.to) }
          : null,
        data: shown,
      },
    };
  },
});
