/**
 * `npm run bench:detect`: the weak-link detector on real and generated data, as tables;
 * `-- --json` prints one JSON object `{"bench":"detect","rows":[...]}` instead.
 * `-- --only=nab` or `-- --only=scenarios` runs one part; `-- --seeds=dev` or `--seeds=test`
 * runs the scenario suite on one seed set (default both: tune on dev only); `--runs=N` runs per
 * shape and set (default 10); `--jobs=N` worker threads for the scenarios (default: the cores).
 *
 * 1. NAB realTweets (../shared/benchmarks/detection): NAB standard-profile score per file and in
 *    total (null 0, perfect 100) for Maillon's count-detector core with config/detection.yaml,
 *    beside Huginn's peak detector (14-day mean + 3 sigma, 2-day spacing; and k = 8, 1-day
 *    spacing, the best of RESULTS.md's 28 settings, chosen there on these same files).
 * 2. Held-out: a grid of the five parameters that move NAB most (evidence shift, threshold and
 *    rankFactor, dispersionMax, cooldown) is chosen on five files and scored on the other five,
 *    both ways; the total of the two held-out halves is the row `nab-realTweets held-out`.
 * 3. A cross-check: the scorer's own CLI runs nab-detector.ts over stdin; its total must equal
 *    the in-process one.
 * 4. The scenario suite (detect/scenarios.ts): waves of many shapes and decoys from a frozen
 *    phrase bank, read by the real reader and, beside it, by the generator's truth (oracle);
 *    recall, delays from onset, false alerts per touchpoint-week and decoy alerts per shape,
 *    with the targets of issue 8 beside them.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDetectionParams, type DetectionParams } from '../../src/detection/params.js';
import {
  huginnRows,
  loadScorer,
  maillonRows,
  type NabFile,
  type NabFileResult,
  type NabScorer,
} from './detect/nab.js';
import {
  benchTouchpoints,
  QUALIFY_NOTE,
  runScenarioSuite,
  SEED_BASE,
  SHAPE_NOTES,
  TARGETS,
  type SeedSet,
  type ShapeResult,
} from './detect/scenarios.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedDir = path.resolve(repoRoot, '../shared/benchmarks/detection');
const json = process.argv.includes('--json');
const flag = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const only = flag('only');
if (only !== undefined && only !== 'nab' && only !== 'scenarios')
  throw new Error(`--only=${only}: expected nab or scenarios`);
const seedsFlag = flag('seeds');
if (seedsFlag !== undefined && seedsFlag !== 'dev' && seedsFlag !== 'test')
  throw new Error(`--seeds=${seedsFlag}: expected dev or test`);
const seedSets: SeedSet[] = seedsFlag ? [seedsFlag] : ['dev', 'test'];
const runs = Number(flag('runs') ?? 10);
const jobs = Number(flag('jobs') ?? availableParallelism());
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(jobs) || jobs < 1)
  throw new Error('--runs and --jobs take a positive whole number');
const out = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`${line}\n`);

type Row = { system: string; dataset: string } & Record<string, number | string | null>;
const rows: Row[] = [];
const r1 = (x: number) => Math.round(x * 10) / 10;
const short = (f: string) => f.replace(/^Twitter_volume_/, '').replace(/\.csv$/, '');

const params = loadDetectionParams(path.join(repoRoot, 'config/detection.yaml'));
let nabSeconds = Number.NaN;
if (only !== 'scenarios') {
  const scorer: NabScorer = await loadScorer(sharedDir);
  const { files } = scorer.loadCorpus(path.join(sharedDir, 'nab-realTweets'));
  const std = scorer.PROFILES.standard ?? { tpWeight: 1, fnWeight: 1, fpWeight: 0.11 };

  function evaluate(detect: (f: NabFile) => number[], subset = files): NabFileResult[] {
    return subset.map((f) => scorer.evaluateFile(f, detect(f)));
  }

  /** NAB normalisation of the summed raw score of some file results. */
  function total(results: NabFileResult[]): number {
    const raw = results.reduce((s, r) => s + r.profiles.standard.raw, 0);
    const windows = results.reduce((s, r) => s + r.windows, 0);
    return scorer.normalise(raw, windows, std);
  }

  function nabRows(system: string, results: NabFileResult[]): void {
    for (const r of results) {
      rows.push({
        system,
        dataset: `nab-realTweets/${short(r.file)}`,
        nab: r1(r.profiles.standard.nab),
        tp: r.tp,
        windows: r.windows,
        fp: r.fp,
      });
    }
    const t = scorer.summarise(results);
    rows.push({
      system,
      dataset: 'nab-realTweets',
      nab: r1(t.profiles.standard.nab),
      nabLowFP: r1(t.profiles.reward_low_FP_rate.nab),
      nabLowFN: r1(t.profiles.reward_low_FN_rate.nab),
      tp: t.tp,
      windows: t.windows,
      fp: t.fp,
    });
  }

  // 1. One parameter set for all files.
  progress('NAB: maillon, huginn...');
  const t0 = Date.now();
  nabRows(
    'maillon',
    evaluate((f) => maillonRows(f, params)),
  );
  nabRows(
    'huginn k=3 (defaults)',
    evaluate((f) => huginnRows(f, { windowDays: 14, k: 3, spacingDays: 2 })),
  );
  nabRows(
    'huginn k=8 1d (best on test)',
    evaluate((f) => huginnRows(f, { windowDays: 14, k: 8, spacingDays: 1 })),
  );

  // 2. Held-out: choose on one half, score on the other, both ways.
  const halfA = files.slice(0, 5);
  const halfB = files.slice(5);
  interface Candidate<P> {
    label: string;
    p: P;
    results: Map<string, NabFileResult>;
  }
  function heldOut<P>(
    system: string,
    grid: Array<{ label: string; p: P }>,
    run: (f: NabFile, p: P) => number[],
  ): void {
    const cands: Array<Candidate<P>> = grid.map((g) => ({
      ...g,
      results: new Map(evaluate((f) => run(f, g.p)).map((r) => [r.file, r])),
    }));
    const on = (c: Candidate<P>, half: NabFile[]) =>
      half.map((f) => c.results.get(f.name) as NabFileResult);
    const best = (half: NabFile[]) =>
      cands.reduce((b, c) => (total(on(c, half)) > total(on(b, half)) ? c : b));
    const fromA = best(halfA);
    const fromB = best(halfB);
    const testB = on(fromA, halfB);
    const testA = on(fromB, halfA);
    rows.push({
      system,
      dataset: 'nab-realTweets held-out A->B',
      nab: r1(total(testB)),
      chosen: fromA.label,
    });
    rows.push({
      system,
      dataset: 'nab-realTweets held-out B->A',
      nab: r1(total(testA)),
      chosen: fromB.label,
    });
    rows.push({ system, dataset: 'nab-realTweets held-out', nab: r1(total([...testA, ...testB])) });
  }
  progress('NAB: held-out grids...');
  const maillonGrid: Array<{ label: string; p: DetectionParams }> = [];
  for (const shift of [4, 8])
    for (const threshold of [20, 40])
      for (const rankFactor of [0.3, 0.5, 0.7])
        for (const dispersionMax of [0.3, 2])
          for (const cooldownHours of [12, 24])
            maillonGrid.push({
              label: `shift ${shift}, threshold ${threshold}, rankFactor ${rankFactor}, dispersionMax ${dispersionMax}, cooldown ${cooldownHours}h`,
              p: {
                ...params,
                baseline: { ...params.baseline, dispersionMax },
                evidence: { ...params.evidence, shift, threshold, rankFactor },
                lifecycle: { ...params.lifecycle, cooldown: cooldownHours * 3_600_000 },
              },
            });
  heldOut('maillon', maillonGrid, (f, p) => maillonRows(f, p));
  const huginnGrid: Array<{ label: string; p: { k: number; spacingDays: number } }> = [];
  for (const k of [3, 4, 5, 6, 7, 8, 9, 10])
    for (const spacingDays of [1, 2])
      huginnGrid.push({ label: `k ${k}, spacing ${spacingDays}d`, p: { k, spacingDays } });
  heldOut('huginn', huginnGrid, (f, p) => huginnRows(f, { windowDays: 14, ...p }));
  nabSeconds = (Date.now() - t0) / 1000;

  // 3. The scorer's own harness, spawning the stdin detector once per file.
  progress('NAB: cross-check through nab-score.mjs...');
  const tmp = mkdtempSync(path.join(tmpdir(), 'maillon-bench-detect-'));
  let crossCheck = Number.NaN;
  try {
    const jsonPath = path.join(tmp, 'nab.json');
    const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');
    execFileSync(
      process.execPath,
      [
        path.join(sharedDir, 'nab-score.mjs'),
        '--quiet',
        '--jobs',
        '2',
        '--json',
        jsonPath,
        '--',
        tsx,
        path.join(repoRoot, 'scripts/bench/detect/nab-detector.ts'),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const res = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
      totals: { profiles: { standard: { nab: number } } };
    };
    crossCheck = res.totals.profiles.standard.nab;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  rows.push({
    system: 'maillon (via nab-score.mjs CLI)',
    dataset: 'nab-realTweets',
    nab: r1(crossCheck),
  });
}

// 4. The scenario suite.
let scenarioRows: ShapeResult[] = [];
let scenarioSeconds = Number.NaN;
let presets = '';
if (only !== 'nab') {
  const t1 = Date.now();
  const journey = benchTouchpoints(path.join(repoRoot, 'config'));
  presets = journey.presets;
  scenarioRows = await runScenarioSuite({
    params,
    touchpoints: journey.config,
    seeds: seedSets,
    perShape: runs,
    jobs,
    progress,
  });
  scenarioSeconds = (Date.now() - t1) / 1000;
  const num = (x: number, d: number) =>
    Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : null;
  for (const r of scenarioRows) {
    rows.push({
      system:
        r.mode === 'reader'
          ? 'maillon'
          : r.mode === 'oracle'
            ? 'maillon (oracle labels)'
            : 'bound (true rates, oracle labels)',
      dataset: `scenarios/${r.shape}`,
      seeds: r.seeds,
      runs: r.runs,
      waves: r.waves,
      qualifying: r.qualifying,
      recall: num(r.recall, 3),
      recallAll: num(r.recallAll, 3),
      medianDelayHours: num(r.medianDelayHours, 2),
      p90DelayHours: num(r.p90DelayHours, 2),
      medianDelayFromQualifiedHours: num(r.medianDelayFromQualifiedHours, 2),
      falseAlerts: r.falseAlerts,
      falseAlertsPerTouchpointWeek: num(r.falseAlertsPerTouchpointWeek, 4),
      spill: r.spill,
      duplicates: r.duplicates,
      alerts: r.alerts,
      decoyAlerts: r.decoyAlerts,
      decoyRunsAlerted: r.decoyRunsAlerted,
      ...(r.mode === 'reader' ? { wavesNegativesRead: num(r.wavesNegativesRead, 3) } : {}),
      ...(r.level !== undefined ? { level: r.level } : {}),
    });
  }
}
progress(
  `done (${[
    Number.isFinite(nabSeconds) ? `NAB ${nabSeconds.toFixed(0)} s` : '',
    Number.isFinite(scenarioSeconds) ? `scenarios ${scenarioSeconds.toFixed(0)} s` : '',
  ]
    .filter(Boolean)
    .join(', ')})`,
);

function table(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((c) => c[i]?.length ?? 0)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out(line(head));
  for (const c of body) out(line(c));
  out('');
}

/** One scenario table per seed set: each cell "reader / oracle". */
function scenarioTables(): void {
  const pct = (x: number) => (Number.isFinite(x) ? `${Math.round(100 * x)}%` : '-');
  const hours = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '-');
  const rate = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '-');
  for (const set of seedSets) {
    const base = SEED_BASE[set];
    out(
      `Scenario suite, ${set} seeds ${base}-${base + runs - 1} (${runs} runs per shape, two waves or decoys a run); journey ${presets}`,
    );
    const level = scenarioRows.find((x) => x.seeds === set && x.mode === 'bound')?.level;
    out(
      `each cell: real reader / oracle (the generator's own labels) / bound (true rates and labels, level ${level} chosen on these seeds for the false-alert target)`,
    );
    const body: string[][] = [];
    const shapes = [...SHAPE_NOTES.map((n) => n.name), 'all'];
    for (const shape of shapes) {
      const r = scenarioRows.find(
        (x) => x.seeds === set && x.shape === shape && x.mode === 'reader',
      );
      const o = scenarioRows.find(
        (x) => x.seeds === set && x.shape === shape && x.mode === 'oracle',
      );
      const b = scenarioRows.find(
        (x) => x.seeds === set && x.shape === shape && x.mode === 'bound',
      );
      if (!r || !o || !b) continue;
      const both = (f: (x: ShapeResult) => string) => `${f(r)} / ${f(o)} / ${f(b)}`;
      const isDecoy = r.kind === 'decoy';
      body.push([
        shape,
        isDecoy ? '-' : `${r.waves} (${r.qualifying})`,
        isDecoy ? '-' : both((x) => pct(x.recall)),
        isDecoy ? '-' : both((x) => pct(x.recallAll)),
        isDecoy ? '-' : both((x) => hours(x.medianDelayHours)),
        isDecoy ? '-' : both((x) => hours(x.p90DelayHours)),
        isDecoy ? '-' : both((x) => hours(x.medianDelayFromQualifiedHours)),
        both((x) => rate(x.falseAlertsPerTouchpointWeek)),
        both((x) => `${x.falseAlerts}`),
        r.kind === 'wave' ? '-' : both((x) => `${x.decoyAlerts} (${x.decoyRunsAlerted})`),
        isDecoy ? '-' : both((x) => `${x.duplicates}`),
        isDecoy ? '-' : pct(r.wavesNegativesRead),
      ]);
    }
    table(
      [
        'shape',
        'waves (qualifying)',
        'recall qualifying',
        'recall all',
        'median delay h',
        'p90 delay h',
        'median from qualified h',
        'false / tp-week',
        'false alerts',
        'decoy alerts (runs)',
        'duplicates',
        'complaints read',
      ],
      body,
    );
  }
  out(
    `targets: every qualifying wave caught (recall ${pct(TARGETS.recall)}), median delay <= ${TARGETS.medianDelayHours} h, false alerts <= ${TARGETS.falseAlertsPerTouchpointWeek} per touchpoint-week, decoys silent (${TARGETS.decoyAlerts} alerts)`,
  );
  out(QUALIFY_NOTE);
  out(
    'delays: from onset to the end of the bucket that opened the alert, over caught qualifying waves; "from qualified": from the moment the wave met the bar (negative: before it)',
  );
  out(
    "complaints read: share of the waves' complaints the reader counted as negative about their touchpoint",
  );
  for (const n of SHAPE_NOTES) out(`  ${n.name.padEnd(16)} ${n.kind.padEnd(6)} ${n.about}`);
  out('');
}

