/** Mastodon through the source contract on recorded answers, and its paging, auth and limits. */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, SourceHttpError, SourceParseError } from '../../../src/errors.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  sourceCommonSchema,
  type ConfiguredSource,
  type FetchResult,
  type SourceCursor,
} from '../../../src/sources/_types.js';
import mastodon, { type MastodonOptions } from '../../../src/sources/mastodon.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const TAG = 'mastodon/mastodonpy_tag_timeline';
const PUBLIC = 'mastodon/mastodonpy_public_timeline_anonymous';
const SEARCH_EMPTY = 'mastodon/mastodonpy_search_v2';

/** Written from the documentation (see test/fixtures/mastodon/README.md). */
const local = (file: string): Buffer =>
  readFileSync(new URL(`../../fixtures/mastodon/${file}`, import.meta.url));

/** The headers recorded with a shared fixture, one value each. */
function recordedHeaders(name: string): Record<string, string> {
  const rec = JSON.parse(sharedFixture(`${name}.headers.json`).toString('utf8')) as {
    headers: Record<string, string[]>;
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    if (/^(link|x-ratelimit-|content-type)/i.test(k) && v[0] !== undefined) out[k] = v[0];
  }
  return out;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const recorded = (name: string): Reply => ({
  contentType: JSON_TYPE,
  headers: recordedHeaders(name),
  body: sharedFixture(`${name}.json`),
});
const json = (body: unknown, headers: Record<string, string> = {}): Reply => ({
  contentType: JSON_TYPE,
  headers,
  body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
});

interface FixtureStatus {
  account: { id: string; acct: string };
}
const publicTimeline = JSON.parse(
  sharedFixture(`${PUBLIC}.json`).toString('utf8'),
) as FixtureStatus[];
/** The recorded public timeline cut to one account: what its statuses endpoint answers. */
const adminStatuses = publicTimeline.filter((s) => s.account.acct === 'admin');
const admin = adminStatuses[0]?.account;
if (!admin) throw new Error('the public timeline fixture has no status by admin');

runSourceContract(mastodon, [
  {
    name: 'hashtag timeline (recorded)',
    settings: (base) => ({ instance: base, hashtag: 'hoot' }),
    routes: { '/api/v1/timelines/tag/hoot': recorded(TAG) },
    page: '/api/v1/timelines/tag/hoot',
    expect: {
      mentions: 1,
      first: {
        externalId: 'http://localhost:3000/ap/users/117020566092212359/statuses/117020593741189701',
        publishedAt: '2026-08-01T13:55:55.867Z',
        authorName: 'mastodonpy_test_2',
        url: 'http://localhost:3000/@mastodonpy_test_2/117020593741189701',
        textContains: '#hoot',
      },
    },
  },
  {
    name: "an account's statuses (recorded public timeline, one account)",
    settings: (base) => ({ instance: base, account: '@admin' }),
    routes: {
      '/api/v1/accounts/lookup': json(admin),
      [`/api/v1/accounts/${admin.id}/statuses`]: json(adminStatuses, recordedHeaders(PUBLIC)),
    },
    page: `/api/v1/accounts/${admin.id}/statuses`,
    expect: {
      mentions: 6,
      first: {
        externalId: 'http://localhost:3000/ap/users/117020565693913441/statuses/117020592137523525',
        publishedAt: '2026-08-01T13:55:31.396Z',
        authorName: 'admin',
        textContains: "you can't say that on television",
      },
      followers: true,
    },
  },
  {
    name: 'full-text search with a token (written from the docs)',
    settings: (base) => ({ instance: base, query: 'maillon' }),
    env: { MASTODON_TOKEN: 'contract-token' },
    routes: {
      '/api/v2/search': json(local('search_statuses.json'), recordedHeaders(SEARCH_EMPTY)),
    },
    page: '/api/v2/search',
    expect: {
      mentions: 3,
      first: {
        externalId: 'https://mastodon.example/users/alice/statuses/114612345678901234',
        publishedAt: '2025-06-02T09:14:07.000Z',
        authorName: 'Alice Martin',
        url: 'https://mastodon.example/@alice/114612345678901234',
        textContains: "quand j'ai demandé une facture",
      },
      engagement: true,
      followers: true,
    },
  },
  {
    name: 'hashtag timeline with boosts and a script (written from the docs)',
    settings: (base) => ({ instance: base, hashtag: '#maillon' }),
    routes: { '/api/v1/timelines/tag/maillon': json(local('tag_timeline_reblogs_script.json')) },
    page: '/api/v1/timelines/tag/maillon',
    expect: { mentions: 2, engagement: true, followers: true },
  },
]);

type Source = ConfiguredSource<MastodonOptions>;

function bodyOf(page: FetchResult): Buffer {
  if (page.notModified) throw new Error('expected a page, got notModified');
  return page.raw.body;
}

describe('mastodon extras', () => {
  let server: TestServer;
  /** Answers by path; each test sets its own. */
  let routes: Record<string, Reply> = {};
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  let clock = Date.parse('2026-08-01T13:56:00.000Z');
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => new Date(clock),
  });
  const source = (
    options: Record<string, unknown>,
    secrets: Record<string, string> = {},
  ): Source => ({
    ...sourceCommonSchema.parse({ id: 'masto' }),
    kind: 'mastodon',
    ...mastodon.options.parse({ instance: server.url, ...options }),
    secrets,
  });
  const paths = () => server.requests.map((r) => new URL(r.url, 'http://x').pathname);
  const query = (r: RecordedRequest | undefined) => new URL(r?.url ?? '/', 'http://x').searchParams;
  const parseRaw = (body: Buffer, url = `${server.url}/api/v1/timelines/tag/maillon`) =>
    mastodon.parse(
      { body, contentType: JSON_TYPE, url },
      { sourceId: 'masto', fetchedAt: new Date('2030-01-01T00:00:00.000Z') },
    );

  beforeAll(async () => {
    server = await startHttpServer((req: RecordedRequest, res: ServerResponse) => {
      const reply = routes[new URL(req.url, 'http://x').pathname];
      if (!reply) {
        res.writeHead(404).end('not found');
        return;
      }
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
    routes = {};
    clock = Date.parse('2026-08-01T13:56:00.000Z');
  });

  it('asks the tag timeline for 40 and sends min_id on the second poll', async () => {
    routes = { '/api/v1/timelines/tag/hoot': recorded(TAG) };
    const s = source({ hashtag: 'hoot' });

    const first = await mastodon.fetchPage(s, {}, ctx());
    const second = await mastodon.fetchPage(s, first.cursor, ctx());

    expect(query(server.requests[0]).get('limit')).toBe('40');
    expect(query(server.requests[0]).has('min_id')).toBe(false);
    expect(first.cursor).toEqual({ minId: '117020593741189701' });
    expect(query(server.requests[1]).get('min_id')).toBe('117020593741189701');
    expect(second.cursor.minId).toBe('117020593741189701');
  });

  it("takes min_id from the Link header's rel=prev, else from the newest id of the page", async () => {
    const body = local('tag_timeline_reblogs_script.json');
    routes = {
      '/api/v1/timelines/tag/linked': json(body, {
        Link: `<${server.url}/api/v1/timelines/tag/linked?max_id=1>; rel="next", <${server.url}/api/v1/timelines/tag/linked?min_id=999999999999999999>; rel="prev"`,
      }),
      '/api/v1/timelines/tag/bare': json(body),
    };

    const linked = await mastodon.fetchPage(source({ hashtag: 'linked' }), {}, ctx());
    const bare = await mastodon.fetchPage(source({ hashtag: 'bare' }), {}, ctx());

    expect(linked.cursor.minId).toBe('999999999999999999');
    // The boost wrappers' own ids order the timeline, not the boosted post's.
    expect(bare.cursor.minId).toBe('114620400000000005');
  });

  it('keeps the watermark when a poll finds nothing new', async () => {
    routes = { '/api/v1/timelines/tag/quiet': json([]) };

    const page = await mastodon.fetchPage(source({ hashtag: 'quiet' }), { minId: '42' }, ctx());

    expect(page.cursor).toEqual({ minId: '42' });
    expect(page.notModified).toBe(false);
    expect(parseRaw(bodyOf(page))).toEqual([]);
  });

  it('sends the token as Bearer only when it is set', async () => {
    routes = { '/api/v1/timelines/tag/hoot': recorded(TAG) };

    await mastodon.fetchPage(source({ hashtag: 'hoot' }), {}, ctx());
    await mastodon.fetchPage(source({ hashtag: 'hoot' }, { token: 's3cret' }), {}, ctx());

    expect(server.requests[0]?.headers.authorization).toBeUndefined();
    expect(server.requests[1]?.headers.authorization).toBe('Bearer s3cret');
    expect(server.requests[1]?.url).not.toContain('s3cret');
  });

  it('refuses full-text search without a token, clearly and without asking', async () => {
    routes = { '/api/v2/search': json(local('search_statuses.json')) };

    const err = await mastodon.fetchPage(source({ query: 'maillon' }), {}, ctx()).catch((e) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/full-text search .*needs MASTODON_TOKEN/);
    expect(server.requests).toHaveLength(0);
  });

  it('searches statuses with the token, going forward with min_id', async () => {
    routes = { '/api/v2/search': json(local('search_statuses.json')) };
    const s = source({ query: 'maillon', limit: 20 }, { token: 's3cret' });

    const first = await mastodon.fetchPage(s, {}, ctx());
    await mastodon.fetchPage(s, first.cursor, ctx());

    const q = query(server.requests[0]);
    expect(q.get('q')).toBe('maillon');
    expect(q.get('type')).toBe('statuses');
    expect(q.get('limit')).toBe('20');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer s3cret');
    expect(first.cursor.minId).toBe('114612345678901234');
    expect(query(server.requests[1]).get('min_id')).toBe('114612345678901234');
  });

  it('reads a search without statuses as no mentions (recorded)', () => {
    expect(parseRaw(sharedFixture(`${SEARCH_EMPTY}.json`))).toEqual([]);
  });

  it.each([
    [{}, /none is set/],
    [{ hashtag: 'maillon', query: 'maillon' }, /found hashtag and query/],
    [{ hashtag: 'maillon', account: 'maillon', query: 'x' }, /found hashtag and account and query/],
  ])('wants exactly one of hashtag, account or query (%o)', async (options, why) => {
    const err = await mastodon
      .fetchPage(source(options, { token: 't' }), {}, ctx())
      .catch((e) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/exactly one of hashtag, account or query/);
    expect((err as Error).message).toMatch(why);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a limit above 40 in the configuration', () => {
    expect(
      mastodon.options.safeParse({ instance: 'https://x.example', hashtag: 'a', limit: 41 })
        .success,
    ).toBe(false);
  });

  it('resolves the account once and keeps its id in the cursor', async () => {
    routes = {
      '/api/v1/accounts/lookup': json(admin),
      [`/api/v1/accounts/${admin.id}/statuses`]: json(adminStatuses),
    };
    const s = source({ account: 'admin@localhost:3000' });

    const first = await mastodon.fetchPage(s, {}, ctx());
    await mastodon.fetchPage(s, first.cursor, ctx());

    expect(paths()).toEqual([
      '/api/v1/accounts/lookup',
      `/api/v1/accounts/${admin.id}/statuses`,
      `/api/v1/accounts/${admin.id}/statuses`,
    ]);
    expect(query(server.requests[0]).get('acct')).toBe('admin@localhost:3000');
    expect(first.cursor).toEqual({ accountId: admin.id, minId: '117020592137523525' });
    expect(query(server.requests[2]).get('min_id')).toBe('117020592137523525');
  });

  it('says which account an instance does not know', async () => {
    routes = { '/api/v1/accounts/lookup': { ...json({ error: 'Record not found' }), status: 404 } };

    const err = await mastodon.fetchPage(source({ account: 'nobody' }), {}, ctx()).catch((e) => e);

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 404 });
    expect((err as Error).message).toContain('account "nobody" is not known');
  });

  it('waits for the reset when the instance says the budget is spent', async () => {
    routes = {
      '/api/v1/timelines/tag/hoot': json(sharedFixture(`${TAG}.json`), {
        'X-RateLimit-Limit': '300',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Reset': '2026-08-01T14:00:00.070144Z',
      }),
    };
    const s = source({ hashtag: 'hoot' });

    const spent = await mastodon.fetchPage(s, {}, ctx());
    clock = Date.parse('2026-08-01T13:59:00.000Z');
    const early = await mastodon.fetchPage(s, spent.cursor, ctx());
    clock = Date.parse('2026-08-01T14:00:01.000Z');
    const after = await mastodon.fetchPage(s, early.cursor, ctx());

    expect(spent.cursor.notBefore).toBe('2026-08-01T14:00:00.070Z');
    expect(early).toEqual({ notModified: true, cursor: spent.cursor });
    expect(after.notModified).toBe(false);
    // One request before the reset, one after: none while the budget was spent.
    expect(server.requests).toHaveLength(2);
  });

  it('stores a boost as the boosted post, once', () => {
    const drafts = parseRaw(local('tag_timeline_reblogs_script.json'));
    const boosted = drafts.find((d) => d.externalId.includes('piaille.example'));

    expect(drafts.map((d) => d.externalId)).toEqual([
      'https://mastodon.example/users/alice/statuses/114620300000000004',
      'https://piaille.example/users/bob/statuses/114620000000000001',
    ]);
    expect(boosted).toMatchObject({
      url: 'https://piaille.example/@bob/114620000000000001',
      author: { id: 'bob@piaille.example', name: 'Bob', followers: 87 },
      text: 'Le nouveau point relais Maillon est fermé le samedi, pratique…',
      lang: 'fr',
      engagement: { likes: 7, shares: 4, replies: 1 },
    });
    expect(boosted?.publishedAt.toISOString()).toBe('2025-06-03T08:00:00.000Z');
  });

  it('turns HTML with a <script> into its text, without the script', () => {
    const drafts = parseRaw(local('tag_timeline_reblogs_script.json'));

    expect(drafts[0]?.text).toBe('Maillon support chat is back. Fast answer & polite.');
    expect(drafts[0]?.text).not.toContain('pwned');
  });

  it('puts the content warning before the text and qualifies local accounts with the host', () => {
    const drafts = mastodon.parse(
      {
        body: local('search_statuses.json'),
        contentType: JSON_TYPE,
        url: 'https://mastodon.example/api/v2/search?q=maillon',
      },
      { sourceId: 'masto', fetchedAt: new Date('2030-01-01T00:00:00.000Z') },
    );

    expect(drafts[0]?.author.id).toBe('alice@mastodon.example');
    expect(drafts[1]?.text).toMatch(/^Livraison, coup de gueule\nDeuxième colis Maillon perdu/);
    expect(drafts[1]?.author.id).toBe('bob@piaille.example');
    expect(drafts[2]).toMatchObject({ author: { name: 'carol' }, lang: 'en' });
    expect(drafts[2]?.text).toContain('the coupon field still eats the code & shows an error');
  });

  it('shows what it reads without the token', () => {
    expect(mastodon.target(source({ hashtag: '#maillon' }, { token: 's3cret' }))).toBe(
      `${server.url}/tags/maillon`,
    );
    expect(mastodon.target(source({ account: '@admin' }))).toBe(`${server.url}/@admin`);
    expect(mastodon.target(source({ query: 'maillon' }, { token: 's3cret' }))).toBe(
      `search "maillon" on ${server.url}`,
    );
  });

  it('keeps the old cursor when the page cannot be read, and parse refuses it', async () => {
    routes = { '/api/v1/timelines/tag/broken': json('<!doctype html><h1>502</h1>') };
    const cursor: SourceCursor = { minId: '7' };

    const page = await mastodon.fetchPage(source({ hashtag: 'broken' }), cursor, ctx());

    expect(page.cursor).toEqual(cursor);
    expect(() => parseRaw(bodyOf(page))).toThrow(SourceParseError);
  });
});
