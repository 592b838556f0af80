/**
 * The evidence of a weak-link wave as the channel and notification tests send it: twelve
 * complaints against 2.5 usually, with the quotes each test wants.
 */
import type { AlertEvidence, AlertQuote } from '../../src/domain/alert.js';

export function waveEvidence(quotes: AlertQuote[] = []): AlertEvidence {
  return {
    observed: 12,
    expected: 2.5,
    score: 4,
    facts: {
      since: new Date('2026-03-01T09:00:00Z'),
      until: new Date('2026-03-01T12:00:00Z'),
      negatives: 12,
      counted: 12,
      expected: 2.5,
      usualPerDay: 3,
      authors: 8,
      sources: 1,
      topAuthorShare: 0.25,
      negativeShare: 0.7,
      usualShare: 0.15,
      reshares: 0,
      contagion: 0,
      pValue: 1e-5,
    },
    negativeShare: 0.7,
    authors: 8,
    sources: ['push'],
    reach: 4200,
    quotes,
  };
}
