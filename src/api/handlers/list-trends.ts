import { z } from 'zod';
import { BUCKETS, bucketStart, DAY_MS, nextBucket } from '../../domain/calendar.js';
import { zeroFilled, type Bucket } from '../../store/counts-repository.js';
import { errorResponse, type HandlerResult } from '../errors.js';
import { isoDateParam, parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const querySchema = z
  .object({
    dim: z.enum(['touchpoint', 'stage', 'source', 'all']).default('touchpoint'),
    key: z
      .string()
      .regex(/^[\w.:-]{1,100}$/)
      .optional(),
    bucket: z.enum(['15m', '1h', '1d']).default('1h'),
    since: isoDateParam,
    until: isoDateParam,
  })
  .strict();

/** A chart of more points than this is unreadable, and its facts a needless load on the store. */
const MAX_POINTS = 2_000;

/**
 * Mention counts over event time, per key of one dimension (touchpoints by default), one point
 * per bucket with empty buckets as zeros, for charts: `until` defaults to now and `since` to 7
 * days (15m: 1 day) before it. Daily buckets are local days of the brand's time zone
 * (`brand.timeZone` in touchpoints.yaml). Mentions the watch query excluded are not counted.
 */
export async function listTrendsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const q = parseInput(querySchema, req.query, 'query');
  // Days are the brand's; shorter buckets are the same everywhere.
  const timeZone = deps.settings.timeZone;
  const until = q.until ?? new Date();
  const since = q.since ?? new Date(until.getTime() - (q.bucket === '15m' ? 1 : 7) * DAY_MS);
  const from = bucketStart(since, q.bucket, timeZone).getTime();
  const last = bucketStart(new Date(until.getTime() - 1), q.bucket, timeZone).getTime();
  const to = nextBucket(last, q.bucket, timeZone);
  const points = Math.round((to - from) / BUCKETS[q.bucket]);
  if (points <= 0 || points > MAX_POINTS) {
    return errorResponse(
      400,
      'validation_failed',
      `query: since..until must span 1 to ${MAX_POINTS} buckets of ${q.bucket} (asked ${points})`,
    );
  }
  const buckets = await deps.counts.range({
    dim: q.dim,
    ...(q.key ? { key: q.key } : {}),
    size: q.bucket,
    from: new Date(from),
    to: new Date(to),
    timeZone,
  });
  const keys = [...new Set(buckets.map((b) => b.key))];
  const series = keys.map((key) => {
    const filled = zeroFilled(buckets, { dim: q.dim, key, size: q.bucket, from, to, timeZone });
    const total = (f: (b: Bucket) => number) => filled.reduce((sum, b) => sum + f(b), 0);
    return {
      key,
      totals: {
        volume: total((b) => b.volume),
        negative: total((b) => b.negative),
        positive: total((b) => b.positive),
      },
      data: filled.map((b) => ({
        start: b.start,
        volume: b.volume,
        negative: b.negative,
        positive: b.positive,
        negativeAuthors: b.negativeAuthors,
        negativeSources: b.negativeSources,
        negativeReach: b.negativeReach,
      })),
    };
  });
  series.sort((a, b) => b.totals.negative - a.totals.negative || a.key.localeCompare(b.key));
  return {
    status: 200,
    body: {
      dim: q.dim,
      bucket: q.bucket,
      timeZone,
      since: new Date(from),
      until: new Date(to),
      data: series,
    },
  };
}
