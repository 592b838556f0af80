/**
 * Apple App Store customer reviews, from the public iTunes RSS generator in JSON:
 * `{api}/{country}/rss/customerreviews/page={n}/id={appId}/sortby=mostrecent/json`. No key; one
 * storefront per source; 50 reviews a page and 10 pages at most (the 500 newest reviews).
 *
 * Several pages are read inside one `fetchPage` and handed to `parse` as one combined page: the
 * feed is a window of the newest reviews that shifts as reviews arrive, so a page cursor kept
 * between polls would point at a different slice by the next poll. Each poll starts from the
 * newest and stops at the first page that holds the newest review seen last time.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceParseError } from '../errors.js';
import { redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type RawPage, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'appstore';

/** Reviews per page of the feed. */
const PAGE_SIZE = 50;
/** Apple answers no deeper than page 10. */
const MAX_PAGES = 10;

const optionsSchema = z.object({
  appId: z
    .union([z.string().regex(/^\d{1,20}$/), z.number().int().positive().transform(String)])
    .describe(
      'The app\'s numeric App Store id: the digits after "id" in its store URL (apps.apple.com/us/app/name/id1321994487).',
    ),
  country: z
    .string()
    .regex(/^[a-zA-Z]{2}$/, 'expected a two-letter storefront code such as "us" or "fr"')
    .transform((s) => s.toLowerCase())
    .default('us')
    .describe(
      'The storefront (ISO 3166 country code): each country has its own reviews; configure one source per country.',
    ),
  pages: z
    .number()
    .int()
    .min(1)
    .max(MAX_PAGES)
    .default(1)
    .describe(
      'Pages of 50 reviews to read per poll at most (1-10); a poll stops early at the first page holding the newest review it already has.',
    ),
  api: httpUrlSchema
    .default('https://itunes.apple.com')
    .describe('Base URL of the iTunes RSS generator (a test server or a mirror).'),
});

type AppStoreSource = z.output<typeof optionsSchema> & { id: string };

/**
 * Options of an `appstore` source.
 * - `appId`: the app's numeric id.
 * - `country`: storefront, @default 'us'
 * - `pages`: pages of 50 per poll, @default 1
 * - `api`: @default 'https://itunes.apple.com'
 */
export type AppStoreOptions = z.input<typeof optionsSchema>;

const label = z.object({ label: z.string() });

/** The feed, the parts read here. Entries are checked one by one: the app's own entry differs. */
const feedSchema = z.object({
  feed: z.object({
    updated: label.optional(),
    // iTunes gives a lone review as an object rather than a one-element array.
    entry: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
  }),
});

/** One customer review (`im:rating` present). */
const reviewSchema = z.object({
  id: label,
  author: z.object({ name: label.optional(), uri: label.optional() }).optional(),
  title: label.optional(),
  content: label.optional(),
  'im:rating': label,
  'im:version': label.optional(),
  'im:voteSum': label.optional(),
  // Absent from older captures, present in the feed since about 2021.
  updated: label.optional(),
});
type Review = z.output<typeof reviewSchema>;

