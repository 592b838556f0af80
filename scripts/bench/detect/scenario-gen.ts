/**
 * Seeded streams of mentions for the scenario suite: six weeks of a brand's ordinary traffic
 * (four of history, two of test) with daily and weekly rhythms and day-to-day swings, plus one
 * shape of wave or one decoy. Every mention keeps the generator's truth (its template: which
 * touchpoints it is about, and how its author feels), so the suite can score the reader and the
 * detector apart.
 *
 * The brand's clock is Paris in winter (UTC+1 all along: the six weeks end before the clocks
 * change), as `loadDetectionParams`' default (Europe/Paris) reads it.
 */
import { mulberry32 } from '../../../src/demo/scenario.js';
import {
  BANK_TOUCHPOINTS,
  LANGS,
  VARIANTS,
  type BankTouchpoint,
  type Lang,
  type PhraseBank,
  type Polarity,
} from './scenario-bank.js';

export const BUCKET_MS = 15 * 60_000;
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const DAYS = 42;
export const HISTORY_DAYS = 28;
/** Monday 5 January 2026, 00:00 in Paris. */
export const START = Date.UTC(2026, 0, 4, 23);
export const N_BUCKETS = (DAYS * DAY) / BUCKET_MS;
/** Alerts count from here on: the first four weeks are the baseline's history. */
export const TEST_FROM = START + HISTORY_DAYS * DAY;
export const END = START + DAYS * DAY;
const PER_HOUR = HOUR / BUCKET_MS;
const PARIS_OFFSET = HOUR;

export interface SourceSpec {
  id: string;
  /** A search on a social network: the watch query decides relevance (reviews are the brand's page). */
  watched: boolean;
  /** The network says the post's language. */
  declaresLang: boolean;
  weight: number;
}
export const SOURCES: readonly SourceSpec[] = [
  { id: 'trustpilot', watched: false, declaresLang: false, weight: 0.15 },
  { id: 'google-reviews', watched: false, declaresLang: false, weight: 0.1 },
  { id: 'reddit', watched: true, declaresLang: false, weight: 0.2 },
  { id: 'mastodon', watched: true, declaresLang: true, weight: 0.15 },
  { id: 'bluesky', watched: true, declaresLang: true, weight: 0.15 },
  { id: 'x', watched: true, declaresLang: true, weight: 0.25 },
];
const SOCIAL = SOURCES.flatMap((s, i) => (s.watched ? [i] : []));

/** Mentions per hour of the day (local), and per weekday (Sunday first), each of mean 1. */
const HOURLY = normalise([
  0.25, 0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 1, 1.3, 1.4, 1.4, 1.5, 1.4, 1.3, 1.3, 1.35, 1.45,
  1.6, 1.7, 1.6, 1.3, 0.9, 0.5,
]);
const WEEKLY = normalise([0.85, 1.1, 1.05, 1, 1, 1, 0.9]);
function normalise(xs: number[]): number[] {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  return xs.map((x) => x / mean);
}
export const localHour = (t: number): number => new Date(t + PARIS_OFFSET).getUTCHours();
export const localWeekday = (t: number): number => new Date(t + PARIS_OFFSET).getUTCDay();
/** Relative traffic of each bucket (mean 1 over a week). */
const RHYTHM = Float64Array.from({ length: N_BUCKETS }, (_, b) => {
  const t = START + b * BUCKET_MS;
  return (HOURLY[localHour(t)] ?? 1) * (WEEKLY[localWeekday(t)] ?? 1);
});

/** One scenario's mentions, as parallel arrays (the large brand has 200,000 of them). */
export class MentionLog {
  n = 0;
  at = new Float64Array(4096);
  /** Text id (PhraseBank.text). */
  text = new Int32Array(4096);
  /** Template id: the truth. */
  tmpl = new Int32Array(4096);
  author = new Int32Array(4096);
  source = new Uint8Array(4096);
  followers = new Int32Array(4096);
  shares = new Int32Array(4096);
  /** -1: ordinary traffic; k >= 0: written by wave k; DECOY_TAG + d: by decoy d. */
  tag = new Int16Array(4096);

  push(m: {
    at: number;
    text: number;
    tmpl: number;
    author: number;
    source: number;
    followers: number;
    shares: number;
    tag: number;
  }): void {
    if (this.n === this.at.length) this.grow();
    const i = this.n++;
    this.at[i] = m.at;
    this.text[i] = m.text;
    this.tmpl[i] = m.tmpl;
    this.author[i] = m.author;
    this.source[i] = m.source;
    this.followers[i] = m.followers;
    this.shares[i] = m.shares;
    this.tag[i] = m.tag;
  }

