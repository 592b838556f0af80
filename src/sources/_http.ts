/**
 * The one HTTP helper every source adapter uses (adapters never call axios themselves): a
 * User-Agent that names the product, a timeout, a size limit that also holds after
 * decompression, cancellation, and one error type that carries the status and how long the site
 * asked us to wait. Underneath, for every source alike (src/net/):
 *
 * - the SSRF guard: no loopback, private, link-local or metadata address, checked after DNS
 *   resolution and on every redirect hop (at most 5, a loop is an error), unless the
 *   configuration allows the host (`HTTP_ALLOW_HOSTS`);
 * - per-host politeness when the request carries its kind's `politeness` (the poll job adds it,
 *   `withPoliteness`): robots.txt, and a rate and concurrency budget per host shared by every
 *   worker process through Redis.
 */
import axios, { type AxiosInstance } from 'axios';
import type { Redis } from 'ioredis';
import { SourceHttpError, SourceParseError } from '../errors.js';
import { budgetOf, createHostLimits, HostBusyError, type HostPolicy } from '../net/host-limits.js';
import { redactText, redactUrl } from '../net/redact.js';
import { createRobots, type RobotsAnswer } from '../net/robots.js';
import { BlockedAddressError, createSsrfGuard, type Resolver } from '../net/ssrf.js';

export { redactText, redactUrl };

/** Our product token, matched against robots.txt groups. */
export const PRODUCT_TOKEN = 'Maillon';
export const USER_AGENT = `${PRODUCT_TOKEN}/0.1 (word-of-mouth monitor; +https://github.com/maillon/maillon)`;

/** Redirects followed at most, each through the SSRF guard. */
export const MAX_REDIRECTS = 5;

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  body: Buffer;
  url: string;
}

export interface HttpRequest {
  /** Names the source in errors. */
  source: string;
  url: string;
  headers?: Record<string, string>;
  signal: AbortSignal;
  /**
   * The kind's politeness towards the host (robots.txt, rate, concurrency). The poll job sets it
   * from the adapter (`withPoliteness`); requests without it are not limited.
   */
  politeness?: HostPolicy;
}

export interface HttpPostRequest extends HttpRequest {
  /** Sent as is; set its Content-Type in `headers`. */
  body: string;
}

export interface HttpClient {
  /** GET; resolves on 2xx and 304, throws `SourceHttpError` on anything else. */
  get(req: HttpRequest): Promise<HttpResponse>;
  /** POST (a token or a session, never a mention); resolves on 2xx only. */
  post(req: HttpPostRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  timeoutMs: number;
  /** Largest body accepted, counted after decompression. */
  maxBytes: number;
  /**
   * Hosts (`host` or `host:port`) the SSRF guard lets through although they are not public:
   * the tests' and the demo's 127.0.0.1, an intranet feed. Matched as written in the URL.
   */
  allowHosts?: readonly string[];
  /** Shares the per-host budgets between processes; without it they hold in this process. */
  redis?: Redis;
  /** The installation's Redis key prefix (QUEUE_PREFIX). */
  prefix?: string;
  /** The longest wait for a host's budget before a 429 of our own. @default 10 s */
  maxWaitMs?: number;
  /**
   * Replaces waiting for a host's budget (tests). Without `now`, the client's clock then moves
   * on by each wait, as if it had passed: budgets still count, no time is spent.
   */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => number;
  /** Resolves host names (tests: no DNS). */
  resolve?: Resolver;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const guard = createSsrfGuard({
    ...(opts.allowHosts ? { allowHosts: opts.allowHosts } : {}),
    ...(opts.resolve ? { resolve: opts.resolve } : {}),
  });
  const client: AxiosInstance = axios.create({
    timeout: opts.timeoutMs,
    maxContentLength: opts.maxBytes,
    maxRedirects: MAX_REDIRECTS,
    responseType: 'arraybuffer',
    validateStatus: () => true,
    headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'gzip, deflate, br' },
    httpAgent: guard.httpAgent,
    httpsAgent: guard.httpsAgent,
    // The guard checks the address connected to: through a proxy, that would be the proxy's.
    proxy: false,
  });

