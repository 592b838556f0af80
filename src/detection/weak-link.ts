/**
 * The weak-link detector: one touchpoint's negatives against its own seasonal baseline (the
 * count detector), gated so that what opens a wave is word of mouth spreading, then a spreading
 * score that sets the severity, and the whole lifecycle of each wave.
 *
 * Per bucket i, in order (the decision at i uses buckets <= i only):
 * 1. Counted negatives: the bucket's negatives with its most active author, and its most copied
 *    text, capped at `evidence.authorCap` and `evidence.textCap`. They feed the baseline and
 *    the CUSUM.
 * 2. Two ways to see a rise, each giving a candidate window ending at i:
 *    - the scan: for each window of `scan.windows` (1 to 6 hours), the chance that the baseline
 *      alone gives that many counted negatives in that window (negative-binomial tail), the
 *      baseline raised when the touchpoint's other mentions rise (a viral wave, a news day). A
 *      ramp of one complaint every half hour on a touchpoint that usually gets one a day is
 *      clear after a few hours, long before a 15-minute statistic notices;
 *    - the CUSUM of the count detector, whose run (since it left zero) is the window: it adds up
 *      buckets that are each a little high, and is what NAB measures.
 * 3. Idle, past warm-up and cooldown: a wave opens when a candidate window passes every gate,
 *    judged over the window itself (hours, not buckets): a minimum count and excess over
 *    expectation, counted with one person and one copied text capped over the whole window;
 *    enough distinct people; no single person holding most of it; not many accounts with few
 *    texts (a campaign); a negative share above the usual one.
 * 4. Open: the score is recomputed on the trailing `spreading.window`; a severity change is an
 *    update (calming needs `calmMargin` below the threshold). The wave resolves after
 *    `resolveAfter` of calm buckets in a row (observed <= expected x calmRatio + 1 over
 *    `calmWindow`), so a one-bucket dip does not close it, or after `maxOpen` (a lasting shift
 *    is the new normal, not a wave). Then `cooldown`, and the next wave needs fresh evidence.
 *
 * Every event carries the wave's facts (complaints since its start, people, sites, the usual
 * rate): the words of an alert are rendered from them, so they always match its numbers.
 *
 * History: `baseline.history` (28 days by default) of buckets before the period of interest
 * gives the full baseline; with less, the profile is fitted on what there is and shrunk toward
 * flat, and no wave opens in the first `baseline.warmup` of the series. The state carried from
 * bucket to bucket (CUSUM, open wave, cooldown) returns to rest once a series is calm, so a
 * recomputation over the last N days (N >= history + the longest wave + cooldown) gives the
 * same waves with the same opening times as a run over all of history, except when that window
 * starts inside a wave.
 */
import { CountDetector, nbLogLikelihoodRatio, nbUpperTail, PeakBudget } from './count-detector.js';
import type { DetectionParams } from './params.js';
import type { BucketStats, Severity, Wave, WaveFacts } from './types.js';

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

const clamp01 = (x: number): number => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/** Sums of one field over [a, b] in O(1). */
function prefix(series: readonly BucketStats[], f: (b: BucketStats) => number): Float64Array {
  const p = new Float64Array(series.length + 1);
  series.forEach((b, i) => {
    p[i + 1] = (p[i] ?? 0) + f(b);
  });
  return p;
}

const between = (p: Float64Array, a: number, b: number): number => (p[b + 1] ?? 0) - (p[a] ?? 0);

const maxOf = (m: Readonly<Record<string, number>>): number => {
  let top = 0;
  for (const k in m) top = Math.max(top, m[k] ?? 0);
  return top;
};

/** A scan surprise (-ln p) above this starts an excursion whose peak the budget remembers. */
const RUN_LEVEL = Math.log(100);

/**
 * The person behind an author key (`source:handle`): one handle on several sites is taken for one
 * person, so an angry customer posting on three sites stays one voice. (Two people sharing a
 * handle on different sites then count as one: the safe side for an alert.)
 */
