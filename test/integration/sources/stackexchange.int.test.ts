/** Stack Exchange search through the source contract, and its watermark, key and throttle. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceHttpError } from '../../../src/errors.js';
import stackexchange, { type StackExchangeOptions } from '../../../src/sources/stackexchange.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import {
  createTokenStore,
  type ConfiguredSource,
  type RawPage,
} from '../../../src/sources/_types.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const JSON_TYPE = 'application/json; charset=utf-8';
const SEARCH = '/2.3/search/advanced';
/** Written from the API documentation (see test/fixtures/stackexchange/README.md). */
const FIXTURE = readFileSync(
  new URL('../../fixtures/stackexchange/search_advanced.json', import.meta.url),
);
const page = (over: Record<string, unknown> = {}): Reply => ({
  contentType: JSON_TYPE,
  body: JSON.stringify({ ...(JSON.parse(FIXTURE.toString('utf8')) as object), ...over }),
});

runSourceContract(stackexchange, [
  {
    name: 'questions matching a search, French and English (written from the docs)',
    settings: (base) => ({ api: base, query: 'acmepay' }),
    routes: { [SEARCH]: { contentType: JSON_TYPE, body: FIXTURE } },
    page: SEARCH,
    expect: {
      mentions: 5,
      first: {
        externalId: '79871234',
        publishedAt: '2026-01-21T16:42:10.000Z',
        authorName: 'François Léger',
        url: 'https://stackoverflow.com/questions/79871234/acmepay-sdk-le-paiement-reste-bloqu%c3%a9-sur-l%c3%a9cran-de-confirmation',
        textContains:
          "Depuis la mise à jour du SDK AcmePay 4.2, le paiement reste bloqué sur l'écran",
      },
      engagement: true,
    },
  },
]);

