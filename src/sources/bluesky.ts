/**
 * Bluesky post search (`app.bsky.feed.searchPosts`), signed in with an app password: Bluesky
 * turned off anonymous search in January 2025. The session (a ~2 h access JWT and a refresh
 * JWT) lives in the process's token store and is reused between polls; sign-ins are scarce (30
 * per 5 minutes, 300 a day per account), so an expired access token is refreshed first, and a
 * new session is made only when the refresh is refused.
 *
 * Polls ask only for posts since the newest one seen (`since`, inclusive: the store drops the
 * one repeat). When more new posts than a page holds arrive between two polls, the next polls
 * follow the API's `cursor` down to the watermark before moving it, so a burst is read whole.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceHttpError, SourceParseError } from '../errors.js';
import { redactUrl, retryAfterMs, type HttpResponse } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type FetchContext,
  type MentionDraft,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'bluesky';

/** searchPosts returns at most 100 posts a page. */
const MAX_LIMIT = 100;
/** Pages followed down to the watermark before giving up on a burst (search results are capped). */
const MAX_DRAIN_PAGES = 20;
/** Used when a JWT's `exp` cannot be read: Bluesky access tokens last about 2 hours. */
const ACCESS_TTL_MS = 100 * 60_000;
const REFRESH_TTL_MS = 30 * 24 * 3_600_000;
/** Renew a little before the token's own expiry rather than be refused mid-poll. */
const EXPIRY_MARGIN_MS = 60_000;
/** The PDS's window when `RateLimit-Reset` cannot be read (`RateLimit-Policy: 3000;w=300`). */
const DEFAULT_WINDOW_MS = 5 * 60_000;

const optionsSchema = z.object({
  query: z
    .string()
    .trim()
    .min(1)
    .max(512)
    .describe(
      'Search query (Bluesky search syntax: words, "exact phrases", from:handle, #tag, domain:...).',
    ),
  lang: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'expected a language code such as "fr" or "en"')
    .optional()
    .describe('Only posts declared in this language (ISO 639-1).'),
  service: httpUrlSchema
    .default('https://bsky.social')
    .describe(
      'Where to sign in and search: your PDS (https://bsky.social proxies to the AppView) or an AppView.',
    ),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(MAX_LIMIT)
    .describe('Posts per request (at most 100).'),
});

/** A Bluesky source's own settings in sources.yaml. */
export type BlueskyOptions = z.output<typeof optionsSchema>;
type BlueskySource = ConfiguredSource<BlueskyOptions>;

