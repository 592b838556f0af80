/**
 * Competitors for share of voice: configured in touchpoints.yaml's brand section (ids unique,
 * never the brand's own key), found in a text like the brand's names (glued, hyphenated, without
 * accents, as a handle), blanked out for sentiment like them, and what a read mention
 * contributes to the counts under them.
 */
import { describe, expect, it } from 'vitest';
import { analyzeMention, type TouchpointLinkFn } from '../../../src/analysis/analyze-mention.js';
import {
  competitorNames,
  OWN_BRAND_ID,
  touchpointsFileSchema,
  watchedBrands,
} from '../../../src/analysis/brand.js';
import type { MentionInput } from '../../../src/domain/mention.js';
import { contributionOf, counted } from '../../../src/ingest/accept.js';

const file = (competitors: unknown) =>
  touchpointsFileSchema.safeParse({
    brand: { name: 'Maison Lumière', competitors },
    touchpoints: [
      {
        id: 'delivery',
        stage: 'receive',
        label: { fr: 'Livraison', en: 'Delivery' },
        keywords: { fr: ['livraison'], en: ['delivery'] },
      },
    ],
  });

const brand = {
  name: 'Maison Lumière',
  competitors: [
    { id: 'atelier-brume', name: 'Atelier Brume', aliases: ['@atelierbrume'] },
    { id: 'nordlys', name: 'Nordlys', aliases: [] },
    { id: 'happy-home', name: 'Happy Home', aliases: [] },
  ],
};

describe('competitors in touchpoints.yaml', () => {
  it('are optional, each with an id, a name and aliases', () => {
    const none = file(undefined);
    expect(none.success && none.data.brand.competitors).toEqual([]);
    const two = file([{ id: 'nordlys', name: 'Nordlys' }, brand.competitors[0]]);
    expect(two.success && two.data.brand.competitors).toEqual([
      { id: 'nordlys', name: 'Nordlys', aliases: [] },
      brand.competitors[0],
    ]);
    expect(watchedBrands(brand).map((b) => [b.id, b.own])).toEqual([
      [OWN_BRAND_ID, true],
      ['atelier-brume', false],
      ['nordlys', false],
      ['happy-home', false],
    ]);
  });

  it("refuse a duplicate id, the brand's own key and an id that is not a slug", () => {
    const issues = (competitors: unknown) =>
      file(competitors).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(
      issues([
        { id: 'x', name: 'X' },
        { id: 'x', name: 'Y' },
      ]),
    ).toEqual(['brand.competitors.1.id: duplicate id "x"']);
    expect(issues([{ id: OWN_BRAND_ID, name: 'X' }])).toEqual([
      `brand.competitors.0.id: "${OWN_BRAND_ID}" is the brand's own key`,
    ]);
    expect(issues([{ id: 'Big Rival', name: 'X' }])).toHaveLength(1);
  });
});

describe('a mention naming competitors', () => {
  const link: TouchpointLinkFn = (text) => ({
    relevant: /lumi[eè]re/i.test(text),
    touchpoints: [],
  });
  const analyze = (text: string, competitors = competitorNames(brand)) =>
    analyzeMention(
      {
        source: 'reviews',
        externalId: '1',
        url: 'https://example.com/1',
        author: { id: 'a', name: 'A', followers: 10 },
        text,
        lang: 'en',
        publishedAt: new Date('2026-01-01T00:00:00Z'),
      } satisfies MentionInput,
      {
        link,
        brandAliases: ['Maison Lumière'],
        competitors,
        watched: true,
      },
    );

  it('names them like the brand: glued, hyphenated, without accents, as a handle', () => {
    expect(analyze('Ordered from atelier-brume and AtelierBrume again').competitors).toEqual([
      'atelier-brume',
    ]);
    expect(analyze('@atelierbrume vs #nordlys').competitors).toEqual(['atelier-brume', 'nordlys']);
    // A word that merely contains a name is not the name.
    expect(analyze('The nordlysian lights were lovely').competitors).toBeUndefined();
  });

  it('blanks them out for sentiment ("Happy Home" is a name, not an opinion)', () => {
    expect(analyze('Happy Home shipped my lamp.', []).sentiment.label).toBe('positive');
    const a = analyze('Happy Home shipped my lamp.');
    expect(a.sentiment.label).toBe('neutral');
    expect(a.competitors).toEqual(['happy-home']);
  });

  it('counts under its competitors even when the watch query excludes it', () => {
    const rivalOnly = analyze('Nordlys delivery was awful, never again.');
    expect(rivalOnly.relevant).toBe(false);
    expect(counted(rivalOnly)).toBe(true);
    const m = {
      source: 'reviews',
      externalId: '1',
      url: 'https://example.com/1',
      author: { id: 'a', name: 'A', followers: 10 },
      text: 'x',
      publishedAt: new Date('2026-01-01T00:00:00Z'),
    };
    expect(contributionOf('id', m, rivalOnly)).toMatchObject({
      relevant: false,
      brands: ['nordlys'],
      overall: 'negative',
      audience: 10,
    });
    expect(contributionOf('id', m, rivalOnly).score).toBeLessThan(0);
    const none = analyze('A lovely day.');
    expect(counted(none)).toBe(false);
    expect(contributionOf('id', m, analyze('Maison Lumière is great')).brands).toBeUndefined();
  });
});
