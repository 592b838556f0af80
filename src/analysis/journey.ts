/**
 * The customer journey, owned here (its stages are the domain's vocabulary): the shape of a touchpoint, the
 * presets per trade and how a brand's journey is composed from presets and its own additions.
 *
 * A preset is one YAML file in `journeys/` beside this module, in the format of touchpoints.yaml:
 * a café's journey knows croissants and "pas un bonjour", a hotel's knows rooms, a shop's knows
 * none of those. Presets travel with the code, not with CONFIG_DIR, so that a brand's folder holds
 * only what is its own. config/ reads the files and calls `composeJourney`; nothing here reads.
 *
 * A touchpoint id means one thing in every preset (same stage), so that presets compose: a shop
 * with an online shop is `[retail, e-commerce]`, and their `checkout` touchpoints become one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { STAGES, stageSchema } from '../domain/vocabulary.js';
import { tokenize } from './text.js';

/** A keyword or phrase must keep at least one word once normalised ("🙂" alone never matches). */
export const keywordSchema = z
  .string()
  .min(1)
  .refine((k) => tokenize(k).length > 0, 'has no letter or digit to match');

const idSchema = z.string().regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and "-"');
const labelSchema = z.object({ fr: z.string().min(1), en: z.string().min(1) }).strict();

/**
 * Things people name without judging them, the brand's products above all: "ordered the oak
 * table 15 days ago and still nothing, tracking hasn't moved" complains about delivery, not about
 * the table. A name links its touchpoint like a keyword, but when the mention names another
 * touchpoint by its keywords, the opinion is about that one and the named thing stays neutral.
 */
const namesSchema = z
  .object({
    fr: z.array(keywordSchema).default([]),
    en: z.array(keywordSchema).default([]),
  })
  .strict()
  .describe("Things named without being judged (the brand's products): see touchpoints.yaml.");

export const touchpointSchema = z
  .object({
    id: idSchema.describe('Stable: used in the API, the alerts and the stored mentions.'),
    stage: stageSchema,
    label: labelSchema.describe('Shown to people, in French and English.'),
    keywords: z
      .object({ fr: z.array(keywordSchema).min(1), en: z.array(keywordSchema).min(1) })
      .strict()
      .describe('Words and phrases, matched on their stems; "quoted" ones on their exact form.'),
    exclude: z
      .array(keywordSchema)
      .default([])
      .describe(
        'Phrases that cancel the keywords they hold, or the touchpoint in their clause if none.',
      ),
    names: namesSchema.optional(),
  })
  .strict();
/** One touchpoint of the journey, as the linker and the alerts use it. */
export type Touchpoint = z.output<typeof touchpointSchema>;

/** A brand as touchpoints.yaml names it: its name and aliases, and its products'. */
export interface NamedBrand {
  name: string;
  aliases: readonly string[];
  products: ReadonlyArray<{ name: string; aliases: readonly string[] }>;
}

/** Every name people call the brand by: its own, its aliases, its products' (`brandAliases`). */
export function brandNames(brand: NamedBrand): string[] {
  return [brand, ...brand.products].flatMap((n) => [n.name, ...n.aliases]);
}

/** Everything that links a touchpoint in one language: its keywords, then its names. */
export function wordsOf(tp: Touchpoint, lang: 'fr' | 'en'): string[] {
  return [...tp.keywords[lang], ...(tp.names?.[lang] ?? [])];
}

/**
 * An entry of touchpoints.yaml: a touchpoint of its own (every field), or, with the id of a
 * preset's touchpoint, additions to it (keywords and exclusions added; stage and label replaced).
 */
