/**
 * The scenario suite of `npm run bench:detect`: many shapes of waves and decoys, on many seeds,
 * each read by the real reader from a frozen phrase bank (phrases/, written apart from the
 * lexicon) and counted as the store counts, then run through `detectWaves` with
 * config/detection.yaml; and again with the generator's truth in place of the reader (oracle),
 * which shows the detector's own losses.
 *
 * Dev seeds (1..n) are for whoever tunes; test seeds (1001..1000+n) are for the figures. Tune on
 * dev only.
 *
 * What counts (times are bucket ends: an alert "opened at" bucket B is known at B + 15 min):
 * - a wave is caught when an alert on its touchpoint opens between its onset and 12 h after its
 *   end; the delay runs from the onset to that alert. Later alerts in that window are
 *   duplicates (reported, not false);
 * - a wave is qualifying as `QUALIFY` says (scenario-gen.ts); the recall target is over those;
 * - fade-return: the second wave is due (counted at all) only when its onset is at least
 *   calmWindow + resolveAfter + cooldown after the end of the first (a detector that resolved on
 *   time is then past its cooldown); it is caught only by a new alert in its own window;
 * - an alert on a decoy's touchpoint within the decoy's window (its span + 12 h; every test
 *   Monday for the weekday peak) is a decoy alert;
 * - any other alert opened in the two test weeks is false, whatever touchpoint it is on
 *   (including touchpoints the bank does not write about: a reader linking to them is the
 *   reader's fault). `spill` counts the false alerts that fell inside another touchpoint's wave
 *   window. Per touchpoint-week means over the bank's six touchpoints x two weeks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { loadTouchpointsFile, type TouchpointsConfig } from '../../../config/index.js';
import type { DetectionParams } from '../../../src/detection/params.js';
import { detectWaves } from '../../../src/detection/weak-link.js';
import { BANK_TOUCHPOINTS, PhraseBank } from './scenario-bank.js';
import { boundAlerts, LEVELS } from './scenario-bound.js';
import {
  BUCKET_MS,
  DAY,
  DECOY_TAG,
  generate,
  HOUR,
  N_BUCKETS,
  QUALIFY,
  SHAPES,
  START,
  TEST_FROM,
  type Scenario,
} from './scenario-gen.js';
import {
  aggregateBuckets,
  counted,
  createOracle,
  createReader,
  type ReadFn,
} from './scenario-read.js';

export type SeedSet = 'dev' | 'test';

/**
 * The journey the bench reads with: the default touchpoints.yaml as it is (brand, aliases, watch
 * query, the brand's own words), with the retail preset added to its presets: the bank's Maison
 * Lumière has shops with staff and a café besides its online shop, and touchpoints.yaml tells a
 * shop that also sells online to pick both. A file without presets is read as it is.
 */
