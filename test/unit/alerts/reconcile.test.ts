import { describe, expect, it } from 'vitest';
import {
  mergeOf,
  notifiableEvents,
  pickWaveAlert,
  recordedSeverity,
  recordingsOf,
  reconcileAlert,
  sameWaveWindow,
  viewOf,
  waveAlertSpec,
} from '../../../src/alerts/reconcile.js';
import type { Wave, WaveEvent } from '../../../src/detection/types.js';
import type { Alert, AlertEvent } from '../../../src/domain/alert.js';
import type { Severity } from '../../../src/domain/vocabulary.js';
import { facts, T0, weakLink } from './_fixtures.js';

const Q = 15 * 60_000;
const HOUR = 3_600_000;
/** T0 plus `n` quarters of an hour. */
const at = (n: number) => new Date(T0.getTime() + n * Q);

/** A detector event `n` quarters after T0. */
function ev(
  kind: WaveEvent['kind'],
  n: number,
  severity: Severity | null,
  observed = 12,
): WaveEvent {
  return { at: at(n), kind, severity, score: 50, observed, expected: 0.4, facts: facts() };
}

function wave(events: WaveEvent[]): Wave {
  const resolve = events.find((e) => e.kind === 'resolve');
  return {
    openedAt: events[0]?.at ?? T0,
    resolvedAt: resolve?.at ?? null,
    peakSeverity: 'warning',
    events,
  };
}

/** A stored alert whose history is `history` (observed 12 unless told). */
function stored(history: AlertEvent[], over: Partial<Alert> = {}): Alert {
  return weakLink({ history, ...over });
}

const opened: AlertEvent = { at: at(0), kind: 'opened', severity: 'warning' };

describe('reconcile: which alert is the wave', () => {
  const tp = { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } };

  it('opens one alert per touchpoint and opening bucket, at its first severity', () => {
    const w = wave([ev('open', 0, 'critical')]);

    expect(waveAlertSpec(tp, w)).toEqual({
      key: `weak-link:delivery:${T0.toISOString()}`,
      kind: 'weak-link',
      touchpoint: tp,
      title: 'Delivery / Livraison',
      openedAt: T0,
      severity: 'critical',
    });
    expect(waveAlertSpec(tp, wave([ev('open', 0, null)])).severity).toBe('warning');
  });

  it("looks for the wave's alert from 6 h before its opening to the end of its last bucket", () => {
    const open = wave([ev('open', 8, 'warning'), ev('update', 12, 'critical')]);
    expect(sameWaveWindow(open, Q)).toEqual({
      openedSince: new Date(at(8).getTime() - 6 * HOUR),
      openedUntil: at(13),
    });
    const resolved = wave([ev('open', 8, 'warning'), ev('resolve', 20, null)]);
    expect(sameWaveWindow(resolved, Q).openedUntil).toEqual(at(21));
  });

  it('keeps the earliest alert and merges the others into it', () => {
    const early = weakLink({ id: 'a', openedAt: at(0) });
    const late = weakLink({ id: 'b', openedAt: at(4) });
    const later = weakLink({ id: 'c', openedAt: at(9) });

    expect(pickWaveAlert([later, early, late])).toEqual({
      alert: early,
      duplicates: [late, later],
    });
    expect(pickWaveAlert([])).toEqual({ alert: undefined, duplicates: [] });
  });

  it('merges a duplicate once, silently, never dated before its own history', () => {
    const keep = weakLink({ id: 'keep' });
    const dup = weakLink({ id: 'dup', history: [{ ...opened, at: at(6) }] });

    expect(mergeOf(dup, keep, at(4))).toEqual({
      event: { at: at(6), kind: 'merged', text: 'keep' },
      changes: { status: 'resolved', resolvedAt: at(6) },
    });
    expect(mergeOf(dup, keep, at(10))?.event.at).toEqual(at(10));
    expect(mergeOf(keep, keep, at(10))).toBeNull();
    const merged = weakLink({
      id: 'dup',
      history: [opened, { at: at(6), kind: 'merged', text: 'keep' }],
    });
    expect(mergeOf(merged, keep, at(10))).toBeNull();
    expect(notifiableEvents(merged)).toEqual([0]);
  });
});

