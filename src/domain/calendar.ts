/**
 * Time arithmetic, in one place: UTC units and days, the count buckets (a quarter of an hour, an
 * hour, a day), and the brand's local calendar (local days of 23, 24 or 25 hours, wall-clock
 * dates and hours, weekdays), whatever the zone's offset (Paris, or Kolkata's UTC+5:30).
 *
 * Instants are milliseconds since the epoch (or `Date`s where callers hold dates). Time zones are
 * IANA names; Intl is the only source of their rules, asked once per instant through one cached
 * formatter per zone, and everything else is arithmetic on its answer. Pure: no I/O, no clock.
 */
import { z } from 'zod';

export const MINUTE_MS = 60_000;
export const QUARTER_MS = 15 * MINUTE_MS;
export const HOUR_MS = 60 * MINUTE_MS;
/** A UTC day; a local day lasts 23 or 25 hours when clocks change (see `nextLocalDay`). */
export const DAY_MS = 24 * HOUR_MS;

/** The clock of a brand that names none: Maillon's first brands are French. */
export const DEFAULT_TIME_ZONE = 'Europe/Paris';

/** Whether Intl knows `tz` as a time zone ("Europe/Paris", "UTC", "Asia/Kolkata"). */
export function isTimeZone(tz: string): boolean {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone !== '';
  } catch {
    return false;
  }
}

/** An IANA time zone such as "Europe/Paris". */
export const timeZoneSchema = z
  .string()
  .refine(isTimeZone, 'expected an IANA time zone such as "Europe/Paris" or "UTC"');

const isUtc = (tz: string) => tz === 'UTC' || tz === 'Etc/UTC';

/** One formatter per zone: building one costs far more than using it. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at instant `t`, in ms (Paris in winter: +1 h), from Intl. */
export function zoneOffset(t: number, timeZone: string): number {
  if (isUtc(timeZone)) return 0;
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, fmt);
  }
  const parts = fmt.formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes) =>
    Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'));
  return wall - Math.floor(t / MINUTE_MS) * MINUTE_MS;
}

/** The wall clock of `timeZone` at `t`, as parts (month 1-12, weekday 0 = Sunday). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

/** What the clocks of `timeZone` show at `t`. */
export function localTime(t: number, timeZone: string): LocalTime {
  const wall = new Date(t + zoneOffset(t, timeZone));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
  };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The local date at `t`, `YYYY-MM-DD`. */
export function localDate(t: number, timeZone: string): string {
  const l = localTime(t, timeZone);
  return `${l.year}-${pad2(l.month)}-${pad2(l.day)}`;
}

/** The local time of day at `t`, `HH:MM` (24 h): compares as text with "08:00". */
export function localClock(t: number, timeZone: string): string {
  const l = localTime(t, timeZone);
  return `${pad2(l.hour)}:${pad2(l.minute)}`;
}

/** Hour of the local week at `t`: weekday (0 = Sunday) x 24 + hour, 0 to 167. */
export function weekHour(t: number, timeZone: string): number {
  const l = localTime(t, timeZone);
  return l.weekday * 24 + l.hour;
}

/**
 * The start of the local day holding `t` (its local midnight); a day is 23 or 25 hours long when
 * clocks change.
 */
export function startOfLocalDay(t: number, timeZone: string): number {
  if (isUtc(timeZone)) return utcDayStart(t);
  const offset = zoneOffset(t, timeZone);
  const wallMidnight = floorTo(t + offset, DAY_MS);
  // The offset in force at midnight may differ from the one at `t` (a change during the day).
  return wallMidnight - zoneOffset(wallMidnight - offset, timeZone);
}

/** The start of the local day after the one starting at `start`. */
export function nextLocalDay(start: number, timeZone: string): number {
  if (isUtc(timeZone)) return start + DAY_MS;
  // 26 hours on lands inside the next local day, whether this one lasts 23, 24 or 25 hours.
  return startOfLocalDay(start + 26 * HOUR_MS, timeZone);
}

/** `t` rounded down to a multiple of `step` since the epoch. */
export function floorTo(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/** Midnight UTC of the day holding `t`. */
export function utcDayStart(t: number): number {
  return floorTo(t, DAY_MS);
}

/** The UTC date of `t`, `YYYY-MM-DD`. */
export function utcDate(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

/** Midnight UTC of the days from the one holding `from` until `to` (excluded), oldest first. */
export function utcDays(from: number, to: number): number[] {
  const days: number[] = [];
  for (let day = utcDayStart(from); day < to; day += DAY_MS) days.push(day);
  return days;
}

/** The count buckets: a quarter of an hour for alerting, an hour or a day for trends. */
export const BUCKETS = { '15m': QUARTER_MS, '1h': HOUR_MS, '1d': DAY_MS } as const;
export type BucketSize = keyof typeof BUCKETS;

/**
 * Start of the bucket holding `at`. 15-minute and hourly buckets are aligned on UTC (the same
 * instants in every zone with whole-hour offsets); a day is the local day of `timeZone`, so a
 * Paris brand's Monday starts at Paris midnight, and a day is 23 or 25 hours when clocks change.
 */
export function bucketStart(at: Date, size: BucketSize, timeZone = 'UTC'): Date {
  const t = at.getTime();
  if (size !== '1d') return new Date(floorTo(t, BUCKETS[size]));
  return new Date(startOfLocalDay(t, timeZone));
}

/** Start of the bucket after the one starting at `start`. */
export function nextBucket(start: number, size: BucketSize, timeZone = 'UTC'): number {
  if (size !== '1d') return start + BUCKETS[size];
  return nextLocalDay(start, timeZone);
}

/** The starts of the buckets that overlap [from, to), oldest first. */
export function bucketStarts(
  from: number,
  to: number,
  size: BucketSize,
  timeZone = 'UTC',
): number[] {
  const out: number[] = [];
  const first = bucketStart(new Date(from), size, timeZone).getTime();
  for (let t = first; t < to; t = nextBucket(t, size, timeZone)) out.push(t);
  return out;
}

/**
 * `bucketStart` for many instants in any order: each local day is asked of Intl once, so reading
 * a store's quarters into daily buckets costs a few zone lookups a day, not two a quarter.
 */
export function bucketStartOf(size: BucketSize, timeZone = 'UTC'): (t: number) => number {
  if (size !== '1d' || isUtc(timeZone)) return (t) => floorTo(t, BUCKETS[size]);
  /** The local days found, by the UTC day they start in or overlap: [start, next). */
  const found = new Map<number, [number, number][]>();
  let last: [number, number] = [Number.NaN, Number.NaN];
  return (t) => {
    if (t >= last[0] && t < last[1]) return last[0];
    const utcDay = utcDayStart(t);
    let days = found.get(utcDay);
    if (!days) found.set(utcDay, (days = []));
    const hit = days.find(([start, next]) => t >= start && t < next);
    if (hit) last = hit;
    else {
      const start = startOfLocalDay(t, timeZone);
      last = [start, nextLocalDay(start, timeZone)];
      days.push(last);
    }
    return last[0];
  };
}
