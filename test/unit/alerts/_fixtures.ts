/** Alerts for the unit tests of notifications. */
import type { Alert, AlertFacts, AlertQuote } from '../../../src/domain/alert.js';

/** 10:00 in Paris (winter time), the brand's clock in these tests. */
export const T0 = new Date('2026-03-10T09:00:00Z');
export const TZ = 'Europe/Paris';

/**
 * A delivery wave from 10:00 to 14:00 Paris time: 13 complaints (12 counted, one person wrote
 * two) from 12 people on 4 sites, against 1.04 a day usually.
 */
export function facts(over: Partial<AlertFacts> = {}): AlertFacts {
  return {
    since: T0,
    until: new Date(T0.getTime() + 4 * 3_600_000),
    negatives: 13,
    counted: 12,
    expected: 0.42,
    usualPerDay: 1.04,
    authors: 12,
    sources: 4,
    topAuthorShare: 2 / 13,
    negativeShare: 0.64,
    usualShare: 0.12,
    reshares: 25,
    contagion: 0,
    pValue: 1e-7,
    ...over,
  };
}

export function quote(i: number, over: Partial<AlertQuote> = {}): AlertQuote {
  return {
    mentionId: `m${i}`,
    source: `src-${i}`,
    url: `https://example.com/post/${i}`,
    author: `author ${i}`,
    quote: `quote number ${i}`,
    lang: 'fr',
    reach: 100 * i,
    publishedAt: T0,
    ...over,
  };
}

export function weakLink(over: Partial<Alert> = {}): Alert {
  return {
    id: '65f000000000000000000001',
    kind: 'weak-link',
    key: `weak-link:delivery:${T0.toISOString()}`,
    touchpoint: { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
    severity: 'warning',
    status: 'open',
    title: 'Delivery: negative word of mouth',
    openedAt: T0,
    resolvedAt: null,
    snoozedUntil: null,
    evidence: {
      observed: 12,
      expected: 0.42,
      score: 62,
      facts: facts(),
      negativeShare: 0.64,
      authors: 12,
      sources: ['forum', 'news', 'trustpilot', 'x'],
      reach: 12.3,
      quotes: [quote(1), quote(2), quote(3), quote(4)],
    },
    history: [{ at: T0, kind: 'opened', severity: 'warning' }],
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

export function operational(over: Partial<Alert> = {}): Alert {
  const { touchpoint: _t, ...base } = weakLink();
  return {
    ...base,
    id: '65f000000000000000000002',
    kind: 'operational',
    key: `source-failing:feed:${T0.toISOString()}`,
    sourceId: 'feed',
    title: 'Source feed failing',
    evidence: {
      observed: 5,
      expected: 0,
      score: 2,
      outage: {
        problem: 'failing',
        since: new Date('2026-03-10T07:00:00Z'),
        checkedAt: T0,
        failures: 5,
        lastError: 'HTTP 500',
      },
      negativeShare: 0,
      authors: 0,
      sources: ['feed'],
      reach: 0,
      quotes: [],
    },
    ...over,
  };
}
