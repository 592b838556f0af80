/**
 * A Discourse forum through its JSON API: the latest posts across all topics (`/posts.json`, the
 * cheapest way to follow a whole forum) or a search (`/search.json?q=... order:latest`). Public
 * forums need no key; a private one takes `Api-Key` / `Api-Username` headers. robots.txt does not
 * govern a documented JSON API (CATALOGUE §3.1); Discourse's own limits do (200 requests a minute
 * and 50 per 10 s per IP by default, 60 a minute for an admin key).
 *
 * Polls are incremental. The cursor keeps the newest post id seen. `/posts.json` has no "since"
 * parameter, only `before=<id>` to page back: when a poll's page holds nothing at or below the
 * previous newest id, posts may lie between the two, and the next polls page back with `before`
 * until they reach it (at most {@link MAX_CATCH_UP_PAGES} pages), then read the top again.
 * Searches add `after:<date>` of the newest post seen; the store drops what it already holds.
 */
import { load } from 'cheerio';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceParseError, ValidationError } from '../errors.js';
import { decodeBody } from './_decode.js';
import { htmlToText } from './_html.js';
import { redactUrl } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type MentionDraft,
  type RawPage,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'discourse';

/** Pages read back with `before=` after a gap, before giving up on older posts. */
const MAX_CATCH_UP_PAGES = 10;

/** Discourse's post action type for a like (`PostActionType.types[:like]`). */
const LIKE_ACTION = 2;

const options = z.object({
  forum: httpUrlSchema.describe(
    'Base URL of the forum, with its subfolder if it has one (https://meta.discourse.org, https://example.com/forum).',
  ),
  mode: z
    .enum(['posts', 'search'])
    .optional()
    .describe(
      '"posts": every new post of the forum (GET /posts.json; pair it with watch: true to keep those about the brand). "search": posts matching `query` (GET /search.json). Default: "search" when `query` is set, else "posts".',
    ),
  query: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'Search mode: a Discourse search (operators allowed: "acme #support", "acme tags:billing"); " order:latest" is added.',
    ),
});

/** The options of a `discourse` source in sources.yaml. */
export type DiscourseOptions = z.output<typeof options>;
type Source = ConfiguredSource<DiscourseOptions>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {
    apiKey: {
      env: 'DISCOURSE_API_KEY',
      optional: true,
      describe: 'a Discourse API key (only for a private forum; sent as the Api-Key header)',
    },
    apiUsername: {
      env: 'DISCOURSE_API_USERNAME',
      optional: true,
      describe: 'the user the Discourse API key acts as (sent as the Api-Username header)',
    },
  },
  // Below an admin key's 60 a minute, and far below the anonymous per-IP defaults.
  politeness: { perMinute: 30, concurrency: 1, robots: false },

  check: (source) => void checkedMode(source),
  target(source) {
    const base = forumBase(redactUrl(source.forum));
    const mode = modeOf(source);
    return mode === 'search' ? `${base} search "${source.query ?? ''}"` : `${base} latest posts`;
  },

  async fetchPage(source, cursor, { http, signal }) {
    const mode = checkedMode(source);
    const base = forumBase(source.forum);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (source.secrets.apiKey) headers['Api-Key'] = source.secrets.apiKey;
    if (source.secrets.apiUsername) headers['Api-Username'] = source.secrets.apiUsername;

    let url: string;
    if (mode === 'search') {
      // The forum reads dates in its own time zone: a day of margin, the store dedupes.
      const after = cursor.newestAt ? dayBefore(cursor.newestAt) : undefined;
      const q = `${source.query ?? ''} order:latest${after ? ` after:${after}` : ''}`;
      url = `${base}/search.json?q=${encodeURIComponent(q)}`;
    } else {
      url = cursor.before ? `${base}/posts.json?before=${cursor.before}` : `${base}/posts.json`;
    }
    const res = await http.get({ source: source.id, url, headers, signal });
    const raw: RawPage = { body: res.body, contentType: res.headers['content-type'], url: res.url };
    return { notModified: false, cursor: nextCursor(mode, cursor, raw), raw };
  },

  parse(raw, { sourceId }) {
    const page = readPage(raw, sourceId);
    const base = baseOf(raw.url);
    const drafts = new Map<string, MentionDraft>();
    if ('latest_posts' in page) {
      for (const p of page.latest_posts) {
        // Small actions ("closed this topic"), moderator notes and staff whispers are not
        // anyone's word about anything.
        if (p.post_type !== undefined && p.post_type !== 1) continue;
        if (p.deleted_at) continue;
        const text = postText(p.cooked, p.raw);
        const id = String(p.id);
        if (!text || drafts.has(id)) continue;
        const likes = p.like_count ?? p.actions_summary?.find((a) => a.id === LIKE_ACTION)?.count;
        drafts.set(id, {
          externalId: id,
          url:
            postUrl(base, p.post_url) ??
            topicUrl(base, p.topic_slug, p.topic_id, p.post_number) ??
            base,
          author: { id: p.username, name: p.username },
          ...(p.topic_title ? { title: htmlToText(p.topic_title).slice(0, 1000) } : {}),
          text: text.slice(0, MAX_TEXT_LENGTH),
          publishedAt: new Date(p.created_at),
          engagement: {
            ...(likes !== undefined ? { likes } : {}),
            ...(p.reply_count !== undefined ? { replies: p.reply_count } : {}),
          },
        });
      }
    } else {
      const topics = new Map(page.topics.map((t) => [t.id, t]));
      for (const p of page.posts) {
        // Search answers carry a `blurb`, a snippet of about 200 characters cut with "...":
        // the full post is one more request per hit, so the blurb is what gets analysed, unless
        // the forum sends `cooked` along (some versions do).
        const text = postText(p.cooked, undefined) || (p.blurb ? htmlToText(p.blurb) : '');
        const id = String(p.id);
        if (!text || drafts.has(id)) continue;
        const topic = p.topic_id !== undefined ? topics.get(p.topic_id) : undefined;
        drafts.set(id, {
          externalId: id,
          url: topicUrl(base, topic?.slug, p.topic_id, p.post_number) ?? base,
          author: { id: p.username, name: p.username },
          ...(topic?.title ? { title: htmlToText(topic.title).slice(0, 1000) } : {}),
          text: text.slice(0, MAX_TEXT_LENGTH),
          publishedAt: new Date(p.created_at),
          ...(p.like_count !== undefined ? { engagement: { likes: p.like_count } } : {}),
        });
      }
    }
    return [...drafts.values()];
  },
});

