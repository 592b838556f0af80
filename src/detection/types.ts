/**
 * What the weak-link detector reads and what it returns. Pure data: the pipeline builds the
 * series from its counters, the detector turns it into waves, and the alert store reconciles them.
 */

/** One bucket of one touchpoint (or any series), oldest first, fixed bucket length, no gaps (missing buckets = zeros). */
export interface BucketStats {
  /** Bucket start (event time). */
  start: Date;
  /** Relevant mentions of this touchpoint in the bucket. */
  volume: number;
  /** Of which the sentiment about this touchpoint is negative. */
  negative: number;
  positive: number;
  /** Distinct authors among the negatives. */
  negativeAuthors: number;
  /** Distinct sources among the negatives. */
  negativeSources: number;
  /** Negatives from the single most active author. */
  topAuthorNegative: number;
  /** Sum of reach.score (log10 audience) of the negatives. */
  negativeReach: number;
  /** Sum of engagement.shares of the negatives. */
  negativeShares: number;
  /** Other touchpoints whose negatives are elevated in this bucket (0 if unknown). */
  contagion: number;
}

export type Severity = 'info' | 'warning' | 'critical';

export interface WaveEvent {
  /** Start of the bucket whose data decided the event. */
  at: Date;
  kind: 'open' | 'update' | 'resolve';
  /** Severity after the event; null on resolve. */
  severity: Severity | null;
  /** Spreading score, 0 to 100. */
  score: number;
  /** Negatives counted (one author capped) over the wave's evidence window, and the baseline's expectation. */
  observed: number;
  expected: number;
  reasons: string[];
}

export interface Wave {
  openedAt: Date;
  resolvedAt: Date | null;
  peakSeverity: Severity;
  events: WaveEvent[];
}
