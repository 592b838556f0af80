import { afterEach, describe, expect, it } from 'vitest';
import { parseMention } from '../../../src/domain/mention.js';
import { SourceParseError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import { createTokenStore, type MentionDraft, type RawPage } from '../../../src/sources/_types.js';
import rss from '../../../src/sources/rss.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

const FETCHED_AT = new Date('2030-01-01T00:00:00.000Z');
const ctx = { sourceId: 'feed', fetchedAt: FETCHED_AT };

function page(body: string | Buffer, over: Partial<RawPage> = {}): RawPage {
  return {
    body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
    contentType: 'application/xml',
    url: 'https://feeds.example.com/feed.xml',
    ...over,
  };
}

function parseFixture(file: string, over: Partial<RawPage> = {}): MentionDraft[] {
  return rss.parse(page(sharedFixture(`rss/${file}`), over), ctx);
}

/** The same gate the poll job applies to every draft. */
function asMention(draft: MentionDraft) {
  return parseMention(
    { ...draft, source: 'x', publishedAt: draft.publishedAt.toISOString() },
    { now: FETCHED_AT },
  );
}

function rssFeed(items: string, channel = ''): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test feed</title><link>https://shop.example.com/</link>${channel}
${items}
</channel></rss>`;
}

describe('rss.parse: Google Alerts', () => {
  const drafts = parseFixture('feedjira_google_alerts_atom.xml', {
    url: 'https://www.google.com/alerts/feeds/00000000000000000000/0000000000000000000',
  });

  it('reads every entry with a unique externalId', () => {
    expect(drafts).toHaveLength(20);
    expect(new Set(drafts.map((d) => d.externalId)).size).toBe(20);
    expect(drafts[0]?.externalId).toMatch(/^tag:google\.com,2013:googlealerts\/feed:\d+$/);
  });

  it('unwraps the google.com/url redirects to the article', () => {
    for (const d of drafts) {
      expect(d.url).not.toContain('google.com/url');
      expect(new URL(d.url).hostname).not.toMatch(/(^|\.)google\./);
    }
    expect(drafts[1]?.url).toBe('https://investorplace.com/2019/07/slack-stock-truly-compelling/');
  });

  it('strips the <b> highlight markup from titles and texts', () => {
    for (const d of drafts) {
      for (const s of [d.title ?? '', d.text]) {
        expect(s).not.toMatch(/<\/?b>/i);
        expect(s).not.toMatch(/&lt;|&gt;|&amp;/);
      }
    }
    expect(drafts.some((d) => d.title?.includes('Slack'))).toBe(true);
  });

  it("makes the article's host the author id", () => {
    for (const d of drafts) expect(d.author.id).toBe(new URL(d.url).hostname);
  });

  it('keeps the entry dates', () => {
    expect(drafts[0]?.publishedAt).toEqual(new Date('2019-07-10T11:53:37.000Z'));
    for (const d of drafts) expect(d.publishedAt).not.toBe(FETCHED_AT);
  });
});

describe('rss.parse: recorded feeds', () => {
  it('reads the RSS 2.0 sample: four items with author names and dates', () => {
    const drafts = parseFixture('node-feedparser_rss2sample.xml');

    expect(drafts).toHaveLength(4);
    for (const d of drafts) {
      expect(d.author.name).not.toBe('');
      expect(d.publishedAt.getUTCFullYear()).toBe(2003);
    }
    expect(drafts[0]).toMatchObject({
      externalId: 'http://liftoff.msfc.nasa.gov/2003/06/03.html#item573',
      url: 'http://liftoff.msfc.nasa.gov/news/2003/news-starcity.asp',
      author: { id: 'writer@example.com', name: 'Writer' },
      title: 'Star City',
      lang: 'en',
      publishedAt: new Date('2003-06-03T09:39:21.000Z'),
    });
    // The escaped link in the description is markup, not text.
    expect(drafts[0]?.text).toMatch(/at Russia's Star City\.$/);
  });

  it('keeps one draft per GUID when a feed repeats it', () => {
    const drafts = parseFixture('node-feedparser_guid-dupes.xml');
    const ids = drafts.map((d) => d.externalId);

    expect(drafts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('decodes a windows-1251 feed from its XML declaration', () => {
    const drafts = parseFixture('node-feedparser_iconv-windows1251.xml');

    expect(drafts).toHaveLength(10);
    for (const d of drafts) {
      expect(d.text).toMatch(/[а-яА-Я]/);
      expect(d.text).not.toContain('\uFFFD');
      expect(d.title ?? '').not.toContain('\uFFFD');
    }
  });

  it('trusts the XML declaration over an HTTP charset that says utf-8', () => {
    const drafts = parseFixture('node-feedparser_iconv-windows1251.xml', {
      contentType: 'text/xml; charset=utf-8',
    });

    expect(drafts[0]?.text).toMatch(/[а-яА-Я]/);
    expect(drafts[0]?.text).not.toContain('\uFFFD');
  });

  it.each([
    'node-feedparser_intertwingly.atom',
    'rss-parser_heise.atom',
    'rss-parser_reddit-atom.xml',
    'rss-parser_guardian.rss',
    'rss-parser_craigslist.rss',
    'rss-parser_content-encoded.rss',
    'node-feedparser_rss2sample.xml',
    'node-feedparser_iconv-windows1251.xml',
    'feedjira_google_alerts_atom.xml',
  ])('turns %s into valid mentions with unique ids', (file) => {
    const drafts = parseFixture(file);

    expect(drafts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(drafts.map((d) => d.externalId)).size).toBe(drafts.length);
    for (const d of drafts) expect(() => asMention(d)).not.toThrow();
  });

  it('resolves relative Atom links against the feed URL', () => {
    const drafts = parseFixture('node-feedparser_intertwingly.atom', {
      url: 'http://intertwingly.net/blog/index.atom',
    });

    expect(drafts).toHaveLength(20);
    expect(drafts[0]?.url).toBe('http://intertwingly.net/blog/2012/07/16/Inhibiting-Suspend');
    expect(new Set(drafts.map((d) => d.url)).size).toBe(20);
  });

  it('skips an entry with no text instead of throwing', () => {
    expect(parseFixture('rss-parser_missing-fields.atom')).toEqual([]);
  });

  it('is deterministic: the same page gives the same drafts', () => {
    for (const file of ['rss-parser_guardian.rss', 'feedjira_google_alerts_atom.xml']) {
      expect(parseFixture(file)).toEqual(parseFixture(file));
    }
  });
});

describe('rss.parse: hand-made feeds', () => {
  it('dates items without a date at fetchedAt', () => {
    const drafts = rss.parse(
      page(
        rssFeed(`
<item><title>No date</title><link>https://shop.example.com/a</link><description>words</description></item>
<item><title>Bad date</title><link>https://shop.example.com/b</link><pubDate>not a date</pubDate><description>words</description></item>`),
      ),
      ctx,
    );

    expect(drafts.map((d) => d.publishedAt)).toEqual([FETCHED_AT, FETCHED_AT]);
  });

  it('gives an item without guid, link or date the same externalId on every poll', () => {
    const body = rssFeed(
      '<item><title>Anonymous</title><description>Late again.</description></item>',
    );
    const first = rss.parse(page(body), ctx);
    const later = rss.parse(page(body), { ...ctx, fetchedAt: new Date('2031-06-01T00:00:00Z') });

    expect(first).toHaveLength(1);
    expect(later[0]?.externalId).toBe(first[0]?.externalId);
    expect(first[0]?.externalId).toMatch(/^[0-9a-f]{64}$/);
    // No link of its own: the feed's URL stands in.
    expect(first[0]?.url).toBe('https://feeds.example.com/feed.xml');
  });

  it('drops script and style content from hostile items', () => {
    const drafts = rss.parse(
      page(
        rssFeed(`<item><title>Hostile &lt;script&gt;alert(2)&lt;/script&gt;title</title><link>https://shop.example.com/h</link>
<description><![CDATA[<p>Visible words</p><script>alert(1)</script><style>body{display:none}</style><noscript>nojs</noscript>]]></description></item>`),
      ),
      ctx,
    );

    expect(drafts).toHaveLength(1);
    const d = drafts[0];
    expect(d?.text).toBe('Visible words');
    for (const s of [d?.text ?? '', d?.title ?? '']) {
      expect(s).not.toMatch(/alert\(|<script|display:none/);
    }
    expect(d?.title).toBe('Hostile title');
  });

  it('keeps words apart across block elements', () => {
    const drafts = rss.parse(
      page(
        rssFeed(
          '<item><guid>p</guid><description>&lt;p&gt;one&lt;/p&gt;&lt;p&gt;two&lt;br/&gt;three&lt;/p&gt;</description></item>',
        ),
      ),
      ctx,
    );

    expect(drafts[0]?.text).toBe('one two three');
  });

  it('does not take a javascript: link as the mention URL', () => {
    const drafts = rss.parse(
      page(
        rssFeed(
          '<item><guid>j</guid><link>javascript:alert(1)</link><description>words</description></item>',
        ),
      ),
      ctx,
    );

    expect(drafts[0]?.url).toBe('https://feeds.example.com/feed.xml');
    expect(() => asMention(drafts[0] as MentionDraft)).not.toThrow();
  });

  it('reads the language of the channel as a primary tag, and ignores one that is not a tag', () => {
    const item = '<item><guid>a</guid><description>mots</description></item>';

    expect(rss.parse(page(rssFeed(item, '<language>fr-FR</language>')), ctx)[0]?.lang).toBe('fr');
    expect(
      rss.parse(page(rssFeed(item, '<language>Deutsch</language>')), ctx)[0],
    ).not.toHaveProperty('lang');
  });

  it('returns [] for a feed without items', () => {
    expect(rss.parse(page(rssFeed('')), ctx)).toEqual([]);
  });

  it('skips items whose only content is blank', () => {
    const drafts = rss.parse(
      page(
        rssFeed(
          '<item><guid>a</guid><description>   </description></item><item><guid>b</guid><description>kept</description></item>',
        ),
      ),
      ctx,
    );

    expect(drafts.map((d) => d.externalId)).toEqual(['b']);
  });

  it('reads a feed that has blank lines before its XML declaration', () => {
    const drafts = rss.parse(
      page(`\n\n  ${rssFeed('<item><guid>a</guid><description>ok</description></item>')}`),
      ctx,
    );

    expect(drafts).toHaveLength(1);
  });
});

