/**
 * The online count detector shared by the weak-link detector and the NAB bench: is this bucket's
 * count, and the few before it, more than the series' own seasonal baseline explains?
 *
 * - Baseline: an hour-of-day x weekday profile fitted on the last `history` of buckets, refitted
 *   every `refresh` (at fixed epoch instants, so two runs that start at different points agree
 *   once both have the same history). Each bucket is first bounded by a high quantile of its
 *   hour-of-day pool, so past outbreaks barely lift the baseline. Each weekday-hour slot is shrunk
 *   toward its hour, and each hour toward the overall level, by pseudo-counts: a quiet series
 *   gets a flat baseline, a busy one a fully seasonal one.
 * - Noise: negative-binomial, with the dispersion alpha (variance = mu + alpha mu^2) estimated on
 *   the same history; alpha = 0 is Poisson. Mention counts are overdispersed: a plain mean + k
 *   sigma, or a Poisson test, fires on every busy hour.
 * - Evidence: a CUSUM of the negative-binomial log-likelihood ratio "mean x shift" against
 *   "mean", so a rise over several buckets adds up (it fires on the rising edge) while one odd
 *   bucket needs to be very odd. The run (buckets since the CUSUM left zero) is what the caller
 *   checks for a minimum absolute count.
 *
 * Causal: step(i) reads values[0..i] only; the profile used at i is fitted on buckets before i.
 */
import { DAY_MS, floorTo, HOUR_MS, weekHour } from '../domain/calendar.js';
import type { DetectionParams } from './params.js';

/** What the detector knows after bucket i. */
export interface CountStep {
  /** Expected count of this bucket under the baseline. */
  expected: number;
  /** Dispersion in use (0 = Poisson). */
  alpha: number;
  /** This bucket's log-likelihood ratio, and the CUSUM after it. */
  llr: number;
  cusum: number;
  /** What the CUSUM must reach to raise an alarm here (see CountDetector.threshold). */
  threshold: number;
  /** Index where the current CUSUM run began; -1 when the CUSUM is at zero. */
  runStart: number;
  /** Whether enough history (`warmup`) lies behind this bucket for an alarm to count. */
  ready: boolean;
}

const SLOTS = 7 * 24;

interface Profile {
  /** Expected count per bucket, by weekday x 24 + hour. */
  mu: Float64Array;
  alpha: number;
}

/**
 * Weekday x 24 + hour of each bucket start in `timeZone` (its hour of the local week). A zone
 * lookup is slow: one per UTC hour is enough, each bucket taking the slot of its UTC hour's start
 * (in a zone shifted by half an hour, such as Kolkata's, a slot runs from :30 to :30).
 */
export function slotsOf(times: readonly number[], timeZone: string): Int16Array {
  const out = new Int16Array(times.length);
  const cache = new Map<number, number>();
  times.forEach((t, i) => {
    const hour = floorTo(t, HOUR_MS);
    let slot = cache.get(hour);
    if (slot === undefined) {
      slot = weekHour(hour, timeZone);
      cache.set(hour, slot);
    }
    out[i] = slot;
  });
  return out;
}

function quantileOfSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

/** Shrinks `value` toward `parent` with weight sum / (sum + prior): more counts, more trust. */
function shrink(value: number, parent: number, sum: number, prior: number): number {
  const w = sum + prior > 0 ? sum / (sum + prior) : 0;
  return w * value + (1 - w) * parent;
}

/** Negative-binomial log-likelihood ratio of count x for mean mu x shift against mean mu. */
export function nbLogLikelihoodRatio(x: number, mu: number, alpha: number, shift: number): number {
  if (alpha < 1e-9) return x * Math.log(shift) - (shift - 1) * mu;
  const r = 1 / alpha;
  return (
    x * Math.log((shift * (r + mu)) / (r + shift * mu)) + r * Math.log((r + mu) / (r + shift * mu))
  );
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: about 15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0] ?? 1;
  const t = z + 7.5;
  for (let k = 1; k < 9; k++) a += (c[k] ?? 0) / (z + k);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/**
 * P(X >= x) for X negative-binomial with mean `mu` and dispersion `alpha` (variance
 * mu + alpha mu^2; alpha = 0 is Poisson). Summed from the side that is short: the terms below x
 * when x is under the mean, the terms from x upward (until they vanish) when above, so that
 * tails of 1e-12 keep their precision.
 */
