/** GitHub issue search through the source contract, and its watermark, token and rate limit. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceHttpError } from '../../../src/errors.js';
import github, { type GitHubOptions } from '../../../src/sources/github.js';
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
const SEARCH = '/search/issues';
const RECORDED = sharedFixture('github/octokit_search_issues.json');
const RECORDED_HEADERS = (
  JSON.parse(sharedFixture('github/octokit_search_issues.headers.json').toString('utf8')) as {
    headers: Record<string, string>;
  }
).headers;
/** Written from the REST documentation (see test/fixtures/github/README.md). */
const REACTIONS = readFileSync(
  new URL('../../fixtures/github/search_issues_reactions.json', import.meta.url),
);

runSourceContract(github, [
  {
    name: 'issues matching a search (recorded by octokit)',
    settings: (base) => ({ api: base, query: 'sesame repo:octokit-fixture-org/tmp' }),
    routes: {
      [SEARCH]: {
        contentType: JSON_TYPE,
        // Its X-RateLimit-* headers as recorded (29 of 30 left).
        headers: Object.fromEntries(
          Object.entries(RECORDED_HEADERS).filter(([k]) => /^x-ratelimit/i.test(k)),
        ),
        body: RECORDED,
      },
    },
    page: SEARCH,
    expect: {
      mentions: 2,
      first: {
        externalId: '1308970076',
        publishedAt: '2022-07-19T04:40:52.000Z',
        authorName: 'octokit-fixture-user-b',
        url: 'https://github.com/octokit-fixture-org/tmp-scenario-search-issues-20220719044045959-jlcli/issues/2',
        textContains: 'Sesame seeds split without a pop!',
      },
    },
  },
  {
    name: 'an issue with reactions, a pull request, a ghost (written from the docs)',
    settings: (base) => ({ api: base, query: 'acmepay' }),
    routes: { [SEARCH]: { contentType: JSON_TYPE, body: REACTIONS } },
    page: SEARCH,
    expect: {
      mentions: 3,
      first: {
        externalId: '2811004412',
        publishedAt: '2026-01-21T17:58:03.000Z',
        authorName: 'julie-dev',
        url: 'https://github.com/acme-corp/acmepay-android/issues/412',
        textContains: 'the confirmation screen spins forever',
      },
      engagement: true,
    },
  },
]);

