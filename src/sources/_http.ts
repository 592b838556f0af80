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

export interface HttpClient {
  /** GET; resolves on 2xx and 304, throws `SourceHttpError` on anything else. */
  get(req: HttpRequest): Promise<HttpResponse>;
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

  return {
    async get(req) {
      let res;
      try {
        res = await client.get<ArrayBuffer>(req.url, { headers: req.headers, signal: req.signal });
      } catch (err) {
        if (err instanceof AxiosError && /maxContentLength/.test(err.message)) {
          throw new SourceParseError(
            req.source,
            `response larger than ${opts.maxBytes} bytes`,
            err,
          );
        }
        const why = err instanceof Error ? err.message : String(err);
        throw new SourceHttpError(req.source, `GET ${req.url} failed: ${why}`, { cause: err });
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
      if ((res.status >= 200 && res.status < 300) || res.status === 304) {
        return { status: res.status, headers, body, url: req.url };
      }
      throw new SourceHttpError(req.source, `GET ${req.url} answered ${res.status}`, {
        status: res.status,
        retryAfterMs: retryAfterMs(headers),
        body: body.subarray(0, 512).toString('utf8'),
      });
    },
  };
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