export function nbUpperTail(x: number, mu: number, alpha: number): number {
  const k0 = Math.ceil(x);
  if (k0 <= 0) return 1;
  if (!(mu > 0)) return 0;
  const poisson = alpha < 1e-9;
  const r = poisson ? 0 : 1 / alpha;
  const q = poisson ? 0 : mu / (r + mu);
  // Plain functions, not closures: this runs thousands of times a detection.
  if (k0 <= mu) {
    let term = Math.exp(nbLogPmf(0, mu, r, q, poisson));
    let below = 0;
    for (let k = 0; k < k0; k++) {
      below += term;
      term *= nbRatio(k, mu, r, q, poisson);
    }
    return Math.min(1, Math.max(0, 1 - below));
  }
  let term = Math.exp(nbLogPmf(k0, mu, r, q, poisson));
  let sum = 0;
  for (let k = k0; term > sum * 1e-12 && k < k0 + 100_000; k++) {
    sum += term;
    term *= nbRatio(k, mu, r, q, poisson);
  }
  return Math.min(1, sum);
}

function nbLogPmf(k: number, mu: number, r: number, q: number, poisson: boolean): number {
  return poisson
    ? k * Math.log(mu) - mu - logGamma(k + 1)
    : logGamma(k + r) -
        logGamma(r) -
        logGamma(k + 1) +
        r * Math.log(r / (r + mu)) +
        k * Math.log(q);
}

/** pmf(k + 1) / pmf(k). */
function nbRatio(k: number, mu: number, r: number, q: number, poisson: boolean): number {
  return poisson ? mu / (k + 1) : ((k + r) / (k + 1)) * q;
}

/**
 * An alert budget: the peaks of a statistic's past excursions over the history, and a bar at
 * `factor` x the `rank`-th highest of them. A series whose ordinary excursions are large (heavy
 * tails no dispersion captures) must beat its own usual bursts; a calm one keeps its level.
 */
export class PeakBudget {
  private readonly peaks: Array<{ end: number; peak: number }> = [];
  private current = 0;

  constructor(
    private readonly rank: number,
    private readonly factor: number,
    private readonly history: number,
    private readonly level: number,
  ) {}

  /** The bar at bucket i, from excursions ended within the history before i. */
  bar(i: number): number {
    while (this.peaks.length > 0 && (this.peaks[0]?.end ?? 0) < i - this.history)
      this.peaks.shift();
    if (this.rank <= 0) return 0;
    const sorted = this.peaks.map((p) => p.peak).toSorted((a, b) => b - a);
    return (sorted[this.rank - 1] ?? 0) * this.factor;
  }

  /** The statistic at bucket i: above the level it extends an excursion, at or below it ends one. */
  push(i: number, value: number): void {
    if (value > this.level) this.current = Math.max(this.current, value);
    else this.close(i);
  }

  /** Ends the current excursion, if any, at bucket i. */
  close(i: number): void {
    if (this.current > 0) this.peaks.push({ end: i, peak: this.current });
    this.current = 0;
  }
}

export class CountDetector {
  private readonly slots: Int16Array;
  private readonly historyBuckets: number;
  private readonly warmupBuckets: number;
  private readonly recentBuckets: number;
  private readonly floor: number;
  private profile: Profile | null = null;
  private refreshKey = Number.NaN;
  private cusum = 0;
  private runStart = -1;
  /** Peaks of the CUSUM's runs (from leaving zero to returning to it) over the history. */
  private readonly budget: PeakBudget;
  private bar = 0;

  /**
   * @param times bucket starts (ms), oldest first, one every `bucketMs`
   * @param values counts to watch, read causally by step(i)
   */
  constructor(
    private readonly times: readonly number[],
    private readonly values: readonly number[],
    private readonly params: DetectionParams,
    private readonly bucketMs: number,
  ) {
    const b = params.baseline;
    this.slots = slotsOf(times, b.timeZone);
    this.historyBuckets = Math.max(1, Math.round(b.history / bucketMs));
    this.warmupBuckets = Math.round(b.warmup / bucketMs);
    this.recentBuckets = Math.round(b.recent / bucketMs);
    this.floor = (b.minRatePerDay * bucketMs) / DAY_MS;
    const { rank, rankFactor } = params.evidence;
    this.budget = new PeakBudget(rank, rankFactor, this.historyBuckets, 0);
  }

  /** Forgets the current run (after a wave resolves), so the next wave needs fresh evidence. */
  reset(): void {
    this.budget.close(this.lastIndex);
    this.cusum = 0;
    this.runStart = -1;
  }

  private lastIndex = 0;

  /**
   * The threshold at this bucket: `threshold`, or `rankFactor` x the `rank`-th highest run peak
   * of the history if that is higher. A series whose ordinary excursions are large (heavy tails
   * the dispersion does not capture) must do better than its own usual bursts: an alert budget
   * of about `rank` per history, not a fixed significance level.
   */
  get threshold(): number {
    return this.bar;
  }

  private updateBar(i: number): void {
    this.bar = Math.max(this.params.evidence.threshold, this.budget.bar(i));
  }