describe('github extras', () => {
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
    over: Partial<GitHubOptions> & { secrets?: Record<string, string> } = {},
  ): ConfiguredSource<GitHubOptions> => ({
    id: 'gh',
    kind: 'github',
    enabled: true,
    every: 15 * 60_000,
    watch: true,
    query: 'acmepay is:issue',
    api: server.url,
    secrets: {},
    ...over,
  });
  const parse = (body: Buffer | string) =>
    github.parse(
      {
        body: Buffer.from(body),
        contentType: JSON_TYPE,
        url: `${server.url}${SEARCH}`,
      } satisfies RawPage,
      { sourceId: 'gh', fetchedAt: NOW },
    );
  const sent = (i: number) => new URL(server.requests[i]?.url ?? '/', server.url).searchParams;

  beforeAll(async () => {
    server = await startHttpServer((req, res) => {
      const r = reply(req);
      res
        .writeHead(r.status ?? 200, { 'Content-Type': r.contentType ?? JSON_TYPE, ...r.headers })
        .end(r.body);
    });
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.requests.length = 0;
    reply = () => ({ contentType: JSON_TYPE, body: REACTIONS });
  });

  describe('requests', () => {
    it('searches newest first, 100 a page, as the REST API v3, anonymously without a token', async () => {
      const result = await github.fetchPage(source(), {}, ctx());

      const req = server.requests[0];
      expect(new URL(req?.url ?? '', server.url).pathname).toBe(SEARCH);
      expect(Object.fromEntries(sent(0))).toEqual({
        q: 'acmepay is:issue',
        sort: 'created',
        order: 'desc',
        per_page: '100',
      });
      expect(req?.headers.accept).toBe('application/vnd.github+json');
      expect(req?.headers['x-github-api-version']).toBe('2022-11-28');
      expect(req?.headers['user-agent']).toMatch(/^Maillon\//);
      expect(req?.headers.authorization).toBeUndefined();
      expect(result.cursor).toEqual({ newest: '2026-01-21T17:58:03.000Z' });
    });

    it('sends its token as a Bearer, and never shows it', async () => {
      const s = source({ secrets: { token: 'ghp_secret123' } });
      await github.fetchPage(s, {}, ctx());

      expect(server.requests[0]?.headers.authorization).toBe('Bearer ghp_secret123');
      expect(github.target(s)).toBe(`${server.url}/search/issues "acmepay is:issue"`);
    });

    it('asks only for issues created since the newest seen, with half an hour of overlap', async () => {
      await github.fetchPage(source(), { newest: '2026-01-21T17:58:03.000Z' }, ctx());

      expect(sent(0).get('q')).toBe('acmepay is:issue created:>=2026-01-21T17:28:03+00:00');
    });

    it('keeps its watermark when GitHub cut the search short', async () => {
      const body = JSON.parse(REACTIONS.toString('utf8')) as Record<string, unknown>;
      reply = () => ({
        contentType: JSON_TYPE,
        body: JSON.stringify({ ...body, incomplete_results: true }),
      });
      const result = await github.fetchPage(
        source(),
        { newest: '2026-01-01T00:00:00.000Z' },
        ctx(),
      );

      expect(result.cursor).toEqual({ newest: '2026-01-01T00:00:00.000Z' });
    });

    it('starts from now when the first search finds nothing', async () => {
      reply = () => ({
        contentType: JSON_TYPE,
        body: '{"total_count":0,"incomplete_results":false,"items":[]}',
      });
      const result = await github.fetchPage(source(), {}, ctx());

      expect(result.cursor).toEqual({ newest: NOW.toISOString() });
    });
  });

  describe('rate limit', () => {
    const reset = Math.floor(NOW.getTime() / 1000) + 40;

    it('asks nothing more until X-RateLimit-Reset once X-RateLimit-Remaining is 0', async () => {
      reply = () => ({
        contentType: JSON_TYPE,
        headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) },
        body: REACTIONS,
      });
      const spent = await github.fetchPage(source(), {}, ctx());
      expect(spent.cursor).toEqual({
        newest: '2026-01-21T17:58:03.000Z',
        notBefore: new Date(reset * 1000).toISOString(),
      });

      const held = await github.fetchPage(source(), spent.cursor, ctx());
      expect(held).toEqual({ notModified: true, cursor: spent.cursor });
      expect(server.requests).toHaveLength(1);

      reply = () => ({ contentType: JSON_TYPE, body: REACTIONS });
      const later = await github.fetchPage(
        source(),
        spent.cursor,
        ctx(new Date((reset + 1) * 1000)),
      );
      expect(server.requests).toHaveLength(2);
      expect(later.cursor).toEqual({ newest: '2026-01-21T17:58:03.000Z' });
    });

    it('reads a 403 with X-RateLimit-Reset as a rate limit (429) carrying the wait', async () => {
      const resetSoon = Math.floor(Date.now() / 1000) + 60;
      reply = () => ({
        status: 403,
        headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetSoon) },
        body: '{"message":"API rate limit exceeded for 203.0.113.9.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"}',
      });
      const err = await github.fetchPage(source(), {}, ctx()).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(SourceHttpError);
      expect(err).toMatchObject({ status: 429 });
      expect((err as SourceHttpError).retryAfterMs).toBeGreaterThan(50_000);
      expect((err as SourceHttpError).retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it('leaves other refusals as they are (a bad token is 401)', async () => {
      reply = () => ({ status: 401, body: '{"message":"Bad credentials"}' });
      const err = await github
        .fetchPage(source({ secrets: { token: 'ghp_bad' } }), {}, ctx())
        .catch((e: unknown) => e);

      expect(err).toMatchObject({ status: 401 });
      expect((err as Error).message).not.toContain('ghp_bad');
    });
  });

  describe('reading issues', () => {
    it('leads with the title, keeps Markdown, drops template comments and pasted HTML', () => {
      const [issue] = parse(REACTIONS);

      expect(issue?.title).toBe('Payment stuck on confirmation screen since 4.2');
      expect(
        issue?.text.startsWith(
          'Payment stuck on confirmation screen since 4.2\n\n### Describe the bug',
        ),
      ).toBe(true);
      expect(issue?.text).toContain('Since **4.2.0** the confirmation screen spins forever.');
      expect(issue?.text).toContain('1. Call `AcmePay.confirm(intent)`');
      expect(issue?.text).not.toMatch(/<!--|Thanks for reporting|<br>|<details>|<summary>/);
      expect(issue?.text).toContain('Logs');
    });

    it('counts 👍 as likes (not 👎 or 😕) and comments as replies', () => {
      const byId = new Map(parse(REACTIONS).map((d) => [d.externalId, d]));

      // 23 👍, 1 👎, 4 👀, 2 😕: total_count would say 30.
      expect(byId.get('2811004412')?.engagement).toEqual({ likes: 23, replies: 9 });
      expect(byId.get('2809876409')?.engagement).toEqual({ likes: 5, replies: 0 });
    });

    it('keeps a pull request without a body by its title, and a deleted account as ghost', () => {
      const byId = new Map(parse(REACTIONS).map((d) => [d.externalId, d]));

      expect(byId.get('2810987411')).toMatchObject({
        text: 'Fix crash when Apple Pay sheet is dismissed',
        url: 'https://github.com/acme-corp/acmepay-android/pull/411',
        author: { id: 'dana-oneil', name: 'dana-oneil' },
      });
      expect(byId.get('2809876409')?.author).toEqual({ id: 'ghost', name: 'ghost' });
    });

    it('reads a null user as the ghost account', () => {
      const body = JSON.parse(RECORDED.toString('utf8')) as { items: Record<string, unknown>[] };
      body.items[0]!.user = null;

      expect(parse(JSON.stringify(body))[0]?.author).toEqual({ id: 'ghost', name: 'ghost' });
    });
  });
});
