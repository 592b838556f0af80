/**
 * A synthetic weak-link suite: six weeks of hourly mentions of a brand on five touchpoints, in
 * French and English, from many authors and four sources, with daily and weekly rhythms, one
 * outbreak of complaints on one touchpoint, and the decoys that must stay silent:
 * - support: a regular Monday-morning peak of complaints (the weekend backlog), every week;
 * - returns: one angry author posting twenty negatives in a few hours;
 * - product: a viral positive wave (volume x6 for half a day, the usual negative share).
 *
 * Mentions are generated already labelled (touchpoint, sentiment): the suite measures the
 * detector, not the analysis (bench:sentiment and bench:aspects measure that). Seeded, so
 * every run draws the same scenarios.
 */
import type { DetectionParams } from '../../../src/detection/params.js';
import type { BucketStats } from '../../../src/detection/types.js';
import { detectWaves } from '../../../src/detection/weak-link.js';
import { mulberry32 } from '../../../src/demo/scenario.js';

export const HOUR = 3_600_000;
const TOUCHPOINTS = ['delivery', 'support', 'checkout', 'product', 'returns'] as const;
type Touchpoint = (typeof TOUCHPOINTS)[number];
const SOURCES = ['trustpilot', 'x', 'reddit', 'google-alerts'] as const;

interface SynthMention {
  hour: number;
  touchpoint: Touchpoint;
  negative: boolean;
  author: string;
  source: string;
  lang: 'fr' | 'en';
  reach: number;
  shares: number;
}

export interface Scenario {
  start: number;
  hours: number;
  series: Record<Touchpoint, BucketStats[]>;
  outbreak: { touchpoint: Touchpoint; startHour: number; endHour: number };
  /** Hours whose alerts on that touchpoint would be a decoy firing, by decoy. */
  decoys: Array<{ name: string; touchpoint: Touchpoint; hours: [number, number][] }>;
}

const rng = mulberry32;

function poisson(r: () => number, mean: number): number {
  // Knuth for small means, a rounded normal beyond: exact enough for a benchmark.
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= r();
    if (p <= l) return k;
    k++;
  }
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Hour-of-day x weekday rhythm of mentions (Paris time, roughly UTC+1). */
function rhythm(t: number): number {
  const d = new Date(t + HOUR);
  const h = d.getUTCHours();
  const day = d.getUTCDay();
  const diurnal = h < 7 ? 0.25 : h < 9 ? 0.8 : h < 19 ? 1.3 : h < 23 ? 1.0 : 0.5;
  const weekly = day === 0 || day === 6 ? 0.7 : 1.0;
  return diurnal * weekly;
}

export function makeScenario(seed: number, weeks = 6): Scenario {
  const r = rng(seed);
  // A Monday, 00:00 Paris time.
  const start = Date.UTC(2026, 0, 4, 23);
  const hours = weeks * 7 * 24;
  const base: Record<Touchpoint, number> = {
    delivery: 0.5 + r() * 2,
    support: 0.5 + r() * 2,
    checkout: 0.3 + r() * 1,
    product: 1 + r() * 3,
    returns: 0.3 + r() * 1,
  };
  const share = 0.15 + r() * 0.1;
  const mentions: SynthMention[] = [];
  let authorSeq = 0;
  const crowdAuthor = () => `u${Math.floor(r() * 20_000)}`;
  const push = (hour: number, touchpoint: Touchpoint, negative: boolean, author: string) => {
    const followers = Math.floor(10 ** (1 + r() * 3));
    const shares = r() < 0.1 ? Math.floor(r() * 20) : 0;
    mentions.push({
      hour,
      touchpoint,
      negative,
      author,
      source: SOURCES[Math.floor(r() * SOURCES.length)] ?? 'x',
      lang: r() < 0.55 ? 'fr' : 'en',
      reach: Math.log10(1 + followers + 100 * shares),
      shares,
    });
  };

  // Ordinary traffic, with the support desk's Monday-morning backlog of complaints.
  for (let h = 0; h < hours; h++) {
    const t = start + h * HOUR;
    for (const tp of TOUCHPOINTS) {
      const n = poisson(r, base[tp] * rhythm(t));
      for (let k = 0; k < n; k++) push(h, tp, r() < share, crowdAuthor());
      const local = new Date(t + HOUR);
      if (tp === 'support' && local.getUTCDay() === 1 && local.getUTCHours() >= 8) {
        if (local.getUTCHours() < 12) {
          const extra = poisson(r, 3 * base.support);
          for (let k = 0; k < extra; k++) push(h, tp, r() < 0.6, crowdAuthor());
        }
      }
    }
  }

  // Outbreak on delivery in the last three weeks: a ramp to 4-10 extra negatives an hour.
  const startHour = (3 * 7 + 1) * 24 + Math.floor(r() * (2 * 7 - 2) * 24);
  const length = 6 + Math.floor(r() * 30);
  const peak = 4 + r() * 6;
  for (let h = startHour; h < startHour + length && h < hours; h++) {
    const ramp = Math.min(1, (h - startHour + 1) / 4);
    const n = poisson(r, peak * ramp * Math.max(0.5, rhythm(start + h * HOUR)));
    for (let k = 0; k < n; k++) push(h, 'delivery', r() < 0.9, crowdAuthor());
  }

  // One angry author on returns: twenty negatives over 3 hours, in the fourth week.
  const angryAt = 3 * 7 * 24 + 10 + Math.floor(r() * 6 * 24);
  const angry = `angry-${authorSeq++}`;
  for (let k = 0; k < 20; k++) push(angryAt + Math.floor(k / 7), 'returns', true, angry);

  // A viral positive wave on product: volume x6 for 12 hours at the usual negative share.
  const viralAt = 3 * 7 * 24 + 14 + Math.floor(r() * 10 * 24);
  for (let h = viralAt; h < viralAt + 12; h++) {
    const n = poisson(r, 5 * Math.max(4, base.product * 3));
    for (let k = 0; k < n; k++) push(h, 'product', r() < share, crowdAuthor());
  }

  const series = {} as Record<Touchpoint, BucketStats[]>;
  for (const tp of TOUCHPOINTS) series[tp] = aggregate(mentions, tp, start, hours);
  addContagion(series, hours);
  const mondays: [number, number][] = [];
  for (let w = 0; w < weeks; w++) mondays.push([w * 168, w * 168 + 24]);
  return {
    start,
    hours,
    series,
    outbreak: { touchpoint: 'delivery', startHour, endHour: startHour + length },
    decoys: [
      { name: 'Monday peak', touchpoint: 'support', hours: mondays },
      { name: 'angry author', touchpoint: 'returns', hours: [[angryAt, angryAt + 24]] },
      { name: 'viral positive', touchpoint: 'product', hours: [[viralAt, viralAt + 24]] },
    ],
  };
}

