import { describe, expect, it } from 'vitest';
import { analyzeMention, type TouchpointLinkFn } from '../../src/analysis/analyze-mention.js';
import type { MentionInput } from '../../src/domain/mention.js';

const mention: MentionInput = {
  source: 'reviews',
  externalId: '1',
  url: 'https://example.com/1',
  author: { id: 'a', name: 'A', followers: 99 },
  text: 'The delivery was late and the support never answered.',
  publishedAt: new Date('2026-01-01T00:00:00Z'),
  engagement: { shares: 2 },
};

const neutral = { score: 0, label: 'neutral' as const, confidence: 0, method: 'test' };
const link: TouchpointLinkFn = () => ({
  relevant: false,
  touchpoints: [
    { id: 'delivery', stage: 'receive', sentiment: neutral, matched: ['delivery'] },
    { id: 'product', stage: 'receive', sentiment: neutral, matched: ['box'] },
    { id: 'support', stage: 'get-help', sentiment: neutral, matched: ['support'] },
  ],
});

describe('analyzeMention', () => {
  it('records language, sentiment, touchpoints, their stages once each, and reach', () => {
    const a = analyzeMention(mention, { link, brandAliases: [], watched: false });
    expect(a.lang).toBe('en');
    expect(a.langDeclared).toBe(false);
    expect(a.sentiment.score).toBeGreaterThanOrEqual(-1);
    expect(a.touchpoints.map((t) => t.id)).toEqual(['delivery', 'product', 'support']);
    expect(a.stages).toEqual(['receive', 'get-help']);
    expect(a.reach.audience).toBe(99 + 200);
  });

  it('lets the watch query decide relevance only for watched sources', () => {
    expect(analyzeMention(mention, { link, brandAliases: [], watched: false }).relevant).toBe(true);
    expect(analyzeMention(mention, { link, brandAliases: [], watched: true }).relevant).toBe(false);
  });

  it('gives the same analysis when run again on its own output', () => {
    const first = analyzeMention(mention, { link, brandAliases: [], watched: true });
    const again = analyzeMention(
      { ...mention, lang: first.lang, langDeclared: first.langDeclared },
      { link, brandAliases: [], watched: true },
    );
    expect(again).toEqual(first);
  });

  it('blanks brand names out for language and sentiment, not for relevance', () => {
    const seen: string[] = [];
    const a = analyzeMention(
      { ...mention, text: 'my order from Maison Lumière' },
      {
        link: (text) => {
          seen.push(text);
          return { relevant: text.includes('Lumière'), touchpoints: [] };
        },
        brandAliases: ['Maison Lumière'],
        watched: true,
      },
    );
    expect(a.lang).toBe('en');
    expect(a.relevant).toBe(true);
    expect(a.sentiment.label).toBe('neutral');
    expect(seen).toEqual(['my order from Maison Lumière', 'my order from  ']);
  });

  it('reads the title with the text', () => {
    let seen = '';
    analyzeMention(
      { ...mention, title: 'Awful' },
      {
        link: (text) => {
          seen = text;
          return { relevant: true, touchpoints: [] };
        },
        brandAliases: [],
        watched: false,
      },
    );
    expect(seen).toBe(`Awful. ${mention.text}`);
  });
});
