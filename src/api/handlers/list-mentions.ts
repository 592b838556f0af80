/**
 * The mention explorer: full-text search and every filter over the stored mentions, newest or
 * oldest first, paged by cursor, each mention with the spans to highlight; and one mention by id.
 *
 * Nothing here scans the mentions: the ids come from the index the count drain keeps
 * (src/store/postings-repository.ts, keys from src/analysis/search-terms.ts), walked day by day
 * from the cursor, and the page's mentions are read by `_id`. What the index cannot decide alone
 * (phrases, excluded phrases, a rating range) is checked on the mentions read. A walk that reads
 * too many days without filling its page (a rare word over years) stops and says how far it went
 * (`searchedUntil`), with a cursor that goes on from there.
 */
import { z } from 'zod';
import {
  highlightsOf,
  matchesSearch,
  needsCheck,
  parseSearch,
  planOf,
  type Highlight,
  type MentionFilters,
  type ParsedSearch,
} from '../../analysis/search-terms.js';
import type { Mention } from '../../domain/mention.js';
import { sentimentLabelSchema, sourceIdSchema } from '../../domain/vocabulary.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { IndexEntry } from '../../store/postings-repository.js';
import type { HandlerResult } from '../errors.js';
import { defineRoute } from '../route.js';
import { cursorParam, isoDateParam, isoString, limitParam, objectIdParam } from '../schemas.js';
import type { ApiDeps } from './_deps.js';

// ----- schemas ---------------------------------------------------------------------------------

const star = z.coerce.number().int().min(1).max(5);

/** The explorer's filters: the list's and the export's query. */
export const mentionFiltersSchema = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Search: every word must be there (any form of it: `livraison` finds "livraisons", in French and English), "quoted phrases" exactly, `-word` or `-"phrase"` must not be.',
    ),
  source: sourceIdSchema.optional().describe('One source id.'),
  touchpoint: z
    .string()
    .max(64)
    .optional()
    .describe(
      'A configured touchpoint id (GET /api/v1/touchpoints); with `sentiment`, the sentiment about it.',
    ),
  stage: z
    .string()
    .max(64)
    .optional()
    .describe('A journey stage; with `sentiment`, the sentiment about its touchpoints.'),
  lang: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'expected a language code such as "fr"')
    .optional()
    .describe('Language code, as read at the door (`und` when unknown).'),
  sentiment: sentimentLabelSchema
    .optional()
    .describe('Overall, or about the touchpoint or stage when one is given.'),
  rating: star.optional().describe('Reviews of exactly this many stars (1-5).'),
  ratingMin: star.optional().describe('Reviews of at least this many stars.'),
  ratingMax: star.optional().describe('Reviews of at most this many stars.'),
  author: z.string().trim().min(1).max(256).optional().describe("The author's id on the source."),
  since: isoDateParam.describe('Published at or after (ISO 8601 with offset).'),
  until: isoDateParam.describe('Published before (ISO 8601 with offset).'),
  relevant: z
    .enum(['true', 'false', 'all'])
    .optional()
    .describe('Default `true`: the mentions the watch query kept; `false`: those it excluded.'),
  sort: z.enum(['newest', 'oldest']).default('newest').describe('By publication time.'),
});

/** `rating` alone, or a `ratingMin`..`ratingMax` range in order. */
export function checkRatings(
  q: {
    rating?: number | undefined;
    ratingMin?: number | undefined;
    ratingMax?: number | undefined;
  },
  ctx: z.RefinementCtx,
) {
  if (q.rating !== undefined && (q.ratingMin !== undefined || q.ratingMax !== undefined))
    ctx.addIssue({
      code: 'custom',
      path: ['rating'],
      message: 'give rating, or ratingMin/ratingMax',
    });
  if (q.ratingMin !== undefined && q.ratingMax !== undefined && q.ratingMin > q.ratingMax)
    ctx.addIssue({ code: 'custom', path: ['ratingMin'], message: 'ratingMin is above ratingMax' });
}