export function benchTouchpoints(configDir: string): {
  config: TouchpointsConfig;
  presets: string;
} {
  const raw = parseYaml(readFileSync(path.join(configDir, 'touchpoints.yaml'), 'utf8')) as {
    journey?: { preset?: string | string[] };
  };
  const preset = raw.journey?.preset;
  if (!raw.journey || preset === undefined)
    return { config: loadTouchpointsFile(configDir), presets: '(touchpoints.yaml as is)' };
  const presets = [...new Set([...(Array.isArray(preset) ? preset : [preset]), 'retail'])];
  raw.journey.preset = presets;
  const dir = mkdtempSync(path.join(tmpdir(), 'maillon-bench-journey-'));
  try {
    writeFileSync(path.join(dir, 'touchpoints.yaml'), stringifyYaml(raw));
    return { config: loadTouchpointsFile(dir), presets: presets.join(' + ') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
/** The real reader, the generator's labels, and the bound (scenario-bound.ts). */
export type Mode = 'reader' | 'oracle' | 'bound';

export const QUALIFY_NOTE = `qualifying: within its span, some 6 h window where the wave's own complaints reach ${QUALIFY.ratio} x the touchpoint's usual negatives over those hours and at least ${QUALIFY.min}`;

export const TARGETS = {
  recall: 1,
  medianDelayHours: 3,
  falseAlertsPerTouchpointWeek: 0.005,
  decoyAlerts: 0,
} as const;

export interface ShapeResult {
  mode: Mode;
  seeds: SeedSet;
  shape: string;
  kind: 'wave' | 'decoy' | 'all';
  runs: number;
  /** Waves due, and of them qualifying. */
  waves: number;
  qualifying: number;
  /** Caught qualifying waves / qualifying; caught waves / waves. */
  recall: number;
  recallAll: number;
  /** Over caught qualifying waves: hours from onset to the alert's bucket end. */
  medianDelayHours: number;
  p90DelayHours: number;
  /** Same alerts, hours from the moment the wave met the qualifying bar (negative: before). */
  medianDelayFromQualifiedHours: number;
  /** Alerts opened in the test weeks, all touchpoints. */
  alerts: number;
  falseAlerts: number;
  falseAlertsPerTouchpointWeek: number;
  spill: number;
  duplicates: number;
  /** Alerts raised by the decoy, and runs in which it raised any. */
  decoyAlerts: number;
  decoyRunsAlerted: number;
  /** Reader only: share of the waves' complaints read as negative about their touchpoint. */
  wavesNegativesRead: number;
  /** Bound only: the chance level it alerts at. */
  level?: number;
}

export interface Tally {
  runs: number;
  waves: number;
  qualifying: number;
  caughtQualifying: number;
  caught: number;
  delays: number[];
  fromQualified: number[];
  alerts: number;
  falseAlerts: number;
  tpWeeks: number;
  spill: number;
  duplicates: number;
  decoyAlerts: number;
  decoyRunsAlerted: number;
  waveNegatives: number;
  waveNegativesRead: number;
}
const tally = (): Tally => ({
  runs: 0,
  waves: 0,
  qualifying: 0,
  caughtQualifying: 0,
  caught: 0,
  delays: [],
  fromQualified: [],
  alerts: 0,
  falseAlerts: 0,
  tpWeeks: 0,
  spill: 0,
  duplicates: 0,
  decoyAlerts: 0,
  decoyRunsAlerted: 0,
  waveNegatives: 0,
  waveNegativesRead: 0,
});
function merge(into: Tally, t: Tally): void {
  for (const k of Object.keys(into) as Array<keyof Tally>) {
    const a = into[k];
    const b = t[k];
    if (Array.isArray(a) && Array.isArray(b)) a.push(...b);
    else (into[k] as number) = (a as number) + (b as number);
  }
}

/** Linear-interpolated quantile (NaN on no data). */
export function quantile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = xs.toSorted((a, b) => a - b);
  const x = (s.length - 1) * p;
  const lo = Math.floor(x);
  const hi = Math.ceil(x);
  return (s[lo] ?? 0) + ((s[hi] ?? 0) - (s[lo] ?? 0)) * (x - lo);
}

interface Alert {
  tp: string;
  at: number;
}

/** The alerts (openings) of one scenario through one reading, in the test weeks. */
function alertsOf(sc: Scenario, bank: PhraseBank, read: ReadFn, params: DetectionParams): Alert[] {
  const series = aggregateBuckets(counted(sc.log, bank, read), {
    start: START,
    buckets: N_BUCKETS,
    bucketMs: BUCKET_MS,
  });
  const alerts: Alert[] = [];
  // The detector costs tens of milliseconds a series: a touchpoint whose negatives over the test
  // weeks and the day before cannot reach `evidence.minCount` cannot open a wave there.
  const from = (TEST_FROM - START - DAY) / BUCKET_MS;
  for (const [tp, s] of series) {
    let negatives = 0;
    for (let b = from; b < s.length; b++) negatives += s[b]?.negative ?? 0;
    if (negatives < params.evidence.minCount) continue;
    for (const w of detectWaves(s, params, BUCKET_MS)) {
      const at = w.openedAt.getTime();
      if (at >= TEST_FROM) alerts.push({ tp, at });
    }
  }
  return alerts;
}

/** Scores one scenario's alerts against its truth. */
function score(sc: Scenario, alerts: Alert[], bank: PhraseBank, read: ReadFn | null): Tally {
  const t = tally();
  t.runs = 1;
  t.tpWeeks = BANK_TOUCHPOINTS.length * 2;
  t.alerts = alerts.length;
  const windowOf = (w: Scenario['waves'][number]): [number, number] => [w.onset, w.end + 12 * HOUR];
  const used = new Set<Alert>();
  for (const w of sc.waves) {
    const [a, b] = windowOf(w);
    const mine = alerts.filter((x) => x.tp === w.tp && x.at >= a && x.at <= b);
    for (const x of mine) used.add(x);
    if (!w.due) continue;
    t.waves++;
    const q = w.qualifiedAt !== null;
    if (q) t.qualifying++;
    const first = mine.reduce<Alert | null>((f, x) => (f === null || x.at < f.at ? x : f), null);
    if (!first) continue;
    t.caught++;
    t.duplicates += mine.length - 1;
    if (q) {
      t.caughtQualifying++;
      const known = first.at + BUCKET_MS;
      t.delays.push((known - w.onset) / HOUR);
      t.fromQualified.push((known - (w.qualifiedAt ?? 0)) / HOUR);
    }
  }
  for (const d of sc.decoys) {
    const hits = alerts.filter(
      (x) => x.tp === d.tp && d.windows.some(([a, b]) => x.at >= a && x.at <= b),
    );
    for (const x of hits) used.add(x);
    t.decoyAlerts += hits.length;
    if (hits.length > 0) t.decoyRunsAlerted++;
  }
  for (const x of alerts) {
    if (used.has(x)) continue;
    t.falseAlerts++;
    const inOther =
      sc.waves.some((w) => x.at >= windowOf(w)[0] && x.at <= windowOf(w)[1]) ||
      sc.decoys.some((d) => d.windows.some(([a, b]) => x.at >= a && x.at <= b));
    if (inOther) t.spill++;
  }
  if (read) {
    // How much of the waves' complaints the reader kept: negative about the right touchpoint.
    const log = sc.log;
    const waveTps = new Set(sc.waves.map((w) => w.tp));
    for (let i = 0; i < log.n; i++) {
      const tag = log.tag[i] ?? -1;
      if (tag < 0 || tag >= DECOY_TAG) continue;
      const truth = bank.templates[log.tmpl[i] ?? 0]?.truth ?? [];
      const r = read(log, i);
      for (const tr of truth) {
        if (tr.polarity !== 'negative' || !waveTps.has(tr.tp)) continue;
        t.waveNegatives++;
        if (r.relevant && r.touchpoints.some((x) => x.id === tr.tp && x.label === 'negative'))
          t.waveNegativesRead++;
      }
    }
  }
  return t;
}

function result(
  mode: Mode,
  seeds: SeedSet,
  shape: string,
  kind: ShapeResult['kind'],
  t: Tally,
): ShapeResult {
  const ratio = (a: number, b: number) => (b > 0 ? a / b : Number.NaN);
  return {
    mode,
    seeds,
    shape,
    kind,
    runs: t.runs,
    waves: t.waves,
    qualifying: t.qualifying,
    recall: ratio(t.caughtQualifying, t.qualifying),
    recallAll: ratio(t.caught, t.waves),
    medianDelayHours: quantile(t.delays, 0.5),
    p90DelayHours: quantile(t.delays, 0.9),
    medianDelayFromQualifiedHours: quantile(t.fromQualified, 0.5),
    alerts: t.alerts,
    falseAlerts: t.falseAlerts,
    falseAlertsPerTouchpointWeek: ratio(t.falseAlerts, t.tpWeeks),
    spill: t.spill,
    duplicates: t.duplicates,
    decoyAlerts: t.decoyAlerts,
    decoyRunsAlerted: t.decoyRunsAlerted,
    wavesNegativesRead: ratio(t.waveNegativesRead, t.waveNegatives),
  };
}

export interface SuiteOptions {
  params: DetectionParams;
  touchpoints: TouchpointsConfig;
  seeds: readonly SeedSet[];
  /** Runs per shape and seed set (default 10; each run holds two waves or decoys). */
  perShape?: number;
  /** Only these shapes (default all). */
  shapes?: readonly string[];
  /** Worker threads (default 1: in this thread). Results do not depend on it. */
  jobs?: number;
  progress?: (line: string) => void;
}

export const SEED_BASE: Record<SeedSet, number> = { dev: 1, test: 1001 };

/** One run: a shape on a seed. */
export interface Job {
  set: SeedSet;
  shape: string;
  seed: number;
}
export interface JobResult {
  reader: Tally;
  oracle: Tally;
  /** One per level of LEVELS. */
  bound: Tally[];
  mentions: number;
  texts: number;
}

/** Runs jobs in this thread: one phrase bank and one memoised reader for all of them. */
export function createRunner(
  params: DetectionParams,
  touchpoints: TouchpointsConfig,
): (job: Job) => JobResult {
  const bank = new PhraseBank();
  const reader = createReader(bank, touchpoints);
  const oracle = createOracle(bank);
  const { calmWindow, resolveAfter, cooldown } = params.lifecycle;
  const minGap = calmWindow + resolveAfter + cooldown;
  return (job) => {
    const shape = SHAPES.find((s) => s.name === job.shape);
    if (!shape) throw new Error(`no shape ${job.shape}`);
    const sc = generate(bank, shape, job.seed, minGap);
    return {
      reader: score(sc, alertsOf(sc, bank, reader, params), bank, reader),
      oracle: score(sc, alertsOf(sc, bank, oracle, params), bank, null),
      bound: boundAlerts(sc, bank).map((alerts) => score(sc, alerts, bank, null)),
      mentions: sc.log.n,
      texts: reader.distinct(),
    };
  };
}

const WORKER_URL = new URL('./scenario-worker.ts', import.meta.url).href;

/** Runs `jobs` over `n` worker threads (scenario-worker.ts), results in the jobs' order. */
async function runInWorkers(
  jobs: Job[],
  n: number,
  data: { params: DetectionParams; touchpoints: TouchpointsConfig },
  done: (i: number, r: JobResult) => void,
): Promise<void> {
  let next = 0;
  const workers = Array.from(
    { length: Math.min(n, jobs.length) },
    // tsx's loader does not reach worker threads on Node 20: the worker registers it first.
    () =>
      new Worker(
        `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); })`,
        { eval: true, workerData: data },
      ),
  );
  try {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            let current = -1;
            const feed = () => {
              if (next >= jobs.length) return resolve();
              current = next++;
              // A worker thread's port, not a window: there is no target origin.
              // oxlint-disable-next-line unicorn/require-post-message-target-origin
              w.postMessage(jobs[current]);
            };
            w.on('message', (r: JobResult) => {
              done(current, r);
              feed();
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (code !== 0) reject(new Error(`scenario worker exited with ${code}`));
            });
            feed();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Runs every shape on every seed of each set, both readings; one result per shape and a total. */
export async function runScenarioSuite(opts: SuiteOptions): Promise<ShapeResult[]> {
  const perShape = opts.perShape ?? 10;
  const shapes = SHAPES.filter((s) => !opts.shapes || opts.shapes.includes(s.name));
  const jobs: Job[] = [];
  for (const set of opts.seeds)
    for (const shape of shapes)
      for (let k = 0; k < perShape; k++)
        jobs.push({ set, shape: shape.name, seed: SEED_BASE[set] + k });
  const results = Array.from<JobResult | undefined>({ length: jobs.length });
  const t0 = Date.now();
  let finished = 0;
  const done = (i: number, r: JobResult) => {
    results[i] = r;
    finished++;
    if (finished % perShape === 0 || finished === jobs.length)
      opts.progress?.(
        `scenarios: ${finished}/${jobs.length} runs, ${r.texts} distinct texts read by this thread, ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
  };
  const jobsN = Math.max(1, opts.jobs ?? 1);
  if (jobsN > 1) {
    await runInWorkers(jobs, jobsN, { params: opts.params, touchpoints: opts.touchpoints }, done);
  } else {
    const run = createRunner(opts.params, opts.touchpoints);
    jobs.forEach((j, i) => done(i, run(j)));
  }
  const out: ShapeResult[] = [];
  for (const set of opts.seeds) {
    const totals = { reader: tally(), oracle: tally() };
    const boundTotals = LEVELS.map(() => tally());
    const boundPer = new Map<string, Tally[]>();
    for (const shape of shapes) {
      const per = { reader: tally(), oracle: tally() };
      const bound = LEVELS.map(() => tally());
      jobs.forEach((j, i) => {
        const r = results[i];
        if (j.set !== set || j.shape !== shape.name || !r) return;
        merge(per.reader, r.reader);
        merge(per.oracle, r.oracle);
        r.bound.forEach((t, k) => merge(bound[k] as Tally, t));
      });
      for (const mode of ['reader', 'oracle'] as const) {
        out.push(result(mode, set, shape.name, shape.kind, per[mode]));
        merge(totals[mode], per[mode]);
      }
      bound.forEach((t, k) => merge(boundTotals[k] as Tally, t));
      boundPer.set(shape.name, bound);
    }
    for (const mode of ['reader', 'oracle'] as const)
      out.push(result(mode, set, 'all', 'all', totals[mode]));
    // The bound at the most sensitive level whose false alerts meet the target on these seeds.
    const perWeek = (t: Tally) => t.falseAlerts / Math.max(1, t.tpWeeks);
    let k = LEVELS.findIndex(
      (_, i) => perWeek(boundTotals[i] as Tally) <= TARGETS.falseAlertsPerTouchpointWeek,
    );
    if (k < 0) k = LEVELS.length - 1;
    const level = LEVELS[k] as number;
    for (const shape of shapes) {
      const t = boundPer.get(shape.name)?.[k];
      if (t) out.push({ ...result('bound', set, shape.name, shape.kind, t), level });
    }
    out.push({ ...result('bound', set, 'all', 'all', boundTotals[k] as Tally), level });
  }
  return out;
}

/** What each shape is, for the printed table. */
export const SHAPE_NOTES: ReadonlyArray<{ name: string; kind: string; about: string }> = SHAPES.map(
  (s) => ({ name: s.name, kind: s.kind, about: s.about }),
);
