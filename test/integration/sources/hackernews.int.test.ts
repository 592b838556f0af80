/** Hacker News (Algolia HN Search) through the source contract, and its watermark. */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  type ConfiguredSource,
  type SourceCursor,
} from '../../../src/sources/_types.js';
import hackernews, { INDEXING_LAG_S } from '../../../src/sources/hackernews.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

/** The recorded file is an array of `{url, reply}`: one Algolia answer per request. */
const recorded = JSON.parse(
  sharedFixture('hackernews/node-hacker-news-api_algolia_fixtures_2019.json').toString('utf8'),
) as { url: string; reply: Record<string, unknown> }[];

function answer(url: string): Record<string, unknown> {
  const found = recorded.find((r) => r.url === url);
  if (!found) throw new Error(`no recorded answer for ${url}`);
  return structuredClone(found.reply);
}

const SEARCH = '/api/v1/search_by_date';
const json = (body: unknown): Reply => ({
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify(body),
});

const recordedCase = (name: string, url: string, query: string, tags: string) => ({
  name,
  settings: (base: string) => ({ api: base, query, tags }),
  routes: { [SEARCH]: json(answer(url)) },
  page: SEARCH,
});

runSourceContract(hackernews, [
  {
    ...recordedCase(
      'a comment matching a query',
      '/api/v1/search_by_date?hitsPerPage=1&tags=(comment)&query=apple',
      'apple',
      '(comment)',
    ),
    expect: {
      mentions: 1,
      first: {
        externalId: '7919418',
        publishedAt: '2014-06-20T03:32:34.000Z',
        authorName: 'fleitz',
        url: 'https://news.ycombinator.com/item?id=7919418',
        textContains: "they aren't contributing to the scholarship",
      },
      engagement: true,
    },
  },
  {
    ...recordedCase(
      'a story matching a query',
      '/api/v1/search_by_date?hitsPerPage=1&tags=(story)&query=apple',
      'apple',
      '(story)',
    ),
    expect: {
      mentions: 1,
      first: {
        externalId: '7919424',
        publishedAt: '2014-06-20T03:35:46.000Z',
        authorName: 'bradleyjg',
        url: 'https://news.ycombinator.com/item?id=7919424',
        textContains: 'Judge says concerned about Apple, Google hiring settlement',
      },
      engagement: true,
    },
  },
  {
    ...recordedCase(
      'an Ask HN with its text',
      '/api/v1/search_by_date?hitsPerPage=1&tags=(ask_hn)&page=2&query=apple',
      'apple',
      '(ask_hn)',
    ),
    expect: {
      mentions: 1,
      first: {
        externalId: '7915384',
        authorName: 'techidse',
        textContains: "I'm a college student",
      },
      engagement: true,
    },
  },
  {
    ...recordedCase(
      'a poll with HTML entities',
      '/api/v1/search_by_date?hitsPerPage=1&tags=(poll)',
      'hum',
      '(poll)',
    ),
    expect: {
      mentions: 1,
      first: { externalId: '7918694', textContains: 'experiences "The Hum", a low-frequency' },
      engagement: true,
    },
  },
]);

type HnOptions = z.input<typeof hackernews.options>;

