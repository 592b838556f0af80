/**
 * What `touchpoints.yaml` states, owned here with the journey it composes: the brand (its names
 * and aliases, its products, its time zone), the watch query that decides whether a text is
 * about the brand, and the journey (presets and the brand's own touchpoints). config/ reads the
 * file and the presets and calls `composeJourney`; the schema is this module's.
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

/** touchpoints.yaml, before its journey is composed from the presets it names. */
export const touchpointsFileSchema = z
  .object({
    brand: namedSchema
      .extend({
        products: z
          .array(namedSchema)
          .default([])
          .describe('Products, services or venues people name without the brand.'),
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
