import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, webhookHeaders } from '../../../src/alerts/webhook.js';

// Computed independently: printf '1700000000.{"hello":"world"}' | openssl dgst -sha256 -hmac whsec_test
const VECTOR = 'v1=f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b';
const body = '{"hello":"world"}';

describe('webhook signature', () => {
  it('matches a known vector', () => {
    expect(signWebhook('whsec_test', 1_700_000_000, body)).toBe(VECTOR);
  });

  it('puts the key, the event, the timestamp and the signature in the headers', () => {
    const h = webhookHeaders({
      secret: 'whsec_test',
      event: 'alert.opened',
      deliveryKey: 'a:0:crm',
      body,
      now: new Date(1_700_000_000_500),
    });
    expect(h).toMatchObject({
      'Content-Type': 'application/json',
      'X-Maillon-Event': 'alert.opened',
      'X-Maillon-Delivery': 'a:0:crm',
      'X-Maillon-Timestamp': '1700000000',
      'X-Maillon-Signature': VECTOR,
    });
  });

  it('verifies fresh, untouched requests only', () => {
    const now = new Date(1_700_000_100_000);
    const ok = { secret: 'whsec_test', body, timestamp: '1700000000', signature: VECTOR, now };
    expect(verifyWebhook(ok)).toBe(true);
    expect(verifyWebhook({ ...ok, body: '{"hello":"World"}' })).toBe(false);
    expect(verifyWebhook({ ...ok, secret: 'other' })).toBe(false);
    expect(verifyWebhook({ ...ok, timestamp: '1700000001' })).toBe(false);
    expect(verifyWebhook({ ...ok, now: new Date(1_700_000_301_000) })).toBe(false);
    expect(verifyWebhook({ ...ok, signature: undefined })).toBe(false);
  });
});
