import { afterEach, describe, expect, it } from 'vitest';
import { SourceHttpError, SourceParseError } from '../../../src/errors.js';
import { createHttpClient, retryAfterMs, USER_AGENT } from '../../../src/sources/_http.js';
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

  const http = createHttpClient({ timeoutMs: 2000, maxBytes: 1000 });
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
    const slow = createHttpClient({ timeoutMs: 30_000, maxBytes: 1000 });
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
    const impatient = createHttpClient({ timeoutMs: 150, maxBytes: 1000 });
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