  private grow(): void {
    const size = this.at.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array | Int16Array>(
      a: T,
      make: (n: number) => T,
    ): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.at = g(this.at, (n) => new Float64Array(n));
    this.text = g(this.text, (n) => new Int32Array(n));
    this.tmpl = g(this.tmpl, (n) => new Int32Array(n));
    this.author = g(this.author, (n) => new Int32Array(n));
    this.source = g(this.source, (n) => new Uint8Array(n));
    this.followers = g(this.followers, (n) => new Int32Array(n));
    this.shares = g(this.shares, (n) => new Int32Array(n));
    this.tag = g(this.tag, (n) => new Int16Array(n));
  }
}
export const DECOY_TAG = 100;

/** A wave the detector should report. Times in ms. */
export interface WaveTruth {
  tp: BankTouchpoint;
  onset: number;
  /** End of the wave's own complaints (its profile). */
  end: number;
  /** Whether it counts at all (the second wave of fade-return only past the cooldown). */
  due: boolean;
  /** The intensity asked for: the peak 6-hour excess over the qualifying bar (1 = just on it). */
  intensity: number;
  /** Set by `qualify`: the end of the first bucket at which the wave met the bar, or null. */
  qualifiedAt: number | null;
  /** Its truth-negative complaints on `tp` (including copies shared with a second touchpoint). */
  negatives: number;
}

/** A decoy: alerts on `tp` inside one of `windows` are the decoy firing. */
export interface DecoyTruth {
  name: string;
  tp: BankTouchpoint;
  windows: Array<[number, number]>;
}

export interface Scenario {
  shape: string;
  seed: number;
  perDay: number;
  log: MentionLog;
  waves: WaveTruth[];
  decoys: DecoyTruth[];
  /** Per touchpoint and bucket: the ordinary traffic's expected negatives (its "usual"). */
  usual: Record<BankTouchpoint, Float64Array>;
}

type Rand = () => number;
const logUniform = (r: Rand, lo: number, hi: number): number =>
  Math.exp(Math.log(lo) + r() * (Math.log(hi) - Math.log(lo)));
const uniform = (r: Rand, lo: number, hi: number): number => lo + r() * (hi - lo);
function gauss(r: Rand): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}
function poisson(r: Rand, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 40) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const l = Math.exp(-mean);
  let k = 0;
  let p = r();
  while (p > l) {
    k++;
    p *= r();
  }
  return k;
}
function pickOf<T>(r: Rand, xs: readonly T[]): T {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
}

/**
 * What counts as a wave to catch (the recall target's "qualifying" wave). At a bucket end T,
 * within the wave's span, its extra negatives (the generator's truth: complaints the wave wrote
 * that are negative about its touchpoint) over the 6 hours before T must reach both
 *   - 3 x the touchpoint's usual negatives over the same 6 hours (the ordinary traffic's
 *     expectation at those hours and weekday, not its daily mean: night is quieter), and
 *   - 5 complaints (a x3 rise on 0.1 an hour is no evidence anyone could act on).
 * The first such T is `qualifiedAt`. A window that slides over the span, not only the first 6
 * hours: a 24-hour ramp qualifies when its rise gets steep, and its delay is still measured
 * from its onset (and, beside, from that moment).
 */
export const QUALIFY = { windowHours: 6, ratio: 3, min: 5 } as const;

export function qualify(sc: Scenario, bank: PhraseBank): void {
  const extra = {} as Record<BankTouchpoint, Int32Array>;
  for (const tp of BANK_TOUCHPOINTS) extra[tp] = new Int32Array(N_BUCKETS);
  const log = sc.log;
  for (let i = 0; i < log.n; i++) {
    const tag = log.tag[i] ?? -1;
    if (tag < 0 || tag >= DECOY_TAG) continue;
    const b = Math.floor(((log.at[i] ?? 0) - START) / BUCKET_MS);
    for (const t of bank.templates[log.tmpl[i] ?? 0]?.truth ?? []) {
      if (t.polarity === 'negative') extra[t.tp][b] = (extra[t.tp][b] ?? 0) + 1;
    }
  }
  const w6 = QUALIFY.windowHours * PER_HOUR;
  for (const w of sc.waves) {
    const ex = extra[w.tp];
    const us = sc.usual[w.tp];
    const from = Math.floor((w.onset - START) / BUCKET_MS);
    const to = Math.min(N_BUCKETS - 1, Math.ceil((w.end - START) / BUCKET_MS));
    w.negatives = 0;
    for (let b = from; b <= to; b++) w.negatives += ex[b] ?? 0;
    w.qualifiedAt = null;
    for (let t = from; t <= to; t++) {
      let e = 0;
      let u = 0;
      for (let b = Math.max(0, t - w6 + 1); b <= t; b++) {
        e += ex[b] ?? 0;
        u += us[b] ?? 0;
      }
      if (e >= QUALIFY.ratio * u && e >= QUALIFY.min) {
        w.qualifiedAt = START + (t + 1) * BUCKET_MS;
        break;
      }
    }
  }
}

