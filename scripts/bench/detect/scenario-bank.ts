/**
 * The frozen phrase bank (phrases/*.json) as templates, and how one template becomes a text: its
 * slots filled, the brand written one of the ways people write it. A template gives at most
 * `VARIANTS` texts per kind of source, so that the reader, memoised by text, reads a few
 * thousand distinct texts however many mentions a scenario holds.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { mulberry32 } from '../../../src/demo/scenario.js';

/** The touchpoints the bank writes about (ids of config/touchpoints.yaml). */
export const BANK_TOUCHPOINTS = [
  'delivery',
  'checkout',
  'support',
  'welcome',
  'product',
  'returns',
] as const;
export type BankTouchpoint = (typeof BANK_TOUCHPOINTS)[number];
export const POLARITIES = ['negative', 'neutral', 'positive'] as const;
export type Polarity = (typeof POLARITIES)[number];
export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

/** The brand the bank was written for: the default journey's (config/touchpoints.yaml). */
export const BANK_BRAND = 'Maison Lumière';
/** Ways people write it, all of them names or aliases the default configuration knows. */
const BRAND_FORMS = [
  'Maison Lumière',
  'Maison Lumière',
  'Maison Lumiere',
  'maison lumière',
  'maison lumiere',
  'MAISON LUMIERE',
  '@maisonlumiere',
  '@maisonlumiere',
  'maisonlumiere',
];
/** On a social network, a text that does not name the brand gets tagged, as replies are. */
const TAGS: Array<(t: string) => string> = [
  (t) => `@maisonlumiere ${t}`,
  (t) => `@maisonlumiere ${t}`,
  (t) => `${t} @maisonlumiere`,
  (t) => `${t} #maisonlumiere`,
  (t) => `${t} (Maison Lumière)`,
  (t) => `Maison Lumière ${t}`,
];

/** Distinct texts one template yields per kind of source (review site or social network). */
export const VARIANTS = 6;

const polarity = z.enum(POLARITIES);
const byPolarity = z
  .object({
    negative: z.array(z.string()).min(1),
    positive: z.array(z.string()).min(1),
    neutral: z.array(z.string()).min(1),
  })
  .strict();
const bankSchema = z
  .object({
    frozen: z.string().startsWith('frozen on '),
    about: z.string(),
    lang: z.enum(LANGS),
    slots: z.record(z.string(), z.array(z.string()).min(1)),
    touchpoints: z.record(z.enum(BANK_TOUCHPOINTS), byPolarity),
    mixed: z.array(
      z
        .object({ text: z.string(), truth: z.partialRecord(z.enum(BANK_TOUCHPOINTS), polarity) })
        .strict(),
    ),
    chatter: z.array(z.string()).min(1),
    news: z.record(z.string(), z.array(z.string()).min(1)),
  })
  .strict();

export interface Truth {
  tp: BankTouchpoint;
  polarity: Polarity;
}

export interface Template {
  id: number;
  lang: Lang;
  text: string;
  kind: 'touchpoint' | 'mixed' | 'chatter' | 'news';
  /** What the text is about, as its author meant it (empty: about no touchpoint). */
  truth: readonly Truth[];
}

type Pools = Record<BankTouchpoint, Record<Polarity, number[]>>;

export class PhraseBank {
  readonly templates: Template[] = [];
  /** Template ids per language, touchpoint and polarity (texts naming one touchpoint). */
  readonly single = {} as Record<Lang, Pools>;
  readonly mixed = {} as Record<Lang, number[]>;
  readonly chatter = {} as Record<Lang, number[]>;
  /** News-like texts per touchpoint ('_': about the brand in general). */
  readonly news = {} as Record<Lang, Record<string, number[]>>;
  private readonly slots = {} as Record<Lang, Record<string, string[]>>;
  private readonly texts: string[] = [];
  private readonly textIds = new Map<string, number>();
  private readonly rendered = new Map<number, number>();

