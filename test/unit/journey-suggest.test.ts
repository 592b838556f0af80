import { describe, expect, it } from 'vitest';
import { suggestKeywords, type SuggestMention } from '../../src/analysis/journey-suggest.js';
import type { Touchpoint } from '../../src/analysis/journey.js';

const delivery: Touchpoint = {
  id: 'delivery',
  stage: 'receive',
  label: { fr: 'Livraison', en: 'Delivery' },
  keywords: { fr: ['livraison', 'colis'], en: ['delivery', 'parcel', 'never arrived'] },
  exclude: [],
};

let n = 0;
const missed = (text: string, lang = 'en'): SuggestMention => ({
  id: `m${n++}`,
  text,
  lang,
  touchpoints: [],
});
const linked = (text: string, lang = 'en', label = 'negative'): SuggestMention => ({
  id: `l${n++}`,
  text,
  lang,
  touchpoints: [{ id: 'delivery', label }],
});

const suggest = (mentions: SuggestMention[]) =>
  suggestKeywords(mentions, {
    touchpoints: [delivery],
    brandNames: ['Acme Café', 'acmecafe'],
    limit: 10,
  }).suggestions.map((s) => [s.term, s.count]);

describe('journey suggestions', () => {
  it('keep an idiom whole rather than its words, and two plain words apart', () => {
    expect(
      suggest([
        missed('The barista rolled her eyes at us.'),
        missed('And the barista rolled her eyes again!'),
      ]),
    ).toEqual([
      ['rolled her eyes', 2],
      ['barista', 2],
    ]);
  });

  it('count a word once per mention, and not below two mentions', () => {
    expect(suggest([missed('Latte, latte, latte. Cold latte.'), missed('Scone')])).toEqual([]);
  });

  it('leave out the brand, handles, links, numbers and what the journey already knows', () => {
    expect(
      suggest([
        missed('Acme Café @bob_smith: the parcel never arrived, 3 weeks https://x.co/abc'),
        missed('@bob_smith acmecafe parcel never arrived after 3 weeks'),
      ]),
    ).toEqual([['weeks', 2]]);
  });

  it('drop words as common in linked complaints (anger), keep the trade vocabulary', () => {
    expect(
      suggest([
        missed('Awful: the croissant was stale.'),
        missed('Stale croissant, awful.'),
        linked('Awful delivery.'),
        linked('Delivery late, awful.'),
      ]),
    ).toEqual([
      ['croissant', 2],
      ['stale', 2],
    ]);
  });

  it('count a complaint linked only with a positive touchpoint as missed', () => {
    const r = suggestKeywords(
      [linked('Fast delivery but cold latte', 'en', 'positive'), missed('cold latte again')],
      { touchpoints: [delivery], brandNames: [], limit: 5 },
    );
    expect(r.missed).toBe(2);
    expect(r.suggestions.map((s) => s.term)).toEqual(['cold', 'latte']);
  });

  it('stem per language, keep accents on screen, and open phrases with a negation', () => {
    expect(
      suggest([
        missed('Pas un bonjour, café tiède', 'fr'),
        missed('pas un bonjour et cafés tièdes', 'fr'),
      ]),
    ).toEqual([
      ['pas un bonjour', 2],
      ['café', 2],
      ['tiède', 2],
    ]);
  });
});
