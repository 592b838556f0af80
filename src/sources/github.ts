/**
 * GitHub issues and pull requests matching a search (`GET /search/issues`), newest first. A
 * token is optional (a fine-grained one with no scope will do) and lifts the search bucket from 10
 * to 30 requests a minute. GitHub wants a User-Agent: the shared HTTP client sends ours.
 *
 * Comments are left out: the search API finds issues and pull requests only, and their comments
 * would take one request per issue (or per repository with `/issues/comments?since=`), which the
 * search bucket of 10 a minute cannot pay for. A comment's words reach us when the issue is new.
 *
 * Polls are incremental: the cursor keeps the newest `created_at` seen, and the next search adds
 * `created:>=` that time less {@link OVERLAP_MS} (the search index shows some issues late; the
 * store drops those it holds). When GitHub says the bucket is empty (`X-RateLimit-Remaining: 0`)
 * the cursor keeps `notBefore` = `X-RateLimit-Reset`, and polls until then ask nothing.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceHttpError } from '../errors.js';
import { decodeBody, readJsonPage } from './_decode.js';
import { redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type RawPage, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'github';

/** How far back of the newest issue seen a poll asks again. */
const OVERLAP_MS = 30 * 60_000;

const options = z.object({
  query: z
    .string()
    .trim()
    .min(1)
    .describe(
      'A GitHub issue search: words and qualifiers ("acme is:issue", "acme org:acme-corp", "crash repo:acme/app"). `created:>=` is added.',
    ),
  api: httpUrlSchema
    .default('https://api.github.com')
    .describe('Base URL of the REST API (https://HOST/api/v3 for GitHub Enterprise Server).'),
});

/** The options of a `github` source in sources.yaml. */
export type GitHubOptions = z.output<typeof options>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {
    token: {
      env: 'GITHUB_TOKEN',
      optional: true,
      describe: 'a GitHub token (no scope needed for public data; search 30/min instead of 10/min)',
    },
  },
  // Below the anonymous search bucket (10 a minute), which is all we can count on.
  politeness: { perMinute: 8, concurrency: 1, robots: false },

  target: (source) => `${apiBase(redactUrl(source.api))}/search/issues "${source.query}"`,

  async fetchPage(source, cursor, { http, signal, now }) {
    if (cursor.notBefore && Date.parse(cursor.notBefore) > now().getTime())
      return { notModified: true, cursor };

    const since = cursor.newest ? searchDate(Date.parse(cursor.newest) - OVERLAP_MS) : undefined;
    const q = since ? `${source.query} created:>=${since}` : source.query;
    const url =
      `${apiBase(source.api)}/search/issues?q=${encodeURIComponent(q)}` +
      '&sort=created&order=desc&per_page=100';
    const headers: Record<string, string> = {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
    };
    if (source.secrets.token) headers.Authorization = `Bearer ${source.secrets.token}`;

    let res;
    try {
      res = await http.get({ source: source.id, url, headers, signal });
    } catch (err) {
      throw rateLimited(err);
    }
    const raw: RawPage = { body: res.body, contentType: res.headers['content-type'], url: res.url };
    const next = nextCursor(cursor, raw, now().getTime());
    const reset = Number(res.headers['x-ratelimit-reset']);
    if (res.headers['x-ratelimit-remaining'] === '0' && reset > 0) {
      next.notBefore = new Date(reset * 1000).toISOString();
    }
    return { notModified: false, cursor: next, raw };
  },

  parse(raw, { sourceId }) {
    const page = readJsonPage(raw, sourceId, pageSchema, 'a GitHub issue search answer');
    const drafts = new Map<string, MentionDraft>();
    for (const item of page.items) {
      const id = String(item.id);
      const title = item.title.trim();
      const body = item.body ? markdownText(item.body) : '';
      // The title is half of what an issue says ("App crashes on login"): it leads the text.
      const text = body ? `${title}\n\n${body}` : title;
      if (!text || drafts.has(id)) continue;
      // Deleted accounts come back as null (GitHub shows them as "ghost").
      const login = item.user?.login ?? 'ghost';
      // 👍 is GitHub's upvote (what `sort=reactions-+1` ranks by); `total_count` would count
      // 👎 and 😕 on a complaint as likes.
      const likes = item.reactions?.['+1'];
      drafts.set(id, {
        externalId: id,
        url: item.html_url,
        author: { id: login, name: login },
        ...(title ? { title: title.slice(0, 1000) } : {}),
        text: text.slice(0, MAX_TEXT_LENGTH),
        publishedAt: new Date(item.created_at),
        engagement: {
          ...(likes !== undefined ? { likes } : {}),
          ...(item.comments !== undefined ? { replies: item.comments } : {}),
        },
      });
    }
    return [...drafts.values()];
  },
});