interface BrandModel {
  perDay: number;
  frShare: number;
  /** Mentions a day naming one touchpoint, per touchpoint. */
  rate: Record<BankTouchpoint, number>;
  share: Record<BankTouchpoint, Record<Polarity, number>>;
  mixedPerDay: number;
  chatterPerDay: number;
  newsPerDay: number;
  /** Relative change of the level over the six weeks. */
  trend: number;
  /** Distinct ordinary authors per source. */
  population: number;
}

const TP_WEIGHT: Record<BankTouchpoint, number> = {
  delivery: 0.22,
  checkout: 0.1,
  support: 0.12,
  welcome: 0.18,
  product: 0.26,
  returns: 0.12,
};
/** Usual negative share per touchpoint: [low, high], drawn per scenario. */
const NEG_SHARE: Record<BankTouchpoint, [number, number]> = {
  delivery: [0.15, 0.3],
  checkout: [0.1, 0.25],
  support: [0.25, 0.45],
  welcome: [0.08, 0.2],
  product: [0.08, 0.2],
  returns: [0.2, 0.4],
};

export interface GenOptions {
  /** Mentions a day, all kinds (default: log-uniform 60 to 400). */
  perDay?: number;
  /** Least gap between two waves for the second to be due (fade-return). */
  minGapMs: number;
}

/** One scenario under construction. */
export class Generator {
  readonly r: Rand;
  readonly brand: BrandModel;
  readonly log = new MentionLog();
  readonly waves: WaveTruth[] = [];
  readonly decoys: DecoyTruth[] = [];
  readonly usual = {} as Record<BankTouchpoint, Float64Array>;
  /** Expected ordinary mentions (all polarities) per touchpoint and bucket. */
  private readonly volume = {} as Record<BankTouchpoint, Float64Array>;
  /** Authors of waves and decoys: new people, above every ordinary author's number. */
  private nextAuthor = 1_000_000_000;

  constructor(
    readonly bank: PhraseBank,
    readonly shape: string,
    readonly seed: number,
    readonly opts: GenOptions,
  ) {
    this.r = mulberry32(seed);
    const r = this.r;
    const perDay = opts.perDay ?? logUniform(r, 60, 400);
    const onTp = 0.76 * perDay;
    const weights = BANK_TOUCHPOINTS.map((tp) => TP_WEIGHT[tp] * uniform(r, 0.7, 1.3));
    const wsum = weights.reduce((s, w) => s + w, 0);
    const rate = {} as BrandModel['rate'];
    const share = {} as BrandModel['share'];
    BANK_TOUCHPOINTS.forEach((tp, i) => {
      rate[tp] = (onTp * (weights[i] ?? 0)) / wsum;
      const [lo, hi] = NEG_SHARE[tp];
      const negative = uniform(r, lo, hi);
      const positive = (1 - negative) * uniform(r, 0.5, 0.75);
      share[tp] = { negative, positive, neutral: 1 - negative - positive };
    });
    this.brand = {
      perDay,
      frShare: uniform(r, 0.4, 0.7),
      rate,
      share,
      mixedPerDay: 0.07 * perDay,
      chatterPerDay: 0.14 * perDay,
      newsPerDay: 0.03 * perDay,
      trend: uniform(r, -0.1, 0.15),
      population: Math.max(3000, Math.round(perDay * 40)),
    };
    for (const tp of BANK_TOUCHPOINTS) {
      this.usual[tp] = new Float64Array(N_BUCKETS);
      this.volume[tp] = new Float64Array(N_BUCKETS);
    }
  }

  lang(): Lang {
    return this.r() < this.brand.frShare ? 'fr' : 'en';
  }

  source(only?: readonly number[]): number {
    if (only) return pickOf(this.r, only);
    let x = this.r();
    for (let i = 0; i < SOURCES.length; i++) {
      x -= SOURCES[i]?.weight ?? 0;
      if (x < 0) return i;
    }
    return SOURCES.length - 1;
  }

  followers(): number {
    return Math.min(2_000_000, Math.floor(Math.exp(4.5 + 1.6 * gauss(this.r))));
  }

  freshAuthor(): number {
    return this.nextAuthor++;
  }

