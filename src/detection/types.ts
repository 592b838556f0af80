/**
 * What the weak-link detector reads and what it returns. Pure data: the pipeline builds the
 * series from its counters, the detector turns it into waves, and the alert store reconciles them.
 */
import type { WaveFacts } from '../domain/alert.js';
import type { Severity } from '../domain/vocabulary.js';

/**
 * One bucket of one touchpoint (or any series), oldest first, fixed bucket length, no gaps
 * (missing buckets = zeros). Who wrote the negatives is kept per key, not as per-bucket totals:
 * a wave spread thin (one complaint per bucket from different people) must read as many
 * people over the window, and one author posting in every bucket as one person.
 */
export interface BucketStats {
  /** Bucket start (event time). */
  start: Date;
  /** Relevant mentions of this touchpoint in the bucket. */
  volume: number;
  /** Of which the sentiment about this touchpoint is negative. */
  negative: number;
  positive: number;
  /** Negatives per author key (`source:authorId`). Empty when unknown (counts only). */
  negativeAuthors: Readonly<Record<string, number>>;
  /** Negatives per source. */
  negativeSources: Readonly<Record<string, number>>;
  /**
   * Negatives per text fingerprint (`textFingerprint`): copies of one text posted by many
   * accounts (a bot, a copy-paste campaign) are one voice.
   */
  negativeTexts: Readonly<Record<string, number>>;
  /** Sum of reach.score (log10 audience) of the negatives. */
  negativeReach: number;
  /** Sum of engagement.shares of the negatives. */
  negativeShares: number;
  /** Other touchpoints whose negatives are elevated in this bucket (0 if unknown). */
  contagion: number;
}

export type { Severity, WaveFacts };

export interface WaveEvent {
  /** Start of the bucket whose data decided the event. */
  at: Date;
  kind: 'open' | 'update' | 'resolve';
  /** Severity after the event; null on resolve. */
  severity: Severity | null;
  /** Spreading score, 0 to 100. */
  score: number;
  /** Negatives counted over the wave's evidence window, and the baseline's expectation. */
  observed: number;
  expected: number;
  facts: WaveFacts;
}

export interface Wave {
  openedAt: Date;
  resolvedAt: Date | null;
  peakSeverity: Severity;
  events: WaveEvent[];
}
