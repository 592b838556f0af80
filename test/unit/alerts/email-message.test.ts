/**
 * The e-mail builders and the e-mail channel's settings: subject, plain text and HTML in the
 * channel's language, every word people wrote escaped in the HTML, links only to http(s); an SMTP
 * failure classified as the queue needs it (5xx and refused credentials permanent, the rest
 * retried); settings that cannot inject a header.
 */
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import email, {
  emailAlertMessage,
  emailDigestMessage,
  smtpFailure,
} from '../../../src/alerts/channels/email.js';
import { buildDigest } from '../../../src/alerts/digest.js';
import { DeliveryError } from '../../../src/errors.js';
import { classifyForQueue } from '../../../src/jobs/_errors.js';
import { BlockedAddressError } from '../../../src/net/ssrf.js';
import { operational, quote, T0, TZ, weakLink } from './_fixtures.js';

const alertUrl = 'https://maillon.example/#/alerts/65f000000000000000000001';
const opened = { at: T0, kind: 'opened' as const, severity: 'warning' as const };
const HOSTILE = '<img src=x onerror=alert(1)> & "quotes" \'too\'';

describe('emailAlertMessage', () => {
  it('says the alert in English: subject, facts, why, quotes and the link, in both parts', () => {
    const m = emailAlertMessage(weakLink(), opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(m.subject).toBe('[Maillon] Negative word of mouth: Delivery · stage Receive (warning)');
    expect(m.text).toBe(
      [
        'Negative word of mouth: Delivery · stage Receive',
        '',
        'Severity: warning',
        'Touchpoint: Delivery',
        'Stage: Receive',
        '',
        'Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.',
        '- 64% of mentions about it are negative, usually 12%.',
        '- Over the same hours, 0.4 would be usual.',
        '- One person wrote 2 of them.',
        '- 12 of them count as evidence: repeats by one person or of one text count less.',
        '- Shared 25 times.',
        '',
        'What people wrote:',
        '> “quote number 4”',
        '  — author 4, src-4 <https://example.com/post/4>',
        '> “quote number 3”',
        '  — author 3, src-3 <https://example.com/post/3>',
        '> “quote number 2”',
        '  — author 2, src-2 <https://example.com/post/2>',
        '',
        `Open the alert: ${alertUrl}`,
        '',
        '-- ',
        'Sent by Maillon.',
        '',
      ].join('\n'),
    );
    expect(m.html).toMatch(/^<!doctype html><html lang="en">/);
    expect(m.html).toContain(
      '<p><strong>Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.</strong></p>',
    );
    expect(m.html).toContain('<li>Shared 25 times.</li>');
    expect(m.html).toContain('<a href="https://example.com/post/4">src-4</a>');
    expect(m.html).toContain(`<a href="${alertUrl}" style=`);
    expect(m.html).not.toContain('quote number 1');
  });

  it('speaks French on a French channel', () => {
    const m = emailAlertMessage(
      weakLink(),
      { ...opened, kind: 'escalated', severity: 'critical' },
      { lang: 'fr', alertUrl, timeZone: TZ },
    );
    expect(m.subject).toBe("[Maillon] Ça s'aggrave: Livraison · étape Réception (critique)");
    expect(m.text).toContain('Gravité\u00a0: critique\nPoint de contact\u00a0: Livraison');
    expect(m.text).toContain(
      "Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites ; d'habitude 1 par jour.",
    );
    expect(m.text).toContain(`Ouvrir l'alerte\u00a0: ${alertUrl}`);
    expect(m.html).toContain('<html lang="fr">');
    expect(m.html).toContain('Envoyé par Maillon.');
  });

  it('escapes every word people wrote in the HTML, and links only to http(s)', () => {
    const alert = weakLink();
    alert.evidence.quotes = [
      quote(1, { quote: HOSTILE, author: '<script>x</script>', url: 'javascript:alert(1)' }),
      quote(2, { source: '<b>site</b>', url: 'https://ok.example/a"b<c>', reach: 1 }),
    ];
    alert.touchpoint = {
      id: 'x',
      stage: 'buy',
      label: { fr: 'Prix <i>', en: 'Price <i onclick=x>' },
    };
    const m = emailAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(m.html).not.toMatch(/<img|<script|<i[ >]|<b>|javascript:/);
    expect(m.html).toContain(
      '“&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;”',
    );
    expect(m.html).toContain('— &lt;script&gt;x&lt;/script&gt;, src-1</p>');
    expect(m.html).toContain(
      '<a href="https://ok.example/a%22b%3Cc%3E">&lt;b&gt;site&lt;/b&gt;</a>',
    );
    expect(m.html).toContain('Price &lt;i onclick=x&gt;');
    // The plain-text part is text: the quote as written, on one line.
    expect(m.text).toContain(`> “${HOSTILE}”`);
    expect(m.text).not.toContain('javascript:');
  });

  it('keeps the subject on one line, whatever the title holds', () => {
    const alert = operational({ title: 'Source feed\r\nBcc: victim@example.com' });
    const m = emailAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(m.subject).toBe(
      '[Maillon] Operational alert: Source feed Bcc: victim@example.com (warning)',
    );
    expect(m.text).toContain('Source: feed');
  });

  it('says a resolution in one line', () => {
    const m = emailAlertMessage(
      weakLink({ status: 'resolved' }),
      { at: T0, kind: 'resolved' },
      { lang: 'en', alertUrl, timeZone: TZ },
    );
    expect(m.subject).toBe('[Maillon] Resolved: Delivery');
    expect(m.text.split('\n').slice(0, 3)).toEqual(['Resolved: Delivery', '', 'Over: Delivery.']);
  });
});

describe('emailDigestMessage', () => {
  it('lists the top touchpoints and the open alerts, linked, in the channel language', () => {
    const digest = buildDigest({
      date: '2026-03-10',
      now: T0,
      touchpoints: [
        { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
        { id: 'price', stage: 'buy', label: { fr: 'Prix <promo>', en: 'Price' } },
      ],
      current: new Map([
        ['delivery', 12],
        ['price', 2],
      ]),
      previous: new Map([['delivery', 3]]),
      openAlerts: [weakLink()],
      publicUrl: 'https://maillon.example',
      timeZone: TZ,
    });
    const m = emailDigestMessage(digest, { lang: 'fr' });
    expect(m.subject).toBe('[Maillon] Résumé du jour, 2026-03-10');
    expect(m.text).toContain(
      '- Livraison (Réception)\u00a0: 12 ↗ 3\n- Prix <promo> (Achat)\u00a0: 2 ↗ 0',
    );
    expect(m.text).toContain('14 mentions négatives en tout (3 la veille).');
    expect(m.text).toContain(
      '- Livraison (avertissement) <https://maillon.example/#/alerts/65f000000000000000000001>',
    );
    expect(m.html).toContain('<strong>Prix &lt;promo&gt;</strong>');
    expect(m.html).toContain(
      '<a href="https://maillon.example/#/alerts/65f000000000000000000001">Livraison</a> (avertissement)',
    );
  });
});

describe('smtpFailure', () => {
  const failure = (err: unknown) => smtpFailure('mail', err);

  it('gives up at once on a 5xx reply: a refused recipient, refused credentials', () => {
    for (const err of [
      Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 no"), {
        code: 'EENVELOPE',
        responseCode: 550,
      }),
      Object.assign(new Error('Invalid login: 535 5.7.8 Authentication failed'), {
        code: 'EAUTH',
        responseCode: 535,
      }),
      Object.assign(new Error('Missing credentials for "PLAIN"'), { code: 'EAUTH' }),
    ]) {
      const e = failure(err);
      expect(e).toBeInstanceOf(DeliveryError);
      expect(e.permanent).toBe(true);
      expect(classifyForQueue(e)).toBeInstanceOf(UnrecoverableError);
    }
    expect(
      failure(Object.assign(new Error('550 no'), { code: 'EENVELOPE', responseCode: 550 })).message,
    ).toBe('mail: SMTP 550: 550 no');
  });

  it('retries a 4xx reply, a timeout, a lost connection and a refused address', () => {
    for (const err of [
      Object.assign(new Error('451 try later'), { code: 'EENVELOPE', responseCode: 451 }),
      Object.assign(new Error('454 auth unavailable'), { code: 'EAUTH', responseCode: 454 }),
      Object.assign(new Error('Greeting never received'), { code: 'ETIMEDOUT' }),
      Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }),
      new BlockedAddressError('10.0.0.5 is a private address'),
    ]) {
      const e = failure(err);
      expect(e.permanent).toBe(false);
      expect(classifyForQueue(e)).toBe(e);
    }
  });
});

