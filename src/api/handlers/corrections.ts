/**
 * Corrections: a manager says how a mention should have been read; the counts, trends, journey
 * and open alerts follow (src/ingest/correct.ts). The corrections kept measure the reader: the
 * quality report says, per language and touchpoint, how often it agreed with people.
 */
import { z } from 'zod';
import { qualityOf } from '../../analysis/correction.js';
import { sentimentLabelSchema } from '../../domain/vocabulary.js';
import { ValidationError } from '../../errors.js';
import { correctMention } from '../../ingest/correct.js';
import { defineRoute } from '../route.js';
import { isoDateParam, isoString, listOf, objectIdParam } from '../schemas.js';
import { toJson } from './list-mentions.js';

const readingSchema = z.object({
  sentiment: sentimentLabelSchema,
  touchpoints: z.array(z.object({ id: z.string(), label: sentimentLabelSchema })),
  relevant: z.boolean(),
});

const correctionBody = z
  .object({
    sentiment: sentimentLabelSchema.optional().describe('The overall sentiment.'),
    touchpoints: z
      .array(
        z
          .object({
            id: z.string().max(100).describe('A configured touchpoint.'),
            label: sentimentLabelSchema.describe('The sentiment about it.'),
          })
          .strict(),
      )
      .max(50)
      .optional()
      .describe("The touchpoints it speaks of (replaces the reader's; [] for none)."),
    relevant: z.boolean().optional().describe('False: not about the brand (a homonym, a job ad).'),
    note: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine(
    (b) => b.sentiment !== undefined || b.touchpoints !== undefined || b.relevant !== undefined,
    { message: 'correct at least one of sentiment, touchpoints, relevant' },
  );

const correctionSchema = z
  .object({
    id: z.string(),
    mentionId: z.string(),
    version: z.number(),
    lang: z.string(),
    at: isoString,
    by: z.string(),
    byId: z.string(),
    before: readingSchema,
    after: readingSchema.partial(),
    note: z.string().optional(),
  })
  .meta({ id: 'Correction' });

export const correctMentionRoute = defineRoute({
  method: 'post',
  path: '/api/v1/mentions/:id/corrections',
  access: 'manager',
  tag: 'Mentions',
  summary: "Correct a mention's sentiment, touchpoints or relevance",
  description:
    "The corrected reading becomes the mention's next version: its counts move from the old reading to the new one exactly once (the count job runs within seconds), the trends and the journey map follow, and the detector looks again at the touchpoints concerned, so an open alert grows, calms or resolves. The correction is kept, with who made it.",
  params: objectIdParam,
  body: correctionBody,
  responses: {
    201: {
      description: 'The mention as corrected, and the correction kept.',
      schema: z.object({
        mention: z.record(z.string(), z.unknown()),
        correction: correctionSchema,
      }),
    },
  },
  handler: async ({ params, body, user }, deps) => {
    const known = new Map(deps.settings.touchpoints.map((t) => [t.id, t.stage]));
    const unknown = (body.touchpoints ?? []).filter((t) => !known.has(t.id));
    if (unknown.length > 0)
      throw new ValidationError(
        'body',
        unknown.map((t) => ({
          path: 'touchpoints',
          message: `unknown touchpoint ${t.id}; configured: ${[...known.keys()].join(', ')}`,
        })),
      );
    const { mention, correction } = await correctMention(
      {
        mentions: deps.mentions,
        counts: deps.acceptDeps.counts,
        corrections: deps.corrections,
        enqueueCount: () => deps.acceptDeps.enqueueCount(),
        stageOf: (id) => known.get(id) ?? 'unknown',
        now: () => new Date(),
      },
      params.id,
      body,
      { id: user!.id, name: user!.name },
    );
    return { status: 201, body: { mention: toJson(mention), correction } };
  },
});

export const listCorrections = defineRoute({
  method: 'get',
  path: '/api/v1/mentions/:id/corrections',
  access: 'viewer',
  tag: 'Mentions',
  summary: "A mention's corrections, oldest first",
  params: objectIdParam,
  responses: { 200: { description: 'The corrections.', schema: listOf(correctionSchema) } },
  handler: async ({ params }, deps) => ({
    status: 200,
    body: { data: await deps.corrections.ofMention(params.id) },
  }),
});

const agreementSchema = z.object({
  judged: z.number(),
  agreed: z.number(),
  rate: z.number().nullable(),
});

export const getQuality = defineRoute({
  method: 'get',
  path: '/api/v1/analysis/quality',
  access: 'viewer',
  tag: 'Mentions',
  summary: "How often the reader agrees with people's corrections, per language and touchpoint",
  description:
    "Each correction judges only what it states: a sentiment-only correction says nothing of the touchpoints. For touchpoints, `kept` is the share of the reader's links that people kept (precision on corrected mentions), `found` the share of people's links it had found (recall), `polarity` how often both agreed on the sentiment about it. Read over the latest corrections (at most `limit`).",
  query: z
    .object({
      since: isoDateParam.describe('Corrections made at or after.'),
      limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
    })
    .strict(),
  responses: {
    200: {
      description: 'The agreement.',
      schema: z.object({
        corrections: z.number(),
        byLanguage: z.array(
          z.object({
            lang: z.string(),
            corrections: z.number(),
            sentiment: agreementSchema,
            relevance: agreementSchema,
            touchpointsKept: agreementSchema,
            touchpointsFound: agreementSchema,
          }),
        ),
        byTouchpoint: z.array(
          z.object({
            touchpoint: z.string(),
            kept: agreementSchema,
            found: agreementSchema,
            polarity: agreementSchema,
          }),
        ),
      }),
    },
  },
  handler: async ({ query }, deps) => {
    const kept = await deps.corrections.latest({
      limit: query.limit,
      ...(query.since ? { since: query.since } : {}),
    });
    return { status: 200, body: qualityOf(kept) };
  },
});

export const correctionRoutes = [correctMentionRoute, listCorrections, getQuality];