export const listMentionsQuery = mentionFiltersSchema
  .extend({ limit: limitParam(200, 50), cursor: cursorParam })
  .strict()
  .superRefine(checkRatings);

const sentimentJson = z.object({
  score: z.number().describe('In [-1, 1].'),
  label: sentimentLabelSchema,
  confidence: z.number(),
  method: z.string(),
});

export const highlightSchema = z
  .object({
    field: z.enum(['title', 'text']),
    start: z.number().int().describe('UTF-16 offset of the first character.'),
    end: z.number().int().describe('UTF-16 offset after the last character.'),
    kind: z.enum(['search', 'touchpoint']),
    touchpoint: z.string().optional().describe('For `touchpoint`: which one matched there.'),
  })
  .describe('A span to highlight. Offsets into the field as sent; the client escapes the text.');

/** A mention as the API sends it. */
export const mentionJsonSchema = z
  .object({
    id: z.string(),
    source: z.string(),
    externalId: z.string(),
    url: z.string(),
    author: z.object({ id: z.string(), name: z.string(), followers: z.number().optional() }),
    title: z.string().optional(),
    text: z.string().describe('As the source sent it: untrusted, never markup.'),
    lang: z.string().optional(),
    publishedAt: isoString,
    rating: z.number().optional(),
    engagement: z
      .object({
        likes: z.number().optional(),
        shares: z.number().optional(),
        replies: z.number().optional(),
      })
      .optional(),
    fetchedAt: isoString,
    status: z.enum(['received', 'analyzed']),
    sentiment: sentimentJson.nullable(),
    langConfidence: z.number().nullable().optional(),
    langDeclared: z.boolean().nullable().optional(),
    relevant: z.boolean().optional(),
    touchpoints: z
      .array(
        z.object({
          id: z.string(),
          stage: z.string(),
          sentiment: sentimentJson,
          matched: z.array(z.string()).describe('The configured keywords that matched.'),
        }),
      )
      .optional(),
    stages: z.array(z.string()).optional(),
    reach: z.object({ audience: z.number(), score: z.number() }).nullable().optional(),
    crossPostOf: z.string().optional().describe('The first post of this text by this author.'),
    version: z.number().optional().describe('Edits seen.'),
    correctedAt: z.iso.datetime().optional().describe('When a person last corrected its reading.'),
    correctedBy: z.string().nullable().optional().describe('Who did.'),
    highlights: z.array(highlightSchema).optional(),
  })
  .meta({ id: 'Mention' });

export const mentionPageSchema = z.object({
  data: z.array(mentionJsonSchema),
  nextCursor: z.string().nullable().describe('Null on the last page.'),
  searchedUntil: isoString
    .optional()
    .describe(
      'Present when the search stopped before filling the page (a rare match over a long time): it went this far back (forward with sort=oldest); `nextCursor` goes on from there.',
    ),
});

// ----- the search ------------------------------------------------------------------------------

/**
 * Day documents a page may read before it answers with what it has (`searchedUntil`): about
 * 150 ms on the bundled server, two words that are each in every day's mentions but never
 * together searched over two months.
 */
const PAGE_READS = 120;
/** Mentions read and found not to match (phrases...) before a page answers with what it has. */
const PAGE_REJECTS = 1_000;

type FiltersQuery = z.output<typeof mentionFiltersSchema>;

/** The query as the search runs it, with touchpoints and stages checked against the journey. */
export interface MentionSearch {
  filters: MentionFilters & { q?: ParsedSearch };
  order: 'newest' | 'oldest';
  since?: number;
  until?: number;
  after?: IndexEntry;
}

