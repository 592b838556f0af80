/**
 * What the weak-link detector reads and what it returns. Pure data: the pipeline builds the
 * series from its counters, the detector turns it into waves, and the alert store reconciles them.
 */

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

export type Severity = 'info' | 'warning' | 'critical';

/**
 * The wave's numbers over its evidence window, in the words a community manager reads: how many
 * complaints since when, from how many people on how many sites, against how many usually.
 */
export interface WaveFacts {
  /** Start of the window the numbers cover (the wave's first raised bucket). */
  since: Date;
  /** End of the window (exclusive): the end of the bucket that decided the event. */
  until: Date;
  /** Negative mentions in the window. */
  negatives: number;
  /** Negatives counted as evidence (one author and one copied text capped). */
  counted: number;
  /** What the baseline expects over the same window. */
  expected: number;
  /** The baseline per day, at the same hours and weekdays on average. */
  usualPerDay: number;
  /** Distinct people and sites among the window's negatives. */
  authors: number;
  sources: number;
  /** Share of the window's negatives written by its most active author (0 to 1). */
  topAuthorShare: number;
  /** Negative share of the window's mentions, and the usual one (0 to 1). */
  negativeShare: number;
  usualShare: number;
  /** Reshares of the negatives, and their largest audience (people). */
  reshares: number;
  /** Other touchpoints raised at the same time. */
  contagion: number;
  /** Chance that the baseline alone gives this many in this window (one-sided tail). */
  pValue: number;
}

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