  /** One mention at a random instant of bucket `b`. */
  emit(
    b: number,
    tmpl: number,
    tag: number,
    o: { source?: number; author?: number; text?: number; sharesP?: number } = {},
  ): void {
    const r = this.r;
    const source = o.source ?? this.source();
    const social = SOURCES[source]?.watched ?? false;
    this.log.push({
      at: START + (b + r()) * BUCKET_MS,
      text: o.text ?? this.bank.render(tmpl, Math.floor(r() * VARIANTS), social),
      tmpl,
      // Ordinary authors are distinct per site: the detector takes one handle on two sites for
      // one person, and a shared number here would be a coincidence, not a person.
      author: o.author ?? Math.floor(r() * this.brand.population) * SOURCES.length + source,
      source,
      followers: this.followers(),
      shares: r() < (o.sharesP ?? 0.08) ? Math.floor(1 + 40 * r() ** 3) : 0,
      tag,
    });
  }

  /** A template of one touchpoint and polarity, in a random language. */
  single(tp: BankTouchpoint, p: Polarity, lang = this.lang()): number {
    return pickOf(this.r, this.bank.single[lang][tp][p]);
  }

  polarity(tp: BankTouchpoint): Polarity {
    const s = this.brand.share[tp];
    const x = this.r();
    return x < s.negative ? 'negative' : x < s.negative + s.positive ? 'positive' : 'neutral';
  }

  /** Six weeks of ordinary traffic, with one Monday-morning backlog on support if asked. */
  background(): void {
    const { r, brand, bank } = this;
    // Day-to-day swings (news, weather, a thread): mention counts are overdispersed.
    const dayAll = Array.from({ length: DAYS }, () => Math.exp(0.15 * gauss(r) - 0.011));
    const dayTp = {} as Record<BankTouchpoint, number[]>;
    for (const tp of BANK_TOUCHPOINTS)
      dayTp[tp] = Array.from({ length: DAYS }, () => Math.exp(0.2 * gauss(r) - 0.02));
    // Expected negatives of each touchpoint brought by texts naming two, per language.
    const mixedNeg = {} as Record<Lang, Record<BankTouchpoint, number>>;
    for (const lang of LANGS) {
      mixedNeg[lang] = {} as Record<BankTouchpoint, number>;
      const ids = bank.mixed[lang];
      for (const tp of BANK_TOUCHPOINTS) {
        const k = ids.filter((id) =>
          bank.templates[id]?.truth.some((t) => t.tp === tp && t.polarity === 'negative'),
        ).length;
        mixedNeg[lang][tp] = k / ids.length;
      }
    }
    for (let b = 0; b < N_BUCKETS; b++) {
      const d = Math.floor(b / (DAY / BUCKET_MS));
      const base = ((RHYTHM[b] ?? 1) * (1 + brand.trend * (b / N_BUCKETS - 0.5))) / 96;
      const all = dayAll[d] ?? 1;
      for (const tp of BANK_TOUCHPOINTS) {
        const mean = brand.rate[tp] * base;
        this.usual[tp][b] =
          mean * brand.share[tp].negative +
          brand.mixedPerDay *
            base *
            (brand.frShare * mixedNeg.fr[tp] + (1 - brand.frShare) * mixedNeg.en[tp]);
        this.volume[tp][b] = mean;
        const n = poisson(r, mean * all * (dayTp[tp]?.[d] ?? 1));
        for (let k = 0; k < n; k++) this.emit(b, this.single(tp, this.polarity(tp)), -1);
      }
      for (let k = poisson(r, brand.mixedPerDay * base * all); k > 0; k--)
        this.emit(b, pickOf(r, bank.mixed[this.lang()]), -1);
      for (let k = poisson(r, brand.chatterPerDay * base * all); k > 0; k--)
        this.emit(b, pickOf(r, bank.chatter[this.lang()]), -1);
      for (let k = poisson(r, brand.newsPerDay * base); k > 0; k--) {
        const lang = this.lang();
        const key = r() < 0.5 ? '_' : pickOf(r, BANK_TOUCHPOINTS);
        this.emit(b, pickOf(r, bank.news[lang][key] ?? bank.news[lang]['_'] ?? []), -1);
      }
    }
  }

  /** The test week (0 or 1) things are placed in: a run holds one wave or decoy in each. */
  week = 0;
  private readonly usedTps = new Set<BankTouchpoint>();

  /** A touchpoint of `among` not used yet in this run (waves on distinct touchpoints). */
  tp(among: readonly BankTouchpoint[] = BANK_TOUCHPOINTS): BankTouchpoint {
    const free = among.filter((t) => !this.usedTps.has(t));
    const tp = pickOf(this.r, free.length > 0 ? free : among);
    this.usedTps.add(tp);
    return tp;
  }