const count = z.number().int().min(0).optional().catch(undefined);

/** `GET /search/issues` (https://docs.github.com/rest/search/search#search-issues-and-pull-requests). */
const pageSchema = z.object({
  total_count: z.number().int(),
  incomplete_results: z.boolean().optional(),
  items: z.array(
    z.object({
      id: z.number().int(),
      title: z.string(),
      body: z.string().nullish(),
      html_url: z.url({ protocol: /^https?$/ }),
      created_at: z.iso.datetime({ offset: true }),
      user: z.object({ login: z.string().min(1) }).nullish(),
      comments: count,
      reactions: z.object({ '+1': count }).optional().catch(undefined),
    }),
  ),
});

function apiBase(api: string): string {
  return api.replace(/\/+$/, '');
}

/** A time as the search's date qualifiers take it: `2026-01-21T23:29:42+00:00`. */
function searchDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

/**
 * Issue bodies are Markdown and stay Markdown (code and lists read fine as text), without what
 * GitHub does not show: issue-template comments (`<!-- describe the bug -->`), and the bits of
 * HTML people paste (`<br>`, `<details>`, `<img>`), which are layout, not words.
 */
function markdownText(body: string): string {
  return body
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(
      /<\/?(a|b|blockquote|br|code|details|div|em|h[1-6]|hr|i|img|kbd|li|ol|p|picture|pre|source|span|strong|sub|summary|sup|table|tbody|td|th|thead|tr|u|ul|video)\b[^>]*>/gi,
      ' ',
    )
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * GitHub answers a spent rate limit with 403 (or 429) and `X-RateLimit-Reset`; on the search
 * endpoint a 403 means nothing else for public data (a bad token is 401). It is passed on as a
 * 429, which the poll job treats as "leave the source alone until then" rather than as a
 * request that will never work.
 */
function rateLimited(err: unknown): unknown {
  if (err instanceof SourceHttpError && err.status === 403 && err.retryAfterMs !== undefined) {
    return new SourceHttpError(err.source, 'GitHub rate limit reached (403)', {
      status: 429,
      retryAfterMs: err.retryAfterMs,
      ...(err.body !== undefined ? { body: err.body } : {}),
      cause: err,
    });
  }
  return err;
}

/**
 * The cursor after this page: the newest creation time held. A search GitHub cut short
 * (`incomplete_results`) keeps the old watermark, so the next poll asks the same window again.
 * A body that does not read keeps the old cursor: parse reports it.
 */
function nextCursor(cursor: SourceCursor, raw: RawPage, at: number): SourceCursor {
  let body: { items: { created_at: string }[]; incomplete_results?: boolean | undefined };
  try {
    body = z
      .object({
        items: z.array(z.object({ created_at: z.string() })),
        incomplete_results: z.boolean().optional(),
      })
      .parse(JSON.parse(decodeBody(raw)));
  } catch {
    return { ...cursor };
  }
  const prev = cursor.newest ? Date.parse(cursor.newest) : Number.NaN;
  if (body.incomplete_results && cursor.newest && !Number.isNaN(prev))
    return { newest: cursor.newest };
  let newest = Number.isNaN(prev) ? 0 : prev;
  for (const i of body.items) {
    const t = Date.parse(i.created_at);
    if (t > newest) newest = t;
  }
  // Nothing found yet: the watermark starts now; what was opened before is not news.
  return { newest: new Date(newest || at).toISOString() };
}
