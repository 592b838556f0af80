import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceHttpError, SourceParseError } from '../../../src/errors.js';
import {
  createHttpClient,
  MAX_REDIRECTS,
  retryAfterMs,
  USER_AGENT,
  withPoliteness,
  type HttpClient,
} from '../../../src/sources/_http.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

// A whole second, so that HTTP dates (second precision) land exactly.
const NOW = Date.UTC(2026, 0, 2, 10, 0, 0);

describe('retryAfterMs', () => {
  it('reads Retry-After in seconds', () => {
    expect(retryAfterMs({ 'retry-after': '7' }, NOW)).toBe(7000);
    expect(retryAfterMs({ 'retry-after': ' 120 ' }, NOW)).toBe(120_000);
    expect(retryAfterMs({ 'retry-after': '0' }, NOW)).toBe(0);
  });

  it('reads Retry-After as an HTTP date', () => {
    const at = new Date(NOW + 90_000).toUTCString();

    expect(retryAfterMs({ 'retry-after': at }, NOW)).toBe(90_000);
  });

  it('never returns a negative wait for a date in the past', () => {
    expect(retryAfterMs({ 'retry-after': new Date(NOW - 60_000).toUTCString() }, NOW)).toBe(0);
    expect(retryAfterMs({ 'x-ratelimit-reset': String(NOW / 1000 - 60) }, NOW)).toBe(0);
  });

  it('reads X-RateLimit-Reset as epoch seconds', () => {
    expect(retryAfterMs({ 'x-ratelimit-reset': String(NOW / 1000 + 30) }, NOW)).toBe(30_000);
  });

  it('reads RateLimit-Reset as a small delay in seconds', () => {
    expect(retryAfterMs({ 'ratelimit-reset': '12' }, NOW)).toBe(12_000);
    // Reddit sends fractional seconds.
    expect(retryAfterMs({ 'x-ratelimit-reset': '1.5' }, NOW)).toBe(1500);
  });

  it('reads X-RateLimit-Reset as an ISO date, as Mastodon sends it', () => {
    const at = new Date(NOW + 300_000).toISOString();

    expect(retryAfterMs({ 'x-ratelimit-reset': at }, NOW)).toBe(300_000);
  });

  it('prefers Retry-After over the rate-limit reset', () => {
    expect(
      retryAfterMs({ 'retry-after': '5', 'x-ratelimit-reset': String(NOW / 1000 + 600) }, NOW),
    ).toBe(5000);
  });

  it('falls back to the reset when Retry-After cannot be read', () => {
    expect(retryAfterMs({ 'retry-after': 'soon', 'ratelimit-reset': '3' }, NOW)).toBe(3000);
  });

  it('is undefined when the site did not say', () => {
    expect(retryAfterMs({}, NOW)).toBeUndefined();
    expect(
      retryAfterMs({ 'content-type': 'text/html', 'retry-after': undefined }, NOW),
    ).toBeUndefined();
    expect(retryAfterMs({ 'retry-after': '', 'x-ratelimit-reset': 'never' }, NOW)).toBeUndefined();
  });
});