if (json) {
  out(
    JSON.stringify({
      bench: 'detect',
      rows,
      ...(scenarioRows.length > 0 ? { scenarioTargets: TARGETS } : {}),
    }),
  );
} else {
  // Per file: one column per system, "nab (TP/windows, FP)".
  const systems = [
    ...new Set(rows.filter((r) => r.dataset.startsWith('nab-realTweets/')).map((r) => r.system)),
  ];
  const fileNames = [
    ...new Set(rows.filter((r) => r.dataset.startsWith('nab-realTweets/')).map((r) => r.dataset)),
  ];
  if (systems.length > 0) {
    const cell = (r: Row | undefined) => (r ? `${r.nab} (${r.tp}/${r.windows}, FP ${r.fp})` : '');
    out('NAB realTweets, standard profile (null 0, perfect 100): nab (TP/windows, FP)');
    table(
      ['file', ...systems],
      [...fileNames, 'nab-realTweets'].map((d) => [
        d.replace('nab-realTweets/', '') || d,
        ...systems.map((s) => cell(rows.find((r) => r.system === s && r.dataset === d))),
      ]),
    );
  }
  const rest = rows.filter(
    (r) =>
      !r.dataset.startsWith('nab-realTweets/') &&
      !r.dataset.startsWith('scenarios/') &&
      !(r.dataset === 'nab-realTweets' && systems.includes(r.system)),
  );
  for (const r of rest) {
    const { system, dataset, ...m } = r;
    out(
      `${system.padEnd(32)} ${dataset.padEnd(30)} ${Object.entries(m)
        .map(([k, v]) => `${k}=${v}`)
        .join('  ')}`,
    );
  }
  if (rest.length > 0) out('');
  if (scenarioRows.length > 0) scenarioTables();
}
