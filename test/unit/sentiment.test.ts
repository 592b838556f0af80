import { describe, expect, it } from 'vitest';
import { scoreSentiment } from '../../src/analysis/sentiment.js';

const en = (text: string, rating?: number) => scoreSentiment(text, { lang: 'en', rating });
const fr = (text: string, rating?: number) => scoreSentiment(text, { lang: 'fr', rating });

describe('scoreSentiment: labels', () => {
  it('labels clearly negative and positive text, in both languages', () => {
    const neg = en('Terrible service, the parcel arrived broken and the staff were rude.');
    expect(neg.label).toBe('negative');
    expect(neg.confidence).toBeGreaterThan(0.5);
    expect(neg.method).toBe('lexicon-en-v2');
    expect(en('Wonderful shop, lovely staff and excellent quality. I love it!').label).toBe(
      'positive',
    );
    expect(fr('Service horrible, colis abîmé et vendeur désagréable.').label).toBe('negative');
    expect(fr('Boutique formidable, personnel charmant, je recommande !').label).toBe('positive');
  });

  it('keeps a real neutral for text without opinion', () => {
    for (const r of [en('The parcel arrived on Tuesday.'), fr('Le colis est arrivé mardi.')]) {
      expect(r.score).toBe(0);
      expect(r.label).toBe('neutral');
      expect(r.confidence).toBeGreaterThan(0);
      expect(r.confidence).toBeLessThan(0.5);
    }
  });

  it('treats an undefined language as English and a regional tag as its language', () => {
    expect(scoreSentiment('awful').label).toBe('negative');
    expect(scoreSentiment('nul', { lang: 'fr-CA' }).label).toBe('negative');
  });

  it('never guesses in another language: neutral, low confidence', () => {
    for (const lang of ['de', 'es', 'ru']) {
      const r = scoreSentiment('Das ist schlecht, terrible, awful', { lang });
      expect(r).toEqual({ score: 0, label: 'neutral', confidence: 0.1, method: 'none-v2' });
    }
  });

  it('is more confident with more opinion words', () => {
    expect(en('The delivery was bad, late and awful.').confidence).toBeGreaterThan(
      en('The delivery was bad.').confidence,
    );
  });
});

describe('scoreSentiment: negation', () => {
  it('turns "not good" negative and "not bad" mildly positive', () => {
    expect(en('The food was good').score).toBeGreaterThan(0);
    expect(en('The food was not good').label).toBe('negative');
    expect(en("The food wasn't good").label).toBe('negative');
    expect(en('The food was bad').label).toBe('negative');
    const notBad = en('The food was not bad');
    expect(notBad.label).toBe('positive');
    expect(notBad.score).toBeLessThan(en('The food was good').score);
  });

  it("reads French negation: ne ... pas, n'est pas, ne ... plus, jamais, sans", () => {
    expect(fr('Le film est bon').label).toBe('positive');
    expect(fr("Le film n'est pas bon").label).toBe('negative');
    expect(fr('Je ne recommande pas ce vendeur').label).toBe('negative');
    expect(fr("L'imprimante ne fonctionne plus").label).toBe('negative');
    expect(fr('Colis jamais reçu').label).toBe('negative');
    expect(fr('Livraison sans problème').label).toBe('positive');
  });

  it('reads "pas terrible" as negative, as French speakers mean it ("not great")', () => {
    expect(fr("Le service n'est pas terrible").label).toBe('negative');
    expect(fr('Pas mal du tout, ce restaurant').label).toBe('positive');
  });

  it('reads implicit complaints in English: never received, does not work, stopped working', () => {
    expect(en('I never received my order').label).toBe('negative');
    expect(en("The charger doesn't work").label).toBe('negative');
    expect(en('It stopped working after a week').label).toBe('negative');
  });

  it('reads an unanswered support line as a complaint, and "support" as a place, not praise', () => {
    expect(en('Third week waiting for my refund, support does not answer.').label).toBe('negative');
    expect(en('They never called back.').label).toBe('negative');
    expect(en('Support answered in five minutes, perfect.').label).toBe('positive');
    expect(en('I contacted customer support about my order.').label).toBe('neutral');
    expect(fr('Le SAV ne rappelle jamais.').label).toBe('negative');
    expect(fr('Ils ne répondent à aucun mail.').label).toBe('negative');
  });

  it('does not negate "ne ... que", which restricts', () => {
    expect(fr("Il n'y a que du bon dans ce film").label).toBe('positive');
  });

  it('stops negation at the end of the clause', () => {
    expect(en('Not cheap, but excellent').label).toBe('positive');
    expect(fr('Pas donné, mais excellent').label).toBe('positive');
  });
});

