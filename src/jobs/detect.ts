/**
 * The weak-link detection of one touchpoint. It reads the touchpoint's 15-minute buckets (event
 * time) over the detector's horizon, runs the detector over the whole series, and reconciles what
 * it finds with the stored alerts:
 * - a wave is one alert, keyed by touchpoint and opening bucket, so a re-run or a replay of the
 *   same history finds the same alert instead of opening another;
 * - the detector's events (escalated, calmed, resolved) are appended once each, in order;
 * - every notifiable event is (re)queued on every run: the notify side keeps one delivery per
 *   event and channel, so a crash between recording and queueing loses nothing and sends
 *   nothing twice.
 * The detector is causal (a decision at bucket t reads buckets ≤ t only), so appending data never
 * rewrites earlier decisions.
 */
import type { Job } from 'bullmq';
import type { Touchpoint as TouchpointConfig } from '../analysis/journey.js';
import type { BucketStats, Wave, WaveEvent } from '../detection/types.js';
import type { DetectionParams } from '../detection/params.js';
import { detectWaves } from '../detection/weak-link.js';
import { DAY_MS, floorTo, HOUR_MS, QUARTER_MS } from '../domain/calendar.js';
import type {
  Alert,
  AlertEvent,
  AlertEventKind,
  AlertEvidence,
  AlertQuote,
  Severity,
} from '../domain/alert.js';
import type { Logger } from '../logger.js';
import { detectJobSchema, tickJobSchema, type Queues } from '../queue/queues.js';
import type { AlertsRepository } from '../store/alerts-repository.js';
import { zeroFilled, type Bucket, type CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { classifyForQueue } from './_errors.js';

export interface DetectDeps {
  touchpoints: TouchpointConfig[];
  params: DetectionParams;
  counts: CountsRepository;
  mentions: MentionsRepository;
  alerts: AlertsRepository;
  queues: Pick<Queues, 'enqueueNotify' | 'enqueueDetect'>;
  logger: Logger;
  now?: () => Date;
}

export type DetectResult =
  | { touchpoint: string; buckets: number; waves: number; opened: number }
  | { ticked: number };

const BUCKET_MS = QUARTER_MS;
/** How much history the detector reads: its baseline's 28 days plus a week of waves. */
const HORIZON_DAYS = 35;
/** Another touchpoint counts as hit by the same wave from this many negatives in a bucket. */
const CONTAGION_MIN_NEGATIVE = 2;
const CONTAGION_DAYS = 2;
/** An alert opened this close before a wave's opening is that wave's. */
const SAME_WAVE_MS = 6 * HOUR_MS;
/** When nothing new is said, quiet buckets are read up to now, but no further than this. */
const QUIET_EXTENSION_MS = 2 * DAY_MS;
/** Quotes kept with an alert are cut to this many characters. */
const QUOTE_LENGTH = 280;
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

export function createDetectProcessor(deps: DetectDeps) {
  const touchpoints = new Map(deps.touchpoints.map((t) => [t.id, t]));

  return async (job: Job): Promise<DetectResult> => {
    try {
      if (job.name === 'tick') {
        tickJobSchema.parse(job.data);
        const open = new Set(
          (await deps.alerts.unresolved('weak-link')).map((a) => a.touchpoint?.id ?? ''),
        );
        for (const touchpoint of open) {
          if (touchpoints.has(touchpoint)) {
            await deps.queues.enqueueDetect({ touchpoint, extendToNow: true });
          }
        }
        return { ticked: open.size };
      }
      const { touchpoint: tpId, extendToNow } = detectJobSchema.parse(job.data);
      const tp = touchpoints.get(tpId);
      const latest = tp ? await deps.counts.latest('touchpoint', tpId, '15m') : null;
      if (!tp || !latest) return { touchpoint: tpId, buckets: 0, waves: 0, opened: 0 };

      // The window ends with the touchpoint's latest data, never past now: the doors refuse a
      // date in the future, and even a mention that slipped through (a clock far ahead) cannot
      // move five weeks of baseline out of the detector's sight.
      const now = floorTo((deps.now?.() ?? new Date()).getTime(), BUCKET_MS);
      let to = Math.min(latest.getTime(), now) + BUCKET_MS;
      if (extendToNow) to = Math.max(to, Math.min(now, to + QUIET_EXTENSION_MS));
      const from = to - HORIZON_DAYS * DAY_MS;
      const own = await deps.counts.range({
        dim: 'touchpoint',
        key: tpId,
        size: '15m',
        from: new Date(from),
        to: new Date(to),
      });
      // Contagion is read over the recent days only, from one document a day for all the
      // touchpoints.
      const recentFrom = Math.max(from, to - CONTAGION_DAYS * DAY_MS);
      const others = await deps.counts.touchpointNegatives({
        from: new Date(recentFrom),
        to: new Date(to),
      });
      const series = seriesOf(tpId, own, others, from, to, CONTAGION_MIN_NEGATIVE);
      const waves = detectWaves(series.stats, deps.params, BUCKET_MS);

      let opened = 0;
      for (const wave of waves) {
        const last = wave.events.at(-1)!;
        // Quotes cost a read per mention: fetched only when something is written.
        let pending: Promise<AlertEvidence> | undefined;
        const evidence = () => (pending ??= evidenceOf(deps, series.byStart, last));
        // The same wave seen earlier on less data (mentions still arriving, batches replayed
        // out of order after a fault) may have opened a little later, or more than once: it is
        // one alert, the earliest, and the others are merged into it.
        const end = (wave.resolvedAt ?? last.at).getTime() + BUCKET_MS;
        const same = (
          await deps.alerts.list({
            kind: 'weak-link',
            touchpoint: tpId,
            openedSince: new Date(wave.openedAt.getTime() - SAME_WAVE_MS),
            openedUntil: new Date(end),
            limit: 20,
          })
        ).toSorted((a, b) => a.openedAt.getTime() - b.openedAt.getTime());
        const [known, ...duplicates] = same;
        const { alert, created } = known
          ? { alert: known, created: false }
          : await deps.alerts.openOnce({
              key: `weak-link:${tpId}:${wave.openedAt.toISOString()}`,
              kind: 'weak-link',
              touchpoint: { id: tp.id, stage: tp.stage, label: tp.label },
              title: `${tp.label.en} / ${tp.label.fr}`,
              openedAt: wave.openedAt,
              severity: wave.events[0]?.severity ?? 'warning',
              evidence: await evidence(),
            });
        if (created) opened++;
        for (const dup of duplicates) await mergeInto(deps, dup, alert, last.at);
        const final = await recordNewEvents(deps, alert, wave, evidence);
        for (const [index, event] of final.history.entries()) {
          if (NOTIFIABLE.has(event.kind) && !event.by)
            await deps.queues.enqueueNotify({ alertId: final.id, eventIndex: index });
        }
      }
      if (opened > 0)
        deps.logger.info({ queue: job.queueName, touchpoint: tpId, opened }, 'weak link');
      return { touchpoint: tpId, buckets: series.stats.length, waves: waves.length, opened };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}

/**
 * Brings the alert in line with the detector's view of its wave; returns the alert as stored.
 * When the events already recorded are the start of the view's (the usual case: data arrives in
 * order), the rest are appended one by one. When they are not (the view changed as late data
 * came in), one event moves the alert from its recorded state to the view's present state
 * (reopened, escalated, calmed or resolved), dated no earlier than the last recorded one: the
 * history stays in time order, and nothing already said is contradicted out of order.
 */
async function recordNewEvents(
  deps: DetectDeps,
  alert: Alert,
  wave: Wave,
  evidenceOfWave: () => Promise<AlertEvidence>,
): Promise<Alert> {
  const mine = alert.history.filter((h) => DETECTOR_KINDS.has(h.kind) && !h.by);
  let severity = mine.findLast((h) => h.severity)?.severity ?? alert.severity;
  const view: AlertEvent[] = [];
  let viewSeverity: Severity = wave.events[0]?.severity ?? 'warning';
  for (const ev of wave.events) {
    const kind = eventKind(ev, viewSeverity);
    viewSeverity = ev.severity ?? viewSeverity;
    view.push({ at: ev.at, kind, ...(kind === 'resolved' ? {} : { severity: viewSeverity }) });
  }
  const consistent = mine.every(
    (h, k) => view[k]?.kind === h.kind && view[k]?.at.getTime() === h.at.getTime(),
  );
  let todo: AlertEvent[];
  if (consistent) {
    todo = view.slice(mine.length);
  } else {
    const lastAt = Math.max(...alert.history.map((h) => h.at.getTime()));
    const at = new Date(Math.max(lastAt, wave.events.at(-1)!.at.getTime()));
    const recordedOpen = mine.at(-1)?.kind !== 'resolved' && mine.at(-1)?.kind !== 'merged';
    const viewOpen = wave.resolvedAt === null;
    todo = [];
    if (recordedOpen && !viewOpen) todo.push({ at, kind: 'resolved' });
    if (!recordedOpen && viewOpen) todo.push({ at, kind: 'reopened', severity: viewSeverity });
    else if (viewOpen && viewSeverity !== severity)
      todo.push({
        at,
        kind: RANK[viewSeverity] > RANK[severity] ? 'escalated' : 'calmed',
        severity: viewSeverity,
      });
  }
  let current = alert;
  const observed = wave.events.at(-1)?.observed;
  if (todo.length === 0 && current.evidence.observed === observed) return current;
  const evidence = await evidenceOfWave();
  for (const ev of todo) {
    const next = ev.severity ?? severity;
    // Updates never touch the status: a user's "resolved" or "acknowledged" stands. Only the
    // detector's own reopening takes an alert out of "resolved".
    const r = await deps.alerts.record(
      current.id,
      ev,
      ev.kind === 'resolved'
        ? { status: 'resolved', resolvedAt: ev.at, evidence }
        : ev.kind === 'reopened'
          ? { status: 'open', resolvedAt: null, severity: next, evidence }
          : { severity: next, evidence },
    );
    if (!r) break;
    current = r.alert;
    severity = next;
  }
  if (todo.length === 0) {
    current = (await deps.alerts.updateEvidence(current.id, evidence)) ?? current;
  }
  return current;
}

/**
 * An alert opened for a wave that turned out to be part of an earlier alert's (seen on partial
 * data): resolved as merged, pointing at the one that stays, without a notification.
 */
async function mergeInto(deps: DetectDeps, dup: Alert, into: Alert, at: Date): Promise<void> {
  if (dup.id === into.id || dup.history.some((h) => h.kind === 'merged')) return;
  const lastAt = Math.max(at.getTime(), ...dup.history.map((h) => h.at.getTime()));
  await deps.alerts.record(
    dup.id,
    { at: new Date(lastAt), kind: 'merged', text: into.id },
    { status: 'resolved', resolvedAt: new Date(lastAt) },
  );
}

function eventKind(ev: WaveEvent, current: Severity): AlertEventKind {
  if (ev.kind === 'open') return 'opened';
  if (ev.kind === 'resolve') return 'resolved';
  return RANK[ev.severity ?? current] > RANK[current] ? 'escalated' : 'calmed';
}

/**
 * The touchpoint's series over [from, to), one entry a bucket, gaps as zeros; `contagion` counts
 * the other touchpoints with at least `contagionMin` negatives in the same bucket.
 */
function seriesOf(
  tpId: string,
  ownBuckets: Bucket[],
  others: { key: string; start: Date; negative: number }[],
  from: number,
  to: number,
  contagionMin: number,
) {
  const elevatedOthers = new Map<number, number>();
  for (const b of others) {
    const t = b.start.getTime();
    if (b.key !== tpId && b.negative >= contagionMin)
      elevatedOthers.set(t, (elevatedOthers.get(t) ?? 0) + 1);
  }
  const own = zeroFilled(ownBuckets, { dim: 'touchpoint', key: tpId, size: '15m', from, to });
  const byStart = new Map(own.map((b) => [b.start.getTime(), b]));
  const stats: BucketStats[] = own.map((b) => ({
    start: b.start,
    volume: b.volume,
    negative: b.negative,
    positive: b.positive,
    negativeAuthors: b.negativeByAuthor,
    negativeSources: b.negativeBySource,
    negativeTexts: b.negativeByText,
    negativeReach: b.negativeReach,
    negativeShares: b.negativeShares,
    contagion: elevatedOthers.get(b.start.getTime()) ?? 0,
  }));
  return { stats, byStart };
}

/**
 * Numbers and quotes of the wave so far, over the window its facts cover (from its first raised
 * bucket to the last event): the alert's JSON, its words and its quotes tell the same story.
 */
async function evidenceOf(
  deps: DetectDeps,
  byStart: Map<number, Bucket>,
  last: WaveEvent,
): Promise<AlertEvidence> {
  const { facts } = last;
  let reach = 0;
  const ids: string[] = [];
  const sources = new Set<string>();
  for (let t = facts.since.getTime(); t < facts.until.getTime(); t += BUCKET_MS) {
    const b = byStart.get(t);
    if (!b) continue;
    reach += b.negativeReach;
    ids.push(...b.negativeIds);
    for (const s of Object.keys(b.negativeBySource)) sources.add(s);
  }
  const mentions = await deps.mentions.findByIds([...new Set(ids)]);
  const top = mentions.toSorted((a, b) => (b.reach?.score ?? 0) - (a.reach?.score ?? 0));
  const quotes: AlertQuote[] = top.slice(0, 3).map((m) => ({
    mentionId: m.id,
    source: m.source,
    url: m.url,
    author: m.author.name || m.author.id,
    quote: m.text.length > QUOTE_LENGTH ? `${m.text.slice(0, QUOTE_LENGTH - 1)}…` : m.text,
    lang: m.lang ?? 'und',
    reach: m.reach?.score ?? 0,
    publishedAt: m.publishedAt,
  }));
  return {
    observed: last.observed,
    expected: last.expected,
    score: last.score,
    facts,
    negativeShare: facts.negativeShare,
    authors: facts.authors,
    sources: [...sources].toSorted(),
    reach: Math.round(reach * 1000) / 1000,
    quotes,
  };
}
