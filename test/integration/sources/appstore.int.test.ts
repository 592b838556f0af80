/** App Store customer reviews through the source contract, and their paths, pages and cursor. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceParseError } from '../../../src/errors.js';
import appstore, { type AppStoreOptions } from '../../../src/sources/appstore.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import { createTokenStore, type RawPage } from '../../../src/sources/_types.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const SHARED = 'appstore/app-reviews_customerreviews_us_json.json';
const local = (file: string): Buffer =>
  readFileSync(new URL(`../../fixtures/appstore/${file}`, import.meta.url));
const FR_APP = local('customerreviews_fr_with-app-entry.json');
const SINGLE = local('customerreviews_single-entry.json');

const path = (country: string, appId: string, page = 1) =>
  `/${country}/rss/customerreviews/page=${page}/id=${appId}/sortby=mostrecent/json`;
const json = (body: Buffer | string): Reply => ({ contentType: JSON_TYPE, body });

runSourceContract(appstore, [
  {
    name: 'a recorded US page (2021: no per-entry date)',
    settings: (base) => ({ appId: '1321994487', api: base }),
    routes: { [path('us', '1321994487')]: json(sharedFixture(SHARED)) },
    page: path('us', '1321994487'),
    expect: {
      mentions: 50,
      first: {
        externalId: '7175647643',
        authorName: 'WB-SBB',
        // The feed's own date stands for entries that carry none.
        publishedAt: '2021-04-12T19:43:52.000Z',
        url: 'https://apps.apple.com/us/app/id1321994487?see-all=reviews',
        textContains: 'but cannot “find” the endorsement on larger business sized checks',
      },
      rating: true,
    },
  },
  {
    name: 'a French page whose first entry is the app',
    settings: (base) => ({ appId: 1321994487, country: 'FR', api: base }),
    routes: { [path('fr', '1321994487')]: json(FR_APP) },
    page: path('fr', '1321994487'),
    expect: {
      mentions: 3,
      first: {
        externalId: '11045678901',
        authorName: 'Camille_75',
        publishedAt: '2024-05-14T06:41:07.000Z',
        url: 'https://apps.apple.com/fr/app/id1321994487?see-all=reviews',
        textContains: 'plante dès l’écran de connexion',
      },
      engagement: true,
      rating: true,
    },
  },
  {
    name: 'a page of one review, given as an object',
    settings: (base) => ({ appId: '6470000001', api: base }),
    routes: { [path('us', '6470000001')]: json(SINGLE) },
    page: path('us', '6470000001'),
    expect: {
      mentions: 1,
      first: { externalId: '10777766655', publishedAt: '2024-02-01T16:15:00.000Z' },
      rating: true,
    },
  },
]);

describe('appstore extras', () => {
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
  const source = (over: Partial<AppStoreOptions> = {}) => ({
    id: 'app',
    kind: 'appstore',
    enabled: true,
    every: 60_000,
    watch: true,
    secrets: {},
    ...appstore.options.parse({ appId: '1321994487', api: server.url, ...over }),
  });
  const parse = (page: RawPage) => appstore.parse(page, { sourceId: 'app', fetchedAt: FETCHED_AT });
  const raw = (body: Buffer | string, url = `${server.url}${path('us', '1321994487')}`) => ({
    body: Buffer.from(body),
    contentType: JSON_TYPE,
    url,
  });

  /** The recorded page's feed with `n` entries renamed so that pages do not overlap. */
  const page = (n: number, tag: string): string => {
    const feed = JSON.parse(sharedFixture(SHARED).toString('utf8')) as {
      feed: { entry: { id: { label: string } }[] };
    };
    const entries = feed.feed.entry.slice(0, n).map((e) => ({
      ...e,
      id: { label: `${tag}${e.id.label}` },
    }));
    return JSON.stringify({ feed: { ...feed.feed, entry: entries } });
  };

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const r = reply(req);
      res
        .writeHead(r.status ?? 200, {
          ...(r.contentType ? { 'Content-Type': r.contentType } : {}),
          ...r.headers,
        })
        .end(r.body);
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    reply = () => json(sharedFixture(SHARED));
  });

  describe('options', () => {
    it('defaults to the US storefront, one page, and Apple', () => {
      expect(appstore.options.parse({ appId: '1321994487' })).toEqual({
        appId: '1321994487',
        country: 'us',
        pages: 1,
        api: 'https://itunes.apple.com',
      });
    });

    it('takes an id written as a number and a country in capitals', () => {
      expect(appstore.options.parse({ appId: 1321994487, country: 'FR' })).toMatchObject({
        appId: '1321994487',
        country: 'fr',
      });
    });

    it.each([
      { appId: 'id1321994487' },
      { appId: '1321994487', country: 'fra' },
      { appId: '1321994487', pages: 0 },
      { appId: '1321994487', pages: 11 },
    ])('refuses %j', (options) => {
      expect(appstore.options.safeParse(options).success).toBe(false);
    });

    it('shows the feed it reads', () => {
      expect(appstore.target(source({ country: 'fr' }))).toBe(
        `${server.url}${path('fr', '1321994487')}`,
      );
    });
  });

  describe('requests', () => {
    it('puts the country and the app id in the path and asks for JSON', async () => {
      reply = () => json(FR_APP);
      const result = await appstore.fetchPage(source({ country: 'fr' }), {}, ctx());

      expect(server.requests.map((r) => r.url)).toEqual([path('fr', '1321994487')]);
      expect(server.requests[0]?.headers.accept).toBe('application/json');
      expect(result).toMatchObject({
        notModified: false,
        cursor: { newestId: '11045678901', newestAt: '2024-05-13T23:41:07-07:00' },
      });
    });

    it('sends the ETag back and reads 304 as nothing new', async () => {
      reply = (req) =>
        req.headers['if-none-match'] === '"v1"'
          ? { status: 304, body: '' }
          : { ...json(FR_APP), headers: { ETag: '"v1"' } };
      const first = await appstore.fetchPage(source(), {}, ctx());
      const second = await appstore.fetchPage(source(), first.cursor, ctx());

      expect(first.cursor.etag).toBe('"v1"');
      expect(server.requests[1]?.headers['if-none-match']).toBe('"v1"');
      expect(second).toEqual({ notModified: true, cursor: first.cursor });
    });

    it('reads the same newest review as nothing new, without asking further pages', async () => {
      const first = await appstore.fetchPage(source({ pages: 3 }), {}, ctx());
      server.requests.length = 0;
      const second = await appstore.fetchPage(source({ pages: 3 }), first.cursor, ctx());

      expect(second.notModified).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it('keeps a cursor for an app without reviews yet', async () => {
      reply = () => json(JSON.stringify({ feed: { updated: { label: '2024-01-01T00:00:00Z' } } }));
      const result = await appstore.fetchPage(source(), {}, ctx());

      expect(result.cursor).toEqual({ checkedAt: FETCHED_AT.toISOString() });
      expect(result.notModified ? [] : parse(result.raw)).toEqual([]);
    });

    it('hands an unreadable page to parse as it came, and keeps the old cursor', async () => {
      reply = () => ({ contentType: 'text/html', body: '<html><body>Busy</body></html>' });
      const cursor = { newestId: '1', newestAt: '2024-01-01T00:00:00Z' };
      const result = await appstore.fetchPage(source(), cursor, ctx());

      expect(result.cursor).toEqual(cursor);
      expect(() => (result.notModified ? null : parse(result.raw))).toThrow(SourceParseError);
    });
  });

  describe('pages', () => {
    const pages: Record<string, string> = {};
    beforeAll(() => {
      pages[path('us', '1321994487', 1)] = page(50, '1');
      pages[path('us', '1321994487', 2)] = page(50, '2');
      pages[path('us', '1321994487', 3)] = page(10, '3');
    });
    beforeEach(() => {
      reply = (req) => {
        const body = pages[req.url];
        return body ? json(body) : { status: 404, body: 'no such page' };
      };
    });

    it('reads up to `pages` pages in one poll, as one page for parse, and stops at a short page', async () => {
      const result = await appstore.fetchPage(source({ pages: 5 }), {}, ctx());
      const drafts = result.notModified ? [] : parse(result.raw);

      expect(server.requests.map((r) => r.url)).toEqual(
        [1, 2, 3].map((n) => path('us', '1321994487', n)),
      );
      expect(drafts).toHaveLength(110);
      expect(drafts[0]?.externalId).toBe('17175647643');
      expect(drafts.at(-1)?.externalId.startsWith('3')).toBe(true);
      expect(result.cursor).toEqual({ newestId: '17175647643' });
      expect(result.notModified ? '' : result.raw.url).toBe(
        `${server.url}${path('us', '1321994487', 1)}`,
      );
    });

    it('stops at the page holding the newest review seen last time', async () => {
      // The newest of last time is on page 2 now: page 3 is older still.
      const seen = JSON.parse(pages[path('us', '1321994487', 2)] ?? '') as {
        feed: { entry: { id: { label: string } }[] };
      };
      const cursor = { newestId: seen.feed.entry[5]?.id.label ?? '' };
      const result = await appstore.fetchPage(source({ pages: 10 }), cursor, ctx());

      expect(server.requests).toHaveLength(2);
      expect(result.notModified ? 0 : parse(result.raw).length).toBe(100);
    });

    it('reads one page only by default', async () => {
      await appstore.fetchPage(source(), {}, ctx());

      expect(server.requests).toHaveLength(1);
    });
  });

  describe('parse', () => {
    it('skips the entry describing the app', () => {
      const drafts = parse(raw(FR_APP, `${server.url}${path('fr', '1321994487')}`));

      expect(drafts.map((d) => d.externalId)).toEqual([
        '11045678901',
        '11039876543',
        '11021122334',
      ]);
      expect(drafts.some((d) => d.text.includes('Gérez vos comptes'))).toBe(false);
    });

    it('maps a review: title, text, rating, helpful votes, reviewer, no language', () => {
      const [first] = parse(raw(FR_APP, `${server.url}${path('fr', '1321994487')}`));

      expect(first).toEqual({
        externalId: '11045678901',
        url: 'https://apps.apple.com/fr/app/id1321994487?see-all=reviews',
        author: { id: 'https://itunes.apple.com/fr/reviews/id1029384756', name: 'Camille_75' },
        title: 'Impossible de me connecter depuis la mise à jour',
        text: 'Depuis la 6.4.1 l’appli plante dès l’écran de connexion. J’ai réinstallé deux fois, rien à faire. Le service client me renvoie vers l’App Store…',
        publishedAt: new Date('2024-05-14T06:41:07.000Z'),
        rating: 1,
        engagement: { likes: 3 },
      });
    });

    it('reads a single review given as an object', () => {
      const drafts = parse(raw(SINGLE, `${server.url}${path('us', '6470000001')}`));

      expect(drafts).toHaveLength(1);
      expect(drafts[0]).toMatchObject({ externalId: '10777766655', rating: 3 });
    });

    it('reads a feed without entries as no review', () => {
      expect(parse(raw(JSON.stringify({ feed: {} })))).toEqual([]);
    });

    it('refuses a review entry it cannot read with SourceParseError, not a ZodError', () => {
      const broken = JSON.stringify({
        feed: { entry: [{ 'im:rating': { label: '5' }, title: { label: 'no id' } }] },
      });

      expect(() => parse(raw(broken))).toThrow(SourceParseError);
    });

    it('falls back to the reviewer page when the feed URL is not shaped as Apple’s', () => {
      const [first] = parse(raw(FR_APP, `${server.url}/mirror/reviews.json`));

      expect(first?.url).toBe('https://itunes.apple.com/fr/reviews/id1029384756');
    });
  });
});