describe("reconcile: the detector's view", () => {
  it('reads open, escalate, calm and resolve as alert events', () => {
    const w = wave([
      ev('open', 0, 'warning'),
      ev('update', 4, 'critical'),
      ev('update', 8, 'warning'),
      ev('resolve', 12, null),
    ]);

    expect(viewOf(w)).toEqual({
      events: [
        { at: at(0), kind: 'opened', severity: 'warning' },
        { at: at(4), kind: 'escalated', severity: 'critical' },
        { at: at(8), kind: 'calmed', severity: 'warning' },
        { at: at(12), kind: 'resolved' },
      ],
      severity: 'warning',
    });
  });

  it("takes the detector's last severity, not a user's", () => {
    const history: AlertEvent[] = [
      opened,
      { at: at(4), kind: 'escalated', severity: 'critical' },
      { at: at(5), kind: 'acknowledged', by: 'cm@example.com', severity: 'info' },
    ];
    expect(recordedSeverity(stored(history, { severity: 'info' }))).toBe('critical');
    expect(recordedSeverity(stored([], { severity: 'info' }))).toBe('info');
  });
});

describe('reconcile: data arriving in order', () => {
  it('appends the events the alert does not hold yet', () => {
    const w = wave([ev('open', 0, 'warning'), ev('update', 4, 'critical')]);

    expect(reconcileAlert(stored([opened]), w)).toEqual({
      events: [{ at: at(4), kind: 'escalated', severity: 'critical' }],
      write: true,
    });
  });

  it('appends a resolution', () => {
    const w = wave([ev('open', 0, 'warning'), ev('resolve', 12, null)]);

    expect(reconcileAlert(stored([opened]), w).events).toEqual([{ at: at(12), kind: 'resolved' }]);
  });

  it("reads past users' actions, which are not the detector's", () => {
    const history: AlertEvent[] = [
      opened,
      { at: at(1), kind: 'acknowledged', by: 'cm@example.com' },
      { at: at(2), kind: 'commented', by: 'cm@example.com', text: 'on it' },
    ];
    const w = wave([ev('open', 0, 'warning'), ev('update', 4, 'critical')]);

    expect(reconcileAlert(stored(history), w).events).toEqual([
      { at: at(4), kind: 'escalated', severity: 'critical' },
    ]);
  });

  it('writes nothing when nothing changed, and only the evidence when its numbers moved', () => {
    const w = (observed: number) => wave([ev('open', 0, 'warning', observed)]);

    expect(reconcileAlert(stored([opened]), w(12))).toEqual({ events: [], write: false });
    expect(reconcileAlert(stored([opened]), w(15))).toEqual({ events: [], write: true });
  });
});

