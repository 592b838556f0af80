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

let nextAuthor = 0;

/** Quiet traffic: about 2 mentions an hour, 20% negative, each from a different author. */
function flat(hours: number, seed = 1): BucketStats[] {
  const r = rng(seed);
  return Array.from({ length: hours }, (_, h) => {
    const volume = poisson(r, 2);
    const negative = Array.from({ length: volume }, () => r() < 0.2).filter(Boolean).length;
    return bucket(h, volume, crowd(negative));
  });
}

/** `n` negatives from as many new authors, each with a text of their own, on two sites. */
function crowd(n: number): string[] {
  return Array.from({ length: n }, () => `u${nextAuthor++}`);
}

const count = (keys: string[]): Record<string, number> => {
  const m: Record<string, number> = {};
  for (const k of keys) m[k] = (m[k] ?? 0) + 1;
  return m;
};

/** A bucket whose negatives were written by `authors` (one entry per negative). */
function bucket(h: number, volume: number, authors: string[], texts = authors): BucketStats {
  return {
    start: new Date(T0 + h * HOUR),
    volume,
    negative: authors.length,
    positive: volume - authors.length,
    negativeAuthors: count(authors),
    negativeSources: count(authors.map((a, k) => (k % 2 === 0 ? 'reddit' : `site-${a.length}`))),
    negativeTexts: count(texts),
    negativeReach: authors.length * 2.5,
    negativeShares: 0,
    contagion: 0,
  };
}

const negAuthors = (b: BucketStats): string[] =>
  Object.entries(b.negativeAuthors).flatMap(([a, n]) => Array<string>(n).fill(a));

/** Adds `perHour` negatives from as many new authors over [from, from + hours). */
function outbreak(s: BucketStats[], from: number, hours: number, perHour: number[]): void {
  for (let h = from; h < from + hours; h++) {
    const b = s[h];
    const n = perHour[(h - from) % perHour.length] ?? 0;
    if (b) s[h] = bucket(h, b.volume + n, [...negAuthors(b), ...crowd(n)]);
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
      if (b)
        s[h] = {
          ...b,
          negativeShares: 80,
          negativeSources: { reddit: 3, x: 3, trustpilot: 3, mastodon: 3 },
          contagion: 2,
        };
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
      if (b) s[h] = bucket(h, b.volume + 5, [...negAuthors(b), ...Array<string>(5).fill('angry')]);
    }
    expect(detectWaves(s, params, HOUR)).toEqual([]);
  });

  it('raises nothing for a viral positive wave', () => {
    const s = flat(35 * DAYS);
    for (let h = 30 * DAYS + 10; h < 30 * DAYS + 22; h++) {
      const b = s[h];
      // Volume x10, the negatives growing with it at the usual 20%.
      if (b) s[h] = bucket(h, b.volume + 40, [...negAuthors(b), ...crowd(8)]);
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

describe('detectWaves on 15-minute buckets, judged over hours', () => {
  const Q = HOUR / 4;
  const PER_DAY = 96;
  /** A small brand's touchpoint: a mention every 2 hours, one negative every 8 hours or so. */
  function quiet(days: number, seed = 3): BucketStats[] {
    const r = rng(seed);
    return Array.from({ length: days * PER_DAY }, (_, q) => {
      const volume = poisson(r, 0.125);
      const negative = Array.from({ length: volume }, () => r() < 0.25).filter(Boolean).length;
      return { ...bucket(0, volume, crowd(negative)), start: new Date(T0 + q * Q) };
    });
  }
  /** One negative (and its mention) in bucket q, written by `author` with `text`. */
  function addOne(s: BucketStats[], q: number, author: string, text = author): void {
    const b = s[q];
    if (!b) return;
    const texts = Object.entries(b.negativeTexts).flatMap(([t, n]) => Array<string>(n).fill(t));
    s[q] = {
      ...bucket(0, b.volume + 1, [...negAuthors(b), author], [...texts, text]),
      start: b.start,
    };
  }
  const onset = 30 * PER_DAY + 40; // a Friday, 10:00 in Paris
  const openedAfter = (w: { openedAt: Date } | undefined, s: BucketStats[]) =>
    ((w?.openedAt.getTime() ?? Number.NaN) - (s[onset]?.start.getTime() ?? 0)) / HOUR;

  it('sees a wave spread thin, one complaint a bucket from different people, within hours', () => {
    const s = quiet(35);
    // A complaint every 45 minutes, then every 30: 3 by the second hour, 6 by the fourth.
    const offsets = [0, 3, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24];
    offsets.forEach((d, k) => addOne(s, onset + d, `person-${k}`));
    const waves = detectWaves(s, params, Q);
    expect(waves).toHaveLength(1);
    const after = openedAfter(waves[0], s);
    expect(after).toBeGreaterThanOrEqual(0);
    expect(after).toBeLessThanOrEqual(4);
    const facts = waves[0]?.events[0]?.facts;
    expect(facts?.authors).toBeGreaterThanOrEqual(5);
    expect(facts?.topAuthorShare).toBeLessThanOrEqual(0.34);
    // The window starts at the wave's first complaint, or at a stray one shortly before.
    const since = (facts?.since.getTime() ?? 0) - (s[onset]?.start.getTime() ?? 0);
    expect(since).toBeLessThanOrEqual(0);
    expect(since).toBeGreaterThanOrEqual(-3 * HOUR);
  });

  it('refuses the same thin wave when one person writes every complaint', () => {
    const s = quiet(35);
    for (let k = 0; k < 12; k++) addOne(s, onset + 2 * k, 'angry', `text-${k}`);
    expect(detectWaves(s, params, Q)).toEqual([]);
  });

  it('refuses one text pasted by many accounts (a bot)', () => {
    const s = quiet(35);
    // The fingerprint already ignores the links, numbers and handles a bot changes.
    for (let k = 0; k < 20; k++) addOne(s, onset + k, `bot-${k}`, 'the same complaint');
    expect(detectWaves(s, params, Q)).toEqual([]);
  });

  it('expects more complaints when the other mentions rise too (a viral afternoon)', () => {
    const s = quiet(35);
    // Twelve hours at forty mentions an hour, a quarter of them negative as usual: the
    // complaints come in clusters by chance, and still open nothing.
    const r = rng(5);
    for (let q = onset; q < onset + 48; q++) {
      const b = s[q];
      if (!b) continue;
      const n = poisson(r, 10);
      const neg = Array.from({ length: n }, () => r() < 0.25).filter(Boolean).length;
      s[q] = { ...bucket(0, b.volume + n, [...negAuthors(b), ...crowd(neg)]), start: b.start };
    }
    expect(detectWaves(s, params, Q)).toEqual([]);
  });
});
