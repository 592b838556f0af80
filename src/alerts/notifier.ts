/**
 * Sends one message (an alert event or a digest) to one channel: `log` writes it to the log (the
 * demo's channel), `slack` posts Block Kit to an incoming webhook, `webhook` POSTs signed JSON.
 * A non-2xx answer or a network error throws `DeliveryError` (with the status when there was
 * one), and the deliver job retries with backoff.
 */
import axios from 'axios';
import type { ChannelConfig } from '../../config/index.js';
import type { Alert, AlertEvent } from '../domain/alert.js';
import { DeliveryError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Digest } from './digest.js';
import { presentAlert, summarize } from './explain.js';
import { slackAlertMessage, slackDigestMessage, type Lang } from './slack-message.js';
import { webhookHeaders } from './webhook.js';

/** What one delivery carries. */
export type Outgoing =
  | { kind: 'alert'; deliveryKey: string; alert: Alert; event: AlertEvent; eventIndex: number }
  | { kind: 'digest'; deliveryKey: string; digest: Digest; lang?: Lang };

export interface NotifierDeps {
  logger: Logger;
  /** Base URL of the API, for the link to the alert. */
  publicUrl: string;
  timeoutMs: number;
  now: () => Date;
  /** The brand's time zone, for the hours in the alert's words. */
  timeZone: string;
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
 * The JSON a webhook receives: the alert as the API serves it, the event, the alert in words
 * (`summary`, French and English, from the same facts as the alert's numbers), and links.
 */
export function webhookBody(msg: Outgoing, publicUrl: string, timeZone: string): string {
  if (msg.kind === 'digest') {
    return JSON.stringify({ type: 'digest', deliveryKey: msg.deliveryKey, digest: msg.digest });
  }
  return JSON.stringify({
    type: eventName(msg),
    deliveryKey: msg.deliveryKey,
    summary: summarize(msg.alert, timeZone),
    alert: presentAlert(msg.alert, timeZone),
    event: { index: msg.eventIndex, ...msg.event },
    link: alertUrl(publicUrl, msg.alert.id),
    dashboardLink: dashboardUrl(publicUrl, msg.alert.id),
  });
}

export async function sendToChannel(
  deps: NotifierDeps,
  channel: ChannelConfig,
  msg: Outgoing,
  signal?: AbortSignal,
): Promise<void> {
  if (channel.type === 'log') {
    logMessage(deps, channel.id, msg);
    return;
  }
  if (channel.type === 'slack') {
    const lang = (msg.kind === 'digest' ? msg.lang : undefined) ?? channel.lang;
    const body =
      msg.kind === 'digest'
        ? slackDigestMessage(msg.digest, { lang })
        : slackAlertMessage(msg.alert, msg.event, {
            lang,
            alertUrl: dashboardUrl(deps.publicUrl, msg.alert.id),
            timeZone: deps.timeZone,
          });
    await post(
      deps,
      channel.id,
      channel.webhookUrl,
      JSON.stringify(body),
      {
        'Content-Type': 'application/json',
      },
      signal,
    );
    return;
  }
  const body = webhookBody(msg, deps.publicUrl, deps.timeZone);
  const headers = webhookHeaders({
    secret: channel.secret,
    event: eventName(msg),
    deliveryKey: msg.deliveryKey,
    body,
    // Signed at each attempt: a retry an hour later is fresh, not a replay.
    now: deps.now(),
  });
  await post(deps, channel.id, channel.url, body, headers, signal);
}

async function post(
  deps: NotifierDeps,
  channelId: string,
  url: string,
  body: string,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<void> {
  let status: number;
  try {
    const res = await axios.post(url, body, {
      headers,
      timeout: deps.timeoutMs,
      // A redirect would carry a signed body somewhere the configuration never named.
      maxRedirects: 0,
      validateStatus: () => true,
      // The body is already the exact bytes that were signed.
      transformRequest: [(data: unknown) => data],
      ...(signal ? { signal } : {}),
    });
    status = res.status;
  } catch (err) {
    throw new DeliveryError(
      channelId,
      `receiver unreachable: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (status < 200 || status >= 300)
    throw new DeliveryError(channelId, `receiver answered ${status}`, { status });
}

function logMessage(deps: NotifierDeps, channelId: string, msg: Outgoing): void {
  if (msg.kind === 'digest') {
    const d = msg.digest;
    deps.logger.info(
      {
        channel: channelId,
        date: d.date,
        top: d.top.map((t) => ({ touchpoint: t.id, negatives: t.negatives, previous: t.previous })),
        openAlerts: d.openAlerts.length,
      },
      `DIGEST ${d.date}`,
    );
    return;
  }
  const { alert, event } = msg;
  const fields = {
    channel: channelId,
    alertId: alert.id,
    kind: alert.kind,
    event: event.kind,
    severity: event.severity ?? alert.severity,
    ...(alert.touchpoint ? { touchpoint: alert.touchpoint.id } : {}),
    ...(alert.sourceId ? { sourceId: alert.sourceId } : {}),
    observed: alert.evidence.observed,
    expected: alert.evidence.expected,
    summary: summarize(alert, deps.timeZone).en,
    openedAt: alert.openedAt,
    link: dashboardUrl(deps.publicUrl, alert.id),
  };
  if (event.kind === 'resolved') deps.logger.info(fields, `RESOLVED ${alert.title}`);
  else
    deps.logger.warn(
      fields,
      `${alert.kind === 'operational' ? 'OPS ALERT' : 'ALERT'} ${alert.title}`,
    );
}
