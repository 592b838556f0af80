/**
 * Sentiment of one mention, from the `sentiment` package (AFINN lexicon). This is the foundation's
 * scorer: English only, word by word. The bilingual, aspect-level analysis replaces it behind the
 * same `SentimentResult`.
 */
import Sentiment from 'sentiment';
import type { SentimentLabel, SentimentResult } from '../domain/mention.js';

const analyzer = new Sentiment();

/** Scores below -NEUTRAL_BAND are negative, above it positive. */
const NEUTRAL_BAND = 0.05;

export interface SentimentOptions {
  /** ISO 639-1 code of the text's language; anything but fr and en scores neutral. */
  lang?: string;
  /** Star rating 1..5 when the mention has one; fused with the text. */
  rating?: number;
}

export function scoreSentiment(text: string, _opts: SentimentOptions = {}): SentimentResult {
  const r = analyzer.analyze(text);
  // `comparative` is the AFINN sum per token (about -5..5); tanh maps it smoothly into [-1, 1].
  const score = round(Math.tanh(r.comparative * 2));
  const label: SentimentLabel =
    score <= -NEUTRAL_BAND ? 'negative' : score >= NEUTRAL_BAND ? 'positive' : 'neutral';
  // More opinion words, more evidence: 1 word → 0.33, 2 → 0.5, 4 → 0.67.
  const evidence = r.positive.length + r.negative.length;
  return { score, label, confidence: round(evidence / (evidence + 2)), method: 'afinn-en-v1' };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