  /** What the profile in use expects per day, over a whole week's rhythm (the usual rate). */
  usualPerDay(): number {
    const mu = this.profile?.mu;
    if (!mu) return this.floor * (DAY_MS / this.bucketMs);
    let sum = 0;
    for (const m of mu) sum += Math.max(this.floor, m);
    return (sum / SLOTS) * (DAY_MS / this.bucketMs);
  }

  /** Expected count of bucket j under the profile in use (after step(i) for some i >= j). */
  expectedAt(j: number): number {
    const mu = this.profile?.mu[this.slots[j] ?? 0] ?? this.floor;
    return Math.max(this.floor, mu);
  }

  step(i: number): CountStep {
    const key = Math.floor((this.times[i] ?? 0) / this.params.baseline.refresh);
    if (key !== this.refreshKey || this.profile === null) {
      this.refreshKey = key;
      this.profile = this.fit(i);
      this.updateBar(i);
    }
    this.lastIndex = i;
    const expected = this.expectedAt(i);
    const alpha = this.profile.alpha;
    const { shift } = this.params.evidence;
    const llr = nbLogLikelihoodRatio(this.values[i] ?? 0, expected, alpha, shift);
    const next = Math.max(0, this.cusum + llr);
    if (next > 0 && this.cusum === 0) this.runStart = i;
    if (next === 0) this.runStart = -1;
    this.budget.push(i, next);
    this.cusum = next;
    return {
      expected,
      alpha,
      llr,
      cusum: next,
      threshold: this.bar,
      runStart: this.runStart,
      ready: i >= this.warmupBuckets,
    };
  }

  /** Fits the seasonal profile and the dispersion on buckets [i - history, i). */
  private fit(i: number): Profile {
    const b = this.params.baseline;
    const lo = Math.max(0, i - this.historyBuckets);
    const mu = new Float64Array(SLOTS).fill(this.floor);
    if (i - lo === 0) return { mu, alpha: b.dispersionMin };

    const pools: number[][] = Array.from({ length: 24 }, () => []);
    for (let j = lo; j < i; j++) pools[(this.slots[j] ?? 0) % 24]?.push(this.values[j] ?? 0);
    const caps = pools.map(
      (p) =>
        quantileOfSorted(
          p.toSorted((a, c) => a - c),
          b.capQuantile,
        ) *
          b.capMultiplier +
        b.capOffset,
    );
    const bounded = (j: number): number =>
      Math.min(this.values[j] ?? 0, caps[(this.slots[j] ?? 0) % 24] ?? 0);

    const sumH = new Float64Array(24);
    const nH = new Float64Array(24);
    const sumS = new Float64Array(SLOTS);
    const nS = new Float64Array(SLOTS);
    let total = 0;
    for (let j = lo; j < i; j++) {
      const s = this.slots[j] ?? 0;
      const x = bounded(j);
      sumH[s % 24] = (sumH[s % 24] ?? 0) + x;
      nH[s % 24] = (nH[s % 24] ?? 0) + 1;
      sumS[s] = (sumS[s] ?? 0) + x;
      nS[s] = (nS[s] ?? 0) + 1;
      total += x;
    }
    const level = total / (i - lo);
    const hourMean = new Float64Array(24);
    for (let h = 0; h < 24; h++) {
      const n = nH[h] ?? 0;
      hourMean[h] =
        n > 0 ? shrink((sumH[h] ?? 0) / n, level, sumH[h] ?? 0, b.seasonalPrior) : level;
    }
    for (let s = 0; s < SLOTS; s++) {
      const n = nS[s] ?? 0;
      const parent = hourMean[s % 24] ?? level;
      const m = n > 0 ? shrink((sumS[s] ?? 0) / n, parent, sumS[s] ?? 0, b.seasonalPrior) : parent;
      mu[s] = Math.max(this.floor, m);
    }

    // A level correction for slow trends: recent bounded counts against what the profile says.
    if (this.recentBuckets > 0) {
      let obs = 0;
      let exp = 0;
      for (let j = Math.max(lo, i - this.recentBuckets); j < i; j++) {
        obs += bounded(j);
        exp += mu[this.slots[j] ?? 0] ?? 0;
      }
      const ratio = (obs + b.seasonalPrior) / (exp + b.seasonalPrior);
      for (let s = 0; s < SLOTS; s++) mu[s] = Math.max(this.floor, (mu[s] ?? 0) * ratio);
    }

    // Method of moments on the bounded history: sum((x - mu)^2 - mu) / sum(mu^2).
    let num = 0;
    let den = 0;
    for (let j = lo; j < i; j++) {
      const m = mu[this.slots[j] ?? 0] ?? this.floor;
      const d = bounded(j) - m;
      num += d * d - m;
      den += m * m;
    }
    const alpha = den > 0 ? num / den : b.dispersionMin;
    return { mu, alpha: Math.min(b.dispersionMax, Math.max(b.dispersionMin, alpha)) };
  }
}
