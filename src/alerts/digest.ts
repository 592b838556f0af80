/**
 * The daily digest for marketers: per touchpoint, negative mentions over the last 24 hours
 * against the 24 hours before; the five touchpoints with the most; the weak-link alerts still
 * open, each with its headline in words. Pure: the ops-check job gathers the numbers and sends the result.
 */
import type { Severity } from '../domain/vocabulary.js';
import type { Alert } from '../domain/alert.js';
import { DAY_MS, localClock, localDate } from '../domain/calendar.js';
import { headlines, type Summary } from './explain.js';

export interface DigestTouchpoint {
  id: string;
  stage: string;
  label: { fr: string; en: string };
  /** Negative mentions about it published in the last 24 hours, and in the 24 hours before. */
  negatives: number;
  previous: number;
  trend: 'up' | 'down' | 'flat';
}

export interface Digest {
  /** The local date (the brand's time zone) it covers, YYYY-MM-DD. */
  date: string;
  generatedAt: Date;
  /** [from, to) of the last 24 hours, event time (publishedAt). */
  from: Date;
  to: Date;
  touchpoints: DigestTouchpoint[];
  /** At most five, most negative first; touchpoints without a negative mention are left out. */
  top: DigestTouchpoint[];
  totalNegatives: number;
  totalPrevious: number;
  openAlerts: {
    id: string;
    title: string;
    severity: Severity;
    touchpoint?: Alert['touchpoint'];
    openedAt: Date;
    url: string;
    /** The alert's headline in both languages ("Delivery: 13 complaints since 10:00..."). */
    headline?: Summary;
  }[];
}

export interface DigestInput {
  date: string;
  now: Date;
  /** The configured touchpoints, for their stage and labels. */
  touchpoints: { id: string; stage: string; label: { fr: string; en: string } }[];
  /** Negative mentions per touchpoint id in [now - 24 h, now) and [now - 48 h, now - 24 h). */
  current: Map<string, number>;
  previous: Map<string, number>;
  openAlerts: Alert[];
  publicUrl: string;
  /** The brand's time zone, for the hours in the alerts' headlines. */
  timeZone: string;
}

/** A UTC day (the calendar's), re-exported for the job that gathers the digest's numbers. */
export { DAY_MS };

export function buildDigest(input: DigestInput): Digest {
  const known = new Map(input.touchpoints.map((t) => [t.id, t]));
  // Touchpoints counted but no longer configured still show, under their id.
  const ids = new Set([...known.keys(), ...input.current.keys(), ...input.previous.keys()]);
  const touchpoints: DigestTouchpoint[] = [...ids].map((id) => {
    const tp = known.get(id);
    const negatives = input.current.get(id) ?? 0;
    const previous = input.previous.get(id) ?? 0;
    return {
      id,
      stage: tp?.stage ?? '',
      label: tp?.label ?? { fr: id, en: id },
      negatives,
      previous,
      trend: negatives > previous ? 'up' : negatives < previous ? 'down' : 'flat',
    };
  });
  const top = touchpoints
    .filter((t) => t.negatives > 0)
    .toSorted((a, b) => b.negatives - a.negatives || a.id.localeCompare(b.id))
    .slice(0, 5);
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    date: input.date,
    generatedAt: input.now,
    from: new Date(input.now.getTime() - DAY_MS),
    to: input.now,
    touchpoints,
    top,
    // A mention negative about two touchpoints counts once per touchpoint.
    totalNegatives: sum(input.current),
    totalPrevious: sum(input.previous),
    openAlerts: input.openAlerts
      .filter((a) => a.kind === 'weak-link' && a.status !== 'resolved')
      .map((a) => ({
        id: a.id,
        title: a.title,
        severity: a.severity,
        ...(a.touchpoint ? { touchpoint: a.touchpoint } : {}),
        openedAt: a.openedAt,
        url: `${input.publicUrl}/#/alerts/${a.id}`,
        headline: headlines(a, input.timeZone),
      })),
  };
}

/**
 * Whether the digest is due at `now`, and for which local date: once the local time in
 * `timezone` (the brand's, filled in by config/) reaches `at`. A process started after `at`
 * sends that day's digest at once.
 */
export function digestDue(now: Date, cfg: { at: string; timezone: string }): string | null {
  const t = now.getTime();
  return localClock(t, cfg.timezone) >= cfg.at ? localDate(t, cfg.timezone) : null;
}

/** The delivery key that makes the digest once a day per channel. */
export function digestKey(date: string, channelId: string): string {
  return `digest:${date}:${channelId}`;
}