  let skipped = 0;
  const now = opts.now ?? (opts.sleep ? () => Date.now() + skipped : Date.now);
  const injectedSleep = opts.sleep;
  const limits = createHostLimits({
    ...(opts.redis ? { redis: opts.redis } : {}),
    ...(opts.prefix ? { prefix: opts.prefix } : {}),
    // Longer than a request may last, robots.txt included.
    slotTtlMs: 2 * opts.timeoutMs + 5_000,
    maxWaitMs: opts.maxWaitMs ?? 10_000,
    now,
    ...(injectedSleep
      ? {
          sleep: async (ms: number, signal: AbortSignal) => {
            await injectedSleep(ms, signal);
            if (!opts.now) skipped += ms;
          },
        }
      : {}),
  });
  const robots = createRobots({
    userAgent: PRODUCT_TOKEN,
    now,
    fetch: async (url, signal): Promise<RobotsAnswer> => {
      try {
        const res = await request('GET', { source: 'robots.txt', url, signal });
        return { status: res.status, body: res.body };
      } catch (err) {
        if (err instanceof SourceHttpError && err.status !== undefined)
          return { status: err.status, body: Buffer.alloc(0) };
        throw err;
      }
    },
  });

  async function send(
    method: 'GET' | 'POST',
    req: HttpRequest & { body?: string },
  ): Promise<HttpResponse> {
    const shown = redactUrl(req.url);
    try {
      guard.checkUrl(req.url);
    } catch (err) {
      throw refused(req.source, method, shown, err);
    }
    const policy = req.politeness;
    if (!policy) return request(method, req);

    let crawlDelayMs: number | undefined;
    if (policy.robots) {
      const verdict = await robots.check(req.url, req.signal);
      if (!verdict.allowed)
        throw new SourceHttpError(req.source, `${method} ${shown} not sent: ${verdict.reason}`);
      crawlDelayMs = verdict.crawlDelayMs;
    }
    let release: () => Promise<void>;
    try {
      release = await limits.acquire(
        new URL(req.url).host,
        budgetOf(policy, crawlDelayMs),
        req.signal,
      );
    } catch (err) {
      if (!(err instanceof HostBusyError)) throw err;
      throw new SourceHttpError(req.source, `${method} ${shown} not sent: ${err.message}`, {
        status: 429,
        retryAfterMs: err.retryAfterMs,
        cause: err,
      });
    }
    try {
      return await request(method, req);
    } finally {
      await release();
    }
  }

  /** One request through the guarded agents, redirects checked hop by hop. */
  async function request(
    method: 'GET' | 'POST',
    req: HttpRequest & { body?: string },
  ): Promise<HttpResponse> {
    const shown = redactUrl(req.url);
    const seen = new Set([new URL(req.url).href]);
    let res;
    try {
      res = await client.request<ArrayBuffer>({
        method,
        url: req.url,
        headers: req.headers,
        signal: req.signal,
        beforeRedirect: (options: Record<string, unknown>) => {
          const href = String(options.href);
          if (seen.has(href))
            throw new RedirectLoopError(`redirect loop back to ${redactUrl(href)}`);
          seen.add(href);
          try {
            guard.checkUrl(href);
          } catch (err) {
            throw new BlockedAddressError(
              `redirect to ${redactUrl(href)}: ${err instanceof Error ? err.message : String(err)}`,
            );
          }
        },
        ...(req.body !== undefined
          ? { data: req.body, transformRequest: [(d: unknown) => d] }
          : {}),
      });
    } catch (err) {
      if (causeOf(err, (e) => /maxContentLength/.test(e.message))) {
        throw new SourceParseError(req.source, `response larger than ${opts.maxBytes} bytes`, err);
      }
      const blocked = causeOf(err, (e) => e instanceof BlockedAddressError);
      if (blocked) throw refused(req.source, method, shown, blocked);
      const loop = causeOf(err, (e) => e instanceof RedirectLoopError);
      if (loop) throw new SourceHttpError(req.source, `${method} ${shown} failed: ${loop.message}`);
      if (causeOf(err, (e) => (e as { code?: unknown }).code === 'ERR_FR_TOO_MANY_REDIRECTS')) {
        throw new SourceHttpError(
          req.source,
          `${method} ${shown} failed: more than ${MAX_REDIRECTS} redirects`,
          { cause: err },
        );
      }
      const why = err instanceof Error ? redactText(err.message) : String(err);
      throw new SourceHttpError(req.source, `${method} ${shown} failed: ${why}`, { cause: err });
    }
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      headers[k.toLowerCase()] = Array.isArray(v)
        ? v.join(', ')
        : v == null
          ? undefined
          : String(v);
    }
    const body = Buffer.from(res.data);
    if ((res.status >= 200 && res.status < 300) || (method === 'GET' && res.status === 304)) {
      return { status: res.status, headers, body, url: req.url };
    }
    // The body of an error stays out of messages and logs: an internal host's error page, or a
    // token echoed back, is not ours to spread. Its JSON `error` code, if short, is kept.
    throw new SourceHttpError(req.source, `${method} ${shown} answered ${res.status}`, {
      status: res.status,
      retryAfterMs: retryAfterMs(headers),
      body: errorCode(body),
    });
  }

  return {
    get: (req) => send('GET', req),
    post: (req) => send('POST', req),
  };
}

