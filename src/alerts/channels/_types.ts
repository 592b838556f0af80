/**
 * What a notification channel is. A channel type (log, Slack, signed webhook...) is one file that
 * calls `defineChannel` with what it owns: the zod schema of its settings in alerts.yaml, the
 * secrets it reads from the environment (alerts.yaml names the variable, as `<secret>Env`), and
 * how it sends one message. config/ builds alerts.yaml's schema from the registry
 * (./index.ts).
 */
import axios from 'axios';
import type { z } from 'zod';
import type { Alert, AlertEvent } from '../../domain/alert.js';
import type { Language } from '../../domain/vocabulary.js';
import { DeliveryError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { BlockedAddressError, createSsrfGuard, type SsrfGuard } from '../../net/ssrf.js';
import type { Digest } from '../digest.js';

/** What one delivery carries. */
export type Outgoing =
  | { kind: 'alert'; deliveryKey: string; alert: Alert; event: AlertEvent; eventIndex: number }
  | { kind: 'digest'; deliveryKey: string; digest: Digest; lang?: Language };

export interface NotifierDeps {
  logger: Logger;
  /** Base URL of the API, for the link to the alert. */
  publicUrl: string;
  timeoutMs: number;
  now: () => Date;
  /** The brand's time zone, for the hours in the alert's words. */
  timeZone: string;
  /**
   * Hosts the SSRF guard lets receivers live on although they are not public
   * (`config.http.allowHosts`: the tests' local receivers, an intranet endpoint).
   */
  allowHosts?: readonly string[];
}

/**
 * One secret of a channel type; `url`: it must hold an http(s) URL; `optional`: the channel works
 * without it (an SMTP server that takes mail without a login), and alerts.yaml may leave its
 * `<name>Env` out.
 */
export interface ChannelSecretSpec {
  describe: string;
  url?: boolean;
  optional?: boolean;
}

/** A configured channel as its type sees it: its settings and its secrets, resolved. */
export type ConfiguredChannel<O = Record<string, unknown>> = O & {
  id: string;
  type: string;
  digestOnly: boolean;
  secrets: Record<string, string>;
};

export interface ChannelDefinition<T extends string = string, O extends z.ZodObject = z.ZodObject> {
  type: T;
  /** The type's own settings in alerts.yaml, beside `id`, `type` and `digestOnly`. */
  options: O;
  /** Secrets by name; alerts.yaml names each one's variable as `<name>Env`. */
  secrets: Record<string, ChannelSecretSpec>;
  send(
    channel: ConfiguredChannel<z.output<O>>,
    msg: Outgoing,
    deps: NotifierDeps,
    signal?: AbortSignal,
  ): Promise<void>;
}

// NOTE: `any` here: each type's options are its own; the registry only needs their common part.
// oxlint-disable-next-line no-explicit-any
export type AnyChannelDefinition = ChannelDefinition<string, any>;

export function defineChannel<T extends string, O extends z.ZodObject>(
  def: ChannelDefinition<T, O>,
): ChannelDefinition<T, O> {
  return def;
}

/** The alert as data, for programs. */
export function alertUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl}/api/v1/alerts/${alertId}`;
}

/** The alert in the dashboard, for people: evidence, chart, and the buttons to act on it. */
export function dashboardUrl(publicUrl: string, alertId: string): string {
  return `${publicUrl}/#/alerts/${alertId}`;
}

/** `alert.opened`, `alert.escalated`, `alert.resolved`, `alert.reopened` or `digest`. */
export function eventName(msg: Outgoing): string {
  return msg.kind === 'digest' ? 'digest' : `alert.${msg.event.kind}`;
}

/**
 * POSTs exact bytes, and returns the answer's body as text (a receiver that answers 200 with an
 * error in its body, as Teams' connectors do, is its channel's to read). A non-2xx answer or a
 * network error throws `DeliveryError` (with the status when there was one), and the deliver job
 * retries with backoff. The receiver's address goes
 * through the same SSRF guard as the sources (src/net/ssrf.ts): a webhook URL pointing at the
 * loopback, the private network or the metadata service is refused, after DNS resolution too.
 * The URL itself (a Slack webhook's path is its secret) never appears in an error.
 */
export async function postBody(
  deps: NotifierDeps,
  channelId: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  const guard = guardFor(deps.allowHosts ?? []);
  try {
    guard.checkUrl(url);
  } catch (err) {
    throw new DeliveryError(channelId, `receiver refused: ${messageOf(err)}`, { cause: err });
  }
  let status: number;
  let answer: unknown;
  try {
    const res = await axios.post(url, body, {
      headers,
      timeout: deps.timeoutMs,
      // A redirect would carry a signed body somewhere the configuration never named.
      maxRedirects: 0,
      validateStatus: () => true,
      responseType: 'text',
      // The body is already the exact bytes that were signed.
      transformRequest: [(data: unknown) => data],
      httpAgent: guard.httpAgent,
      httpsAgent: guard.httpsAgent,
      // The guard checks the address connected to: through a proxy, that would be the proxy's.
      proxy: false,
      ...(signal ? { signal } : {}),
    });
    status = res.status;
    answer = res.data;
  } catch (err) {
    // axios wraps the guard's refusal, made at connect time.
    const cause = err instanceof Error ? err.cause : undefined;
    throw new DeliveryError(
      channelId,
      cause instanceof BlockedAddressError
        ? `receiver refused: ${cause.message}`
        : `receiver unreachable: ${messageOf(err)}`,
      { cause: err },
    );
  }
  if (status < 200 || status >= 300)
    throw new DeliveryError(channelId, `receiver answered ${status}`, { status });
  return typeof answer === 'string' ? answer : '';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One guard (and its agents) per allow-list, for the life of the process; channels that speak
 * another protocol than HTTP (e-mail) connect through its `connect`.
 */
const guards = new Map<string, SsrfGuard>();
export function guardFor(allowHosts: readonly string[]): SsrfGuard {
  const key = allowHosts.join(',');
  let guard = guards.get(key);
  if (!guard) guards.set(key, (guard = createSsrfGuard({ allowHosts })));
  return guard;
}
