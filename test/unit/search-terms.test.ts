import { describe, expect, it } from 'vitest';
import {
  authorKey,
  highlightsOf,
  indexKeysOf,
  matchesSearch,
  parseSearch,
  planOf,
  termKeysOf,
  tokenSpans,
} from '../../src/analysis/search-terms.js';
import { tokenize } from '../../src/analysis/text.js';
import { ValidationError } from '../../src/errors.js';

const analysis = {
  lang: 'fr',
  sentiment: { label: 'negative' as const },
  relevant: true,
  facets: ['tp:delivery', 'tp:delivery:negative', 'stage:receive', 'stage:receive:negative'],
};

describe('index keys of a mention', () => {
  it('holds its facets and the stems of its words in its language, stop words out', () => {
    const keys = indexKeysOf(
      {
        source: 'trustpilot',
        title: 'Très déçue',
        text: "Les livraisons n'arrivent jamais, l'accueil est nul.",
        author: { id: 'u1' },
        rating: 1,
      },
      analysis,
    );
    expect(keys).toEqual(
      expect.arrayContaining([
        '*',
        'src:trustpilot',
        'lang:fr',
        'sent:negative',
        'tp:delivery:negative',
        'stage:receive:negative',
        'rating:1',
        authorKey('u1'),
        't:fr:livraison',
        't:fr:accueil',
        't:fr:decu',
      ]),
    );
    // Stop words and one-letter elisions are not indexed; no English stems for a French text.
    expect(keys.filter((k) => k.startsWith('t:en:'))).toEqual([]);
    expect(keys).not.toContain('t:fr:le');
    expect(keys).not.toContain('t:fr:l');
    expect(keys).not.toContain('rel:false');
    // A touchpoint whatever its sentiment is looked up as its three labels.
    expect(keys).not.toContain('tp:delivery');
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('indexes a text in neither language under both, and marks an excluded one', () => {
    const keys = indexKeysOf(
      { source: 'x', text: 'Delivery livraison', author: { id: 'a' } },
      { ...analysis, lang: 'und', relevant: false, facets: [] },
    );
    expect(keys).toEqual(expect.arrayContaining(['t:fr:livraison', 't:en:deliveri', 'rel:false']));
    expect(termKeysOf('the delivery', 'en')).toEqual(['t:en:deliveri']);
  });
});

describe('tokens with their spans', () => {
  it('gives the tokens of tokenize, each where it is in the original text', () => {
    const texts = [
      "L'accueil était nul, jusqu'à la livraison.",
      'Maison Lumière’s website — déçu!! œuvre Straße',
      'Qu’il soit livré aujourd’hui, 12,50 € #promo @maison',
      'e\u0301te\u0301 NFD décomposé',
      "don't it's l'",
    ];
    for (const s of texts) {
      const spans = tokenSpans(s);
      expect(spans.map((t) => t.token)).toEqual(tokenize(s));
      for (const t of spans) expect(s.slice(t.start, t.end).length).toBeGreaterThan(0);
    }
    const s = "L'accueil et la livraison";
    const [l, accueil] = tokenSpans(s);
    expect(s.slice(l!.start, l!.end)).toBe('L');
    expect(s.slice(accueil!.start, accueil!.end)).toBe('accueil');
  });
});

describe('the search box', () => {
  it('reads words, quoted phrases and exclusions', () => {
    const q = parseSearch('livraison "colis perdu" -remboursement -"bon service" «très lent');
    expect(q.terms).toEqual([
      { text: 'livraison', exact: false, exclude: false, tokens: ['livraison'] },
      { text: 'colis perdu', exact: true, exclude: false, tokens: ['colis', 'perdu'] },
      { text: 'remboursement', exact: false, exclude: true, tokens: ['remboursement'] },
      { text: 'bon service', exact: true, exclude: true, tokens: ['bon', 'service'] },
      // An unclosed quote runs to the end.
      { text: 'très lent', exact: true, exclude: false, tokens: ['tres', 'lent'] },
    ]);
  });

  it('refuses a query with nothing to look for', () => {
    expect(() => parseSearch('!!! ...')).toThrow(ValidationError);
    expect(() => parseSearch('-livraison')).toThrow(ValidationError);
  });

  it('plans every word under its French or English stem, facets beside', () => {
    const plan = planOf({
      q: parseSearch('livraisons -retard'),
      touchpoint: 'delivery',
      sentiment: 'negative',
      ratingMin: 4,
    });
    expect(plan).toEqual({
      all: [
        ['tp:delivery:negative'],
        ['rating:4', 'rating:5'],
        ['t:fr:livraison', 't:en:livraison'],
      ],
      none: ['t:fr:retard', 't:en:retard'],
      relevant: true,
    });
    // A stop word is looked for among the mentions indexed in that language, checked on the text.
    expect(planOf({ q: parseSearch('pas') }).all).toEqual([['*', 't:en:pa']]);
    expect(planOf({ touchpoint: 'delivery' }).all).toEqual([
      ['tp:delivery:negative', 'tp:delivery:neutral', 'tp:delivery:positive'],
    ]);
    expect(planOf({})).toEqual({ all: [['*']], none: [], relevant: true });
    expect(planOf({ relevant: false, sentiment: 'positive' }).all).toEqual([
      ['sent:positive'],
      ['rel:false'],
    ]);
  });
});

describe('the check on a fetched mention', () => {
  const m = {
    title: 'Colis perdu',
    text: 'Les livraisons sont lentes et le service client ne répond pas.',
    lang: 'fr',
    rating: 2,
  };
  const matches = (q: string, extra = {}) => matchesSearch(m, { q: parseSearch(q), ...extra });

  it('finds words by stem, phrases exactly, in the title or the text', () => {
    expect(matches('livraison')).toBe(true);
    expect(matches('"service client"')).toBe(true);
    expect(matches('"client service"')).toBe(false);
    expect(matches('"colis perdu" livraison')).toBe(true);
    expect(matches('"perdu livraisons"')).toBe(false); // title and text are not one field
    expect(matches('remboursement')).toBe(false);
    expect(matches('livraison -lent')).toBe(false);
    expect(matches('livraison -"service rapide"')).toBe(true);
    expect(matches('"ne répond pas"')).toBe(true); // stop words, as written
    expect(matches('pas')).toBe(true);
  });

  it('checks the rating range', () => {
    expect(matchesSearch(m, { ratingMax: 2 })).toBe(true);
    expect(matchesSearch(m, { ratingMin: 3 })).toBe(false);
    expect(matchesSearch({ ...m, rating: undefined }, { rating: 2 })).toBe(false);
  });
});

describe('highlights', () => {
  it('are the spans of the search words and of the touchpoint keywords, never markup', () => {
    const text = 'Livraison en retard, mais <b>le livreur</b> était adorable. Livraisons!';
    const hs = highlightsOf(
      {
        text,
        lang: 'fr',
        touchpoints: [{ id: 'delivery', matched: ['livreur', 'retard de livraison'] }],
      },
      parseSearch('livraison "en retard"'),
    );
    const shown = hs.map((h) => [h.kind, text.slice(h.start, h.end), h.touchpoint ?? '']);
    expect(shown).toEqual([
      ['search', 'Livraison', ''],
      ['search', 'en retard', ''],
      ['touchpoint', 'livreur', 'delivery'],
      ['search', 'Livraisons', ''],
    ]);
    expect(hs.every((h) => h.field === 'text')).toBe(true);
  });

  it('finds a title match in the title', () => {
    const hs = highlightsOf({ title: 'Très déçue', text: 'Rien à dire.' }, parseSearch('déçu'));
    expect(hs).toEqual([{ field: 'title', start: 5, end: 10, kind: 'search' }]);
  });
});
