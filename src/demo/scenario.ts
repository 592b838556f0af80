/**
 * A month of word of mouth about Maison Lumière, in French and English, generated from a seed:
 * ordinary days with their daily and weekly rhythm, one delivery outbreak, and the decoys a
 * weak-link detector must not fall for (one angry author posting twenty times, a viral positive
 * wave, a regular Monday peak). Used by the demo (its history), the end-to-end tests and
 * `npm run scenario` (a JSON Lines file for `maillon import`).
 *
 * Same seed, same mentions: event times are anchored on `start`, never on the wall clock.
 */

/** The wire shape `maillon import` and the API accept. */
export interface ScenarioMention {
  source: string;
  externalId: string;
  url: string;
  author: { id: string; name: string; followers: number };
  text: string;
  lang: 'fr' | 'en';
  publishedAt: string;
  engagement: { likes: number; shares: number; replies: number };
}

export interface ScenarioOptions {
  /** First day (UTC midnight). */
  start: Date;
  days?: number;
  seed?: number;
  /** Day (0-based) the delivery outbreak starts, at 09:00 UTC; null for none. */
  outbreakDay?: number | null;
  /** Include the decoys (angry author, viral positive wave, Monday peaks). Default true. */
  decoys?: boolean;
}

export interface Scenario {
  mentions: ScenarioMention[];
  /** When the outbreak starts, if any. */
  outbreakAt: Date | null;
}

const BRAND = 'Maison Lumière';
const SOURCES = ['reviews', 'forum', 'social'];

type Polarity = 'pos' | 'neg' | 'neu';
/** Per touchpoint, per language, per polarity: what people say. Names the brand: the watch query must pass. */
const TEMPLATES: Record<string, Record<'fr' | 'en', Record<Polarity, string[]>>> = {
  delivery: {
    fr: {
      pos: [
        `Livraison ${BRAND} rapide, colis reçu en deux jours, parfait.`,
        `Colis ${BRAND} bien emballé, livreur très sympa.`,
      ],
      neg: [
        `Livraison ${BRAND} catastrophique, colis toujours pas arrivé.`,
        `Mon colis ${BRAND} est perdu, le livreur n'est jamais passé. Inadmissible.`,
        `Trois semaines de retard pour ma livraison ${BRAND}, c'est honteux.`,
      ],
      neu: [`Colis ${BRAND} expédié ce matin, suivi reçu.`],
    },
    en: {
      pos: [
        `Fast delivery from ${BRAND}, parcel arrived in two days. Great.`,
        `${BRAND} courier was friendly and the package was perfect.`,
      ],
      neg: [
        `${BRAND} delivery is a disaster, my parcel never arrived.`,
        `Still no package from ${BRAND}, tracking is useless. Terrible.`,
        `My ${BRAND} parcel is lost and the courier never showed up. Awful.`,
      ],
      neu: [`${BRAND} parcel shipped today, tracking number received.`],
    },
  },
  support: {
    fr: {
      pos: [`Service client ${BRAND} au top, réponse en une heure.`],
      neg: [
        `Le service client ${BRAND} ne répond jamais, c'est insupportable.`,
        `Service client ${BRAND} injoignable depuis une semaine.`,
      ],
      neu: [`J'ai contacté le service client ${BRAND} par chat.`],
    },
    en: {
      pos: [`${BRAND} customer service was great and solved my issue fast.`],
      neg: [
        `${BRAND} customer service never answers, this is awful.`,
        `Worst customer support ever at ${BRAND}.`,
      ],
      neu: [`Contacted ${BRAND} customer service by chat today.`],
    },
  },
  checkout: {
    fr: {
      pos: [`Commande ${BRAND} passée en deux minutes, paiement simple.`],
      neg: [`Paiement refusé trois fois sur ${BRAND}, très énervant.`],
      neu: [`Commande passée sur ${BRAND} ce matin.`],
    },
    en: {
      pos: [`Checkout at ${BRAND} was quick and easy.`],
      neg: [`${BRAND} checkout keeps failing, payment declined again. Annoying.`],
      neu: [`Placed an order at ${BRAND} this morning.`],
    },
  },
  product: {
    fr: {
      pos: [
        `La lampe ${BRAND} est magnifique, qualité superbe !`,
        `J'adore mon nouveau plaid ${BRAND}, très doux.`,
      ],
      neg: [`Produit ${BRAND} cassé à l'arrivée, qualité décevante.`],
      neu: [`Nouveau produit ${BRAND} reçu aujourd'hui.`],
    },
    en: {
      pos: [
        `Love my new ${BRAND} lamp, beautiful quality!`,
        `The ${BRAND} candle smells amazing, great product.`,
      ],
      neg: [`${BRAND} product arrived broken, poor quality.`],
      neu: [`Got a new ${BRAND} product today.`],
    },
  },
  welcome: {
    fr: {
      pos: [`Accueil chaleureux au magasin ${BRAND}, vendeuse adorable.`],
      neg: [`Personnel du magasin ${BRAND} désagréable aujourd'hui.`],
      neu: [`Passé au magasin ${BRAND} de Lyon.`],
    },
    en: {
      pos: [`Lovely welcome at the ${BRAND} store, staff were so kind.`],
      neg: [`Rude staff at the ${BRAND} store today.`],
      neu: [`Visited the ${BRAND} store downtown.`],
    },
  },
};

