import { describe, expect, it } from 'vitest';
import { scoreSentiment } from '../../src/analysis/sentiment.js';

const en = (text: string, rating?: number) => scoreSentiment(text, { lang: 'en', rating });
const fr = (text: string, rating?: number) => scoreSentiment(text, { lang: 'fr', rating });

describe('scoreSentiment: labels', () => {
  it('labels clearly negative and positive text, in both languages', () => {
    const neg = en('Terrible service, the parcel arrived broken and the staff were rude.');
    expect(neg.label).toBe('negative');
    expect(neg.confidence).toBeGreaterThan(0.5);
    expect(neg.method).toBe('lexicon-en-v4');
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
      expect(r).toEqual({ score: 0, label: 'neutral', confidence: 0.1, method: 'none-v4' });
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
    expect(withOne.method).toBe('lexicon-en-v4+rating');
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

describe('scoreSentiment: contempt', () => {
  it('reads scorn idioms as complaints, in both languages', () => {
    for (const r of [
      en('Their so-called loyalty card is a bit of a joke.'),
      en('What a farce, three tills and one cashier.'),
      en('Honestly the whole booking system is a circus'),
      en('Seven pounds for a muffin, daylight robbery.'),
      en('The counter this morning was a total clown show'),
      fr('Leur appli de commande, quelle blague.'),
      fr("Le service client ? Une vraie farce d'un bout à l'autre."),
      fr("C'est du grand n'importe quoi, cette file d'attente."),
      fr('Franchement ils se foutent de nous avec ces prix.'),
      fr('On nous prend pour des pigeons.'),
      fr('Le programme de fidélité ? Une blague.'),
      en('Their delivery tracking: a joke'),
    ]) {
      expect(r.label).toBe('negative');
    }
  });

  it('keeps a joke told, or praised, out of it', () => {
    expect(en('The barista told us a joke while we waited, lovely.').label).toBe('positive');
    expect(en('What a good joke that was!').label).toBe('positive');
    expect(fr('Il nous a raconté une blague, très sympa.').label).toBe('positive');
    expect(en('A joke about pigeons made the whole queue laugh').label).toBe('positive');
  });
});

describe('scoreSentiment: still missing, still waiting', () => {
  it('reads persistence before a negation or a wait as a complaint', () => {
    for (const r of [
      en('Five days on and still nothing.'),
      en('Still no word on my parcel'),
      en("I still haven't received the beans I paid for"),
      en("We're still waiting for the refund"),
      fr('Une semaine après, toujours rien.'),
      fr('Toujours pas de réponse à mon mail'),
      fr("Je n'ai toujours pas été remboursée"),
      fr("J'attends toujours ma carte cadeau"),
      fr('Commande toujours en attente'),
    ]) {
      expect(r.label).toBe('negative');
    }
  });

  it('leaves "still" praise and durable satisfaction alone', () => {
    expect(en('Still the friendliest bakery around.').label).toBe('positive');
    expect(en('Still no problems with my machine after a year').label).toBe('positive');
    expect(fr("Toujours aussi bon, j'y retourne chaque semaine.").label).toBe('positive');
    expect(fr('Toujours pas déçue, dix ans après.').label).toBe('positive');
  });

  it('reads an absent answer, update or refund as a complaint', () => {
    expect(en('No response from anyone at the shop.').label).toBe('negative');
    expect(en('No update since Monday.').label).toBe('negative');
    expect(en('No refund, no apology.').label).toBe('negative');
    expect(fr('Aucune nouvelle de ma commande.').label).toBe('negative');
    expect(fr('Pas de remboursement pour le moment.').label).toBe('negative');
    expect(fr('Aucun retour du service client.').label).toBe('negative');
  });
});

describe('scoreSentiment: waiting (time)', () => {
  it.each([
    ['en', 'Nine days and nothing from the courier'],
    ['en', 'It has been three weeks.'],
    ['en', "It's been 10 days since I ordered"],
    ['en', 'Queued 25 minutes for two espressos'],
    ['en', 'Another 40-minute wait at lunch'],
    ['fr', 'Cela fait 12 jours que j’ai passé commande'],
    ['fr', 'Trois semaines sans nouvelles'],
    ['fr', "Une heure d'attente pour un brunch"],
    ['fr', 'Livré avec quatre jours de retard'],
  ])('%s: %s → negative', (lang, text) => {
    expect(scoreSentiment(text, { lang }).label).toBe('negative');
  });

  it.each([
    ['en', 'It only took two days to arrive.'],
    ['en', 'Three weeks in and I am loving my new kettle'],
    ['en', 'Wait a minute, this cake is amazing'],
    ['fr', 'Ça fait trois ans que je viens, toujours un plaisir.'],
    ['fr', "Ça n'a pris que 5 minutes, parfait."],
  ])('%s: %s → not negative', (lang, text) => {
    expect(scoreSentiment(text, { lang }).label).not.toBe('negative');
  });
});

describe('scoreSentiment: never again', () => {
  it('reads refusing to come back, buy or recommend as a complaint', () => {
    for (const r of [
      en("I won't be ordering from them again."),
      en('Never buying my beans there again'),
      en('You just lost a customer.'),
      fr('Je ne recommanderai plus cette boutique.'),
      fr("Je n'y remettrai plus les pieds."),
      fr("On ne m'y reprendra pas."),
      fr('Je ne commanderai plus chez eux.'),
      fr('Plus jamais de brunch là-bas.'),
    ]) {
      expect(r.label).toBe('negative');
    }
  });

  it('keeps eagerness positive', () => {
    expect(en("Can't wait to come back next week").label).toBe('positive');
  });
});

describe('scoreSentiment: problems solved', () => {
  it('reads a problem that was solved as praise, not a complaint', () => {
    for (const r of [
      en('They sorted my issue out in five minutes.'),
      en('Payment error, resolved straight away by the manager.'),
      en('I had a problem with my card. The staff fixed it on the spot.'),
      en('Had an issue with the app but it was handled quickly'),
      fr('Ils ont résolu mon problème en deux minutes.'),
      fr('Erreur sur la commande, corrigée tout de suite.'),
      fr("J'avais un souci avec ma carte, réglé en un appel."),
    ]) {
      expect(r.label).toBe('positive');
    }
  });

  it('reads "no problem" as no complaint', () => {
    expect(en('Arrived on time, no issues.').label).not.toBe('negative');
    expect(fr('Retrait en magasin sans aucun problème.').label).not.toBe('negative');
    expect(fr('Aucun souci avec ma commande.').label).not.toBe('negative');
  });

  it('still complains of a problem left unsolved', () => {
    expect(en('The problem was never fixed.').label).toBe('negative');
    expect(en('My issue still has not been resolved').label).toBe('negative');
    expect(fr("Mon problème n'est toujours pas réglé.").label).toBe('negative');
    expect(fr('Le bug n’a jamais été corrigé').label).toBe('negative');
    expect(en('They fixed the oven, but now there is another problem with the till.').label).toBe(
      'negative',
    );
  });
});

describe('scoreSentiment: an angry emoji closing a sentence', () => {
  it('makes the sentence it closes negative, even over its positive words', () => {
    expect(en('Lovely service as always 🙄').label).toBe('negative');
    expect(en('Thanks a lot for the cold croissant 😡').label).toBe('negative');
    expect(fr('Super, encore une commande perdue 🤬').label).toBe('negative');
    expect(fr('Merci pour rien 👎').label).toBe('negative');
  });

  it('also when it stands after the full stop', () => {
    expect(en('Great, they charged me twice. 😤').label).toBe('negative');
  });

  it('does not reach the other sentences', () => {
    const r = en('The pastries were wonderful, the staff lovely and kind. The card reader 😡');
    expect(r.label).toBe('positive');
  });

  it('leaves sad emoji with fond words alone', () => {
    expect(fr('Mon café préféré ferme, il va me manquer 😢').score).toBeGreaterThan(
      fr('Mon café préféré ferme 😡').score,
    );
  });
});

describe('scoreSentiment: paying twice', () => {
  it('reads a double charge as a complaint, said flatly', () => {
    expect(fr('Débitée 2 fois pour le même brunch').label).toBe('negative');
    expect(fr('Ils ont prélevé ma carte deux fois').label).toBe('negative');
    expect(fr('Double prélèvement ce matin').label).toBe('negative');
    expect(en('Billed twice for a single order').label).toBe('negative');
    expect(en('Double charged on the app again').label).toBe('negative');
  });

  it('does not read instalments or repeat visits as paying twice', () => {
    expect(fr('Payé en 2 fois sans frais, pratique').label).toBe('positive');
    expect(en('Went twice this week and loved it').label).toBe('positive');
  });
});

describe('scoreSentiment: time as the price of something', () => {
  it('reads "40 minutes for a coffee" as a complaint', () => {
    expect(en('35 minutes for a toastie').label).toBe('negative');
    expect(fr('Une heure pour deux cafés').label).toBe('negative');
  });

  it('leaves a rate alone', () => {
    expect(en('Open 7 days a week for the whole street').label).toBe('neutral');
  });
});

describe('scoreSentiment: customer talk without opinion words', () => {
  it('reads a bare exclamation of praise after a complaint as irony, not after praise or facts', () => {
    expect(en('The phone number on the website goes to a dead line. Nice.').label).toBe('negative');
    expect(en('Arrived broken. Great.').score).toBeLessThan(en('Arrived broken.').score);
    expect(en('The contact form throws an error when you submit it. How convenient.').label).toBe(
      'negative',
    );
    expect(fr('Carte refusée trois fois. Génial.').score).toBeLessThan(
      fr('Carte refusée trois fois.').score,
    );
    // After praise or a plain fact, praise is praise; politeness is not irony.
    expect(en('Had a problem, they fixed it. Great.').label).toBe('positive');
    expect(en('Arrived on time. Great.').label).toBe('positive');
    expect(fr('Livré en 2 jours. Parfait.').label).toBe('positive');
    expect(en('Arrived broken. Thanks.').score).toBeGreaterThan(en('Arrived broken. Great.').score);
  });

  it('reads spoken French negation without "ne", only where the lexicon spells the negation', () => {
    expect(fr('Apple Pay marche pas sur l’appli.').label).toBe('negative');
    expect(fr("j'aime pas").label).toBe('negative');
    // "super pas cher": praise, then a second quality, not a negated "super".
    expect(fr('Coussin super pas cher').label).toBe('positive');
  });

  it('keeps paying, returning and refunds neutral: they are what customers do, not opinions', () => {
    for (const t of [
      'Placing the order on Monday, will pay by card.',
      'Can I return an online order in a shop?',
      'How long do refunds usually take?',
    ])
      expect(en(t).label, t).toBe('neutral');
    expect(fr('Comment se passe le remboursement ?').label).toBe('neutral');
    // ... but their absence, or sending the thing back in a review, is a complaint.
    expect(en("Can't pay with PayPal anymore? Since when?").label).toBe('negative');
    expect(en('Where is my refund??').label).toBe('negative');
    expect(fr('Il est où mon remboursement ??').label).toBe('negative');
    expect(en('Cheap plastic, I returned it the next day.').label).toBe('negative');
  });

  it('reads defects, give-ups and "not even" as complaints, in both languages', () => {
    for (const t of [
      'Linen sheets pilled after the first wash.',
      'Driver didn’t even knock.',
      'tried to order 4 times, 4 times "an error occurred". giving up',
      'Three emails, two calls, one DM. Zero answers.',
    ])
      expect(en(t).label, t).toBe('negative');
    for (const t of [
      'Le livreur a même pas sonné.',
      'Zéro réponse.',
      'Le chatbot sert à rien.',
      'Housse renvoyée, remboursement toujours « en attente » après 6 semaines.',
    ])
      expect(fr(t).label, t).toBe('negative');
  });

  it("reads commerce words in their commerce sense, not as Pattern-fr's adjectives", () => {
    // "ferme" closes, "frais" are fees, "fort" is loud: none is praise.
    expect(fr('Votre service client ferme à 17h.').label).toBe('neutral');
    expect(fr("Prélevé en dollars, ma banque m'a pris des frais.").label).toBe('negative');
    expect(fr('Le vendeur a soufflé fort').label).toBe('neutral');
    // ... while "si" and "fort" still boost, and fresh produce is still praise.
    expect(fr('Le service est si lent').score).toBeLessThan(fr('Le service est lent').score);
    expect(fr('Des produits frais et de qualité').label).toBe('positive');
  });
});