  constructor(dir: string = path.join(path.dirname(fileURLToPath(import.meta.url)), 'phrases')) {
    for (const lang of LANGS) {
      const bank = bankSchema.parse(
        JSON.parse(readFileSync(path.join(dir, `${lang}.json`), 'utf8')),
      );
      if (bank.lang !== lang) throw new Error(`phrase bank ${lang}.json says lang ${bank.lang}`);
      this.slots[lang] = bank.slots;
      const add = (text: string, kind: Template['kind'], truth: Truth[]): number => {
        const id = this.templates.length;
        this.templates.push({ id, lang, text, kind, truth });
        return id;
      };
      const pools = {} as Pools;
      for (const tp of BANK_TOUCHPOINTS) {
        pools[tp] = { negative: [], neutral: [], positive: [] };
        for (const p of POLARITIES) {
          for (const text of bank.touchpoints[tp][p]) {
            pools[tp][p].push(add(text, 'touchpoint', [{ tp, polarity: p }]));
          }
        }
      }
      this.single[lang] = pools;
      this.mixed[lang] = bank.mixed.map((m) =>
        add(
          m.text,
          'mixed',
          Object.entries(m.truth).map(([tp, p]) => ({
            tp: tp as BankTouchpoint,
            polarity: p,
          })),
        ),
      );
      this.chatter[lang] = bank.chatter.map((t) => add(t, 'chatter', []));
      this.news[lang] = {};
      for (const [key, list] of Object.entries(bank.news)) {
        const truth: Truth[] = (BANK_TOUCHPOINTS as readonly string[]).includes(key)
          ? [{ tp: key as BankTouchpoint, polarity: 'neutral' }]
          : [];
        this.news[lang][key] = list.map((t) => add(t, 'news', truth));
      }
    }
  }

  /** Mixed templates where `tp` has polarity `p` and every other touchpoint passes `other`. */
  mixedWhere(lang: Lang, tp: BankTouchpoint, p: Polarity, other: (t: Truth) => boolean): number[] {
    return this.mixed[lang].filter((id) => {
      const truth = this.templates[id]?.truth ?? [];
      return (
        truth.some((t) => t.tp === tp && t.polarity === p) &&
        truth.every((t) => t.tp === tp || other(t))
      );
    });
  }

  /** The id of a text (registered on first sight). */
  textId(text: string): number {
    let id = this.textIds.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.textIds.set(text, id);
    }
    return id;
  }

  text(id: number): string {
    const t = this.texts[id];
    if (t === undefined) throw new Error(`no text ${id}`);
    return t;
  }

  /** Distinct texts seen so far. */
  get textCount(): number {
    return this.texts.length;
  }

  /**
   * Template `tid` written out, variant `variant` (0 .. VARIANTS-1): slots and brand form drawn
   * from a generator seeded by both, so the same pair always gives the same text. On a social
   * network (`social`) a text that does not name the brand is tagged with it: a search for the
   * brand is what found it.
   */
  render(tid: number, variant: number, social: boolean): number {
    const key = (tid * VARIANTS + variant) * 2 + (social ? 1 : 0);
    const cached = this.rendered.get(key);
    if (cached !== undefined) return cached;
    const t = this.templates[tid];
    if (!t) throw new Error(`no template ${tid}`);
    const r = mulberry32(tid * 7919 + variant * 104_729 + (social ? 15_485_863 : 0));
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
    const brand = pick(BRAND_FORMS);
    let text = t.text.replace(/\{(\w+)\}/g, (_, slot: string) => {
      if (slot === 'brand') return brand;
      const values = this.slots[t.lang][slot];
      if (!values) throw new Error(`template ${tid} (${t.lang}): unknown slot {${slot}}`);
      return pick(values);
    });
    if (social && !t.text.includes('{brand}')) text = pick(TAGS)(text);
    const id = this.textId(text);
    this.rendered.set(key, id);
    return id;
  }
}
