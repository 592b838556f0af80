import { describe, expect, it } from 'vitest';
import {
  escape,
  safeUrl,
  slackAlertMessage,
  slackDigestMessage,
} from '../../../src/alerts/slack-message.js';
import { buildDigest } from '../../../src/alerts/digest.js';
import { operational, quote, T0, TZ, weakLink } from './_fixtures.js';

const alertUrl = 'https://maillon.example/#/alerts/65f000000000000000000001';
const opened = { at: T0, kind: 'opened' as const, severity: 'warning' as const };

function texts(msg: { blocks: Record<string, unknown>[] }): string[] {
  return msg.blocks.map((b) => JSON.stringify(b));
}

describe('slackAlertMessage', () => {
  it('says touchpoint, stage, severity and why in words, in English', () => {
    const msg = slackAlertMessage(weakLink(), opened, { lang: 'en', alertUrl, timeZone: TZ });
    const header = msg.blocks[0] as { text: { text: string } };
    expect(header.text.text).toBe('Negative word of mouth: Delivery · stage Receive');
    const why = (msg.blocks[1] as { text: { text: string } }).text.text;
    expect(why.split('\n')).toEqual([
      'Severity: *warning*',
      '*Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.*',
      '• 64% of mentions about it are negative, usually 12%.',
      '• Over the same hours, 0.4 would be usual.',
      '• One person wrote 2 of them.',
      '• 12 of them count as evidence: repeats by one person or of one text count less.',
      '• Shared 25 times.',
    ]);
    expect(why).not.toMatch(/reach|log10|audience|author-bucket/i);
  });

  it('speaks French on a French channel, hours on the brand clock', () => {
    const msg = slackAlertMessage(weakLink(), opened, { lang: 'fr', alertUrl, timeZone: TZ });
    const header = msg.blocks[0] as { text: { text: string } };
    expect(header.text.text).toBe('Bouche-à-oreille négatif: Livraison · étape Réception');
    const why = texts(msg)[1] ?? '';
    expect(why).toContain('Gravité: *avertissement*');
    expect(why).toContain(
      "*Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites ; d'habitude 1 par jour.*",
    );
    expect(msg.text).toContain('Livraison');
    const london = slackAlertMessage(weakLink(), opened, {
      lang: 'en',
      alertUrl,
      timeZone: 'Europe/London',
    });
    expect(texts(london)[1]).toContain('since 09:00 from');
  });

  it('escapes markup in the words of an alert (a touchpoint label from the configuration)', () => {
    const alert = weakLink({
      touchpoint: {
        id: 'x',
        stage: 'buy',
        label: { fr: 'Prix & <promos>', en: 'Price & <deals>' },
      },
    });
    const msg = slackAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(texts(msg)[1]).toContain('*Price &amp; &lt;deals&gt;: 13 complaints');
  });

  it('quotes the three with the widest reach, each with its link, and links to the alert', () => {
    const msg = slackAlertMessage(weakLink(), opened, { lang: 'en', alertUrl, timeZone: TZ });
    const quotes = msg.blocks.filter((b) => JSON.stringify(b).includes('> quote'));
    expect(quotes).toHaveLength(3);
    expect(JSON.stringify(quotes[0])).toContain('<https://example.com/post/4|src-4>');
    expect(JSON.stringify(quotes)).not.toContain('quote number 1');
    const actions = msg.blocks.at(-1) as { elements: { url: string }[] };
    expect(actions.elements[0]?.url).toBe(alertUrl);
  });

  it('escapes what people wrote and never links to an unsafe target', () => {
    const alert = weakLink();
    alert.evidence.quotes = [
      quote(1, {
        quote: '<!channel> & <https://evil.example|click>\nnew line',
        author: '*bold* <@U123>',
        url: 'javascript:alert(1)',
      }),
      quote(2, { url: 'https://example.com/a|b<c>' }),
    ];
    const msg = slackAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    const all = texts(msg).join('\n');
    expect(all).toContain('&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt; new line');
    expect(all).toContain('&lt;@U123&gt;');
    expect(all).not.toContain('javascript:');
    expect(all).toContain('<https://example.com/a%7Cb%3Cc%3E|src-2>');
  });

  it('gives operational alerts their own message, and an end a short one', () => {
    const ops = slackAlertMessage(operational(), opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(ops.text).toBe('Operational alert: Source feed failing (warning)');
    expect(texts(ops).join()).toContain(
      '*Source feed: no successful poll since 08:00 (for 2 h), 5 failures in a row.*',
    );
    expect(texts(ops).join()).toContain('• Last error: HTTP 500.');
    const resolved = slackAlertMessage(
      weakLink(),
      { at: T0, kind: 'resolved' },
      { lang: 'fr', alertUrl, timeZone: TZ },
    );
    expect(resolved.blocks).toHaveLength(2);
    expect(resolved.text).toBe('Résolu: Livraison');
  });

  it('names an escalation at its new severity', () => {
    const msg = slackAlertMessage(
      weakLink(),
      { at: T0, kind: 'escalated', severity: 'critical' },
      { lang: 'en', alertUrl, timeZone: TZ },
    );
    expect(msg.text).toBe('Getting worse: Delivery · stage Receive (critical)');
  });
});

describe('slackDigestMessage', () => {
  it('lists the top touchpoints with their trend and the open alerts', () => {
    const digest = buildDigest({
      date: '2026-03-10',
      now: T0,
      touchpoints: [
        { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
        { id: 'support', stage: 'get-help', label: { fr: 'Service client', en: 'Support' } },
      ],
      current: new Map([['delivery', 12]]),
      previous: new Map([
        ['delivery', 4],
        ['support', 2],
      ]),
      openAlerts: [weakLink()],
      publicUrl: 'https://maillon.example',
      timeZone: TZ,
    });
    const msg = slackDigestMessage(digest, { lang: 'fr' });
    const all = texts(msg).join('\n');
    expect(msg.text).toBe('Résumé du jour, 2026-03-10');
    expect(all).toContain('*Livraison* (Réception): 12 :arrow_upper_right: 4');
    expect(all).not.toContain('Service client');
    expect(all).toContain('<https://maillon.example/#/alerts/65f000000000000000000001|Livraison>');
    expect(all).toContain('Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites');
  });
});

describe('escape and safeUrl', () => {
  it('escapes markup', () => expect(escape('a<b>&c')).toBe('a&lt;b&gt;&amp;c'));
  it('keeps http(s) only', () => {
    expect(safeUrl('https://x.example/?q=a b')).toBe('https://x.example/?q=a%20b');
    expect(safeUrl('ftp://x.example/')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
  });
});