describe('scoreSentiment: intensity', () => {
  it('raises |score| with intensifiers and lowers it with diminishers', () => {
    expect(en('The staff was extremely rude').score).toBeLessThan(en('The staff was rude').score);
    expect(en('The staff was very helpful').score).toBeGreaterThan(
      en('The staff was helpful').score,
    );
    expect(en('The staff was slightly rude').score).toBeGreaterThan(en('The staff was rude').score);
    expect(fr('Le personnel est très aimable').score).toBeGreaterThan(
      fr('Le personnel est aimable').score,
    );
    expect(fr('Le personnel est vraiment désagréable').score).toBeLessThan(
      fr('Le personnel est désagréable').score,
    );
    expect(fr('Le personnel est un peu désagréable').score).toBeGreaterThan(
      fr('Le personnel est désagréable').score,
    );
  });

  it('reads "too" / "trop" before a neutral word as a complaint, before an opinion as a boost', () => {
    expect(en('The jacket is too small').label).toBe('negative');
    expect(fr('Beaucoup trop cher').label).toBe('negative');
    expect(fr("C'est trop bien").score).toBeGreaterThan(fr("C'est bien").score);
    expect(en('Me too').label).toBe('neutral');
  });

  it('raises |score| for capitals and exclamation marks', () => {
    expect(en('The service was TERRIBLE').score).toBeLessThan(en('The service was terrible').score);
    expect(en('TERRIBLE!!!').score).toBeLessThan(en('terrible').score);
    expect(fr('Service NUL').score).toBeLessThan(fr('Service nul').score);
    expect(fr('Génial !!!').score).toBeGreaterThan(fr('Génial').score);
  });
});

describe('scoreSentiment: spelling', () => {
  it('splits French elisions', () => {
    expect(fr("J'adore cette boutique").label).toBe('positive');
    expect(fr("J'adore cette boutique").score).toBe(fr('Adore cette boutique').score);
  });

  it('matches with or without accents, and inflected forms', () => {
    const s = fr('Je suis déçu').score;
    expect(s).toBeLessThan(0);
    expect(fr('Je suis deçu').score).toBe(s);
    expect(fr('Je suis decu').score).toBe(s);
    expect(fr('Je suis DÉÇU').score).toBeLessThan(0);
    expect(fr('Elle est déçue').score).toBe(s);
  });

  it('reads elongations and typographic apostrophes', () => {
    expect(en('sooo goooood').label).toBe('positive');
    expect(en('It doesn’t work').label).toBe('negative');
  });
});

describe('scoreSentiment: emoji and emoticons', () => {
  it('scores emoji and emoticons in both languages', () => {
    for (const f of [en, fr]) {
      expect(f('Livraison :)').label).toBe('positive');
      expect(f('Livraison :(').label).toBe('negative');
      expect(f('Livraison 😡').label).toBe('negative');
      expect(f('Livraison 😍').label).toBe('positive');
      expect(f('Livraison 👍').label).toBe('positive');
      expect(f('Livraison 👍🏽').label).toBe('positive');
    }
  });

  it('does not read a URL as an emoticon', () => {
    expect(en('see https://example.com/page').label).toBe('neutral');
  });
});

describe('scoreSentiment: contrast', () => {
  it('weighs the clause after "but" / "mais" more', () => {
    expect(en('The staff was nice but the delivery was awful').label).toBe('negative');
    expect(en('The delivery was awful but the staff was nice').label).toBe('positive');
    expect(fr('Livraison lente mais personnel adorable').label).toBe('positive');
    expect(fr('Personnel adorable mais livraison catastrophique').label).toBe('negative');
  });

  it('reads "however", "cependant", "pourtant" across sentences', () => {
    expect(en('The room was lovely. However, the breakfast was awful.').label).toBe('negative');
    expect(fr('La chambre était belle. Cependant, le petit-déjeuner était infect.').label).toBe(
      'negative',
    );
    expect(fr('Le film était long, pourtant passionnant.').label).toBe('positive');
  });
});

describe('scoreSentiment: star rating', () => {
  it('takes the sign of the rating when the text has no opinion', () => {
    expect(en('The parcel arrived on Tuesday.', 1).label).toBe('negative');
    expect(en('The parcel arrived on Tuesday.', 5).label).toBe('positive');
    expect(fr('Le colis est arrivé mardi.', 1).label).toBe('negative');
    expect(en('The parcel arrived on Tuesday.', 3).label).toBe('neutral');
  });

  it('lowers a glowing text with one star, and says it is less sure', () => {
    const text = 'Absolutely wonderful, I love it!';
    const alone = en(text);
    const withOne = en(text, 1);
    expect(withOne.score).toBeLessThan(alone.score);
    expect(withOne.method).toBe('lexicon-en-v2+rating');
    expect(withOne.confidence).toBeLessThan(en(text, 5).confidence);
  });

  it('uses the rating alone in an unsupported language', () => {
    expect(scoreSentiment('Sehr schlecht', { lang: 'de', rating: 1 }).label).toBe('negative');
  });
});

describe('scoreSentiment: bounds', () => {
  it('keeps the score within [-1, 1] and the confidence within [0, 1]', () => {
    const texts = [
      '',
      '   ',
      'bad',
      'awful horrible terrible disgusting hate '.repeat(200),
      'superb outstanding excellent amazing love '.repeat(200),
      'NUL NUL NUL !!!!!!!!!! 😡😡😡😡 :( :( :(',
      '!!!',
      "n'n'n' pas pas pas ne ne plus plus",
      'İİİ ΣΣΣ ǅ',
      '👍'.repeat(500),
    ];
    for (const text of texts) {
      for (const lang of ['en', 'fr', 'de', undefined]) {
        for (const rating of [undefined, 1, 3, 5]) {
          const r = scoreSentiment(text, { lang, rating });
          expect(Number.isFinite(r.score)).toBe(true);
          expect(r.score).toBeGreaterThanOrEqual(-1);
          expect(r.score).toBeLessThanOrEqual(1);
          expect(r.confidence).toBeGreaterThanOrEqual(0);
          expect(r.confidence).toBeLessThanOrEqual(1);
          expect(['negative', 'neutral', 'positive']).toContain(r.label);
        }
      }
    }
  });
});