/** A count we can use, or nothing: an odd engagement value is dropped, not the whole page. */
const count = z.number().int().min(0).optional().catch(undefined);
const date = z.iso.datetime({ offset: true });

/** One of `/posts.json`'s `latest_posts[]`, the fields we read. */
const latestPostSchema = z.object({
  id: z.number().int(),
  username: z.string().min(1),
  created_at: date,
  cooked: z.string().nullish(),
  raw: z.string().nullish(),
  post_type: z.number().int().optional(),
  deleted_at: z.string().nullish(),
  post_number: z.number().int().optional(),
  post_url: z.string().nullish(),
  topic_id: z.number().int().optional(),
  topic_slug: z.string().nullish(),
  topic_title: z.string().nullish(),
  reply_count: count,
  like_count: count,
  actions_summary: z
    .array(z.object({ id: z.number(), count: count }))
    .optional()
    .catch(undefined),
});

/** `/search.json`: posts with blurbs, and their topics. */
const searchSchema = z.object({
  // Present in every search answer, even an empty one: it tells a search from anything else.
  grouped_search_result: z.object({}).loose(),
  posts: z
    .array(
      z.object({
        id: z.number().int(),
        username: z.string().min(1),
        created_at: date,
        blurb: z.string().nullish(),
        cooked: z.string().nullish(),
        like_count: count,
        post_number: z.number().int().optional(),
        topic_id: z.number().int().optional(),
      }),
    )
    .default([]),
  topics: z
    .array(
      z.object({ id: z.number().int(), title: z.string().nullish(), slug: z.string().nullish() }),
    )
    .default([]),
});

const pageSchema = z.union([z.object({ latest_posts: z.array(latestPostSchema) }), searchSchema]);
type Page = z.output<typeof pageSchema>;

function readPage(raw: RawPage, sourceId: string): Page {
  let json: unknown;
  try {
    json = JSON.parse(decodeBody(raw));
  } catch (err) {
    throw new SourceParseError(sourceId, `not JSON (${redactUrl(raw.url)})`, err);
  }
  const page = pageSchema.safeParse(json);
  if (!page.success) {
    throw new SourceParseError(
      sourceId,
      `not a Discourse /posts.json or /search.json answer (${redactUrl(raw.url)})`,
      page.error,
    );
  }
  return page.data;
}

/**
 * The post as the forum shows it, as text. `cooked` (the forum's HTML) rather than `raw`
 * (Markdown with BBCode quotes and emoji codes): no markup is left. Quotes of other posts are
 * someone else's words and go, unless the post is nothing but a quote.
 */
