/** Bluesky through the source contract on a recorded search, and its session and paging rules. */
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceHttpError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  sourceCommonSchema,
  type ConfiguredSource,
  type SourceCursor,
  type TokenStore,
} from '../../../src/sources/_types.js';
import bluesky, { type BlueskyOptions } from '../../../src/sources/bluesky.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const SEARCH = 'bluesky/bskyr_searchPosts_redistricting_2025-05';
const SEARCH_PATH = '/xrpc/app.bsky.feed.searchPosts';
const CREATE_PATH = '/xrpc/com.atproto.server.createSession';
const REFRESH_PATH = '/xrpc/com.atproto.server.refreshSession';
const JSON_TYPE = 'application/json; charset=utf-8';
const HANDLE = 'maillon-test.bsky.social';
const APP_PASSWORD = 'abcd-efgh-ijkl-mnop';

/** The RateLimit-* headers recorded with the search (3000 a 5-minute window). */
const recordedHeaders = (() => {
  const rec = JSON.parse(sharedFixture(`${SEARCH}.headers.json`).toString('utf8')) as {
    headers: Record<string, string>;
  };
  return Object.fromEntries(
    Object.entries(rec.headers).filter(([k]) => /^ratelimit-/i.test(k)),
  ) as Record<string, string>;
})();

const json = (body: unknown, headers: Record<string, string> = {}, status = 200): Reply => ({
  status,
  contentType: JSON_TYPE,
  headers,
  body: Buffer.isBuffer(body) ? body : JSON.stringify(body),
});