/** Mentions a day per touchpoint on an ordinary day, and the share that is negative. */
const DAILY = 5;
const NEGATIVE_SHARE = 0.15;
const POSITIVE_SHARE = 0.45;
/** Hour-of-day weights (UTC): quiet nights, busy evenings. */
const HOURS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1, 1.5, 1.8, 2, 2, 2, 1.8, 1.6, 1.6, 1.7, 1.9, 2.2, 2.4, 2.3, 2,
  1.6, 1.2,
];
/** Weekday weights, Sunday first. */
const WEEKDAYS = [0.7, 1.1, 1, 1, 1, 1.1, 0.9];

export function generateScenario(opts: ScenarioOptions): Scenario {
  const days = opts.days ?? 35;
  const rand = mulberry32(opts.seed ?? 42);
  const decoys = opts.decoys ?? true;
  const mentions: ScenarioMention[] = [];
  let n = 0;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const push = (
    touchpoint: string,
    polarity: Polarity,
    at: number,
    author?: string,
    extra?: Partial<ScenarioMention['engagement']>,
  ) => {
    const lang = rand() < 0.5 ? 'fr' : 'en';
    const id = `s${opts.seed ?? 42}-${n++}`;
    const who = author ?? `user${Math.floor(rand() * 5000)}`;
    mentions.push({
      source: pick(SOURCES),
      externalId: id,
      url: `https://example.com/posts/${id}`,
      author: { id: who, name: who, followers: Math.floor(20 + rand() * 400) },
      text: pick(TEMPLATES[touchpoint]![lang][polarity]),
      lang,
      publishedAt: new Date(at).toISOString(),
      engagement: {
        likes: Math.floor(rand() * 10),
        shares: Math.floor(rand() * 2),
        replies: Math.floor(rand() * 3),
        ...extra,
      },
    });
  };
  const polarity = (): Polarity => {
    const r = rand();
    return r < NEGATIVE_SHARE ? 'neg' : r < NEGATIVE_SHARE + POSITIVE_SHARE ? 'pos' : 'neu';
  };
  const start = opts.start.getTime();
  const hourWeight = HOURS.reduce((a, b) => a + b, 0);

  for (let d = 0; d < days; d++) {
    const dayStart = start + d * 86_400_000;
    const weekday = new Date(dayStart).getUTCDay();
    for (const tp of Object.keys(TEMPLATES)) {
      // Poisson-ish daily count around the rhythm.
      const expected = DAILY * WEEKDAYS[weekday]!;
      const count = poisson(expected, rand);
      for (let i = 0; i < count; i++)
        push(tp, polarity(), dayStart + sampleHour(rand, hourWeight) + rand() * 3_600_000);
    }
    if (decoys && weekday === 1) {
      // Every Monday morning the checkout gets busy (a weekly newsletter), mood as usual.
      for (let i = 0; i < 25; i++)
        push('checkout', polarity(), dayStart + 9 * 3_600_000 + rand() * 3 * 3_600_000);
    }
  }
  if (decoys) {
    // One angry customer posts twenty times about support in two hours.
    const angry = start + 10 * 86_400_000 + 14 * 3_600_000;
    for (let i = 0; i < 20; i++)
      push('support', 'neg', angry + i * 6 * 60_000, 'angry_customer_42');
    // A viral positive wave about a product: many people, much sharing, all happy.
    const viral = start + 17 * 86_400_000 + 18 * 3_600_000;
    for (let i = 0; i < 60; i++)
      push('product', 'pos', viral + rand() * 3 * 3_600_000, undefined, {
        shares: 20 + Math.floor(rand() * 50),
      });
  }
  let outbreakAt: Date | null = null;
  if (opts.outbreakDay !== null) {
    const day = opts.outbreakDay ?? 28;
    outbreakAt = new Date(start + day * 86_400_000 + 9 * 3_600_000);
    // Word of mouth spreads: a few complaints, then more, from more people, on more sources.
    for (let i = 0; i < 45; i++) {
      const at = outbreakAt.getTime() + Math.sqrt(rand()) * 5 * 3_600_000;
      push('delivery', 'neg', at, undefined, { shares: Math.floor(rand() * 6) });
    }
  }
  mentions.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  return { mentions, outbreakAt };
}

