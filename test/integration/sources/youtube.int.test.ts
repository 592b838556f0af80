/** YouTube comment threads through the source contract, and their key, errors and paging. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SourceHttpError, ValidationError } from '../../../src/errors.js';
import youtube, { type YouTubeOptions } from '../../../src/sources/youtube.js';
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

const JSON_TYPE = 'application/json; charset=UTF-8';
const THREADS = '/youtube/v3/commentThreads';
const KEY = 'AIzaSy-test-key-0123456789';
const VIDEO = 'aBcD3fGh1jK';
const CHANNEL = 'UCq7xK9vT2mLp4RzN8bWc3Ye';
/** Written from the API documentation (see test/fixtures/youtube/README.md). */
const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/youtube/${name}`, import.meta.url));
const PAGE = fixture('comment_threads.json');
/** The fixture, to change a comment in it. */
const editable = () =>
  JSON.parse(PAGE.toString('utf8')) as {
    items: { snippet: { topLevelComment: { snippet: Record<string, unknown> } } }[];
  };

runSourceContract(youtube, [
  {
    name: "a video's comment threads, French and English (written from the docs)",
    settings: (base) => ({ api: base, videoId: VIDEO }),
    env: { YOUTUBE_API_KEY: KEY },
    routes: { [THREADS]: { contentType: JSON_TYPE, body: PAGE } },
    page: THREADS,
    expect: {
      mentions: 4,
      first: {
        externalId: 'UgxK4pQ1rT9vYw2ZsDl4AaABAg',
        publishedAt: '2026-01-21T18:03:11.000Z',
        authorName: '@julie.martin',
        url: `https://www.youtube.com/watch?v=${VIDEO}&lc=UgxK4pQ1rT9vYw2ZsDl4AaABAg`,
        textContains: "l'appli AcmePay plante à chaque paiement",
      },
      engagement: true,
    },
  },
]);

