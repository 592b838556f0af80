/** Alerts for the unit tests of notifications. */
import type { Alert, AlertQuote } from '../../../src/domain/alert.js';

export const T0 = new Date('2026-03-10T09:00:00Z');

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
      observed: 14,
      expected: 3.24,
      score: 4.2,
      reasons: ['14 negative vs 3.2 expected'],
      negativeShare: 0.62,
      authors: 9,
      sources: ['trustpilot', 'x'],
      reach: 12_300,
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
      reasons: ['no successful poll since 2026-03-10T07:00:00.000Z', 'last error: HTTP 500'],
      negativeShare: 0,
      authors: 0,
      sources: ['feed'],
      reach: 0,
      quotes: [],
    },
    ...over,
  };
}