  /** A random bucket of the current test week to start something, with `spanHours` + 14 h after it. */
  onsetBucket(spanHours: number): number {
    const weekStart = (TEST_FROM - START) / BUCKET_MS + this.week * 7 * 24 * PER_HOUR;
    const lo = weekStart + 6 * PER_HOUR;
    const hi = weekStart + 7 * 24 * PER_HOUR - Math.ceil((spanHours + 14) * PER_HOUR);
    if (hi <= lo) throw new Error(`a ${spanHours} h span does not fit in a test week`);
    return Math.floor(uniform(this.r, lo, hi));
  }

  /** Same, at a local hour in [fromHour, fromHour + hours) (may pass midnight). */
  onsetAtHour(spanHours: number, fromHour: number, hours: number): number {
    const b = this.onsetBucket(spanHours + 28);
    // START is a local midnight: bucket b is local time (b mod 96) x 15 minutes.
    const dayStart = b - (b % (24 * PER_HOUR));
    return dayStart + Math.floor((fromHour + this.r() * hours) * PER_HOUR);
  }

  /**
   * A wave of complaints on `tp`: `profile(h)` the relative rate h hours after onset (0 past the
   * span), scaled so that its expected peak 6-hour excess is `intensity` x the qualifying bar.
   * Complaints follow people's day (fewer at night). `thin`: at most one per bucket, each from
   * a new person, sources spread evenly. `pair`: the other touchpoint of a two-touchpoint wave;
   * a share of the complaints name both.
   */
  wave(
    tp: BankTouchpoint,
    onset: number,
    spanHours: number,
    profile: (h: number) => number,
    o: { intensity: number; thin?: boolean; pair?: BankTouchpoint; due?: boolean },
  ): void {
    const { r, bank } = this;
    const len = Math.ceil(spanHours * PER_HOUR);
    const shape = Float64Array.from({ length: len }, (_, j) => {
      const b = onset + j;
      return profile((j + 0.5) / PER_HOUR) * (0.4 + 0.6 * (RHYTHM[b] ?? 1));
    });
    const usual = this.usual[tp];
    const w6 = QUALIFY.windowHours * PER_HOUR;
    const expected = (scale: number): Float64Array =>
      shape.map((x) => (o.thin ? Math.min(1, scale * x) : scale * x));
    const peakRatio = (ex: Float64Array): number => {
      let best = 0;
      for (let t = 0; t < len; t++) {
        let e = 0;
        let u = 0;
        for (let j = Math.max(0, t - w6 + 1); j <= t; j++) e += ex[j] ?? 0;
        for (let b = onset + t - w6 + 1; b <= onset + t; b++) u += usual[b] ?? 0;
        best = Math.max(best, e / Math.max(QUALIFY.min, QUALIFY.ratio * u));
      }
      return best;
    };
    let lo = 0;
    let hi = 1;
    while (peakRatio(expected(hi)) < o.intensity && hi < 1e6) hi *= 2;
    for (let k = 0; k < 40; k++) {
      const mid = (lo + hi) / 2;
      if (peakRatio(expected(mid)) < o.intensity) lo = mid;
      else hi = mid;
    }
    const ex = expected(hi);
    const tag = this.waves.length;
    this.waves.push({
      tp,
      onset: START + onset * BUCKET_MS,
      end: START + (onset + len) * BUCKET_MS,
      due: o.due ?? true,
      intensity: o.intensity,
      qualifiedAt: null,
      negatives: 0,
    });
    // Texts naming a second touchpoint: in a two-touchpoint wave, complaints about both; in a
    // one-touchpoint wave, only texts where the other touchpoint is not complained about.
    const mixedPool = {} as Record<Lang, number[]>;
    for (const lang of LANGS) {
      mixedPool[lang] = o.pair
        ? bank.mixedWhere(lang, tp, 'negative', (t) => t.tp === o.pair && t.polarity === 'negative')
        : bank.mixedWhere(lang, tp, 'negative', (t) => t.polarity !== 'negative');
    }
    const authors: Array<{ author: number; source: number; lang: Lang }> = [];
    const sources = o.thin ? SOURCES.map((_, i) => i) : undefined;
    for (let j = 0; j < len; j++) {
      const mean = ex[j] ?? 0;
      const n = o.thin ? (r() < mean ? 1 : 0) : poisson(r, mean);
      for (let k = 0; k < n; k++) {
        // Now and then the same person writes again (thin waves: each complaint a new person).
        const again = !o.thin && authors.length > 0 && r() < 0.08;
        const who = again
          ? pickOf(r, authors)
          : { author: this.freshAuthor(), source: this.source(sources), lang: this.lang() };
        if (!again) authors.push(who);
        const pool = mixedPool[who.lang];
        const tmpl =
          pool.length > 0 && r() < (o.pair ? 0.3 : 0.1)
            ? pickOf(r, pool)
            : this.single(tp, 'negative', who.lang);
        this.emit(onset + j, tmpl, tag, { author: who.author, source: who.source, sharesP: 0.12 });
      }
      // People asking whether others have the problem too, and a few who are fine.
      for (let k = poisson(r, 0.2 * mean); k > 0; k--)
        this.emit(onset + j, this.single(tp, r() < 0.7 ? 'neutral' : 'positive'), tag);
    }
  }

