/**
 * Hacker News stories and comments through Algolia's HN Search API
 * (https://hn.algolia.com/api): `search_by_date` for a query, newest first, no credentials.
 *
 * Polls are incremental: `numericFilters=created_at_i>{watermark}` asks only for what is newer
 * than the newest item seen (less a few minutes, for items Algolia indexes late). A page that
 * cannot hold everything new leaves a gap between the old watermark and its oldest hit; the next
 * polls read that gap, a page at a time, before moving on (Algolia serves 1,000 hits per query at
 * most, so deep paging is no substitute).
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceParseError } from '../errors.js';
import { decodeBody } from './_decode.js';
import { htmlToText } from './_html.js';
import { redactUrl } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type MentionDraft,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'hackernews';

/** Algolia's largest page. */
const HITS_PER_PAGE = 100;
/**
 * How far back each poll looks past the newest item seen: Algolia indexes an item a little after
 * it is created, so an item older than the newest seen can appear after the poll that saw it.
 * The store drops what it already has.
 */
export const INDEXING_LAG_S = 300;

const options = z.object({
  query: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .describe('What to search for in stories and comments (Algolia full-text: acme "acme corp").'),
  tags: z
    .string()
    .trim()
    .regex(/^[\w(),]+$/, 'expected Algolia tags such as "(story,comment)" or "story,author_pg"')
    .default('(story,comment)')
    .describe(
      'Algolia tag filter: story, comment, poll, job, ask_hn, show_hn, author_{user}, story_{id}; a comma is AND, parentheses OR.',
    ),
  api: httpUrlSchema.default('https://hn.algolia.com').describe('Base URL of the HN Search API.'),
});

type HnSource = ConfiguredSource<z.output<typeof options>>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {},
  // About 10,000 requests an hour per IP are allowed; a few sources poll every few minutes.
  politeness: { perMinute: 60, concurrency: 1, robots: false },
  target: (source) => redactUrl(searchUrl(source, undefined)),

  async fetchPage(source, cursor, { http, signal, now }) {
    const filter = numericFilter(cursor);
    const url = searchUrl(source, filter);
    const res = await http.get({
      source: source.id,
      url,
      headers: { Accept: 'application/json' },
      signal,
    });
    return {
      notModified: false,
      cursor: nextCursor(cursor, res.body, now()),
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    let page: z.output<typeof pageSchema>;
    try {
      page = pageSchema.parse(JSON.parse(decodeBody(raw)));
    } catch (err) {
      throw new SourceParseError(sourceId, `not an HN Search answer (${redactUrl(raw.url)})`, err);
    }
    const drafts = new Map<string, MentionDraft>();
    for (const hit of page.hits) {
      const draft = readHit(hit, fetchedAt);
      if (draft && !drafts.has(draft.externalId)) drafts.set(draft.externalId, draft);
    }
    return [...drafts.values()];
  },
});

function searchUrl(source: HnSource, filter: string | undefined): string {
  const q = new URLSearchParams({
    query: source.query,
    tags: source.tags,
    hitsPerPage: String(HITS_PER_PAGE),
  });
  if (filter) q.set('numericFilters', filter);
  return `${source.api.replace(/\/+$/, '')}/api/v1/search_by_date?${q.toString()}`;
}

/**
 * The cursor:
 * - `createdAfter`: `created_at_i` (epoch seconds) of the newest item seen;
 * - `gapAfter` / `gapUntil`: items created in (gapAfter, gapUntil] were more than a page could
 *   hold; the next polls read them, newest first, until a page is not full.
 */
function numericFilter(cursor: SourceCursor): string | undefined {
  if (cursor.gapAfter && cursor.gapUntil)
    return `created_at_i>${cursor.gapAfter},created_at_i<=${cursor.gapUntil}`;
  const after = Number(cursor.createdAfter);
  if (!cursor.createdAfter || !Number.isFinite(after)) return undefined;
  return `created_at_i>${Math.max(0, after - INDEXING_LAG_S)}`;
}

