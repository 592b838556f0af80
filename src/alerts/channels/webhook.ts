/**
 * Signed webhooks for integrators: the alert as JSON, signed with HMAC-SHA256 (../webhook.ts
 * says how, docs/webhooks.md how to verify).
 */
import { z } from 'zod';
import { languageSchema } from '../../domain/vocabulary.js';
import { presentAlert, summarize } from '../explain.js';
import { webhookHeaders } from '../webhook.js';
import {
  alertUrl,
  dashboardUrl,
  defineChannel,
  eventName,
  postBody,
  type Outgoing,
} from './_types.js';

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

export default defineChannel({
  type: 'webhook',
  // The payload carries both languages; `lang` is the digest's.
  options: z.object({ lang: languageSchema.default('en') }),
  secrets: {
    url: { describe: 'The receiver URL.', url: true },
    secret: { describe: 'The HMAC-SHA256 signing secret.' },
  },
  async send(channel, msg, deps, signal) {
    const body = webhookBody(msg, deps.publicUrl, deps.timeZone);
    const headers = webhookHeaders({
      secret: channel.secrets.secret ?? '',
      event: eventName(msg),
      deliveryKey: msg.deliveryKey,
      body,
      // Signed at each attempt: a retry an hour later is fresh, not a replay.
      now: deps.now(),
    });
    await postBody(deps, channel.id, channel.secrets.url ?? '', body, headers, signal);
  },
});