  /** One author posting twenty complaints about `tp` over two to five hours. */
  angryAuthor(tp: BankTouchpoint): void {
    const { r } = this;
    const span = uniform(r, 2, 5);
    const start = this.onsetAtHour(span, 9, 9);
    const author = this.freshAuthor();
    const source = pickOf(r, SOCIAL);
    const lang = this.lang();
    const tag = DECOY_TAG + this.decoys.length;
    for (let k = 0; k < 20; k++) {
      this.emit(start + Math.floor(r() * span * PER_HOUR), this.single(tp, 'negative', lang), tag, {
        author,
        source,
      });
    }
    this.decoys.push({ name: 'angry-author', tp, windows: [this.window(start, span)] });
  }

  /**
   * A bot: 15 to 40 accounts on one or two networks posting one complaint within one to three
   * hours, each copy with its own link, number, hashtag or emoji.
   */
  bot(tp: BankTouchpoint): void {
    const { r, bank } = this;
    const accounts = 15 + Math.floor(r() * 26);
    const span = uniform(r, 1, 3);
    const start = this.onsetAtHour(span, 8, 12);
    const nets = r() < 0.5 ? [pickOf(r, SOCIAL)] : [pickOf(r, SOCIAL), pickOf(r, SOCIAL)];
    const tmpl = this.single(tp, 'negative');
    const base = bank.text(bank.render(tmpl, Math.floor(r() * VARIANTS), true));
    const tag = DECOY_TAG + this.decoys.length;
    for (let k = 0; k < accounts; k++) {
      const code = Math.floor(r() * 36 ** 5).toString(36);
      const copies = [
        `${base} https://lmlr.example/${code}`,
        /\d+/.test(base) ? base.replace(/\d+/, String(2 + Math.floor(r() * 20))) : `${base} !!`,
        `${base} #${pickOf(r, ['scam', 'arnaque', 'boycott', 'fail', 'honte'])}`,
        `${base} 😡`,
        base,
      ];
      this.emit(start + Math.floor(r() * span * PER_HOUR), tmpl, tag, {
        author: this.freshAuthor(),
        source: pickOf(r, nets),
        text: bank.textId(pickOf(r, copies)),
      });
    }
    this.decoys.push({ name: 'bot', tp, windows: [this.window(start, span)] });
  }

  /**
   * A viral positive wave on `tp`: six times its volume for twelve hours, negatives at their
   * usual share, more reshares.
   */
  viralPositive(tp: BankTouchpoint): void {
    const { r } = this;
    const start = this.onsetAtHour(12, 10, 4);
    const len = 12 * PER_HOUR;
    const tag = DECOY_TAG + this.decoys.length;
    // At least 3 mentions an hour: a quiet touchpoint's viral moment is still a crowd.
    const floor = 3 / PER_HOUR;
    for (let b = start; b < start + len; b++) {
      const n = poisson(r, 5 * Math.max(floor, this.volume[tp][b] ?? 0));
      for (let k = 0; k < n; k++)
        this.emit(b, this.single(tp, this.polarity(tp)), tag, {
          author: this.freshAuthor(),
          sharesP: 0.3,
        });
    }
    this.decoys.push({ name: 'viral-positive', tp, windows: [this.window(start, 12)] });
  }

  /**
   * Every Monday from 8:00 to 12:00, all six weeks (history included): the weekend's backlog
   * of support complaints, 60% negative, at least 8 negatives a morning and 4 x the usual.
   */
  weekdayPeak(tp: BankTouchpoint): void {
    const { r } = this;
    const tag = DECOY_TAG + this.decoys.length;
    const windows: Array<[number, number]> = [];
    for (let week = 0; week < DAYS / 7; week++) {
      const start = week * 7 * 24 * PER_HOUR + 8 * PER_HOUR; // START is a Monday, 00:00
      let usual = 0;
      for (let b = start; b < start + 4 * PER_HOUR; b++) usual += this.usual[tp][b] ?? 0;
      const perBucket = Math.max(8, 4 * usual) / 0.6 / (4 * PER_HOUR);
      for (let b = start; b < start + 4 * PER_HOUR; b++) {
        for (let k = poisson(r, perBucket); k > 0; k--)
          this.emit(b, this.single(tp, r() < 0.6 ? 'negative' : 'neutral'), tag);
      }
      if (START + start * BUCKET_MS >= TEST_FROM) windows.push(this.window(start, 4));
    }
    this.decoys.push({ name: 'weekday-peak', tp, windows });
  }

