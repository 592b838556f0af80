/** Reddit through the source contract on recorded listings, and its sign-in and rate-limit rules. */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SourceHttpError, ValidationError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  type ConfiguredSource,
  type SourceCursor,
  type TokenStore,
} from '../../../src/sources/_types.js';
import reddit from '../../../src/sources/reddit.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const COMMENTS = 'reddit/praw_subreddit_comments_listing_2023.json';
const SEARCH = 'reddit/praw_search_listing_2016.json';
const ALL_NEW = 'reddit/praw_r-all_new_listing_2016.json';

/** The rate-limit headers recorded with the comments listing (600 a 10-minute window). */
const recordedHeaders = (() => {
  const rec = JSON.parse(
    sharedFixture('reddit/praw_subreddit_comments_response_headers_2023.json').toString('utf8'),
  ) as { headers: Record<string, string[]> };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    if (/^x-ratelimit-/i.test(k) && v[0] !== undefined) out[k] = v[0];
  }
  return out;
})();

const TOKEN_REPLY: Reply = {
  contentType: 'application/json; charset=UTF-8',
  body: JSON.stringify({
    access_token: 'app-token-1',
    token_type: 'bearer',
    expires_in: 86400,
    scope: '*',
  }),
};

const listing = (file: string, headers: Record<string, string> = {}): Reply => ({
  contentType: 'application/json; charset=UTF-8',
  headers,
  body: sharedFixture(file),
});

const common = (base: string) => ({ userAgentUser: 'acme_ops', api: base, auth: base });

runSourceContract(reddit, [
  {
    name: 'new comments of a subreddit (2023)',
    settings: (base) => ({ ...common(base), listing: 'comments', subreddit: 'acme' }),
    env: { REDDIT_CLIENT_ID: 'contract-client', REDDIT_CLIENT_SECRET: 'contract-secret' },
    routes: {
      '/api/v1/access_token': TOKEN_REPLY,
      '/r/acme/comments': listing(COMMENTS, recordedHeaders),
    },
    page: '/r/acme/comments',
    expect: {
      mentions: 20,
      first: {
        externalId: 't1_k3yrfii',
        publishedAt: '2023-10-08T08:46:08.000Z',
        authorName: 'Acceptable-Bread-566',
        url: 'https://www.reddit.com/r/%3CTEST_SUBREDDIT%3E/comments/agi5zf/%3CTEST_SUBREDDIT%3E/k3yrfii/',
        textContains: 'Did it work?',
      },
      engagement: true,
    },
  },
  {
    name: 'site-wide search (2016)',
    settings: (base) => ({ ...common(base), listing: 'search', query: 'praw' }),
    routes: { '/api/v1/access_token': TOKEN_REPLY, '/search': listing(SEARCH) },
    page: '/search',
    expect: {
      mentions: 6,
      first: {
        externalId: 't3_3gpbiu',
        publishedAt: '2015-08-12T09:08:34.000Z',
        authorName: 'dClauzel',
        url: 'https://www.reddit.com/r/redditdev/comments/3gpbiu/prawoauth2util_problem_using_get_banned_raise/?ref=search_posts',
        textContains: '[PRAW][OAuth2Util] Problem using',
      },
      engagement: true,
    },
  },
  {
    name: 'new posts of r/all (2016)',
    settings: (base) => ({ ...common(base), listing: 'new', subreddit: 'all' }),
    routes: { '/api/v1/access_token': TOKEN_REPLY, '/r/all/new': listing(ALL_NEW) },
    page: '/r/all/new',
    expect: {
      mentions: 15,
      first: {
        externalId: 't3_5jo13y',
        publishedAt: '2016-12-22T02:17:30.000Z',
        authorName: 'AnotherProGamer',
        textContains: 'Farewell Rush',
      },
      engagement: true,
    },
  },
]);

type RedditOptions = z.input<typeof reddit.options>;

