import { describe, expect, it } from 'vitest';
import { bucketStart, nextBucket } from '../../src/store/counts-repository.js';

const iso = (d: Date | number) => new Date(d).toISOString();
const paris = (at: string) => bucketStart(new Date(at), '1d', 'Europe/Paris');

describe('buckets', () => {
  it('aligns 15-minute, hourly and UTC daily buckets on UTC', () => {
    const at = new Date('2026-03-02T23:47:10Z');
    expect(iso(bucketStart(at, '15m'))).toBe('2026-03-02T23:45:00.000Z');
    expect(iso(bucketStart(at, '1h', 'Europe/Paris'))).toBe('2026-03-02T23:00:00.000Z');
    expect(iso(bucketStart(at, '1d'))).toBe('2026-03-02T00:00:00.000Z');
    expect(iso(nextBucket(Date.parse('2026-03-02T00:00:00Z'), '1d'))).toBe(
      '2026-03-03T00:00:00.000Z',
    );
  });

  it("cuts days at the brand's midnight", () => {
    // 23:30 UTC is 00:30 in Paris the next day (UTC+1 in winter).
    expect(iso(paris('2026-03-02T23:30:00Z'))).toBe('2026-03-02T23:00:00.000Z');
    expect(iso(paris('2026-03-02T22:59:00Z'))).toBe('2026-03-01T23:00:00.000Z');
    // Summer: UTC+2.
    expect(iso(paris('2026-07-14T12:00:00Z'))).toBe('2026-07-13T22:00:00.000Z');
  });

  it('makes the days clocks change 23 and 25 hours long', () => {
    const spring = paris('2026-03-29T12:00:00Z');
    expect(iso(spring)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(nextBucket(spring.getTime(), '1d', 'Europe/Paris'))).toBe(
      '2026-03-29T22:00:00.000Z',
    );
    const autumn = paris('2026-10-25T12:00:00Z');
    expect(iso(autumn)).toBe('2026-10-24T22:00:00.000Z');
    expect(iso(nextBucket(autumn.getTime(), '1d', 'Europe/Paris'))).toBe(
      '2026-10-25T23:00:00.000Z',
    );
  });
});
