/**
 * The conformance suite every source kind passes: `runSourceContract(adapter, cases)` in
 * `test/integration/sources/<kind>.int.test.ts`. Each case serves real recorded responses
 * (../shared/fixtures) from a local HTTP server and checks, on the adapter alone and then through
 * the real poll job into the real store:
 *
 * - the page reads as valid mentions with stable, unique ids, each with the source's own
 *   publication time, its engagement and author audience when the source gives them, and text
 *   with no markup left;
 * - malformed input (truncated, HTML where JSON was expected, empty) is a `SourceParseError`;
 * - 429 and 503 with `Retry-After` are a `SourceHttpError` carrying the wait, and the poll job
 *   leaves the source alone until then;
 * - an aborted signal stops the fetch;
 * - a poll stores the page's mentions, advances the cursor, and a second poll of the same page
 *   stores nothing.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMention } from '../../src/domain/mention.js';
import { SourceHttpError, SourceParseError } from '../../src/errors.js';
import { createPollProcessor, type PollResult } from '../../src/jobs/poll.js';
import { createLeases } from '../../src/queue/lease.js';
import {
  createHttpClient,
  describeSource,
  settingsOf,
  type SourceConfig,
} from '../../src/sources/index.js';
import {
  createTokenStore,
  type AnySourceAdapter,
  type MentionDraft,
  type RawPage,
} from '../../src/sources/_types.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startHttpServer, type RecordedRequest, type TestServer } from '../helpers/http-server.js';

/** One answer of the local server. */
export interface Reply {
  status?: number;
  contentType?: string;
  headers?: Record<string, string>;
  body: Buffer | string;
}

export interface ContractCase {
  name: string;
  /** The source's settings in sources.yaml beside `id` and `kind`, given the server's base URL. */
  settings(base: string): Record<string, unknown>;
  /** Environment variables holding its secrets. */
  env?: Record<string, string>;
  /**
   * The server's answers by path (without the query), or a function of the request. Paths not
   * listed answer 404.
   */
  routes: Record<string, Reply | ((req: RecordedRequest) => Reply)>;
  /** The route whose body `parse` reads in the checks on the adapter alone. */
  page: string;
  expect: {
    /** Mentions the page holds (after the adapter's own filtering). */
    mentions: number;
    /** The first mention, as far as the case knows it. */
    first?: {
      externalId?: string;
      publishedAt?: string;
      authorName?: string;
      url?: string;
      textContains?: string;
    };
    /** Some mention carries likes, shares or replies. */
    engagement?: boolean;
    /** Some mention carries its author's followers. */
    followers?: boolean;
    /** Some mention carries a star rating. */
    rating?: boolean;
  };
}

const FETCHED_AT = new Date('2030-01-01T00:00:00.000Z');
/**
 * HTML tags or entities left in a text: what "HTML turned into plain text" rules out. Only real
 * HTML tag names: a post about `Unmanaged<AnyObject>` says that in words.
 */
