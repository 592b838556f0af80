import { describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { loadTouchpointsFile, type TouchpointsConfig } from '../../config/index.js';
import { STAGES } from '../../src/domain/vocabulary.js';
import {
  composeJourney,
  JOURNEY_PRESETS,
  JOURNEYS_DIR,
  presetFileSchema,
  presetPath,
  type JourneyPreset,
  type PresetFile,
} from '../../src/analysis/journey.js';
import { tokenize } from '../../src/analysis/text.js';
import {
  createTouchpointLinker,
  splitText,
  type TouchpointLinker,
} from '../../src/analysis/touchpoints.js';
import type { SentimentResult } from '../../src/domain/mention.js';
import { ASPECTS_CONFIG_DIR, readLabelled } from '../../scripts/bench/aspects.js';

// The linker is tested on a tiny, known lexicon so that these tests check how clauses are cut
// and scored, not what the (separately tested, still changing) sentiment scorer knows. One test
// switches to the real scorer.
const scorer = vi.hoisted(() => ({ fake: true }));
vi.mock('../../src/analysis/sentiment.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/analysis/sentiment.js')>();
  const lexicon: Record<string, number> = {
    adorable: 1,
    lovely: 1,
    rapide: 1,
    fast: 1,
    top: 1,
    parfait: 1,
    semaines: -1,
    weeks: -1,
    nul: -1,
    nuls: -1,
    terrible: -1,
    casse: -1,
    broken: -1,
    injoignable: -1,
    froid: -1,
    lente: -1,
  };
  return {
    ...real,
    scoreSentiment: (text: string, opts?: { lang?: string }): SentimentResult => {
      if (!scorer.fake) return real.scoreSentiment(text, opts);
      const hits = tokenize(text).flatMap((t) => (lexicon[t] === undefined ? [] : [lexicon[t]]));
      const sum = hits.reduce((a, b) => a + b, 0);
      return {
        score: Math.max(-1, Math.min(1, sum / 2)),
        label: sum > 0 ? 'positive' : sum < 0 ? 'negative' : 'neutral',
        confidence: hits.length === 0 ? 0 : 0.8,
        method: 'fake',
      };
    },
  };
});

// Maison Lumière with all its trades (shops, online shop, hotels, café): the journey the labelled
// mentions are about. The default journey (its online shop alone) is tested at the end.
const config = loadTouchpointsFile(ASPECTS_CONFIG_DIR);
const linker = createTouchpointLinker(config);

/** `{ id: label }` of what the linker found. */
function labels(text: string, lang: string): Record<string, string> {
  return Object.fromEntries(
    linker.link(text, lang).touchpoints.map((t) => [t.id, t.sentiment.label]),
  );
}

describe('touchpoint linking, aspect by aspect', () => {
  it('gives staff and delivery their own sentiment in one French sentence', () => {
    const r = linker.link(
      'Chez Maison Lumière le personnel était adorable mais la livraison a pris trois semaines',
      'fr',
    );

    expect(r.relevant).toBe(true);
    expect(r.touchpoints).toEqual([
      expect.objectContaining({ id: 'welcome', stage: 'buy', matched: ['personnel'] }),
      expect.objectContaining({ id: 'delivery', stage: 'receive', matched: ['livraison'] }),
    ]);
    expect(
      labels(
        'Chez Maison Lumière le personnel était adorable mais la livraison a pris trois semaines',
        'fr',
      ),
    ).toEqual({ welcome: 'positive', delivery: 'negative' });
  });

  it('does the same in English', () => {
    expect(
      labels('The staff at Maison Lumière were lovely but the delivery took three weeks', 'en'),
    ).toEqual({ welcome: 'positive', delivery: 'negative' });
  });

  it('finds several touchpoints in a list of fragments, and reports what matched', () => {
    const r = linker.link(
      'Livraison rapide, produit cassé, SAV injoignable 😡 @maisonlumiere',
      'fr',
    );

    expect(r.touchpoints.map((t) => [t.id, t.sentiment.label, t.matched])).toEqual([
      ['delivery', 'positive', ['livraison']],
      ['product', 'negative', ['produit', 'cassé']],
      ['support', 'negative', ['sav', 'injoignable']],
    ]);
  });

  it('falls back to the sentence when the clause holds no opinion', () => {
    expect(labels('La livraison, je dois dire, super rapide', 'fr')).toEqual({
      delivery: 'positive',
    });
  });

  it('never borrows the opinion from the far side of a contrast', () => {
    expect(labels('Le personnel était adorable mais la livraison a pris du temps', 'fr')).toEqual({
      welcome: 'positive',
      delivery: 'neutral',
    });
  });

  it('borrows across a contrast from a side that names no other touchpoint', () => {
    expect(labels('Maison Lumière a enfin lancé une appli, mais elle est lente', 'fr')).toEqual({
      website: 'negative',
    });
  });

  it('splits at "et" between two clauses, not between two adjectives', () => {
    expect(
      labels('Le personnel était adorable et la livraison a pris trois semaines', 'fr'),
    ).toEqual({ welcome: 'positive', delivery: 'negative' });
    expect(splitText('La livraison rapide et efficace')[0]?.segments[0]?.clauses).toEqual([
      'La livraison rapide et efficace',
    ]);
    // Too short to be a clause of its own: "personnel" shares the opinion of the rest.
    expect(labels('Personnel et livraison nuls', 'fr')).toEqual({
      welcome: 'negative',
      delivery: 'negative',
    });
  });

  it('keeps the most extreme sentiment of a touchpoint named twice', () => {
    const r = linker.link('Livraison rapide. Mais le livreur était nul, vraiment terrible.', 'fr');

    expect(r.touchpoints).toHaveLength(1);
    expect(r.touchpoints[0]).toMatchObject({ id: 'delivery', matched: ['livraison', 'livreur'] });
    expect(r.touchpoints[0]?.sentiment.label).toBe('negative');
  });

  it('scores with the real scorer when it is plugged in', () => {
    scorer.fake = false;
    try {
      expect(
        labels('The staff were lovely, but the delivery was terrible and the box was broken', 'en'),
      ).toEqual({ welcome: 'positive', delivery: 'negative', product: 'negative' });
    } finally {
      scorer.fake = true;
    }
  });
});

