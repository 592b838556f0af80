/**
 * The Teams card builder: an alert or a digest as an Adaptive Card, in the channel's language,
 * with what people wrote only ever in TextRuns (which render no Markdown), links only to http(s),
 * and the connector's "200 but failed" answer read as the failure it is.
 */
import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  connectorFailure,
  teamsAlertMessage,
  teamsDigestMessage,
  type CardElement,
  type TeamsMessage,
} from '../../../src/alerts/channels/teams.js';
import { buildDigest } from '../../../src/alerts/digest.js';
import { DeliveryError } from '../../../src/errors.js';
import { classifyForQueue } from '../../../src/jobs/_errors.js';
import { operational, quote, T0, TZ, weakLink } from './_fixtures.js';

const alertUrl = 'https://maillon.example/#/alerts/65f000000000000000000001';
const opened = { at: T0, kind: 'opened' as const, severity: 'warning' as const };
const HOSTILE = '**bold** [click](https://evil.example) <img src=x onerror=alert(1)> _x_\n- item';

/** Every element of the card, depth first. */
function elements(msg: TeamsMessage): CardElement[] {
  const out: CardElement[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === 'object') {
      const el = x as CardElement;
      if (typeof el.type === 'string') out.push(el);
      Object.values(el).forEach(walk);
    }
  };
  walk(msg.attachments[0].content);
  return out;
}

/** The card's words, one paragraph (RichTextBlock) a line. */
function paragraphs(msg: TeamsMessage): string[] {
  return elements(msg)
    .filter((e) => e.type === 'RichTextBlock')
    .map((p) => (p.inlines as { text: string }[]).map((r) => r.text).join(''));
}