describe('reconcile: a view changed by late data', () => {
  // The alert recorded an opening at another bucket than the view's: its history is not the
  // start of the view's, so one event moves it to the view's present state.
  const elsewhere = (over: Partial<AlertEvent> = {}): AlertEvent => ({
    ...opened,
    at: at(2),
    ...over,
  });

  it('resolves an alert the view no longer holds open, after its last event', () => {
    const w = wave([ev('open', 0, 'warning'), ev('resolve', 6, null)]);
    const alert = stored([elsewhere(), { at: at(9), kind: 'commented', by: 'cm', text: 'x' }]);

    expect(reconcileAlert(alert, w).events).toEqual([{ at: at(9), kind: 'resolved' }]);
  });

  it('reopens a resolved alert the view holds open, at its present severity', () => {
    const w = wave([ev('open', 0, 'warning'), ev('update', 10, 'critical')]);
    const alert = stored([elsewhere(), { at: at(6), kind: 'resolved' }], { status: 'resolved' });

    expect(reconcileAlert(alert, w).events).toEqual([
      { at: at(10), kind: 'reopened', severity: 'critical' },
    ]);
  });

  it('reopens an alert merged into another when the view holds it open', () => {
    const w = wave([ev('open', 0, 'warning')]);
    const alert = stored([elsewhere(), { at: at(6), kind: 'merged', text: 'other' }]);

    expect(reconcileAlert(alert, w).events).toEqual([
      { at: at(6), kind: 'reopened', severity: 'warning' },
    ]);
  });

  it('escalates or calms an open alert to the view severity', () => {
    const up = wave([ev('open', 0, 'warning'), ev('update', 5, 'critical')]);
    expect(reconcileAlert(stored([elsewhere()]), up).events).toEqual([
      { at: at(5), kind: 'escalated', severity: 'critical' },
    ]);

    const down = wave([ev('open', 0, 'warning')]);
    const critical = stored([elsewhere({ severity: 'critical' })], { severity: 'critical' });
    expect(reconcileAlert(critical, down).events).toEqual([
      { at: at(2), kind: 'calmed', severity: 'warning' },
    ]);
  });

  it('adds nothing when the alert is already in the state the view says', () => {
    const w = wave([ev('open', 0, 'warning')]);
    expect(reconcileAlert(stored([elsewhere()]), w)).toEqual({ events: [], write: false });

    const resolved = wave([ev('open', 0, 'warning'), ev('resolve', 6, null)]);
    const alert = stored([elsewhere(), { at: at(4), kind: 'resolved' }]);
    expect(reconcileAlert(alert, resolved).events).toEqual([]);
  });
});

describe('reconcile: what each event changes', () => {
  const evidence = weakLink().evidence;

  it("sets the severity on escalations and calms, never a user's status", () => {
    const events: AlertEvent[] = [
      { at: at(4), kind: 'escalated', severity: 'critical' },
      { at: at(8), kind: 'calmed', severity: 'warning' },
    ];

    expect(recordingsOf(events, 'warning', evidence)).toEqual([
      { event: events[0], changes: { severity: 'critical', evidence } },
      { event: events[1], changes: { severity: 'warning', evidence } },
    ]);
  });

  it('resolves with its date, and reopens to open at the severity it carries', () => {
    const events: AlertEvent[] = [
      { at: at(6), kind: 'resolved' },
      { at: at(10), kind: 'reopened', severity: 'critical' },
    ];

    expect(recordingsOf(events, 'warning', evidence)).toEqual([
      { event: events[0], changes: { status: 'resolved', resolvedAt: at(6), evidence } },
      {
        event: events[1],
        changes: { status: 'open', resolvedAt: null, severity: 'critical', evidence },
      },
    ]);
  });

  it('carries the severity over an event that has none', () => {
    const events: AlertEvent[] = [
      { at: at(6), kind: 'resolved' },
      { at: at(10), kind: 'escalated' },
    ];

    expect(recordingsOf(events, 'critical', evidence)[1]?.changes.severity).toBe('critical');
  });
});

describe('reconcile: notifications', () => {
  it("notifies the detector's openings, escalations, resolutions and reopenings only", () => {
    const alert = stored([
      opened,
      { at: at(1), kind: 'acknowledged', by: 'cm' },
      { at: at(4), kind: 'escalated', severity: 'critical' },
      { at: at(6), kind: 'calmed', severity: 'warning' },
      { at: at(7), kind: 'resolved', by: 'cm' },
      { at: at(8), kind: 'resolved' },
      { at: at(9), kind: 'reopened', severity: 'warning' },
      { at: at(9), kind: 'commented', by: 'cm', text: 'again' },
      { at: at(10), kind: 'merged', text: 'other' },
    ]);

    expect(notifiableEvents(alert)).toEqual([0, 2, 5, 6]);
  });
});