describe('touchpoint keywords', () => {
  it('match inflected forms through their stems, with or without accents', () => {
    for (const text of ['deux livraisons', 'commande livrée', 'colis livree hier', 'à livrer']) {
      expect(Object.keys(labels(text, 'fr')), text).toEqual(['delivery']);
    }
    expect(Object.keys(labels('enfin remboursée', 'fr'))).toEqual(['returns']);
    expect(Object.keys(labels('they refunded me', 'en'))).toEqual(['returns']);
  });

  it('match multi-word phrases in a row only', () => {
    expect(linker.link('ma carte de fidélité', 'fr').touchpoints[0]?.matched).toContain(
      'carte de fidélité',
    );
    expect(Object.keys(labels('la carte est jolie', 'fr'))).toEqual([]);
  });

  it('match quoted keywords on their exact form only', () => {
    expect(Object.keys(labels('beaucoup trop chère', 'fr'))).toEqual(['pricing']);
    expect(Object.keys(labels('mon chéri adore', 'fr'))).toEqual([]);
    expect(Object.keys(labels('je ne savais pas', 'fr'))).toEqual([]);
  });

  it('apply per language, and both when the language is unknown', () => {
    // English "sale" (pricing) is French for dirty.
    expect(Object.keys(labels('chambre sale', 'fr'))).toEqual(['room']);
    expect(Object.keys(labels('chambre sale', 'und'))).toEqual(['pricing', 'room']);
  });
});

describe('touchpoint exclusions', () => {
  it('cancel the keywords they hold, not their neighbours', () => {
    expect(Object.keys(labels('There is room for improvement', 'en'))).toEqual([]);
    expect(Object.keys(labels('room for improvement but the bed was lovely', 'en'))).toEqual([
      'room',
    ]);
    expect(Object.keys(labels('De retour chez Maison Lumière', 'fr'))).toEqual([]);
    expect(Object.keys(labels('Café Lumière changed their menu', 'en'))).toEqual(['food']);
    expect(Object.keys(labels('Au Café Lumière, le café était froid', 'fr'))).toEqual(['food']);
  });

  it('cancel the touchpoint in the whole clause when they hold no keyword', () => {
    const cfg: TouchpointsConfig = {
      ...config,
      touchpoints: config.touchpoints.map((t) =>
        t.id === 'delivery' ? { ...t, exclude: [...t.exclude, 'jeu concours'] } : t,
      ),
    };
    const custom = createTouchpointLinker(cfg);

    expect(custom.link('Jeu concours : un colis à gagner', 'fr').touchpoints).toEqual([]);
    expect(custom.link('Jeu concours. Mon colis est arrivé', 'fr').touchpoints).toHaveLength(1);
  });
});

