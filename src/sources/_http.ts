/**
 * The one HTTP helper every source adapter uses (adapters never call axios themselves): a
 * User-Agent that names the product, a timeout, a size limit, cancellation, and one error type
 * that carries the status and how long the site asked us to wait.
 */
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { SourceHttpError, SourceParseError } from '../errors.js';

export const USER_AGENT =
  'Maillon/0.1 (word-of-mouth monitor; +https://github.com/maillon/maillon)';

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
  maxBytes: number;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const client: AxiosInstance = axios.create({
    timeout: opts.timeoutMs,
    maxContentLength: opts.maxBytes,
    maxRedirects: 5,
    responseType: 'arraybuffer',
    validateStatus: () => true,
    headers: { 'User-Agent': USER_AGENT, 'Accept-Encoding': 'gzip, deflate, br' },
  });

  async function send(
    method: 'GET' | 'POST',
    req: HttpRequest & { body?: string },
  ): Promise<HttpResponse> {
    const shown = redactUrl(req.url);
    let res;
    try {
      res = await client.request<ArrayBuffer>({
        method,
        url: req.url,
        headers: req.headers,
        signal: req.signal,
        ...(req.body !== undefined
          ? { data: req.body, transformRequest: [(d: unknown) => d] }
          : {}),
      });
    } catch (err) {
      if (err instanceof AxiosError && /maxContentLength/.test(err.message)) {
        throw new SourceParseError(req.source, `response larger than ${opts.maxBytes} bytes`, err);
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

/** Query parameters that carry credentials (Google Alerts' feed tokens, API keys). */
const SECRET_PARAM =
  /^(key|api[-_]?key|token|access[-_]?token|auth|secret|password|sig|signature|client[-_]?secret)$/i;

/**
 * A URL fit to show: user and password removed, credential-like query values masked. Anything
 * that does not parse is shown as its scheme and host at most.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  // Keys first: setting while iterating the live list would be fragile.
  for (const k of new Set(u.searchParams.keys())) {
    if (SECRET_PARAM.test(k)) u.searchParams.set(k, '***');
  }
  return u.href;
}

/** Every URL in a text (an error message) redacted. */
export function redactText(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/g, (m) => redactUrl(m));
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
