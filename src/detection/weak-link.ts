/**
 * The weak-link detector: one touchpoint's negatives against its own seasonal baseline (the
 * count detector), gated so that what opens a wave is word of mouth spreading, then a spreading
 * score that sets the severity, and the whole lifecycle of each wave.
 *
 * Per bucket i, in order (the decision at i uses buckets <= i only):
 * 1. Counted negatives: the bucket's negatives with the most active author capped at
 *    `evidence.authorCap`, so one angry author adds little evidence however often they post.
 * 2. The count detector's CUSUM on those counts. Its run (since it left zero) is the candidate
 *    wave's rising edge.
 * 3. Idle and past warm-up and cooldown: a wave opens when the CUSUM crosses `threshold` and the
 *    run passes every gate: a minimum count and excess over expectation, enough distinct
 *    authors, no single author holding most of it, and a negative share clearly above the
 *    baseline share (a viral positive wave lifts negatives and positives together).
 * 4. Open: the score is recomputed on the trailing `spreading.window`; a severity change is an
 *    update (calming needs `calmMargin` below the threshold). The wave resolves after
 *    `resolveAfter` of calm buckets in a row (observed <= expected x calmRatio + 1 over
 *    `calmWindow`), so a one-bucket dip does not close it, or after `maxOpen` (a lasting shift
 *    is the new normal, not a wave). Then `cooldown`, and the next wave needs fresh evidence.
 *
 * History: `baseline.history` (28 days by default) of buckets before the period of interest
 * gives the full baseline; with less, the profile is fitted on what there is and shrunk toward
 * flat, and no wave opens in the first `baseline.warmup` of the series. The state carried from
 * bucket to bucket (CUSUM, open wave, cooldown) returns to rest once a series is calm, so a
 * recomputation over the last N days (N >= history + the longest wave + cooldown) gives the
 * same waves with the same opening times as a run over all of history, except when that window
 * starts inside a wave.
 */
import { CountDetector } from './count-detector.js';
import type { DetectionParams } from './params.js';
import type { BucketStats, Severity, Wave, WaveEvent } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;
const pct = (x: number): string => `${Math.round(x * 100)}%`;
/** Two significant digits under 10 (0.012, 3.4), whole numbers above: "0 expected" reads wrong. */
const approx = (x: number): string =>
  !Number.isFinite(x) ? '∞' : x >= 10 ? String(Math.round(x)) : String(Number(x.toPrecision(2)));
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Sums of one field over [a, b] in O(1). */
function prefix(series: readonly BucketStats[], f: (b: BucketStats) => number): Float64Array {
  const p = new Float64Array(series.length + 1);
  series.forEach((b, i) => {
    p[i + 1] = (p[i] ?? 0) + f(b);
  });
  return p;
}

const between = (p: Float64Array, a: number, b: number): number => (p[b + 1] ?? 0) - (p[a] ?? 0);

interface Assessment {
  score: number;
  observed: number;
  expected: number;
  reasons: string[];
  /** Why the run may not open a wave; empty when it may. */
  blocked: string[];
}

function severityFor(score: number, current: Severity | null, p: DetectionParams): Severity {
  const { warning, critical, calmMargin } = p.severity;
  const raw: Severity = score >= critical ? 'critical' : score >= warning ? 'warning' : 'info';
  if (current === null || SEVERITY_RANK[raw] >= SEVERITY_RANK[current]) return raw;
  // Calming, one level at a time, only once the score is clearly under that level's threshold.
  let s: Severity = current;
  if (s === 'critical' && score < critical - calmMargin) s = 'warning';
  if (s === 'warning' && score < warning - calmMargin) s = 'info';
  return s;
}

/**
 * Waves of one touchpoint's series. Pure, deterministic and causal: appending buckets never
 * changes an event already returned.
 *
 * @param series buckets oldest first, one every `bucketMs`, no gaps
 */