describe('stackexchange extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const NOW = new Date('2026-01-22T10:00:00.000Z');
  const ctx = (now = NOW) => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => now,
  });
  const source = (
    over: Partial<StackExchangeOptions> & { secrets?: Record<string, string> } = {},
  ): ConfiguredSource<StackExchangeOptions> => ({
    id: 'so',
    kind: 'stackexchange',
    enabled: true,
    every: 15 * 60_000,
    watch: true,
    site: 'stackoverflow',
    query: 'acmepay',
    api: server.url,
    secrets: {},
    ...over,
  });
  const parse = (body: unknown) =>
    stackexchange.parse(
      {
        body: Buffer.from(JSON.stringify(body)),
        contentType: JSON_TYPE,
        url: `${server.url}${SEARCH}`,
      } satisfies RawPage,
      { sourceId: 'so', fetchedAt: NOW },
    );
  const sent = (i: number) => new URL(server.requests[i]?.url ?? '/', server.url).searchParams;

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
    reply = () => page();
  });

  describe('requests', () => {
    it('searches the site newest first with bodies, and no key when it has none', async () => {
      const result = await stackexchange.fetchPage(source({ site: 'superuser' }), {}, ctx());

      expect(new URL(server.requests[0]?.url ?? '', server.url).pathname).toBe(SEARCH);
      expect(Object.fromEntries(sent(0))).toEqual({
        site: 'superuser',
        q: 'acmepay',
        sort: 'creation',
        order: 'desc',
        pagesize: '100',
        filter: 'withbody',
      });
      // The newest creation_date of the page.
      expect(result.cursor).toEqual({ fromdate: '1769013730' });
    });

    it('asks from the newest question seen, with half an hour of overlap', async () => {
      await stackexchange.fetchPage(source(), { fromdate: '1769013730' }, ctx());

      expect(sent(0).get('fromdate')).toBe(String(1769013730 - 1800));
    });

    it('sends its key as `key`, and masks it in the page URL and the target', async () => {
      const result = await stackexchange.fetchPage(
        source({ secrets: { key: 'se-key-((42' } }),
        {},
        ctx(),
      );

      expect(sent(0).get('key')).toBe('se-key-((42');
      if (result.notModified) throw new Error('expected a page');
      expect(result.raw.url).not.toContain('se-key');
      expect(result.raw.url).toContain('key=***');
      expect(stackexchange.target(source({ secrets: { key: 'se-key-((42' } }))).toBe(
        `${server.url}${SEARCH}?site=stackoverflow&q=acmepay`,
      );
    });

    it('keeps the key out of its errors', async () => {
      reply = () => ({ status: 429, body: '{"error_id":502,"error_name":"throttle_violation"}' });
      const err = await stackexchange
        .fetchPage(source({ secrets: { key: 'se-key-((42' } }), {}, ctx())
        .catch((e: unknown) => e);

      expect(err).toBeInstanceOf(SourceHttpError);
      expect((err as Error).message).not.toContain('se-key');
    });

    it('starts from now when its first page is empty', async () => {
      reply = () => page({ items: [] });
      const result = await stackexchange.fetchPage(source(), {}, ctx());

      expect(result.cursor).toEqual({ fromdate: String(NOW.getTime() / 1000) });
    });
  });

  describe('throttle', () => {
    it('obeys `backoff`: no request to the method before it has passed', async () => {
      reply = () => page({ backoff: 30 });
      const first = await stackexchange.fetchPage(source(), {}, ctx());
      expect(first.cursor).toEqual({
        fromdate: '1769013730',
        notBefore: new Date(NOW.getTime() + 30_000).toISOString(),
      });

      const held = await stackexchange.fetchPage(
        source(),
        first.cursor,
        ctx(new Date(NOW.getTime() + 29_000)),
      );
      expect(held).toEqual({ notModified: true, cursor: first.cursor });
      expect(server.requests).toHaveLength(1);

      reply = () => page();
      const after = await stackexchange.fetchPage(
        source(),
        first.cursor,
        ctx(new Date(NOW.getTime() + 31_000)),
      );
      expect(server.requests).toHaveLength(2);
      expect(after.cursor).toEqual({ fromdate: '1769013730' });
    });

    it('waits for the next UTC day when the quota is spent', async () => {
      reply = () => page({ quota_remaining: 0 });
      const spent = await stackexchange.fetchPage(source(), {}, ctx());

      expect(spent.cursor.notBefore).toBe('2026-01-23T00:00:00.000Z');
      const held = await stackexchange.fetchPage(
        source(),
        spent.cursor,
        ctx(new Date('2026-01-22T23:59:00.000Z')),
      );
      expect(held.notModified).toBe(true);
      expect(server.requests).toHaveLength(1);
    });

    it('keeps the cursor when the body does not read', async () => {
      reply = () => ({ contentType: 'text/html', body: '<html>down</html>' });
      const result = await stackexchange.fetchPage(source(), { fromdate: '5' }, ctx());

      expect(result.cursor).toEqual({ fromdate: '5' });
    });
  });

  describe('reading questions', () => {
    const fixture = () => JSON.parse(FIXTURE.toString('utf8')) as { items: object[] };

    it('decodes HTML in titles, names and bodies', () => {
      const drafts = parse(fixture());
      const [fr, en] = drafts;

      expect(fr?.title).toBe("AcmePay SDK : le paiement reste bloqué sur l'écran de confirmation");
      expect(fr?.text).toContain('if (result.status < 0 && retries > 3)');
      expect(fr?.text).toContain("« c'est de votre côté »");
      expect(en?.title).toBe('AcmePay checkout crashes with "Apple Pay" on iOS 18');
      expect(en?.author).toEqual({ id: '19876543', name: "Dana O'Neil" });
    });

    it('maps votes and answers, never reputation as followers', () => {
      const drafts = parse(fixture());
      const byId = new Map(drafts.map((d) => [d.externalId, d]));

      expect(byId.get('79869911')?.engagement).toEqual({ likes: 5, replies: 2 });
      // Net score -2: no likes, not negative likes.
      expect(byId.get('79868020')?.engagement).toEqual({ likes: 0, replies: 0 });
      expect(drafts.every((d) => d.author.followers === undefined)).toBe(true);
    });

    it("names a deleted owner's question by the name it kept", () => {
      const d = parse(fixture()).find((x) => x.externalId === '79867154');

      expect(d?.author).toEqual({ id: 'user30011223', name: 'user30011223' });
      expect(d?.publishedAt.toISOString()).toBe('2026-01-20T13:30:02.000Z');
    });

    it('declares the language of the localised Stack Overflows only', () => {
      const item = {
        ...fixture().items[0],
        link: 'https://es.stackoverflow.com/questions/1/pago-bloqueado',
      };
      const [es] = parse({ items: [item] });
      const [so] = parse(fixture());

      expect(es?.lang).toBe('es');
      expect(so?.lang).toBeUndefined();
    });

    it('falls back to the title when the body is missing (a filter without bodies)', () => {
      const { body: _b, ...noBody } = fixture().items[2] as Record<string, unknown>;
      const [d] = parse({ items: [noBody] });

      expect(d?.text).toBe('AcmePay webhook signature never matches');
    });
  });
});