/** A JWT shaped as the PDS issues them (the signature is not checked by clients). */
function jwt(name: string, expiresAt: number): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ typ: 'at+jwt', alg: 'ES256K' })}.${part({
    scope: 'com.atproto.appPass',
    sub: 'did:plc:maillontest00000000000000',
    iat: Math.floor(expiresAt / 1000) - 7200,
    exp: Math.floor(expiresAt / 1000),
    jti: name,
  })}.c2ln`;
}

/** com.atproto.server.createSession's answer, as the lexicon documents it. */
const session = (access: string, refresh: string) =>
  json({
    accessJwt: access,
    refreshJwt: refresh,
    handle: HANDLE,
    did: 'did:plc:maillontest00000000000000',
    email: 'ops@maillon.example',
    emailConfirmed: true,
    emailAuthFactor: false,
    active: true,
  });

const CONTRACT_EXPIRY = Date.parse('2100-01-01T00:00:00.000Z');

runSourceContract(bluesky, [
  {
    name: 'post search, signed in (recorded, May 2025)',
    settings: (base) => ({ query: 'redistricting', service: base }),
    env: { BLUESKY_HANDLE: HANDLE, BLUESKY_APP_PASSWORD: APP_PASSWORD },
    routes: {
      [CREATE_PATH]: session(jwt('a', CONTRACT_EXPIRY), jwt('r', CONTRACT_EXPIRY)),
      [SEARCH_PATH]: json(sharedFixture(`${SEARCH}.json`), recordedHeaders),
    },
    page: SEARCH_PATH,
    expect: {
      mentions: 25,
      first: {
        externalId: 'at://did:plc:kkergqgbhb56ptpwj2wenkje/app.bsky.feed.post/3lpk2u6qo222m',
        publishedAt: '2025-05-19T17:10:09.561Z',
        authorName: 'Sociology papers (journals + SocArXiv)',
        url: 'https://bsky.app/profile/socpaperbot.bsky.social/post/3lpk2u6qo222m',
        textContains: 'Ends Versus Means: Public Opinion on Congressional Redistricting',
      },
      engagement: true,
    },
  },
]);

type Source = ConfiguredSource<BlueskyOptions>;

describe('bluesky extras', () => {
  let server: TestServer;
  /** Answers by path; each test sets its own. */
  let routes: Record<string, (req: RecordedRequest) => Reply> = {};
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const START = Date.parse('2025-05-19T17:41:36.000Z');
  let clock = START;
  let tokens: TokenStore;
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens,
    now: () => new Date(clock),
  });
  const source = (
    options: Record<string, unknown> = {},
    secrets: Record<string, string> = { identifier: HANDLE, appPassword: APP_PASSWORD },
    id = 'sky',
  ): Source => ({
    ...sourceCommonSchema.parse({ id }),
    kind: 'bluesky',
    ...bluesky.options.parse({ query: 'redistricting', service: server.url, ...options }),
    secrets,
  });
  const sent = (path: string) =>
    server.requests.filter((r) => new URL(r.url, 'http://x').pathname === path);
  const params = (r: RecordedRequest | undefined) =>
    new URL(r?.url ?? '/', 'http://x').searchParams;
  const fixture = sharedFixture(`${SEARCH}.json`);
  const expires = () => START + 2 * 3_600_000;

  /** Sessions numbered in order; searches refused as expired for the tokens in `expired`. */
  let expired: Set<string>;
  let sessions: number;
  const standardRoutes = () => {
    sessions = 0;
    expired = new Set();
    routes = {
      [CREATE_PATH]: () => {
        sessions++;
        return session(jwt(`access-${sessions}`, expires()), jwt(`refresh-${sessions}`, expires()));
      },
      [REFRESH_PATH]: (req) => {
        const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        if (expired.has(bearer))
          return json({ error: 'ExpiredToken', message: 'Token has expired' }, {}, 400);
        sessions++;
        return session(jwt(`access-${sessions}`, expires()), jwt(`refresh-${sessions}`, expires()));
      },
      [SEARCH_PATH]: (req) => {
        const bearer = req.headers.authorization?.replace(/^Bearer /, '') ?? '';
        if (expired.has(bearer))
          return json({ error: 'ExpiredToken', message: 'Token has expired' }, {}, 400);
        return json(fixture, recordedHeaders);
      },
    };
  };
  const jti = (token: string | undefined) =>
    (
      JSON.parse(Buffer.from(token?.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
        jti: string;
      }
    ).jti;
  const bearerOf = (r: RecordedRequest | undefined) =>
    jti(r?.headers.authorization?.replace(/^Bearer /, ''));

  beforeAll(async () => {
    server = await startHttpServer((req: RecordedRequest, res: ServerResponse) => {
      const route = routes[new URL(req.url, 'http://x').pathname];
      if (!route) {
        res.writeHead(404).end('not found');
        return;
      }
      const reply = route(req);
      res
        .writeHead(reply.status ?? 200, {
          ...(reply.contentType ? { 'Content-Type': reply.contentType } : {}),
          ...reply.headers,
        })
        .end(reply.body);
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    clock = START;
    tokens = createTokenStore();
    standardRoutes();
  });

  it("signs in with the app password and searches with the session's Bearer token", async () => {
    await bluesky.fetchPage(source({ lang: 'en', limit: 50 }), {}, ctx());

    const [create] = sent(CREATE_PATH);
    const [search] = sent(SEARCH_PATH);
    expect(create?.method).toBe('POST');
    expect(create?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(create?.body ?? '')).toEqual({ identifier: HANDLE, password: APP_PASSWORD });
    expect(search?.method).toBe('GET');
    expect(bearerOf(search)).toBe('access-1');
    const q = params(search);
    expect(Object.fromEntries(q)).toEqual({
      q: 'redistricting',
      sort: 'latest',
      limit: '50',
      lang: 'en',
    });
    // Secrets travel in the body and the header only.
    expect(search?.url).not.toContain(APP_PASSWORD);
  });

  it('reuses the session between polls and sends since on the second', async () => {
    const s = source();

    const first = await bluesky.fetchPage(s, {}, ctx());
    const second = await bluesky.fetchPage(s, first.cursor, ctx());

    expect(sent(CREATE_PATH)).toHaveLength(1);
    expect(sent(SEARCH_PATH).map(bearerOf)).toEqual(['access-1', 'access-1']);
    // The newest post's sort time: the earlier of its createdAt and indexedAt.
    expect(first.cursor).toEqual({ since: '2025-05-19T17:10:09.561Z' });
    expect(params(sent(SEARCH_PATH)[0]).has('since')).toBe(false);
    expect(params(sent(SEARCH_PATH)[1]).get('since')).toBe('2025-05-19T17:10:09.561Z');
    expect(second.cursor.since).toBe('2025-05-19T17:10:09.561Z');
  });

  it('keeps one session per source and account', async () => {
    await bluesky.fetchPage(source({}, undefined, 'sky-a'), {}, ctx());
    await bluesky.fetchPage(
      source({}, { identifier: 'other.bsky.social', appPassword: 'x' }, 'sky-b'),
      {},
      ctx(),
    );
    await bluesky.fetchPage(source({}, undefined, 'sky-a'), {}, ctx());

    expect(
      sent(CREATE_PATH).map((r) => (JSON.parse(r.body) as { identifier: string }).identifier),
    ).toEqual([HANDLE, 'other.bsky.social']);
  });

  it('refreshes an expired access token once, with the refresh JWT as Bearer', async () => {
    const s = source();
    await bluesky.fetchPage(s, {}, ctx());
    expired.add(jwt('access-1', expires()));

    const page = await bluesky.fetchPage(s, {}, ctx());

    const [refresh] = sent(REFRESH_PATH);
    expect(refresh?.method).toBe('POST');
    expect(bearerOf(refresh)).toBe('refresh-1');
    expect(sent(SEARCH_PATH).map(bearerOf)).toEqual(['access-1', 'access-1', 'access-2']);
    expect(sent(CREATE_PATH)).toHaveLength(1);
    expect(page.notModified).toBe(false);
  });

  it('signs in again when the refresh is refused', async () => {
    const s = source();
    await bluesky.fetchPage(s, {}, ctx());
    expired.add(jwt('access-1', expires()));
    expired.add(jwt('refresh-1', expires()));

    await bluesky.fetchPage(s, {}, ctx());

    expect(sent(REFRESH_PATH)).toHaveLength(1);
    expect(sent(CREATE_PATH)).toHaveLength(2);
    expect(sent(SEARCH_PATH).map(bearerOf)).toEqual(['access-1', 'access-1', 'access-2']);
  });

  it('gives up with a clear error when every token is called expired', async () => {
    const s = source();
    await bluesky.fetchPage(s, {}, ctx());
    routes[SEARCH_PATH] = () =>
      json({ error: 'ExpiredToken', message: 'Token has expired' }, {}, 400);

    const err = await bluesky.fetchPage(s, {}, ctx()).catch((e) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 400, body: 'ExpiredToken' });
    expect((err as Error).message).toMatch(
      /still calls the access token expired after a refresh and a new sign-in/,
    );
    // One refresh, one new session, then no more.
    expect(sent(REFRESH_PATH)).toHaveLength(1);
    expect(sent(CREATE_PATH)).toHaveLength(2);
    expect(sent(SEARCH_PATH).map(bearerOf)).toEqual([
      'access-1',
      'access-1',
      'access-2',
      'access-3',
    ]);
  });

  it('says which secrets to check when the sign-in is refused, never their values', async () => {
    routes[CREATE_PATH] = () =>
      json({ error: 'AuthenticationRequired', message: 'Invalid identifier or password' }, {}, 401);

    const err = await bluesky.fetchPage(source(), {}, ctx()).catch((e) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 401 });
    expect((err as Error).message).toMatch(/sign-in .* refused \(401 AuthenticationRequired\)/);
    expect((err as Error).message).toContain('BLUESKY_APP_PASSWORD');
    expect((err as Error).message).not.toContain(APP_PASSWORD);
    expect(sent(SEARCH_PATH)).toHaveLength(0);
  });

  it('obeys RateLimit-Remaining: 0 until RateLimit-Reset', async () => {
    const reset = Math.floor(START / 1000) + 200;
    routes[SEARCH_PATH] = () =>
      json(fixture, {
        'RateLimit-Limit': '3000',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': String(reset),
        'RateLimit-Policy': '3000;w=300',
      });
    const s = source();

    const spent = await bluesky.fetchPage(s, {}, ctx());
    clock = START + 100_000;
    const early = await bluesky.fetchPage(s, spent.cursor, ctx());
    clock = reset * 1000 + 1_000;
    const after = await bluesky.fetchPage(s, early.cursor, ctx());

    expect(spent.cursor.notBefore).toBe(new Date(reset * 1000).toISOString());
    expect(early).toEqual({ notModified: true, cursor: spent.cursor });
    expect(after.notModified).toBe(false);
    expect(sent(SEARCH_PATH)).toHaveLength(2);
  });

  it('follows the cursor through a full page before moving since', async () => {
    const all = JSON.parse(fixture.toString('utf8')) as { posts: unknown[] };
    const pages: Record<string, { posts: unknown[]; cursor?: string }> = {
      '': { posts: all.posts.slice(0, 2), cursor: '2' },
      '2': { posts: all.posts.slice(2, 4), cursor: '4' },
      '4': { posts: all.posts.slice(4, 5) },
    };
    routes[SEARCH_PATH] = (req) => json(pages[params(req).get('cursor') ?? ''] ?? { posts: [] });
    const s = source({ limit: 2 });
    const old: SourceCursor = { since: '2025-05-19T14:00:00.000Z' };

    const first = await bluesky.fetchPage(s, old, ctx());
    const second = await bluesky.fetchPage(s, first.cursor, ctx());
    const third = await bluesky.fetchPage(s, second.cursor, ctx());

    expect(first.cursor).toEqual({
      since: old.since,
      page: '2',
      pages: '1',
      pendingSince: '2025-05-19T17:10:09.561Z',
    });
    expect(second.cursor).toMatchObject({ since: old.since, page: '4', pages: '2' });
    expect(third.cursor).toEqual({ since: '2025-05-19T17:10:09.561Z' });
    const searches = sent(SEARCH_PATH).map(params);
    expect(searches.map((q) => q.get('cursor'))).toEqual([null, '2', '4']);
    expect(searches.every((q) => q.get('since') === old.since)).toBe(true);
  });

  it('reads posts: bsky.app links, DIDs as authors, reposts and quotes as shares', () => {
    const drafts = bluesky.parse(
      { body: fixture, contentType: JSON_TYPE, url: `${server.url}${SEARCH_PATH}` },
      { sourceId: 'sky', fetchedAt: new Date('2030-01-01T00:00:00.000Z') },
    );
    const nyhan = drafts.find((d) => d.author.name === 'Brendan Nyhan');
    const noName = drafts.find((d) => d.author.id === 'did:plc:xwxgmnbzmqrasm5yvlltlsqy');

    expect(nyhan).toMatchObject({
      externalId: 'at://did:plc:clxs5bimkdx2zvxzrbs6v3pw/app.bsky.feed.post/3lpjneeyp6c2w',
      url: 'https://bsky.app/profile/brendannyhan.bsky.social/post/3lpjneeyp6c2w',
      author: { id: 'did:plc:clxs5bimkdx2zvxzrbs6v3pw', name: 'Brendan Nyhan' },
      lang: 'en',
      engagement: { likes: 20, shares: 6, replies: 2 },
    });
    expect(noName?.author.name).toBe('bodyballistics.bsky.social');
    // A post without langs has no declared language: detection decides.
    expect(drafts[0]?.lang).toBeUndefined();
  });

  it('links by DID when the handle is invalid, and skips posts without text', () => {
    const all = JSON.parse(fixture.toString('utf8')) as {
      posts: { author: { handle: string }; record: { text: string } }[];
    };
    const [a, b] = all.posts;
    if (!a || !b) throw new Error('fixture too short');
    a.author.handle = 'handle.invalid';
    b.record.text = '';
    const drafts = bluesky.parse(
      {
        body: Buffer.from(JSON.stringify({ posts: [a, b] })),
        contentType: JSON_TYPE,
        url: `${server.url}${SEARCH_PATH}`,
      },
      { sourceId: 'sky', fetchedAt: new Date('2030-01-01T00:00:00.000Z') },
    );

    expect(drafts.map((d) => d.url)).toEqual([
      'https://bsky.app/profile/did:plc:kkergqgbhb56ptpwj2wenkje/post/3lpk2u6qo222m',
    ]);
  });

  it('shows what it reads without the secrets', () => {
    const target = bluesky.target(source({ lang: 'fr' }));

    expect(target).toBe(`search "redistricting" (fr) on ${server.url}`);
    expect(target).not.toContain(HANDLE);
  });
});
