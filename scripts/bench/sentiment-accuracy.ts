/**
 * Sentiment accuracy and throughput on the shared two-class benchmarks (../shared/benchmarks/
 * sentiment), for Maillon and its peers. These files measure: nothing in the scorer is fitted to
 * them. A neutral answer (score 0) counts as wrong, since every text is positive or negative.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Sentiment from 'sentiment';
import { scoreSentiment, wordSentiment } from '../../src/analysis/sentiment.js';

const require = createRequire(import.meta.url);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCHMARK_DIR = path.resolve(REPO_ROOT, '../shared/benchmarks/sentiment');

export type Lang = 'en' | 'fr';

export interface LabelledText {
  text: string;
  /** 1 positive, 0 negative. */
  label: 0 | 1;
}

export interface Dataset {
  name: string;
  lang: Lang;
  items: LabelledText[];
}

/** One system on one data set. Throughput in mentions/s, single-threaded, warm. */
export interface SentimentRow {
  system: string;
  dataset: string;
  n: number;
  accuracy: number;
  /** Share of texts answered neutral (score 0). */
  zeroRate: number;
  posRecall: number;
  negRecall: number;
  /** Median of the runs. */
  throughput: number;
  throughputMin: number;
  throughputMax: number;
}

export interface System {
  name: string;
  langs: Lang[];
  /** > 0 positive, < 0 negative, 0 neutral. */
  predict(text: string, lang: Lang): number;
}

const FILES: { name: string; lang: Lang; file: string }[] = [
  { name: 'en/amazon', lang: 'en', file: 'en/amazon_cells_labelled.txt' },
  { name: 'en/imdb', lang: 'en', file: 'en/imdb_labelled.txt' },
  { name: 'en/yelp', lang: 'en', file: 'en/yelp_labelled.txt' },
  { name: 'fr/allocine', lang: 'fr', file: 'fr/allocine_3000.tsv' },
  { name: 'fr/tweets', lang: 'fr', file: 'fr/deft2017_tweets_posneg.tsv' },
];

export function loadDatasets(dir = BENCHMARK_DIR): Dataset[] {
  return FILES.map(({ name, lang, file }) => {
    const items: LabelledText[] = [];
    // Split on "\n" only: the IMDB file holds U+0085 inside sentences.
    for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) {
      const tab = line.lastIndexOf('\t');
      if (tab < 0) continue;
      const label = line.slice(tab + 1).trim();
      if (label !== '0' && label !== '1') continue;
      items.push({ text: line.slice(0, tab), label: label === '1' ? 1 : 0 });
    }
    return { name, lang, items };
  });
}

interface VaderModule {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } };
}
interface FrenchSentimentModule {
  FrenchSentimentAnalyzer: { getSentiment(text: string): number };
}

export function systems(): System[] {
  const raw = new Sentiment();
  const vader = require('vader-sentiment') as VaderModule;
  const frenchPeer = require('french-sentiment-analysis') as FrenchSentimentModule;
  const labelSign = { negative: -1, neutral: 0, positive: 1 } as const;
  return [
    {
      name: 'maillon',
      langs: ['en', 'fr'],
      predict: (text, lang) => labelSign[scoreSentiment(text, { lang }).label],
    },
    // The package as it ships: English AFINN whatever the language (the floor on French).
    { name: 'sentiment', langs: ['en', 'fr'], predict: (text) => raw.analyze(text).score },
    // The same package reading our French lexicon word by word: what our rules add.
    {
      name: 'sentiment+maillon-fr-lexicon',
      langs: ['fr'],
      predict: (text) => wordSentiment(text, 'fr'),
    },
    {
      name: 'vader-sentiment',
      langs: ['en'],
      predict: (text) => vader.SentimentIntensityAnalyzer.polarity_scores(text).compound,
    },
    {
      name: 'french-sentiment-analysis',
      langs: ['fr'],
      predict: (text) => frenchPeer.FrenchSentimentAnalyzer.getSentiment(text),
    },
  ];
}

const WARM_UP_PASSES = 2;

export function measure(system: System, dataset: Dataset, runs = 5): SentimentRow {
  const { items, lang } = dataset;
  let correct = 0;
  let zeros = 0;
  let pos = 0;
  let posHit = 0;
  let negHit = 0;
  for (const { text, label } of items) {
    const p = system.predict(text, lang);
    if (p === 0) zeros++;
    if (label === 1) pos++;
    if (label === 1 && p > 0) posHit++;
    if (label === 0 && p < 0) negHit++;
  }
  correct = posHit + negHit;
  const neg = items.length - pos;

  // The pass above and WARM_UP_PASSES more warm the JIT and the scorers' memos; then `runs`
  // timed passes over the whole set.
  let sink = 0;
  for (let r = 0; r < WARM_UP_PASSES; r++) {
    for (const { text } of items) sink += system.predict(text, lang);
  }
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (const { text } of items) sink += system.predict(text, lang);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    rates.push(items.length / seconds);
  }
  if (Number.isNaN(sink)) rates.push(0); // keeps the timed calls observable
  rates.sort((a, b) => a - b);
  return {
    system: system.name,
    dataset: dataset.name,
    n: items.length,
    accuracy: correct / items.length,
    zeroRate: zeros / items.length,
    posRecall: pos ? posHit / pos : 0,
    negRecall: neg ? negHit / neg : 0,
    throughput: rates[Math.floor(rates.length / 2)] ?? 0,
    throughputMin: rates[0] ?? 0,
    throughputMax: rates[rates.length - 1] ?? 0,
  };
}

/** Every system on every data set of its languages, one row each. */
export async function measureSentiment(
  opts: { dir?: string; runs?: number } = {},
): Promise<SentimentRow[]> {
  const datasets = loadDatasets(opts.dir);
  // Warm every system on every set first, so that the first set measured is not the one that
  // pays for JIT compilation.
  for (const system of systems()) {
    for (const d of datasets) {
      if (system.langs.includes(d.lang))
        for (const { text } of d.items) system.predict(text, d.lang);
    }
  }
  const rows: SentimentRow[] = [];
  for (const dataset of datasets) {
    for (const system of systems()) {
      if (!system.langs.includes(dataset.lang)) continue;
      rows.push(measure(system, dataset, opts.runs));
      // Let the event loop breathe between long synchronous measurements.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return rows;
}

/** The targets, checked against the rows: [what, met, detail]. */
export function checkTargets(rows: SentimentRow[]): [string, boolean, string][] {
  const out: [string, boolean, string][] = [];
  const find = (system: string, dataset: string) =>
    rows.find((r) => r.system === system && r.dataset === dataset);
  const goals: [string, number][] = [
    ['en/amazon', 0.75],
    ['en/imdb', 0.75],
    ['en/yelp', 0.75],
    ['fr/allocine', 0.75],
    ['fr/tweets', 0.68],
  ];
  for (const [dataset, goal] of goals) {
    const r = find('maillon', dataset);
    if (!r) continue;
    const gap = ((r.accuracy - goal) * 100).toFixed(1);
    out.push([
      `accuracy ${dataset} ≥ ${goal * 100}%`,
      r.accuracy >= goal,
      `${pct(r.accuracy)} (${gap} pts)`,
    ]);
    const base = find('sentiment', dataset);
    if (base) {
      const ratio = r.throughput / base.throughput;
      out.push([
        `throughput ${dataset} ≥ ½ sentiment`,
        ratio >= 0.5,
        `${Math.round(r.throughput)}/s vs ${Math.round(base.throughput)}/s (${ratio.toFixed(2)}×)`,
      ]);
    }
  }
  return out;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
