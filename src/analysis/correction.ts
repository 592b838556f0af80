/**
 * A person's correction of how Maillon read a mention: its overall sentiment, its touchpoints
 * (each with the sentiment that concerns it) and whether it is about the brand at all. Pure:
 * it turns a reading and a correction into the corrected reading; src/ingest/correct.ts stores
 * it and moves the counts, and the corrections kept measure the reader (`qualityOf`).
 */
import type {
  MentionAnalysis,
  MentionTouchpoint,
  SentimentLabel,
  SentimentResult,
} from '../domain/mention.js';

export interface Correction {
  sentiment?: SentimentLabel;
  /** The touchpoints the mention speaks of, each with its sentiment; replaces the reader's. */
  touchpoints?: { id: string; label: SentimentLabel }[];
  relevant?: boolean;
}

/** What a reading said, in the terms a correction uses. */
export interface ReadingSummary {
  sentiment: SentimentLabel;
  touchpoints: { id: string; label: SentimentLabel }[];
  relevant: boolean;
}

export const CORRECTION_METHOD = 'correction';

/** A score for a label a person gave, keeping the reader's when it already had that sign. */
function scoreFor(label: SentimentLabel, previous?: SentimentResult): number {
  if (previous?.label === label) return previous.score;
  return label === 'negative' ? -0.5 : label === 'positive' ? 0.5 : 0;
}

function corrected(label: SentimentLabel, previous?: SentimentResult): SentimentResult {
  if (previous?.label === label) return previous;
  return { label, score: scoreFor(label, previous), confidence: 1, method: CORRECTION_METHOD };
}

/** The filter keys of a reading's touchpoints (see `MentionAnalysis.facets`). */
export function facetsOf(touchpoints: readonly MentionTouchpoint[]): string[] {
  return [
    ...new Set(
      touchpoints.flatMap((t) => [
        `tp:${t.id}`,
        `tp:${t.id}:${t.sentiment.label}`,
        `stage:${t.stage}`,
        `stage:${t.stage}:${t.sentiment.label}`,
      ]),
    ),
  ];
}

export function summarizeReading(
  a: Pick<MentionAnalysis, 'sentiment' | 'touchpoints' | 'relevant'>,
): ReadingSummary {
  return {
    sentiment: a.sentiment.label,
    touchpoints: a.touchpoints.map((t) => ({ id: t.id, label: t.sentiment.label })),
    relevant: a.relevant,
  };
}

/**
 * The reading after `c`. Touchpoints keep the phrases the reader matched where it found them;
 * ones the reader missed have none. `stageOf` gives a touchpoint's stage (the journey's).
 */
export function applyCorrection(
  reading: MentionAnalysis,
  c: Correction,
  stageOf: (touchpoint: string) => string,
): MentionAnalysis {
  const sentiment = c.sentiment ? corrected(c.sentiment, reading.sentiment) : reading.sentiment;
  const touchpoints = c.touchpoints
    ? c.touchpoints.map((t): MentionTouchpoint => {
        const found = reading.touchpoints.find((r) => r.id === t.id);
        return {
          id: t.id,
          stage: found?.stage ?? stageOf(t.id),
          sentiment: corrected(t.label, found?.sentiment),
          matched: found?.matched ?? [],
        };
      })
    : reading.touchpoints;
  return {
    ...reading,
    sentiment,
    relevant: c.relevant ?? reading.relevant,
    touchpoints,
    stages: [...new Set(touchpoints.map((t) => t.stage))],
    facets: facetsOf(touchpoints),
  };
}

/** One kept correction, as the quality report reads it. */
export interface KeptCorrection {
  lang: string;
  before: ReadingSummary;
  /** Only what the person judged. */
  after: Correction;
}

export interface Agreement {
  /** Judgements made, and how many the reader had right. */
  judged: number;
  agreed: number;
  /** agreed / judged, or null when nothing was judged. */
  rate: number | null;
}

const agreement = (judged: number, agreed: number): Agreement => ({
  judged,
  agreed,
  rate: judged > 0 ? agreed / judged : null,
});

export interface QualityReport {
  corrections: number;
  byLanguage: {
    lang: string;
    corrections: number;
    sentiment: Agreement;
    relevance: Agreement;
    /** Touchpoints the reader linked that people kept (precision) and people's it found (recall). */
    touchpointsKept: Agreement;
    touchpointsFound: Agreement;
  }[];
  byTouchpoint: {
    touchpoint: string;
    /** Of the reader's links to it, those people kept; of people's links to it, those it found. */
    kept: Agreement;
    found: Agreement;
    /** Where both linked it, the sentiment about it agreed. */
    polarity: Agreement;
  }[];
}

/**
 * How far the reader agrees with the people who corrected it, per language and per touchpoint:
 * a correction judges only what it states (a sentiment-only correction says nothing of the
 * touchpoints). Low rates show where the reading is weak.
 */
export function qualityOf(kept: readonly KeptCorrection[]): QualityReport {
  const langs = new Map<string, KeptCorrection[]>();
  for (const k of kept) langs.set(k.lang, [...(langs.get(k.lang) ?? []), k]);
  const tp = new Map<string, { kept: number[]; found: number[]; polarity: number[] }>();
  const slot = (id: string) => {
    let s = tp.get(id);
    if (!s) tp.set(id, (s = { kept: [0, 0], found: [0, 0], polarity: [0, 0] }));
    return s;
  };
  const byLanguage = [...langs].map(([lang, list]) => {
    const s = [0, 0];
    const r = [0, 0];
    const keptT = [0, 0];
    const foundT = [0, 0];
    for (const { before, after } of list) {
      if (after.sentiment) {
        s[0]!++;
        if (before.sentiment === after.sentiment) s[1]!++;
      }
      if (after.relevant !== undefined) {
        r[0]!++;
        if (before.relevant === after.relevant) r[1]!++;
      }
      if (after.touchpoints) {
        const people = new Map(after.touchpoints.map((t) => [t.id, t.label]));
        const reader = new Map(before.touchpoints.map((t) => [t.id, t.label]));
        for (const [id, label] of reader) {
          keptT[0]!++;
          slot(id).kept[0]!++;
          if (people.has(id)) {
            keptT[1]!++;
            slot(id).kept[1]!++;
            slot(id).polarity[0]!++;
            if (people.get(id) === label) slot(id).polarity[1]!++;
          }
        }
        for (const id of people.keys()) {
          foundT[0]!++;
          slot(id).found[0]!++;
          if (reader.has(id)) {
            foundT[1]!++;
            slot(id).found[1]!++;
          }
        }
      }
    }
    return {
      lang,
      corrections: list.length,
      sentiment: agreement(s[0]!, s[1]!),
      relevance: agreement(r[0]!, r[1]!),
      touchpointsKept: agreement(keptT[0]!, keptT[1]!),
      touchpointsFound: agreement(foundT[0]!, foundT[1]!),
    };
  });
  return {
    corrections: kept.length,
    byLanguage: byLanguage.toSorted((a, b) => a.lang.localeCompare(b.lang)),
    byTouchpoint: [...tp]
      .map(([touchpoint, s]) => ({
        touchpoint,
        kept: agreement(s.kept[0]!, s.kept[1]!),
        found: agreement(s.found[0]!, s.found[1]!),
        polarity: agreement(s.polarity[0]!, s.polarity[1]!),
      }))
      .toSorted((a, b) => a.touchpoint.localeCompare(b.touchpoint)),
  };
}
