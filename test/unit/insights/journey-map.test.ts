/**
 * The journey map's judgement: the baseline's same hours across a change of clocks, health
 * states and their words, the weakest link first, and the contagion of an open wave.
 */
import { describe, expect, it } from 'vitest';
import {
  contagionOf,
  healthOf,
  healthWindows,
  sameHoursWeeksBefore,
  usualOf,
  waveWindow,
  weakestFirst,
  weakestLink,
  type Rankable,
} from '../../../src/insights/journey-map.js';

const PARIS = 'Europe/Paris';
const t = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('the baseline', () => {
  it('reads the same local hours weeks before, across a change of clocks', () => {
    // Thursday 2 April 2026, 10:00 in Paris (summer, UTC+2) and four weeks before (winter, UTC+1).
    expect(iso(sameHoursWeeksBefore(t('2026-04-02T08:00:00Z'), 4, PARIS))).toBe(
      '2026-03-05T09:00:00.000Z',
    );
    expect(iso(sameHoursWeeksBefore(t('2026-04-02T08:00:00Z'), 4, 'UTC'))).toBe(
      '2026-03-05T08:00:00.000Z',
    );
  });

  it('judges the last 24 hours to the quarter against four weeks of the same hours', () => {
    // Monday 6 April 2026, 10:07 in Paris; clocks went forward on Sunday 29 March.
    const w = healthWindows(t('2026-04-06T08:07:00Z'), PARIS);
    expect([iso(w.now.from), iso(w.now.to)]).toEqual([
      '2026-04-05T08:15:00.000Z',
      '2026-04-06T08:15:00.000Z',
    ]);
    // Sunday 10:15 to Monday 10:15 in Paris each week: an hour later in UTC before the change.
    expect(w.usual.map((u) => [iso(u.from), iso(u.to)])).toEqual([
      ['2026-03-29T08:15:00.000Z', '2026-03-30T08:15:00.000Z'],
      ['2026-03-22T09:15:00.000Z', '2026-03-23T09:15:00.000Z'],
      ['2026-03-15T09:15:00.000Z', '2026-03-16T09:15:00.000Z'],
      ['2026-03-08T09:15:00.000Z', '2026-03-09T09:15:00.000Z'],
    ]);
    expect(usualOf([1, 2, 3, 2])).toBe(2);
  });
});

describe('health', () => {
  it('is ok, to watch or weak by the ratio and the excess over usual', () => {
    expect(healthOf({ negatives: 0, usual: 0 })).toMatchObject({ state: 'ok', ratio: 1 });
    // A first complaint on a quiet touchpoint is not a weak link.
    expect(healthOf({ negatives: 1, usual: 0 })).toMatchObject({ state: 'ok', ratio: 2 });
    expect(healthOf({ negatives: 2, usual: 0 })).toMatchObject({ state: 'watch', ratio: 3 });
    expect(healthOf({ negatives: 4, usual: 0 })).toMatchObject({ state: 'watch', ratio: 5 });
    expect(healthOf({ negatives: 5, usual: 0 })).toMatchObject({ state: 'weak', excess: 5 });
    // Busy touchpoints need the ratio too: 12 where 10 is usual is ordinary.
    expect(healthOf({ negatives: 12, usual: 10 }).state).toBe('ok');
    expect(healthOf({ negatives: 17, usual: 10 }).state).toBe('watch');
    expect(healthOf({ negatives: 35, usual: 10 }).state).toBe('weak');
  });

  it('is weak while an alert is open, and says why in French and English', () => {
    const h = healthOf({ negatives: 1, usual: 1.25, alert: { severity: 'critical' } });
    expect(h.state).toBe('weak');
    expect(h.label).toEqual({ fr: 'Maillon faible', en: 'Weak link' });
    expect(h.reason.en).toBe(
      'Alert open (critical): 1 complaint in 24 h, usually 1.3 at the same hours (×0.9).',
    );
    expect(h.reason.fr).toBe(
      "Alerte ouverte (critique)\u00a0: 1 plainte en 24 h, 1,3 d'habitude aux mêmes heures (×0,9).",
    );
  });
});

describe('the weakest link', () => {
  const tp = (
    id: string,
    negatives: number,
    usual: number,
    alert: Rankable['alert'] = null,
  ): Rankable => ({ id, health: healthOf({ negatives, usual, alert }), alert });

  it('comes first: by state, the alert’s severity, the ratio, the excess', () => {
    const order = weakestFirst([
      tp('quiet', 0, 0),
      tp('watched', 3, 0),
      tp('burst', 20, 2),
      tp('alerted-info', 1, 1, { severity: 'info' }),
      tp('alerted-critical', 2, 1, { severity: 'critical' }),
      tp('busy', 12, 10),
    ]).map((x) => x.id);
    expect(order).toEqual([
      'alerted-critical',
      'alerted-info',
      'burst',
      'watched',
      'busy',
      'quiet',
    ]);
  });

  it('is none when every touchpoint is healthy', () => {
    expect(weakestLink(weakestFirst([tp('a', 0, 0), tp('b', 1, 1)]))).toBeNull();
    expect(weakestLink(weakestFirst([tp('a', 0, 0), tp('b', 9, 0)]))?.id).toBe('b');
  });
});

describe('contagion', () => {
  it('lists the other touchpoints with 2 negatives in one quarter of the wave’s window', () => {
    const q = (key: string, at: string, negative: number) => ({
      key,
      start: new Date(at),
      negative,
    });
    const window = { from: t('2026-04-02T08:00:00Z'), to: t('2026-04-02T12:00:00Z') };
    const reached = contagionOf(
      'delivery',
      [
        q('delivery', '2026-04-02T08:00:00Z', 5),
        q('support', '2026-04-02T08:15:00Z', 2),
        q('support', '2026-04-02T09:00:00Z', 3),
        // One negative in a quarter is not a wave reaching it.
        q('checkout', '2026-04-02T08:15:00Z', 1),
        q('returns', '2026-04-02T10:00:00Z', 2),
        // Before the wave's window.
        q('product', '2026-04-02T07:45:00Z', 4),
      ],
      window,
    );
    expect(reached).toEqual([
      { id: 'support', negatives: 5, quarters: 2, since: new Date('2026-04-02T08:15:00Z') },
      { id: 'returns', negatives: 2, quarters: 1, since: new Date('2026-04-02T10:00:00Z') },
    ]);
  });

  it('reads a wave from its first raised bucket, at most a week back', () => {
    const end = t('2026-04-20T00:00:00Z');
    const alert = (since: string) => ({
      openedAt: new Date('2026-04-19T12:00:00Z'),
      evidence: { facts: { since: new Date(since) } },
    });
    expect(waveWindow(alert('2026-04-19T09:00:00Z'), end).from).toBe(t('2026-04-19T09:00:00Z'));
    expect(waveWindow(alert('2026-04-01T09:00:00Z'), end).from).toBe(t('2026-04-13T00:00:00Z'));
    expect(waveWindow({ openedAt: new Date('2026-04-19T12:00:00Z'), evidence: {} }, end).from).toBe(
      t('2026-04-19T12:00:00Z'),
    );
  });
});