const MARKUP =
  /<\/?(a|abbr|b|blockquote|br|code|div|em|h[1-6]|i|iframe|img|li|ol|p|pre|script|span|strong|style|table|td|tr|u|ul)\b[^>]*>|&(amp|lt|gt|quot|apos|nbsp|#\d+|#x[0-9a-f]+);/i;

export function runSourceContract(adapter: AnySourceAdapter, cases: ContractCase[]): void {
  describe(`source contract: ${adapter.kind}`, () => {
    let server: TestServer;
    let app: TestApp;
    /** When set, the server answers this to everything (throttling, outages). */
    let override: Reply | undefined;
    let active: ContractCase | undefined;
    // The local server is on 127.0.0.1, which the SSRF guard lets through only when named; the
    // kind's per-host budget still counts, its waits are skipped rather than waited.
    const http = createHttpClient({
      timeoutMs: 5_000,
      maxBytes: 5 * 1024 * 1024,
      allowHosts: ['127.0.0.1'],
      sleep: async () => {},
      maxWaitMs: Number.POSITIVE_INFINITY,
    });

    beforeAll(async () => {
      server = await startHttpServer((req, res) => {
        const reply = override ?? route(active, req);
        res
          .writeHead(reply.status ?? 200, {
            ...(reply.contentType ? { 'Content-Type': reply.contentType } : {}),
            ...reply.headers,
          })
          .end(reply.body);
      });
      const env = Object.assign({}, ...cases.map((c) => c.env ?? {})) as Record<string, string>;
      app = await startTestApp({
        workers: [],
        api: false,
        env,
        extraSources: cases.map((c, i) => ({
          id: sourceId(i),
          kind: adapter.kind,
          every: 3_600_000,
          ...c.settings(server.url),
        })),
      });
      await app.rt.sources.sync(app.config.sources.map(describeSource));
    });

    afterAll(async () => {
      await app?.stop();
      await server?.close();
    });

    const sourceId = (i: number) => `contract-${adapter.kind}-${i}`;
    const configured = (i: number): SourceConfig => {
      const s = app.config.sources.find((x) => x.id === sourceId(i));
      if (!s) throw new Error(`source ${sourceId(i)} not configured`);
      return s;
    };
    const ctx = (signal = new AbortController().signal) => ({
      http,
      signal,
      tokens: createTokenStore(),
      now: () => new Date(),
    });
    const rawOf = (c: ContractCase, body?: Buffer | string): RawPage => {
      const reply = resolve(c.routes[c.page], c.page);
      return {
        body: Buffer.from(body ?? reply.body),
        contentType: reply.contentType,
        url: `${server.url}${c.page}`,
      };
    };
    const parse = (c: ContractCase, body?: Buffer | string): MentionDraft[] =>
      adapter.parse(rawOf(c, body), {
        sourceId: 'contract',
        fetchedAt: FETCHED_AT,
        // As the poll job does: the configured source's settings, never its secrets.
        options: settingsOf(configured(cases.indexOf(c))),
      });

    for (const [i, c] of cases.entries()) {
      describe(`case: ${c.name}`, () => {
        it('reads the page as valid mentions with stable, unique ids', () => {
          active = c;
          const drafts = parse(c);
          const again = parse(c);

          expect(drafts).toHaveLength(c.expect.mentions);
          expect(new Set(drafts.map((d) => d.externalId)).size).toBe(drafts.length);
          expect(again.map((d) => d.externalId)).toEqual(drafts.map((d) => d.externalId));
          for (const [j, d] of drafts.entries()) {
            // The same gate the poll job applies: a draft that fails it would be lost.
            expect(() =>
              parseMention(
                { ...d, source: 'contract', publishedAt: d.publishedAt.toISOString() },
                { now: FETCHED_AT, where: `item ${j}` },
              ),
            ).not.toThrow();
          }
        });

        it("keeps the source's own time, author, engagement and audience", () => {
          const drafts = parse(c);
          const first = drafts[0];
          const want = c.expect.first ?? {};
          // What the case knows of the first mention, compared as one object.
          const seen = {
            externalId: first?.externalId,
            publishedAt: first?.publishedAt.toISOString(),
            authorName: first?.author.name,
            url: first?.url,
            textContains:
              want.textContains && first?.text.includes(want.textContains)
                ? want.textContains
                : first?.text,
          };
          const engaged = drafts.some(
            (d) => !!d.engagement && Object.values(d.engagement).some((n) => (n ?? 0) > 0),
          );
          const has = {
            engagement: engaged,
            followers: drafts.some((d) => (d.author.followers ?? 0) > 0),
            rating: drafts.some((d) => d.rating !== undefined),
            // Nothing falls back to fetch time when the source dates its items.
            ownDates: drafts.every((d) => d.publishedAt.getTime() !== FETCHED_AT.getTime()),
          };
          const wanted = {
            engagement: c.expect.engagement ?? has.engagement,
            followers: c.expect.followers ?? has.followers,
            rating: c.expect.rating ?? has.rating,
            ownDates: want.publishedAt ? true : has.ownDates,
          };

          expect(seen).toMatchObject(want);
          expect(has).toEqual(wanted);
        });

        it('turns HTML into plain text', () => {
          const marked = parse(c)
            .flatMap((d) => [d.text, d.title ?? ''])
            .filter((text) => MARKUP.test(text));

          expect(marked).toEqual([]);
        });

        it.each([
          ['truncated', (b: Buffer) => b.subarray(0, Math.floor(b.length / 2))],
          ['an HTML error page', () => '<!doctype html><html><body><h1>502 Bad Gateway</h1>'],
          ['empty', () => ''],
        ])('refuses a page that is %s with SourceParseError', (_what, mangle) => {
          const body = Buffer.from(resolve(c.routes[c.page], c.page).body);
          let err: unknown;
          try {
            parse(c, mangle(body));
          } catch (e) {
            err = e;
          }

          expect(err).toBeInstanceOf(SourceParseError);
        });

        it.each([429, 503])('reads %i with Retry-After as a wait', async (status) => {
          active = c;
          override = { status, headers: { 'Retry-After': '7' }, body: 'slow down' };
          try {
            let err: unknown;
            try {
              await adapter.fetchPage(configured(i), {}, ctx());
            } catch (e) {
              err = e;
            }

            expect(err).toBeInstanceOf(SourceHttpError);
            expect(err).toMatchObject({ status, retryAfterMs: 7_000 });
          } finally {
            override = undefined;
          }
        });

        it('stops when its signal is aborted', async () => {
          active = c;
          const aborted = new AbortController();
          aborted.abort();

          await expect(
            adapter.fetchPage(configured(i), {}, ctx(aborted.signal)),
          ).rejects.toBeInstanceOf(Error);
        });

        it('stores the page through the poll job once, and moves its cursor', async () => {
          active = c;
          const poll = createPollProcessor({
            catalog: app.rt.catalog,
            sources: app.rt.sources,
            ...app.rt.acceptDeps,
            http,
            tokens: createTokenStore(),
            logger: app.rt.logger,
            leases: createLeases(app.rt.redis.redis, { prefix: app.config.redis.prefix }),
          });
          const job = (n: number) =>
            ({
              id: `contract-${i}-${n}`,
              queueName: `poll.${adapter.kind}`,
              attemptsMade: 0,
              data: { sourceId: sourceId(i) },
            }) as unknown as Job;

          const first = (await poll(job(1))) as PollResult & { accepted?: number };
          const state = await app.rt.sources.get(sourceId(i));
          const stored = await app.rt.mongo.db
            .collection('mentions')
            .countDocuments({ source: sourceId(i) });
          const second = (await poll(job(2))) as PollResult & { accepted?: number };
          const storedAfter = await app.rt.mongo.db
            .collection('mentions')
            .countDocuments({ source: sourceId(i) });

          expect(first.accepted).toBe(c.expect.mentions);
          expect(stored).toBe(c.expect.mentions);
          expect(state?.lastError).toBeUndefined();
          expect(Object.keys(state?.cursor ?? {}).length).toBeGreaterThan(0);
          expect(second.accepted ?? 0).toBe(0);
          expect(storedAfter).toBe(stored);
        });

        it('leaves the source alone for as long as a 429 asks', async () => {
          active = c;
          const poll = createPollProcessor({
            catalog: app.rt.catalog,
            sources: app.rt.sources,
            ...app.rt.acceptDeps,
            http,
            tokens: createTokenStore(),
            logger: app.rt.logger,
            leases: createLeases(app.rt.redis.redis, { prefix: app.config.redis.prefix }),
          });
          const job = {
            id: `contract-${i}-throttled`,
            queueName: `poll.${adapter.kind}`,
            attemptsMade: 0,
            data: { sourceId: sourceId(i) },
          } as unknown as Job;
          override = { status: 429, headers: { 'Retry-After': '120' }, body: '' };
          try {
            const before = server.requests.length;
            const throttled = await poll(job);
            const state = await app.rt.sources.get(sourceId(i));
            const asked = server.requests.length - before;
            const next = await poll(job);

            expect(throttled).toMatchObject({ skipped: 'backoff' });
            expect(state?.backoffUntil?.getTime()).toBeGreaterThan(Date.now() + 100_000);
            expect(state?.lastError?.message).toContain('429');
            expect(next).toMatchObject({ skipped: 'backoff' });
            // The second poll did not ask the site at all.
            expect(server.requests.length - before).toBe(asked);
          } finally {
            override = undefined;
          }
        });
      });
    }
  });
}

function resolve(reply: ContractCase['routes'][string] | undefined, path: string): Reply {
  if (!reply) throw new Error(`no route ${path} in the case`);
  if (typeof reply === 'function')
    return reply({ method: 'GET', url: path, headers: {}, body: '' });
  return reply;
}

function route(c: ContractCase | undefined, req: RecordedRequest): Reply {
  const path = new URL(req.url, 'http://x').pathname;
  const reply = c?.routes[path];
  if (!reply) return { status: 404, contentType: 'text/plain', body: 'not found' };
  return typeof reply === 'function' ? reply(req) : reply;
}