describe('reddit extras', () => {
  let server: TestServer;
  /** Answers by path; each test sets its own. */
  let handler: (req: RecordedRequest, res: ServerResponse) => void;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    // The local test server.
    allowHosts: ['127.0.0.1'],
  });
  let clock = Date.parse('2030-01-01T00:00:00.000Z');
  let tokens: TokenStore;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => handler(req, res));
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    server.requests.length = 0;
  });

  const source = (
    over: Partial<RedditOptions> = {},
  ): ConfiguredSource<z.output<typeof reddit.options>> => ({
    id: 'reddit-acme',
    kind: 'reddit',
    enabled: true,
    every: 900_000,
    watch: true,
    secrets: { clientId: 'my-client', clientSecret: 'my-secret' },
    ...reddit.options.parse({
      listing: 'new',
      subreddit: 'acme',
      userAgentUser: 'acme_ops',
      api: server.url,
      auth: server.url,
      ...over,
    }),
  });
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens,
    now: () => new Date(clock),
  });
  const fresh = () => {
    clock = Date.parse('2030-01-01T00:00:00.000Z');
    tokens = createTokenStore(() => clock);
  };

  /** A server issuing numbered tokens and answering the API with `api(req, token)`. */
  const serve = (api: (req: RecordedRequest, token: string | undefined) => Reply) => {
    let issued = 0;
    handler = (req, res) => {
      const path = new URL(req.url, 'http://x').pathname;
      const reply: Reply =
        path === '/api/v1/access_token'
          ? {
              contentType: 'application/json',
              body: JSON.stringify({
                access_token: `tok-${++issued}`,
                token_type: 'bearer',
                expires_in: 3600,
                scope: '*',
              }),
            }
          : api(req, /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]);
      res
        .writeHead(reply.status ?? 200, {
          'Content-Type': reply.contentType ?? 'application/json',
          ...reply.headers,
        })
        .end(reply.body);
    };
  };
  const tokenRequests = () => server.requests.filter((r) => r.url === '/api/v1/access_token');
  const apiRequests = () => server.requests.filter((r) => r.url !== '/api/v1/access_token');
  const query = (r: RecordedRequest | undefined) => new URL(r?.url ?? '/', 'http://x').searchParams;

  it('asks for a token with HTTP Basic, client_credentials and the prescribed User-Agent', async () => {
    fresh();
    serve(() => listing(COMMENTS));

    await reddit.fetchPage(source(), {}, ctx());
    const [t] = tokenRequests();

    expect(tokenRequests()).toHaveLength(1);
    expect(t?.method).toBe('POST');
    expect(t?.headers.authorization).toBe(
      `Basic ${Buffer.from('my-client:my-secret').toString('base64')}`,
    );
    expect(t?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(t?.body).toBe('grant_type=client_credentials');
    expect(t?.headers['user-agent']).toBe('nodejs:maillon:0.1 (by /u/acme_ops)');
  });

  it('sends the bearer token, the User-Agent, raw_json=1 and the limit to the listing', async () => {
    fresh();
    serve(() => listing(ALL_NEW));

    await reddit.fetchPage(source({ limit: 50 }), {}, ctx());
    const [r] = apiRequests();

    expect(new URL(r?.url ?? '/', 'http://x').pathname).toBe('/r/acme/new');
    expect(r?.headers.authorization).toBe('Bearer tok-1');
    expect(r?.headers['user-agent']).toBe('nodejs:maillon:0.1 (by /u/acme_ops)');
    expect(query(r).get('raw_json')).toBe('1');
    expect(query(r).get('limit')).toBe('50');
    expect(query(r).has('before')).toBe(false);
  });

  it('reuses its token between polls, and sends `before` = the newest fullname seen', async () => {
    fresh();
    serve(() => listing(COMMENTS));

    const first = await reddit.fetchPage(source({ listing: 'comments' }), {}, ctx());
    const second = await reddit.fetchPage(source({ listing: 'comments' }), first.cursor, ctx());
    const [, r2] = apiRequests();

    expect(tokenRequests()).toHaveLength(1);
    expect(r2?.headers.authorization).toBe('Bearer tok-1');
    expect(first.cursor).toMatchObject({ before: 't1_k3yrfii', newestCreated: '1696754768' });
    expect(new URL(r2?.url ?? '/', 'http://x').pathname).toBe('/r/acme/comments');
    expect(query(r2).get('before')).toBe('t1_k3yrfii');
    expect(second.cursor.before).toBe('t1_k3yrfii');
  });

  it('asks for a new token once the last one has expired', async () => {
    fresh();
    serve(() => listing(ALL_NEW));

    const first = await reddit.fetchPage(source(), {}, ctx());
    clock += 3_600_000;
    await reddit.fetchPage(source(), first.cursor, ctx());

    expect(tokenRequests()).toHaveLength(2);
    expect(apiRequests()[1]?.headers.authorization).toBe('Bearer tok-2');
  });

  it('drops a token the API refuses and signs in again, once', async () => {
    fresh();
    // The kept token was revoked early: 401 for it, the page for a new one.
    serve((_req, token) =>
      token === 'tok-1'
        ? { status: 401, body: '{"message": "Unauthorized", "error": 401}' }
        : listing(ALL_NEW),
    );

    const page = await reddit.fetchPage(source(), {}, ctx());

    expect(page.notModified).toBe(false);
    expect(tokenRequests()).toHaveLength(2);
    expect(apiRequests().map((r) => r.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('gives a clear, permanent error when a fresh token is refused too', async () => {
    fresh();
    serve(() => ({ status: 401, body: '{"message": "Unauthorized", "error": 401}' }));

    const err = await reddit.fetchPage(source(), {}, ctx()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 401 });
    expect((err as Error).message).toMatch(/refused a freshly issued token \(401\)/);
    expect((err as Error).message).not.toContain('my-secret');
    expect(tokenRequests()).toHaveLength(2);
    expect(apiRequests()).toHaveLength(2);
  });

  it('starts the next poll from a new token after a refused one', async () => {
    fresh();
    let refuse = true;
    serve(() => (refuse ? { status: 401, body: '' } : listing(ALL_NEW)));
    await reddit.fetchPage(source(), {}, ctx()).catch(() => undefined);
    refuse = false;

    await reddit.fetchPage(source(), {}, ctx());

    expect(tokenRequests()).toHaveLength(3);
    expect(apiRequests()[2]?.headers.authorization).toBe('Bearer tok-3');
  });

  it('names refused credentials clearly, without the secret', async () => {
    fresh();
    handler = (_req, res) =>
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error": "invalid_client"}');

    const err = await reddit.fetchPage(source(), {}, ctx()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 401 });
    expect((err as Error).message).toMatch(/refused the app's credentials/);
    expect((err as Error).message).not.toMatch(/my-secret|my-client/);
    expect(apiRequests()).toHaveLength(0);
  });

  it('obeys X-Ratelimit-Remaining 0: no request before X-Ratelimit-Reset', async () => {
    fresh();
    serve(() =>
      listing(ALL_NEW, {
        'X-Ratelimit-Used': '600',
        'X-Ratelimit-Remaining': '0.0',
        'X-Ratelimit-Reset': '120',
      }),
    );

    const first = await reddit.fetchPage(source(), {}, ctx());
    clock += 60_000;
    const held = await reddit.fetchPage(source(), first.cursor, ctx());
    const asked = apiRequests().length;
    clock += 61_000;
    const after = await reddit.fetchPage(source(), held.cursor, ctx());

    expect(first.cursor.notBefore).toBe('2030-01-01T00:02:00.000Z');
    expect(held).toEqual({ notModified: true, cursor: first.cursor });
    expect(asked).toBe(1);
    expect(after.notModified).toBe(false);
    expect(apiRequests()).toHaveLength(2);
    // The held poll kept the `before` anchor.
    expect(query(apiRequests()[1]).get('before')).toBe('t3_5jo13y');
  });

  it('keeps no wait while requests remain', async () => {
    fresh();
    serve(() => listing(COMMENTS, recordedHeaders));

    const page = await reddit.fetchPage(source({ listing: 'comments' }), {}, ctx());

    expect(page.cursor.notBefore).toBeUndefined();
  });

  it('passes a 429 on with its X-Ratelimit-Reset as the wait', async () => {
    fresh();
    serve(() => ({ status: 429, headers: { 'X-Ratelimit-Reset': '42' }, body: '' }));

    const err = await reddit.fetchPage(source(), {}, ctx()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 42_000 });
  });

  it('reads the newest page without `before` after an empty answer (the anchor may be deleted)', async () => {
    fresh();
    let empty = true;
    serve(() =>
      empty
        ? {
            body: JSON.stringify({
              kind: 'Listing',
              data: { children: [], before: null, after: null },
            }),
          }
        : listing(ALL_NEW),
    );
    const cursor: SourceCursor = { before: 't3_gone', newestCreated: '1482373000' };

    const quiet = await reddit.fetchPage(source(), cursor, ctx());
    empty = false;
    const recheck = await reddit.fetchPage(source(), quiet.cursor, ctx());
    await reddit.fetchPage(source(), recheck.cursor, ctx());
    const [r1, r2, r3] = apiRequests();

    expect(query(r1).get('before')).toBe('t3_gone');
    expect(quiet.cursor).toEqual({ ...cursor, recheck: '1' });
    expect(query(r2).has('before')).toBe(false);
    expect(recheck.cursor).toEqual({ before: 't3_5jo13y', newestCreated: '1482373050' });
    expect(query(r3).get('before')).toBe('t3_5jo13y');
  });

  it('searches one subreddit or all of Reddit, newest first', async () => {
    fresh();
    serve(() => listing(SEARCH));

    await reddit.fetchPage(
      source({ listing: 'search', subreddit: 'acme', query: 'acme bank' }),
      {},
      ctx(),
    );
    await reddit.fetchPage(
      source({ listing: 'search', subreddit: undefined, query: 'acme' }),
      {},
      ctx(),
    );
    const [inSub, siteWide] = apiRequests();

    expect(new URL(inSub?.url ?? '/', 'http://x').pathname).toBe('/r/acme/search');
    expect(Object.fromEntries(query(inSub))).toMatchObject({
      q: 'acme bank',
      restrict_sr: '1',
      sort: 'new',
      raw_json: '1',
    });
    expect(new URL(siteWide?.url ?? '/', 'http://x').pathname).toBe('/search');
    expect(query(siteWide).get('q')).toBe('acme');
    expect(query(siteWide).get('sort')).toBe('new');
    expect(query(siteWide).has('restrict_sr')).toBe(false);
  });

  it.each([
    [{ listing: 'new', subreddit: undefined }, 'subreddit'],
    [{ listing: 'comments', subreddit: undefined }, 'subreddit'],
    [{ listing: 'search', query: undefined }, 'query'],
    [{ listing: 'new', query: 'acme' }, 'query'],
  ] as const)('refuses %o before any request', async (over, path) => {
    fresh();
    serve(() => listing(ALL_NEW));

    const err = await reddit.fetchPage(source(over), {}, ctx()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues[0]?.path).toBe(path);
    expect(server.requests).toHaveLength(0);
  });

  it('skips deleted and removed items', () => {
    const page = JSON.parse(sharedFixture(COMMENTS).toString('utf8')) as {
      data: { children: { data: Record<string, unknown> }[] };
    };
    const [a, b] = page.data.children;
    Object.assign(a?.data ?? {}, {
      body: '[deleted]',
      body_html: '<div class="md"><p>[deleted]</p></div>',
      author: '[deleted]',
    });
    Object.assign(b?.data ?? {}, {
      body: '[removed]',
      body_html: '<div class="md"><p>[removed]</p></div>',
    });

    const drafts = reddit.parse(
      {
        body: Buffer.from(JSON.stringify(page)),
        contentType: 'application/json',
        url: 'https://oauth.reddit.com/r/acme/comments',
      },
      { sourceId: 'reddit-acme', fetchedAt: new Date() },
    );

    expect(drafts).toHaveLength(18);
    expect(drafts.map((d) => d.externalId)).not.toContain('t1_k3yrfii');
  });

  it("reads Reddit's rendering: entities resolved, links as words, quoted HTML code left out", () => {
    const parse = (file: string) =>
      reddit.parse(
        {
          body: sharedFixture(file),
          contentType: 'application/json',
          url: 'https://oauth.reddit.com/x',
        },
        { sourceId: 'reddit-acme', fetchedAt: new Date() },
      );
    const comments = parse(COMMENTS);
    const posts = parse(SEARCH);
    const book = comments.find((d) => d.externalId === 't1_k3wo7i3');
    const html = posts.find((d) => d.externalId === 't3_4at068');
    const traceback = posts.find((d) => d.externalId === 't3_3gpbiu');

    expect(book?.text).toContain('(Matching 100% ☑️)');
    expect(book?.text).not.toContain('](https://www.goodreads.com/book/show/3.');
    expect(html?.text).toContain('users-online');
    expect(html?.text).not.toMatch(/<span|<div/);
    // Code that quotes no markup stays: a traceback says what broke.
    expect(traceback?.text).toContain('in <module>');
    expect(comments[0]?.author).toEqual({ id: 't2_puq6r71y', name: 'Acceptable-Bread-566' });
    expect(posts[0]?.engagement).toEqual({ likes: 0, replies: 21 });
    expect(posts[0]?.title).toBe(
      '[PRAW][OAuth2Util] Problem using get_banned() : raise Forbidden(_raw=response)',
    );
  });
});