/**
 * The client with a kind's politeness on every request that does not set its own: what the poll
 * job hands an adapter, so that adapters need not think of it.
 */
export function withPoliteness(http: HttpClient, politeness: HostPolicy): HttpClient {
  return {
    get: (req) => http.get({ politeness, ...req }),
    post: (req) => http.post({ politeness, ...req }),
  };
}

class RedirectLoopError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RedirectLoopError';
  }
}

function refused(source: string, method: string, shown: string, err: unknown): SourceHttpError {
  const why = err instanceof Error ? err.message : String(err);
  return new SourceHttpError(source, `${method} ${shown} refused: ${why}`, { cause: err });
}

/** The first error in `err`'s cause chain that matches (axios and follow-redirects wrap). */
function causeOf(err: unknown, match: (e: Error) => boolean): Error | undefined {
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++, e = e.cause) {
    if (match(e)) return e;
  }
  return undefined;
}

/** A short machine-readable error code from a JSON error body (`ExpiredToken`, `invalid_grant`). */
function errorCode(body: Buffer): string | undefined {
  if (body.length > 4096) return undefined;
  try {
    const j: unknown = JSON.parse(body.toString('utf8'));
    if (j && typeof j === 'object') {
      const code = (j as Record<string, unknown>).error;
      if (typeof code === 'string' && /^[\w .-]{1,64}$/.test(code)) return code;
    }
  } catch {
    // not JSON
  }
  return undefined;
}

/**
 * How long a site asks us to wait, from `Retry-After` (seconds or an HTTP date) or the
 * `X-RateLimit-Reset` / `RateLimit-Reset` family (epoch seconds, seconds from now, or an ISO date
 * as Mastodon sends). Undefined when the site did not say.
 */
export function retryAfterMs(
  headers: Record<string, string | undefined>,
  now: number = Date.now(),
): number | undefined {
  const retryAfter = headers['retry-after']?.trim();
  if (retryAfter) {
    if (/^\d+(\.\d+)?$/.test(retryAfter)) return Math.round(Number(retryAfter) * 1000);
    const at = Date.parse(retryAfter);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = (headers['x-ratelimit-reset'] ?? headers['ratelimit-reset'])?.trim();
  if (reset) {
    if (/^\d+(\.\d+)?$/.test(reset)) {
      const n = Number(reset);
      // Epoch seconds are ~1.7e9; anything below a year's worth of seconds is a delay.
      return n > 31_536_000 ? Math.max(0, Math.round(n * 1000 - now)) : Math.round(n * 1000);
    }
    const at = Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/**
 * A conditional GET for sources that read one document (a feed, a page): sends the validators of
 * the last answer (ETag, Last-Modified) from `cursor`, and returns the new ones beside the
 * answer, or `notModified` on 304.
 */
export async function getConditional(
  http: HttpClient,
  req: { source: string; url: string; accept: string; signal: AbortSignal },
  cursor: Record<string, string>,
): Promise<
  | { notModified: true }
  | { notModified: false; res: HttpResponse; validators: Record<string, string> }
> {
  const headers: Record<string, string> = { Accept: req.accept };
  if (cursor.etag) headers['If-None-Match'] = cursor.etag;
  if (cursor.lastModified) headers['If-Modified-Since'] = cursor.lastModified;
  const res = await http.get({ source: req.source, url: req.url, headers, signal: req.signal });
  if (res.status === 304) return { notModified: true };
  const validators: Record<string, string> = {};
  if (res.headers.etag) validators.etag = res.headers.etag;
  if (res.headers['last-modified']) validators.lastModified = res.headers['last-modified'];
  return { notModified: false, res, validators };
}

/** What a source reading web pages accepts. */
export const HTML_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';
