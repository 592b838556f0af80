/**
 * The weak-link detection of one touchpoint: the job's reads, writes and order. It reads the
 * touchpoint's 15-minute buckets (event time) over the detector's horizon, runs the detector over
 * the whole series, and brings the stored alerts in line with the waves it finds, as
 * src/alerts/reconcile.ts decides (one alert per wave, duplicates merged, each detector event
 * recorded once and in order); then it (re)queues every notifiable event: the notify side keeps
 * one delivery per event and channel, so a crash between recording and queueing loses nothing
 * and sends nothing twice.
 * The detector is causal (a decision at bucket t reads buckets ≤ t only), so appending data never
 * rewrites earlier decisions.
 */
import type { Job } from 'bullmq';
import type { Touchpoint as TouchpointConfig } from '../analysis/journey.js';
import {
  mergeOf,
  notifiableEvents,
  pickWaveAlert,
  recordedSeverity,
  recordingsOf,
  reconcileAlert,
  withdrawalOf,
  sameWaveWindow,
  waveAlertSpec,
} from '../alerts/reconcile.js';
import type { BucketStats, Wave, WaveEvent } from '../detection/types.js';
import type { DetectionParams } from '../detection/params.js';
import { detectWaves } from '../detection/weak-link.js';
import { DAY_MS, floorTo, QUARTER_MS } from '../domain/calendar.js';
import type { Alert, AlertEvidence, AlertQuote } from '../domain/alert.js';
import type { Logger } from '../logger.js';
import type { MetricsRecorder } from '../ops/recorder.js';
import { detectJobSchema, tickJobSchema, type Queues } from '../queue/queues.js';
import type { AlertsRepository } from '../store/alerts-repository.js';
import { zeroFilled, type Bucket, type CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { classifyForQueue } from './_errors.js';

export interface DetectDeps {
  /** The journey in force (an admin may change it through the API): read on every run. */
  touchpoints: TouchpointConfig[] | (() => readonly TouchpointConfig[]);
  params: DetectionParams;
  counts: CountsRepository;
  mentions: MentionsRepository;
  alerts: AlertsRepository;
  queues: Pick<Queues, 'enqueueNotify' | 'enqueueDetect'>;
  logger: Logger;
  /** Alerts opened, by kind and severity. */
  metrics?: Pick<MetricsRecorder, 'alertOpened'>;
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
/** When nothing new is said, quiet buckets are read up to now, but no further than this. */
const QUIET_EXTENSION_MS = 2 * DAY_MS;
/** Quotes kept with an alert are cut to this many characters. */
const QUOTE_LENGTH = 280;

export function createDetectProcessor(deps: DetectDeps) {
  const given = deps.touchpoints;
  const current = typeof given === 'function' ? given : () => given;
  return async (job: Job): Promise<DetectResult> => {
    const touchpoints = new Map(current().map((t) => [t.id, t]));
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
      const seen = new Set<string>();
      for (const wave of waves) {
        const last = wave.events.at(-1)!;
        // Quotes cost a read per mention: fetched only when something is written.
        let pending: Promise<AlertEvidence> | undefined;
        const evidence = () => (pending ??= evidenceOf(deps, series.byStart, last));
        // The same wave seen earlier on less data (mentions still arriving, batches replayed
        // out of order after a fault) may have opened a little later, or more than once.
        const { alert: known, duplicates } = pickWaveAlert(
          await deps.alerts.list({
            kind: 'weak-link',
            touchpoint: tpId,
            ...sameWaveWindow(wave, BUCKET_MS),
            limit: 20,
          }),
        );
        const { alert, created } = known
          ? { alert: known, created: false }
          : await deps.alerts.openOnce({
              ...waveAlertSpec({ id: tp.id, stage: tp.stage, label: tp.label }, wave),
              evidence: await evidence(),
            });
        if (created) {
          opened++;
          deps.metrics?.alertOpened(alert.kind, alert.severity);
        }
        seen.add(alert.id);
        for (const dup of duplicates) {
          seen.add(dup.id);
          const merge = mergeOf(dup, alert, last.at);
          if (merge) await deps.alerts.record(dup.id, merge.event, merge.changes);
        }
        const final = await bringInLine(deps, alert, wave, evidence);
        for (const eventIndex of notifiableEvents(final))
          await deps.queues.enqueueNotify({ alertId: final.id, eventIndex });
      }
      // An open alert of this window whose wave is gone from the counts ends too.
      for (const alert of await deps.alerts.unresolved('weak-link', tpId)) {
        if (seen.has(alert.id) || alert.openedAt.getTime() < from) continue;
        const withdrawal = withdrawalOf(alert, new Date(to));
        if (!withdrawal) continue;
        const r = await deps.alerts.record(alert.id, withdrawal.event, withdrawal.changes);
        if (r) await deps.queues.enqueueNotify({ alertId: alert.id, eventIndex: r.eventIndex });
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
 * Records what src/alerts/reconcile.ts says brings the alert in line with the detector's view of
 * its wave (evidence read only when something is written); returns the alert as stored.
 */
async function bringInLine(
  deps: DetectDeps,
  alert: Alert,
  wave: Wave,
  evidenceOfWave: () => Promise<AlertEvidence>,
): Promise<Alert> {
  const { events, write } = reconcileAlert(alert, wave);
  if (!write) return alert;
  const evidence = await evidenceOfWave();
  let current = alert;
  for (const { event, changes } of recordingsOf(events, recordedSeverity(alert), evidence)) {
    const r = await deps.alerts.record(current.id, event, changes);
    if (!r) break;
    current = r.alert;
  }
  if (events.length === 0) {
    current = (await deps.alerts.updateEvidence(current.id, evidence)) ?? current;
  }
  return current;
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
