/** Pages read with configured CSS selectors through the source contract, on a French forum. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceParseError } from '../../../src/errors.js';
import html, { type HtmlSelectors } from '../../../src/sources/html.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import { createTokenStore, type RawPage } from '../../../src/sources/_types.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const local = (file: string): Buffer =>
  readFileSync(new URL(`../../fixtures/html/${file}`, import.meta.url));
const FORUM = local('forum-fr.html');
const FORUM_1252 = local('forum-fr-windows-1252.html.bin');

const SELECTORS: HtmlSelectors = {
  item: 'article.post',
  text: '.content',
  author: '.author',
  date: '.posted',
  link: 'a.permalink',
  rating: '.note',
  title: '.subject',
};
const THREAD = '/t/livraison-en-retard/118';

const forumCase = (name: string, body: Buffer, contentType: string) => {
  const reply: Reply = { contentType, body };
  return {
    name,
    settings: (base: string) => ({ url: `${base}${THREAD}`, selectors: SELECTORS }),
    routes: { [THREAD]: reply },
    page: THREAD,
    expect: {
      mentions: 6,
      first: {
        authorName: 'Marie L.',
        textContains: 'Ma commande du 1er mars est « en cours d’acheminement » depuis dix jours.',
      },
      rating: true,
    },
  };
};

runSourceContract(html, [
  forumCase('a French forum thread (UTF-8)', FORUM, 'text/html; charset=utf-8'),
  forumCase('the same thread in Windows-1252, undeclared', FORUM_1252, 'text/html'),
]);

describe('html extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const FETCHED_AT = new Date('2030-01-01T00:00:00.000Z');
  const SITE = 'https://forum.conso-entraide.example';
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => FETCHED_AT,
  });
  const source = (selectors: HtmlSelectors = SELECTORS) => ({
    id: 'forum',
    kind: 'html',
    enabled: true,
    every: 60_000,
    watch: true,
    secrets: {},
    ...html.options.parse({ url: `${server.url}${THREAD}`, selectors }),
  });
  /** A page of the thread and the selectors it is read with, as the poll job hands them. */
  const raw = (
    body: Buffer | string,
    selectors: HtmlSelectors = SELECTORS,
    contentType = 'text/html; charset=utf-8',
  ): { sent: RawPage; selectors: HtmlSelectors } => ({
    sent: { body: Buffer.from(body), contentType, url: `${SITE}${THREAD}` },
    selectors,
  });
  const parse = (
    { sent, selectors }: { sent: RawPage; selectors: HtmlSelectors },
    fetchedAt = FETCHED_AT,
  ) =>
    html.parse(sent, {
      sourceId: 'forum',
      fetchedAt,
      options: { url: `${SITE}${THREAD}`, selectors },
    });
  /** The thread as the server sends it. */
  const thread: RawPage = { body: FORUM, contentType: 'text/html', url: `${SITE}${THREAD}` };
  /** A complete page holding these posts. */
  const page = (posts: string, head = ''): string =>
    `<!DOCTYPE html><html><head>${head}</head><body>${posts}</body></html>`;
  const post = (inner: string) =>
    `<article class="post"><div class="content">Un message.</div>${inner}</article>`;

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
    reply = () => ({ contentType: 'text/html; charset=utf-8', body: FORUM });
  });

  describe('the forum thread', () => {
    it('reads each post: permalink, profile, date, rating, title; skips the empty one', () => {
      const drafts = parse(raw(FORUM));

      expect(
        drafts.map((d) => ({
          externalId: d.externalId,
          author: d.author,
          publishedAt: d.publishedAt.toISOString(),
          rating: d.rating,
          title: d.title,
        })),
      ).toEqual([
        {
          externalId: `${SITE}${THREAD}#p1042`,
          author: { id: `${SITE}/membres/marie-l`, name: 'Marie L.' },
          publishedAt: '2024-03-12T08:15:00.000Z',
          rating: 2,
          title: 'Colis bloqué depuis 10 jours',
        },
        {
          externalId: `${SITE}${THREAD}#p1043`,
          author: { id: `${SITE}/membres/jp-durand`, name: 'Jean-Pierre D.' },
          publishedAt: '2024-03-12T11:42:00.000Z',
          rating: 1,
          title: undefined,
        },
        {
          externalId: `${SITE}${THREAD}#p1044`,
          author: { id: `${SITE}/membres/sophie_b`, name: 'Sophie_B' },
          publishedAt: '2024-03-14T18:02:00.000Z',
          rating: 3,
          title: undefined,
        },
        {
          externalId: `${SITE}${THREAD}#p1045`,
          author: { id: 'Modération@forum.conso-entraide.example', name: 'Modération' },
          publishedAt: '2024-03-14T19:30:00.000Z',
          rating: undefined,
          title: undefined,
        },
        {
          externalId: `${SITE}${THREAD}#p1047`,
          author: { id: `${SITE}/membres/elodie-r`, name: 'Élodie R.' },
          publishedAt: '2024-03-15T08:30:00.000Z',
          rating: 4.5,
          title: undefined,
        },
        {
          externalId: expect.stringMatching(/^[0-9a-f]{64}$/),
          author: { id: `${SITE}/membres/lucas-m`, name: 'Lucas M.' },
          publishedAt: FETCHED_AT.toISOString(),
          rating: undefined,
          title: undefined,
        },
      ]);
      expect(drafts[0]?.url).toBe(`${SITE}${THREAD}#p1042`);
      // No permalink: the thread stands for the post.
      expect(drafts[5]?.url).toBe(`${SITE}${THREAD}`);
    });

    it('turns scripts and event handlers into nothing, entities into text', () => {
      const drafts = parse(raw(FORUM));
      const all = drafts.map((d) => d.text).join('\n');

      expect(drafts[0]?.text).toBe(
        'Bonjour à tous, Ma commande du 1er mars est « en cours d’acheminement » depuis dix jours. Le suivi ColisExpress n’a pas bougé et le service client ne répond pas. Quelqu’un a eu le même problème ?',
      );
      expect(drafts[2]?.text).toBe(
        'Même souci mais le livreur a fini par passer hier soir. Colis abîmé, œufs de Pâques en miettes.',
      );
      expect(drafts[1]?.text).toContain('le remboursement & j’attends toujours…');
      expect(all).not.toMatch(/adsbygoogle|onerror|document\.cookie|evil\.example|<img|<script/);
    });

    it('reads the Windows-1252 page exactly as the UTF-8 one', () => {
      expect(FORUM_1252.includes(Buffer.from('é'))).toBe(false);
      expect(parse(raw(FORUM_1252, SELECTORS, 'text/html'))).toEqual(parse(raw(FORUM)));
      // And when the server names the charset.
      expect(parse(raw(FORUM_1252, SELECTORS, 'text/html; charset=windows-1252'))).toEqual(
        parse(raw(FORUM)),
      );
    });

    it('gives an undated post the same id from one poll to the next', () => {
      const a = parse(raw(FORUM), new Date('2030-01-01T00:00:00Z'));
      const b = parse(raw(FORUM), new Date('2030-01-01T06:00:00Z'));

      expect(a.map((d) => d.externalId)).toEqual(b.map((d) => d.externalId));
    });

    it('reads what the optional selectors leave out as absent', () => {
      const drafts = parse(raw(FORUM, { item: 'article.post', text: '.content' }));

      expect(drafts).toHaveLength(6);
      expect(drafts[0]).toMatchObject({
        author: { id: 'anonymous@forum.conso-entraide.example', name: '' },
        url: `${SITE}${THREAD}`,
        publishedAt: FETCHED_AT,
      });
      expect(drafts[0]?.externalId).toMatch(/^[0-9a-f]{64}$/);
      expect(drafts.some((d) => d.rating !== undefined || d.title !== undefined)).toBe(false);
    });
  });

  describe('what the page is', () => {
    it('refuses a page where no item matches, naming the selector', () => {
      const redesigned = page('<div class="message"><p>Nouveau thème</p></div>');

      expect(() => parse(raw(redesigned))).toThrow(SourceParseError);
      expect(() => parse(raw(redesigned))).toThrow(/no item matches "article\.post"/);
    });

    it.each([
      ['cut before its end', FORUM.subarray(0, FORUM.length - 40)],
      ['a complete error page', '<html><body><h1>502 Bad Gateway</h1></body></html>'],
      ['JSON', '{"posts":[]}'],
      ['empty', ''],
    ])('refuses a page %s with SourceParseError', (_what, body) => {
      expect(() => parse(raw(body))).toThrow(SourceParseError);
    });

    it('refuses to read a page without selectors in its options, or with unreadable ones', () => {
      const read = (options?: Record<string, unknown>) => () =>
        html.parse(thread, {
          sourceId: 'forum',
          fetchedAt: FETCHED_AT,
          ...(options ? { options } : {}),
        });

      expect(read()).toThrow(SourceParseError);
      expect(read()).toThrow(/no selectors in the source's options/);
      expect(read({ url: `${SITE}${THREAD}` })).toThrow(/no selectors/);
      expect(read({ selectors: { item: 'article[', text: '.content' } })).toThrow(SourceParseError);
      expect(read({ selectors: { item: 'article.post' } })).toThrow(/unreadable selectors/);
      expect(read({ selectors: 'article.post' })).toThrow(SourceParseError);
    });

    it('reads the page with the selectors its options hold, and only those', () => {
      const read = (selectors: Record<string, unknown>) =>
        html.parse(thread, {
          sourceId: 'forum',
          fetchedAt: FETCHED_AT,
          // The configured source's settings: the common ones are there too, and ignored.
          options: { id: 'forum', kind: 'html', enabled: true, url: `${SITE}${THREAD}`, selectors },
        });

      expect(read(SELECTORS)).toEqual(parse(raw(FORUM)));
      expect(read({ item: 'article#p1042', text: '.content' })).toHaveLength(1);
      expect(read({ item: 'article.post', text: '.subject' }).map((d) => d.text)).toEqual([
        'Colis bloqué depuis 10 jours',
      ]);
    });

    it('reads the page at its URL without a fragment', () => {
      const drafts = html.parse(
        { ...thread, url: `${SITE}${THREAD}?page=2#bottom` },
        { sourceId: 'forum', fetchedAt: FETCHED_AT, options: { selectors: SELECTORS } },
      );

      expect(drafts[0]?.externalId).toBe(`${SITE}${THREAD}#p1042`);
      // The post without a permalink stands at the page.
      expect(drafts.at(-1)?.url).toBe(`${SITE}${THREAD}?page=2`);
    });
  });

  describe('links', () => {
    const links = (posts: string, head = '') =>
      parse(raw(page(posts, head), { ...SELECTORS, link: '.permalink' })).map((d) => d.externalId);

    it('resolves links against the page, or its <base href>', () => {
      const posts = post('<a class="permalink" href="../119#p1">#</a>');

      expect(links(posts)).toEqual([`${SITE}/t/119#p1`]);
      expect(links(posts, '<base href="https://archive.example/forum/t/x/">')).toEqual([
        'https://archive.example/forum/t/119#p1',
      ]);
    });

    it('takes a link inside the matched element, and no javascript: link', () => {
      expect(links(post('<span class="permalink"><a href="/p/9">#9</a></span>'))).toEqual([
        `${SITE}/p/9`,
      ]);
      expect(links(post('<a class="permalink" href="javascript:void(0)">#</a>'))[0]).toMatch(
        /^[0-9a-f]{64}$/,
      );
    });

    it('does not take a link several posts share for their id', () => {
      const shared = '<a class="permalink" href="/t/118/repondre">Répondre</a>';
      const ids = links(
        `${post(shared).replace('Un message.', 'Premier.')}${post(shared).replace('Un message.', 'Second.')}`,
      );

      expect(ids).toHaveLength(2);
      expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
      expect(
        parse(raw(page(`${post(shared)}${post(shared).replace('Un', 'Autre')}`))).map((d) => d.url),
      ).toEqual([`${SITE}${THREAD}`, `${SITE}${THREAD}`]);
    });
  });

  describe('ratings', () => {
    it.each([
      ['<span class="note">4/5</span>', 4],
      ['<span class="note">8 sur 10</span>', 4],
      ['<span class="note">4.5 out of 5 stars</span>', 4.5],
      ['<span class="note">4,5</span>', 4.5],
      ['<span class="note" aria-label="Noté 3 étoiles sur 5">★★★</span>', 3],
      ['<meta class="note" content="5">', 5],
      ['<span class="note">0</span>', 1],
      ['<span class="note">7</span>', undefined],
      ['<span class="note">★★★</span>', undefined],
      ['<span class="note">12/10</span>', undefined],
    ])('reads %s as %s', (markup, rating) => {
      expect(parse(raw(page(post(markup))))[0]?.rating).toBe(rating);
    });
  });

  describe('dates', () => {
    it.each([
      [
        '<time class="posted" datetime="2024-03-12T09:15:00+01:00">hier</time>',
        '2024-03-12T08:15:00.000Z',
      ],
      ['<span class="posted">2024-03-12 09:15</span>', '2024-03-12T09:15:00.000Z'],
      ['<span class="posted">Le 12 mars 2024 à 09h15</span>', '2024-03-12T09:15:00.000Z'],
      ['<span class="posted">1er avril 2024</span>', '2024-04-01T00:00:00.000Z'],
      ['<span class="posted">15 août 2023, 22:05</span>', '2023-08-15T22:05:00.000Z'],
      ['<span class="posted">March 12, 2024 9:15 pm</span>', '2024-03-12T21:15:00.000Z'],
      ['<span class="posted">12/03/2024</span>', '2024-03-12T00:00:00.000Z'],
      ['<span class="posted">12.03.24 à 7:05</span>', '2024-03-12T07:05:00.000Z'],
      [
        '<abbr class="posted" title="2024-03-12T09:15:00Z">il y a 2 h</abbr>',
        '2024-03-12T09:15:00.000Z',
      ],
      ['<span class="posted">31/02/2024</span>', FETCHED_AT.toISOString()],
      ['<span class="posted">il y a 3 heures</span>', FETCHED_AT.toISOString()],
    ])('reads %s as %s', (markup, iso) => {
      expect(parse(raw(page(post(markup))))[0]?.publishedAt.toISOString()).toBe(iso);
    });
  });

  describe('options', () => {
    it('takes item and text, the other selectors optional', () => {
      expect(
        html.options.safeParse({ url: SITE, selectors: { item: 'li', text: 'p' } }).success,
      ).toBe(true);
    });

    it.each([
      [{ item: 'article[', text: '.content' }],
      [{ item: 'article' }],
      [{ item: 'article', text: '.content', body: '.x' }],
      [{ item: '', text: '.content' }],
    ])('refuses the selectors %j when the configuration loads', (selectors) => {
      expect(html.options.safeParse({ url: SITE, selectors }).success).toBe(false);
    });

    it('is polite: robots.txt, a few pages a minute, one at a time', () => {
      expect(html.politeness).toEqual({ perMinute: 6, concurrency: 1, robots: true });
      expect(html.target(source())).toBe(`${server.url}${THREAD}`);
    });
  });

  describe('requests', () => {
    it('asks the page and hands parse the page at its own URL', async () => {
      const result = await html.fetchPage(source(), {}, ctx());

      expect(server.requests.map((r) => r.url)).toEqual([THREAD]);
      expect(server.requests[0]?.headers.accept).toMatch(/^text\/html/);
      const handed = result.notModified ? undefined : result.raw;

      expect(handed?.url).toBe(`${server.url}${THREAD}`);
      expect(handed ? parse({ sent: handed, selectors: SELECTORS }) : []).toHaveLength(6);
    });

    it('sends the validators back, and reads 304 or the same bytes as nothing new', async () => {
      reply = (req) =>
        req.headers['if-none-match'] === '"f1"'
          ? { status: 304, body: '' }
          : { contentType: 'text/html', body: FORUM, headers: { ETag: '"f1"' } };
      const first = await html.fetchPage(source(), {}, ctx());
      const second = await html.fetchPage(source(), first.cursor, ctx());
      reply = () => ({ contentType: 'text/html', body: FORUM });
      const third = await html.fetchPage(source(), { digest: first.cursor.digest ?? '' }, ctx());

      expect(first.cursor).toMatchObject({
        etag: '"f1"',
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(second).toEqual({ notModified: true, cursor: first.cursor });
      expect(third.notModified).toBe(true);
    });

    it('reads the same bytes anew with other selectors', async () => {
      const first = await html.fetchPage(source(), {}, ctx());
      const other = await html.fetchPage(
        source({ item: 'article.post', text: '.content p' }),
        first.cursor,
        ctx(),
      );

      expect(other.notModified).toBe(false);
    });
  });
});