describe('youtube extras', () => {
  let server: TestServer;
  let reply: (req: RecordedRequest) => Reply;
  const http = createHttpClient({
    timeoutMs: 5_000,
    maxBytes: 5 * 1024 * 1024,
    allowHosts: ['127.0.0.1'],
  });
  const NOW = new Date('2026-01-22T10:00:00.000Z');
  const ctx = () => ({
    http,
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => NOW,
  });
  const source = (over: Partial<YouTubeOptions> = {}): ConfiguredSource<YouTubeOptions> => ({
    id: 'yt',
    kind: 'youtube',
    enabled: true,
    every: 15 * 60_000,
    watch: true,
    api: server.url,
    secrets: { apiKey: KEY },
    ...over,
  });
  const parse = (body: Buffer | string) =>
    youtube.parse(
      {
        body: Buffer.from(body),
        contentType: JSON_TYPE,
        url: `${server.url}${THREADS}?key=***`,
      } satisfies RawPage,
      { sourceId: 'yt', fetchedAt: NOW },
    );
  const sent = (i: number) => new URL(server.requests[i]?.url ?? '/', server.url).searchParams;
  /** Everything an error would show in a log: its message and its causes' messages. */
  const shown = (err: unknown): string => {
    const parts: string[] = [];
    for (let e = err; e instanceof Error; e = e.cause) parts.push(e.message, String(e.stack));
    return parts.join('\n');
  };

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
    reply = () => ({ contentType: JSON_TYPE, body: PAGE });
  });

  describe('requests', () => {
    it("asks for a video's threads, newest first, as plain text, with its key", async () => {
      const result = await youtube.fetchPage(source({ videoId: VIDEO }), {}, ctx());

      expect(new URL(server.requests[0]?.url ?? '', server.url).pathname).toBe(THREADS);
      expect(Object.fromEntries(sent(0))).toEqual({
        part: 'snippet',
        videoId: VIDEO,
        order: 'time',
        maxResults: '100',
        textFormat: 'plainText',
        key: KEY,
      });
      expect(result.cursor).toEqual({ newest: '2026-01-21T18:03:11.000Z' });
    });

    it("asks for a channel's threads, filtered by YouTube when searchTerms is set", async () => {
      await youtube.fetchPage(source({ channelId: CHANNEL, searchTerms: 'acmepay' }), {}, ctx());

      expect(sent(0).get('allThreadsRelatedToChannelId')).toBe(CHANNEL);
      expect(sent(0).get('videoId')).toBeNull();
      expect(sent(0).get('searchTerms')).toBe('acmepay');
    });

    it('never shows its key: not in the page URL, not in the target', async () => {
      const result = await youtube.fetchPage(source({ videoId: VIDEO }), {}, ctx());

      if (result.notModified) throw new Error('expected a page');
      expect(result.raw.url).not.toContain(KEY);
      expect(result.raw.url).toContain('key=***');
      expect(youtube.target(source({ videoId: VIDEO }))).toBe(
        `comments on https://www.youtube.com/watch?v=${VIDEO}`,
      );
      expect(youtube.target(source({ channelId: CHANNEL, searchTerms: 'acme pay' }))).toBe(
        `comments on https://www.youtube.com/channel/${CHANNEL} matching "acme pay"`,
      );
    });

    it('needs exactly one of videoId and channelId, and says so without asking', async () => {
      await expect(youtube.fetchPage(source(), {}, ctx())).rejects.toThrow(ValidationError);
      await expect(
        youtube.fetchPage(source({ videoId: VIDEO, channelId: CHANNEL }), {}, ctx()),
      ).rejects.toThrow(/exactly one of videoId and channelId/);
      expect(server.requests).toHaveLength(0);
    });
  });

  describe('refusals', () => {
    it.each([
      ['error_quota_exceeded.json', /quotaExceeded/],
      ['error_comments_disabled.json', /commentsDisabled/],
    ])('turns a 403 (%s) into words, without the key', async (file, words) => {
      reply = () => ({ status: 403, contentType: JSON_TYPE, body: fixture(file) });
      const err = await youtube.fetchPage(source({ videoId: VIDEO }), {}, ctx()).catch((e) => e);

      expect(err).toBeInstanceOf(SourceHttpError);
      expect(err).toMatchObject({ status: 403 });
      expect((err as Error).message).toMatch(words);
      expect((err as Error).message).toMatch(/^yt: YouTube refused \(403\)/);
      expect(shown(err)).not.toContain(KEY);
    });

    it('names the missing video on 404 and the key on 400', async () => {
      reply = () => ({
        status: 404,
        body: '{"error":{"code":404,"errors":[{"reason":"videoNotFound"}]}}',
      });
      const missing = await youtube
        .fetchPage(source({ videoId: VIDEO }), {}, ctx())
        .catch((e) => e);
      reply = () => ({
        status: 400,
        body: '{"error":{"code":400,"errors":[{"reason":"keyInvalid"}]}}',
      });
      const badKey = await youtube.fetchPage(source({ videoId: VIDEO }), {}, ctx()).catch((e) => e);

      expect((missing as Error).message).toContain('there is no such video');
      expect((badKey as Error).message).toContain('keyInvalid');
      expect(shown(missing) + shown(badKey)).not.toContain(KEY);
    });

    it('keeps a 429 as a wait, and an unreachable API, without the key', async () => {
      reply = () => ({ status: 429, body: '' });
      const throttled = await youtube
        .fetchPage(source({ videoId: VIDEO }), {}, ctx())
        .catch((e) => e);
      const down = await youtube
        .fetchPage(source({ videoId: VIDEO, api: 'http://127.0.0.1:1' }), {}, ctx())
        .catch((e) => e);

      expect(throttled).toMatchObject({ status: 429 });
      expect(down).toBeInstanceOf(SourceHttpError);
      expect(shown(throttled) + shown(down)).not.toContain(KEY);
    });
  });

  describe('catching up after a busy interval', () => {
    it('follows nextPageToken while the page is all newer than the last comment seen', async () => {
      const gap = await youtube.fetchPage(
        source({ videoId: VIDEO }),
        { newest: '2026-01-20T00:00:00.000Z' },
        ctx(),
      );
      expect(gap.cursor).toEqual({
        newest: '2026-01-21T18:03:11.000Z',
        pageToken: 'QURTSl9pM2JqdXZpOUV3d2dBQUFBQUFBQUFBSUFBQUFBQUFBQUFBQUFBQUFB',
        until: '2026-01-20T00:00:00.000Z',
        pages: '1',
      });

      // The next page reaches back past it: back to the first page.
      const older = editable();
      older.items[0]!.snippet.topLevelComment.snippet.publishedAt = '2026-01-19T08:00:00Z';
      reply = () => ({ contentType: JSON_TYPE, body: JSON.stringify(older) });
      const back = await youtube.fetchPage(source({ videoId: VIDEO }), gap.cursor, ctx());

      expect(sent(1).get('pageToken')).toBe(gap.cursor.pageToken);
      expect(back.cursor).toEqual({ newest: '2026-01-21T18:03:11.000Z' });
    });

    it('reads only the first page on its first poll and when nothing was missed', async () => {
      const first = await youtube.fetchPage(source({ videoId: VIDEO }), {}, ctx());
      const next = await youtube.fetchPage(source({ videoId: VIDEO }), first.cursor, ctx());

      expect(first.cursor.pageToken).toBeUndefined();
      expect(next.cursor).toEqual({ newest: '2026-01-21T18:03:11.000Z' });
      expect(sent(1).get('pageToken')).toBeNull();
    });
  });

  describe('reading comments', () => {
    it('keeps the text as typed, the channel id as the author, likes and replies', () => {
      const drafts = parse(PAGE);
      const byId = new Map(drafts.map((d) => [d.externalId, d]));

      expect(byId.get('UgyT6cV3xN0mP9qL2wKs4AaABAg')?.text).toContain('R&D ou pas');
      expect(byId.get('UgzR2bW8nH5kJ7mQ1xVt4AaABAg')).toMatchObject({
        author: { id: 'UCa1B2c3D4e5F6g7H8i9J0kL', name: '@techwithsam' },
        engagement: { likes: 52, replies: 1 },
        // Its first publication, not its edit.
        publishedAt: new Date('2026-01-21T15:47:02Z'),
      });
      expect(byId.get('UgwN1mB4vC7xZ0lK3jHg4AaABAg')).toMatchObject({
        text: 'I <3 the dark mode but the app logs me out every day. Why?',
        // No channel id (a deleted or hidden channel): the name stands for the person.
        author: { id: '@ghostlyuser', name: '@ghostlyuser' },
      });
    });

    it('reads textDisplay when textOriginal is withheld, and skips empty comments', () => {
      const body = editable();
      delete body.items[0]!.snippet.topLevelComment.snippet.textOriginal;
      body.items[1]!.snippet.topLevelComment.snippet.textOriginal = '  ';
      body.items[1]!.snippet.topLevelComment.snippet.textDisplay = '';
      const drafts = parse(JSON.stringify(body));

      expect(drafts).toHaveLength(3);
      expect(drafts[0]?.text).toContain('plante à chaque paiement');
    });

    it('reads an answer with no items (a video without comments) as no mention', () => {
      expect(
        parse(
          '{"kind":"youtube#commentThreadListResponse","etag":"x","pageInfo":{"totalResults":0,"resultsPerPage":100},"items":[]}',
        ),
      ).toEqual([]);
    });
  });
});