const personOf = (key: string): string => key.slice(key.indexOf(':') + 1).toLowerCase();

/** Negatives per person (see personOf). */
function byPerson(authors: Readonly<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in authors) {
    const p = personOf(k);
    out[p] = (out[p] ?? 0) + (authors[k] ?? 0);
  }
  return out;
}

/**
 * One bucket's negatives, its most active person and most copied text capped (`people`: its
 * negatives per person, from byPerson).
 */
function countedNegatives(
  b: BucketStats,
  people: Readonly<Record<string, number>>,
  cap: number,
  textCap: number,
): number {
  const author = Math.max(0, maxOf(people) - cap);
  const text = Math.max(0, maxOf(b.negativeTexts) - textCap);
  return Math.max(0, b.negative - Math.max(author, text));
}

/** Why a candidate window did or did not open a wave (for benches and debugging). */
export interface CandidateTrace {
  /** The bucket being decided. */
  at: Date;
  by: 'scan' | 'cusum';
  /** Whether its evidence held once one person and one text were capped over the window. */
  significant: boolean;
  /** The gates it failed. */
  blocked: string[];
  facts: WaveFacts;
}

interface Assessment {
  score: number;
  facts: WaveFacts;
  /** The CUSUM over the window on its capped counts, from zero at its start. */
  cusum: number;
  /** Why the window may not open a wave; empty when it may. */
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
  opts: { trace?: (entry: CandidateTrace) => void } = {},
): Wave[] {
  const n = series.length;
  if (n === 0) return [];
  const { evidence, lifecycle, gates, spreading, scan } = params;
  const buckets = (ms: number): number => Math.max(1, Math.round(ms / bucketMs));
  const calmWindow = buckets(lifecycle.calmWindow);
  const resolveAfter = buckets(lifecycle.resolveAfter);
  const cooldown = Math.round(lifecycle.cooldown / bucketMs);
  const maxOpen = buckets(lifecycle.maxOpen);
  const scoreWindow = buckets(spreading.window);
  const historyBuckets = buckets(params.baseline.history);
  const scanWindows = [...new Set(scan.windows.map(buckets))].toSorted((a, b) => a - b);
  const longestWindow = scanWindows.at(-1) ?? 1;

  // Each bucket's negatives per person, worked out once: every window over it reads them.
  const peopleAt = series.map((b) => byPerson(b.negativeAuthors));
  const counted = series.map((b, j) =>
    countedNegatives(b, peopleAt[j] ?? {}, evidence.authorCap, evidence.textCap),
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
  const pReach = prefix(series, (b) => b.negativeReach);
  const pShares = prefix(series, (b) => b.negativeShares);

  /** The count detector's dispersion at the bucket being decided. */
  let alphaNow = 0;

  const baseShare = (i: number): number => {
    const lo = Math.max(0, i - historyBuckets);
    const neg = i > lo ? between(pNeg, lo, i - 1) : 0;
    const vol = i > lo ? between(pVol, lo, i - 1) : 0;
    return (neg + gates.sharePrior * gates.priorShare) / (vol + gates.sharePrior);
  };

  /**
   * The chance that the baseline alone gives `x` or more in buckets [a, i]. Buckets of one
   * window are not independent (a busy day is busy all afternoon), so the window keeps the
   * per-bucket dispersion: variance = mu + alpha mu^2 over the window's sum.
   */
  const tail = (x: number, a: number, i: number, alpha: number): number =>
    nbUpperTail(x, between(pExpected, a, i) * volumeFactor(a, i), alpha);

  /**
   * How much more the window's other mentions explain: when the touchpoint's positive and
   * neutral mentions rise (a viral wave, a news day), its negatives rise with them at the usual
   * share, and only negatives beyond that are evidence. The baseline is scaled by the other
   * mentions' rise over what the usual share implies for them. A wave of complaints leaves the
   * other mentions where they were, and the factor at 1.
   */
  const volumeFactor = (a: number, i: number): number =>
    Math.max(othersRise(a, i), othersRise(Math.max(0, i - longestWindow + 1), i));

  /**
   * The other mentions' rate over [a, i] against what the usual share implies for them, less
   * two standard deviations of their noise (an ordinary busy hour must not dull the scan); at
   * least 1. Judged on the window and on the longest scan window: a viral afternoon whose last
   * hour happened to hold mostly complaints is still a viral afternoon.
   */
  const othersRise = (a: number, i: number): number => {
    const expected = between(pExpected, a, i);
    if (!(expected > 0)) return 1;
    const s0 = Math.min(0.95, baseShare(a));
    const usualOthers = (expected * (1 - s0)) / s0;
    const others = between(pVol, a, i) - between(pNeg, a, i) - 2 * Math.sqrt(usualOthers + 1);
    return Math.max(1, others / usualOthers);
  };

  /** Facts, score and gates of buckets [a, i] (a wave's window, or its trailing part). */
  const assess = (a: number, i: number, share0: number, alpha: number): Assessment => {
    const authors = new Map<string, number>();
    const sources = new Set<string>();
    const texts = new Map<string, number>();
    const cap = evidence.authorCap;
    const textCap = evidence.textCap;
    const factor = volumeFactor(a, i);
    let contagion = 0;
    let observed = 0;
    // The CUSUM again, on the window's counts with one author and one text capped over the
    // whole window (counted bucket by bucket, in order): a bot spread over many buckets, or one
    // person writing once a bucket, adds nothing after their first `authorCap` negatives.
    let cusum = 0;
    for (let j = a; j <= i; j++) {
      const b = series[j];
      if (!b) continue;
      let overAuthor = 0;
      let overText = 0;
      const people = peopleAt[j] ?? {};
      for (const k in people) {
        const before = authors.get(k) ?? 0;
        const now = before + (people[k] ?? 0);
        overAuthor += Math.max(0, now - Math.max(cap, before));
        authors.set(k, now);
      }
      for (const k in b.negativeTexts) {
        const before = texts.get(k) ?? 0;
        const now = before + (b.negativeTexts[k] ?? 0);
        overText += Math.max(0, now - Math.max(textCap, before));
        texts.set(k, now);
      }
      for (const k in b.negativeSources) sources.add(k);
      contagion = Math.max(contagion, b.contagion);
      // Without per-key data (counts only), the per-bucket caps are all there is.
      const x =
        authors.size > 0
          ? Math.max(0, b.negative - Math.max(overAuthor, overText))
          : (counted[j] ?? 0);
      observed += x;
      const mu = ((pExpected[j + 1] ?? 0) - (pExpected[j] ?? 0)) * factor;
      cusum = Math.max(0, cusum + nbLogLikelihoodRatio(x, mu, alpha, evidence.shift));
    }
    const neg = between(pNeg, a, i);
    const vol = between(pVol, a, i);
    const expected = between(pExpected, a, i);
    const reach = between(pReach, a, i);
    const shares = between(pShares, a, i);
    const top = Math.max(0, ...authors.values());
    // Distinct voices: people, and texts (a bot's many accounts post one text).
    const people = authors.size > 0 ? Math.min(authors.size, texts.size || authors.size) : 0;

    const growth = observed / Math.max(expected, 1e-9);
    const share = vol > 0 ? neg / vol : 0;
    // The lift is judged on the window's share shrunk toward the usual one by `sharePrior`
    // pseudo-mentions: a few buckets of a large positive wave can hold a high share by chance.
    const shrunkShare = (neg + gates.sharePrior * share0) / (vol + gates.sharePrior);
    const lift = shrunkShare / Math.max(share0, 1e-9);
    const topShare = neg > 0 ? top / neg : 0;
    const meanReach = neg > 0 ? reach / neg : 0;

    const { weights: w, full } = spreading;
    const parts: Array<[number, number]> = [
      [w.growth, clamp01(Math.log(growth) / Math.log(full.growth))],
      [w.share, clamp01((lift - 1) / (full.share - 1))],
      [w.authors, clamp01(people / full.authors)],
      [w.sources, clamp01((sources.size - 1) / (full.sources - 1))],
      [w.reach, clamp01(meanReach / full.reach)],
      [w.reshares, clamp01(Math.log1p(shares) / Math.log1p(full.reshares))],
      [w.contagion, clamp01(contagion / full.contagion)],
    ];
    const wSum = parts.reduce((s, [wi]) => s + wi, 0);
    const score = wSum > 0 ? (100 * parts.reduce((s, [wi, c]) => s + wi * c, 0)) / wSum : 0;

    const facts: WaveFacts = {
      since: series[a]?.start ?? new Date(times[a] ?? 0),
      until: new Date((times[i] ?? 0) + bucketMs),
      negatives: neg,
      counted: round(observed),
      expected: round(expected),
      usualPerDay: round(detector.usualPerDay(), 2),
      authors: authors.size,
      sources: sources.size,
      topAuthorShare: round(topShare),
      negativeShare: round(share, 3),
      usualShare: round(share0, 3),
      reshares: shares,
      contagion,
      pValue: Number(tail(observed, a, i, alpha).toPrecision(3)),
    };

    const blocked: string[] = [];
    if (observed < evidence.minCount) blocked.push('too few negatives');
    if (observed - expected < evidence.minExcess) blocked.push('too small an excess');
    if (authors.size > 0 && people < gates.minAuthors) blocked.push('too few people');
    // Many accounts, few texts: a bot or a copy-paste campaign, not people telling their story.
    if (authors.size > 0 && texts.size < gates.minOwnWords * authors.size)
      blocked.push('copied texts');
    if (topShare > gates.maxTopAuthorShare) blocked.push('one author holds the window');
    if (lift < gates.minShareLift) blocked.push('negative share not above usual');
    return { score: round(score, 1), facts, cusum, blocked };
  };

  /** The window's first bucket with a counted negative: where the wave is said to start. */
  const firstRaised = (a: number, i: number): number => {
    for (let j = a; j < i; j++) if ((counted[j] ?? 0) > 0) return j;
    return i;
  };

  /**
   * Candidate windows ending at i, most significant first: each scan window whose per-bucket
   * counts are already unlikely under the baseline (a cheap bound: capping over the window can
   * only lower them), and the CUSUM's run when it crossed its threshold.
   */
  const candidates = (
    i: number,
    step: { runStart: number; cusum: number; threshold: number },
    maxP: number,
  ) => {
    const out: Array<{ a: number; p: number; cusum: boolean }> = [];
    for (const w of scanWindows) {
      const a = Math.max(0, i - w + 1);
      const x = between(pCounted, a, i);
      if (x < evidence.minCount) continue;
      const p = tail(x, a, i, alphaNow);
      if (p <= maxP) out.push({ a: firstRaised(a, i), p, cusum: false });
    }
    if (step.runStart >= 0 && step.cusum >= step.threshold) {
      const a = firstRaised(step.runStart, i);
      out.push({ a, p: tail(between(pCounted, a, i), a, i, alphaNow), cusum: true });
    }
    return out.toSorted((x, y) => x.p - y.p);
  };

  /** The scan's surprise at bucket i: -ln of its smallest window tail (0 when nothing is high). */
  const surprise = (i: number): number => {
    let top = 0;
    for (const w of scanWindows) {
      const a = Math.max(0, i - w + 1);
      const x = between(pCounted, a, i);
      if (x < 1 || x <= between(pExpected, a, i) * volumeFactor(a, i)) continue;
      top = Math.max(top, -Math.log(Math.max(1e-300, tail(x, a, i, alphaNow))));
    }
    return top;
  };
  const budget = new PeakBudget(evidence.rank, scan.rankFactor, historyBuckets, RUN_LEVEL);

  const waves: Wave[] = [];
  let open: {
    wave: Wave;
    at: number;
    since: number;
    severity: Severity;
    share0: number;
    /** The usual rate when the wave opened: the wave itself must not become "usual". */
    usualPerDay: number;
  } | null = null;
  let calmRun = 0;
  let armedFrom = 0;

  for (let i = 0; i < n; i++) {
    const step = detector.step(i);
    alphaNow = step.alpha;
    pExpected[i + 1] = (pExpected[i] ?? 0) + step.expected;
    const at = series[i]?.start ?? new Date(times[i] ?? 0);
    // The scan's bar: its significance level, or a fraction of the series' own usual surprises
    // if those are higher (heavy tails): the same alert budget as the CUSUM's.
    const maxP = Math.min(scan.maxPValue, Math.exp(-budget.bar(i)));
    budget.push(i, surprise(i));

    if (open === null) {
      if (!step.ready || i < armedFrom) continue;
      let chosen: { a: number; share0: number; assessment: Assessment } | null = null;
      for (const c of candidates(i, step, maxP)) {
        const share0 = baseShare(c.a);
        const assessment = assess(c.a, i, share0, alphaNow);
        // The evidence must hold once one author and one text are capped over the window.
        const significant = c.cusum
          ? assessment.cusum >= step.threshold
          : assessment.facts.pValue <= maxP;
        opts.trace?.({
          at,
          by: c.cusum ? 'cusum' : 'scan',
          significant,
          blocked: assessment.blocked,
          facts: assessment.facts,
        });
        if (significant && assessment.blocked.length === 0) {
          chosen = { a: c.a, share0, assessment };
          break;
        }
      }
      if (!chosen) continue;
      const { assessment: a } = chosen;
      const severity = severityFor(a.score, null, params);
      const wave: Wave = {
        openedAt: at,
        resolvedAt: null,
        peakSeverity: severity,
        events: [
          {
            at,
            kind: 'open',
            severity,
            score: a.score,
            observed: a.facts.counted,
            expected: a.facts.expected,
            facts: a.facts,
          },
        ],
      };
      waves.push(wave);
      open = {
        wave,
        at: i,
        since: chosen.a,
        severity,
        share0: chosen.share0,
        usualPerDay: a.facts.usualPerDay,
      };
      calmRun = 0;
      continue;
    }

    const c0 = Math.max(0, i - calmWindow + 1);
    const calm = between(pCounted, c0, i) <= between(pExpected, c0, i) * lifecycle.calmRatio + 1;
    calmRun = calm ? calmRun + 1 : 0;
    const expired = i - open.at >= maxOpen;
    // Severity follows the trailing window; the facts cover the whole wave so far.
    const trailing = assess(Math.max(open.since, i - scoreWindow + 1), i, open.share0, alphaNow);
    const whole = (): WaveFacts => ({
      ...assess(open!.since, i, open!.share0, alphaNow).facts,
      usualPerDay: open!.usualPerDay,
    });
    if (calmRun >= resolveAfter || expired) {
      const facts = whole();
      open.wave.events.push({
        at,
        kind: 'resolve',
        severity: null,
        score: trailing.score,
        observed: facts.counted,
        expected: facts.expected,
        facts,
      });
      open.wave.resolvedAt = at;
      open = null;
      detector.reset();
      armedFrom = i + 1 + cooldown;
      continue;
    }
    const severity = severityFor(trailing.score, open.severity, params);
    if (severity !== open.severity) {
      const facts = whole();
      open.wave.events.push({
        at,
        kind: 'update',
        severity,
        score: trailing.score,
        observed: facts.counted,
        expected: facts.expected,
        facts,
      });
      open.severity = severity;
      if (SEVERITY_RANK[severity] > SEVERITY_RANK[open.wave.peakSeverity]) {
        open.wave.peakSeverity = severity;
      }
    }
  }
  return waves;
}