export default defineSource({
  kind: SOURCE_KIND,
  options: optionsSchema,
  secrets: {
    identifier: {
      env: 'BLUESKY_HANDLE',
      describe: 'the handle (or email) of the Bluesky account that searches',
    },
    appPassword: {
      env: 'BLUESKY_APP_PASSWORD',
      describe:
        'an app password of that account (Settings > Privacy and security > App passwords), not its password',
    },
  },
  // The PDS allows 3000 requests per 5 minutes; Bluesky asks bulk users to stay light on search.
  politeness: { perMinute: 60, concurrency: 1, robots: false },
  target: (source) =>
    `search "${source.query}"${source.lang ? ` (${source.lang})` : ''} on ${shownService(source)}`,

  async fetchPage(source, cursor, ctx) {
    const now = ctx.now();
    // The PDS said our budget was spent until then: asking earlier would only earn a 429.
    if (cursor.notBefore && Date.parse(cursor.notBefore) > now.getTime()) {
      return { notModified: true, cursor };
    }
    const url = new URL(`${serviceBase(source)}/xrpc/app.bsky.feed.searchPosts`);
    url.searchParams.set('q', source.query);
    url.searchParams.set('sort', 'latest');
    url.searchParams.set('limit', String(source.limit));
    if (cursor.since) url.searchParams.set('since', cursor.since);
    if (source.lang) url.searchParams.set('lang', source.lang);
    if (cursor.page) url.searchParams.set('cursor', cursor.page);

    const res = await searchSignedIn(source, url.href, ctx);
    return {
      notModified: false,
      cursor: nextCursor(cursor, res, source.limit, now),
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    let page: z.output<typeof pageSchema>;
    try {
      page = pageSchema.parse(JSON.parse(jsonText(raw.body)));
    } catch (err) {
      throw new SourceParseError(sourceId, `not a searchPosts page (${raw.url})`, err);
    }
    const drafts = new Map<string, MentionDraft>();
    for (const p of page.posts) {
      const text = p.record.text?.trim();
      // Image-only posts carry nothing to analyse.
      if (!text || drafts.has(p.uri)) continue;
      const rkey = p.uri.split('/').pop() ?? '';
      // An unverified handle shows as "handle.invalid"; the DID always addresses the profile.
      const profile =
        p.author.handle && p.author.handle !== 'handle.invalid' ? p.author.handle : p.author.did;
      const lang = languageOf(p.record.langs?.[0]);
      const likes = count(p.likeCount);
      const shares = sum(p.repostCount, p.quoteCount);
      const replies = count(p.replyCount);
      drafts.set(p.uri, {
        externalId: p.uri.slice(0, 512),
        url: `https://bsky.app/profile/${pathPart(profile)}/post/${pathPart(rkey)}`,
        author: {
          id: p.author.did,
          name: (p.author.displayName?.trim() || p.author.handle || p.author.did).slice(0, 256),
        },
        text: text.slice(0, MAX_TEXT_LENGTH),
        ...(lang ? { lang } : {}),
        // createdAt is what the author's client says; indexedAt is when the network saw it.
        publishedAt: dateOf(p.record.createdAt) ?? dateOf(p.indexedAt) ?? fetchedAt,
        engagement: {
          ...(likes !== undefined ? { likes } : {}),
          ...(shares !== undefined ? { shares } : {}),
          ...(replies !== undefined ? { replies } : {}),
        },
      });
    }
    return [...drafts.values()];
  },
});

/**
 * The search, signed in: the stored session if there is one; on `ExpiredToken`, one refresh,
 * then one new session, then a clear error (a token refused as expired right after sign-in is a
 * clock or service problem that retrying will not cure).
 */
async function searchSignedIn(
  source: BlueskySource,
  url: string,
  ctx: FetchContext,
): Promise<HttpResponse> {
  const keys = tokenKeys(source);
  const search = (jwt: string) =>
    ctx.http.get({
      source: source.id,
      url,
      headers: { Accept: 'application/json', Authorization: `Bearer ${jwt}` },
      signal: ctx.signal,
    });

  // Each way of renewing is tried once per poll: refresh, then sign in, then give up.
  let refreshed = false;
  let created = false;
  let token = ctx.tokens.get(keys.access);
  if (!token && ctx.tokens.get(keys.refresh)) {
    refreshed = true;
    token = await refreshSession(source, ctx);
  }
  if (!token) {
    created = true;
    token = await createSession(source, ctx);
  }
  for (;;) {
    try {
      return await search(token);
    } catch (err) {
      if (!isExpired(err)) throw err;
      ctx.tokens.delete(keys.access);
      let renewed: string | undefined;
      if (!refreshed) {
        refreshed = true;
        renewed = await refreshSession(source, ctx);
      }
      if (!renewed && !created) {
        created = true;
        renewed = await createSession(source, ctx);
      }
      if (!renewed) {
        ctx.tokens.delete(keys.refresh);
        throw new SourceHttpError(
          source.id,
          `${shownService(source)} still calls the access token expired after a refresh and a new sign-in: check this machine's clock and the service URL`,
          { status: err.status, body: err.body, cause: err },
        );
      }
      token = renewed;
    }
  }
}

/** Signs in with the app password; stores and returns the access JWT. */
async function createSession(source: BlueskySource, ctx: FetchContext): Promise<string> {
  const url = `${serviceBase(source)}/xrpc/com.atproto.server.createSession`;
  let res: HttpResponse;
  try {
    res = await ctx.http.post({
      source: source.id,
      url,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({
        identifier: source.secrets.identifier ?? '',
        password: source.secrets.appPassword ?? '',
      }),
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof SourceHttpError && (err.status === 400 || err.status === 401)) {
      // The secrets' names, never their values.
      throw new SourceHttpError(
        source.id,
        `sign-in to ${shownService(source)} refused (${err.status}${err.body ? ` ${err.body}` : ''}): check BLUESKY_HANDLE and BLUESKY_APP_PASSWORD (or the variables its secretsFrom names); an app password is needed, not the account's password`,
        { status: err.status, body: err.body, cause: err },
      );
    }
    throw err;
  }
  return storeSession(source, ctx, res, url);
}

/**
 * Renews the session with the stored refresh JWT; undefined when there is none or the service
 * refused it (expired, revoked), so that the caller signs in again. Anything else (the service
 * down, a 429) is thrown: a new sign-in would not help and would spend a scarce one.
 */
async function refreshSession(
  source: BlueskySource,
  ctx: FetchContext,
): Promise<string | undefined> {
  const keys = tokenKeys(source);
  const refresh = ctx.tokens.get(keys.refresh);
  if (!refresh) return undefined;
  const url = `${serviceBase(source)}/xrpc/com.atproto.server.refreshSession`;
  let res: HttpResponse;
  try {
    res = await ctx.http.post({
      source: source.id,
      url,
      headers: { Accept: 'application/json', Authorization: `Bearer ${refresh}` },
      body: '',
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof SourceHttpError && (err.status === 400 || err.status === 401)) {
      ctx.tokens.delete(keys.refresh);
      return undefined;
    }
    throw err;
  }
  return storeSession(source, ctx, res, url);
}

function storeSession(
  source: BlueskySource,
  ctx: FetchContext,
  res: HttpResponse,
  url: string,
): string {
  let session: z.output<typeof sessionSchema>;
  try {
    session = sessionSchema.parse(JSON.parse(jsonText(res.body)));
  } catch (err) {
    throw new SourceParseError(source.id, `not an atproto session (${redactUrl(url)})`, err);
  }
  const keys = tokenKeys(source);
  const now = ctx.now().getTime();
  ctx.tokens.set(keys.access, session.accessJwt, ttlOf(session.accessJwt, now, ACCESS_TTL_MS));
  ctx.tokens.set(keys.refresh, session.refreshJwt, ttlOf(session.refreshJwt, now, REFRESH_TTL_MS));
  return session.accessJwt;
}

/**
 * Token-store keys: one session per source and account (two sources may sign in as two
 * accounts). The identifier is hashed: keys are not secrets, but need not show who signs in.
 */
function tokenKeys(source: BlueskySource): { access: string; refresh: string } {
  const who = createHash('sha256')
    .update(`${serviceBase(source)}\n${source.secrets.identifier ?? ''}`)
    .digest('hex')
    .slice(0, 16);
  const prefix = `bluesky:${source.id}:${who}`;
  return { access: `${prefix}:access`, refresh: `${prefix}:refresh` };
}

/** How long to keep a JWT: until its `exp` less a margin, or `fallback` when it has none. */
function ttlOf(jwt: string, now: number, fallback: number): number {
  try {
    const payload: unknown = JSON.parse(
      Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'),
    );
    const exp = (payload as { exp?: unknown } | null)?.exp;
    if (typeof exp === 'number') return Math.max(0, exp * 1000 - now - EXPIRY_MARGIN_MS);
  } catch {
    // Not a JWT we can read: the service still knows when it expires.
  }
  return fallback;
}

function isExpired(err: unknown): err is SourceHttpError {
  return (
    err instanceof SourceHttpError &&
    (err.status === 400 || err.status === 401) &&
    err.body === 'ExpiredToken'
  );
}

/**
 * The cursor after a page: `since` moves to the newest post's time, unless the page was full,
 * in which case the next polls follow the API's `cursor` (`page`) down to the old watermark
 * first and only then move it to what the first page of the burst held (`pendingSince`).
 * A body `parse` will refuse keeps the cursor as it was.
 */
function nextCursor(
  cursor: SourceCursor,
  res: HttpResponse,
  limit: number,
  now: Date,
): SourceCursor {
  const next: SourceCursor = { ...cursor };
  delete next.notBefore;
  const notBefore = budgetSpentUntil(res, now);
  if (notBefore) next.notBefore = notBefore;

  let page: { posts: unknown[]; cursor?: unknown };
  try {
    const body: unknown = JSON.parse(jsonText(res.body));
    const posts = (body as { posts?: unknown } | null)?.posts;
    if (!Array.isArray(posts)) return next;
    page = { posts, cursor: (body as { cursor?: unknown }).cursor };
  } catch {
    return next;
  }
  const newest = newestSortAt(page.posts);
  const draining = !!cursor.page;
  const pending = draining ? cursor.pendingSince : newest;
  const pages = draining ? Number(cursor.pages ?? '1') + 1 : 1;
  const more =
    page.posts.length >= limit &&
    typeof page.cursor === 'string' &&
    page.cursor !== '' &&
    pages < MAX_DRAIN_PAGES;
  delete next.page;
  delete next.pendingSince;
  delete next.pages;
  if (more) {
    next.page = page.cursor as string;
    next.pages = String(pages);
    if (pending) next.pendingSince = pending;
    return next;
  }
  const since = pending ?? newest;
  if (since && (!next.since || since > next.since)) next.since = since;
  return next;
}

/**
 * The newest time a page's posts are sorted by. Bluesky sorts on `sortAt`, the earlier of the
 * post's `createdAt` (its client's clock) and `indexedAt`, so that a post dated in the future
 * cannot sit on top; `since` compares against the same.
 */
function newestSortAt(posts: unknown[]): string | undefined {
  let newest: number | undefined;
  for (const p of posts) {
    const post = p as { indexedAt?: unknown; record?: { createdAt?: unknown } } | null;
    const times = [post?.record?.createdAt, post?.indexedAt]
      .map((t) => (typeof t === 'string' ? Date.parse(t) : Number.NaN))
      .filter((t) => !Number.isNaN(t));
    if (!times.length) continue;
    const sortAt = Math.min(...times);
    if (newest === undefined || sortAt > newest) newest = sortAt;
  }
  return newest === undefined ? undefined : new Date(newest).toISOString();
}

/** When the PDS's budget is spent (`RateLimit-Remaining: 0`), the time it comes back. */
function budgetSpentUntil(res: HttpResponse, now: Date): string | undefined {
  if (res.headers['ratelimit-remaining']?.trim() !== '0') return undefined;
  const wait = retryAfterMs(res.headers, now.getTime()) ?? DEFAULT_WINDOW_MS;
  return new Date(now.getTime() + wait).toISOString();
}

const sessionSchema = z.object({ accessJwt: z.string().min(1), refreshJwt: z.string().min(1) });

/** The fields of a post view we read (app.bsky.feed.defs#postView). */
const postSchema = z.object({
  uri: z.string().regex(/^at:\/\/[^/]+\/[^/]+\/[^/]+$/, 'expected an at:// post URI'),
  author: z.object({
    did: z.string().min(1),
    handle: z.string().nullish(),
    displayName: z.string().nullish(),
  }),
  // A record is open-ended (any lexicon): only the post fields we read are checked.
  record: z.object({
    text: z.string().nullish(),
    createdAt: z.string().nullish(),
    langs: z.array(z.string()).nullish(),
  }),
  indexedAt: z.string().nullish(),
  likeCount: z.number().nullish(),
  repostCount: z.number().nullish(),
  quoteCount: z.number().nullish(),
  replyCount: z.number().nullish(),
});
const pageSchema = z.object({ posts: z.array(postSchema), cursor: z.string().nullish() });

/**
 * JSON is UTF-8 (RFC 8259). Not `decodeBody`: it sniffs `<meta charset>` in the first bytes,
 * which a post quoting HTML could plant in a JSON page.
 */
function jsonText(body: Buffer): string {
  return body.toString('utf8').replace(/^\uFEFF/, '');
}

function serviceBase(source: BlueskySource): string {
  return source.service.replace(/\/+$/, '');
}

/** The service as people read it: no credentials, no trailing slash. */
function shownService(source: BlueskySource): string {
  return redactUrl(serviceBase(source)).replace(/\/+$/, '');
}

function dateOf(s: string | null | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

const count = (n: number | null | undefined): number | undefined =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;

/** Handles, DIDs and record keys as bsky.app writes them (`did:plc:...` unescaped). */
function pathPart(s: string): string {
  return /^[\w.:~-]+$/.test(s) ? s : encodeURIComponent(s);
}

/** Reposts and quotes both spread a post; either alone is still a count. */
function sum(a: number | null | undefined, b: number | null | undefined): number | undefined {
  const x = count(a);
  const y = count(b);
  return x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
}

/** The primary language subtag ("pt" of "pt-BR"), which is what the analysis reads. */
function languageOf(tag: string | null | undefined): string | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}
