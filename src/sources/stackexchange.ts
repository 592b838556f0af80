/**
 * Stack Exchange questions (Stack Overflow, Super User, any site of the network) matching a
 * search, through `GET /2.3/search/advanced`, newest first. No key is needed; a free app key
 * (stackapps.com) raises the quota from 300 to 10,000 requests a day. The key is public by design
 * but travels in the query, so it is masked wherever a URL is shown.
 *
 * Polls are incremental: the cursor keeps the newest `creation_date` seen and the next poll asks
 * `fromdate` from there (less {@link OVERLAP_S}, for questions the search index shows late; the
 * store drops the ones it holds). The API's own throttle is obeyed: a `backoff` field (seconds)
 * means no call to the method before it has passed, and `quota_remaining: 0` means none before
 * the quota resets at midnight UTC. Both are kept in the cursor as `notBefore`, and until then
 * fetchPage answers "not modified" without asking: the poll job then records a quiet poll, not a
 * failure, since nothing is wrong with the source.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { decodeBody, readJsonPage } from './_decode.js';
import { htmlToText } from './_html.js';
import { redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type RawPage, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'stackexchange';

/** How far back of the newest question seen a poll asks again. */
const OVERLAP_S = 30 * 60;

const options = z.object({
  site: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'expected a site parameter such as "stackoverflow" or "superuser"')
    .default('stackoverflow')
    .describe(
      'The Stack Exchange site, as the API names it: "stackoverflow", "superuser", "es.stackoverflow", "french"...',
    ),
  query: z
    .string()
    .trim()
    .min(1)
    .describe("Free-text search (the API's `q`): words in the title, body or tags."),
  api: httpUrlSchema
    .default('https://api.stackexchange.com')
    .describe('Base URL of the API (a local server in tests).'),
});

/** The options of a `stackexchange` source in sources.yaml. */
export type StackExchangeOptions = z.output<typeof options>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {
    key: {
      env: 'STACKEXCHANGE_KEY',
      optional: true,
      describe: 'a Stack Apps app key (public, raises the quota from 300 to 10,000 requests a day)',
    },
  },
  // The daily quota is what binds (300 a day without a key); `backoff` and `quota_remaining`
  // are obeyed in fetchPage. This only keeps a burst of sources from looking like a flood
  // (the API throttles above 30 requests a second per IP).
  politeness: { perMinute: 10, concurrency: 1, robots: false },

  target: (source) => redactUrl(searchUrl(source.api, source.site, source.query)),

  async fetchPage(source, cursor, { http, signal, now }) {
    const at = now().getTime();
    if (cursor.notBefore && Date.parse(cursor.notBefore) > at) return { notModified: true, cursor };

    const url = new URL(searchUrl(source.api, source.site, source.query));
    url.searchParams.set('sort', 'creation');
    url.searchParams.set('order', 'desc');
    url.searchParams.set('pagesize', '100');
    url.searchParams.set('filter', 'withbody');
    if (cursor.fromdate) {
      url.searchParams.set('fromdate', String(Math.max(0, Number(cursor.fromdate) - OVERLAP_S)));
    }
    if (source.secrets.key) url.searchParams.set('key', source.secrets.key);

    const res = await http.get({
      source: source.id,
      url: url.href,
      headers: { Accept: 'application/json' },
      signal,
    });
    // The page's URL carries the key: what travels on (errors, logs) is masked.
    const raw: RawPage = {
      body: res.body,
      contentType: res.headers['content-type'],
      url: redactUrl(res.url),
    };
    return { notModified: false, cursor: nextCursor(cursor, raw, at), raw };
  },

  parse(raw, { sourceId }) {
    const page = readJsonPage(raw, sourceId, pageSchema, 'a Stack Exchange search answer');
    const drafts = new Map<string, MentionDraft>();
    for (const q of page.items) {
      const id = String(q.question_id);
      // Titles, names and bodies all come HTML-encoded ("&quot;", "Fran&#231;ois").
      const title = htmlToText(q.title);
      const text = (q.body ? htmlToText(q.body) : '') || title;
      if (!text || drafts.has(id)) continue;
      const name = q.owner?.display_name ? htmlToText(q.owner.display_name) : '';
      const lang = langOf(q.link);
      drafts.set(id, {
        externalId: id,
        url: q.link,
        author: {
          // A deleted account keeps its name and loses its id.
          id: q.owner?.user_id !== undefined ? String(q.owner.user_id) : name || 'unknown',
          name,
          // `reputation` is earned from votes on answers, not an audience: nobody follows a
          // Stack Exchange user, so there is no follower count to give.
        },
        ...(title ? { title: title.slice(0, 1000) } : {}),
        text: text.slice(0, MAX_TEXT_LENGTH),
        ...(lang ? { lang } : {}),
        publishedAt: new Date(q.creation_date * 1000),
        engagement: {
          // Net votes can be negative; a downvoted question has no likes to count.
          ...(q.score !== undefined ? { likes: Math.max(q.score, 0) } : {}),
          ...(q.answer_count !== undefined ? { replies: q.answer_count } : {}),
        },
      });
    }
    return [...drafts.values()];
  },
});

