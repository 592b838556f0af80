/** An alert: what raised it, when (in event time), and the evidence a community manager reads. */
import type { Severity } from '../../config/index.js';

export interface AlertQuote {
  mentionId: string;
  source: string;
  url: string;
  author: string;
  quote: string;
  publishedAt: Date;
}

export interface NewAlert {
  /** Unique: one alert per rule and window. */
  key: string;
  ruleId: string;
  severity: Severity;
  title: string;
  /** Event time at which the rule's threshold was crossed. */
  openedAt: Date;
  windowStart: Date;
  windowEnd: Date;
  evidence: { negative: number; threshold: number; quotes: AlertQuote[] };
}

export interface Alert extends NewAlert {
  id: string;
  status: 'open';
  createdAt: Date;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface Delivery {
  alertId: string;
  channelId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError?: string;
  deliveredAt?: Date;
}