describe('the e-mail channel settings', () => {
  const base = { host: 'smtp.example.com', from: 'alerts@example.com', to: ['cm@example.com'] };

  it('defaults to port 587 with STARTTLS required, in English', () => {
    expect(email.options.parse(base)).toEqual({
      ...base,
      port: 587,
      secure: false,
      starttls: true,
      fromName: 'Maillon',
      lang: 'en',
    });
  });

  it('refuses what could smuggle a header or a second host', () => {
    const bad = (over: Record<string, unknown>) => email.options.safeParse({ ...base, ...over });
    expect(bad({ from: 'a@example.com\r\nBcc: x@example.com' }).success).toBe(false);
    expect(bad({ to: ['a@example.com>, <x@example.com'] }).success).toBe(false);
    expect(bad({ to: [] }).success).toBe(false);
    expect(bad({ fromName: 'Maillon\r\nBcc: x@example.com' }).success).toBe(false);
    expect(bad({ host: 'smtp.example.com:25' }).success).toBe(false);
    expect(bad({ host: 'smtp example' }).success).toBe(false);
    expect(bad({ port: 70000 }).success).toBe(false);
    expect(bad({ host: '[2001:db8::1]' }).success).toBe(true);
  });

  it('names its secrets, both optional', () => {
    expect(email.secrets).toEqual({
      user: expect.objectContaining({ optional: true }),
      password: expect.objectContaining({ optional: true }),
    });
  });
});
