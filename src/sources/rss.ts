/**
 * RSS 0.9x/2.0, Atom and RDF feeds (read with @rowanmanning/feed-parser), Google Alerts and
 * YouTube channel feeds included, and JSON Feed 1.0/1.1. Polls are incremental: conditional GET
 * (ETag / Last-Modified) spares the site, and the mention store's unique key (source,
 * externalId) drops items seen before.
 */
import { createHash } from 'node:crypto';
import { parseFeed } from '@rowanmanning/feed-parser';
import { SourceParseError } from '../errors.js';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { decodeAs } from './_decode.js';
import { htmlToText } from './_html.js';
import { getConditional, redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type RawPage } from './_types.js';

export const SOURCE_KIND = 'rss';

export default defineSource({
  kind: SOURCE_KIND,
  options: z.object({
    url: httpUrlSchema.describe(
      'The feed: RSS, Atom, RDF or JSON Feed (Google Alerts "Deliver to: RSS feed", YouTube channel feeds...).',
    ),
  }),
  secrets: {},
  // Feeds are one file per site; a site with several watched feeds still gets one at a time.
  politeness: { perMinute: 30, concurrency: 1, robots: true },
  target: (source) => redactUrl(source.url),

  async fetchPage(source, cursor, { http, signal }) {
    const got = await getConditional(
      http,
      {
        source: source.id,
        url: source.url,
        accept:
          'application/atom+xml, application/rss+xml, application/rdf+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5',
        signal,
      },
      cursor,
    );
    if (got.notModified) return { notModified: true, cursor };
    const { res } = got;
    return {
      notModified: false,
      cursor: got.validators,
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    if (isJsonFeed(raw)) return parseJsonFeed(raw, { sourceId, fetchedAt });
    let feed;
    const xml = decodeXml(raw);
    // The parser reads a cut-off document as far as it goes; a feed cut in transfer would
    // store half an item as a whole one. A feed ends by closing its root element.
    if (!/<\/(?:[\w-]+:)?(rss|feed|RDF)>(\s|<!--[\s\S]*?-->)*$/.test(xml)) {
      throw new SourceParseError(sourceId, `truncated or not a feed (${raw.url})`);
    }
    // The parser expands the entities a document declares (fast-xml-parser): nested ones are a
    // "billion laughs" bomb. No feed needs its own entities.
    if (declaresEntities(xml)) {
      throw new SourceParseError(sourceId, `declares XML entities, refused (${raw.url})`);
    }
    try {
      feed = parseFeed(xml).toJSON();
    } catch (err) {
      throw new SourceParseError(sourceId, `not an RSS, Atom or RDF feed (${raw.url})`, err);
    }
    const lang = languageOf(feed.language);
    const drafts = new Map<string, MentionDraft>();
    for (const item of feed.items) {
      const title = item.title ? htmlToText(item.title) : undefined;
      const body = htmlToText(item.content ?? item.description ?? '') || title;
      const url =
        unwrapGoogleRedirect(
          absoluteUrl(item.url, raw.url) ?? (isHttpUrl(item.id) ? item.id : null),
        ) ?? redactUrl(raw.url); // the feed's own URL may carry its token
      // Items without any text carry nothing to analyse.
      if (!body) continue;
      const published = item.published ?? item.updated;
      const externalId =
        item.id ?? item.url ?? sha256(`${title ?? ''}\n${published ?? ''}\n${body.slice(0, 200)}`);
      // GUIDs are not always unique within one feed: keep the first.
      if (drafts.has(externalId)) continue;
      const host = safeHost(url) ?? safeHost(raw.url) ?? 'unknown';
      const a = item.authors[0];
      drafts.set(externalId, {
        externalId: externalId.slice(0, 512),
        url,
        author: {
          // Feeds rarely name people; the publishing site then stands for the author.
          id: a?.url ?? a?.email ?? (a?.name ? `${a.name}@${host}` : host),
          name: a?.name ?? feed.title ?? host,
        },
        ...(title ? { title: title.slice(0, 1000) } : {}),
        text: body.slice(0, MAX_TEXT_LENGTH),
        ...(lang ? { lang } : {}),
        // A feed without dates: the item happened no later than we saw it. A date in the
        // future is brought back to fetch time by the poll job, for every kind of source.
        publishedAt: published ? new Date(published) : fetchedAt,
      });
    }
    return [...drafts.values()];
  },
});

function isJsonFeed(raw: RawPage): boolean {
  if (/json/i.test(raw.contentType ?? '')) return true;
  const head = raw.body
    .subarray(0, 64)
    .toString('utf8')
    .replace(/^[\s\uFEFF]+/, '');
  return head.startsWith('{');
}

const jsonFeedAuthor = z.object({ name: z.string().optional(), url: z.string().optional() });
/** JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), the fields we read. */
const jsonFeedSchema = z.object({
  version: z.string().regex(/^https:\/\/jsonfeed\.org\/version\//),
  title: z.string().optional(),
  language: z.string().optional(),
  author: jsonFeedAuthor.optional(),
  authors: z.array(jsonFeedAuthor).optional(),
  items: z.array(
    z.object({
      id: z.union([z.string(), z.number()]).transform(String),
      url: z.string().optional(),
      title: z.string().optional(),
      content_html: z.string().optional(),
      content_text: z.string().optional(),
      summary: z.string().optional(),
      date_published: z.string().optional(),
      date_modified: z.string().optional(),
      language: z.string().optional(),
      author: jsonFeedAuthor.optional(),
      authors: z.array(jsonFeedAuthor).optional(),
    }),
  ),
});

function parseJsonFeed(
  raw: RawPage,
  { sourceId, fetchedAt }: { sourceId: string; fetchedAt: Date },
): MentionDraft[] {
  let feed;
  try {
    feed = jsonFeedSchema.parse(JSON.parse(raw.body.toString('utf8')));
  } catch (err) {
    throw new SourceParseError(sourceId, `not a JSON Feed (${raw.url})`, err);
  }
  const feedAuthor = feed.authors?.[0] ?? feed.author;
  const drafts = new Map<string, MentionDraft>();
  for (const item of feed.items) {
    const title = item.title ? htmlToText(item.title) : undefined;
    const body =
      (item.content_html ? htmlToText(item.content_html) : item.content_text?.trim()) ||
      (item.summary ? htmlToText(item.summary) : '') ||
      title;
    if (!body || drafts.has(item.id)) continue;
    const url = absoluteUrl(item.url ?? null, raw.url) ?? redactUrl(raw.url);
    const host = safeHost(url) ?? safeHost(raw.url) ?? 'unknown';
    const a = item.authors?.[0] ?? item.author ?? feedAuthor;
    const published = parseDate(item.date_published ?? item.date_modified);
    const lang = languageOf(item.language ?? feed.language ?? null);
    drafts.set(item.id, {
      externalId: item.id.slice(0, 512),
      url,
      author: {
        id: a?.url ?? (a?.name ? `${a.name}@${host}` : host),
        name: a?.name ?? feed.title ?? host,
      },
      ...(title ? { title: title.slice(0, 1000) } : {}),
      text: body.slice(0, MAX_TEXT_LENGTH),
      ...(lang ? { lang } : {}),
      publishedAt: published ?? fetchedAt,
    });
  }
  return [...drafts.values()];
}

function parseDate(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * Bytes to text in the feed's declared encoding: the XML declaration, which travels with the
 * file, wins over the HTTP charset, which servers often set blindly to utf-8.
 */
function decodeXml(raw: RawPage): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(raw.contentType ?? '')?.[1];
  const head = raw.body.subarray(0, 256).toString('latin1');
  const fromDecl = /<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(head)?.[1];
  // A feed labelled utf-8 (or not at all) in Windows-1252 is read as such (./_decode.ts).
  // Some feeds put blank lines before the XML declaration, which XML forbids.
  return decodeAs(raw.body, fromDecl ?? fromHeader).replace(/^[\s\uFEFF]+/, '');
}

/** Whether the DOCTYPE before the root element has an internal subset declaring entities. */
function declaresEntities(xml: string): boolean {
  const doctype = /<!DOCTYPE\b/i.exec(xml);
  if (!doctype) return false;
  // A DOCTYPE after the root element's start is text of an item, not a declaration.
  const before = xml.slice(0, doctype.index).replace(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>/g, '');
  if (/<[A-Za-z_]/.test(before)) return false;
  const rest = xml.slice(doctype.index);
  const open = rest.search(/[[>]/);
  if (open < 0 || rest[open] === '>') return false;
  const close = rest.slice(open).search(/\]\s*>/);
  const subset = close < 0 ? rest.slice(open) : rest.slice(open, open + close);
  return /<!ENTITY\b/i.test(subset);
}

/** Google Alerts links go through google.com/url?url=REAL; keep the real one. */
function unwrapGoogleRedirect(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    if (/(^|\.)google\.[a-z.]+$/.test(u.hostname) && u.pathname === '/url') {
      const real = u.searchParams.get('url') ?? u.searchParams.get('q');
      if (real && isHttpUrl(real)) return real;
    }
    return isHttpUrl(url) ? url : null;
  } catch {
    return null;
  }
}

/** Atom links are often relative (`/blog/2012/...`): resolve them against the feed's URL. */
function absoluteUrl(url: string | null, base: string): string | null {
  if (!url || isHttpUrl(url)) return url;
  return URL.canParse(url, base) ? new URL(url, base).href : null;
}

function isHttpUrl(s: string | null): s is string {
  return !!s && /^https?:\/\/[^\s]+$/i.test(s) && URL.canParse(s);
}

function safeHost(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

function languageOf(tag: string | null): string | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