  /**
   * A news day on `tp`: from 8:00 to 20:00 four times its usual volume, the extra mostly
   * news-like posts and shared headlines, negatives at the usual share.
   */
  newsDay(tp: BankTouchpoint): void {
    const { r, bank } = this;
    const start = this.onsetAtHour(12, 8, 0.25);
    const len = 12 * PER_HOUR;
    const tag = DECOY_TAG + this.decoys.length;
    const floor = 2 / PER_HOUR;
    for (let b = start; b < start + len; b++) {
      const n = poisson(r, 3 * Math.max(floor, this.volume[tp][b] ?? 0));
      for (let k = 0; k < n; k++) {
        const lang = this.lang();
        const p = this.polarity(tp);
        const tmpl =
          p === 'negative' || r() < 0.3
            ? this.single(tp, p, lang)
            : pickOf(r, bank.news[lang][tp] ?? []);
        this.emit(b, tmpl, tag, { author: this.freshAuthor(), sharesP: 0.2 });
      }
    }
    this.decoys.push({ name: 'news-day', tp, windows: [this.window(start, 12)] });
  }

  /** [start, end + 12 h] of something starting at bucket `b` and lasting `hours`. */
  private window(b: number, hours: number): [number, number] {
    const start = START + b * BUCKET_MS;
    return [start, start + (hours + 12) * HOUR];
  }

  done(): Scenario {
    const sc: Scenario = {
      shape: this.shape,
      seed: this.seed,
      perDay: this.brand.perDay,
      log: this.log,
      waves: this.waves,
      decoys: this.decoys,
      usual: this.usual,
    };
    qualify(sc, this.bank);
    return sc;
  }
}

// Wave profiles: relative rate h hours after onset.
/** Linear rise over `rise` hours, 3 hours at the top, then down over rise / 2. */
export const ramp =
  (rise: number) =>
  (h: number): number =>
    h < rise ? h / rise : h < rise + 3 ? 1 : Math.max(0, 1 - (h - rise - 3) / (rise / 2));
export const rampSpan = (rise: number): number => rise * 1.5 + 3;
/** Full rate at once for 1.5 hours, then halving about every hour. */
export const burst = (h: number): number => (h < 1.5 ? 1 : Math.exp(-(h - 1.5) / 1.5));
export const flat = (): number => 1;

export interface ShapeSpec {
  name: string;
  kind: 'wave' | 'decoy';
  /** What it tests, printed under the table. */
  about: string;
  build(g: Generator): void;
}

const intensity = (g: Generator): number => logUniform(g.r, 0.6, 4);
const PAIRS: Array<[BankTouchpoint, BankTouchpoint]> = [
  ['delivery', 'support'],
  ['checkout', 'support'],
  ['returns', 'support'],
  ['checkout', 'delivery'],
  ['delivery', 'returns'],
  ['product', 'returns'],
];

/** Ordinary traffic, then `each` once in each test week. */
function weekly(each: (g: Generator) => void): (g: Generator) => void {
  return (g) => {
    g.background();
    for (const week of [0, 1]) {
      g.week = week;
      each(g);
    }
  };
}

/**
 * The shapes. A run holds two waves (or decoys), one in each test week, on distinct touchpoints.
 * Intensities are drawn log-uniform from 0.6 to 4 times the qualifying bar, so some waves fall
 * short of it: they count in recall over all waves, not in the target.
 */