function aggregate(
  mentions: SynthMention[],
  tp: Touchpoint,
  start: number,
  hours: number,
): BucketStats[] {
  const out: BucketStats[] = [];
  const byHour: SynthMention[][] = Array.from({ length: hours }, () => []);
  for (const m of mentions) if (m.touchpoint === tp) byHour[m.hour]?.push(m);
  for (let h = 0; h < hours; h++) {
    const ms = byHour[h] ?? [];
    const neg = ms.filter((m) => m.negative);
    const perAuthor = new Map<string, number>();
    for (const m of neg) perAuthor.set(m.author, (perAuthor.get(m.author) ?? 0) + 1);
    out.push({
      start: new Date(start + h * HOUR),
      volume: ms.length,
      negative: neg.length,
      positive: ms.length - neg.length,
      negativeAuthors: perAuthor.size,
      negativeSources: new Set(neg.map((m) => m.source)).size,
      topAuthorNegative: Math.max(0, ...perAuthor.values()),
      negativeReach: neg.reduce((s, m) => s + m.reach, 0),
      negativeShares: neg.reduce((s, m) => s + m.shares, 0),
      contagion: 0,
    });
  }
  return out;
}

/** Contagion: other touchpoints with at least 3 negatives and 3x their own mean this hour. */
function addContagion(series: Record<Touchpoint, BucketStats[]>, hours: number): void {
  const means = Object.fromEntries(
    TOUCHPOINTS.map((tp) => [tp, series[tp].reduce((s, b) => s + b.negative, 0) / hours]),
  ) as Record<Touchpoint, number>;
  for (let h = 0; h < hours; h++) {
    const elevated = TOUCHPOINTS.filter((tp) => {
      const neg = series[tp][h]?.negative ?? 0;
      return neg >= 3 && neg >= 3 * means[tp];
    });
    for (const tp of TOUCHPOINTS) {
      const b = series[tp][h];
      if (b) b.contagion = elevated.filter((o) => o !== tp).length;
    }
  }
}

export interface SyntheticResult {
  scenarios: number;
  /** Share of outbreaks whose wave opened between their start and 12 h after their end. */
  recall: number;
  falseAlertsPerTouchpointWeek: number;
  medianDelayHours: number;
  mondayPeakAlerts: number;
  angryAuthorAlerts: number;
  viralPositiveAlerts: number;
}

/** Runs the detector over `count` seeded scenarios and scores it against their outbreaks. */
export function runSyntheticSuite(params: DetectionParams, count = 40): SyntheticResult {
  let hits = 0;
  let falseAlerts = 0;
  let touchpointWeeks = 0;
  const delays: number[] = [];
  const decoyAlerts: Record<string, number> = {};
  for (let seed = 1; seed <= count; seed++) {
    const sc = makeScenario(seed);
    const hourOf = (d: Date) => Math.round((d.getTime() - sc.start) / HOUR);
    // Alerts count from the end of warm-up; the first week is the baseline's, not the test's.
    const from = 7 * 24;
    for (const tp of TOUCHPOINTS) {
      touchpointWeeks += (sc.hours - from) / 168;
      const waves = detectWaves(sc.series[tp], params, HOUR).filter(
        (w) => hourOf(w.openedAt) >= from,
      );
      let found = false;
      for (const w of waves) {
        const h = hourOf(w.openedAt);
        const o = sc.outbreak;
        // The outbreak's wave: opened between its start and 12 h after its end (at most one).
        if (tp === o.touchpoint && !found && h >= o.startHour && h <= o.endHour + 12) {
          found = true;
          hits++;
          delays.push(h - o.startHour);
          continue;
        }
        falseAlerts++;
        for (const d of sc.decoys) {
          if (d.touchpoint === tp && d.hours.some(([a, b]) => h >= a && h < b)) {
            decoyAlerts[d.name] = (decoyAlerts[d.name] ?? 0) + 1;
          }
        }
      }
    }
  }
  delays.sort((a, b) => a - b);
  const median = delays.length
    ? ((delays[(delays.length - 1) >> 1] ?? 0) + (delays[delays.length >> 1] ?? 0)) / 2
    : Number.NaN;
  return {
    scenarios: count,
    recall: hits / count,
    falseAlertsPerTouchpointWeek: falseAlerts / touchpointWeeks,
    medianDelayHours: median,
    mondayPeakAlerts: decoyAlerts['Monday peak'] ?? 0,
    angryAuthorAlerts: decoyAlerts['angry author'] ?? 0,
    viralPositiveAlerts: decoyAlerts['viral positive'] ?? 0,
  };
}
