import { describe, expect, it } from 'vitest';
import {
  bucketStart,
  bucketStartOf,
  bucketStarts,
  DAY_MS,
  floorTo,
  HOUR_MS,
  isTimeZone,
  localClock,
  localDate,
  localTime,
  MINUTE_MS,
  nextBucket,
  nextLocalDay,
  QUARTER_MS,
  startOfLocalDay,
  timeZoneSchema,
  utcDate,
  utcDayStart,
  utcDays,
  weekHour,
  zoneOffset,
} from '../../src/domain/calendar.js';

const PARIS = 'Europe/Paris';
/** UTC+5:30 all year: its days and hours start at half past a UTC hour. */
const KOLKATA = 'Asia/Kolkata';
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('calendar: UTC', () => {
  it('has the units the counts are kept in', () => {
    expect([MINUTE_MS, QUARTER_MS, HOUR_MS, DAY_MS]).toEqual([
      60_000, 900_000, 3_600_000, 86_400_000,
    ]);
  });

  it('rounds down to a step, a UTC day, a UTC date', () => {
    expect(iso(floorTo(t('2026-03-02T23:47:10Z'), QUARTER_MS))).toBe('2026-03-02T23:45:00.000Z');
    expect(iso(utcDayStart(t('2026-03-02T23:47:10Z')))).toBe('2026-03-02T00:00:00.000Z');
    expect(utcDate(t('2026-03-02T23:59:59.999Z'))).toBe('2026-03-02');
    expect(utcDate(t('2026-03-03T00:00:00Z'))).toBe('2026-03-03');
  });

  it('lists the UTC days that overlap a range, the last one excluded at its midnight', () => {
    expect(utcDays(t('2026-03-01T12:00Z'), t('2026-03-03T00:00Z')).map(iso)).toEqual([
      '2026-03-01T00:00:00.000Z',
      '2026-03-02T00:00:00.000Z',
    ]);
    expect(utcDays(t('2026-03-01T12:00Z'), t('2026-03-02T00:00:00.001Z'))).toHaveLength(2);
  });
});

describe('calendar: time zones', () => {
  it('knows IANA zones and refuses the rest', () => {
    expect(isTimeZone(PARIS)).toBe(true);
    expect(isTimeZone('UTC')).toBe(true);
    expect(isTimeZone(KOLKATA)).toBe(true);
    expect(isTimeZone('Europe/Pariss')).toBe(false);
    expect(isTimeZone('')).toBe(false);
    expect(timeZoneSchema.safeParse('Mars/Olympus').success).toBe(false);
  });

  it('reads offsets: Paris +1 h in winter, +2 h in summer, Kolkata +5:30, UTC 0', () => {
    expect(zoneOffset(t('2026-01-15T12:00Z'), PARIS)).toBe(HOUR_MS);
    expect(zoneOffset(t('2026-07-15T12:00Z'), PARIS)).toBe(2 * HOUR_MS);
    expect(zoneOffset(t('2026-07-15T12:00Z'), KOLKATA)).toBe(5.5 * HOUR_MS);
    expect(zoneOffset(t('2026-07-15T12:00Z'), 'UTC')).toBe(0);
    expect(zoneOffset(t('2026-07-15T12:00Z'), 'Etc/UTC')).toBe(0);
  });

  it('changes offset at the instant clocks change in Paris', () => {
    // 29 March 2026: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
    expect(zoneOffset(t('2026-03-29T00:59Z'), PARIS)).toBe(HOUR_MS);
    expect(zoneOffset(t('2026-03-29T01:00Z'), PARIS)).toBe(2 * HOUR_MS);
    // 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
    expect(zoneOffset(t('2026-10-25T00:59Z'), PARIS)).toBe(2 * HOUR_MS);
    expect(zoneOffset(t('2026-10-25T01:00Z'), PARIS)).toBe(HOUR_MS);
  });

  it('tells the wall clock: date, time, weekday', () => {
    // 23:30 UTC on Tuesday 10 March is 00:30 on Wednesday 11 March in Paris.
    const at = t('2026-03-10T23:30Z');
    expect(localTime(at, PARIS)).toEqual({
      year: 2026,
      month: 3,
      day: 11,
      hour: 0,
      minute: 30,
      weekday: 3,
    });
    expect(localDate(at, PARIS)).toBe('2026-03-11');
    expect(localClock(at, PARIS)).toBe('00:30');
    expect(localDate(at, 'UTC')).toBe('2026-03-10');
    expect(localClock(at, KOLKATA)).toBe('05:00');
    // 18:29 UTC is 23:59 in Kolkata, 18:30 UTC the next day's midnight.
    expect(localDate(t('2026-03-10T18:29Z'), KOLKATA)).toBe('2026-03-10');
    expect(localDate(t('2026-03-10T18:30Z'), KOLKATA)).toBe('2026-03-11');
    expect(localClock(t('2026-03-10T18:30Z'), KOLKATA)).toBe('00:00');
  });

  it('gives the hour of the local week, Sunday 00:00 being 0', () => {
    // Monday 5 January 2026, 00:00 in Paris.
    expect(weekHour(t('2026-01-04T23:00Z'), PARIS)).toBe(24);
    expect(weekHour(t('2026-01-04T22:59Z'), PARIS)).toBe(23);
    expect(weekHour(t('2026-01-04T23:00Z'), 'UTC')).toBe(23);
    // Saturday 10 January, 23:30 in Kolkata.
    expect(weekHour(t('2026-01-10T18:00Z'), KOLKATA)).toBe(6 * 24 + 23);
    // The spring-forward day has no 02:00 in Paris: 01:xx then 03:00 (Sunday).
    expect(weekHour(t('2026-03-29T00:30Z'), PARIS)).toBe(1);
    expect(weekHour(t('2026-03-29T01:00Z'), PARIS)).toBe(3);
  });
});

