/**
 * schema.org reviews (JSON-LD, microdata) and Trustpilot's Next.js data through the source
 * contract, checked against the extraction output recorded beside each sample.
 */
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceParseError } from '../../../src/errors.js';
import reviews from '../../../src/sources/reviews.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import { createTokenStore, type RawPage } from '../../../src/sources/_types.js';
import { runSourceContract, type Reply } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

const HTML_TYPE = 'text/html; charset=utf-8';
const local = (file: string): Buffer =>
  readFileSync(new URL(`../../fixtures/reviews/${file}`, import.meta.url));
// NOTE: the caller names the shape of the fixture it reads; nothing checks it but the test.
// oxlint-disable-next-line typescript/no-unnecessary-type-parameters
const sharedJson = <T>(file: string): T => JSON.parse(sharedFixture(file).toString('utf8')) as T;

const CREATIVE_WORK = sharedFixture('jsonld/extruct_CreativeWork.001_review.html');
const LOCAL_BUSINESS = sharedFixture('jsonld/extruct_LocalBusiness.002.html');
const PRODUCT = sharedFixture('jsonld/extruct_product_microdata_aggregaterating.html');
const MICRODATA = local('schemaorg_product_microdata_reviews.html');
const FR_GRAPH = local('fr_boutique_jsonld_graph.html');

interface TrustpilotReview {
  id: string;
  title: string;
  text: string;
  rating: number;
  dates: { publishedDate: string };
  consumer: { id: string; displayName: string };
}
const TRUSTPILOT_REVIEWS = sharedJson<TrustpilotReview[]>(
  'trustpilot/scrapfly_nextdata_reviews.json',
);
/** The shared file holds the reviews alone: put them back where Trustpilot's page has them. */
const trustpilotPage = (extraHead = ''): string =>
  `<!DOCTYPE html><html lang="en"><head><title>B&amp;H Reviews | Read Customer Service Reviews</title>${extraHead}</head><body><div id="__next"></div><script id="__NEXT_DATA__" type="application/json">${JSON.stringify(
    {
      props: { pageProps: { reviews: TRUSTPILOT_REVIEWS } },
      page: '/review/[businessUnit]',
      query: { businessUnit: 'www.bhphotovideo.com' },
      buildId: 'businessunitprofile-consumersite-2.1234.0',
    },
  )}</script></body></html>`;

const html = (body: Buffer | string): Reply => ({ contentType: HTML_TYPE, body });

runSourceContract(reviews, [
  {
    name: 'JSON-LD reviews nested in a Book (extruct sample)',
    settings: (base) => ({ url: `${base}/books/catcher-in-the-rye` }),
    routes: { '/books/catcher-in-the-rye': html(CREATIVE_WORK) },
    page: '/books/catcher-in-the-rye',
    expect: {
      mentions: 2,
      first: {
        authorName: 'John Doe',
        publishedAt: '2006-05-04T00:00:00.000Z',
        textContains: 'I really enjoyed this book.',
      },
      rating: true,
    },
  },
  {
    name: "Trustpilot's page of a company (__NEXT_DATA__)",
    settings: (base) => ({ url: `${base}/review/www.bhphotovideo.com` }),
    routes: { '/review/www.bhphotovideo.com': html(trustpilotPage()) },
    page: '/review/www.bhphotovideo.com',
    expect: {
      mentions: 60,
      first: {
        externalId: '65718f1ba9549dd90f396b4a',
        authorName: 'Dean',
        publishedAt: '2023-12-07T11:23:40.000Z',
        textContains: 'The variety of products available at B&H is impressive',
      },
      rating: true,
    },
  },
  {
    name: 'microdata reviews in a Product (schema.org example)',
    settings: (base) => ({ url: `${base}/p/kenmore-17` }),
    routes: { '/p/kenmore-17': html(MICRODATA) },
    page: '/p/kenmore-17',
    expect: {
      mentions: 2,
      first: {
        authorName: 'Ellie',
        publishedAt: '2011-04-01T00:00:00.000Z',
        textContains: 'The lamp burned out and now I have to replace it.',
      },
      rating: true,
    },
  },
  {
    name: 'a French shop: one @graph, references, a 0-10 scale, a broken block',
    settings: (base) => ({ url: `${base}/avis` }),
    routes: { '/avis': html(FR_GRAPH) },
    page: '/avis',
    expect: {
      mentions: 2,
      first: {
        externalId: 'https://www.maison-laurier.example/avis#avis-5521',
        authorName: 'Nadia B.',
        publishedAt: '2024-03-11T18:42:00.000Z',
        textContains: "le service client n'a jamais répondu",
      },
      rating: true,
    },
  },
  {
    name: 'a business with only its aggregate rating (extruct microdata sample)',
    settings: (base) => ({ url: `${base}/restaurants/greatfood` }),
    routes: { '/restaurants/greatfood': html(LOCAL_BUSINESS) },
    page: '/restaurants/greatfood',
    expect: { mentions: 0 },
  },
]);