export function searchOf(
  q: FiltersQuery,
  deps: { settings: Pick<ApiDeps['settings'], 'touchpoints'> },
  cursor?: string,
) {
  const tps = deps.settings.touchpoints;
  const ids = tps.map((t) => t.id);
  const stages: string[] = [...new Set(tps.map((t) => t.stage))];
  if (q.touchpoint !== undefined && !ids.includes(q.touchpoint))
    throw new ValidationError('query', [
      { path: 'touchpoint', message: `unknown touchpoint; configured: ${ids.join(', ')}` },
    ]);
  if (q.stage !== undefined && !stages.includes(q.stage))
    throw new ValidationError('query', [
      { path: 'stage', message: `unknown stage; configured: ${stages.join(', ')}` },
    ]);
  const filters: MentionFilters = {
    ...(q.q !== undefined ? { q: parseSearch(q.q) } : {}),
    ...(q.source !== undefined ? { source: q.source } : {}),
    ...(q.touchpoint !== undefined ? { touchpoint: q.touchpoint } : {}),
    ...(q.stage !== undefined ? { stage: q.stage } : {}),
    ...(q.lang !== undefined ? { lang: q.lang } : {}),
    ...(q.sentiment !== undefined ? { sentiment: q.sentiment } : {}),
    ...(q.rating !== undefined ? { rating: q.rating } : {}),
    ...(q.ratingMin !== undefined ? { ratingMin: q.ratingMin } : {}),
    ...(q.ratingMax !== undefined ? { ratingMax: q.ratingMax } : {}),
    ...(q.author !== undefined ? { author: q.author } : {}),
    relevant:
      q.relevant === undefined || q.relevant === 'true'
        ? true
        : q.relevant === 'false'
          ? false
          : 'all',
  };
  const search: MentionSearch = { filters, order: q.sort };
  if (q.since) search.since = q.since.getTime();
  if (q.until) search.until = q.until.getTime();
  if (cursor !== undefined) search.after = decodeCursor(cursor);
  return search;
}

export type SearchStep =
  | { kind: 'mention'; mention: Mention; entry: IndexEntry }
  /** The search stopped here for this request; `after` goes on from there. */
  | { kind: 'stop'; after: IndexEntry; reached: number };

/**
 * The mentions of a search, in order, each checked: ids from the index in chunks, read by `_id`.
 * `chunk`: mentions read at once; `maxReads`/`maxRejects`: where a page stops (Infinity: never).
 */
export async function* searchMentions(
  deps: Pick<ApiDeps, 'mentions'>,
  s: MentionSearch,
  opts: { chunk: number; maxReads: number; maxRejects: number },
): AsyncGenerator<SearchStep> {
  const check = needsCheck(s.filters);
  const walk = deps.mentions.walkIndex(planOf(s.filters), {
    order: s.order,
    maxReads: opts.maxReads,
    ...(s.since !== undefined ? { since: s.since } : {}),
    ...(s.until !== undefined ? { until: s.until } : {}),
    ...(s.after ? { after: s.after } : {}),
  });
  let rejects = 0;
  let buffer: IndexEntry[] = [];
  async function* read(entries: IndexEntry[]): AsyncGenerator<SearchStep> {
    const found = new Map(
      (await deps.mentions.findByIds(entries.map((e) => e.id))).map((m) => [m.id, m]),
    );
    for (const entry of entries) {
      const mention = found.get(entry.id);
      // Indexed by a drain between its door staging it and storing it: there in a moment.
      if (!mention) continue;
      if (check && !matchesSearch(mention, s.filters)) {
        if (++rejects >= opts.maxRejects) {
          yield { kind: 'stop', after: entry, reached: entry.t };
          return;
        }
        continue;
      }
      yield { kind: 'mention', mention, entry };
    }
  }
  try {
    for await (const step of walk) {
      if (step.kind === 'budget') {
        for await (const r of read(buffer)) {
          yield r;
          if (r.kind === 'stop') return;
        }
        // Everything on this side of the boundary was walked.
        yield { kind: 'stop', after: { t: step.boundary, id: '' }, reached: step.boundary };
        return;
      }
      buffer.push(...step.entries);
      while (buffer.length >= opts.chunk) {
        const entries = buffer.slice(0, opts.chunk);
        buffer = buffer.slice(opts.chunk);
        for await (const r of read(entries)) {
          yield r;
          if (r.kind === 'stop') return;
        }
      }
    }
    for await (const r of read(buffer)) {
      yield r;
      if (r.kind === 'stop') return;
    }
  } finally {
    await walk.return(undefined);
  }
}