const count = z.number().int().optional().catch(undefined);

/** The wrapper of every answer (https://api.stackexchange.com/docs/wrapper), the fields we read. */
const pageSchema = z.object({
  items: z.array(
    z.object({
      question_id: z.number().int(),
      title: z.string(),
      body: z.string().optional(),
      link: z.url({ protocol: /^https?$/ }),
      // Epoch seconds; zero or negative is no date a question was asked.
      creation_date: z.number().int().positive(),
      score: count,
      answer_count: z.number().int().min(0).optional().catch(undefined),
      owner: z
        .object({
          user_id: z.number().int().optional(),
          display_name: z.string().optional(),
        })
        .optional(),
    }),
  ),
  has_more: z.boolean().optional(),
  quota_remaining: z.number().optional(),
  backoff: z.number().optional(),
});

function searchUrl(api: string, site: string, query: string): string {
  const u = new URL(`${api.replace(/\/+$/, '')}/2.3/search/advanced`);
  u.searchParams.set('site', site);
  u.searchParams.set('q', query);
  return u.href;
}

/** The network's sites in another language than English (es.stackoverflow.com...). */
function langOf(link: string): string | undefined {
  const host = URL.canParse(link) ? new URL(link).hostname : '';
  return /^(es|ja|pt|ru)\.stackoverflow\.com$/.exec(host)?.[1];
}

/**
 * The cursor after this page: the newest creation date held, and when the next call may go out
 * if the API asked for a pause. A body that does not read keeps the old cursor: parse reports it.
 */
function nextCursor(cursor: SourceCursor, raw: RawPage, at: number): SourceCursor {
  let body: { items: { creation_date: number }[]; backoff?: number; quota_remaining?: number };
  try {
    body = z
      .object({
        items: z.array(z.object({ creation_date: z.number() })),
        backoff: z.number().optional(),
        quota_remaining: z.number().optional(),
      })
      .parse(JSON.parse(decodeBody(raw)));
  } catch {
    return cursor;
  }
  const newest = Math.max(
    cursor.fromdate ? Number(cursor.fromdate) : 0,
    ...body.items.map((i) => i.creation_date),
  );
  // An empty first page: start from now, the questions asked before are not news.
  const next: SourceCursor = { fromdate: String(newest || Math.floor(at / 1000)) };
  let notBefore = 0;
  if (body.backoff && body.backoff > 0) notBefore = at + body.backoff * 1000;
  if (body.quota_remaining !== undefined && body.quota_remaining <= 0) {
    const midnight = new Date(at);
    midnight.setUTCHours(24, 0, 0, 0);
    notBefore = Math.max(notBefore, midnight.getTime());
  }
  if (notBefore) next.notBefore = new Date(notBefore).toISOString();
  return next;
}
