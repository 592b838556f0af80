/**
 * What any detector could do on the scenario suite: a bound, not a competitor. It reads every
 * mention with the generator's truth (as the oracle rows do) and it knows what no detector can
 * know, the true usual rate of each touchpoint's negatives at each quarter hour (the generator's
 * `usual`, rhythm and trend included). In each trailing window of 1 to 6 hours it computes the
 * chance of that many negatives under that rate, with the spread the generator's day-to-day
 * swings give (negative binomial), and alerts when the chance falls under a level; after an
 * alert the touchpoint stays quiet for 36 hours (the longest wave and its tail), so a wave
 * raises one alert.
 *
 * The level is chosen afterwards, on the very seeds it is scored on: the largest of LEVELS whose
 * false alerts stay within the target. So the row says "even knowing the rates and choosing the
 * level with the answers in hand, no better than this", for the recall and delay targets of
 * issue 8 at its false-alert target.
 */
import { nbUpperTail } from '../../../src/detection/count-detector.js';
import { BANK_TOUCHPOINTS, type PhraseBank } from './scenario-bank.js';
import { BUCKET_MS, HOUR, N_BUCKETS, START, TEST_FROM, type Scenario } from './scenario-gen.js';

/** Chance levels tried, most sensitive first. */
export const LEVELS = [1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7] as const;
/** Trailing windows, in buckets (1, 2, 3, 4 and 6 hours). */
const WINDOWS = [4, 8, 12, 16, 24];
/**
 * Variance = mu + alpha mu^2 for a day level exp(0.15 g) x exp(0.2 g') (scenario-gen's swings):
 * alpha = exp(0.15^2 + 0.2^2) - 1.
 */
const ALPHA = Math.exp(0.15 ** 2 + 0.2 ** 2) - 1;
/** Calm: no window's chance under 1 in 20, for 6 hours; then a 12-hour cooldown. */
const CALM_SURPRISE = Math.log(20);
const CALM_BUCKETS = (6 * HOUR) / BUCKET_MS;
const COOLDOWN_BUCKETS = (12 * HOUR) / BUCKET_MS;

export interface BoundAlert {
  tp: string;
  at: number;
}

/** The bound's alerts at each level of LEVELS, in the test weeks. */
export function boundAlerts(sc: Scenario, bank: PhraseBank): BoundAlert[][] {
  const out: BoundAlert[][] = LEVELS.map(() => []);
  const first = (TEST_FROM - START) / BUCKET_MS;
  for (const tp of BANK_TOUCHPOINTS) {
    const neg = new Float64Array(N_BUCKETS);
    const log = sc.log;
    for (let i = 0; i < log.n; i++) {
      const truth = bank.templates[log.tmpl[i] ?? 0]?.truth ?? [];
      if (!truth.some((t) => t.tp === tp && t.polarity === 'negative')) continue;
      const b = Math.floor(((log.at[i] ?? 0) - START) / BUCKET_MS);
      if (b >= 0 && b < N_BUCKETS) neg[b] = (neg[b] ?? 0) + 1;
    }
    const usual = sc.usual[tp];
    const pNeg = prefix(neg);
    const pUsual = prefix(usual);
    // -ln of the smallest chance over the windows, per bucket of the test weeks.
    const surprise = new Float64Array(N_BUCKETS);
    for (let b = first; b < N_BUCKETS; b++) {
      let best = 0;
      for (const w of WINDOWS) {
        const a = b - w + 1;
        const x = (pNeg[b + 1] ?? 0) - (pNeg[a] ?? 0);
        const mu = (pUsual[b + 1] ?? 0) - (pUsual[a] ?? 0);
        if (x < 1) continue;
        best = Math.max(best, -Math.log(Math.max(1e-300, nbUpperTail(x, mu, ALPHA))));
      }
      surprise[b] = best;
    }
    LEVELS.forEach((level, k) => {
      const bar = -Math.log(level);
      let open = false;
      let calm = 0;
      let quietUntil = -1;
      for (let b = first; b < N_BUCKETS; b++) {
        const s = surprise[b] ?? 0;
        if (open) {
          calm = s < CALM_SURPRISE ? calm + 1 : 0;
          if (calm >= CALM_BUCKETS) {
            open = false;
            quietUntil = b + COOLDOWN_BUCKETS;
          }
          continue;
        }
        if (b < quietUntil || s < bar) continue;
        out[k]?.push({ tp, at: START + b * BUCKET_MS });
        open = true;
        calm = 0;
      }
    });
  }
  return out;
}

function prefix(xs: Float64Array): Float64Array {
  const p = new Float64Array(xs.length + 1);
  for (let i = 0; i < xs.length; i++) p[i + 1] = (p[i] ?? 0) + (xs[i] ?? 0);
  return p;
}
