import { describe, expect, it } from 'vitest';
import { detectLanguage } from '../../src/analysis/language.js';
import { reachOf } from '../../src/analysis/reach.js';

describe('detectLanguage', () => {
  it('trusts the language the source declared', () => {
    expect(detectLanguage('The parcel was late', { declared: 'fr-FR' })).toEqual({
      code: 'fr',
      confidence: 1,
      declared: true,
    });
  });

  it.each([
    ['Livraison rapide, très content de ma commande', 'fr'],
    ['Le colis est arrivé mardi.', 'fr'],
    ["J'ai attendu trois semaines, le service client ne répond jamais", 'fr'],
    ['Delivery was late again and nobody answers the phone', 'en'],
    ['The parcel arrived on Tuesday.', 'en'],
    ['Worst delivery ever 😡', 'en'],
    ['Das Paket kam viel zu spät an, sehr enttäuschend', 'de'],
    ['El paquete llegó tarde y nadie contesta', 'es'],
  ])('%s → %s', (text, code) => {
    expect(detectLanguage(text).code).toBe(code);
  });

  it('ignores links, handles and hashtags', () => {
    expect(
      detectLanguage('@MaisonLumiere #livraison https://t.co/abc the box was broken').code,
    ).toBe('en');
  });

  it('lets English grammar win over French dish and place names, and the reverse', () => {
    for (const text of [
      'The croissant aux amandes was burnt',
      'Their crêpes are divine but the till was down',
      'The mille-feuille is a joke',
      'Rude staff at the caisse this morning',
      'the pâtisserie was closed again',
    ]) {
      expect(detectLanguage(text).code, text).toBe('en');
    }
    for (const text of [
      'Le cold brew de ce matin est imbuvable',
      'La livraison Uber Eats était en retard',
      'Le staff est super friendly',
    ]) {
      expect(detectLanguage(text).code, text).toBe('fr');
    }
  });

  it('keeps other languages tinyld is sure of', () => {
    expect(detectLanguage('Der Kaffee war kalt und das Personal unfreundlich').code).toBe('de');
    expect(detectLanguage('Il caffè era freddo e il personale scortese').code).toBe('it');
  });

  it('says und when there is nothing to go on', () => {
    expect(detectLanguage('👍👍').code).toBe('und');
  });
});

describe('reachOf', () => {
  it('counts the author when nothing else is known', () => {
    expect(reachOf({ author: {} })).toEqual({ audience: 1, score: 0.301 });
  });

  it('adds followers and weighs shares over replies over likes', () => {
    const r = reachOf({
      author: { followers: 900 },
      engagement: { shares: 1, replies: 1, likes: 1 },
    });
    expect(r.audience).toBe(900 + 100 + 10 + 2);
    expect(r.score).toBeCloseTo(Math.log10(1013), 3);
    const share = reachOf({ author: {}, engagement: { shares: 1 } }).score;
    const reply = reachOf({ author: {}, engagement: { replies: 1 } }).score;
    const like = reachOf({ author: {}, engagement: { likes: 1 } }).score;
    expect(share).toBeGreaterThan(reply);
    expect(reply).toBeGreaterThan(like);
  });

  it('grows with the logarithm of the audience, so one star does not drown a crowd', () => {
    const star = reachOf({ author: { followers: 1_000_000 } }).score;
    const nobody = reachOf({ author: { followers: 100 } }).score;
    expect(star).toBeCloseTo(6, 2);
    expect(star / nobody).toBeLessThan(4);
  });
});