describe('touchpoint names', () => {
  const cfg = (): TouchpointsConfig => ({
    ...config,
    touchpoints: config.touchpoints.map((t) =>
      t.id === 'product'
        ? {
            ...t,
            keywords: { ...t.keywords, en: [...t.keywords.en, 'broken'] },
            names: { fr: ['table basse'], en: ['oak table'] },
          }
        : t,
    ),
  });

  it('link like keywords, and take the opinion when nothing else is named', () => {
    const l = createTouchpointLinker(cfg());
    const alone = l.link('The oak table is terrible', 'en').touchpoints;
    expect(alone.map((t) => [t.id, t.sentiment.label, t.matched])).toEqual([
      ['product', 'negative', ['oak table']],
    ]);
  });

  it('stay neutral when the mention names another touchpoint by its keywords', () => {
    const l = createTouchpointLinker(cfg());
    const both = l.link('The oak table is terrible, delivery took weeks', 'en').touchpoints;
    expect(Object.fromEntries(both.map((t) => [t.id, t.sentiment.label]))).toEqual({
      product: 'neutral',
      delivery: 'negative',
    });
    // A judgement word of the touchpoint's own keywords still judges it.
    const judged = l.link('The oak table arrived broken, delivery took weeks', 'en').touchpoints;
    expect(judged.find((t) => t.id === 'product')?.sentiment.label).toBe('negative');
  });
});

describe('relevance', () => {
  it('is false for texts the watch query drops, touchpoints still found', () => {
    const ad = linker.link('Maison Lumière recrute un vendeur en CDI', 'fr');
    expect(ad.relevant).toBe(false);
    expect(ad.touchpoints.map((t) => t.id)).toEqual(['welcome']);

    expect(linker.link('My Amazon parcel is late again', 'en').relevant).toBe(false);
    expect(linker.link('Café Lumière is a gentle film', 'en').relevant).toBe(false);
  });
});

describe('the labelled journey', () => {
  it('has at least 10 labelled mentions per touchpoint, in both languages', () => {
    const labelled = readLabelled();
    const ids = new Set(config.touchpoints.map((t) => t.id));
    const counts = new Map<string, number>();
    for (const item of labelled) {
      for (const e of item.expected) {
        expect(ids, `${e.touchpoint} in «${item.text}»`).toContain(e.touchpoint);
        counts.set(e.touchpoint, (counts.get(e.touchpoint) ?? 0) + 1);
      }
    }
    // An irrelevant mention has no touchpoints to find.
    expect(labelled.filter((i) => !i.relevant && i.expected.length > 0)).toEqual([]);
    for (const id of ids) expect(counts.get(id) ?? 0, id).toBeGreaterThanOrEqual(10);
    expect(labelled.length).toBeGreaterThanOrEqual(300);
    const fr = labelled.filter((i) => i.lang === 'fr').length;
    expect(fr / labelled.length).toBeGreaterThan(0.4);
    expect(fr / labelled.length).toBeLessThan(0.6);
  });
});

/** A preset file as shipped, validated. */
function preset(id: JourneyPreset): PresetFile {
  return presetFileSchema.parse(parseYaml(readFileSync(presetPath(id), 'utf8')));
}

const linkers = new Map<string, TouchpointLinker>();
/** A linker over presets alone, built once per list. */
function presetLinker(...ids: JourneyPreset[]): TouchpointLinker {
  const key = ids.join('+');
  let l = linkers.get(key);
  if (!l) {
    const { touchpoints, issues } = composeJourney({
      presets: ids.map((id) => ({ id, file: preset(id) })),
    });
    if (issues.length > 0) throw new Error(JSON.stringify(issues));
    l = createTouchpointLinker({ watch: '"chez nous"', touchpoints });
    linkers.set(key, l);
  }
  return l;
}

const idsOf = (ids: JourneyPreset[], text: string, lang: string): string[] =>
  presetLinker(...ids)
    .link(text, lang)
    .touchpoints.map((t) => t.id);

