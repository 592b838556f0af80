/**
 * The foundation's alert rule: enough negative mentions in one tumbling window of event time.
 * Windows are aligned on the epoch, so every run (live or replayed) cuts time the same way.
 * Pure: no I/O here.
 */
import type { AlertRule } from '../../config/index.js';

export function windowStart(at: Date, windowMs: number): Date {
  return new Date(Math.floor(at.getTime() / windowMs) * windowMs);
}

/** The key that makes an alert unique: one per rule and window. */
export function alertKey(rule: AlertRule, start: Date): string {
  return `${rule.id}@${start.toISOString()}`;
}

export function isTriggered(rule: AlertRule, negativeCount: number): boolean {
  return negativeCount >= rule.minNegative;
}
