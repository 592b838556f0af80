import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_DIR } from '../../../config/index.js';
import { loadDetectionParams } from '../../../src/detection/params.js';
import type { BucketStats } from '../../../src/detection/types.js';
import { detectWaves } from '../../../src/detection/weak-link.js';

const HOUR = 3_600_000;
const params = loadDetectionParams(path.join(DEFAULT_CONFIG_DIR, 'detection.yaml'));
// A Monday, 00:00 in Paris.
const T0 = Date.UTC(2026, 0, 4, 23);

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(r: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > l) {
    k++;
    p *= r();
  }
  return k;
}

/** Quiet traffic: about 2 mentions an hour, 20% negative, each from a different author. */
function flat(hours: number, seed = 1): BucketStats[] {
  const r = rng(seed);
  return Array.from({ length: hours }, (_, h) => {
    const volume = poisson(r, 2);
    const negative = Array.from({ length: volume }, () => r() < 0.2).filter(Boolean).length;
    return bucket(h, volume, negative, negative);
  });
}

function bucket(h: number, volume: number, negative: number, authors: number): BucketStats {
  return {
    start: new Date(T0 + h * HOUR),
    volume,
    negative,
    positive: volume - negative,
    negativeAuthors: authors,
    negativeSources: Math.min(negative, 3),
    topAuthorNegative: negative > 0 ? negative - authors + 1 : 0,
    negativeReach: negative * 2.5,
    negativeShares: 0,
    contagion: 0,
  };
}

/** Adds `perHour` negatives from as many authors over [from, from + hours). */
function outbreak(s: BucketStats[], from: number, hours: number, perHour: number[]): void {
  for (let h = from; h < from + hours; h++) {
    const b = s[h];
    const n = perHour[(h - from) % perHour.length] ?? 0;
    if (b) s[h] = bucket(h, b.volume + n, b.negative + n, b.negativeAuthors + n);
  }
}

const at = (h: number) => new Date(T0 + h * HOUR).getTime();
const DAYS = 24;

describe('detectWaves', () => {
  it('raises nothing on a flat Poisson series', () => {
    expect(detectWaves(flat(35 * DAYS), params, HOUR)).toEqual([]);
  });

  it('opens one wave near an outbreak start, escalates, and resolves after its end', () => {
    const s = flat(35 * DAYS);
    const start = 30 * DAYS + 10;
    // Ten hours of complaints with a one-hour dip in the middle: the dip must not resolve it.
    outbreak(s, start, 10, [3, 4, 5, 6, 6, 0, 10, 14, 14, 12]);
    // Later, it spreads: reshared, and other touchpoints light up too.
    for (let h = start + 6; h < start + 10; h++) {
      const b = s[h];
      if (b) s[h] = { ...b, negativeShares: 80, negativeSources: 4, contagion: 2 };
    }
    const waves = detectWaves(s, params, HOUR);
    expect(waves).toHaveLength(1);
    const [w] = waves;
    const open = w?.openedAt.getTime() ?? 0;
    expect(open).toBeGreaterThanOrEqual(at(start));
    expect(open).toBeLessThanOrEqual(at(start + 3));
    expect(w?.events[0]?.severity).not.toBe('critical');
    expect(w?.events.some((e) => e.kind === 'update' && e.severity === 'critical')).toBe(true);
    expect(w?.peakSeverity).toBe('critical');
    const resolve = w?.events.at(-1);
    expect(resolve?.kind).toBe('resolve');
    expect(resolve?.at.getTime()).toBeGreaterThan(at(start + 10));
    expect(resolve?.at.getTime()).toBeLessThan(at(start + 24));
  });

  it('raises nothing for one author posting twenty negatives', () => {
    const s = flat(35 * DAYS);
    for (let h = 30 * DAYS + 10; h < 30 * DAYS + 14; h++) {
      const b = s[h];
      if (b)
        s[h] = {
          ...bucket(h, b.volume + 5, b.negative + 5, b.negativeAuthors + 1),
          topAuthorNegative: 5,
        };
    }
    expect(detectWaves(s, params, HOUR)).toEqual([]);
  });

  it('raises nothing for a viral positive wave', () => {
    const s = flat(35 * DAYS);
    for (let h = 30 * DAYS + 10; h < 30 * DAYS + 22; h++) {
      const b = s[h];
      // Volume x10, the negatives growing with it at the usual 20%.
      if (b) s[h] = bucket(h, b.volume + 40, b.negative + 8, b.negativeAuthors + 8);
    }
    expect(detectWaves(s, params, HOUR)).toEqual([]);
  });

  it('raises nothing for a regular Monday peak once four weeks of it are in the history', () => {
    const s = flat(35 * DAYS);
    for (let week = 0; week < 5; week++) outbreak(s, week * 7 * DAYS + 8, 4, [6, 8, 8, 6]);
    const waves = detectWaves(s, params, HOUR).filter((w) => w.openedAt.getTime() >= at(28 * DAYS));
    expect(waves).toEqual([]);
  });

  it('is deterministic and causal', () => {
    const s = flat(35 * DAYS, 7);
    outbreak(s, 20 * DAYS + 9, 8, [5, 8, 10, 10, 8, 6, 4, 3]);
    outbreak(s, 31 * DAYS + 15, 6, [6, 9, 12, 9, 6, 3]);
    const full = detectWaves(s, params, HOUR);
    expect(full.length).toBeGreaterThan(0);
    expect(detectWaves(s, params, HOUR)).toEqual(full);
    const cut = 31 * DAYS + 17;
    const early = detectWaves(s.slice(0, cut), params, HOUR);
    // Every event decided before the cut is the same with the future appended.
    const before = (w: (typeof full)[number]) => w.events.filter((e) => e.at.getTime() < at(cut));
    expect(early.map(before)).toEqual(full.slice(0, early.length).map(before));
  });

  it('stays silent during warm-up, then needs its minimum of evidence', () => {
    const s = flat(10 * DAYS);
    outbreak(s, 30, 6, [8, 10, 12, 12, 10, 8]);
    expect(detectWaves(s, params, HOUR)).toEqual([]);
    const small = flat(35 * DAYS);
    // Three negatives on a quiet touchpoint: under minCount, however unusual.
    outbreak(small, 30 * DAYS + 3, 1, [3]);
    expect(detectWaves(small, params, HOUR)).toEqual([]);
  });
});
