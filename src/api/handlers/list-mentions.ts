import { z } from 'zod';
import { sourceIdSchema } from '../../domain/vocabulary.js';
import type { Mention } from '../../domain/mention.js';
import type { HandlerResult } from '../errors.js';
import { isoDateParam, parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const baseQuery = z
  .object({
    source: sourceIdSchema.optional(),
    since: isoDateParam,
    until: isoDateParam,
    sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
    lang: z
      .string()
      .regex(/^[a-z]{2,3}$/, 'expected a language code such as "fr"')
      .optional(),
    relevant: z.enum(['true', 'false', 'all']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** The query, with touchpoints and stages checked against the configured journey. */
function querySchema(touchpoints: { id: string; stage: string }[]) {
  const ids = touchpoints.map((t) => t.id);
  const stages = [...new Set(touchpoints.map((t) => t.stage))];
  return baseQuery.extend({
    touchpoint: z
      .string()
      .refine((v) => ids.includes(v), `unknown touchpoint; configured: ${ids.join(', ')}`)
      .optional(),
    stage: z
      .string()
      .refine((v) => stages.includes(v), `unknown stage; configured: ${stages.join(', ')}`)
      .optional(),
  });
}

/**
 * Newest first by publication time; `nextCursor` fetches the following page. With `touchpoint`
 * or `stage`, `sentiment` filters on the sentiment about that touchpoint or stage. Mentions the
 * watch query excluded are left out unless `relevant=false` or `relevant=all`.
 */
export async function listMentionsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const q = parseInput(querySchema(deps.settings.touchpoints), req.query, 'query');
  const page = await deps.mentions.list({
    limit: q.limit,
    ...(q.touchpoint ? { touchpoint: q.touchpoint } : {}),
    ...(q.stage ? { stage: q.stage } : {}),
    ...(q.lang ? { lang: q.lang } : {}),
    ...(q.relevant ? { relevant: q.relevant === 'all' ? 'all' : q.relevant === 'true' } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.since ? { since: q.since } : {}),
    ...(q.until ? { until: q.until } : {}),
    ...(q.sentiment ? { sentiment: q.sentiment } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return { status: 200, body: { data: page.mentions.map(toJson), nextCursor: page.nextCursor } };
}

/** The wire shape: the input fields as sent, plus what Maillon added. */
export function toJson(m: Mention) {
  return {
    id: m.id,
    source: m.source,
    externalId: m.externalId,
    url: m.url,
    author: m.author,
    ...(m.title !== undefined ? { title: m.title } : {}),
    text: m.text,
    ...(m.lang !== undefined ? { lang: m.lang } : {}),
    publishedAt: m.publishedAt.toISOString(),
    ...(m.rating !== undefined ? { rating: m.rating } : {}),
    ...(m.engagement !== undefined ? { engagement: m.engagement } : {}),
    fetchedAt: m.fetchedAt.toISOString(),
    status: m.status,
    sentiment: m.sentiment ?? null,
    ...(m.status === 'analyzed'
      ? {
          langConfidence: m.langConfidence ?? null,
          langDeclared: m.langDeclared ?? null,
          relevant: m.relevant ?? true,
          touchpoints: m.touchpoints ?? [],
          stages: m.stages ?? [],
          reach: m.reach ?? null,
        }
      : {}),
  };
}