export default defineSource({
  kind: SOURCE_KIND,
  options: optionsSchema,
  secrets: {},
  // A JSON feed Apple publishes for programs rather than a page for crawlers; no documented limit,
  // so a few requests a minute per host, one at a time (CATALOGUE §2.6).
  politeness: { perMinute: 12, concurrency: 1, robots: false },
  target: (source) => redactUrl(pageUrl(source, 1)),

  async fetchPage(source, cursor, { http, signal, now }) {
    const pages: { feed: z.output<typeof feedSchema>['feed']; reviews: Review[] }[] = [];
    let first: RawPage | undefined;
    let etag: string | undefined;
    for (let n = 1; n <= source.pages; n++) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      // The validator belongs to page 1, the only page whose answer decides whether to go on.
      if (n === 1 && cursor.etag) headers['If-None-Match'] = cursor.etag;
      const res = await http.get({ source: source.id, url: pageUrl(source, n), headers, signal });
      if (res.status === 304) return { notModified: true, cursor };
      const raw: RawPage = {
        body: res.body,
        contentType: res.headers['content-type'],
        url: res.url,
      };
      const read = readPage(raw);
      // Unreadable: hand the page to `parse` as it came so that it raises, keep the old cursor.
      if (!read) return { notModified: false, cursor, raw };
      if (n === 1) {
        first = raw;
        etag = res.headers.etag;
        // Sorted newest first: the same newest review means nothing new on any page.
        if (cursor.newestId && read.reviews[0]?.id.label === cursor.newestId) {
          return { notModified: true, cursor: { ...cursor, ...(etag ? { etag } : {}) } };
        }
      }
      pages.push(read);
      const seen = read.reviews.some(
        (r) =>
          r.id.label === cursor.newestId ||
          (!!cursor.newestAt &&
            !!r.updated &&
            Date.parse(r.updated.label) < Date.parse(cursor.newestAt)),
      );
      if (seen || read.entries < PAGE_SIZE) break;
    }
    if (!first) throw new SourceParseError(source.id, 'no page read');
    const newest = pages[0]?.reviews[0];
    const next: SourceCursor = newest
      ? {
          newestId: newest.id.label,
          ...(newest.updated ? { newestAt: newest.updated.label } : {}),
        }
      : // An app without reviews yet: remember when it had none.
        { ...cursor, checkedAt: now().toISOString() };
    if (etag) next.etag = etag;
    if (pages.length === 1) return { notModified: false, cursor: next, raw: first };
    // Several pages: one feed holding every page's entries, newest first, for `parse`.
    const feed = { ...pages[0]?.feed, entry: pages.flatMap((p) => p.reviews) };
    return {
      notModified: false,
      cursor: next,
      raw: {
        body: Buffer.from(JSON.stringify({ feed })),
        contentType: 'application/json',
        url: first.url,
      },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    const feed = readFeed(raw, sourceId);
    const entries = entriesOf(feed);
    const reviewPage = reviewPageOf(raw.url);
    const feedUpdated = parseDate(feed.updated?.label);
    const drafts = new Map<string, MentionDraft>();
    for (const [i, entry] of entries.entries()) {
      // The first entry of older feeds describes the app itself, not a review.
      if (!isReview(entry)) continue;
      const parsed = reviewSchema.safeParse(entry);
      if (!parsed.success) {
        throw new SourceParseError(
          sourceId,
          `entry ${i} is not a review the adapter can read (${raw.url})`,
          parsed.error,
        );
      }
      const r = parsed.data;
      const externalId = r.id.label.trim();
      const title = r.title?.label.trim() || undefined;
      const text = r.content?.label.trim() || title;
      if (!externalId || !text || drafts.has(externalId)) continue;
      const name = r.author?.name?.label.trim() ?? '';
      const uri = r.author?.uri?.label.trim();
      const rating = Number(r['im:rating'].label);
      const votes = Number(r['im:voteSum']?.label);
      drafts.set(externalId, {
        externalId: externalId.slice(0, 512),
        url: reviewPage ?? (uri && isHttpUrl(uri) ? uri : raw.url),
        author: {
          // The reviewer's profile URL carries Apple's user id; a name alone is not unique.
          id: (uri || `${name || 'anonymous'}@apps.apple.com`).slice(0, 256),
          name: name.slice(0, 256),
        },
        ...(title ? { title: title.slice(0, 1000) } : {}),
        text: text.slice(0, MAX_TEXT_LENGTH),
        // No language: a storefront is a country, and a country's reviews come in several.
        // Older captures date no entry: the feed's own date is then the latest a review can be.
        publishedAt: parseDate(r.updated?.label) ?? feedUpdated ?? fetchedAt,
        ...(Number.isInteger(rating) && rating >= 1 && rating <= 5 ? { rating } : {}),
        ...(Number.isInteger(votes) && votes > 0 ? { engagement: { likes: votes } } : {}),
      });
    }
    return [...drafts.values()];
  },
});

function pageUrl(source: Pick<AppStoreSource, 'api' | 'country' | 'appId'>, page: number): string {
  const base = source.api.replace(/\/+$/, '');
  return `${base}/${source.country}/rss/customerreviews/page=${page}/id=${source.appId}/sortby=mostrecent/json`;
}

/** The feed of a page, or null when it is not one (fetchPage only: `parse` says why). */
function readPage(
  raw: RawPage,
): { feed: z.output<typeof feedSchema>['feed']; reviews: Review[]; entries: number } | null {
  try {
    const feed = readFeed(raw, SOURCE_KIND);
    const entries = entriesOf(feed);
    const reviews = entries.filter(isReview).flatMap((e) => {
      const r = reviewSchema.safeParse(e);
      return r.success ? [r.data] : [];
    });
    return { feed, reviews, entries: entries.length };
  } catch {
    return null;
  }
}

function readFeed(raw: RawPage, sourceId: string): z.output<typeof feedSchema>['feed'] {
  let json: unknown;
  try {
    json = JSON.parse(raw.body.toString('utf8').replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new SourceParseError(sourceId, `not JSON (${redactUrl(raw.url)})`, err);
  }
  const parsed = feedSchema.safeParse(json);
  if (!parsed.success) {
    throw new SourceParseError(
      sourceId,
      `not an iTunes customer-reviews feed (${redactUrl(raw.url)})`,
      parsed.error,
    );
  }
  return parsed.data.feed;
}

function entriesOf(feed: z.output<typeof feedSchema>['feed']): unknown[] {
  const e = feed.entry;
  if (!e) return [];
  return Array.isArray(e) ? e : [e];
}

function isReview(entry: unknown): boolean {
  return !!entry && typeof entry === 'object' && 'im:rating' in entry;
}

/**
 * The app's public review page for the storefront, from the feed URL's path (`/{cc}/rss/...
 * /id={appId}/`): where a person reads the review. Null if the URL is not shaped so.
 */
function reviewPageOf(feedUrl: string): string | null {
  const m = /\/([a-z]{2})\/rss\/customerreviews\/(?:[^/]+\/)*id=(\d+)\//i.exec(feedUrl);
  if (!m) return null;
  return `https://apps.apple.com/${m[1]?.toLowerCase()}/app/id${m[2]}?see-all=reviews`;
}

function parseDate(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s) && URL.canParse(s);
}
