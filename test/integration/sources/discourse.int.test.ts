/** Discourse forums through the source contract, and their cursor, headers and URLs. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceParseError, ValidationError } from '../../../src/errors.js';
import discourse, { type DiscourseOptions } from '../../../src/sources/discourse.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  type ConfiguredSource,
  type RawPage,
} from '../../../src/sources/_types.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const REAL_POSTS = 'discourse/xertrov_posts_latest_real.json';
const DOCS_POSTS = 'discourse/discourse_api_posts_latest.json';
const DOCS_SEARCH = 'discourse/discourse_api_docs_search_query_response.json';

const fixture = (file: string): Reply => ({ contentType: JSON_TYPE, body: sharedFixture(file) });
const fixtureJson = (file: string) =>
  JSON.parse(sharedFixture(file).toString('utf8')) as Record<string, unknown>;

runSourceContract(discourse, [
  {
    name: 'latest posts of a real forum (/posts.json)',
    settings: (base) => ({ forum: base }),
    routes: { '/posts.json': fixture(REAL_POSTS) },
    page: '/posts.json',
    expect: {
      mentions: 20,
      first: {
        externalId: '20218',
        publishedAt: '2026-01-21T23:29:42.524Z',
        authorName: 'Elliot',
        textContains: 'Here, Pettit is talking about laypeople being bad at logic.',
      },
      engagement: true,
    },
  },
  {
    name: 'latest posts, API documentation example',
    settings: (base) => ({ forum: base, mode: 'posts' }),
    routes: { '/posts.json': fixture(DOCS_POSTS) },
    page: '/posts.json',
    expect: {
      mentions: 4,
      first: {
        externalId: '15',
        publishedAt: '2020-01-25T02:10:07.971Z',
        authorName: 'johndoe',
        textContains: 'holla bullhonky.',
      },
    },
  },
  {
    name: 'a search, API documentation example (/search.json)',
    settings: (base) => ({ forum: base, query: 'ecf65fcd' }),
    routes: { '/search.json': fixture(DOCS_SEARCH) },
    page: '/search.json',
    expect: {
      mentions: 1,
      first: {
        externalId: '16',
        publishedAt: '2016-10-29T14:14:20.516Z',
        authorName: 'discourse1',
        textContains: 'ecf65fcd-1e16-7c4c-4244-a467b46c610b',
      },
    },
  },
]);

describe('discourse extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const FETCHED_AT = new Date('2030-01-01T00:00:00.000Z');
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => FETCHED_AT,
  });
  const source = (
    over: Partial<DiscourseOptions> & { secrets?: Record<string, string> } = {},
  ): ConfiguredSource<DiscourseOptions> => ({
    id: 'forum',
    kind: 'discourse',
    enabled: true,
    every: 60_000,
    watch: true,
    forum: server.url,
    secrets: {},
    ...over,
  });
  const raw = (body: unknown, url = `${server.url}/posts.json`): RawPage => ({
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    contentType: JSON_TYPE,
    url,
  });
  const parse = (page: RawPage) =>
    discourse.parse(page, { sourceId: 'forum', fetchedAt: FETCHED_AT });

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const r = reply(req);
      res.writeHead(r.status ?? 200, { 'Content-Type': r.contentType ?? JSON_TYPE }).end(r.body);
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    reply = () => fixture(REAL_POSTS);
  });

  describe('requests', () => {
    it('asks /posts.json for JSON, without credentials when it has none', async () => {
      const page = await discourse.fetchPage(source(), {}, ctx());

      const req = server.requests[0];
      expect(req?.url).toBe('/posts.json');
      expect(req?.headers.accept).toBe('application/json');
      expect(req?.headers['api-key']).toBeUndefined();
      expect(req?.headers['api-username']).toBeUndefined();
      expect(page).toMatchObject({ notModified: false, cursor: { newest: '20218' } });
    });

    it('sends Api-Key and Api-Username when they are set', async () => {
      await discourse.fetchPage(
        source({ secrets: { apiKey: 'k-123', apiUsername: 'system' } }),
        {},
        ctx(),
      );

      expect(server.requests[0]?.headers['api-key']).toBe('k-123');
      expect(server.requests[0]?.headers['api-username']).toBe('system');
    });

    it('searches newest first, then only after the newest post seen', async () => {
      reply = () => fixture(DOCS_SEARCH);
      const first = await discourse.fetchPage(source({ query: 'acme #support' }), {}, ctx());
      await discourse.fetchPage(source({ query: 'acme #support' }), first.cursor, ctx());

      const [a, b] = server.requests.map((r) => new URL(r.url, server.url));
      expect(a?.pathname).toBe('/search.json');
      expect(a?.searchParams.get('q')).toBe('acme #support order:latest');
      expect(first.cursor).toEqual({ newest: '16', newestAt: '2016-10-29T14:14:20.516Z' });
      // A day of margin for the forum's time zone.
      expect(b?.searchParams.get('q')).toBe('acme #support order:latest after:2016-10-28');
    });

    it('refuses a search without a query, and a query in posts mode, as settings errors', async () => {
      await expect(discourse.fetchPage(source({ mode: 'search' }), {}, ctx())).rejects.toThrow(
        ValidationError,
      );
      await expect(
        discourse.fetchPage(source({ mode: 'posts', query: 'acme' }), {}, ctx()),
      ).rejects.toThrow(ValidationError);
      expect(server.requests).toHaveLength(0);
    });

    it('shows what it reads, never a secret', () => {
      const s = source({ secrets: { apiKey: 'k-123', apiUsername: 'system' } });
      expect(discourse.target(s)).toBe(`${server.url} latest posts`);
      expect(discourse.target({ ...s, query: 'acme' })).toBe(`${server.url} search "acme"`);
      expect(discourse.target(s)).not.toContain('k-123');
    });
  });

  describe('catching up after a busy interval', () => {
    it('pages back with before= when the page holds nothing at or below the last id seen', async () => {
      // Real page: ids 20199..20218. Last poll saw 20100: posts 20101..20198 may be missing.
      const gap = await discourse.fetchPage(source(), { newest: '20100' }, ctx());
      expect(gap.cursor).toMatchObject({ newest: '20218', before: '20199', until: '20100' });

      // The older page (ids 2..15) reaches below 20100: back to reading the top.
      reply = () => fixture(DOCS_POSTS);
      const back = await discourse.fetchPage(source(), gap.cursor, ctx());
      expect(server.requests[1]?.url).toBe('/posts.json?before=20199');
      expect(back.cursor).toEqual({ newest: '20218', newestAt: '2026-01-21T23:29:42.524Z' });

      await discourse.fetchPage(source(), back.cursor, ctx());
      expect(server.requests[2]?.url).toBe('/posts.json');
    });

    it('does not page back on its first poll, nor past the last id seen', async () => {
      const first = await discourse.fetchPage(source(), {}, ctx());
      const next = await discourse.fetchPage(source(), first.cursor, ctx());

      expect(first.cursor.before).toBeUndefined();
      expect(next.cursor.before).toBeUndefined();
    });

    it('gives up after ten pages back', async () => {
      const page = await discourse.fetchPage(
        source(),
        { newest: '20300', before: '20219', until: '100', pages: '10' },
        ctx(),
      );
      expect(page.cursor).toEqual({ newest: '20300' });
    });

    it('keeps the cursor when the body does not read (parse then reports it)', async () => {
      reply = () => ({ contentType: 'text/html', body: '<html>maintenance</html>' });
      const page = await discourse.fetchPage(source(), { newest: '7' }, ctx());
      expect(page.cursor).toEqual({ newest: '7' });
      if (page.notModified) throw new Error('expected a page');
      expect(() => parse(page.raw)).toThrow(SourceParseError);
    });
  });

  describe('reading posts', () => {
    it('links each post to the forum and reads likes from its actions, not score or reads', () => {
      const drafts = parse(raw(sharedFixture(REAL_POSTS).toString('utf8')));
      const byId = new Map(drafts.map((d) => [d.externalId, d]));

      expect(byId.get('20218')?.url).toBe(`${server.url}/t/people-being-bad-at-logic/2148/1`);
      expect(byId.get('20218')?.title).toBe('People Being Bad at Logic');
      expect(byId.get('20218')?.author).toEqual({ id: 'Elliot', name: 'Elliot' });
      // No like on it (actions_summary is empty), whatever its score (ranking) and reads (views).
      expect(byId.get('20218')?.engagement).toEqual({ replies: 0 });
      // actions_summary id 2 is the like: 2 likes.
      expect(byId.get('20203')?.engagement).toEqual({ likes: 2, replies: 0 });
      expect(byId.get('20213')?.engagement?.replies).toBe(3);
    });

    it('builds the URL from the topic when post_url is missing', () => {
      const [d] = parse(raw(sharedFixture(DOCS_POSTS).toString('utf8')));
      expect(d?.url).toBe(`${server.url}/t/this-is-an-uncategorized-title/11/2`);
    });

    it('joins post_url of a subfolder forum to its origin, once', () => {
      const body = fixtureJson(REAL_POSTS);
      const posts = body.latest_posts as Record<string, unknown>[];
      for (const p of posts) p.post_url = `/forum${String(p.post_url)}`;

      const [d] = parse(raw(body, `${server.url}/forum/posts.json?before=3`));
      expect(d?.url).toBe(`${server.url}/forum/t/people-being-bad-at-logic/2148/1`);
    });

    it("leaves out quotes of other posts, keeping the poster's own words", () => {
      const cooked =
        '<aside class="quote no-group" data-username="bob" data-post="3" data-topic="9">\n' +
        '<div class="title">\n<img alt="" width="24" height="24" src="/a.png" class="avatar"> bob:</div>\n' +
        '<blockquote>\n<p>AcmePay is great</p>\n</blockquote>\n</aside>\n<p>No, AcmePay lost my refund &amp; nobody answers.</p>';
      const [d] = parse(raw({ latest_posts: [post({ cooked })] }));

      expect(d?.text).toBe('No, AcmePay lost my refund & nobody answers.');
    });

    it('keeps a post that is nothing but a quote, and falls back to raw without cooked', () => {
      const onlyQuote = '<aside class="quote"><blockquote><p>So true</p></blockquote></aside>';
      const drafts = parse(
        raw({
          latest_posts: [
            post({ id: 1, cooked: onlyQuote }),
            post({ id: 2, cooked: null, raw: 'Plain *markdown* text' }),
          ],
        }),
      );

      expect(drafts.map((d) => d.text)).toEqual(['So true', 'Plain *markdown* text']);
    });

    it('skips small actions, moderator notes, whispers, deleted and empty posts', () => {
      const drafts = parse(
        raw({
          latest_posts: [
            post({ id: 1, post_type: 3, cooked: '', raw: '' }),
            post({ id: 2, post_type: 2, cooked: '<p>This topic was closed</p>' }),
            post({ id: 3, post_type: 4, cooked: '<p>staff only</p>' }),
            post({ id: 4, deleted_at: '2026-01-01T00:00:00.000Z' }),
            post({ id: 5, cooked: '<p> </p>', raw: ' ' }),
            post({ id: 6 }),
          ],
        }),
      );

      expect(drafts.map((d) => d.externalId)).toEqual(['6']);
    });

    it('reads search hits with their topic title and a blurb, which is all a search gives', () => {
      const body = {
        posts: [
          {
            id: 77,
            username: 'carol',
            created_at: '2026-01-20T10:00:00.000Z',
            like_count: 3,
            blurb:
              'AcmePay support never answered my ticket about the &quot;refund&quot; I asked...',
            post_number: 4,
            topic_id: 12,
          },
          {
            id: 78,
            username: 'dan',
            created_at: '2026-01-20T09:00:00.000Z',
            blurb: 'Topic unknown',
            post_number: 1,
            topic_id: 99,
          },
        ],
        topics: [{ id: 12, title: 'Refunds &amp; AcmePay', slug: 'refunds-acmepay' }],
        users: [],
        categories: [],
        grouped_search_result: { post_ids: [77, 78] },
      };
      const drafts = parse(raw(body, `${server.url}/search.json?q=acme`));

      expect(drafts[0]).toMatchObject({
        externalId: '77',
        url: `${server.url}/t/refunds-acmepay/12/4`,
        title: 'Refunds & AcmePay',
        text: 'AcmePay support never answered my ticket about the "refund" I asked...',
        engagement: { likes: 3 },
      });
      expect(drafts[1]?.url).toBe(`${server.url}/t/99/1`);
    });

    it('reads an empty search as no mention', () => {
      const empty = {
        posts: [],
        users: [],
        categories: [],
        tags: [],
        groups: [],
        grouped_search_result: { more_posts: null, post_ids: [], user_ids: [] },
      };
      expect(parse(raw(empty, `${server.url}/search.json?q=zzz`))).toEqual([]);
    });

    it('refuses the old /search/query answer (an array of result groups)', () => {
      expect(() =>
        parse(raw(sharedFixture('discourse/discourse_api_search.json').toString())),
      ).toThrow(SourceParseError);
    });

    it('refuses a post without a date it can read', () => {
      expect(() => parse(raw({ latest_posts: [post({ created_at: 'yesterday' })] }))).toThrow(
        SourceParseError,
      );
    });
  });
});

/** A `/posts.json` post with the fields the adapter reads. */
function post(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 10,
    username: 'alice',
    created_at: '2026-01-20T10:00:00.000Z',
    cooked: '<p>AcmePay works for me</p>',
    raw: 'AcmePay works for me',
    post_type: 1,
    post_number: 2,
    topic_id: 9,
    topic_slug: 'acmepay',
    topic_title: 'AcmePay',
    reply_count: 0,
    actions_summary: [],
    deleted_at: null,
    ...over,
  };
}