export const touchpointEntrySchema = z
  .object({
    id: idSchema,
    stage: stageSchema.optional(),
    label: labelSchema.optional(),
    keywords: z
      .object({ fr: z.array(keywordSchema).optional(), en: z.array(keywordSchema).optional() })
      .strict()
      .optional(),
    exclude: z.array(keywordSchema).optional(),
    names: z
      .object({ fr: z.array(keywordSchema).optional(), en: z.array(keywordSchema).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type TouchpointEntry = z.output<typeof touchpointEntrySchema>;

/** The presets, one file each in `journeys/` (a test checks that every file is listed here). */
export const JOURNEY_PRESETS = [
  'e-commerce',
  'retail',
  'cafe-restaurant',
  'hotel',
  'software',
] as const;
export type JourneyPreset = (typeof JOURNEY_PRESETS)[number];
/** What a touchpoints.yaml with neither `journey` nor `touchpoints` gets: selling online. */
export const DEFAULT_JOURNEY_PRESET: JourneyPreset = 'e-commerce';

/** The folder of the preset files. */
export const JOURNEYS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'journeys');

export function presetPath(id: JourneyPreset): string {
  return path.join(JOURNEYS_DIR, `${id}.yaml`);
}

/** A preset file. */
export const presetFileSchema = z
  .object({
    label: labelSchema.describe('The trade, shown to people.'),
    touchpoints: z
      .array(touchpointSchema)
      .min(1)
      .superRefine((tps, ctx) => {
        const seen = new Set<string>();
        for (const [i, tp] of tps.entries()) {
          if (seen.has(tp.id)) {
            ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${tp.id}"` });
          }
          seen.add(tp.id);
        }
      }),
  })
  .strict();
export type PresetFile = z.output<typeof presetFileSchema>;

const presetIdSchema = z.enum(JOURNEY_PRESETS);

/** The `journey` key of touchpoints.yaml. */
export const journeySchema = z
  .object({
    preset: z
      .union([presetIdSchema, z.array(presetIdSchema).min(1)], {
        error: `expected one of ${JOURNEY_PRESETS.join(', ')}, or a list of them`,
      })
      .transform((p) => (typeof p === 'string' ? [p] : [...new Set(p)]))
      .describe('One trade, or several whose touchpoints are merged (a shop that sells online).'),
    without: z
      .array(idSchema)
      .default([])
      .describe("The preset's touchpoints the brand does not have."),
  })
  .strict();

export interface JourneyIssue {
  path: (string | number)[];
  message: string;
}

export interface ComposeInput {
  /** The selected presets, in order, as read from their files. */
  presets: { id: JourneyPreset; file: PresetFile }[];
  without?: string[];
  /** The `touchpoints` entries of touchpoints.yaml. */
  entries?: TouchpointEntry[];
}

/**
 * The brand's journey: the presets merged (same id: keywords and exclusions pooled, the first
 * preset's label), minus `without`, plus the entries (additions to a preset's touchpoint, or
 * touchpoints of their own), in stage order. Issues carry touchpoints.yaml paths.
 */
export function composeJourney(input: ComposeInput): {
  touchpoints: Touchpoint[];
  issues: JourneyIssue[];
} {
  const issues: JourneyIssue[] = [];
  const byId = new Map<string, Touchpoint>();
  const origin = new Map<string, JourneyPreset>();
  for (const { id: preset, file } of input.presets) {
    for (const tp of file.touchpoints) {
      const have = byId.get(tp.id);
      if (!have) {
        byId.set(tp.id, structuredClone(tp));
        origin.set(tp.id, preset);
        continue;
      }
      if (have.stage !== tp.stage) {
        issues.push({
          path: ['journey', 'preset'],
          message: `presets ${origin.get(tp.id)} and ${preset} put "${tp.id}" at different stages (${have.stage}, ${tp.stage})`,
        });
      }
      extend(have, { id: tp.id, keywords: tp.keywords, exclude: tp.exclude, names: tp.names });
    }
  }
  const names = input.presets.map((p) => p.id).join(', ');
  for (const [i, id] of (input.without ?? []).entries()) {
    if (!byId.delete(id)) {
      issues.push({
        path: ['journey', 'without', i],
        message: `no touchpoint "${id}" in ${names || 'the presets'} (${[...byId.keys()].join(', ')})`,
      });
    }
  }
  const own = new Set<string>();
  for (const [i, entry] of (input.entries ?? []).entries()) {
    if (own.has(entry.id)) {
      issues.push({ path: ['touchpoints', i, 'id'], message: `duplicate id "${entry.id}"` });
      continue;
    }
    own.add(entry.id);
    const have = byId.get(entry.id);
    if (have) {
      extend(have, entry);
      continue;
    }
    const missing = [
      ...(entry.stage ? [] : ['stage']),
      ...(entry.label ? [] : ['label']),
      ...(entry.keywords?.fr?.length ? [] : ['keywords.fr']),
      ...(entry.keywords?.en?.length ? [] : ['keywords.en']),
    ];
    if (missing.length > 0 && input.presets.length > 0) {
      // Most likely a misspelt id of the preset, or a new touchpoint written like an addition.
      issues.push({
        path: ['touchpoints', i],
        message: `"${entry.id}" is not a touchpoint of ${names} (${[...byId.keys()].join(', ')}): a new touchpoint needs ${missing.join(', ')}`,
      });
      continue;
    }
    const full = touchpointSchema.safeParse(entry);
    if (full.success) {
      byId.set(entry.id, full.data);
      continue;
    }
    for (const issue of full.error.issues) {
      issues.push({
        path: ['touchpoints', i, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
        message: issue.message,
      });
    }
  }
  const touchpoints = [...byId.values()];
  if (touchpoints.length === 0 && issues.length === 0) {
    issues.push({ path: ['touchpoints'], message: 'the journey has no touchpoint' });
  }
  // Stage order, then the order of the files: the journey reads from discovery to loyalty.
  const rank = (t: Touchpoint): number => STAGES.indexOf(t.stage);
  return { touchpoints: touchpoints.toSorted((a, b) => rank(a) - rank(b)), issues };
}

/** Adds `more`'s keywords, names and exclusions to `tp` (no repeats); its stage and label replace. */
function extend(tp: Touchpoint, more: TouchpointEntry): void {
  const add = (list: string[], extra: string[] | undefined): string[] => [
    ...list,
    ...(extra ?? []).filter((k) => !list.includes(k)),
  ];
  tp.keywords = {
    fr: add(tp.keywords.fr, more.keywords?.fr),
    en: add(tp.keywords.en, more.keywords?.en),
  };
  tp.exclude = add(tp.exclude, more.exclude);
  if (more.names) {
    tp.names = {
      fr: add(tp.names?.fr ?? [], more.names.fr),
      en: add(tp.names?.en ?? [], more.names.en),
    };
  }
  if (more.stage) tp.stage = more.stage;
  if (more.label) tp.label = more.label;
}
