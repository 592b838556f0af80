/**
 * One bench case per source kind of the registry (src/sources/index.ts): a recorded page (the
 * shared fixtures beside the repository first, else test/fixtures/<kind>/, written from the
 * sources' documentation), the source's settings given the fake site's base URL, the environment
 * its secrets come from, and what the site answers, sign-in routes included. The settings and
 * routes follow what each kind's contract test serves (test/integration/sources/<kind>.int.test.ts).
 *
 * `INGEST_CASES` is typed by the registry's kinds, so a new kind without a case fails the type
 * check; `missingCases` says the same at run time (tsx does not type-check).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../../src/devtools/mongo-dev.js';
import { SOURCE_KINDS, type SourceKind } from '../../../src/sources/index.js';
import type { Reply } from './site.js';

export interface IngestCase {
  /** The recorded page, `<folder>/<file>`: the dataset column is `<kind>/<file>`. */
  fixture: string;
  /** The source's settings in sources.yaml beside `id` and `kind`, given the site's base URL. */
  settings(base: string): Record<string, unknown>;
  /** Environment variables holding its secrets. */
  env?: Record<string, string>;
  /** The site's answers by path; the query string is ignored. */
  routes: Record<string, Reply>;
}

const SHARED = path.resolve(REPO_ROOT, '../shared/fixtures');
const LOCAL = path.join(REPO_ROOT, 'test/fixtures');

function read(root: string, relative: string): Buffer {
  const file = path.join(root, relative);
  if (!existsSync(file)) throw new Error(`bench:ingest: missing fixture ${file}`);
  return readFileSync(file);
}
const shared = (relative: string) => read(SHARED, relative);
const local = (relative: string) => read(LOCAL, relative);
// NOTE: the caller names the shape of the fixture it reads; nothing checks it but the bench.
// oxlint-disable-next-line typescript/no-unnecessary-type-parameters
const sharedJson = <T>(relative: string): T => JSON.parse(shared(relative).toString('utf8')) as T;

const JSON_TYPE = 'application/json; charset=utf-8';
const json = (body: Buffer | string, headers: Record<string, string> = {}): Reply => ({
  contentType: JSON_TYPE,
  headers,
  body,
});

/** The recorded headers of a shared fixture that match `keep`, one value each. */
function recordedHeaders(relative: string, keep: RegExp): Record<string, string> {
  const rec = sharedJson<{ headers: Record<string, string | string[]> }>(relative);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (keep.test(k) && value !== undefined) out[k] = value;
  }
  return out;
}

/** A JWT shaped as a Bluesky PDS issues them, valid until 2100 (clients do not check the signature). */
function jwt(name: string): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.parse('2100-01-01T00:00:00.000Z') / 1000);
  return `${part({ typ: 'at+jwt', alg: 'ES256K' })}.${part({
    scope: 'com.atproto.appPass',
    sub: 'did:plc:maillonbench0000000000000',
    iat: exp - 7200,
    exp,
    jti: name,
  })}.c2ln`;
}

// ----- kinds whose case needs a little preparation ---------------------------------------------

const APPSTORE_PAGE = '/us/rss/customerreviews/page=1/id=1321994487/sortby=mostrecent/json';

/** Hacker News: the recorded file holds one Algolia answer per request. */
const HN_FILE = 'hackernews/node-hacker-news-api_algolia_fixtures_2019.json';
const HN_URL = '/api/v1/search_by_date?hitsPerPage=1&tags=(comment)&query=apple';
function hnAnswer(): string {
  const found = sharedJson<{ url: string; reply: unknown }[]>(HN_FILE).find(
    (r) => r.url === HN_URL,
  );
  if (!found) throw new Error(`bench:ingest: no recorded answer for ${HN_URL} in ${HN_FILE}`);
  return JSON.stringify(found.reply);
}

/** Mastodon: the recorded public timeline cut to one account, what its statuses endpoint answers. */
const MASTODON_PUBLIC = 'mastodon/mastodonpy_public_timeline_anonymous';
function mastodonAccount(): { account: unknown; id: string; statuses: string } {
  const timeline = sharedJson<{ account: { id: string; acct: string } }[]>(
    `${MASTODON_PUBLIC}.json`,
  );
  const mine = timeline.filter((s) => s.account.acct === 'admin');
  const account = mine[0]?.account;
  if (!account) throw new Error(`bench:ingest: ${MASTODON_PUBLIC}.json has no status by admin`);
  return { account, id: account.id, statuses: JSON.stringify(mine) };
}

/** Trustpilot: the shared file holds the reviews alone; put them back where its page has them. */
const TRUSTPILOT = 'trustpilot/scrapfly_nextdata_reviews.json';
function trustpilotPage(): string {
  const reviews = sharedJson<unknown[]>(TRUSTPILOT);
  return `<!DOCTYPE html><html lang="en"><head><title>B&amp;H Reviews | Read Customer Service Reviews</title></head><body><div id="__next"></div><script id="__NEXT_DATA__" type="application/json">${JSON.stringify(
    {
      props: { pageProps: { reviews } },
      page: '/review/[businessUnit]',
      query: { businessUnit: 'www.bhphotovideo.com' },
      buildId: 'businessunitprofile-consumersite-2.1234.0',
    },
  )}</script></body></html>`;
}

const mastodon = mastodonAccount();

