/**
 * What `touchpoints.yaml` states, owned here with the journey it composes: the brand (its names
 * and aliases, its products, its time zone, the competitors it measures its share of voice
 * against), the watch query that decides whether a text is about the brand, and the journey
 * (presets and the brand's own touchpoints). config/ reads the file and the presets and calls
 * `composeJourney`; the schema is this module's.
 */
import { z } from 'zod';
import { timeZoneSchema } from '../domain/calendar.js';
import {
  brandNames,
  journeySchema,
  keywordSchema,
  touchpointEntrySchema,
  type JourneyPreset,
  type NamedBrand,
  type Touchpoint,
} from './journey.js';
import { parseQuery, QuerySyntaxError } from './query.js';

/** A watch query, parsed here so that a syntax error stops start-up naming the key. */
const watchQuerySchema = z.string().superRefine((q, ctx) => {
  try {
    parseQuery(q);
  } catch (err) {
    if (!(err instanceof QuerySyntaxError)) throw err;
    ctx.addIssue({ code: 'custom', message: `${err.reason} (position ${err.position})` });
  }
});

const namedSchema = z
  .object({
    name: keywordSchema.describe('As people write it; also the name the alerts use.'),
    aliases: z.array(keywordSchema).default([]).describe('Other spellings, handles, hashtags.'),
  })
  .strict();

/**
 * The brand's own key among the brands of share of voice. Its counts are the overall ones (every
 * mention about the brand); a competitor's are those of the mentions naming it.
 */
export const OWN_BRAND_ID = 'own';

/** A competitor: a watched term with its own aliases, matched like the brand's names. */
const competitorSchema = namedSchema
  .extend({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'use lower-case letters, digits and "-" (at most 40)')
      .refine((id) => id !== OWN_BRAND_ID, `"${OWN_BRAND_ID}" is the brand's own key`)
      .describe('Stable: the key of its counts and of the API.'),
  })
  .strict();

/** touchpoints.yaml, before its journey is composed from the presets it names. */
export const touchpointsFileSchema = z
  .object({
    brand: namedSchema
      .extend({
        products: z
          .array(namedSchema)
          .default([])
          .describe('Products, services or venues people name without the brand.'),
        competitors: z
          .array(competitorSchema)
          .default([])
          .superRefine((list, ctx) => {
            const seen = new Set<string>();
            list.forEach((c, i) => {
              if (seen.has(c.id))
                ctx.addIssue({
                  code: 'custom',
                  path: [i, 'id'],
                  message: `duplicate id "${c.id}"`,
                });
              seen.add(c.id);
            });
          })
          .describe(
            'Brands to measure share of voice against: the mentions naming one are counted under its id, with their sentiment.',
          ),
        timeZone: timeZoneSchema
          .optional()
          .describe(
            "The brand's clock (IANA): the detector's hours and weekdays, the trends' days, the digest's hour, the hours in alerts' words. Default Europe/Paris.",
          ),
      })
      .strict(),
    watch: watchQuerySchema
      .optional()
      .describe('Which texts are about the brand; default: any brand or product name or alias.'),
    journey: journeySchema
      .optional()
      .describe(
        'The trade presets the journey starts from; without it, `touchpoints` is the whole journey.',
      ),
    touchpoints: z
      .array(touchpointEntrySchema)
      .optional()
      .describe(
        "The brand's own touchpoints, or additions to a preset's (same id); default: the default preset alone.",
      ),
  })
  .strict()
  .transform((f) => ({ ...f, watch: f.watch ?? defaultWatch(f.brand) }));

/** Any name or alias of the brand or its products, each as an exact phrase. */
function defaultWatch(brand: NamedBrand): string {
  return brandNames(brand)
    .map((n) => `"${n.replace(/"/g, ' ')}"`)
    .join(' OR ');
}

/** A brand of share of voice: the brand itself (`own`) or a competitor. */
export interface WatchedBrand {
  id: string;
  name: string;
  own: boolean;
}

/** The brand first, then its competitors in the file's order. */
export function watchedBrands(brand: {
  name: string;
  competitors?: ReadonlyArray<{ id: string; name: string }>;
}): WatchedBrand[] {
  return [
    { id: OWN_BRAND_ID, name: brand.name, own: true },
    ...(brand.competitors ?? []).map((c) => ({ id: c.id, name: c.name, own: false })),
  ];
}

/** Each competitor's id and every name it is written by (`AnalyzeOptions.competitors`). */
export function competitorNames(brand: {
  competitors?: ReadonlyArray<{ id: string; name: string; aliases: readonly string[] }>;
}): { id: string; names: string[] }[] {
  return (brand.competitors ?? []).map((c) => ({ id: c.id, names: [c.name, ...c.aliases] }));
}

/** The customer journey: brand, watch query, touchpoints composed from presets and the file. */
export interface TouchpointsConfig {
  /** The brand, its time zone always set after loading (config/ resolves it). */
  brand: Omit<z.output<typeof touchpointsFileSchema>['brand'], 'timeZone'> & { timeZone: string };
  /** Always set after loading (default: any brand or product name). */
  watch: string;
  /** The presets the journey was composed from (none when the file lists it all). */
  presets: JourneyPreset[];
  touchpoints: Touchpoint[];
}
