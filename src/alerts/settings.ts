/**
 * What `alerts.yaml` states, owned here: its channels (each type's schema comes from the channel
 * registry), which alerts go to which channels, the daily digest, and the source-health
 * thresholds. config/ reads the file, resolves the secrets and fills in the default routes.
 */
import { z } from 'zod';
import { timeZoneSchema } from '../domain/calendar.js';
import {
  alertKindSchema,
  durationSchema,
  languageSchema,
  severitySchema,
  sourceIdSchema,
} from '../domain/vocabulary.js';
import { channelIdSchema, channelSettingsSchema, type ChannelConfig } from './channels/index.js';

const routeSchema = z
  .object({
    match: z
      .object({
        kind: alertKindSchema
          .default('weak-link')
          .describe('Operational alerts only ever follow routes that name them.'),
        touchpoints: z.array(z.string().min(1)).min(1).optional(),
        sources: z.array(sourceIdSchema).min(1).optional(),
        minSeverity: severitySchema.optional(),
      })
      .strict()
      .default({ kind: 'weak-link' }),
    channels: z.array(channelIdSchema).min(1),
  })
  .strict();

const digestSchema = z
  .object({
    channel: channelIdSchema,
    at: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time such as "08:00"')
      .default('08:00'),
    timezone: timeZoneSchema
      .optional()
      .describe(
        "Replaced by the brand's time zone (brand.timeZone in touchpoints.yaml); still read when that is not set.",
      ),
    lang: languageSchema.optional().describe("Default: the channel's language."),
  })
  .strict();

const OPERATIONAL_DEFAULTS = {
  failingAfter: 3_600_000,
  silentFactor: 6,
  silentFloor: 6 * 3_600_000,
  criticalAfter: 24 * 3_600_000,
};

const operationalSchema = z
  .object({
    failingAfter: durationSchema
      .default(OPERATIONAL_DEFAULTS.failingAfter)
      .describe('A source failing this long since the first failure of the run raises an alert.'),
    silentFactor: z
      .number()
      .positive()
      .default(OPERATIONAL_DEFAULTS.silentFactor)
      .describe('Silent after this many times its usual gap between new mentions...'),
    silentFloor: durationSchema
      .default(OPERATIONAL_DEFAULTS.silentFloor)
      .describe('...and never sooner than this.'),
    criticalAfter: durationSchema
      .default(OPERATIONAL_DEFAULTS.criticalAfter)
      .describe('A source broken this long escalates its alert to critical (one more message).'),
  })
  .strict()
  .default(OPERATIONAL_DEFAULTS);

/** alerts.yaml, before its secrets are resolved and its default routes filled in. */
export const alertsFileSchema = z
  .object({
    channels: z
      .array(channelSettingsSchema)
      .default([{ id: 'console', type: 'log', digestOnly: false }])
      .superRefine((chs, ctx) => {
        const seen = new Set<string>();
        for (const [i, c] of chs.entries()) {
          const id = String(c.id);
          if (seen.has(id))
            ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${id}"` });
          seen.add(id);
        }
      }),
    routes: z
      .array(routeSchema)
      .optional()
      .describe('Every matching route adds its channels; default: see alerts.yaml.'),
    digest: digestSchema.optional(),
    operational: operationalSchema,
  })
  .strict();

/** Which alerts go to which channels (`match` fields all have to hold). */
export type RouteConfig = z.output<typeof routeSchema>;
/**
 * The daily digest for marketers: one channel and a local time, on the brand's clock
 * (`timezone`, which config/ fills in from `brand.timeZone`).
 */
export type DigestConfig = Omit<z.output<typeof digestSchema>, 'timezone'> & { timezone: string };
/** Thresholds of the source-health checks, in milliseconds (and a factor). */
export type OperationalConfig = z.output<typeof operationalSchema>;
/** alerts.yaml, resolved: channels with their secrets, routes (defaults filled in). */
export interface AlertsConfig {
  channels: ChannelConfig[];
  routes: RouteConfig[];
  digest: DigestConfig | null;
  operational: OperationalConfig;
}
export type { ChannelConfig };