export const INGEST_CASES: Record<SourceKind, IngestCase> = {
  appstore: {
    fixture: 'appstore/app-reviews_customerreviews_us_json.json',
    settings: (base) => ({ appId: '1321994487', api: base }),
    routes: { [APPSTORE_PAGE]: json(shared('appstore/app-reviews_customerreviews_us_json.json')) },
  },
  bluesky: {
    fixture: 'bluesky/bskyr_searchPosts_redistricting_2025-05.json',
    settings: (base) => ({ query: 'redistricting', service: base }),
    env: {
      BLUESKY_HANDLE: 'maillon-bench.bsky.social',
      BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop',
    },
    routes: {
      '/xrpc/com.atproto.server.createSession': json(
        JSON.stringify({
          accessJwt: jwt('a'),
          refreshJwt: jwt('r'),
          handle: 'maillon-bench.bsky.social',
          did: 'did:plc:maillonbench0000000000000',
          active: true,
        }),
      ),
      '/xrpc/app.bsky.feed.searchPosts': json(
        shared('bluesky/bskyr_searchPosts_redistricting_2025-05.json'),
        recordedHeaders(
          'bluesky/bskyr_searchPosts_redistricting_2025-05.headers.json',
          /^ratelimit-/i,
        ),
      ),
    },
  },
  discourse: {
    fixture: 'discourse/xertrov_posts_latest_real.json',
    settings: (base) => ({ forum: base }),
    routes: { '/posts.json': json(shared('discourse/xertrov_posts_latest_real.json')) },
  },
  github: {
    fixture: 'github/octokit_search_issues.json',
    settings: (base) => ({ api: base, query: 'sesame repo:octokit-fixture-org/tmp' }),
    routes: {
      '/search/issues': json(
        shared('github/octokit_search_issues.json'),
        recordedHeaders('github/octokit_search_issues.headers.json', /^x-ratelimit/i),
      ),
    },
  },
  hackernews: {
    fixture: HN_FILE,
    settings: (base) => ({ api: base, query: 'apple', tags: '(comment)' }),
    routes: { '/api/v1/search_by_date': json(hnAnswer()) },
  },
  html: {
    fixture: 'html/forum-fr.html',
    settings: (base) => ({
      url: `${base}/t/livraison-en-retard/118`,
      selectors: {
        item: 'article.post',
        text: '.content',
        author: '.author',
        date: '.posted',
        link: 'a.permalink',
        rating: '.note',
        title: '.subject',
      },
    }),
    routes: {
      '/t/livraison-en-retard/118': {
        contentType: 'text/html; charset=utf-8',
        body: local('html/forum-fr.html'),
      },
    },
  },
  mastodon: {
    fixture: `${MASTODON_PUBLIC}.json`,
    settings: (base) => ({ instance: base, account: '@admin' }),
    routes: {
      '/api/v1/accounts/lookup': json(JSON.stringify(mastodon.account)),
      [`/api/v1/accounts/${mastodon.id}/statuses`]: json(
        mastodon.statuses,
        recordedHeaders(`${MASTODON_PUBLIC}.headers.json`, /^(link|x-ratelimit-)/i),
      ),
    },
  },
  reddit: {
    fixture: 'reddit/praw_subreddit_comments_listing_2023.json',
    settings: (base) => ({
      userAgentUser: 'acme_ops',
      api: base,
      auth: base,
      listing: 'comments',
      subreddit: 'acme',
    }),
    env: { REDDIT_CLIENT_ID: 'bench-client', REDDIT_CLIENT_SECRET: 'bench-secret' },
    routes: {
      '/api/v1/access_token': json(
        JSON.stringify({
          access_token: 'bench-token',
          token_type: 'bearer',
          expires_in: 86400,
          scope: '*',
        }),
      ),
      '/r/acme/comments': json(
        shared('reddit/praw_subreddit_comments_listing_2023.json'),
        recordedHeaders(
          'reddit/praw_subreddit_comments_response_headers_2023.json',
          /^x-ratelimit-/i,
        ),
      ),
    },
  },
  reviews: {
    fixture: TRUSTPILOT,
    settings: (base) => ({ url: `${base}/review/www.bhphotovideo.com` }),
    routes: {
      '/review/www.bhphotovideo.com': {
        contentType: 'text/html; charset=utf-8',
        body: trustpilotPage(),
      },
    },
  },
  rss: {
    fixture: 'rss/rss-parser_guardian.rss',
    settings: (base) => ({ url: `${base}/feed.rss` }),
    routes: {
      '/feed.rss': {
        contentType: 'application/rss+xml',
        headers: { ETag: '"guardian"' },
        body: shared('rss/rss-parser_guardian.rss'),
      },
    },
  },
  stackexchange: {
    fixture: 'stackexchange/search_advanced.json',
    settings: (base) => ({ api: base, query: 'acmepay' }),
    routes: { '/2.3/search/advanced': json(local('stackexchange/search_advanced.json')) },
  },
  youtube: {
    fixture: 'youtube/comment_threads.json',
    settings: (base) => ({ api: base, videoId: 'aBcD3fGh1jK' }),
    env: { YOUTUBE_API_KEY: 'AIzaSy-bench-key-0123456789' },
    routes: { '/youtube/v3/commentThreads': json(local('youtube/comment_threads.json')) },
  },
};

/** Registry kinds without a case, and cases of kinds the registry no longer has. */
export function missingCases(): { missing: string[]; stale: string[] } {
  // Read as the run time sees it: any string may be a key.
  const cases: Record<string, IngestCase | undefined> = INGEST_CASES;
  return {
    missing: SOURCE_KINDS.filter((k) => !(k in cases)),
    stale: Object.keys(cases).filter((k) => !(SOURCE_KINDS as string[]).includes(k)),
  };
}
