/**
 * NAB realTweets through the detectors: Maillon's count-detector core (via detectWaves, gates
 * off) and a Huginn-like rolling mean + k sigma, scored with ../shared/.../nab-score.mjs's own
 * functions (the same code its CLI runs).
 *
 * The NAB run feeds each 5-minute count as `volume = negative`, with every author and share gate
 * neutralised: it measures the count-detector core (baseline, evidence, lifecycle) with the same
 * parameters as Maillon's negative-volume part. Detections are the waves' opening buckets.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DetectionParams } from '../../../src/detection/params.js';
import type { BucketStats } from '../../../src/detection/types.js';
import { detectWaves } from '../../../src/detection/weak-link.js';

export const BUCKET_MS = 5 * 60_000;

export interface NabFile {
  name: string;
  text: string;
  times: number[];
  windows: Array<[number, number]>;
}

interface ProfileScore {
  raw: number;
  nab: number;
}

export interface NabFileResult {
  file: string;
  windows: number;
  tp: number;
  fp: number;
  miss: number;
  delays: number[];
  profiles: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', ProfileScore>;
}

export interface NabTotals {
  windows: number;
  tp: number;
  fp: number;
  miss: number;
  meanDelay: number;
  profiles: NabFileResult['profiles'];
}

/** The functions of nab-score.mjs this bench uses (it is plain JS, without declarations). */
export interface NabScorer {
  loadCorpus(dir: string): { files: NabFile[] };
  evaluateFile(f: NabFile, rows: number[]): NabFileResult;
  summarise(results: NabFileResult[]): NabTotals;
  normalise(raw: number, windows: number, profile: { tpWeight: number; fnWeight: number }): number;
  PROFILES: Record<string, { tpWeight: number; fnWeight: number; fpWeight: number }>;
}

export async function loadScorer(sharedDir: string): Promise<NabScorer> {
  const href = pathToFileURL(path.join(sharedDir, 'nab-score.mjs')).href;
  return (await import(href)) as NabScorer;
}

export function valuesOf(f: NabFile): number[] {
  return f.text
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => Number(l.split(',')[1]));
}

/** Same baseline and evidence; NAB's clock is UTC and it has no authors, shares or sentiment. */
export function nabParams(p: DetectionParams): DetectionParams {
  return {
    ...p,
    baseline: { ...p.baseline, timeZone: 'UTC' },
    gates: { ...p.gates, minAuthors: 0, maxTopAuthorShare: 1, minShareLift: 0 },
  };
}

export function countSeries(times: readonly number[], values: readonly number[]): BucketStats[] {
  return values.map((v, i) => ({
    start: new Date(times[i] ?? 0),
    volume: v,
    negative: v,
    positive: 0,
    // Counts only: no authors, sites or texts, so the caps and people gates have nothing to judge.
    negativeAuthors: {},
    negativeSources: {},
    negativeTexts: {},
    negativeReach: 0,
    negativeShares: 0,
    contagion: 0,
  }));
}

/** Row indices where Maillon opens a wave. */
export function maillonRows(f: NabFile, params: DetectionParams): number[] {
  const series = countSeries(f.times, valuesOf(f));
  const index = new Map(f.times.map((t, i) => [t, i]));
  return detectWaves(series, nabParams(params), BUCKET_MS).map(
    (w) => index.get(w.openedAt.getTime()) ?? -1,
  );
}

export interface HuginnOptions {
  windowDays: number;
  k: number;
  spacingDays: number;
}

/**
 * Huginn's PeakDetectorAgent: a peak when the newest value exceeds mean + k sigma (population
 * sigma) of the previous values within the window, at least `spacing` after the last peak, once
 * more than 4 values are held (its min_events default).
 */
export function huginnRows(f: NabFile, o: HuginnOptions): number[] {
  const values = valuesOf(f);
  const win = o.windowDays * 86_400_000;
  const spacing = o.spacingDays * 86_400_000;
  const rows: number[] = [];
  let lo = 0;
  let sum = 0;
  let sumSq = 0;
  let lastPeak = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const t = f.times[i] ?? 0;
    // History: values in (t - window, t), newest excluded (skip_last).
    while (lo < i && (f.times[lo] ?? 0) <= t - win) {
      const v = values[lo] ?? 0;
      sum -= v;
      sumSq -= v * v;
      lo++;
    }
    const n = i - lo;
    const x = values[i] ?? 0;
    if (n + 1 > 4 && lastPeak < t - spacing) {
      const mean = sum / n;
      const sd = Math.sqrt(Math.max(0, sumSq / n - mean * mean));
      if (x > mean + o.k * sd) {
        rows.push(i);
        lastPeak = t;
      }
    }
    sum += x;
    sumSq += x * x;
  }
  return rows;
}
