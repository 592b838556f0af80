/**
 * How the detector's waves map onto stored alerts, decided on plain data (src/jobs/detect.ts
 * reads the alerts, asks here, and writes what it is told):
 * - a wave is one alert, keyed by touchpoint and opening bucket (`waveAlertSpec`), so a re-run or
 *   a replay of the same history finds the same alert instead of opening another;
 * - the same wave seen earlier on less data may have opened a little later, or more than once: it
 *   is one alert, the earliest, and the others are merged into it, silently (`sameWaveWindow`,
 *   `pickWaveAlert`, `mergeOf`);
 * - the detector's events (escalated, calmed, resolved, reopened) are appended once each, in
 *   order, or, when the view changed as late data came in, one event moves the alert to the
 *   view's present state (`reconcileAlert`), and each says what it changes (`recordingsOf`);
 * - every notifiable event is (re)queued on every run (`notifiableEvents`): the notify side keeps
 *   one delivery per event and channel.
 * Here rather than in src/detection/: the detector knows waves, not stored alerts, their history
 * or their users' actions; this is the alert lifecycle. Pure.
 */
import type { Alert, AlertEvent, AlertEventKind, AlertEvidence } from '../domain/alert.js';
import { HOUR_MS } from '../domain/calendar.js';
import type { AlertStatus, Severity } from '../domain/vocabulary.js';
import type { Wave, WaveEvent } from '../detection/types.js';

/** An alert opened this close before a wave's opening is that wave's. */
export const SAME_WAVE_MS = 6 * HOUR_MS;

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** Detector events, as recorded in an alert's history (user actions carry `by`). */
const DETECTOR_KINDS: ReadonlySet<AlertEventKind> = new Set([
  'opened',
  'escalated',
  'calmed',
  'resolved',
  'reopened',
  'merged',
]);

/** The events that notify; calming down (or a merge of duplicates) does not wake anyone. */
const NOTIFIABLE: ReadonlySet<AlertEventKind> = new Set([
  'opened',
  'escalated',
  'resolved',
  'reopened',
]);

/** What recording an event changes on the alert besides its history. */
export interface AlertChanges {
  severity?: Severity;
  status?: AlertStatus;
  evidence?: AlertEvidence;
  resolvedAt?: Date | null;
}

/** The alert a wave opens, evidence aside (it costs reads, and is fetched only when needed). */
export interface WaveAlertSpec {
  key: string;
  kind: 'weak-link';
  touchpoint: NonNullable<Alert['touchpoint']>;
  title: string;
  openedAt: Date;
  severity: Severity;
}

/** The alert for `wave` on touchpoint `tp`: unique on touchpoint and opening bucket. */
export function waveAlertSpec(tp: NonNullable<Alert['touchpoint']>, wave: Wave): WaveAlertSpec {
  return {
    key: `weak-link:${tp.id}:${wave.openedAt.toISOString()}`,
    kind: 'weak-link',
    touchpoint: { id: tp.id, stage: tp.stage, label: tp.label },
    title: `${tp.label.en} / ${tp.label.fr}`,
    openedAt: wave.openedAt,
    severity: wave.events[0]?.severity ?? 'warning',
  };
}

/**
 * When a stored alert of the touchpoint must have opened to be this wave's: from `SAME_WAVE_MS`
 * before the wave's opening to the end of its last bucket (its resolution, or its last event).
 */
export function sameWaveWindow(
  wave: Wave,
  bucketMs: number,
): { openedSince: Date; openedUntil: Date } {
  const last = wave.events.at(-1)?.at ?? wave.openedAt;
  return {
    openedSince: new Date(wave.openedAt.getTime() - SAME_WAVE_MS),
    openedUntil: new Date((wave.resolvedAt ?? last).getTime() + bucketMs),
  };
}

/**
 * Among the alerts opened in the wave's window, the wave's (the earliest; none: a new one opens)
 * and the duplicates to merge into it.
 */
export function pickWaveAlert(candidates: readonly Alert[]): {
  alert: Alert | undefined;
  duplicates: Alert[];
} {
  const [alert, ...duplicates] = candidates.toSorted(
    (a, b) => a.openedAt.getTime() - b.openedAt.getTime(),
  );
  return { alert, duplicates };
}

/**
 * A duplicate's merge into the wave's alert, dated no earlier than anything it holds or `at`:
 * resolved as merged, pointing at the alert that stays, without a notification. Null when
 * there is nothing to do (the same alert, or merged already).
 */
export function mergeOf(
  dup: Alert,
  into: Alert,
  at: Date,
): { event: AlertEvent; changes: AlertChanges } | null {
  if (dup.id === into.id || dup.history.some((h) => h.kind === 'merged')) return null;
  const lastAt = new Date(Math.max(at.getTime(), ...dup.history.map((h) => h.at.getTime())));
  return {
    event: { at: lastAt, kind: 'merged', text: into.id },
    changes: { status: 'resolved', resolvedAt: lastAt },
  };
}

/**
 * An alert whose wave the detector no longer sees at all (the mentions behind it were corrected
 * or edited away, or late history raised its baseline): resolved, dated no earlier than anything
 * it holds or `at`, saying why. Null when the detector's own events already ended it, or when
 * it was merged into another.
 */
