/**
 * From mentions to the detector's input, as the product does it: each mention read by the real
 * reader (`analyzeMention`, with the default journey's linker and brand names), then counted in
 * 15-minute buckets per touchpoint the way the store counts them. Or, in oracle mode, read by
 * the generator's own truth, so that the detector's losses and the reader's can be told apart.
 */
import { analyzeMention } from '../../../src/analysis/analyze-mention.js';
import { brandNames } from '../../../src/analysis/journey.js';
import { reachOf } from '../../../src/analysis/reach.js';
import { textFingerprint } from '../../../src/analysis/text.js';
import { createTouchpointLinker } from '../../../src/analysis/touchpoints.js';
import type { SentimentLabel } from '../../../src/domain/mention.js';
import type { BucketStats } from '../../../src/detection/types.js';
import type { TouchpointsConfig } from '../../../config/index.js';
import type { PhraseBank } from './scenario-bank.js';
import { SOURCES, START, type MentionLog } from './scenario-gen.js';

/** One analysed mention, as the counts see it (the store's `Contribution`). */
export interface CountedMention {
  /** Event time, ms. */
  publishedAt: number;
  /** `source:authorId`. */
  author: string;
  source: string;
  text: string;
  /** Passed the watch query: only relevant mentions count. */
  relevant: boolean;
  /** reach.score of the analysis (log10 audience). */
  reach: number;
  shares: number;
  /** Each touchpoint with the sentiment label about it. */
  touchpoints: ReadonlyArray<{ id: string; label: SentimentLabel }>;
}

/**
 * Buckets per touchpoint, as src/store/counts-repository.ts and src/jobs/detect.ts build them:
 * a relevant mention counts once in each touchpoint it names, under that touchpoint's own label;
 * negatives are kept per author, per source and per text fingerprint; `negativeReach` sums the
 * negatives' reach scores; `contagion` counts the other touchpoints with at least
 * `contagionMin` negatives in the same bucket. Every touchpoint named by some relevant mention
 * gets a full series over [start, start + buckets x bucketMs), gaps as zeros; mentions outside
 * that range are left out. Linear in the mentions.
 */
export function aggregateBuckets(
  mentions: Iterable<CountedMention>,
  opts: { start: number; buckets: number; bucketMs: number; contagionMin?: number },
): Map<string, BucketStats[]> {
  const { start, buckets, bucketMs } = opts;
  const contagionMin = opts.contagionMin ?? 2;
  interface Acc {
    volume: number;
    negative: number;
    positive: number;
    authors: Record<string, number>;
    sources: Record<string, number>;
    texts: Record<string, number>;
    reach: number;
    shares: number;
  }
  const accs = new Map<string, Array<Acc | undefined>>();
  for (const m of mentions) {
    if (!m.relevant) continue;
    const b = Math.floor((m.publishedAt - start) / bucketMs);
    if (b < 0 || b >= buckets) continue;
    for (const t of m.touchpoints) {
      let series = accs.get(t.id);
      if (!series) {
        series = Array.from<Acc | undefined>({ length: buckets });
        accs.set(t.id, series);
      }
      let a = series[b];
      if (!a) {
        a = {
          volume: 0,
          negative: 0,
          positive: 0,
          authors: {},
          sources: {},
          texts: {},
          reach: 0,
          shares: 0,
        };
        series[b] = a;
      }
      a.volume++;
      if (t.label === 'positive') a.positive++;
      if (t.label !== 'negative') continue;
      a.negative++;
      const fp = fingerprint(m.text);
      a.authors[m.author] = (a.authors[m.author] ?? 0) + 1;
      a.sources[m.source] = (a.sources[m.source] ?? 0) + 1;
      a.texts[fp] = (a.texts[fp] ?? 0) + 1;
      a.reach += m.reach;
      a.shares += m.shares;
    }
  }
  const elevated = new Int32Array(buckets);
  for (const series of accs.values()) {
    for (let b = 0; b < buckets; b++) {
      if ((series[b]?.negative ?? 0) >= contagionMin) elevated[b] = (elevated[b] ?? 0) + 1;
    }
  }
  const out = new Map<string, BucketStats[]>();
  for (const [id, series] of accs) {
    const stats: BucketStats[] = [];
    for (let b = 0; b < buckets; b++) {
      const a = series[b];
      const own = (a?.negative ?? 0) >= contagionMin ? 1 : 0;
      stats.push({
        start: new Date(start + b * bucketMs),
        volume: a?.volume ?? 0,
        negative: a?.negative ?? 0,
        positive: a?.positive ?? 0,
        negativeAuthors: a?.authors ?? EMPTY,
        negativeSources: a?.sources ?? EMPTY,
        negativeTexts: a?.texts ?? EMPTY,
        negativeReach: a?.reach ?? 0,
        negativeShares: a?.shares ?? 0,
        contagion: (elevated[b] ?? 0) - own,
      });
    }
    out.set(id, stats);
  }
  return out;
}
const EMPTY: Readonly<Record<string, number>> = Object.freeze({});