describe('createHttpClient', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const LOCAL = ['127.0.0.1'];
  const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });
  const signal = () => new AbortController().signal;

  /** Runs `p` expecting a rejection, and returns the reason. */
  async function rejectionOf(p: Promise<unknown>): Promise<unknown> {
    try {
      await p;
    } catch (err) {
      return err;
    }
    return expect.unreachable('expected the request to fail');
  }

  it('resolves 2xx answers with the body, lower-case headers and the URL', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Thing': 'a' }).end('hello');
    });

    const res = await http.get({ source: 's', url: `${server.url}/x?q=1`, signal: signal() });

    expect(res.status).toBe(200);
    expect(res.body.toString('utf8')).toBe('hello');
    expect(res.headers['x-thing']).toBe('a');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.url).toBe(`${server.url}/x?q=1`);
  });

  it('names the product in the User-Agent and passes the request headers', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });

    await http.get({
      source: 's',
      url: `${server.url}/`,
      headers: { 'If-None-Match': '"abc"' },
      signal: signal(),
    });

    const ua = server.requests[0]?.headers['user-agent'];
    expect(ua).toBe(USER_AGENT);
    expect(ua?.startsWith('Maillon/')).toBe(true);
    expect(server.requests[0]?.headers['if-none-match']).toBe('"abc"');
  });

  it('resolves 304 rather than throwing', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(304).end();
    });

    const res = await http.get({ source: 's', url: `${server.url}/`, signal: signal() });

    expect(res.status).toBe(304);
    expect(res.body.length).toBe(0);
  });

  it('turns 429 into SourceHttpError with the wait asked for', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(429, { 'Retry-After': '7' }).end('slow down');
    });

    const err = await rejectionOf(
      http.get({ source: 'busy-site', url: `${server.url}/feed`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({
      source: 'busy-site',
      status: 429,
      retryAfterMs: 7000,
      code: 'source_http',
    });
    expect((err as SourceHttpError).message).toMatch(/^busy-site: /);
  });

  it('turns 500 into SourceHttpError with that status', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(500).end('boom');
    });

    const err = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 500, retryAfterMs: undefined });
  });

  it('keeps an error page out of the error, but a JSON error code in it', async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/page') res.writeHead(503).end('<h1>internal admin</h1>' + 'x'.repeat(900));
      else
        res
          .writeHead(400, { 'Content-Type': 'application/json' })
          .end('{"error":"ExpiredToken","message":"Token has expired"}');
    });

    const page = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/page`, signal: signal() }),
    );
    const api = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/api`, signal: signal() }),
    );

    expect((page as SourceHttpError).body).toBeUndefined();
    expect((page as SourceHttpError).message).not.toContain('internal');
    expect((api as SourceHttpError).body).toBe('ExpiredToken');
  });

  it('shows no credential of a URL in its errors', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(500).end();
    });
    const url = `${server.url.replace('http://', 'http://user:hunter2@')}/feed?token=s3cret&q=acme`;

    const err = await rejectionOf(http.get({ source: 's', url, signal: signal() }));

    expect((err as SourceHttpError).message).not.toMatch(/hunter2|s3cret/);
    expect((err as SourceHttpError).message).toContain('q=acme');
  });

  it('refuses a body larger than maxBytes with SourceParseError', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' }).end('<a>'.repeat(1000));
    });

    const err = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceParseError);
    expect((err as SourceParseError).message).toContain('1000 bytes');
  });

  it('refuses an oversized body sent in chunks without a Content-Length', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/xml' });
      for (let i = 0; i < 20; i++) res.write('x'.repeat(100));
      res.end();
    });

    const err = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceParseError);
  });

  it('stops promptly when the signal aborts a request the server never answers', async () => {
    server = await startHttpServer(() => {
      // Never answers.
    });
    const slow = createHttpClient({ timeoutMs: 30_000, maxBytes: 1000, allowHosts: LOCAL });
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);

    const err = await rejectionOf(
      slow.get({ source: 's', url: `${server.url}/`, signal: controller.signal }),
    );

    expect(Date.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as SourceHttpError).status).toBeUndefined();
  });

  it('does not even start with a signal that is already aborted', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });

    const err = await rejectionOf(
      http.get({ source: 's', url: `${server.url}/`, signal: AbortSignal.abort() }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(server.requests).toHaveLength(0);
  });

  it('turns a timeout into SourceHttpError without a status', async () => {
    server = await startHttpServer(() => {
      // Never answers.
    });
    const impatient = createHttpClient({ timeoutMs: 150, maxBytes: 1000, allowHosts: LOCAL });
    const started = Date.now();

    const err = await rejectionOf(
      impatient.get({ source: 's', url: `${server.url}/`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as SourceHttpError).status).toBeUndefined();
    expect((err as SourceHttpError).message).toMatch(/timeout/i);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('turns a refused connection into SourceHttpError without a status', async () => {
    server = await startHttpServer(() => {});
    const url = `${server.url}/`;
    await server.close();
    server = undefined;

    const err = await rejectionOf(http.get({ source: 's', url, signal: signal() }));

    expect(err).toBeInstanceOf(SourceHttpError);
    expect((err as SourceHttpError).status).toBeUndefined();
    expect((err as SourceHttpError).cause).toBeDefined();
  });
});

/** Runs `p` expecting a rejection, and returns the reason. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  return expect.unreachable('expected the request to fail');
}

describe('createHttpClient: hostile answers', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const LOCAL = ['127.0.0.1'];
  const signal = () => new AbortController().signal;

  it('reads a gzip body decompressed', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('hello, zipped'));
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });

    const res = await http.get({ source: 's', url: `${server.url}/`, signal: signal() });

    expect(res.body.toString('utf8')).toBe('hello, zipped');
  });

  it('counts the size limit after decompression: a small gzip that inflates past it is refused', async () => {
    const bomb = gzipSync(Buffer.alloc(1_000_000));
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': bomb.length }).end(bomb);
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });

    const err = await failure(http.get({ source: 's', url: `${server.url}/`, signal: signal() }));

    expect(bomb.length).toBeLessThan(1000 * 2);
    expect(err).toBeInstanceOf(SourceParseError);
    expect(err.message).toBe('s: response larger than 1000 bytes');
  });

  it('refuses a gzip bomb of a gigabyte at once, without inflating it', async () => {
    // 100 gzip members of 10 MB of zeros each: about 1 MB that inflates to 1 GB.
    const member = gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 100 }, () => member));
    server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(bomb);
    });
    const http = createHttpClient({ timeoutMs: 5000, maxBytes: 5_000_000, allowHosts: LOCAL });
    const before = process.memoryUsage().rss;
    const started = Date.now();

    const err = await failure(http.get({ source: 's', url: `${server.url}/`, signal: signal() }));

    expect(err).toBeInstanceOf(SourceParseError);
    expect(err.message).toContain('larger than 5000000 bytes');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('refuses a 20 MB body', async () => {
    server = await startHttpServer((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/xml' })
        .end(Buffer.alloc(20 * 2 ** 20, 'a'));
    });
    const http = createHttpClient({ timeoutMs: 5000, maxBytes: 5 * 2 ** 20, allowHosts: LOCAL });

    const err = await failure(http.get({ source: 's', url: `${server.url}/`, signal: signal() }));

    expect(err).toBeInstanceOf(SourceParseError);
    expect(err.message).toContain(`larger than ${5 * 2 ** 20} bytes`);
  });

  it(`follows up to ${MAX_REDIRECTS} redirects, and says so past them`, async () => {
    server = await startHttpServer((req, res) => {
      const n = Number(/\/hop\/(\d+)/.exec(req.url)?.[1] ?? 0);
      if (n < Number(/limit=(\d+)/.exec(req.url)?.[1])) {
        res.writeHead(302, { Location: `/hop/${n + 1}?${req.url.split('?')[1]}` }).end();
      } else res.writeHead(200).end(`arrived after ${n}`);
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });

    const ok = await http.get({
      source: 's',
      url: `${server.url}/hop/0?limit=${MAX_REDIRECTS}`,
      signal: signal(),
    });
    const tooMany = await failure(
      http.get({ source: 's', url: `${server.url}/hop/0?limit=9`, signal: signal() }),
    );

    expect(ok.body.toString()).toBe(`arrived after ${MAX_REDIRECTS}`);
    expect(tooMany).toBeInstanceOf(SourceHttpError);
    expect(tooMany.message).toContain(`more than ${MAX_REDIRECTS} redirects`);
  });

  it('calls a redirect loop a redirect loop', async () => {
    server = await startHttpServer((req, res) => {
      res.writeHead(301, { Location: req.url === '/a' ? '/b' : '/a' }).end();
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });

    const err = await failure(http.get({ source: 's', url: `${server.url}/a`, signal: signal() }));

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toBe(
      `s: GET ${server.url}/a failed: redirect loop back to ${server.url}/a`,
    );
    expect(server.requests).toHaveLength(2);
  });

  it.each([
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['localhost', 'http://localhost:9/', 'this machine'],
    ['[::1]', 'http://[::1]:9/', 'loopback'],
    // 127.0.0.2: the allow-list names 127.0.0.1 (in any spelling) and nothing else.
    ['0x7f000002', 'http://0x7f000002:9/', '127.0.0.2 is a loopback'],
    ['a private address', 'http://10.1.2.3/admin', 'private'],
    ['another scheme', 'file:///etc/passwd', 'file: URLs are not fetched'],
  ])('refuses a redirect to %s, on the hop, without a request', async (_what, to, why) => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(302, { Location: to }).end();
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });

    const err = await failure(http.get({ source: 's', url: `${server.url}/`, signal: signal() }));

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toMatch(/refused: redirect to /);
    expect(err.message).toContain(why);
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    server = await startHttpServer((req, res) => {
      if (req.url === '/') res.writeHead(302, { Location: 'http://intranet.example/' }).end();
      else res.writeHead(200).end('internal');
    });
    const http = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 1000,
      allowHosts: LOCAL,
      resolve: async () => [{ address: '192.168.0.10', family: 4 }],
    });

    const err = await failure(http.get({ source: 's', url: `${server.url}/`, signal: signal() }));

    expect(err.message).toContain('intranet.example resolves to 192.168.0.10, a private address');
  });

  it('refuses a name that resolves to this machine, though 127.0.0.1 is allowed', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('internal');
    });
    const port = new URL(server.url).port;
    const http = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 1000,
      allowHosts: LOCAL,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
    });

    const err = await failure(
      http.get({ source: 's', url: `http://rebound.example:${port}/`, signal: signal() }),
    );

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err.message).toContain('rebound.example resolves to 127.0.0.1, a loopback address');
    expect(server.requests).toHaveLength(0);
  });

  it('keeps credentials and headers out of what a logged error carries', async () => {
    server = await startHttpServer((req, res) => {
      // Drops the connection: the error is axios's own, with its config.
      if (req.headers.authorization) res.socket?.destroy();
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: LOCAL });
    const lines: string[] = [];
    const log = pino({}, { write: (l: string) => void lines.push(l) });
    const url = `${server.url.replace('http://', 'http://me:hunter2@')}/feed?token=s3cret&q=acme`;

    const err = await failure(
      http.get({
        source: 's',
        url,
        headers: { Authorization: 'Bearer tok-123' },
        signal: signal(),
      }),
    );
    log.warn({ err }, 'poll failed');

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(lines.join('\n')).toContain('q=acme');
    expect(lines.join('\n')).not.toMatch(/hunter2|s3cret|tok-123/);
    expect(JSON.stringify(err.cause)).not.toMatch(/hunter2|s3cret|tok-123/);
    expect(Object.keys(err.cause as object)).not.toContain('config');
  });
});

describe('createHttpClient: politeness', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const signal = () => new AbortController().signal;
  const polite = { perMinute: 2, concurrency: 1, robots: false };

  it('applies a kind politeness given through withPoliteness, and spends no real time', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });
    const slept: number[] = [];
    const http: HttpClient = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 1000,
      allowHosts: ['127.0.0.1'],
      sleep: async (ms) => void slept.push(ms),
      maxWaitMs: 120_000,
    });
    const polled = withPoliteness(http, polite);
    const started = Date.now();

    for (let i = 0; i < 3; i++)
      await polled.get({ source: 's', url: `${server.url}/${i}`, signal: signal() });

    // The third waited out the minute of the first two, on the client's skipped clock.
    expect(slept).toHaveLength(1);
    expect(slept[0]).toBeGreaterThan(55_000);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.requests).toHaveLength(3);
  });

  it('answers a long wait with a 429 of its own that names the host', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });
    const http = createHttpClient({
      timeoutMs: 2000,
      maxBytes: 1000,
      allowHosts: ['127.0.0.1'],
      sleep: async () => {},
    });
    const get = () =>
      http.get({ source: 's', url: `${server?.url}/`, signal: signal(), politeness: polite });

    await get();
    await get();
    const err = await failure(get());

    expect(err).toBeInstanceOf(SourceHttpError);
    expect(err).toMatchObject({ status: 429 });
    expect((err as SourceHttpError).retryAfterMs).toBeGreaterThan(55_000);
    expect(err.message).toContain(`${new URL(server.url).host}: 2 requests in 60 s already sent`);
    expect(server.requests).toHaveLength(2);
  });

  it('does not limit requests without politeness', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(200).end('ok');
    });
    const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000, allowHosts: ['127.0.0.1'] });

    for (let i = 0; i < 5; i++)
      await http.get({ source: 's', url: `${server.url}/`, signal: signal() });

    expect(server.requests).toHaveLength(5);
  });
});