export function withdrawalOf(
  alert: Pick<Alert, 'history'>,
  at: Date,
): { event: AlertEvent; changes: AlertChanges } | null {
  const last = detectorEvents(alert).at(-1)?.kind;
  if (last === 'resolved' || last === 'merged') return null;
  const lastAt = new Date(Math.max(at.getTime(), ...alert.history.map((h) => h.at.getTime())));
  return {
    event: {
      at: lastAt,
      kind: 'resolved',
      text: 'no wave left in the counts: the mentions behind it were corrected or edited',
    },
    changes: { status: 'resolved', resolvedAt: lastAt },
  };
}

function eventKind(ev: WaveEvent, current: Severity): AlertEventKind {
  if (ev.kind === 'open') return 'opened';
  if (ev.kind === 'resolve') return 'resolved';
  return RANK[ev.severity ?? current] > RANK[current] ? 'escalated' : 'calmed';
}

/** The wave as the detector sees it now, in alert events; and its present severity. */
export function viewOf(wave: Wave): { events: AlertEvent[]; severity: Severity } {
  const events: AlertEvent[] = [];
  let severity: Severity = wave.events[0]?.severity ?? 'warning';
  for (const ev of wave.events) {
    const kind = eventKind(ev, severity);
    severity = ev.severity ?? severity;
    events.push({ at: ev.at, kind, ...(kind === 'resolved' ? {} : { severity }) });
  }
  return { events, severity };
}

/** The severity the detector last recorded on the alert (a user's change aside). */
export function recordedSeverity(alert: Pick<Alert, 'history' | 'severity'>): Severity {
  return detectorEvents(alert).findLast((h) => h.severity)?.severity ?? alert.severity;
}

function detectorEvents(alert: Pick<Alert, 'history'>): AlertEvent[] {
  return alert.history.filter((h) => DETECTOR_KINDS.has(h.kind) && !h.by);
}

/**
 * What brings the alert in line with the detector's view of its wave: the `events` to append,
 * and whether anything is to be written at all (`write`: events, or evidence that moved).
 * When the events already recorded are the start of the view's (the usual case: data arrives in
 * order), the rest are appended one by one. When they are not (the view changed as late data
 * came in), one event moves the alert from its recorded state to the view's present state
 * (reopened, escalated, calmed or resolved), dated no earlier than the last recorded one: the
 * history stays in time order, and nothing already said is contradicted out of order.
 */
export function reconcileAlert(
  alert: Pick<Alert, 'history' | 'severity' | 'evidence'>,
  wave: Wave,
): { events: AlertEvent[]; write: boolean } {
  const mine = detectorEvents(alert);
  const severity = recordedSeverity(alert);
  const view = viewOf(wave);
  const consistent = mine.every(
    (h, k) => view.events[k]?.kind === h.kind && view.events[k]?.at.getTime() === h.at.getTime(),
  );
  const events: AlertEvent[] = [];
  if (consistent) {
    events.push(...view.events.slice(mine.length));
  } else {
    const lastAt = Math.max(...alert.history.map((h) => h.at.getTime()));
    const at = new Date(Math.max(lastAt, wave.events.at(-1)!.at.getTime()));
    const recordedOpen = mine.at(-1)?.kind !== 'resolved' && mine.at(-1)?.kind !== 'merged';
    const viewOpen = wave.resolvedAt === null;
    if (recordedOpen && !viewOpen) events.push({ at, kind: 'resolved' });
    if (!recordedOpen && viewOpen) events.push({ at, kind: 'reopened', severity: view.severity });
    else if (viewOpen && view.severity !== severity)
      events.push({
        at,
        kind: RANK[view.severity] > RANK[severity] ? 'escalated' : 'calmed',
        severity: view.severity,
      });
  }
  const observed = wave.events.at(-1)?.observed;
  return { events, write: events.length > 0 || alert.evidence.observed !== observed };
}

/**
 * Each event with what recording it changes, from the severity recorded before the first one.
 * Updates never touch the status: a user's "resolved" or "acknowledged" stands. Only the
 * detector's own reopening takes an alert out of "resolved".
 */
export function recordingsOf(
  events: readonly AlertEvent[],
  severity: Severity,
  evidence: AlertEvidence,
): { event: AlertEvent; changes: AlertChanges }[] {
  let current = severity;
  return events.map((event) => {
    const next = event.severity ?? current;
    current = next;
    const changes: AlertChanges =
      event.kind === 'resolved'
        ? { status: 'resolved', resolvedAt: event.at, evidence }
        : event.kind === 'reopened'
          ? { status: 'open', resolvedAt: null, severity: next, evidence }
          : { severity: next, evidence };
    return { event, changes };
  });
}

/** The positions in the alert's history of the detector's events that notify. */
export function notifiableEvents(alert: Pick<Alert, 'history'>): number[] {
  return [...alert.history.entries()]
    .filter(([, event]) => NOTIFIABLE.has(event.kind) && !event.by)
    .map(([index]) => index);
}
