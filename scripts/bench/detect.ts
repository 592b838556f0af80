/**
 * `npm run bench:detect`: the weak-link detector on real and synthetic data, as a table;
 * `-- --json` prints one JSON object `{"bench":"detect","rows":[...]}` instead.
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
 * 4. The synthetic weak-link suite (detect/synthetic.ts): recall, false alerts per
 *    touchpoint-week, median delay, and alerts raised by each decoy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
import { runSyntheticSuite } from './detect/synthetic.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedDir = path.resolve(repoRoot, '../shared/benchmarks/detection');
const json = process.argv.includes('--json');
const out = (line: string) => process.stdout.write(`${line}\n`);
const progress = (line: string) => process.stderr.write(`${line}\n`);

type Row = { system: string; dataset: string } & Record<string, number | string>;
const rows: Row[] = [];
const r1 = (x: number) => Math.round(x * 10) / 10;
const short = (f: string) => f.replace(/^Twitter_volume_/, '').replace(/\.csv$/, '');

const params = loadDetectionParams(path.join(repoRoot, 'config/detection.yaml'));
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
const nabSeconds = (Date.now() - t0) / 1000;

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

// 4. Synthetic weak-link suite.
progress('synthetic suite...');
const synthetic = runSyntheticSuite(params);
rows.push({
  system: 'maillon',
  dataset: 'synthetic weak-link',
  ...synthetic,
  recall: r1(100 * synthetic.recall) / 100,
  falseAlertsPerTouchpointWeek: Math.round(synthetic.falseAlertsPerTouchpointWeek * 1000) / 1000,
});
progress(`done (NAB ${nabSeconds.toFixed(0)} s)`);

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

if (json) {
  out(JSON.stringify({ bench: 'detect', rows }));
} else {
  // Per file: one column per system, "nab (TP/windows, FP)".
  const systems = [
    ...new Set(rows.filter((r) => r.dataset.startsWith('nab-realTweets/')).map((r) => r.system)),
  ];
  const fileNames = [
    ...new Set(rows.filter((r) => r.dataset.startsWith('nab-realTweets/')).map((r) => r.dataset)),
  ];
  const cell = (r: Row | undefined) => (r ? `${r.nab} (${r.tp}/${r.windows}, FP ${r.fp})` : '');
  out('NAB realTweets, standard profile (null 0, perfect 100): nab (TP/windows, FP)');
  table(
    ['file', ...systems],
    [...fileNames, 'nab-realTweets'].map((d) => [
      d.replace('nab-realTweets/', '') || d,
      ...systems.map((s) => cell(rows.find((r) => r.system === s && r.dataset === d))),
    ]),
  );
  const rest = rows.filter(
    (r) =>
      !r.dataset.startsWith('nab-realTweets/') &&
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
}
