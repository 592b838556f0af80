/**
 * Reddit through its OAuth Data API (https://www.reddit.com/dev/api, Data API Wiki): the new
 * posts of a subreddit, its new comments, or a search (in one subreddit or site-wide), newest
 * first. The app signs in with its own credentials (application-only OAuth, `client_credentials`)
 * and names itself with the User-Agent Reddit prescribes; unidentified clients are throttled.
 *
 * Polls are incremental: `before=<newest fullname seen>` asks only for what is newer, and the
 * rate-limit headers are obeyed: when a page says none are left, the next polls do not call
 * before the window resets.
 */
import { createHash } from 'node:crypto';
import { load } from 'cheerio';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceHttpError, SourceParseError, ValidationError } from '../errors.js';
import { decodeBody } from './_decode.js';
import { htmlToText } from './_html.js';
import { redactUrl, USER_AGENT, type HttpResponse } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type FetchContext,
  type MentionDraft,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'reddit';

const WEB = 'https://www.reddit.com';
/** Subreddit names are 2-21 letters, digits or `_`; `a+b` reads several at once, `all` all. */
const SUBREDDIT = /^[A-Za-z0-9_]{2,21}(\+[A-Za-z0-9_]{2,21})*$/;
/** When a page leaves no request but does not say when the window resets. */
const DEFAULT_RESET_S = 60;

