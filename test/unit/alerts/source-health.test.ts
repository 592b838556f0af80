import { describe, expect, it } from 'vitest';
import { assessSource } from '../../../src/alerts/source-health.js';

const H = 3_600_000;
const cfg = { failingAfter: H, silentFactor: 6, silentFloor: 6 * H, criticalAfter: 24 * H };
const now = new Date('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms);
const ok = { consecutiveFailures: 0, lastSuccessAt: ago(60_000) };

describe('assessSource: failing', () => {
  it('fails once polls have failed for longer than failingAfter since the last success', () => {
    const state = {
      consecutiveFailures: 4,
      lastSuccessAt: ago(2 * H),
      lastError: { message: 'HTTP 500', at: ago(60_000) },
    };
    const h = assessSource({ now, everyMs: 15 * 60_000, state, arrivals: [] }, cfg);
    expect(h.failing).toEqual({
      kind: 'failing',
      since: ago(2 * H),
      failures: 4,
      lastError: state.lastError,
    });
  });

  it('waits out failingAfter, and forgets failures after a success', () => {
    const young = { consecutiveFailures: 2, lastSuccessAt: ago(30 * 60_000) };
    expect(
      assessSource({ now, everyMs: 60_000, state: young, arrivals: [] }, cfg).failing,
    ).toBeNull();
    expect(assessSource({ now, everyMs: 60_000, state: ok, arrivals: [] }, cfg).failing).toBeNull();
  });

  it('dates the streak of a source that never worked from its failures', () => {
    const state = { consecutiveFailures: 9, lastError: { message: 'ENOTFOUND', at: ago(60_000) } };
    const h = assessSource({ now, everyMs: 15 * 60_000, state, arrivals: [] }, cfg);
    expect(h.failing?.since).toEqual(ago(60_000 + 8 * 15 * 60_000));
  });
});

describe('assessSource: silent', () => {
  // A new batch every hour for two days, the last one `lastAgo` ago.
  const hourly = (lastAgo: number) =>
    Array.from({ length: 48 }, (_, i) => [
      ago(lastAgo + i * H),
      ago(lastAgo + i * H + 5_000),
    ]).flat();

  it('is silent after max(floor, factor x usual gap) without a new mention', () => {
    const h = assessSource({ now, everyMs: 15 * 60_000, state: ok, arrivals: hourly(7 * H) }, cfg);
    expect(h.usualGapMs).toBe(H); // batches of one poll count once
    expect(h.silent).toEqual({
      kind: 'silent',
      since: ago(7 * H),
      usualGapMs: H,
      thresholdMs: 6 * H,
    });
    expect(
      assessSource({ now, everyMs: 60_000, state: ok, arrivals: hourly(5 * H) }, cfg).silent,
    ).toBeNull();
  });

  it('follows a slow rhythm: a daily source is not silent after a quiet day', () => {
    const daily = Array.from({ length: 10 }, (_, i) => ago(30 * H + i * 24 * H));
    const quiet = assessSource({ now, everyMs: 60_000, state: ok, arrivals: daily }, cfg);
    expect(quiet.usualGapMs).toBe(24 * H);
    expect(quiet.silent).toBeNull();
    const stopped = Array.from({ length: 10 }, (_, i) => ago(7 * 24 * H + i * 24 * H));
    expect(
      assessSource({ now, everyMs: 60_000, state: ok, arrivals: stopped }, cfg).silent?.thresholdMs,
    ).toBe(144 * H);
  });

  it('does not call silent a source with too few arrivals to know its rhythm', () => {
    const few = [ago(100 * H), ago(200 * H), ago(300 * H)];
    const h = assessSource({ now, everyMs: 60_000, state: ok, arrivals: few }, cfg);
    expect(h.usualGapMs).toBeNull();
    expect(h.silent).toBeNull();
  });

  it('leaves silence to the failing alert while the source fails', () => {
    const state = { consecutiveFailures: 3, lastSuccessAt: ago(20 * H) };
    const h = assessSource({ now, everyMs: 60_000, state, arrivals: hourly(20 * H) }, cfg);
    expect(h.failing).not.toBeNull();
    expect(h.silent).toBeNull();
  });

  it('recovers: a new arrival ends the silence', () => {
    const arrivals = [now, ...hourly(7 * H)];
    const h = assessSource({ now, everyMs: 60_000, state: ok, arrivals }, cfg);
    expect(h.silent).toBeNull();
    expect(h.lastArrival).toEqual(now);
  });
});
