import { describe, expect, it } from 'vitest';
import { csvRow } from '../../../src/api/handlers/export-mentions.js';
import type { Mention } from '../../../src/domain/mention.js';

const mention = (over: Partial<Mention>): Mention => ({
  id: 'a'.repeat(24),
  source: 'reviews',
  externalId: 'r1',
  url: 'https://reviews.example/r1',
  author: { id: '@lea', name: '=cmd|calc' },
  text: 'Livraison lente',
  publishedAt: new Date('2026-11-02T10:00:00Z'),
  fetchedAt: new Date('2026-11-02T10:05:00Z'),
  status: 'analyzed',
  sentiment: { score: -0.5, label: 'negative', confidence: 0.8, method: 'test' },
  ...over,
});

describe('a CSV row of the export', () => {
  it('neutralises text cells a spreadsheet would run as a formula, and leaves numbers be', () => {
    const row = csvRow(mention({ title: '+33 6 12', text: '-1 étoile, =SUM(A1)' }));
    expect(row).toContain("'@lea");
    expect(row).toContain("'=cmd|calc");
    expect(row).toContain("'+33 6 12");
    expect(row).toContain("'-1 étoile, =SUM(A1)");
    // The sentiment score stays a number (not a text with an apostrophe).
    expect(row).toContain(-0.5);
    expect(row).toContain('negative');
  });

  it('lists touchpoints with their sentiment, and leaves absent values empty', () => {
    const row = csvRow(
      mention({
        touchpoints: [
          {
            id: 'delivery',
            stage: 'receive',
            sentiment: { score: -0.6, label: 'negative', confidence: 1, method: 'test' },
            matched: ['livraison'],
          },
        ],
        stages: ['receive'],
      }),
    );
    expect(row).toContain('delivery:negative');
    expect(row).toContain('receive');
    expect(row[9]).toBe(''); // no rating
  });
});