const peekSchema = z.object({
  hits: z.array(z.object({ created_at_i: z.number().nullish() }).loose()),
  nbHits: z.number().optional(),
});

function nextCursor(cursor: SourceCursor, body: Buffer, now: Date): SourceCursor {
  let page: z.output<typeof peekSchema>;
  try {
    page = peekSchema.parse(JSON.parse(body.toString('utf8')));
  } catch {
    // parse raises the error; the watermark stays where it was.
    return cursor;
  }
  const times = page.hits.flatMap((h) => (h.created_at_i != null ? [h.created_at_i] : []));
  const newest = times.length ? Math.max(...times) : undefined;
  const oldest = times.length ? Math.min(...times) : undefined;
  const full = page.nbHits !== undefined && page.nbHits > page.hits.length;
  const previous = Number(cursor.createdAfter);
  const next: SourceCursor = {
    // Nothing found and nothing seen yet: everything up to now has been read.
    createdAfter: String(
      Math.max(newest ?? 0, Number.isFinite(previous) ? previous : 0) ||
        Math.floor(now.getTime() / 1000),
    ),
  };
  if (cursor.gapAfter && cursor.gapUntil) {
    // Reading a gap: go on below this page's oldest hit while pages come back full, unless the
    // page made no progress (more hits in one second than a page holds: give up on those).
    if (full && oldest !== undefined && oldest < Number(cursor.gapUntil)) {
      next.gapAfter = cursor.gapAfter;
      next.gapUntil = String(oldest);
    }
  } else if (cursor.createdAfter && full && oldest !== undefined) {
    // More is new than one page holds: what lies between the last watermark and this page's
    // oldest hit is read by the next polls. On a first poll there is no gap: the past is not
    // ours to read.
    next.gapAfter = String(Math.max(0, previous - INDEXING_LAG_S));
    next.gapUntil = String(oldest);
  }
  return next;
}

const hitSchema = z.object({
  objectID: z.union([z.string().min(1), z.number()]).transform(String),
  created_at_i: z.number().nullish(),
  created_at: z.string().nullish(),
  title: z.string().nullish(),
  story_text: z.string().nullish(),
  comment_text: z.string().nullish(),
  author: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  _tags: z.array(z.string()).optional(),
});

const pageSchema = z.object({
  hits: z.array(hitSchema),
  nbHits: z.number().optional(),
  page: z.number().optional(),
  nbPages: z.number().optional(),
  hitsPerPage: z.number().optional(),
});

function readHit(hit: z.output<typeof hitSchema>, fetchedAt: Date): MentionDraft | undefined {
  const isComment = hit.comment_text != null || !!hit._tags?.includes('comment');
  // Titles are plain text; story and comment bodies are HTML (`<p>`, `&#x27;`).
  const title = isComment ? undefined : hit.title?.trim() || undefined;
  const body = htmlToText((isComment ? hit.comment_text : hit.story_text) ?? '');
  const text = [title, body].filter(Boolean).join('\n\n');
  // Dead and deleted items come without text or author.
  if (!text || !hit.author) return undefined;
  const engagement = {
    ...(hit.points != null ? { likes: count(hit.points) } : {}),
    ...(hit.num_comments != null ? { replies: count(hit.num_comments) } : {}),
  };
  return {
    externalId: hit.objectID.slice(0, 512),
    url: `https://news.ycombinator.com/item?id=${encodeURIComponent(hit.objectID)}`,
    author: { id: hit.author.slice(0, 256), name: hit.author.slice(0, 256) },
    ...(title ? { title: title.slice(0, 1000) } : {}),
    text: text.slice(0, MAX_TEXT_LENGTH),
    publishedAt: publishedAt(hit) ?? fetchedAt,
    ...(Object.keys(engagement).length ? { engagement } : {}),
  };
}

function publishedAt(hit: z.output<typeof hitSchema>): Date | undefined {
  if (hit.created_at_i != null && Number.isFinite(hit.created_at_i))
    return new Date(hit.created_at_i * 1000);
  const d = hit.created_at ? new Date(hit.created_at) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

function count(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0;
}
