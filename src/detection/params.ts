/**
 * The schema of config/detection.yaml: every rule and threshold of the weak-link detector.
 * config/detection.yaml says why each value is what it is; this file only says what is valid.
 * The detector's clock is not among them: it is the brand's time zone (`brand.timeZone` in
 * touchpoints.yaml), which config/ hands to `detectionParams`.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, timeZoneSchema } from '../domain/calendar.js';
import { durationSchema } from '../domain/vocabulary.js';
import { ConfigError } from '../errors.js';

/**
 * `"90m"`, `"6h"`, `"28d"` (or `"0"`: off), in milliseconds: the one duration parser
 * (`durationSchema`), held here to minutes, hours and days.
 */
export const detectionDurationSchema = z
  .string()
  .regex(/^(0|\d+(m|h|d))$/, 'expected a duration such as "90m", "6h" or "28d"')
  // The pattern above is one durationSchema reads: it cannot fail here.
  .transform((v) => (v === '0' ? 0 : durationSchema.parse(v)));

const positive = z.number().positive();
const nonNegative = z.number().min(0);
const share = z.number().min(0).max(1);

/** detection.yaml as written. */
export const detectionFileSchema = z
  .object({
    baseline: z
      .object({
        history: detectionDurationSchema.describe('How far back the seasonal baseline looks.'),
        refresh: detectionDurationSchema.describe('How often the baseline is refitted.'),
        warmup: detectionDurationSchema.describe('History needed before any wave may open.'),
        timeZone: timeZoneSchema
          .optional()
          .describe(
            "Replaced by the brand's time zone (brand.timeZone in touchpoints.yaml); still read when that is not set.",
          ),
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

export type DetectionFile = z.output<typeof detectionFileSchema>;

/**
 * What the detector runs on: detection.yaml, with the brand's time zone as the clock of its
 * hour-of-day x weekday profile (`baseline.timeZone`).
 */
export type DetectionParams = Omit<DetectionFile, 'baseline'> & {
  baseline: Omit<DetectionFile['baseline'], 'timeZone'> & { timeZone: string };
};

/** detection.yaml's rules on the brand's clock. */
export function detectionParams(file: DetectionFile, timeZone: string): DetectionParams {
  return { ...file, baseline: { ...file.baseline, timeZone } };
}

/**
 * Reads and validates a detection.yaml (the bench's door; the app goes through config/index.ts).
 * The clock is `timeZone`, else the file's older `baseline.timeZone`, else Europe/Paris: the
 * default brand's, and the one the bench's scenarios are written in.
 */
export function loadDetectionParams(file: string, timeZone?: string): DetectionParams {
  const raw: unknown = parseYaml(readFileSync(file, 'utf8'));
  const r = detectionFileSchema.safeParse(raw);
  if (!r.success) {
    throw new ConfigError(
      r.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`),
      r.error,
    );
  }
  return detectionParams(r.data, timeZone ?? r.data.baseline.timeZone ?? DEFAULT_TIME_ZONE);
}
