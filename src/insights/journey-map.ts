/**
 * The journey map, the judgement: each touchpoint's health against its own baseline now, the
 * weakest link first, and where an alert is open, the other touchpoints its wave reached.
 *
 * - **Now** is the last 24 hours, to the quarter of an hour: [end - 24 h, end) where `end` is the
 *   end of the quarter holding the instant asked about (counts are kept by the quarter).
 * - **Baseline** ("usual"): the mean of the touchpoint's negatives over the same 24 hours of the
 *   brand's clock one, two, three and four weeks before (same weekday, same local hours, whatever
 *   the clocks did in between): a Monday morning is compared with Monday mornings.
 * - **Ratio**: (negatives now + 1) / (usual + 1). The ones keep a touchpoint that usually gets
 *   no complaint from being called weak for one.
 * - **Health**: `weak` when a weak-link alert is open on it (the detector has judged it), or when
 *   the ratio is 3 or more with at least 5 negatives above usual; `watch` when the ratio is 1.5
 *   or more with at least 2 above usual; `ok` otherwise.
 * - **Weakest first**: by health (weak, watch, ok), then the open alert's severity, then the
 *   ratio, the excess over usual and the negatives, highest first; ties by id. The weakest link
 *   is the first touchpoint, unless every touchpoint is `ok`.
 * - **Contagion** (the detector's rule, src/jobs/detect.ts): another touchpoint is reached by an
 *   open alert's wave when it has at least 2 negatives in one quarter of an hour of the wave's
 *   window (from the wave's first raised bucket to now, at most 7 days).
 *
 * Words for people in French and English. Pure: no I/O, no clock.
 */
import { DAY_MS, QUARTER_MS, zoneOffset } from '../domain/calendar.js';
import type { Severity } from '../domain/vocabulary.js';

type Bilingual = { fr: string; en: string };

/** The rules above, as numbers. */
export const HEALTH_RULES = {
  /** Weeks of baseline. */
  weeks: 4,
  /** The window judged now, and each week's. */
  windowMs: DAY_MS,
  watch: { ratio: 1.5, excess: 2 },
  weak: { ratio: 3, excess: 5 },
  /** Negatives in one quarter that make another touchpoint reached (the detector's). */
  contagionMin: 2,
  /** How far back a wave's window is read for contagion. */
  contagionMaxMs: 7 * DAY_MS,
} as const;

export type HealthState = 'ok' | 'watch' | 'weak';

export const HEALTH_STATES: Record<HealthState, Bilingual> = {
  ok: { fr: 'Sain', en: 'Healthy' },
  watch: { fr: 'À surveiller', en: 'To watch' },
  weak: { fr: 'Maillon faible', en: 'Weak link' },
};

const SEVERITY_WORDS: Record<Severity, Bilingual> = {
  info: { fr: 'info', en: 'info' },
  warning: { fr: 'avertissement', en: 'warning' },
  critical: { fr: 'critique', en: 'critical' },
};

const STATE_RANK: Record<HealthState, number> = { ok: 0, watch: 1, weak: 2 };
const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, critical: 3 };

/**
 * The instant `weeks` weeks before `t` at the same local wall-clock time in `timeZone`: across a
 * change of clocks, 10:00 in summer is 10:00 in winter, not 9:00.
 */
export function sameHoursWeeksBefore(t: number, weeks: number, timeZone: string): number {
  const back = t - weeks * 7 * DAY_MS;
  const shifted = back + zoneOffset(t, timeZone) - zoneOffset(back, timeZone);
  // Landing across a change of clocks itself: once more with the offset in force there.
  return back + zoneOffset(t, timeZone) - zoneOffset(shifted, timeZone);
}

export interface Window {
  from: number;
  to: number;
}

/** The window judged now and the same hours of each baseline week, most recent week first. */
export function healthWindows(
  at: number,
  timeZone: string,
): { now: Window; usual: Window[]; end: number } {
  const end = Math.ceil(at / QUARTER_MS) * QUARTER_MS;
  const now = { from: end - HEALTH_RULES.windowMs, to: end };
  const usual = Array.from({ length: HEALTH_RULES.weeks }, (_, i) => ({
    from: sameHoursWeeksBefore(now.from, i + 1, timeZone),
    to: sameHoursWeeksBefore(now.to, i + 1, timeZone),
  }));
  return { now, usual, end };
}

export interface Health {
  state: HealthState;
  /** The state's name. */
  label: Bilingual;
  /** Negatives in the last 24 hours, and the baseline's mean at the same hours. */
  negatives: number;
  usual: number;
  /** (negatives + 1) / (usual + 1), two decimals. */
  ratio: number;
  /** Negatives above usual (may be below zero). */
  excess: number;
  /** Why, in a sentence. */
  reason: Bilingual;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

function num(x: number, lang: 'fr' | 'en'): string {
  return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', {
    maximumFractionDigits: 1,
  }).format(x);
}