// ----- the cursor --------------------------------------------------------------------------------

/** Opaque to clients: where the previous page ended, (publishedAt, id). */
export function encodeCursor(e: IndexEntry): string {
  return Buffer.from(JSON.stringify({ t: e.t, i: e.id })).toString('base64url');
}

function decodeCursor(cursor: string): IndexEntry {
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t: unknown;
      i: unknown;
    };
    if (Number.isSafeInteger(t) && typeof i === 'string' && /^(?:[0-9a-f]{24}|)$/.test(i))
      return { t: t as number, id: i };
  } catch {
    // the error below
  }
  throw new ValidationError('query', [
    { path: 'cursor', message: 'not a cursor this API returned' },
  ]);
}

// ----- the routes ------------------------------------------------------------------------------

async function listPage(
  q: z.output<typeof listMentionsQuery>,
  deps: ApiDeps,
): Promise<HandlerResult> {
  const search = searchOf(q, deps, q.cursor);
  const page: { mention: Mention; entry: IndexEntry }[] = [];
  let next: IndexEntry | null = null;
  let reached: number | null = null;
  for await (const step of searchMentions(deps, search, {
    // One more than the page: whether there is a next one.
    chunk: q.limit + 1,
    maxReads: PAGE_READS,
    maxRejects: PAGE_REJECTS,
  })) {
    if (step.kind === 'stop') {
      next = step.after;
      reached = step.reached;
      break;
    }
    if (page.length === q.limit) {
      next = page[page.length - 1]?.entry ?? null;
      break;
    }
    page.push(step);
  }
  const terms = search.filters.q;
  return {
    status: 200,
    body: {
      data: page.map(({ mention }) => toJson(mention, highlightsOf(mention, terms))),
      nextCursor: next ? encodeCursor(next) : null,
      ...(reached !== null ? { searchedUntil: new Date(reached).toISOString() } : {}),
    },
  };
}

export const listMentions = defineRoute({
  method: 'get',
  path: '/api/v1/mentions',
  access: 'viewer',
  tag: 'Mentions',
  summary: 'Search and filter mentions, newest (or oldest) first, with highlights',
  description:
    'Every filter combines with the others. Pages follow `nextCursor`; each mention comes with the spans of its title and text to highlight (the search words, and the touchpoint keywords it was linked by). A search that reads far without filling its page answers with what it found and `searchedUntil`.',
  query: listMentionsQuery,
  responses: { 200: { description: 'A page of mentions.', schema: mentionPageSchema } },
  handler: ({ query }, deps) => listPage(query, deps),
});

export const getMention = defineRoute({
  method: 'get',
  path: '/api/v1/mentions/:id',
  access: 'viewer',
  tag: 'Mentions',
  summary: 'One mention, with its touchpoint keywords to highlight',
  params: objectIdParam,
  responses: { 200: { description: 'The mention.', schema: mentionJsonSchema } },
  handler: async ({ params }, deps) => {
    const m = await deps.mentions.findById(params.id);
    if (!m) throw new NotFoundError('mention', params.id);
    return { status: 200, body: toJson(m, highlightsOf(m)) };
  },
});

/** The wire shape: the input fields as sent, what Maillon added, and the spans to highlight. */
export function toJson(m: Mention, highlights?: Highlight[]) {
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
    ...(m.crossPostOf !== undefined ? { crossPostOf: m.crossPostOf } : {}),
    ...(m.version !== undefined ? { version: m.version } : {}),
    ...(m.correctedAt !== undefined
      ? { correctedAt: m.correctedAt.toISOString(), correctedBy: m.correctedBy ?? null }
      : {}),
    ...(highlights ? { highlights } : {}),
  };
}
