/**
 * RSS 0.9x/2.0, Atom and RDF feeds, Google Alerts feeds included, read with
 * @rowanmanning/feed-parser. Polls are incremental: conditional GET (ETag / Last-Modified) spares
 * the site, and the mention store's unique key (source, externalId) drops items seen before.
 */
import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { parseFeed } from '@rowanmanning/feed-parser';
import { SourceParseError } from '../errors.js';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { htmlToText } from './_html.js';
import { defineSource, type MentionDraft, type RawPage, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'rss';

export default defineSource({
  kind: SOURCE_KIND,

  async fetchPage(source, cursor, { http, signal }) {
    const headers: Record<string, string> = {
      Accept:
        'application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
    };
    if (cursor.etag) headers['If-None-Match'] = cursor.etag;
    if (cursor.lastModified) headers['If-Modified-Since'] = cursor.lastModified;
    const res = await http.get({ source: source.id, url: source.url, headers, signal });
    if (res.status === 304) return { notModified: true, cursor };
    const next: SourceCursor = {};
    if (res.headers.etag) next.etag = res.headers.etag;
    if (res.headers['last-modified']) next.lastModified = res.headers['last-modified'];
    return {
      notModified: false,
      cursor: next,
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    let feed;
    try {
      feed = parseFeed(decodeXml(raw)).toJSON();
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
        ) ?? raw.url;
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

/**
 * Bytes to text in the feed's declared encoding: the XML declaration, which travels with the
 * file, wins over the HTTP charset, which servers often set blindly to utf-8.
 */
function decodeXml(raw: RawPage): string {
  const fromHeader = /charset=["']?([\w-]+)/i.exec(raw.contentType ?? '')?.[1];
  const head = raw.body.subarray(0, 256).toString('latin1');
  const fromDecl = /<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(head)?.[1];
  const declared = fromDecl ?? fromHeader;
  const encoding = declared && iconv.encodingExists(declared) ? declared : 'utf8';
  // Some feeds put blank lines before the XML declaration, which XML forbids.
  return iconv.decode(raw.body, encoding).replace(/^[\s\uFEFF]+/, '');
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
