/**
 * Sends one alert to one channel. `log` writes it to the log (the demo's channel); `slack` posts
 * Block Kit to an incoming webhook. A non-2xx answer or a network error throws `DeliveryError`,
 * and the notify job retries with backoff.
 */
import axios from 'axios';
import type { ChannelConfig } from '../../config/index.js';
import type { Alert } from '../domain/alert.js';
import { DeliveryError } from '../errors.js';
import type { Logger } from '../logger.js';
import { slackMessage } from './slack-message.js';

export interface NotifierDeps {
  logger: Logger;
  /** Base URL of the API, for the link to the alert. */
  publicUrl: string;
  timeoutMs: number;
}

export async function sendAlert(
  deps: NotifierDeps,
  channel: ChannelConfig,
  alert: Alert,
  signal?: AbortSignal,
): Promise<void> {
  const alertUrl = `${deps.publicUrl}/api/v1/alerts/${alert.id}`;
  if (channel.type === 'log') {
    deps.logger.warn(
      {
        channel: channel.id,
        alertId: alert.id,
        severity: alert.severity,
        negative: alert.evidence.negative,
        threshold: alert.evidence.threshold,
        openedAt: alert.openedAt,
        link: alertUrl,
      },
      `ALERT ${alert.title}`,
    );
    return;
  }
  let status: number;
  try {
    const res = await axios.post(
      channel.webhookUrl,
      slackMessage(alert, { lang: channel.lang, alertUrl }),
      {
        timeout: deps.timeoutMs,
        validateStatus: () => true,
        ...(signal ? { signal } : {}),
      },
    );
    status = res.status;
  } catch (err) {
    throw new DeliveryError(
      channel.id,
      `webhook unreachable: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (status < 200 || status >= 300)
    throw new DeliveryError(channel.id, `webhook answered ${status}`, { status });
}
