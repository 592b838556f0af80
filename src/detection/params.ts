/**
 * The schema of config/detection.yaml: every rule and threshold of the weak-link detector.
 * config/detection.yaml says why each value is what it is; this file only says what is valid.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `"90m"`, `"6h"`, `"28d"` (or `"0"`), parsed to milliseconds. Kept here, not imported from config/, so config/ can import this file without a cycle. */
export const detectionDurationSchema = z
  .string()
  .regex(/^(0|\d+(m|h|d))$/, 'expected a duration such as "90m", "6h" or "28d"')
  .transform((v) => {
    if (v === '0') return 0;
    const unit = v.slice(-1) as keyof typeof UNIT_MS;
    return Number(v.slice(0, -1)) * UNIT_MS[unit];
  });

const timeZoneSchema = z.string().refine(
  (tz) => {
    try {
      return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone !== '';
    } catch {
      return false;
    }
  },
  { message: 'expected an IANA time zone such as "Europe/Paris" or "UTC"' },
);

const positive = z.number().positive();
const nonNegative = z.number().min(0);
const share = z.number().min(0).max(1);

export const detectionParamsSchema = z
  .object({
    baseline: z
      .object({
        history: detectionDurationSchema.describe('How far back the seasonal baseline looks.'),
        refresh: detectionDurationSchema.describe('How often the baseline is refitted.'),
        warmup: detectionDurationSchema.describe('History needed before any wave may open.'),
        timeZone: timeZoneSchema.describe('Clock of the hour-of-day x weekday profile.'),
        capQuantile: share.describe('Quantile of an hour-of-day pool that bounds a bucket.'),
        capMultiplier: positive.describe('Bound = quantile x capMultiplier + capOffset.'),
        capOffset: nonNegative,
        seasonalPrior: nonNegative.describe('Pseudo-counts shrinking a slot toward its parent.'),
        recent: detectionDurationSchema.describe('Window of the level correction; "0" = off.'),
        minRatePerDay: positive.describe('Floor of the expected count, per day.'),
        dispersionMin: nonNegative.describe('Bounds of the negative-binomial dispersion alpha.'),
        dispersionMax: nonNegative,
      })
      .strict(),
    evidence: z
      .object({
        shift: z.number().gt(1).describe('Rise the CUSUM is tuned to detect (x baseline).'),
        threshold: positive.describe('CUSUM log-likelihood ratio that opens a wave.'),
        rank: z.number().int().min(0).describe('The run must beat the rank-th peak of history.'),
        rankFactor: nonNegative.describe('... times this factor (rank 0: off).'),
        minCount: nonNegative.describe('Counted negatives in the window, at least.'),
        minExcess: nonNegative.describe('Counted negatives above expectation in the window.'),
        authorCap: nonNegative.describe(
          'Negatives one author, or one copied text, may add to a window.',
        ),
        textCap: nonNegative.describe(
          'Negatives one text (however many accounts post it) may add.',
        ),
      })
      .strict(),
    scan: z
      .object({
        windows: z
          .array(detectionDurationSchema)
          .min(1)
          .describe('Trailing windows in which a rise is looked for.'),
        maxPValue: z
          .number()
          .gt(0)
          .lt(1)
          .describe('Chance under the baseline alone below which a window is a rise.'),
        rankFactor: nonNegative.describe(
          "... and -ln of it must beat this x the evidence.rank-th of the series' own past peaks.",
        ),
      })
      .strict(),
    lifecycle: z
      .object({
        calmWindow: detectionDurationSchema.describe('Window compared to baseline to resolve.'),
        calmRatio: positive.describe('Calm when observed <= expected x calmRatio + 1.'),
        resolveAfter: detectionDurationSchema.describe('Calm this long in a row to resolve.'),
        cooldown: detectionDurationSchema.describe('No new wave this long after a resolve.'),
        maxOpen: detectionDurationSchema.describe('A wave open this long is closed (new normal).'),
      })
      .strict(),
    gates: z
      .object({
        minAuthors: nonNegative.describe('Distinct people (and distinct texts) over the window.'),
        maxTopAuthorShare: share.describe('Largest share of the window one author may hold.'),
        minOwnWords: share.describe('Distinct texts per distinct person in the window, at least.'),
        minShareLift: nonNegative.describe('Negative share over baseline share, at least.'),
        sharePrior: nonNegative.describe(
          'Pseudo-mentions of the baseline negative share, and of its pull on the run share.',
        ),
        priorShare: share.describe('Negative share assumed before any history.'),
      })
      .strict(),
    spreading: z
      .object({
        window: detectionDurationSchema.describe('Trailing window of the score while open.'),
        weights: z
          .object({
            growth: nonNegative,
            share: nonNegative,
            authors: nonNegative,
            sources: nonNegative,
            reach: nonNegative,
            reshares: nonNegative,
            contagion: nonNegative,
          })
          .strict(),
        full: z
          .object({
            growth: z.number().gt(1),
            share: z.number().gt(1),
            authors: positive,
            sources: z.number().gt(1),
            reach: positive,
            reshares: positive,
            contagion: positive,
          })
          .strict()
          .describe('Value at which each component counts in full.'),
      })
      .strict(),
    severity: z
      .object({
        warning: z.number().min(0).max(100),
        critical: z.number().min(0).max(100),
        calmMargin: z.number().min(0).max(100),
      })
      .strict(),
  })
  .strict();

export type DetectionParams = z.output<typeof detectionParamsSchema>;

/** Reads and validates a detection.yaml (the bench's door; the app goes through config/index.ts). */
export function loadDetectionParams(file: string): DetectionParams {
  const raw: unknown = parseYaml(readFileSync(file, 'utf8'));
  const r = detectionParamsSchema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
      r.error,
    );
  }
  return r.data;
}