function postText(cooked: string | null | undefined, raw: string | null | undefined): string {
  if (cooked) {
    if (cooked.includes('quote')) {
      const $ = load(cooked);
      $('aside.quote').remove();
      const own = htmlToText($.root().html() ?? '');
      if (own) return own;
    }
    return htmlToText(cooked);
  }
  return raw ? htmlToText(raw) : '';
}

function modeOf(source: Source): 'posts' | 'search' {
  return source.mode ?? (source.query ? 'search' : 'posts');
}

/**
 * The mode, or a `ValidationError` naming what is wrong: sources.yaml's schema takes each
 * option alone, so the pair is checked here (and stays permanent: retrying will not fix it).
 */
function checkedMode(source: Source): 'posts' | 'search' {
  const mode = modeOf(source);
  if (mode === 'search' && !source.query)
    throw new ValidationError(source.id, [
      { path: 'query', message: 'mode "search" needs a query' },
    ]);
  if (mode === 'posts' && source.query)
    throw new ValidationError(source.id, [
      {
        path: 'query',
        message:
          'mode "posts" reads every post and ignores a query: drop `query`, or set mode: search',
      },
    ]);
  return mode;
}

function forumBase(forum: string): string {
  return forum.replace(/\/+$/, '');
}

/** The forum's base URL from the URL of the page read (parse sees only the page). */
function baseOf(pageUrl: string): string {
  return pageUrl.replace(/\/(posts|search)\.json([?#].*)?$/, '');
}

/**
 * `post_url` is relative to the host and already holds a subfolder forum's path
 * (`/forum/t/...`): join it to the origin then, to the base otherwise.
 */
function postUrl(base: string, postPath: string | null | undefined): string | undefined {
  if (!postPath) return undefined;
  if (/^https?:\/\//i.test(postPath)) return postPath;
  if (!URL.canParse(base)) return undefined;
  const u = new URL(base);
  const prefix = u.pathname.replace(/\/+$/, '');
  const path = postPath.startsWith('/') ? postPath : `/${postPath}`;
  return prefix && path.startsWith(`${prefix}/`) ? `${u.origin}${path}` : `${base}${path}`;
}

function topicUrl(
  base: string,
  slug: string | null | undefined,
  topicId: number | undefined,
  postNumber: number | undefined,
): string | undefined {
  if (topicId === undefined) return undefined;
  // Discourse routes /t/{id}/{n} to the post when the slug is unknown.
  const topic = slug ? `${slug}/${topicId}` : `${topicId}`;
  return `${base}/t/${topic}${postNumber !== undefined ? `/${postNumber}` : ''}`;
}

/** The day before an ISO date, as `yyyy-mm-dd`. */
function dayBefore(iso: string): string | undefined {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  return new Date(t - 86_400_000).toISOString().slice(0, 10);
}

/**
 * The cursor after this page: the newest post id (and its date, for searches) and, for
 * `/posts.json`, where to page back when the page may have skipped posts. A body that does not
 * read keeps the old cursor: parse then reports it.
 */
function nextCursor(mode: 'posts' | 'search', cursor: SourceCursor, raw: RawPage): SourceCursor {
  let posts: { id: number; created_at: string }[];
  try {
    const json = JSON.parse(decodeBody(raw)) as Record<string, unknown>;
    const list = mode === 'posts' ? json.latest_posts : json.posts;
    posts = z.array(z.object({ id: z.number(), created_at: z.string() })).parse(list ?? []);
  } catch {
    return cursor;
  }
  const prevNewest = cursor.newest ? Number(cursor.newest) : undefined;
  let newest = prevNewest ?? 0;
  let newestAt = cursor.newestAt;
  const catchingUp = mode === 'posts' && !!cursor.before;
  if (!catchingUp) {
    for (const p of posts) {
      if (p.id > newest) {
        newest = p.id;
        newestAt = p.created_at;
      }
    }
  }
  const next: SourceCursor = { newest: String(newest) };
  if (newestAt) next.newestAt = newestAt;
  if (mode === 'search' || posts.length === 0) return next;

  const oldest = Math.min(...posts.map((p) => p.id));
  const until = catchingUp ? Number(cursor.until) : prevNewest;
  const pages = catchingUp ? Number(cursor.pages ?? '0') + 1 : 1;
  // Nothing on this page at or below the last id we hold: there may be posts in between.
  if (until !== undefined && oldest > until + 1 && pages <= MAX_CATCH_UP_PAGES) {
    next.before = String(oldest);
    next.until = String(until);
    next.pages = String(pages);
  }
  return next;
}
