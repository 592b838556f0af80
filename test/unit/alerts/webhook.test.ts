import { describe, expect, it } from 'vitest';
import { webhookBody } from '../../../src/alerts/channels/webhook.js';
import { signWebhook, verifyWebhook, webhookHeaders } from '../../../src/alerts/webhook.js';
import { T0, TZ, weakLink } from './_fixtures.js';

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

describe('webhookBody', () => {
  it('carries the alert in words, French and English, with the numbers of its JSON', () => {
    const alert = weakLink();
    const sent = JSON.parse(
      webhookBody(
        {
          kind: 'alert',
          deliveryKey: `${alert.id}:0:crm`,
          alert,
          event: { at: T0, kind: 'opened', severity: 'warning' },
          eventIndex: 0,
        },
        'https://maillon.example',
        TZ,
      ),
    ) as {
      summary: { fr: string; en: string };
      alert: { summary: { fr: string; en: string }; evidence: { facts: { negatives: number } } };
    };
    expect(sent.summary.en).toMatch(
      /^Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day\. /,
    );
    expect(sent.summary.fr).toMatch(/^Livraison : 13 plaintes depuis 10 h, de 12 personnes/);
    // The alert as the API serves it: with the same summary, and the facts behind it.
    expect(sent.alert.summary).toEqual(sent.summary);
    expect(sent.alert.evidence.facts.negatives).toBe(13);
  });
});
