import { z } from 'zod';
import { sourceIdSchema } from '../../../config/index.js';
import type { Mention } from '../../domain/mention.js';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const querySchema = z
  .object({
    source: sourceIdSchema.optional(),
    since: z.iso
      .datetime({ offset: true })
      .transform((s) => new Date(s))
      .optional(),
    until: z.iso
      .datetime({ offset: true })
      .transform((s) => new Date(s))
      .optional(),
    sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(200).optional(),
  })
  .strict();

/** Newest first by publication time; `nextCursor` fetches the following page. */
export async function listMentionsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const q = parseInput(querySchema, req.query, 'query');
  const page = await deps.mentions.list({
    limit: q.limit,
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
  };
}