/**
 * What people say of the competitors of config/touchpoints.yaml (share of voice): about each
 * alone, and comparisons naming the brand too. Its own random stream, so that the month above
 * stays the same with or without it.
 */
const COMPETITOR_TEXTS: Array<{ alone: boolean; daily: number; texts: ['fr' | 'en', string][] }> = [
  {
    alone: true,
    daily: 3,
    texts: [
      ['en', 'Nordlys delivered my sofa in two days, impressive.'],
      ['fr', 'Le canapé Nordlys est très confortable, je recommande.'],
      ['en', 'Nordlys customer service never answered my email. Disappointed.'],
      ['fr', 'Commande Nordlys reçue, rien à signaler.'],
    ],
  },
  {
    alone: true,
    daily: 2,
    texts: [
      ['en', 'Atelier Brume candles smell lovely.'],
      ['fr', "Les bougies d'Atelier Brume sont magnifiques."],
      ['en', 'My Atelier Brume order arrived broken, awful packaging.'],
    ],
  },
  {
    alone: false,
    daily: 1,
    texts: [
      ['en', `Hesitating between ${BRAND} and Nordlys for a new lamp.`],
      ['fr', `J'hésite entre ${BRAND} et Atelier Brume pour une bougie.`],
      ['en', `${BRAND} lamps are prettier than Nordlys ones, in my opinion.`],
    ],
  },
];

/**
 * A month of competitor mentions (see `COMPETITOR_TEXTS`). Those naming a competitor alone come
 * from `searchSource`, a source that reads the watch query (they count only under the
 * competitor); comparisons come from the scenario's sources.
 */
export function generateCompetitorMentions(opts: {
  start: Date;
  days: number;
  seed: number;
  searchSource: string;
}): ScenarioMention[] {
  const rand = mulberry32(opts.seed ^ 0x5eed);
  const out: ScenarioMention[] = [];
  const hourWeight = HOURS.reduce((a, b) => a + b, 0);
  for (let d = 0; d < opts.days; d++) {
    const dayStart = opts.start.getTime() + d * 86_400_000;
    for (const group of COMPETITOR_TEXTS) {
      const count = poisson(group.daily, rand);
      for (let i = 0; i < count; i++) {
        const id = `c${opts.seed}-${out.length}`;
        const who = `user${Math.floor(rand() * 5000)}`;
        const [lang, text] = group.texts[Math.floor(rand() * group.texts.length)]!;
        out.push({
          source: group.alone ? opts.searchSource : SOURCES[Math.floor(rand() * SOURCES.length)]!,
          externalId: id,
          url: `https://example.com/posts/${id}`,
          author: { id: who, name: who, followers: Math.floor(20 + rand() * 400) },
          text,
          lang,
          publishedAt: new Date(
            dayStart + sampleHour(rand, hourWeight) + rand() * 3_600_000,
          ).toISOString(),
          engagement: { likes: Math.floor(rand() * 10), shares: 0, replies: 0 },
        });
      }
    }
  }
  return out.toSorted((a, b) => a.publishedAt.localeCompare(b.publishedAt));
}

function sampleHour(rand: () => number, total: number): number {
  let r = rand() * total;
  for (let h = 0; h < 24; h++) {
    r -= HOURS[h]!;
    if (r <= 0) return h * 3_600_000;
  }
  return 23 * 3_600_000;
}

function poisson(lambda: number, rand: () => number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

/** A small, fast, seeded PRNG (public domain): the same seed gives the same month. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