describe('journey presets', () => {
  it('are all registered, load, and give one id one stage in every preset', () => {
    const files = readdirSync(JOURNEYS_DIR).filter((f) => f.endsWith('.yaml'));
    expect(files.map((f) => f.replace(/\.yaml$/, '')).toSorted()).toEqual(
      [...JOURNEY_PRESETS].toSorted(),
    );
    const stageOf = new Map<string, string>();
    for (const id of JOURNEY_PRESETS) {
      for (const tp of preset(id).touchpoints) {
        expect(stageOf.get(tp.id) ?? tp.stage, `${id}: ${tp.id}`).toBe(tp.stage);
        stageOf.set(tp.id, tp.stage);
      }
    }
  });

  it('keep to their trade: no hotel room in a shop, no parcel in a hotel', () => {
    const ids = (p: JourneyPreset) => preset(p).touchpoints.map((t) => t.id);
    expect(ids('retail')).not.toContain('room');
    expect(ids('e-commerce')).not.toContain('room');
    expect(ids('e-commerce')).not.toContain('food');
    expect(ids('cafe-restaurant')).not.toContain('room');
    expect(ids('hotel')).toContain('room');
    expect(ids('software')).toEqual(expect.arrayContaining(['reliability', 'account', 'privacy']));
    expect(idsOf(['retail'], 'There is no room in the car park', 'en')).toEqual(['store']);
    expect(idsOf(['hotel'], 'Le colis est arrivé', 'fr')).toEqual([]);
  });

  it("know a café's menu and how it tastes", () => {
    const cafe: JourneyPreset[] = ['cafe-restaurant'];
    expect(idsOf(cafe, 'Mon latte était tiède et le croissant rassis', 'fr')).toEqual(['food']);
    expect(idsOf(cafe, 'Café brûlé, fade, franchement décevant', 'fr')).toEqual(['food']);
    expect(idsOf(cafe, 'The flat white was burnt and the scone stale', 'en')).toEqual(['food']);
    expect(idsOf(cafe, 'It was cold and bland', 'en')).toEqual(['food']);
    expect(idsOf(cafe, 'The tea was cold', 'en')).toEqual(['food']);
    // English "cold" describes people too: only what is served is food.
    expect(idsOf(cafe, 'Cold, unfriendly welcome', 'en')).toEqual(['welcome']);
  });

  it('link staff behaviour to the staff, in a café, a shop and a hotel', () => {
    for (const p of ['cafe-restaurant', 'retail', 'hotel'] as const) {
      expect(idsOf([p], 'Elle nous a ignorés, pas un bonjour', 'fr'), p).toEqual(['welcome']);
      expect(idsOf([p], 'Très désagréable, elle a levé les yeux au ciel', 'fr'), p).toEqual([
        'welcome',
      ]);
      expect(idsOf([p], 'She rolled her eyes and ignored us', 'en'), p).toEqual(['welcome']);
      expect(idsOf([p], 'So rude!', 'en'), p).toEqual(['welcome']);
    }
    // An unpleasant smell is not an unpleasant person.
    expect(idsOf(['cafe-restaurant'], 'Une odeur désagréable', 'fr')).toEqual([]);
  });

  it('merge: a shop that sells online has both journeys, one checkout', () => {
    const both = presetLinker('retail', 'e-commerce');
    const ids = (text: string, lang: string) => both.link(text, lang).touchpoints.map((t) => t.id);
    expect(ids('Vingt minutes à la caisse', 'fr')).toEqual(['checkout']);
    expect(ids('Mon panier se vide tout seul', 'fr')).toEqual(['checkout']);
    expect(ids('Colis jamais reçu', 'fr')).toEqual(['delivery']);
    expect(ids('The fitting rooms were a mess', 'en')).toEqual(['store']);
  });

  it('keep a phrase holding "and" whole ("click and collect")', () => {
    expect(
      presetLinker('e-commerce').link('The click and collect is handy, ready in 2 hours', 'en')
        .touchpoints,
    ).toEqual([expect.objectContaining({ id: 'delivery', matched: ['click and collect'] })]);
  });
});

describe('the default journey', () => {
  const shipped = loadTouchpointsFile();

  it("is the default preset, e-commerce, with the brand's own products: no room, no menu", () => {
    expect(shipped.presets).toEqual(['e-commerce']);
    expect(shipped.touchpoints.map((t) => t.id)).toEqual(
      preset('e-commerce').touchpoints.map((t) => t.id),
    );
    for (const t of shipped.touchpoints) {
      expect(STAGES).toContain(t.stage);
      expect(t.keywords.fr.length, t.id).toBeGreaterThan(0);
      expect(t.keywords.en.length, t.id).toBeGreaterThan(0);
    }
    const product = shipped.touchpoints.find((t) => t.id === 'product');
    expect(product?.keywords.fr).toContain('produit');
    // The brand's own products are names (see touchpoints.yaml).
    expect(product?.names?.fr).toContain('bougie');
    expect(shipped.watch).toContain('maison lumière');
  });

  it('links the touchpoints the demo and the alerts speak of', () => {
    const shop = createTouchpointLinker(shipped);
    const ids = (text: string, lang: string) => shop.link(text, lang).touchpoints.map((t) => t.id);
    expect(ids('Livraison Maison Lumière catastrophique, colis perdu', 'fr')).toEqual(['delivery']);
    expect(ids('Maison Lumière checkout keeps failing, payment declined', 'en')).toEqual([
      'checkout',
    ]);
    expect(ids('Le service client Maison Lumière est injoignable', 'fr')).toEqual(['support']);
    expect(ids('The Maison Lumière candle smells amazing', 'en')).toEqual(['product']);
    expect(ids('Chambre avec vue chez Maison Lumière', 'fr')).toEqual([]);
  });
});
