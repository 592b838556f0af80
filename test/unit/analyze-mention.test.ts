import { describe, expect, it } from 'vitest';
import { analyzeMention, type TouchpointLinkFn } from '../../src/analysis/analyze-mention.js';
import type { MentionInput, SentimentResult } from '../../src/domain/mention.js';

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

describe('analyzeMention: a touchpoint agrees with a clear mention that names only it', () => {
  const at = (label: 'negative' | 'neutral' | 'positive', score: number, confidence = 0.6) => ({
    score,
    label,
    confidence,
    method: 'linker',
  });
  const one =
    (sentiment: ReturnType<typeof at>): TouchpointLinkFn =>
    () => ({
      relevant: true,
      touchpoints: [{ id: 'delivery', stage: 'receive', sentiment, matched: ['delivery'] }],
    });
  const analyze = (text: string, linkFn: TouchpointLinkFn, rating?: number) =>
    analyzeMention(
      { ...mention, text, ...(rating !== undefined ? { rating } : {}) },
      { link: linkFn, brandAliases: [], watched: false },
    );

  it('takes the negative of a complaint whose opinion sits outside the keyword clause', () => {
    const a = analyze(
      'Booked a delivery slot for Friday. Five days on and still nothing.',
      one(at('neutral', 0, 0.4)),
    );
    expect(a.sentiment.label).toBe('negative');
    expect(a.touchpoints[0]?.sentiment.label).toBe('negative');
    expect(a.touchpoints[0]?.sentiment.method).toMatch(/\+mention$/);
    expect(a.facets).toContain('tp:delivery:negative');
    expect(a.facets).not.toContain('tp:delivery:neutral');
  });

  it('overrides a positive touchpoint in a clearly negative mention', () => {
    const a = analyze(
      'Delivery, sure, quick. The cake inside was crushed and nobody answers. Never again.',
      one(at('positive', 0.4)),
    );
    expect(a.touchpoints[0]?.sentiment.label).toBe('negative');
  });

  it('takes a one-star rating when the text says little', () => {
    const a = analyze('About my delivery.', one(at('neutral', 0, 0.4)), 1);
    expect(a.touchpoints[0]?.sentiment.label).toBe('negative');
  });

  it('gives a neutral touchpoint the praise of a clearly positive mention', () => {
    const a = analyze(
      'Delivery on Saturday morning. Wonderful cakes, lovely staff, thank you!',
      one(at('neutral', 0, 0.4)),
    );
    expect(a.touchpoints[0]?.sentiment.label).toBe('positive');
  });

  it('keeps a clear complaint about the touchpoint inside an otherwise glowing mention', () => {
    const a = analyze(
      'Wonderful cakes, lovely staff, thank you! Delivery took a week though.',
      one(at('negative', -0.6)),
    );
    expect(a.sentiment.label).toBe('positive');
    expect(a.touchpoints[0]?.sentiment.label).toBe('negative');
  });

  it('lets praise stand when the complaint was answered within its own sentence', () => {
    const checkout: TouchpointLinkFn = (text) => ({
      relevant: true,
      touchpoints: text.includes('payment')
        ? [{ id: 'checkout', stage: 'buy', sentiment: at('negative', -0.6), matched: ['payment'] }]
        : [],
    });
    const a = analyze(
      'Had a problem with the card payment but they sorted it out at once. Lovely people, thank you!',
      checkout,
    );
    expect(a.sentiment.label).toBe('positive');
    expect(a.touchpoints[0]?.sentiment.label).toBe('positive');
  });

  it('gives a clear mention naming several to those without an opinion, when none shares it', () => {
    const two =
      (delivery: SentimentResult): TouchpointLinkFn =>
      () => ({
        relevant: true,
        touchpoints: [
          { id: 'delivery', stage: 'receive', sentiment: delivery, matched: ['x'] },
          { id: 'support', stage: 'get-help', sentiment: at('neutral', 0, 0.4), matched: ['y'] },
        ],
      });
    const none = analyze('Awful, awful, awful. Never again.', two(at('positive', 0.5)));
    expect(none.touchpoints.map((t) => t.sentiment.label)).toEqual(['positive', 'negative']);
    const shared = analyze('Awful, awful, awful. Never again.', two(at('negative', -0.5)));
    expect(shared.touchpoints.map((t) => t.sentiment.label)).toEqual(['negative', 'neutral']);
  });

  it('leaves touchpoints alone when the mention is not clear', () => {
    const unclear = analyze('The delivery came on Tuesday.', one(at('positive', 0.3)));
    expect(unclear.touchpoints[0]?.sentiment.label).toBe('positive');
  });
});

describe('analyzeMention: brand names and closing emoji', () => {
  const seenBy = (text: string, brandAliases: string[]) => {
    const seen: string[] = [];
    const a = analyzeMention(
      { ...mention, text },
      {
        link: (t) => {
          seen.push(t);
          return { relevant: true, touchpoints: [] };
        },
        brandAliases,
        watched: false,
      },
    );
    return { a, masked: seen[0] ?? '' };
  };

  it.each([
    'Le Petit Fournil',
    'le petit fournil',
    'LE PETIT FOURNIL',
    'LePetitFournil',
    'le-petit-fournil',
    '#LePetitFournil',
    '@lepetitfournil',
    'le_petit_fournil',
    'lepetitfournil.fr',
  ])('blanks out the brand written as %s', (written) => {
    const { masked } = seenBy(`Card charged twice at ${written} this morning`, [
      'Le Petit Fournil',
    ]);
    expect(masked).not.toMatch(/petit|fournil/i);
    expect(masked).toMatch(/^Card charged twice at\s+this morning$/);
  });

  it('finds names with or without accents and ligatures, either way round', () => {
    const { masked } = seenBy('Cafe Etoile, Café Étoile, CaféÉtoile and Sœur Anne, Soeur Anne', [
      'Café Étoile',
      'Soeur Anne',
    ]);
    expect(masked).not.toMatch(/[ée]toile|anne/i);
  });

  it('does not blank out a word that only starts like the brand', () => {
    const { masked } = seenBy('La maison lumineuse du coin', ['Maison Lumière']);
    expect(masked).toBe('La maison lumineuse du coin');
  });

  it('reads English mentions of a French-named brand as English', () => {
    const brand = ['Le Petit Fournil', 'petitfournil', 'La Belle Équipe'];
    for (const text of [
      'Le Petit Fournil charged me twice',
      'Cold latte at La Belle Equipe',
      'LePetitFournil app crashed again at checkout',
      'Worst morning ever at le-petit-fournil',
      '#LePetitFournil still no refund',
    ]) {
      expect(seenBy(text, brand).a.lang).toBe('en');
    }
  });

  it('reads French mentions of an English-named brand as French', () => {
    const brand = ['The Daily Grind Coffee House', 'The Daily Grind', 'dailygrind'];
    for (const text of [
      'The Daily Grind Coffee House m’a débité deux fois',
      'Commande chez TheDailyGrindCoffeeHouse jamais arrivée',
      'Toujours pas de réponse de @dailygrind',
      'The Daily Grind, jamais reçu',
      'Super accueil The Daily Grind Coffee House',
      'Nul de chez nul, The-Daily-Grind',
    ]) {
      expect(seenBy(text, brand).a.lang).toBe('fr');
    }
  });

  it('keeps an emoji after the full stop with the sentence it closes', () => {
    const { a, masked } = seenBy('Still no refund!! 🤬 Support is closed.', []);
    expect(masked).toBe('Still no refund 🤬!! Support is closed.');
    expect(a.sentiment.label).toBe('negative');
  });
});
