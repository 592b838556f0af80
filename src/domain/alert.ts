/**
 * Alerts. Two kinds, kept apart: `weak-link` (one touchpoint spreading negative word of mouth)
 * for community managers, and `operational` (a source failing or gone silent) for whoever runs
 * Maillon. Times are event times for weak-link alerts (a replay opens them at the same instants)
 * and wall-clock times for operational ones.
 */
import type { AlertKind, AlertStatus, Severity } from './vocabulary.js';

export type { AlertKind, AlertStatus, Severity };

/** A mention quoted as evidence: the top ones by reach. */
export interface AlertQuote {
  mentionId: string;
  source: string;
  url: string;
  author: string;
  quote: string;
  lang: string;
  reach: number;
  publishedAt: Date;
}

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

/** A weak-link wave's numbers over its window, from which its words are rendered. */
export type AlertFacts = WaveFacts;

/**
 * An operational alert's facts: a source failing (no successful poll) or silent (no new
 * mention), since when, and as checked when.
 */
export type OutageFacts =
  | {
      problem: 'failing';
      /** The first failure of the run (or when the checker started watching). */
      since: Date;
      checkedAt: Date;
      /** Failed polls in a row (a retried poll counts once). */
      failures: number;
      lastError?: string;
    }
  | {
      problem: 'silent';
      /** The last arrival of a new mention. */
      since: Date;
      checkedAt: Date;
      /** The usual gap between arrivals, and the silence that makes an alert. */
      usualGapMs: number;
      thresholdMs: number;
    };

/**
 * Numbers against baseline, as the detector saw them when it last updated the alert. Their
 * words, in French and English, are rendered from `facts` (or `outage`) by
 * src/alerts/explain.ts, so that what people read and the JSON say the same.
 */
export interface AlertEvidence {
  /** Negatives counted as evidence in the wave's window, and what the baseline expected. */
  observed: number;
  expected: number;
  /** Detector score (higher is stronger). */
  score: number;
  /**
   * Weak-link alerts: the wave's facts (complaints, people, sites, usual rate). Absent from
   * operational alerts and from alerts stored before facts existed.
   */
  facts?: AlertFacts;
  /** Operational alerts: what is wrong with the source. */
  outage?: OutageFacts;
  negativeShare: number;
  authors: number;
  sources: string[];
  reach: number;
  quotes: AlertQuote[];
}

export type AlertEventKind =
  | 'opened'
  | 'escalated'
  | 'calmed'
  | 'resolved'
  | 'reopened'
  /** Opened on partial data for a wave another alert already holds; `text` is that alert's id. */
  | 'merged'
  | 'acknowledged'
  | 'snoozed'
  | 'commented'
  /** Given to someone (`text` names them), or taken back (no `text`). */
  | 'assigned';

export interface AlertEvent {
  at: Date;
  kind: AlertEventKind;
  severity?: Severity;
  /** Who did it, for actions taken through the API: their name, as signed in. */
  by?: string;
  /** Their id (a user's e-mail, or `key:<id>` for an API key): never taken from a request body. */
  byId?: string;
  text?: string;
}

export interface Alert {
  id: string;
  kind: AlertKind;
  /** Unique: `weak-link:<touchpoint>:<openedAt ISO>` or `source-failing:<source>:<since ISO>`. */
  key: string;
  /** Weak-link alerts: the touchpoint and its journey stage. */
  touchpoint?: { id: string; stage: string; label: { fr: string; en: string } };
  /** Operational alerts: the source concerned. */
  sourceId?: string;
  severity: Severity;
  status: AlertStatus;
  title: string;
  openedAt: Date;
  resolvedAt: Date | null;
  snoozedUntil: Date | null;
  /** Who handles it (a user's id and name), when someone was assigned. */
  assignee?: { id: string; name: string } | null;
  evidence: AlertEvidence;
  /** Everything that happened to the alert, oldest first; comments included. */
  history: AlertEvent[];
  createdAt: Date;
  updatedAt: Date;
}

/** One delivery of one alert event to one channel; `key` is its idempotency key. */
export interface Delivery {
  key: string;
  alertId: string;
  channelId: string;
  /** The alert event delivered: 'opened', 'escalated', 'resolved'... */
  event: AlertEventKind;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastError?: string;
  deliveredAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}
