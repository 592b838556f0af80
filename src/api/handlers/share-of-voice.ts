/**
 * Share of voice: the brand against the competitors of touchpoints.yaml (`brand.competitors`),
 * each brand's mentions, share, negative share and mean sentiment over a period and by bucket,
 * with the previous period beside them. Read from the counts' day documents by `_id` only: the
 * brand's from the overall counts, each competitor's from its `brand` counts.
 */
import { z } from 'zod';
import { OWN_BRAND_ID } from '../../analysis/brand.js';
import { DAY_MS } from '../../domain/calendar.js';
import { shareOfVoice } from '../../insights/share-of-voice.js';
import { changeOf, trendOf, TREND_BUCKETS, type Period } from '../../insights/trends.js';
import { errorResponse } from '../errors.js';
import { defineRoute } from '../route.js';
import { isoDateParam, isoString } from '../schemas.js';
import type { ApiDeps } from './_deps.js';
import {
  changeSchema,
  figuresSchema,
  periodsOf,
  previousParam,
  readBoth,
  spanSchema,
  trendPointSchema,
} from './list-trends.js';

const querySchema = z
  .object({
    bucket: z
      .enum(TREND_BUCKETS)
      .default('1d')
      .describe("Quarter, hour, the brand's local day, or its local week (Monday to Sunday)."),
    since: isoDateParam.describe('Start (default: until less 30 days; 1 day for 15m).'),
    until: isoDateParam.describe('End, exclusive (default: now).'),
    previous: previousParam,
  })
  .strict();

const share = z.number().nullable().describe("Of all the brands' mentions (0 to 1).");
const voiceFigures = figuresSchema.extend({ share });

const shareOfVoiceSchema = z.object({
  bucket: z.enum(TREND_BUCKETS),
  timeZone: z.string(),
  since: isoString,
  until: isoString,
  previous: spanSchema.nullable(),
  data: z.array(
    z.object({
      id: z.string().describe(`"${OWN_BRAND_ID}" for the brand, else the competitor's id.`),
      name: z.string(),
      own: z.boolean(),
      totals: voiceFigures,
      data: z.array(trendPointSchema.extend({ share })),
      previous: z
        .object({ totals: voiceFigures, data: z.array(trendPointSchema.extend({ share })) })
        .nullable(),
      change: changeSchema
        .extend({ share: z.number().nullable().describe('Difference of the shares.') })
        .nullable(),
    }),
  ),
});

/** Each brand's counts over one period, with its share. */
async function voices(
  deps: ApiDeps,
  bucket: (typeof TREND_BUCKETS)[number],
  period: Period,
  previous: Period | null,
) {
  const timeZone = deps.settings.timeZone;
  const brands = deps.settings.brands ?? [{ id: OWN_BRAND_ID, name: '', own: true }];
  const read = await Promise.all(
    brands.map((b) =>
      readBoth(
        deps,
        b.own ? { dim: 'all', key: 'all', bucket } : { dim: 'brand', key: b.id, bucket },
        period,
        previous,
      ),
    ),
  );
  const over = (p: Period) =>
    shareOfVoice(
      brands.map((b, i) => ({
        ...b,
        trend: trendOf(read[i] ?? [], b.own ? 'all' : b.id, p, bucket, timeZone),
      })),
    );
  return { now: over(period), before: previous ? over(previous) : null };
}

export const getShareOfVoice = defineRoute({
  method: 'get',
  path: '/api/v1/share-of-voice',
  access: 'viewer',
  tag: 'Trends',
  summary: 'Share of voice: the brand against its competitors, with the previous period',
  description:
    "The brand first, then its competitors (touchpoints.yaml `brand.competitors`). The brand's mentions are every mention about it; a competitor's, the mentions naming it (matched like the brand's names), whether or not they pass the watch query. A mention naming two brands counts for both: shares are of mentions of brands. Days and weeks are the brand's.",
  query: querySchema,
  responses: { 200: { description: 'Each brand.', schema: shareOfVoiceSchema } },
  handler: async ({ query: q }, deps) => {
    const timeZone = deps.settings.timeZone;
    const periods = periodsOf(q, timeZone, new Date(), q.bucket === '15m' ? DAY_MS : 30 * DAY_MS);
    if ('refused' in periods) return errorResponse(400, 'validation_failed', periods.refused);
    const { period, previous } = periods;
    const { now, before } = await voices(deps, q.bucket, period, previous);
    return {
      status: 200,
      body: {
        bucket: q.bucket,
        timeZone,
        since: new Date(period.from),
        until: new Date(period.to),
        previous: previous
          ? { since: new Date(previous.from), until: new Date(previous.to) }
          : null,
        data: now.map((b, i) => {
          const p = before?.[i];
          return {
            ...b,
            previous: p ? { totals: p.totals, data: p.data } : null,
            change: p
              ? {
                  ...changeOf(b.totals, p.totals),
                  share:
                    b.totals.share === null || p.totals.share === null
                      ? null
                      : Math.round((b.totals.share - p.totals.share) * 10_000) / 10_000,
                }
              : null,
          };
        }),
      },
    };
  },
});
