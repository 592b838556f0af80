/**
 * What the trends and the share of voice share: the periods offered, the bucket that suits
 * each, and how a change against the previous period is shown.
 */
import { html } from '../lib/preact.js';

const DAY = 86_400_000;
/** Each period, and the buckets that keep its chart readable (and within the API's limits). */
export const PERIODS = {
  '1d': { ms: DAY, buckets: ['1h'] },
  '7d': { ms: 7 * DAY, buckets: ['1d', '1h'] },
  '28d': { ms: 28 * DAY, buckets: ['1d', '1w'] },
  '12w': { ms: 84 * DAY, buckets: ['1d', '1w'] },
};
export const METRICS = ['negative', 'volume', 'negativeShare', 'meanSentiment', 'reach'];
/** Lines drawn at most: more is unreadable; the table lists every key. */
export const MAX_LINES = 5;

/** The query's period and a bucket that suits it. */
export function periodOf(query) {
  const period = PERIODS[query.period] ? query.period : '7d';
  const { ms, buckets } = PERIODS[period];
  const bucket = buckets.includes(query.bucket) ? query.bucket : buckets[0];
  // Rounded to the minute, so that re-renders ask the same thing.
  const until = Math.floor(Date.now() / 60_000) * 60_000;
  return {
    period,
    bucket,
    since: new Date(until - ms).toISOString(),
    until: new Date(until).toISOString(),
  };
}

/**
 * A change against the previous period, coloured by whether it is good news: `rise` says what a
 * rise is ('bad' for complaints, 'good' for a share of voice, 'neutral' for volume).
 */
export function Change({ value, format, rise = 'neutral' }) {
  if (value === null || value === undefined) return html`<span class="muted">—</span>`;
  const tone =
    Math.abs(value) < 0.005 || rise === 'neutral'
      ? ''
      : value > 0 === (rise === 'good')
        ? 'better'
        : 'worse';
  return html`<span class=${`change ${tone}`}>${format(value)}</span>`;
}