export function detectWaves(
  series: readonly BucketStats[],
  params: DetectionParams,
  bucketMs: number,
): Wave[] {
  const n = series.length;
  if (n === 0) return [];
  const { evidence, lifecycle, gates, spreading } = params;
  const buckets = (ms: number): number => Math.max(1, Math.round(ms / bucketMs));
  const calmWindow = buckets(lifecycle.calmWindow);
  const resolveAfter = buckets(lifecycle.resolveAfter);
  const cooldown = Math.round(lifecycle.cooldown / bucketMs);
  const maxOpen = buckets(lifecycle.maxOpen);
  const scoreWindow = buckets(spreading.window);
  const historyBuckets = buckets(params.baseline.history);

  const counted = series.map(
    (b) => b.negative - Math.max(0, b.topAuthorNegative - evidence.authorCap),
  );
  const times = series.map((b) => b.start.getTime());
  const detector = new CountDetector(times, counted, params, bucketMs);

  const pCounted = new Float64Array(n + 1);
  counted.forEach((c, i) => {
    pCounted[i + 1] = (pCounted[i] ?? 0) + c;
  });
  const pExpected = new Float64Array(n + 1);
  const pNeg = prefix(series, (b) => b.negative);
  const pVol = prefix(series, (b) => b.volume);
  const pAuthors = prefix(series, (b) => b.negativeAuthors);
  const pTop = prefix(series, (b) => b.topAuthorNegative);
  const pReach = prefix(series, (b) => b.negativeReach);
  const pShares = prefix(series, (b) => b.negativeShares);

  const baseShare = (i: number): number => {
    const lo = Math.max(0, i - historyBuckets);
    const neg = i > lo ? between(pNeg, lo, i - 1) : 0;
    const vol = i > lo ? between(pVol, lo, i - 1) : 0;
    return (neg + gates.sharePrior * gates.priorShare) / (vol + gates.sharePrior);
  };

  /** Score and gates of buckets [a, i]. */
  const assess = (a: number, i: number, share0: number): Assessment => {
    const observed = between(pCounted, a, i);
    const expected = between(pExpected, a, i);
    const neg = between(pNeg, a, i);
    const vol = between(pVol, a, i);
    const authors = between(pAuthors, a, i);
    const top = between(pTop, a, i);
    const reach = between(pReach, a, i);
    const shares = between(pShares, a, i);
    let sources = 0;
    let contagion = 0;
    for (let j = Math.max(a, i - scoreWindow + 1); j <= i; j++) {
      sources = Math.max(sources, series[j]?.negativeSources ?? 0);
      contagion = Math.max(contagion, series[j]?.contagion ?? 0);
    }
    const growth = observed / Math.max(expected, 1e-9);
    const share = vol > 0 ? neg / vol : 0;
    // The lift is judged on the run's share shrunk toward the usual one by `sharePrior`
    // pseudo-mentions: a few buckets of a large positive wave can hold a high share by chance.
    const shrunkShare = (neg + gates.sharePrior * share0) / (vol + gates.sharePrior);
    const lift = shrunkShare / Math.max(share0, 1e-9);
    const topShare = neg > 0 ? top / neg : 0;
    const meanReach = neg > 0 ? reach / neg : 0;

    const { weights: w, full } = spreading;
    const parts: Array<[number, number]> = [
      [w.growth, clamp01(Math.log(growth) / Math.log(full.growth))],
      [w.share, clamp01((lift - 1) / (full.share - 1))],
      [w.authors, clamp01(authors / full.authors)],
      [w.sources, clamp01((sources - 1) / (full.sources - 1))],
      [w.reach, clamp01(meanReach / full.reach)],
      [w.reshares, clamp01(Math.log1p(shares) / Math.log1p(full.reshares))],
      [w.contagion, clamp01(contagion / full.contagion)],
    ];
    const wSum = parts.reduce((s, [wi]) => s + wi, 0);
    const score = wSum > 0 ? (100 * parts.reduce((s, [wi, c]) => s + wi * c, 0)) / wSum : 0;

    const reasons = [
      `${round(observed, 1)} negatives against ${approx(expected)} expected (x${approx(growth)})`,
      `negative share ${pct(share)} against ${pct(share0)} usually`,
      `${authors} author-buckets, top author ${pct(topShare)} of negatives`,
      `up to ${plural(sources, 'source')} at once`,
    ];
    if (meanReach > 0) reasons.push(`mean reach ${round(meanReach, 1)} (log10 audience)`);
    if (shares > 0) reasons.push(plural(shares, 'reshare'));
    if (contagion > 0) reasons.push(`${plural(contagion, 'other touchpoint')} elevated at once`);

    const blocked: string[] = [];
    if (observed < evidence.minCount) blocked.push('too few negatives');
    if (observed - expected < evidence.minExcess) blocked.push('too small an excess');
    if (authors < gates.minAuthors) blocked.push('too few authors');
    if (topShare > gates.maxTopAuthorShare) blocked.push('one author holds the run');
    if (lift < gates.minShareLift) blocked.push('negative share not above usual');
    return { score: round(score, 1), observed, expected, reasons, blocked };
  };

  const waves: Wave[] = [];
  let open: { wave: Wave; at: number; severity: Severity; share0: number } | null = null;
  let calmRun = 0;
  let armedFrom = 0;

  for (let i = 0; i < n; i++) {
    const step = detector.step(i);
    pExpected[i + 1] = (pExpected[i] ?? 0) + step.expected;
    const at = series[i]?.start ?? new Date(times[i] ?? 0);

    if (open === null) {
      if (!step.ready || i < armedFrom || step.runStart < 0) continue;
      if (step.cusum < step.threshold) continue;
      const share0 = baseShare(step.runStart);
      const a = assess(step.runStart, i, share0);
      if (a.blocked.length > 0) continue;
      const severity = severityFor(a.score, null, params);
      const event: WaveEvent = {
        at,
        kind: 'open',
        severity,
        score: a.score,
        observed: round(a.observed),
        expected: round(a.expected),
        reasons: a.reasons,
      };
      const wave: Wave = {
        openedAt: at,
        resolvedAt: null,
        peakSeverity: severity,
        events: [event],
      };
      waves.push(wave);
      open = { wave, at: i, severity, share0 };
      calmRun = 0;
      continue;
    }

    const c0 = Math.max(0, i - calmWindow + 1);
    const calm = between(pCounted, c0, i) <= between(pExpected, c0, i) * lifecycle.calmRatio + 1;
    calmRun = calm ? calmRun + 1 : 0;
    const expired = i - open.at >= maxOpen;
    const a = assess(Math.max(open.at, i - scoreWindow + 1), i, open.share0);
    if (calmRun >= resolveAfter || expired) {
      open.wave.events.push({
        at,
        kind: 'resolve',
        severity: null,
        score: a.score,
        observed: round(a.observed),
        expected: round(a.expected),
        reasons: expired
          ? [`open for ${lifecycle.maxOpen / 3_600_000} h: treated as the new normal`]
          : ['back to baseline'],
      });
      open.wave.resolvedAt = at;
      open = null;
      detector.reset();
      armedFrom = i + 1 + cooldown;
      continue;
    }
    const severity = severityFor(a.score, open.severity, params);
    if (severity !== open.severity) {
      open.wave.events.push({
        at,
        kind: 'update',
        severity,
        score: a.score,
        observed: round(a.observed),
        expected: round(a.expected),
        reasons: a.reasons,
      });
      open.severity = severity;
      if (SEVERITY_RANK[severity] > SEVERITY_RANK[open.wave.peakSeverity]) {
        open.wave.peakSeverity = severity;
      }
    }
  }
  return waves;
}