describe('calendar: local days', () => {
  it("start at the brand's midnight", () => {
    expect(iso(startOfLocalDay(t('2026-03-02T23:30Z'), PARIS))).toBe('2026-03-02T23:00:00.000Z');
    expect(iso(startOfLocalDay(t('2026-03-02T22:59Z'), PARIS))).toBe('2026-03-01T23:00:00.000Z');
    expect(iso(startOfLocalDay(t('2026-07-14T12:00Z'), PARIS))).toBe('2026-07-13T22:00:00.000Z');
    expect(iso(startOfLocalDay(t('2026-07-14T12:00Z'), 'UTC'))).toBe('2026-07-14T00:00:00.000Z');
  });

  it('last 23 hours when Paris springs forward and 25 when it falls back', () => {
    const spring = startOfLocalDay(t('2026-03-29T12:00Z'), PARIS);
    expect(iso(spring)).toBe('2026-03-28T23:00:00.000Z');
    expect(nextLocalDay(spring, PARIS) - spring).toBe(23 * HOUR_MS);
    // Before and after the change, the same local day.
    expect(startOfLocalDay(t('2026-03-29T00:59Z'), PARIS)).toBe(spring);
    expect(startOfLocalDay(t('2026-03-29T21:59Z'), PARIS)).toBe(spring);
    expect(iso(startOfLocalDay(t('2026-03-29T22:00Z'), PARIS))).toBe('2026-03-29T22:00:00.000Z');

    const autumn = startOfLocalDay(t('2026-10-25T12:00Z'), PARIS);
    expect(iso(autumn)).toBe('2026-10-24T22:00:00.000Z');
    expect(nextLocalDay(autumn, PARIS) - autumn).toBe(25 * HOUR_MS);
    expect(startOfLocalDay(t('2026-10-25T22:59Z'), PARIS)).toBe(autumn);
    expect(iso(startOfLocalDay(t('2026-10-25T23:00Z'), PARIS))).toBe('2026-10-25T23:00:00.000Z');
  });

  it('start at half past a UTC hour in Kolkata', () => {
    const day = startOfLocalDay(t('2026-03-02T18:29Z'), KOLKATA);
    expect(iso(day)).toBe('2026-03-01T18:30:00.000Z');
    expect(iso(startOfLocalDay(t('2026-03-02T18:30Z'), KOLKATA))).toBe('2026-03-02T18:30:00.000Z');
    expect(nextLocalDay(day, KOLKATA) - day).toBe(DAY_MS);
  });
});

describe('calendar: buckets', () => {
  it('align 15-minute and hourly buckets on UTC in every zone, days on local midnight', () => {
    const at = new Date('2026-03-02T23:47:10Z');
    expect(iso(bucketStart(at, '15m', KOLKATA).getTime())).toBe('2026-03-02T23:45:00.000Z');
    expect(iso(bucketStart(at, '1h', PARIS).getTime())).toBe('2026-03-02T23:00:00.000Z');
    expect(iso(bucketStart(at, '1d').getTime())).toBe('2026-03-02T00:00:00.000Z');
    expect(iso(bucketStart(at, '1d', PARIS).getTime())).toBe('2026-03-02T23:00:00.000Z');
    expect(iso(nextBucket(t('2026-03-02T23:00Z'), '1h', PARIS))).toBe('2026-03-03T00:00:00.000Z');
    expect(iso(nextBucket(t('2026-03-02T00:00Z'), '1d'))).toBe('2026-03-03T00:00:00.000Z');
  });

  it('list the buckets of a range, local days of 23, 24 and 25 hours', () => {
    const days = bucketStarts(t('2026-03-28T12:00Z'), t('2026-03-30T12:00Z'), '1d', PARIS);
    expect(days.map(iso)).toEqual([
      '2026-03-27T23:00:00.000Z',
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ]);
    const spring = t('2026-03-28T23:00Z');
    expect(bucketStarts(spring, nextLocalDay(spring, PARIS), '1h', PARIS)).toHaveLength(23);
    const autumn = t('2026-10-24T22:00Z');
    expect(bucketStarts(autumn, nextLocalDay(autumn, PARIS), '15m', PARIS)).toHaveLength(100);
  });

  it('read many instants as bucketStart does, each day asked of the zone once', () => {
    // Four days of quarters around the spring change, in order, then in an order that jumps about.
    const from = t('2026-03-27T12:00Z');
    const quarters = Array.from({ length: 4 * 96 }, (_, i) => from + i * QUARTER_MS);
    const shuffled = quarters.map((_, i) => quarters[(i * 97) % quarters.length] ?? 0);
    for (const zone of [PARIS, KOLKATA, 'UTC']) {
      for (const size of ['15m', '1h', '1d'] as const) {
        const startOf = bucketStartOf(size, zone);
        const all = [...quarters, ...shuffled];
        expect(all.map(startOf), `${zone} ${size}`).toEqual(
          all.map((q) => bucketStart(new Date(q), size, zone).getTime()),
        );
      }
    }
  });

  it("put Kolkata's quarters from 18:30 UTC in the next local day", () => {
    const startOf = bucketStartOf('1d', KOLKATA);
    expect(iso(startOf(t('2026-03-02T18:15Z')))).toBe('2026-03-01T18:30:00.000Z');
    expect(iso(startOf(t('2026-03-02T18:30Z')))).toBe('2026-03-02T18:30:00.000Z');
    expect(iso(startOf(t('2026-03-02T18:45Z')))).toBe('2026-03-02T18:30:00.000Z');
  });
});