export const SHAPES: readonly ShapeSpec[] = [
  {
    name: 'burst',
    kind: 'wave',
    about: 'full rate at once for 1.5 h, then fading over a few hours',
    build: weekly((g) => g.wave(g.tp(), g.onsetBucket(8), 8, burst, { intensity: intensity(g) })),
  },
  ...[6, 12, 24].map((rise): ShapeSpec => ({
    name: `ramp-${rise}h`,
    kind: 'wave',
    about: `linear rise over ${rise} h, 3 h at the top, down over ${rise / 2} h`,
    build: weekly((g) => {
      const span = rampSpan(rise);
      g.wave(g.tp(), g.onsetBucket(span), span, ramp(rise), { intensity: intensity(g) });
    }),
  })),
  {
    name: 'thin',
    kind: 'wave',
    about: 'at most one complaint per 15 min for 8-16 h, each from a new person, all six sites',
    build: weekly((g) => {
      const span = uniform(g.r, 8, 16);
      g.wave(g.tp(), g.onsetBucket(span), span, flat, { intensity: intensity(g), thin: true });
    }),
  },
  {
    name: 'night',
    kind: 'wave',
    about: 'a 6 h ramp starting between 22:00 and 04:00',
    build: weekly((g) =>
      g.wave(g.tp(), g.onsetAtHour(rampSpan(6), 22, 6), rampSpan(6), ramp(6), {
        intensity: intensity(g),
      }),
    ),
  },
  {
    name: 'small-brand',
    kind: 'wave',
    about: 'about 20 mentions a day in all; a 6 or 12 h ramp',
    build: weekly((g) => {
      const rise = g.r() < 0.5 ? 6 : 12;
      g.wave(g.tp(), g.onsetBucket(rampSpan(rise)), rampSpan(rise), ramp(rise), {
        intensity: intensity(g),
      });
    }),
  },
  {
    name: 'large-brand',
    kind: 'wave',
    about: 'about 5,000 mentions a day; a 6 h ramp',
    build: weekly((g) =>
      g.wave(g.tp(), g.onsetBucket(rampSpan(6)), rampSpan(6), ramp(6), {
        intensity: intensity(g),
      }),
    ),
  },
  {
    name: 'two-touchpoints',
    kind: 'wave',
    about: 'two 6 h ramps on two touchpoints within an hour, 30% of complaints naming both',
    build: weekly((g) => {
      const [a, b] = pickOf(g.r, PAIRS);
      const onset = g.onsetBucket(rampSpan(6) + 1);
      g.wave(a, onset, rampSpan(6), ramp(6), { intensity: intensity(g), pair: b });
      g.wave(b, onset + Math.floor(g.r() * PER_HOUR), rampSpan(6), ramp(6), {
        intensity: intensity(g),
        pair: a,
      });
    }),
  },
  {
    name: 'fade-return',
    kind: 'wave',
    about: 'a 5 h burst, calm, and a second one on the same touchpoint 24 h after the first',
    build: weekly((g) => {
      const tp = g.tp();
      const onset = g.onsetBucket(24 + 5);
      g.wave(tp, onset, 5, burst, { intensity: intensity(g) });
      // Due only if a detector that resolved on time is past its cooldown by then.
      const gap = 24 * HOUR - 5 * HOUR;
      g.wave(tp, onset + 24 * PER_HOUR, 5, burst, {
        intensity: intensity(g),
        due: gap >= g.opts.minGapMs,
      });
    }),
  },
  {
    name: 'angry-author',
    kind: 'decoy',
    about: 'one person, twenty complaints in 2-5 h',
    build: weekly((g) => g.angryAuthor(g.tp(['delivery', 'support', 'returns', 'checkout']))),
  },
  {
    name: 'bot',
    kind: 'decoy',
    about: '15-40 accounts posting one complaint (link, number, hashtag changed) in 1-3 h',
    build: weekly((g) => g.bot(g.tp(['delivery', 'checkout', 'product', 'support']))),
  },
  {
    name: 'viral-positive',
    kind: 'decoy',
    about: 'volume x6 for 12 h at the usual negative share (product, then another)',
    build: weekly((g) => g.viralPositive(g.week === 0 ? g.tp(['product']) : g.tp())),
  },
  {
    name: 'weekday-peak',
    kind: 'decoy',
    about: 'support complaints every Monday 8:00-12:00, history included',
    build(g) {
      g.background();
      g.weekdayPeak('support');
    },
  },
  {
    name: 'news-day',
    kind: 'decoy',
    about: 'volume x4 for 12 h from news and shared headlines, usual negative share',
    build: weekly((g) => g.newsDay(g.tp())),
  },
];

/** Brand size of a shape (mentions a day), or undefined for the default draw. */
function perDayOf(shape: string, r: Rand): number | undefined {
  if (shape === 'small-brand') return uniform(r, 16, 24);
  if (shape === 'large-brand') return uniform(r, 4500, 5500);
  return undefined;
}

/** The scenario of one shape and seed. */
export function generate(
  bank: PhraseBank,
  shape: ShapeSpec,
  seed: number,
  minGapMs: number,
): Scenario {
  const shapeIndex = SHAPES.indexOf(shape);
  const s = (seed * 7919 + shapeIndex * 104_729 + 1) >>> 0;
  const perDay = perDayOf(shape.name, mulberry32(s ^ 0x5bd1e995));
  const g = new Generator(bank, shape.name, s, {
    minGapMs,
    ...(perDay !== undefined ? { perDay } : {}),
  });
  shape.build(g);
  return g.done();
}