describe('teamsAlertMessage', () => {
  it('is an Adaptive Card 1.4 in a message, with touchpoint, stage, severity, why, quotes and a link', () => {
    const msg = teamsAlertMessage(weakLink(), opened, { lang: 'en', alertUrl, timeZone: TZ });
    expect(msg.type).toBe('message');
    expect(msg.attachments).toHaveLength(1);
    const { contentType, content } = msg.attachments[0];
    expect(contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(content).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(content.fallbackText).toBe('Negative word of mouth: Delivery · stage Receive (warning)');
    expect(content.actions).toEqual([
      { type: 'Action.OpenUrl', title: 'Open the alert', url: alertUrl },
    ]);
    // The heading on a band the colour of the severity.
    expect(content.body[0]).toMatchObject({ type: 'Container', style: 'warning' });
    expect(paragraphs(msg)).toEqual([
      'Negative word of mouth: Delivery · stage Receive',
      'Severity: warning',
      'Touchpoint: Delivery',
      'Stage: Receive',
      'Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.',
      '• 64% of mentions about it are negative, usually 12%.',
      '• Over the same hours, 0.4 would be usual.',
      '• One person wrote 2 of them.',
      '• 12 of them count as evidence: repeats by one person or of one text count less.',
      '• Shared 25 times.',
      'What people wrote',
      '“quote number 4”',
      '— author 4, src-4',
      '“quote number 3”',
      '— author 3, src-3',
      '“quote number 2”',
      '— author 2, src-2',
    ]);
    const source = elements(msg).find((e) => e.text === 'src-4');
    expect(source?.selectAction).toEqual({
      type: 'Action.OpenUrl',
      url: 'https://example.com/post/4',
    });
  });

  it('speaks French on a French channel, hours on the brand clock', () => {
    const msg = teamsAlertMessage(
      weakLink(),
      { ...opened, kind: 'escalated', severity: 'critical' },
      { lang: 'fr', alertUrl, timeZone: TZ },
    );
    const content = msg.attachments[0].content;
    expect(content.body[0]).toMatchObject({ style: 'attention' });
    expect(content.actions[0]).toMatchObject({ title: "Ouvrir l'alerte" });
    const words = paragraphs(msg);
    expect(words.slice(0, 4)).toEqual([
      "Ça s'aggrave: Livraison · étape Réception",
      'Gravité\u00a0: critique',
      'Point de contact\u00a0: Livraison',
      'Étape\u00a0: Réception',
    ]);
    expect(words).toContain(
      "Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites ; d'habitude 1 par jour.",
    );
    expect(words).toContain('Ce que les gens ont écrit');
  });

  it('shows what people wrote as written: only in TextRuns, never in Markdown, links only to http(s)', () => {
    const alert = weakLink();
    alert.evidence.quotes = [
      quote(1, { quote: HOSTILE, author: '*boss*', url: 'javascript:alert(1)', reach: 10 }),
      quote(2, { source: '[site](https://evil.example)', url: 'https://ok.example/2', reach: 5 }),
    ];
    alert.touchpoint = {
      id: 'x',
      stage: 'buy',
      label: { fr: 'Prix **promo**', en: 'Price [deals](https://evil.example)' },
    };
    const msg = teamsAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    const all = elements(msg);
    // Markdown is rendered in TextBlocks and facts: the card has none.
    expect(all.filter((e) => ['TextBlock', 'FactSet', 'Fact'].includes(String(e.type)))).toEqual(
      [],
    );
    expect(new Set(all.filter((e) => 'text' in e).map((e) => e.type))).toEqual(
      new Set(['TextRun']),
    );
    const runs = all.filter((e) => e.type === 'TextRun').map((e) => String(e.text));
    // As written, on one line.
    expect(runs).toContain(`“${HOSTILE.replace('\n', ' ')}”`);
    expect(runs).toContain('— *boss*, ');
    expect(runs.some((r) => r.includes('\n'))).toBe(false);
    expect(paragraphs(msg)).toContain('Touchpoint: Price [deals](https://evil.example)');
    // The javascript: source is not a link; the other is, to its own URL.
    const urls = all.filter((e) => e.type === 'Action.OpenUrl').map((a) => a.url);
    expect(urls).toEqual(['https://ok.example/2', alertUrl]);
    expect(all.find((e) => e.text === 'src-1')?.selectAction).toBeUndefined();
  });

  it('says a resolution in one line', () => {
    const msg = teamsAlertMessage(
      weakLink({ status: 'resolved' }),
      { at: T0, kind: 'resolved' },
      { lang: 'fr', alertUrl, timeZone: TZ },
    );
    expect(paragraphs(msg)).toEqual(['Résolu: Livraison', 'Terminé : Livraison.']);
    expect(msg.attachments[0].content.body[0]).toMatchObject({ style: 'good' });
    expect(msg.attachments[0].content.actions).toHaveLength(1);
  });

  it('names the source of an operational alert, and its last error as text', () => {
    const alert = operational();
    if (alert.evidence.outage?.problem === 'failing')
      alert.evidence.outage.lastError = 'HTTP 500 <b>**down**</b>';
    const msg = teamsAlertMessage(alert, opened, { lang: 'en', alertUrl, timeZone: TZ });
    const words = paragraphs(msg);
    expect(words.slice(0, 3)).toEqual([
      'Operational alert: Source feed failing',
      'Severity: warning',
      'Source: feed',
    ]);
    expect(words).toContain('• Last error: HTTP 500 <b>**down**</b>.');
    expect(words).not.toContain('What people wrote');
  });

  it('links to the alert only through an http(s) URL', () => {
    const msg = teamsAlertMessage(weakLink(), opened, {
      lang: 'en',
      alertUrl: 'javascript:alert(1)',
      timeZone: TZ,
    });
    expect(msg.attachments[0].content.actions).toEqual([]);
  });
});

describe('teamsDigestMessage', () => {
  const touchpoints = [
    { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
    { id: 'price', stage: 'buy', label: { fr: 'Prix', en: 'Price *sale*' } },
  ];
  const digest = (openAlerts = [weakLink()]) =>
    buildDigest({
      date: '2026-03-10',
      now: T0,
      touchpoints,
      current: new Map([
        ['delivery', 12],
        ['price', 2],
      ]),
      previous: new Map([
        ['delivery', 3],
        ['price', 5],
      ]),
      openAlerts,
      publicUrl: 'https://maillon.example',
      timeZone: TZ,
    });

  it('lists the top touchpoints against the day before and the open alerts, linked', () => {
    const msg = teamsDigestMessage(digest(), { lang: 'en' });
    expect(paragraphs(msg)).toEqual([
      'Daily digest, 2026-03-10',
      'Touchpoints with the most negative mentions (last 24 h, vs the 24 h before)',
      '• Delivery (Receive): 12 ↗ 3',
      '• Price *sale* (Buy): 2 ↘ 5',
      '14 negative mentions in all (8 the day before).',
      'Open alerts: 1',
      '• Delivery (warning)',
      'Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.',
    ]);
    const link = elements(msg).find((e) => e.text === 'Delivery' && e.selectAction);
    expect(link?.selectAction).toEqual({
      type: 'Action.OpenUrl',
      url: 'https://maillon.example/#/alerts/65f000000000000000000001',
    });
  });

  it('stays under the 28 KB Teams accepts, however many alerts are open', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      weakLink({ id: `65f0000000000000000${String(i).padStart(5, '0')}`, title: 'x'.repeat(400) }),
    );
    const msg = teamsDigestMessage(digest(many), { lang: 'fr' });
    expect(Buffer.byteLength(JSON.stringify(msg))).toBeLessThan(28_000);
    expect(paragraphs(msg).at(-1)).toBe('…et 180 de plus.');
  });

  it('says so when nothing happened', () => {
    const empty = buildDigest({
      date: '2026-03-10',
      now: T0,
      touchpoints,
      current: new Map(),
      previous: new Map(),
      openAlerts: [],
      publicUrl: 'https://maillon.example',
      timeZone: TZ,
    });
    expect(paragraphs(teamsDigestMessage(empty, { lang: 'fr' }))).toEqual([
      'Résumé du jour, 2026-03-10',
      'Aucune mention négative ces 24 dernières heures.',
      'Aucune alerte ouverte.',
    ]);
  });
});

describe('connectorFailure', () => {
  it('takes "1" and an empty body (Workflows) as success', () => {
    expect(connectorFailure('teams', '1')).toBeUndefined();
    expect(connectorFailure('teams', '')).toBeUndefined();
  });

  it('reads the status an Office 365 connector hides in a 200, and the queue classifies it', () => {
    const busy = connectorFailure(
      'teams',
      'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=x',
    );
    expect(busy).toBeInstanceOf(DeliveryError);
    expect(busy?.status).toBe(429);
    expect(busy?.message).toBe('teams: Teams answered 200 but did not post the message (HTTP 429)');
    expect(classifyForQueue(busy)).toBe(busy); // retried

    const tooBig = connectorFailure(
      'teams',
      'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId x',
    );
    expect(classifyForQueue(tooBig)).toBeInstanceOf(UnrecoverableError);

    const vague = connectorFailure(
      'teams',
      'Webhook message delivery failed with error: Error contacting Microsoft Teams endpoint',
    );
    expect(vague?.status).toBeUndefined();
    expect(classifyForQueue(vague)).toBe(vague);
  });
});