describe('hackernews extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    // The local test server.
    allowHosts: ['127.0.0.1'],
  });
  const NOW = new Date('2030-01-01T00:00:00.000Z');

  beforeAll(async () => {
    server = await startHttpServer((req, res: ServerResponse) => {
      const r = reply(req);
      res
        .writeHead(r.status ?? 200, { 'Content-Type': r.contentType ?? 'application/json' })
        .end(r.body);
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    server.requests.length = 0;
  });

  const source = (
    over: Partial<HnOptions> = {},
  ): ConfiguredSource<z.output<typeof hackernews.options>> => ({
    id: 'hn-acme',
    kind: 'hackernews',
    enabled: true,
    every: 900_000,
    watch: true,
    secrets: {},
    ...hackernews.options.parse({ query: 'acme', api: server.url, ...over }),
  });
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => NOW,
  });
  const params = (i: number) => new URL(server.requests[i]?.url ?? '/', 'http://x').searchParams;
  /** A page of the recorded comment and story, as a search for both answers them. */
  const page = (over: Record<string, unknown> = {}) => {
    const comment = answer('/api/v1/search_by_date?hitsPerPage=1&tags=(comment)&query=apple');
    const story = answer('/api/v1/search_by_date?hitsPerPage=1&tags=(story)&query=apple');
    const hits = [...(story.hits as unknown[]), ...(comment.hits as unknown[])];
    return { ...comment, hits, nbHits: hits.length, nbPages: 1, hitsPerPage: 100, ...over };
  };

  it('asks search_by_date for the query and tags, then only for what is newer', async () => {
    reply = () => json(page());

    const first = await hackernews.fetchPage(source(), {}, ctx());
    const second = await hackernews.fetchPage(source(), first.cursor, ctx());

    expect(new URL(server.requests[0]?.url ?? '/', 'http://x').pathname).toBe(SEARCH);
    expect(Object.fromEntries(params(0))).toEqual({
      query: 'acme',
      tags: '(story,comment)',
      hitsPerPage: '100',
    });
    // The newest hit is the story, created at 1403235346.
    expect(first.cursor).toEqual({ createdAfter: '1403235346' });
    expect(params(1).get('numericFilters')).toBe(`created_at_i>${1403235346 - INDEXING_LAG_S}`);
    expect(params(1).get('query')).toBe('acme');
    expect(second.cursor).toEqual({ createdAfter: '1403235346' });
  });

  it('decodes the HTML of comments (&#x27;, <p>, <a>)', () => {
    const drafts = hackernews.parse(
      {
        body: Buffer.from(JSON.stringify(page())),
        contentType: 'application/json',
        url: `${server.url}${SEARCH}`,
      },
      { sourceId: 'hn-acme', fetchedAt: NOW },
    );
    const comment = drafts.find((d) => d.externalId === '7919418');
    const story = drafts.find((d) => d.externalId === '7919424');

    expect(comment?.text).toContain(
      "I'm not the biggest fan of starbucks, mostly because their coffee doesn't",
    );
    expect(comment?.text).not.toMatch(/&#x27;|<p>|<i>/);
    expect(comment?.title).toBeUndefined();
    expect(comment?.engagement).toEqual({ likes: 1 });
    expect(story?.title).toBe('Judge says concerned about Apple, Google hiring settlement');
    expect(story?.engagement).toEqual({ likes: 1, replies: 0 });
    expect(story?.author).toEqual({ id: 'bradleyjg', name: 'bradleyjg' });
  });

  it('skips hits without text or author, and dates by created_at when created_at_i is missing', () => {
    const p = page();
    const [story, comment] = p.hits as Record<string, unknown>[];
    Object.assign(comment ?? {}, { comment_text: null, _tags: ['comment'] });
    delete story?.created_at_i;

    const drafts = hackernews.parse(
      {
        body: Buffer.from(JSON.stringify(p)),
        contentType: 'application/json',
        url: `${server.url}${SEARCH}`,
      },
      { sourceId: 'hn-acme', fetchedAt: NOW },
    );

    expect(drafts.map((d) => d.externalId)).toEqual(['7919424']);
    expect(drafts[0]?.publishedAt.toISOString()).toBe('2014-06-20T03:35:46.000Z');
  });

  it('reads the gap a full page leaves, then moves on', async () => {
    // More was new than one page holds: the page ends at 1403235154 (the comment).
    reply = () => json(page({ nbHits: 250, nbPages: 3 }));
    const watermark: SourceCursor = { createdAfter: '1403200000' };

    const full = await hackernews.fetchPage(source(), watermark, ctx());
    reply = () => json({ ...page(), hits: [], nbHits: 0 });
    const closed = await hackernews.fetchPage(source(), full.cursor, ctx());
    await hackernews.fetchPage(source(), closed.cursor, ctx());

    expect(full.cursor).toEqual({
      createdAfter: '1403235346',
      gapAfter: String(1403200000 - INDEXING_LAG_S),
      gapUntil: '1403235154',
    });
    expect(params(1).get('numericFilters')).toBe(
      `created_at_i>${1403200000 - INDEXING_LAG_S},created_at_i<=1403235154`,
    );
    expect(closed.cursor).toEqual({ createdAfter: '1403235346' });
    expect(params(2).get('numericFilters')).toBe(`created_at_i>${1403235346 - INDEXING_LAG_S}`);
  });

  it('follows a gap down while its pages come back full, and gives up one that does not move', async () => {
    reply = () => json(page({ nbHits: 250, nbPages: 3 }));
    const inGap: SourceCursor = {
      createdAfter: '1403239999',
      gapAfter: '1403200000',
      gapUntil: '1403236000',
    };

    const lower = await hackernews.fetchPage(source(), inGap, ctx());
    const stuck = await hackernews.fetchPage(source(), lower.cursor, ctx());

    expect(lower.cursor).toEqual({ ...inGap, gapUntil: '1403235154' });
    // Same oldest hit again: more hits in one second than a page holds; not read forever.
    expect(stuck.cursor).toEqual({ createdAfter: '1403239999' });
  });

  it('does not read the past on a first poll, even from a full page', async () => {
    reply = () => json(page({ nbHits: 5000, nbPages: 50 }));

    const first = await hackernews.fetchPage(source(), {}, ctx());

    expect(first.cursor).toEqual({ createdAfter: '1403235346' });
  });

  it('remembers the time of an empty first poll', async () => {
    reply = () => json({ ...page(), hits: [], nbHits: 0 });

    const first = await hackernews.fetchPage(source(), {}, ctx());

    expect(first.cursor).toEqual({ createdAfter: String(NOW.getTime() / 1000) });
  });

  it('keeps its watermark when the answer cannot be read', async () => {
    reply = () => ({ contentType: 'text/html', body: '<html><body>502</body></html>' });

    const r = await hackernews.fetchPage(source(), { createdAfter: '1403235346' }, ctx());

    expect(r.cursor).toEqual({ createdAfter: '1403235346' });
  });
});