describe('rss.parse: JSON Feed', () => {
  it('reads every item of a JSON Feed 1.0, HTML turned to text', () => {
    const drafts = parseFixture('feedjira_json_feed.json', { contentType: 'application/json' });

    expect(drafts.length).toBeGreaterThan(1);
    expect(new Set(drafts.map((d) => d.externalId)).size).toBe(drafts.length);
    const first = drafts[0];
    expect(first?.externalId).toBe(
      'http://inessential.com/2017/06/02/james_dempsey_and_the_breakpoints_benefi',
    );
    expect(first?.title).toBe('James Dempsey and the Breakpoints Benefit App Camp for Girls');
    expect(first?.text).toContain('playing keyboard');
    expect(first?.text).not.toContain('<p>');
    expect(first?.author.name).toBe('Brent Simmons');
    expect(first?.lang).toBe('en');
    expect(first && asMention(first).url).toMatch(/^http:\/\/inessential\.com\//);
  });

  it('drops scripts, and keeps an undated item at fetch time', () => {
    const drafts = parseFixture('feedparser_jsonfeed-example.json');

    expect(drafts.map((d) => d.externalId)).toEqual(['2', '1']);
    expect(drafts[1]?.text).toBe('Hello, world!');
    expect(drafts[1]?.author).toEqual({ id: 'http://example.net/~you', name: 'you' });
    expect(drafts[0]?.author.name).toBe('me');
    expect(drafts[0]?.publishedAt).toEqual(FETCHED_AT);
  });
});

describe('rss.parse: input that is not a feed', () => {
  it.each([
    ['plain text', Buffer.from('not xml')],
    [
      'an HTML page',
      Buffer.from(
        '<!doctype html><html><head><title>Shop</title></head><body><p>Hello</p></body></html>',
      ),
    ],
    ['an empty body', Buffer.alloc(0)],
    ['JSON that is not a JSON Feed', Buffer.from('{"items": [{"id": 1}]}')],
    ['a truncated JSON Feed', sharedFixture('rss/feedjira_json_feed.json').subarray(0, 300)],
    ['XML that is not a feed', Buffer.from('<?xml version="1.0"?><note><to>x</to></note>')],
  ])('refuses %s with SourceParseError', (_what, body) => {
    let err: unknown;
    try {
      rss.parse(page(body), ctx);
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(SourceParseError);
    expect((err as SourceParseError).source).toBe('feed');
    expect((err as SourceParseError).message).toContain('https://feeds.example.com/feed.xml');
  });
});

describe('rss.fetchPage', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const http = createHttpClient({
    timeoutMs: 2000,
    maxBytes: 1_000_000,
    allowHosts: ['127.0.0.1'],
  });
  const ETAG = '"v2"';
  const LAST_MODIFIED = 'Wed, 01 Jan 2025 10:00:00 GMT';
  const body = rssFeed('<item><guid>a</guid><description>hello</description></item>');

  function source(url: string) {
    return {
      id: 'local-feed',
      kind: 'rss',
      enabled: true,
      every: 60_000,
      url,
      watch: true,
      secrets: {},
    };
  }

  async function startFeedServer() {
    server = await startHttpServer((req, res) => {
      if (req.headers['if-none-match'] === ETAG) {
        res.writeHead(304, { ETag: ETAG }).end();
        return;
      }
      res
        .writeHead(200, {
          'Content-Type': 'application/rss+xml; charset=utf-8',
          ETag: ETAG,
          'Last-Modified': LAST_MODIFIED,
        })
        .end(body);
    });
    return server;
  }

  it('returns the page and the new cursor on 200', async () => {
    const s = await startFeedServer();

    const result = await rss.fetchPage(
      source(`${s.url}/feed.xml`),
      {},
      {
        http,
        tokens: createTokenStore(),
        now: () => new Date(),
        signal: new AbortController().signal,
      },
    );

    expect(result.notModified).toBe(false);
    expect(result.cursor).toEqual({ etag: ETAG, lastModified: LAST_MODIFIED });
    if (result.notModified) return;
    expect(result.raw.body.toString('utf8')).toBe(body);
    expect(result.raw.contentType).toBe('application/rss+xml; charset=utf-8');
    expect(result.raw.url).toBe(`${s.url}/feed.xml`);
    expect(rss.parse(result.raw, ctx).map((d) => d.text)).toEqual(['hello']);
    expect(s.requests[0]?.headers['if-none-match']).toBeUndefined();
    expect(s.requests[0]?.headers['if-modified-since']).toBeUndefined();
    expect(s.requests[0]?.headers.accept).toContain('application/rss+xml');
  });

  it('sends the validators of the cursor and reports 304 as not modified', async () => {
    const s = await startFeedServer();
    const cursor = { etag: ETAG, lastModified: LAST_MODIFIED };

    const result = await rss.fetchPage(source(`${s.url}/feed.xml`), cursor, {
      http,
      tokens: createTokenStore(),
      now: () => new Date(),
      signal: new AbortController().signal,
    });

    expect(result).toEqual({ notModified: true, cursor });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]?.headers['if-none-match']).toBe(ETAG);
    expect(s.requests[0]?.headers['if-modified-since']).toBe(LAST_MODIFIED);
  });

  it('replaces a stale cursor with the validators of the new answer', async () => {
    const s = await startFeedServer();

    const result = await rss.fetchPage(
      source(`${s.url}/feed.xml`),
      { etag: '"v1"' },
      {
        http,
        tokens: createTokenStore(),
        now: () => new Date(),
        signal: new AbortController().signal,
      },
    );

    expect(s.requests[0]?.headers['if-none-match']).toBe('"v1"');
    expect(result).toMatchObject({
      notModified: false,
      cursor: { etag: ETAG, lastModified: LAST_MODIFIED },
    });
  });

  it('returns an empty cursor when the site sends no validators', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(body);
    });

    const result = await rss.fetchPage(
      source(`${server.url}/feed.xml`),
      { etag: '"old"' },
      {
        http,
        tokens: createTokenStore(),
        now: () => new Date(),
        signal: new AbortController().signal,
      },
    );

    expect(result).toMatchObject({ notModified: false, cursor: {} });
  });
});