const options = z.object({
  listing: z
    .enum(['new', 'comments', 'search'])
    .describe(
      "What to read: 'new' posts of a subreddit, its new 'comments', or a 'search' (newest first) in a subreddit or, without one, site-wide. Reddit's search covers posts, not comments: to catch comments read a subreddit's 'comments'.",
    ),
  subreddit: z
    .string()
    .trim()
    .transform((s) => s.replace(/^\/?r\//i, ''))
    .pipe(
      z.string().regex(SUBREDDIT, 'expected a subreddit name such as "acme" or "acme+acmehelp"'),
    )
    .optional()
    .describe(
      "The subreddit, without r/ ('acme', 'acme+acmehelp' for several, 'all' for all of Reddit). Required for 'new' and 'comments'; for 'search', omit it to search all of Reddit.",
    ),
  query: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .optional()
    .describe(
      'What to search for (Reddit search syntax: "acme" OR acmecorp). Required for \'search\', refused for the others (they read everything; the watch query of touchpoints.yaml filters).',
    ),
  limit: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(100)
    .describe('Items asked for per poll (Reddit allows 100 at most).'),
  userAgentUser: z
    .string()
    .trim()
    .regex(/^(\/?u\/)?[A-Za-z0-9_-]{3,20}$/, 'expected a Reddit username such as "acme_ops"')
    .transform((s) => s.replace(/^\/?u\//, ''))
    .describe(
      'The Reddit username responsible for the app, named in the User-Agent Reddit prescribes: `nodejs:maillon:<version> (by /u/<username>)`.',
    ),
  api: httpUrlSchema
    .default('https://oauth.reddit.com')
    .describe('Base URL of the Data API (OAuth host).'),
  auth: httpUrlSchema
    .default(WEB)
    .describe('Base URL where tokens are issued (`POST /api/v1/access_token`).'),
});

type Options = z.output<typeof options>;
type RedditSource = ConfiguredSource<Options>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {
    clientId: {
      env: 'REDDIT_CLIENT_ID',
      describe: 'the client id of a Reddit app (reddit.com/prefs/apps, "script" or "web app")',
    },
    clientSecret: {
      env: 'REDDIT_CLIENT_SECRET',
      describe: "that Reddit app's secret",
    },
  },
  // 100 queries a minute per OAuth client id, averaged over 10 minutes (2023 terms); two
  // sources may share one app, and the rate-limit headers stop us before the limit anyway.
  politeness: { perMinute: 60, concurrency: 1, robots: false },
  check: checkOptions,
  target: (source) => redactUrl(listingUrl(source, {})),

  async fetchPage(source, cursor, ctx) {
    checkOptions(source);
    const now = ctx.now();
    // The last page used the window up: nothing is asked before it resets. Returning "not
    // modified" (rather than a 429 of our own) keeps the source healthy in the store and loses
    // nothing, since the page that said so was already read.
    if (cursor.notBefore && Date.parse(cursor.notBefore) > now.getTime()) {
      return { notModified: true, cursor };
    }
    const url = listingUrl(source, cursor);
    const res = await getWithToken(source, url, ctx);
    const next = nextCursor(cursor, res, now);
    return {
      notModified: false,
      cursor: next,
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId }) {
    let listing: z.output<typeof listingSchema>;
    try {
      listing = listingSchema.parse(JSON.parse(decodeBody(raw)));
    } catch (err) {
      throw new SourceParseError(sourceId, `not a Reddit listing (${redactUrl(raw.url)})`, err);
    }
    const drafts = new Map<string, MentionDraft>();
    for (const [i, child] of listing.data.children.entries()) {
      // Search may list subreddits or users beside posts: only posts and comments are mentions.
      if (child.kind !== 't3' && child.kind !== 't1') continue;
      const draft = child.kind === 't3' ? readPost(child.data) : readComment(child.data);
      if (!draft.success) {
        throw new SourceParseError(
          sourceId,
          `item ${i} (${child.kind}) is not a Reddit ${child.kind === 't3' ? 'post' : 'comment'} (${redactUrl(raw.url)})`,
          draft.error,
        );
      }
      if (draft.data && !drafts.has(draft.data.externalId))
        drafts.set(draft.data.externalId, draft.data);
    }
    return [...drafts.values()];
  },
});

/**
 * `subreddit` and `query` depend on `listing`, which a field's schema cannot see (the registry
 * merges only the options' fields into the sources.yaml schema). A `ValidationError` is
 * permanent for the poll job: no request is sent, no retry is made, and the source shows the
 * message as its last error. A `ConfigError` would read better but is retried as transient.
 */
function checkOptions(source: RedditSource): void {
  const where = `${source.id}: sources.yaml`;
  if (source.listing === 'search' && !source.query) {
    throw new ValidationError(where, [
      { path: 'query', message: "listing 'search' needs a query" },
    ]);
  }
  if (source.listing !== 'search' && !source.subreddit) {
    throw new ValidationError(where, [
      {
        path: 'subreddit',
        message: `listing '${source.listing}' reads one subreddit: set subreddit ('all' for all of Reddit)`,
      },
    ]);
  }
  if (source.listing !== 'search' && source.query) {
    throw new ValidationError(where, [
      {
        path: 'query',
        message: `listing '${source.listing}' reads everything (the watch query filters it): remove query, or use listing 'search'`,
      },
    ]);
  }
}

function base(url: string): string {
  return url.replace(/\/+$/, '');
}

/** The listing to read, `before` the newest item seen unless the cursor asks to look again. */
function listingUrl(source: RedditSource, cursor: SourceCursor): string {
  const sub = source.subreddit;
  const path =
    source.listing === 'search'
      ? sub
        ? `/r/${sub}/search`
        : '/search'
      : `/r/${sub ?? 'all'}/${source.listing}`;
  const q = new URLSearchParams();
  if (source.listing === 'search') {
    q.set('q', source.query ?? '');
    if (sub) q.set('restrict_sr', '1');
    q.set('sort', 'new');
  }
  q.set('limit', String(source.limit));
  // Text as written, not HTML-escaped (`&amp;`) as Reddit sends it by default.
  q.set('raw_json', '1');
  if (cursor.before && !cursor.recheck) q.set('before', cursor.before);
  return `${base(source.api)}${path}?${q.toString()}`;
}

/** `<platform>:<app ID>:<version> (by /u/<username>)`, as Reddit's API rules require. */
function userAgent(source: RedditSource): string {
  const version = /Maillon\/([\w.-]+)/.exec(USER_AGENT)?.[1] ?? '0';
  return `nodejs:maillon:${version} (by /u/${source.userAgentUser})`;
}

function tokenKey(source: RedditSource): string {
  // The client id is not a password, but it stays out of anything that could be listed.
  const app = createHash('sha256')
    .update(source.secrets.clientId ?? '')
    .digest('hex')
    .slice(0, 16);
  return `reddit:${source.id}:${app}`;
}

/**
 * GETs with the app's bearer token, fetching one first if none is kept. A 401 means the token
 * expired early or was revoked: it is dropped and a new one fetched, once; a second 401 is a
 * clear, permanent error.
 */
async function getWithToken(
  source: RedditSource,
  url: string,
  ctx: FetchContext,
): Promise<HttpResponse> {
  const key = tokenKey(source);
  const get = (token: string) =>
    ctx.http.get({
      source: source.id,
      url,
      headers: {
        Authorization: `Bearer ${token}`,
        'User-Agent': userAgent(source),
        Accept: 'application/json',
      },
      signal: ctx.signal,
    });
  const token = ctx.tokens.get(key) ?? (await newToken(source, ctx, key));
  try {
    return await get(token);
  } catch (err) {
    if (!(err instanceof SourceHttpError && err.status === 401)) throw err;
    ctx.tokens.delete(key);
  }
  try {
    return await get(await newToken(source, ctx, key));
  } catch (err) {
    if (err instanceof SourceHttpError && err.status === 401) {
      ctx.tokens.delete(key);
      throw new SourceHttpError(
        source.id,
        `${redactUrl(url)} refused a freshly issued token (401): the app's access was revoked or does not cover this listing`,
        { status: 401, cause: err, ...(err.body ? { body: err.body } : {}) },
      );
    }
    throw err;
  }
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive(),
});

/** Application-only OAuth: HTTP Basic with the app's id and secret, `client_credentials`. */
async function newToken(source: RedditSource, ctx: FetchContext, key: string): Promise<string> {
  const { clientId, clientSecret } = source.secrets;
  const url = `${base(source.auth)}/api/v1/access_token`;
  let res: HttpResponse;
  try {
    res = await ctx.http.post({
      source: source.id,
      url,
      headers: {
        Authorization: `Basic ${Buffer.from(`${clientId ?? ''}:${clientSecret ?? ''}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': userAgent(source),
        Accept: 'application/json',
      },
      body: 'grant_type=client_credentials',
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof SourceHttpError && (err.status === 401 || err.status === 403)) {
      throw new SourceHttpError(
        source.id,
        `Reddit refused the app's credentials (${err.status} from ${redactUrl(url)}): check its client id and secret`,
        { status: err.status, cause: err, ...(err.body ? { body: err.body } : {}) },
      );
    }
    throw err;
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch (err) {
    throw new SourceParseError(source.id, `token answer is not JSON (${redactUrl(url)})`, err);
  }
  const token = tokenSchema.safeParse(body);
  if (!token.success) {
    // Reddit answers some refusals with 200 and `{"error": ...}`.
    const code = (body as { error?: unknown } | null)?.error;
    if (code !== undefined) {
      const shown = typeof code === 'string' && /^[\w .-]{1,64}$/.test(code) ? code : undefined;
      throw new SourceHttpError(
        source.id,
        `Reddit refused the app's credentials (${shown ?? 'error'} from ${redactUrl(url)}): check its client id and secret`,
        { status: 401, ...(shown ? { body: shown } : {}) },
      );
    }
    throw new SourceParseError(source.id, `token answer without a token (${redactUrl(url)})`);
  }
  // A minute early, so that a token does not expire between the check and the request.
  const ttlMs = Math.max(60, token.data.expires_in - 60) * 1000;
  ctx.tokens.set(key, token.data.access_token, ttlMs);
  return token.data.access_token;
}

/**
 * The cursor after a page:
 * - `before`: fullname of the newest item seen, sent next time to ask only for newer ones;
 * - `newestCreated`: its `created_utc` (epoch seconds), the time up to which we have read;
 * - `recheck`: Reddit answers an empty page when the `before` item was deleted since, which
 *   looks like a quiet source. After an empty answer, the next poll reads the newest page
 *   without `before` (the store drops what it already has) and anchors on its newest item;
 * - `notBefore`: the page used up the rate-limit window; no request until this ISO time.
 */
function nextCursor(cursor: SourceCursor, res: HttpResponse, now: Date): SourceCursor {
  const next: SourceCursor = {};
  if (cursor.before) next.before = cursor.before;
  const nowS = Math.floor(now.getTime() / 1000);
  // Nothing listed and nothing seen before: everything up to now has been read.
  next.newestCreated = cursor.newestCreated ?? String(nowS);
  const newest = newestItem(res);
  if (newest) {
    next.before = newest.name;
    next.newestCreated = String(Math.max(newest.created, Number(cursor.newestCreated) || 0));
  } else if (newest === null && cursor.before && !cursor.recheck) {
    next.recheck = '1';
  }

  const remaining = Number(res.headers['x-ratelimit-remaining']);
  if (Number.isFinite(remaining) && remaining < 1) {
    const reset = Number(res.headers['x-ratelimit-reset']);
    const waitS = Number.isFinite(reset) && reset >= 0 ? reset : DEFAULT_RESET_S;
    next.notBefore = new Date(now.getTime() + waitS * 1000).toISOString();
  }
  return next;
}

const peekSchema = z.object({
  data: z.object({
    children: z.array(
      z.object({
        kind: z.string(),
        data: z.object({ name: z.string(), created_utc: z.number() }).loose(),
      }),
    ),
  }),
});

/**
 * The newest post or comment of a page, null when it lists none, undefined when it cannot be read
 * (parse then raises the error, and the cursor stays as it was).
 */
function newestItem(res: HttpResponse): { name: string; created: number } | null | undefined {
  let page: z.output<typeof peekSchema>;
  try {
    page = peekSchema.parse(JSON.parse(res.body.toString('utf8')));
  } catch {
    return undefined;
  }
  let newest: { name: string; created: number } | null = null;
  for (const { kind, data } of page.data.children) {
    if (kind !== 't3' && kind !== 't1') continue;
    if (!newest || data.created_utc > newest.created)
      newest = { name: data.name, created: data.created_utc };
  }
  return newest;
}

const listingSchema = z.object({
  kind: z.literal('Listing'),
  data: z.object({
    children: z.array(z.object({ kind: z.string(), data: z.record(z.string(), z.unknown()) })),
    after: z.string().nullish(),
    before: z.string().nullish(),
  }),
});

const thingSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(512),
  author: z.string().min(1),
  author_fullname: z.string().min(1).nullish(),
  created_utc: z.number(),
  score: z.number().nullish(),
  permalink: z.string().nullish(),
  subreddit: z.string().nullish(),
});

const postSchema = thingSchema.extend({
  title: z.string(),
  selftext: z.string().nullish(),
  selftext_html: z.string().nullish(),
  num_comments: z.number().nullish(),
  permalink: z.string().min(1),
});

const commentSchema = thingSchema.extend({
  body: z.string(),
  body_html: z.string().nullish(),
  link_id: z.string().nullish(),
});

type Read =
  | { success: true; data: MentionDraft | undefined }
  | { success: false; error: z.ZodError };

/** What Reddit leaves in place of a post or comment deleted by its author or removed. */
const GONE = new Set(['[deleted]', '[removed]']);

function readPost(data: Record<string, unknown>): Read {
  const r = postSchema.safeParse(data);
  if (!r.success) return r;
  const p = r.data;
  if (GONE.has(p.selftext?.trim() ?? '')) return { success: true, data: undefined };
  const title = p.title.trim();
  const body = markdownText(p.selftext_html, p.selftext);
  const text = [title, body].filter(Boolean).join('\n\n');
  if (!text) return { success: true, data: undefined };
  return {
    success: true,
    data: {
      externalId: p.name,
      url: webUrl(p.permalink),
      author: author(p),
      ...(title ? { title: title.slice(0, 1000) } : {}),
      text: text.slice(0, MAX_TEXT_LENGTH),
      publishedAt: new Date(p.created_utc * 1000),
      engagement: {
        likes: count(p.score),
        ...(p.num_comments != null ? { replies: count(p.num_comments) } : {}),
      },
    },
  };
}

function readComment(data: Record<string, unknown>): Read {
  const r = commentSchema.safeParse(data);
  if (!r.success) return r;
  const c = r.data;
  if (GONE.has(c.body.trim())) return { success: true, data: undefined };
  const text = markdownText(c.body_html, c.body);
  if (!text) return { success: true, data: undefined };
  // Old listings have no comment permalink: /r/{sub}/comments/{post}/_/{comment}/ leads there.
  const permalink =
    c.permalink ??
    (c.subreddit && c.link_id
      ? `/r/${c.subreddit}/comments/${c.link_id.replace(/^t3_/, '')}/_/${c.id}/`
      : `/comments/${c.id}/`);
  return {
    success: true,
    data: {
      externalId: c.name,
      url: webUrl(permalink),
      author: author(c),
      text: text.slice(0, MAX_TEXT_LENGTH),
      publishedAt: new Date(c.created_utc * 1000),
      // A comment's `num_comments` counts its whole thread, not its own replies.
      engagement: { likes: count(c.score) },
    },
  };
}

function author(t: z.output<typeof thingSchema>): MentionDraft['author'] {
  // `author_fullname` (t2_...) survives a renamed account; 2016 listings lack it.
  return { id: (t.author_fullname ?? t.author).slice(0, 256), name: t.author.slice(0, 256) };
}

/** Reddit's scores can be negative; a like count cannot. */
function count(n: number | null | undefined): number {
  return n == null || !Number.isFinite(n) ? 0 : Math.max(0, Math.round(n));
}

function webUrl(permalink: string): string {
  // `new URL` percent-encodes what a permalink may hold (non-Latin titles).
  return new URL(permalink, WEB).href;
}

/** A closing tag or a tag with attributes: HTML or XML quoted in a code block. */
const QUOTED_MARKUP = /<\/[a-z][\w-]*\s*>|<[a-z][\w-]*\s+[\w-]+\s*=/i;

/**
 * The text people read: Reddit's rendering of the Markdown (`*_html`), which resolves the
 * entities and escapes Markdown allows (`&#40;`, `\*`) and drops link targets, turned into plain
 * text; the Markdown itself when no rendering came. Code that quotes HTML is left out: it is no
 * opinion, and downstream it would read as markup left in the text.
 */
function markdownText(
  html: string | null | undefined,
  markdown: string | null | undefined,
): string {
  if (html) {
    // Without raw_json=1 Reddit escapes its HTML once more (`&lt;div class=&quot;md&quot;&gt;`).
    const unescaped = /^\s*&lt;/.test(html) ? load(html, null, false).text() : html;
    const $ = load(unescaped, null, false);
    $('pre, code').each((_, el) => {
      const node = $(el);
      if (QUOTED_MARKUP.test(node.text())) node.replaceWith(' ');
    });
    const text = htmlToText($.html());
    if (text) return text;
  }
  return markdown?.trim() ?? '';
}