/** A touchpoint's health from its negatives now, its usual, and the alert open on it if any. */
export function healthOf(input: {
  negatives: number;
  usual: number;
  alert?: { severity: Severity } | null;
}): Health {
  const { negatives } = input;
  const usual = round(input.usual, 2);
  const ratio = round((negatives + 1) / (usual + 1), 2);
  const excess = round(negatives - usual, 2);
  const { weak, watch } = HEALTH_RULES;
  const state: HealthState = input.alert
    ? 'weak'
    : ratio >= weak.ratio && excess >= weak.excess
      ? 'weak'
      : ratio >= watch.ratio && excess >= watch.excess
        ? 'watch'
        : 'ok';
  const counts = (lang: 'fr' | 'en') => {
    const n = num(negatives, lang);
    const u = num(usual, lang);
    const x = num(ratio, lang);
    return lang === 'fr'
      ? `${n} ${negatives >= 2 ? 'plaintes' : 'plainte'} en 24 h, ${u} d'habitude aux mêmes heures (×${x})`
      : `${n} ${negatives === 1 ? 'complaint' : 'complaints'} in 24 h, usually ${u} at the same hours (×${x})`;
  };
  const reason = input.alert
    ? {
        fr: `Alerte ouverte (${SEVERITY_WORDS[input.alert.severity].fr})\u00a0: ${counts('fr')}.`,
        en: `Alert open (${SEVERITY_WORDS[input.alert.severity].en}): ${counts('en')}.`,
      }
    : { fr: `${counts('fr')}.`, en: `${counts('en')}.` };
  return { state, label: HEALTH_STATES[state], negatives, usual, ratio, excess, reason };
}

/** The baseline: the mean of the weeks' negatives. */
export function usualOf(weeks: readonly number[]): number {
  return weeks.length > 0 ? weeks.reduce((a, b) => a + b, 0) / weeks.length : 0;
}

/** What the ordering reads of a touchpoint. */
export interface Rankable {
  id: string;
  health: Pick<Health, 'state' | 'ratio' | 'excess' | 'negatives'>;
  alert: { severity: Severity } | null;
}

/** Weakest first (see the top of this file). */
export function weakestFirst<T extends Rankable>(touchpoints: readonly T[]): T[] {
  const sev = (t: Rankable) => (t.alert ? SEVERITY_RANK[t.alert.severity] : 0);
  return touchpoints.toSorted(
    (a, b) =>
      STATE_RANK[b.health.state] - STATE_RANK[a.health.state] ||
      sev(b) - sev(a) ||
      b.health.ratio - a.health.ratio ||
      b.health.excess - a.health.excess ||
      b.health.negatives - a.health.negatives ||
      a.id.localeCompare(b.id),
  );
}

/** The weakest link: the first in weakest order, unless all are healthy. */
export function weakestLink<T extends Rankable>(ordered: readonly T[]): T | null {
  const first = ordered[0];
  return first && first.health.state !== 'ok' ? first : null;
}

/** Another touchpoint an open alert's wave reached. */
export interface Reached {
  id: string;
  /** Its negatives in the quarters where it had at least `contagionMin`. */
  negatives: number;
  /** How many such quarters. */
  quarters: number;
  /** The first of them. */
  since: Date;
}

/**
 * The touchpoints other than `touchpoint` with at least `contagionMin` negatives in one quarter
 * of [window.from, window.to), most negatives first: `negatives` holds every touchpoint's
 * negatives per quarter (the counts' negatives documents).
 */
export function contagionOf(
  touchpoint: string,
  negatives: ReadonlyArray<{ key: string; start: Date; negative: number }>,
  window: Window,
): Reached[] {
  const reached = new Map<string, Reached>();
  for (const q of negatives) {
    const t = q.start.getTime();
    if (q.key === touchpoint || q.negative < HEALTH_RULES.contagionMin) continue;
    if (t < window.from || t >= window.to) continue;
    const r = reached.get(q.key);
    if (!r) reached.set(q.key, { id: q.key, negatives: q.negative, quarters: 1, since: q.start });
    else {
      r.negatives += q.negative;
      r.quarters++;
      if (t < r.since.getTime()) r.since = q.start;
    }
  }
  return [...reached.values()].toSorted(
    (a, b) => b.negatives - a.negatives || a.id.localeCompare(b.id),
  );
}

/** The window of an open alert's wave read for contagion: its first raised bucket to `end`. */
export function waveWindow(
  alert: { openedAt: Date; evidence: { facts?: { since: Date } } },
  end: number,
): Window {
  const since = (alert.evidence.facts?.since ?? alert.openedAt).getTime();
  return { from: Math.max(since, end - HEALTH_RULES.contagionMaxMs), to: end };
}