describe('reviews extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const FETCHED_AT = new Date('2030-01-01T00:00:00.000Z');
  const PAGE_URL = 'https://shop.example/p/42';
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => FETCHED_AT,
  });
  const source = () => ({
    id: 'page',
    kind: 'reviews',
    enabled: true,
    every: 60_000,
    watch: true,
    secrets: {},
    ...reviews.options.parse({ url: `${server.url}/p/42` }),
  });
  const raw = (body: Buffer | string, contentType = HTML_TYPE, url = PAGE_URL): RawPage => ({
    body: Buffer.from(body),
    contentType,
    url,
  });
  const parse = (page: RawPage) => reviews.parse(page, { sourceId: 'page', fetchedAt: FETCHED_AT });
  /** A complete page carrying these JSON-LD blocks. */
  const ldPage = (...blocks: unknown[]): string =>
    `<!DOCTYPE html><html><head>${blocks
      .map(
        (b) =>
          `<script type="application/ld+json">${typeof b === 'string' ? b : JSON.stringify(b)}</script>`,
      )
      .join('')}</head><body><h1>Produit</h1></body></html>`;
  const review = (over: Record<string, unknown> = {}) => ({
    '@context': 'https://schema.org',
    '@type': 'Review',
    author: 'Anne',
    datePublished: '2024-05-01',
    reviewBody: 'Très bien.',
    ...over,
  });

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
    reply = () => html(FR_GRAPH);
  });

  describe('the extraction outputs recorded beside the samples', () => {
    it('reads the JSON-LD reviews extruct extracts from CreativeWork.001', () => {
      const expected = sharedJson<
        {
          mainEntity: {
            review: {
              author: string;
              name: string;
              reviewBody: string;
              datePublished: string;
              reviewRating: string | { ratingValue: string };
            }[];
          };
        }[]
      >('jsonld/extruct_CreativeWork.001_review.expected.jsonld')[0]?.mainEntity.review;

      const drafts = parse(raw(CREATIVE_WORK));

      expect(expected).toHaveLength(2);
      expect(drafts).toEqual(
        (expected ?? []).map((r) =>
          expect.objectContaining({
            author: { id: `${r.author}@shop.example`, name: r.author },
            title: r.name,
            text: r.reviewBody,
            publishedAt: new Date(`${r.datePublished}T00:00:00Z`),
            rating: Number(
              typeof r.reviewRating === 'string' ? r.reviewRating : r.reviewRating.ratingValue,
            ),
            url: PAGE_URL,
          }),
        ),
      );
    });

    it('reads the one review of null_ld_mock and skips its null blocks', () => {
      // extruct's sample is a fragment of a page; here it is inside one.
      const fragment = sharedFixture('jsonld/extruct_null_ld_mock.html').toString('utf8');
      const expected = sharedJson<{ '@type': string; reviewBody?: string; name?: string }[]>(
        'jsonld/extruct_null_ld_mock.expected.jsonld',
      ).filter((n) => n['@type'] === 'Review');

      const drafts = parse(raw(`<html><body>${fragment}</body></html>`));

      expect(expected).toHaveLength(1);
      expect(drafts).toHaveLength(1);
      expect(drafts[0]?.text).toBe(expected[0]?.reviewBody);
      // `name` is empty: no title; no author: the site stands for it; no date: fetch time.
      expect(drafts[0]?.title).toBeUndefined();
      expect(drafts[0]?.author).toEqual({ id: 'anonymous@shop.example', name: '' });
      expect(drafts[0]?.publishedAt).toEqual(FETCHED_AT);
    });

    it.each([
      ['LocalBusiness.002', LOCAL_BUSINESS, 'jsonld/extruct_LocalBusiness.002.expected.json'],
      [
        'product microdata',
        PRODUCT,
        'jsonld/extruct_product_microdata_aggregaterating.expected.json',
      ],
    ])(
      'yields no mention for %s, whose items hold an aggregate and no review',
      (_n, page, file) => {
        const expected = sharedFixture(file).toString('utf8');

        expect(expected).toContain('AggregateRating');
        expect(expected).not.toMatch(/schema\.org\/Review"/);
        expect(parse(raw(page))).toEqual([]);
      },
    );
  });

  describe('JSON-LD', () => {
    it('maps the French @graph: references, 0-10 ratings, entities, language', () => {
      const drafts = parse(raw(FR_GRAPH));

      expect(drafts).toEqual([
        {
          externalId: 'https://www.maison-laurier.example/avis#avis-5521',
          url: 'https://www.maison-laurier.example/avis#avis-5521',
          author: { id: 'https://www.maison-laurier.example/clients/88', name: 'Nadia B.' },
          title: 'Colis arrivé écrasé',
          text: "Le café est bon mais le colis est arrivé écrasé et le service client n'a jamais répondu à mes deux e-mails. Dommage !",
          lang: 'fr',
          publishedAt: new Date('2024-03-11T18:42:00Z'),
          rating: 1.8,
        },
        {
          externalId: 'https://www.maison-laurier.example/avis#avis-5518',
          url: 'https://www.maison-laurier.example/avis#avis-5518',
          author: { id: 'Hugo M.@shop.example', name: 'Hugo M.' },
          text: 'Livraison en 48 h, torréfaction parfaite. Je recommande.',
          publishedAt: new Date('2024-03-09T00:00:00Z'),
          rating: 5,
        },
      ]);
    });

    it('reads an array of items and reviews in Product, Organization and LocalBusiness', () => {
      const page = ldPage([
        { '@type': 'Product', name: 'P', review: [review({ reviewBody: 'Produit A' })] },
        { '@type': 'Organization', name: 'O', review: review({ reviewBody: 'Entreprise B' }) },
        {
          '@type': 'LocalBusiness',
          name: 'L',
          review: [review({ reviewBody: 'Magasin C' }), review({ reviewBody: 'Magasin D' })],
        },
      ]);

      expect(parse(raw(page)).map((d) => d.text)).toEqual([
        'Produit A',
        'Entreprise B',
        'Magasin C',
        'Magasin D',
      ]);
    });

    it.each([
      [{ '@type': 'Rating', ratingValue: '4,5' }, 4.5],
      [{ ratingValue: 4, bestRating: '5', worstRating: '1' }, 4],
      [{ ratingValue: '8', bestRating: '10', worstRating: '0' }, 4.2],
      [{ ratingValue: 0, bestRating: 5, worstRating: 0 }, 1],
      ['3', 3],
      [5, 5],
      // Outside its own scale: the scale is unknown.
      [{ ratingValue: 8 }, undefined],
      [{ ratingValue: 'excellent' }, undefined],
    ])('normalises the rating %j to %s', (reviewRating, rating) => {
      const [draft] = parse(raw(ldPage(review({ reviewRating }))));

      expect(draft?.rating).toBe(rating);
    });

    it.each([
      ['2024-03-11T18:42:00', '2024-03-11T18:42:00.000Z'],
      ['2024-03-11 18:42', '2024-03-11T18:42:00.000Z'],
      ['2024-03-11T18:42:00+01:00', '2024-03-11T17:42:00.000Z'],
      ['2024-03-11T18:42:00Z', '2024-03-11T18:42:00.000Z'],
      ['2024-03-11', '2024-03-11T00:00:00.000Z'],
      ['March 11, 2024', '2024-03-11T00:00:00.000Z'],
    ])('reads the date %s without a zone as UTC', (datePublished, iso) => {
      const [draft] = parse(raw(ldPage(review({ datePublished }))));

      expect(draft?.publishedAt.toISOString()).toBe(iso);
    });

    it('keeps a hash id that does not change from one poll to the next', () => {
      const page = ldPage(review(), review({ author: 'Bruno' }));
      const a = parse(raw(page));
      const b = parse(raw(page));

      expect(a.map((d) => d.externalId)).toEqual(b.map((d) => d.externalId));
      expect(a[0]?.externalId).toMatch(/^[0-9a-f]{64}$/);
      expect(a[0]?.externalId).not.toBe(a[1]?.externalId);
    });

    it('does not take an id several reviews share, or the page URL, for theirs', () => {
      const page = ldPage(
        review({ url: PAGE_URL, reviewBody: 'Un' }),
        review({ url: PAGE_URL, reviewBody: 'Deux' }),
        review({ url: 'https://shop.example/avis/3', reviewBody: 'Trois' }),
      );
      const drafts = parse(raw(page));

      expect(drafts).toHaveLength(3);
      expect(drafts[0]?.externalId).toMatch(/^[0-9a-f]{64}$/);
      expect(drafts[2]?.externalId).toBe('https://shop.example/avis/3');
    });

    it('skips a malformed block when another reads, and refuses a page where none does', () => {
      expect(parse(raw(ldPage('{"@type": "Review", broken', review())))).toHaveLength(1);
      expect(() => parse(raw(ldPage('{"@type": "Review", broken')))).toThrow(SourceParseError);
    });

    it('reads a block with raw line breaks inside strings, as CMSs write them', () => {
      const block = '{"@type":"Review","author":"Anne","reviewBody":"Ligne un\nligne deux"}';

      expect(parse(raw(ldPage(block)))[0]?.text).toBe('Ligne un ligne deux');
    });
  });

  describe('microdata', () => {
    it('keeps each review to its own properties, not the product’s', () => {
      const drafts = parse(raw(MICRODATA));

      expect(drafts.map((d) => [d.author.name, d.title, d.text, d.rating])).toEqual([
        ['Ellie', 'Not a happy camper', 'The lamp burned out and now I have to replace it.', 1],
        [
          'Lucas',
          'Value purchase',
          'Great microwave for the price. It is small and fits in my apartment.',
          4,
        ],
      ]);
    });

    it('reads a Person author, reviewBody, a time element and itemid', () => {
      const page = `<!DOCTYPE html><html><body>
        <article itemscope itemtype="http://schema.org/Review" itemid="https://shop.example/avis/77">
          <div itemprop="author" itemscope itemtype="http://schema.org/Person">
            <a itemprop="url" href="/membres/claire"><span itemprop="name">Claire</span></a>
          </div>
          <time itemprop="datePublished" datetime="2024-06-02T10:00:00+02:00">2 juin</time>
          <div itemprop="reviewRating" itemscope itemtype="http://schema.org/Rating">
            <span itemprop="ratingValue" content="3">★★★</span>
          </div>
          <div itemprop="reviewBody"><p>Correct,</p><p>sans plus.</p></div>
        </article></body></html>`;

      expect(parse(raw(page))).toEqual([
        {
          externalId: 'https://shop.example/avis/77',
          url: 'https://shop.example/avis/77',
          author: { id: 'https://shop.example/membres/claire', name: 'Claire' },
          text: 'Correct, sans plus.',
          publishedAt: new Date('2024-06-02T08:00:00Z'),
          rating: 3,
        },
      ]);
    });
  });

  describe('Trustpilot', () => {
    it("maps a review: Trustpilot's permalink, the consumer, the language", () => {
      const [first] = parse(
        raw(trustpilotPage(), HTML_TYPE, 'https://fr.trustpilot.com/review/www.bhphotovideo.com'),
      );
      const want = TRUSTPILOT_REVIEWS[0];

      expect(first).toEqual({
        externalId: want?.id,
        url: `https://fr.trustpilot.com/reviews/${want?.id}`,
        author: {
          id: `https://fr.trustpilot.com/users/${want?.consumer.id}`,
          name: want?.consumer.displayName,
        },
        title: want?.title,
        text: want?.text.trim(),
        lang: 'en',
        publishedAt: new Date(want?.dates.publishedDate ?? ''),
        rating: want?.rating,
      });
    });

    it('prefers the Next.js data to the JSON-LD copy of the same reviews', () => {
      const ld = `<script type="application/ld+json">${JSON.stringify(
        review({ reviewBody: 'copy from JSON-LD' }),
      )}</script>`;
      const drafts = parse(raw(trustpilotPage(ld)));

      expect(drafts).toHaveLength(60);
      expect(drafts.some((d) => d.text === 'copy from JSON-LD')).toBe(false);
    });

    it('reads likes as engagement', () => {
      const withLikes = trustpilotPage().replace('"likes":0', '"likes":7');

      expect(parse(raw(withLikes))[0]?.engagement).toEqual({ likes: 7 });
    });

    it('falls back to JSON-LD when the Next.js data is not shaped as Trustpilot’s', () => {
      const page = `<!DOCTYPE html><html><head><script type="application/ld+json">${JSON.stringify(
        review(),
      )}</script></head><body><script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"reviews":[{"slug":"x"}]}}}</script></body></html>`;

      expect(parse(raw(page)).map((d) => d.text)).toEqual(['Très bien.']);
    });
  });

  describe('what the page is', () => {
    it.each([
      [
        'a complete error page',
        '<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>',
      ],
      [
        'a bot wall',
        '<html><head><title>Just a moment...</title></head><body><noscript>Enable JavaScript</noscript></body></html>',
      ],
      ['JSON', '{"error":"not found"}'],
      ['a page cut before its end', ldPage(review()).slice(0, -20)],
    ])('refuses %s with SourceParseError', (_what, body) => {
      expect(() => parse(raw(body))).toThrow(SourceParseError);
    });

    it('tolerates what servers append after </html>', () => {
      expect(
        parse(raw(`${ldPage(review())}\n<!-- 0.12s --><script>track()</script>`)),
      ).toHaveLength(1);
    });

    it('reads a French page in Windows-1252 without a declared charset', () => {
      const page = ldPage(
        review({
          author: 'Zoé',
          name: 'Déçue',
          reviewBody: 'Très déçue : l’œuvre coûte 15 € et arrive abîmée…',
        }),
      );
      const bytes = iconv.encode(page, 'windows-1252');
      const [draft] = parse(raw(bytes, 'text/html'));

      expect(bytes.includes(Buffer.from('é'))).toBe(false);
      expect(draft).toMatchObject({
        author: { name: 'Zoé' },
        title: 'Déçue',
        text: 'Très déçue : l’œuvre coûte 15 € et arrive abîmée…',
      });
    });

    it('reads a Windows-1252 page its meta declares', () => {
      const page = ldPage(review({ reviewBody: 'Reçu à l’heure, très satisfait.' })).replace(
        '<head>',
        '<head><meta charset="windows-1252">',
      );

      expect(parse(raw(iconv.encode(page, 'windows-1252'), 'text/html'))[0]?.text).toBe(
        'Reçu à l’heure, très satisfait.',
      );
    });
  });

  describe('requests', () => {
    it('asks for HTML, sends the validators back and reads 304 as nothing new', async () => {
      reply = (req) =>
        req.headers['if-none-match'] === '"p1"'
          ? { status: 304, body: '' }
          : {
              ...html(FR_GRAPH),
              headers: { ETag: '"p1"', 'Last-Modified': 'Mon, 11 Mar 2024 18:00:00 GMT' },
            };
      const first = await reviews.fetchPage(source(), {}, ctx());
      const second = await reviews.fetchPage(source(), first.cursor, ctx());

      expect(server.requests[0]?.headers.accept).toMatch(/^text\/html/);
      expect(first.cursor).toMatchObject({
        etag: '"p1"',
        lastModified: 'Mon, 11 Mar 2024 18:00:00 GMT',
        digest: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(server.requests[1]?.headers['if-modified-since']).toBe(
        'Mon, 11 Mar 2024 18:00:00 GMT',
      );
      expect(second).toEqual({ notModified: true, cursor: first.cursor });
    });

    it('reads an unchanged page as nothing new, a changed one anew', async () => {
      let body = FR_GRAPH.toString('utf8');
      reply = () => html(body);
      const first = await reviews.fetchPage(source(), {}, ctx());
      const same = await reviews.fetchPage(source(), first.cursor, ctx());
      body = body.replace('Je recommande.', 'Je recommande vivement.');
      const changed = await reviews.fetchPage(source(), same.cursor, ctx());

      expect(first.notModified).toBe(false);
      expect(same.notModified).toBe(true);
      expect(changed.notModified).toBe(false);
      expect(changed.cursor.digest).not.toBe(first.cursor.digest);
    });

    it('is polite: robots.txt, a few pages a minute, one at a time', () => {
      expect(reviews.politeness).toEqual({ perMinute: 6, concurrency: 1, robots: true });
      expect(reviews.secrets).toEqual({});
    });
  });
});