const fingerprints = new Map<string, string>();
function fingerprint(text: string): string {
  let f = fingerprints.get(text);
  if (f === undefined) {
    f = textFingerprint(text);
    fingerprints.set(text, f);
  }
  return f;
}

/** What a reading gives for one mention: relevance and the touchpoints with their labels. */
export interface Reading {
  relevant: boolean;
  touchpoints: ReadonlyArray<{ id: string; label: SentimentLabel }>;
}
export type ReadFn = (log: MentionLog, i: number) => Reading;

/**
 * The real reader, memoised by text and by what the source tells it (whether the watch query
 * applies, whether the language is declared): a bank holds a few thousand distinct texts.
 */
export function createReader(
  bank: PhraseBank,
  config: TouchpointsConfig,
): ReadFn & { distinct: () => number } {
  const { link } = createTouchpointLinker(config);
  const brandAliases = brandNames(config.brand);
  const memo = new Map<number, Reading>();
  const read = (log: MentionLog, i: number): Reading => {
    const textId = log.text[i] ?? 0;
    const src = log.source[i] ?? 0;
    const spec = SOURCES[src];
    if (!spec) throw new Error(`no source ${src}`);
    const key = textId * 4 + (spec.watched ? 2 : 0) + (spec.declaresLang ? 1 : 0);
    let r = memo.get(key);
    if (r === undefined) {
      const lang = bank.templates[log.tmpl[i] ?? 0]?.lang;
      const a = analyzeMention(
        {
          source: spec.id,
          externalId: String(textId),
          url: 'https://example.org/m',
          author: { id: 'a', name: 'a' },
          text: bank.text(textId),
          ...(spec.declaresLang && lang ? { lang } : {}),
          publishedAt: new Date(START),
        },
        { link, brandAliases, watched: spec.watched },
      );
      r = {
        relevant: a.relevant,
        touchpoints: a.touchpoints.map((t) => ({ id: t.id, label: t.sentiment.label })),
      };
      memo.set(key, r);
    }
    return r;
  };
  return Object.assign(read, { distinct: () => memo.size });
}

/** The generator's truth as a reading: every mention relevant, its touchpoints as meant. */
export function createOracle(bank: PhraseBank): ReadFn {
  const memo = new Map<number, Reading>();
  return (log, i) => {
    const tmpl = log.tmpl[i] ?? 0;
    let r = memo.get(tmpl);
    if (r === undefined) {
      r = {
        relevant: true,
        touchpoints: (bank.templates[tmpl]?.truth ?? []).map((t) => ({
          id: t.tp,
          label: t.polarity,
        })),
      };
      memo.set(tmpl, r);
    }
    return r;
  };
}

/** A scenario's mentions as the counts see them through one reading. */
export function* counted(
  log: MentionLog,
  bank: PhraseBank,
  read: ReadFn,
): Generator<CountedMention> {
  for (let i = 0; i < log.n; i++) {
    const r = read(log, i);
    if (!r.relevant || r.touchpoints.length === 0) continue;
    const src = SOURCES[log.source[i] ?? 0]?.id ?? '?';
    const shares = log.shares[i] ?? 0;
    yield {
      publishedAt: log.at[i] ?? 0,
      author: `${src}:u${log.author[i] ?? 0}`,
      source: src,
      text: bank.text(log.text[i] ?? 0),
      relevant: true,
      reach: reachOf({ author: { followers: log.followers[i] ?? 0 }, engagement: { shares } })
        .score,
      shares,
      touchpoints: r.touchpoints,
    };
  }
}
