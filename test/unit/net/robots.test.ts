/**
 * robots.txt as the HTTP client applies it to requests whose kind says `robots: true`, served by
 * a local server (allowed by name): RFC 9309's answers, our product token's group, Crawl-delay,
 * and one robots.txt per origin for many requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SourceHttpError } from '../../../src/errors.js';
import { createRobots, type RobotsFetch } from '../../../src/net/robots.js';
import { createHttpClient } from '../../../src/sources/_http.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

const CRAWLER = { perMinute: 30, concurrency: 1, robots: true };
const signal = () => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  return expect.unreachable('expected the request to fail');
}

describe('robots.txt through the HTTP client', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function site(robots: { status: number; body?: string }) {
    server = await startHttpServer((req, res) => {
      if (req.url === '/robots.txt') res.writeHead(robots.status).end(robots.body ?? '');
      else res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end('<rss/>');
    });
    const http = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 100_000,
      allowHosts: ['127.0.0.1'],
      sleep: async () => {},
    });
    const paths = () => (server?.requests ?? []).map((r) => r.url);
    return { server, http, paths };
  }

  it('refuses a disallowed path with a clear error, without asking for it', async () => {
    const {
      server: s,
      http,
      paths,
    } = await site({
      status: 200,
      body: 'User-agent: *\nDisallow: /private/\n',
    });

    const err = await failure(
      http.get({
        source: 'feed',
        url: `${s.url}/private/feed.xml`,
        signal: signal(),
        politeness: CRAWLER,
      }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toBe(
      `feed: GET ${s.url}/private/feed.xml not sent: ${s.url}/robots.txt disallows /private/feed.xml for Maillon`,
    );
    expect(paths()).toEqual(['/robots.txt']);
  });

  it('reads robots.txt once for many requests to its origin', async () => {
    const {
      server: s,
      http,
      paths,
    } = await site({
      status: 200,
      body: 'User-agent: *\nDisallow: /private/\n',
    });

    await http.get({
      source: 'feed',
      url: `${s.url}/a.xml`,
      signal: signal(),
      politeness: CRAWLER,
    });
    await http.get({
      source: 'feed',
      url: `${s.url}/b.xml`,
      signal: signal(),
      politeness: CRAWLER,
    });

    expect(paths()).toEqual(['/robots.txt', '/a.xml', '/b.xml']);
  });

  it('follows the group of our product token before *', async () => {
    const { server: s, http } = await site({
      status: 200,
      body: 'User-agent: *\nDisallow: /\n\nUser-agent: maillon\nAllow: /\nDisallow: /drafts/\n',
    });

    const ok = await http.get({
      source: 'f',
      url: `${s.url}/feed`,
      signal: signal(),
      politeness: CRAWLER,
    });
    const drafts = await failure(
      http.get({ source: 'f', url: `${s.url}/drafts/x`, signal: signal(), politeness: CRAWLER }),
    );

    expect(ok.status).toBe(200);
    expect(drafts.message).toContain('disallows /drafts/x for Maillon');
  });

  it('allows everything when robots.txt is missing (404)', async () => {
    const { server: s, http } = await site({ status: 404 });

    const res = await http.get({
      source: 'f',
      url: `${s.url}/feed`,
      signal: signal(),
      politeness: CRAWLER,
    });

    expect(res.status).toBe(200);
  });

  it('disallows everything for now when robots.txt answers 5xx', async () => {
    const { server: s, http, paths } = await site({ status: 503 });

    const err = await failure(
      http.get({ source: 'f', url: `${s.url}/feed`, signal: signal(), politeness: CRAWLER }),
    );

    expect(err.message).toContain(`${s.url}/robots.txt answered 503: taken as a disallow for now`);
    expect(paths()).toEqual(['/robots.txt']);
  });

  it('ignores robots.txt for kinds that do not crawl (documented APIs)', async () => {
    const {
      server: s,
      http,
      paths,
    } = await site({ status: 200, body: 'User-agent: *\nDisallow: /\n' });

    const res = await http.get({
      source: 'api',
      url: `${s.url}/api/search`,
      signal: signal(),
      politeness: { ...CRAWLER, robots: false },
    });

    expect(res.status).toBe(200);
    expect(paths()).toEqual(['/api/search']);
  });

  it('lowers the per-minute budget to honour a Crawl-delay', async () => {
    const { server: s } = await site({ status: 200, body: 'User-agent: *\nCrawl-delay: 20\n' });
    const slept: number[] = [];
    const http = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 100_000,
      allowHosts: ['127.0.0.1'],
      sleep: async (ms) => void slept.push(ms),
      maxWaitMs: 600_000,
    });

    // 60 s / 20 s: three a minute, where the kind would allow thirty.
    for (let i = 0; i < 4; i++)
      await http.get({ source: 'f', url: `${s.url}/${i}`, signal: signal(), politeness: CRAWLER });

    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(55_000);
  });
});

describe('createRobots', () => {
  const robotsOf = (
    answers: (() => Promise<{ status: number; body: string }>)[],
    at = { t: 0 },
  ) => {
    const asked: string[] = [];
    const fetch: RobotsFetch = async (url) => {
      asked.push(url);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      const a = await next();
      return { status: a.status, body: Buffer.from(a.body) };
    };
    return {
      asked,
      robots: createRobots({ fetch, userAgent: 'Maillon', now: () => at.t, retryMs: 60_000 }),
    };
  };

  it('reads robots.txt again after a day', async () => {
    const at = { t: 0 };
    const { robots, asked } = robotsOf(
      [
        async () => ({ status: 200, body: 'User-agent: *\nDisallow:\n' }),
        async () => ({ status: 200, body: 'User-agent: *\nDisallow: /\n' }),
      ],
      at,
    );

    const first = await robots.check('https://site.example/feed', signal());
    at.t = 23 * 3_600_000;
    const cached = await robots.check('https://site.example/feed', signal());
    at.t = 25 * 3_600_000;
    const fresh = await robots.check('https://site.example/feed', signal());

    expect(first.allowed).toBe(true);
    expect(cached.allowed).toBe(true);
    expect(fresh.allowed).toBe(false);
    expect(asked).toEqual(['https://site.example/robots.txt', 'https://site.example/robots.txt']);
  });

  it('takes an unreachable robots.txt as a disallow, and asks again after a while', async () => {
    const at = { t: 0 };
    const { robots, asked } = robotsOf(
      [
        async () => Promise.reject(new Error('connect ECONNREFUSED')),
        async () => ({ status: 404, body: '' }),
      ],
      at,
    );

    const down = await robots.check('https://site.example/feed', signal());
    at.t = 30_000;
    const still = await robots.check('https://site.example/feed', signal());
    at.t = 61_000;
    const back = await robots.check('https://site.example/feed', signal());

    expect(down).toMatchObject({ allowed: false });
    expect(!down.allowed && down.reason).toContain('could not be read (connect ECONNREFUSED)');
    expect(still.allowed).toBe(false);
    expect(back.allowed).toBe(true);
    expect(asked).toHaveLength(2);
  });

  it('keeps the rules it read while robots.txt cannot be read again', async () => {
    const at = { t: 0 };
    const { robots } = robotsOf(
      [
        async () => ({ status: 200, body: 'User-agent: *\nDisallow: /private\n' }),
        async () => ({ status: 500, body: '' }),
      ],
      at,
    );

    await robots.check('https://site.example/feed', signal());
    at.t = 25 * 3_600_000;
    const feed = await robots.check('https://site.example/feed', signal());
    const hidden = await robots.check('https://site.example/private', signal());

    expect(feed.allowed).toBe(true);
    expect(hidden.allowed).toBe(false);
  });

  it('asks once for requests that arrive together', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { robots, asked } = robotsOf([
      async () => {
        await gate;
        return { status: 404, body: '' };
      },
    ]);

    const both = Promise.all([
      robots.check('https://site.example/a', signal()),
      robots.check('https://site.example/b', signal()),
    ]);
    release();

    expect((await both).map((v) => v.allowed)).toEqual([true, true]);
    expect(asked).toHaveLength(1);
  });
});
