/**
 * Generic webhooks: a JSON body signed with HMAC-SHA256 over `timestamp + "." + body`, so that a
 * receiver can check it came from us (the secret) and is fresh (the timestamp is signed too, a
 * captured request cannot be replayed later). docs/webhooks.md shows how to verify.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_VERSION = 'v1';

/** `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

/** The headers of one webhook POST; `deliveryKey` lets the receiver drop a repeat. */
export function webhookHeaders(opts: {
  secret: string;
  event: string;
  deliveryKey: string;
  body: string;
  now: Date;
}): Record<string, string> {
  const timestamp = Math.floor(opts.now.getTime() / 1000);
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Maillon-Webhook/1',
    'X-Maillon-Event': opts.event,
    'X-Maillon-Delivery': opts.deliveryKey,
    'X-Maillon-Timestamp': String(timestamp),
    'X-Maillon-Signature': signWebhook(opts.secret, timestamp, opts.body),
  };
}

/**
 * What a receiver does (and what the tests and the docs use): the signature matches and the
 * timestamp is at most `toleranceSec` away from now.
 */
export function verifyWebhook(opts: {
  secret: string;
  body: string;
  timestamp: string | undefined;
  signature: string | undefined;
  now?: Date;
  toleranceSec?: number;
}): boolean {
  const ts = Number(opts.timestamp);
  if (!opts.timestamp || !Number.isInteger(ts) || !opts.signature) return false;
  const nowSec = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  if (Math.abs(nowSec - ts) > (opts.toleranceSec ?? 300)) return false;
  const expected = Buffer.from(signWebhook(opts.secret, ts, opts.body));
  const given = Buffer.from(opts.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
