/**
 * Mastodon (any instance, and the servers that speak its client API): a hashtag timeline, one
 * account's posts, or a full-text search. Polls go forward with `min_id` (the newest status id
 * seen), so each asks only for what is new; the instance's `X-RateLimit-*` budget is honoured
 * without spending a request to learn it is spent.
 *
 * Each instance only sees what federated to it: watch two or three large ones and the store
 * merges them, since a post keeps its global `uri` whichever instance served it.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { ConfigError, SourceHttpError, SourceParseError } from '../errors.js';
import { htmlToText } from './_html.js';
import { redactUrl, retryAfterMs, type HttpClient, type HttpResponse } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type MentionDraft,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'mastodon';

/** Mastodon caps every timeline and search page at 40 statuses. */
const MAX_LIMIT = 40;
/** Mastodon's default window when a reset time cannot be read (300 requests per 5 minutes). */
const DEFAULT_WINDOW_MS = 5 * 60_000;

const optionsSchema = z.object({
  instance: httpUrlSchema.describe(
    'The instance to ask, e.g. https://mastodon.social (it only sees posts that federated to it).',
  ),
  hashtag: z
    .string()
    .trim()
    .regex(/^#?[\p{L}\p{N}_]+$/u, 'expected a hashtag such as "maillon" or "#maillon"')
    .optional()
    .describe(
      'Read this hashtag timeline (public, no token needed). Exactly one of hashtag, account, query.',
    ),
  account: z
    .string()
    .trim()
    .regex(
      /^@?[\w.-]+(@[\w.-]+(:\d+)?)?$/,
      'expected an account such as "maillon" (on the instance) or "maillon@example.social"',
    )
    .optional()
    .describe('Read the public posts of this account ("user" or "user@domain"; no token needed).'),
  query: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .optional()
    .describe(
      'Full-text search of statuses (needs MASTODON_TOKEN and a server with search enabled).',
    ),
  limit: z
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(MAX_LIMIT)
    .describe('Statuses per request (Mastodon allows at most 40).'),
});

/** A Mastodon source's own settings in sources.yaml. */
export type MastodonOptions = z.output<typeof optionsSchema>;
type MastodonSource = ConfiguredSource<MastodonOptions>;

type Mode =
  | { kind: 'hashtag'; tag: string }
  | { kind: 'account'; acct: string }
  | { kind: 'query'; q: string };

export default defineSource({
  kind: SOURCE_KIND,
  options: optionsSchema,
  secrets: {
    token: {
      env: 'MASTODON_TOKEN',
      optional: true,
      describe:
        'an access token of an account on the instance (read scope), sent as Bearer; needed for full-text search',
    },
  },
  // Mastodon allows 300 requests per 5 minutes per IP and per account (60 a minute): stay well
  // below, since several sources may share one instance and one address.
  politeness: { perMinute: 40, concurrency: 1, robots: false },
  check: (source) => void modeOf(source),
  target: (source) => {
    const base = redactUrl(instanceBase(source));
    const root = base.replace(/\/+$/, '');
    // Not `modeOf`: target is shown for a misconfigured source too, and must not throw.
    const parts: string[] = [];
    if (source.hashtag) parts.push(`${root}/tags/${stripPrefix(source.hashtag, '#')}`);
    if (source.account) parts.push(`${root}/@${stripPrefix(source.account, '@')}`);
    if (source.query) parts.push(`search "${source.query}" on ${root}`);
    return parts.join(' + ') || root;
  },

  async fetchPage(source, cursor, { http, signal, now }) {
    const mode = modeOf(source);
    const base = instanceBase(source);
    // The instance said our budget was spent until then: asking earlier would only earn a 429.
    if (cursor.notBefore && Date.parse(cursor.notBefore) > now().getTime()) {
      return { notModified: true, cursor };
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (source.secrets.token) headers.Authorization = `Bearer ${source.secrets.token}`;
    const next: SourceCursor = { ...cursor };
    delete next.notBefore;

    let url: URL;
    if (mode.kind === 'hashtag') {
      url = new URL(`${base}/api/v1/timelines/tag/${encodeURIComponent(mode.tag)}`);
    } else if (mode.kind === 'account') {
      // The id is instance-local and stable: resolve the handle once, not on every poll.
      next.accountId ??= await lookupAccount(source, base, mode.acct, headers, http, signal);
      url = new URL(`${base}/api/v1/accounts/${encodeURIComponent(next.accountId)}/statuses`);
    } else {
      url = new URL(`${base}/api/v2/search`);
      url.searchParams.set('q', mode.q);
      url.searchParams.set('type', 'statuses');
    }
    url.searchParams.set('limit', String(source.limit));
    if (cursor.minId) url.searchParams.set('min_id', cursor.minId);

    const res = await http.get({ source: source.id, url: url.href, headers, signal });
    const newest = prevMinId(res.headers.link) ?? newestId(res.body);
    if (newest && (!next.minId || compareIds(newest, next.minId) > 0)) next.minId = newest;
    const notBefore = budgetSpentUntil(res, now());
    if (notBefore) next.notBefore = notBefore;
    return {
      notModified: false,
      cursor: next,
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    let statuses: Status[];
    try {
      const page = pageSchema.parse(JSON.parse(jsonText(raw.body)));
      statuses = Array.isArray(page) ? page : page.statuses;
    } catch (err) {
      throw new SourceParseError(sourceId, `not a Mastodon statuses page (${raw.url})`, err);
    }
    const host = hostOf(raw.url);
    const drafts = new Map<string, MentionDraft>();
    for (const wrapper of statuses) {
      // A boost is a wrapper around someone else's post: the post is what people said.
      const s = wrapper.reblog ?? wrapper;
      // The same post boosted twice in a page, or posted and boosted, is one mention.
      if (drafts.has(s.uri)) continue;
      const content = s.content ? htmlToText(s.content) : '';
      const spoiler = s.spoiler_text?.replace(/\s+/g, ' ').trim() ?? '';
      const text = [spoiler, content].filter(Boolean).join('\n');
      const url = [s.url, s.uri].find(isHttpUrl);
      // Media-only posts carry nothing to analyse; a post without a web address cannot be shown.
      if (!text || !url) continue;
      const acct = s.account.acct.replace(/^@/, '');
      const published = new Date(s.created_at);
      const lang = languageOf(s.language);
      const followers = count(s.account.followers_count);
      drafts.set(s.uri, {
        externalId: s.uri.slice(0, 512),
        url,
        author: {
          // Local accounts have no domain in `acct`: qualify them so that ids are global.
          id: acct.includes('@') || !host ? acct : `${acct}@${host}`,
          name: (s.account.display_name?.trim() || s.account.username || acct).slice(0, 256),
          ...(followers !== undefined ? { followers } : {}),
        },
        text: text.slice(0, MAX_TEXT_LENGTH),
        ...(lang ? { lang } : {}),
        publishedAt: Number.isNaN(published.getTime()) ? fetchedAt : published,
        engagement: {
          ...definedCount('likes', s.favourites_count),
          ...definedCount('shares', s.reblogs_count),
          ...definedCount('replies', s.replies_count),
        },
      });
    }
    return [...drafts.values()];
  },
});

/**
 * Which of hashtag, account and query the source reads. Checked here rather than in the options
 * schema: config/ composes each kind's options into sources.yaml's schema with `.extend(shape)`,
 * which keeps field checks but drops object-level refinements, so an "exactly one" refinement
 * would never run. A `ConfigError` before any request says what to fix.
 */
function modeOf(source: MastodonSource): Mode {
  const set = (['hashtag', 'account', 'query'] as const).filter((k) => source[k] !== undefined);
  const [only] = set;
  if (set.length !== 1 || !only) {
    throw new ConfigError([
      `sources.yaml: source "${source.id}" (mastodon): set exactly one of hashtag, account or query (${
        set.length ? `found ${set.join(' and ')}` : 'none is set'
      })`,
    ]);
  }
  if (only === 'query') {
    if (!source.secrets.token) {
      throw new ConfigError([
        `sources.yaml: source "${source.id}" (mastodon): full-text search (query) needs MASTODON_TOKEN, an access token of an account on ${redactUrl(instanceBase(source))} (Mastodon does not search statuses for anonymous clients); or read a hashtag or an account instead`,
      ]);
    }
    return { kind: 'query', q: source.query ?? '' };
  }
  if (only === 'account') return { kind: 'account', acct: stripPrefix(source.account ?? '', '@') };
  return { kind: 'hashtag', tag: stripPrefix(source.hashtag ?? '', '#') };
}

async function lookupAccount(
  source: MastodonSource,
  base: string,
  acct: string,
  headers: Record<string, string>,
  http: HttpClient,
  signal: AbortSignal,
): Promise<string> {
  const url = new URL(`${base}/api/v1/accounts/lookup`);
  url.searchParams.set('acct', acct);
  let res: HttpResponse;
  try {
    res = await http.get({ source: source.id, url: url.href, headers, signal });
  } catch (err) {
    if (err instanceof SourceHttpError && err.status === 404) {
      throw new SourceHttpError(
        source.id,
        `account "${acct}" is not known to ${redactUrl(base)} (check the handle, or use "user@domain" for a remote account)`,
        { status: 404, cause: err },
      );
    }
    throw err;
  }
  try {
    return accountSchema.parse(JSON.parse(jsonText(res.body))).id;
  } catch (err) {
    throw new SourceParseError(source.id, `not a Mastodon account (${redactUrl(url.href)})`, err);
  }
}

/** When the instance's budget is spent (`X-RateLimit-Remaining: 0`), the time it comes back. */
function budgetSpentUntil(res: HttpResponse, now: Date): string | undefined {
  if (res.headers['x-ratelimit-remaining']?.trim() !== '0') return undefined;
  const wait = retryAfterMs(res.headers, now.getTime()) ?? DEFAULT_WINDOW_MS;
  return new Date(now.getTime() + wait).toISOString();
}

/** The `min_id` of the `Link` header's rel="prev": the instance's own "newest you have". */
function prevMinId(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>(.*)$/.exec(part.trim());
    if (!m?.[1] || !/;\s*rel="?prev"?/i.test(m[2] ?? '')) continue;
    try {
      const params = new URL(m[1]).searchParams;
      return params.get('min_id') ?? params.get('since_id') ?? undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * The newest status id of a page, read leniently: a body `parse` will refuse yields nothing, and
 * the cursor stays as it was. Timeline order is by the wrapper's id (a boost's own), which is
 * what `min_id` compares against.
 */
function newestId(body: Buffer): string | undefined {
  let page: unknown;
  try {
    page = JSON.parse(jsonText(body));
  } catch {
    return undefined;
  }
  const list: unknown = Array.isArray(page)
    ? page
    : (page as { statuses?: unknown } | null)?.statuses;
  if (!Array.isArray(list)) return undefined;
  let newest: string | undefined;
  for (const s of list) {
    const id = (s as { id?: unknown } | null)?.id;
    if (typeof id === 'string' && id && (!newest || compareIds(id, newest) > 0)) newest = id;
  }
  return newest;
}

/**
 * Mastodon ids are decimal snowflakes in strings (longer is newer); other servers of the API use
 * fixed-length sortable strings (ULIDs, flake ids). Length first, then characters, orders both.
 */
function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

const count = (n: number | null | undefined): number | undefined =>
  typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;

function definedCount<K extends 'likes' | 'shares' | 'replies'>(
  key: K,
  n: number | null | undefined,
): Partial<Record<K, number>> {
  const c = count(n);
  return c === undefined ? {} : ({ [key]: c } as Partial<Record<K, number>>);
}

const accountSchema = z.object({ id: z.string().min(1) });

const statusFields = {
  id: z.string().min(1),
  uri: z.string().min(1),
  url: z.string().nullish(),
  created_at: z.string(),
  content: z.string().nullish(),
  spoiler_text: z.string().nullish(),
  language: z.string().nullish(),
  favourites_count: z.number().nullish(),
  reblogs_count: z.number().nullish(),
  replies_count: z.number().nullish(),
  account: z.object({
    acct: z.string().min(1),
    username: z.string().nullish(),
    display_name: z.string().nullish(),
    followers_count: z.number().nullish(),
  }),
};
/** The fields of a Status we read (https://docs.joinmastodon.org/entities/Status/). */
const statusSchema = z.object({ ...statusFields, reblog: z.object(statusFields).nullish() });
type Status = z.output<typeof statusSchema>;
/** Timelines answer an array; `/api/v2/search` an object whose `statuses` we read. */
const pageSchema = z.union([z.array(statusSchema), z.object({ statuses: z.array(statusSchema) })]);

/**
 * JSON is UTF-8 (RFC 8259). Not `decodeBody`: it sniffs `<meta charset>` in the first bytes,
 * which a post quoting HTML could plant in a JSON page.
 */
function jsonText(body: Buffer): string {
  return body.toString('utf8').replace(/^\uFEFF/, '');
}

function instanceBase(source: MastodonSource): string {
  return source.instance.replace(/\/+$/, '');
}

function stripPrefix(s: string, prefix: string): string {
  return s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host || undefined;
  } catch {
    return undefined;
  }
}

function isHttpUrl(s: string | null | undefined): s is string {
  return !!s && /^https?:\/\/\S+$/i.test(s) && URL.canParse(s);
}

/** The primary language subtag ("en" of "en-GB"), which is what the analysis reads. */
function languageOf(tag: string | null | undefined): string | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}
