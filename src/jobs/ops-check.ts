/**
 * The periodic looks at what nobody watches, each idempotent (a check that runs twice changes
 * nothing more):
 * - each source's health, which opens, escalates or resolves operational alerts: every minute on
 *   its own `health` queue (`createHealthProcessor`), run beside the pollers, so that a backlog
 *   of notifications never delays the news that a source broke, nor the reverse;
 * - the daily digest, sent once per day and channel: every minute on the notify queue, which
 *   delivers it.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import type { Touchpoint as TouchpointConfig } from '../analysis/journey.js';
import type { AlertsConfig } from '../alerts/settings.js';
import type { SourceCatalog } from '../ingest/source-catalog.js';
import { buildDigest, DAY_MS, digestDue, digestKey } from '../alerts/digest.js';
import { assessSource, type FailingProblem, type SilentProblem } from '../alerts/source-health.js';
import type { Alert, AlertEvidence } from '../domain/alert.js';
import type { Logger } from '../logger.js';
import type { MetricsRecorder } from '../ops/recorder.js';
import { healthJobSchema, type Queues } from '../queue/queues.js';
import { classifyForQueue } from './_errors.js';
import type { AlertsRepository } from '../store/alerts-repository.js';
import type { DeliveriesRepository } from '../store/deliveries-repository.js';
import type { CountsRepository } from '../store/counts-repository.js';
import type { SourcesRepository } from '../store/sources-repository.js';

/** What the ops check needs; a slice of the notify processor's dependencies. */
export interface OpsCheckDeps {
  /** `config.alerts`: channels, routes, digest and operational thresholds. */
  alertsConfig: AlertsConfig;
  /** Which sources should be polled (sources.yaml's and the API's). */
  catalog: Pick<SourceCatalog, 'list'>;
  /** `config.touchpoints.touchpoints`: labels and stages for the digest. */
  touchpoints: Pick<TouchpointConfig, 'id' | 'stage' | 'label'>[];
  alerts: AlertsRepository;
  deliveries: DeliveriesRepository;
  sources: Pick<SourcesRepository, 'list'>;
  /** The digest's negatives per touchpoint come from the counts. */
  counts: Pick<CountsRepository, 'touchpointNegatives'>;
  queues: Pick<Queues, 'enqueueDeliver' | 'enqueueNotify'>;
  logger: Logger;
  publicUrl: string;
  /** The brand's time zone (`brand.timeZone`): the hours in alerts' words are read on it. */
  timeZone: string;
  /** Alerts opened, by kind and severity. */
  metrics?: Pick<MetricsRecorder, 'alertOpened'>;
}

export interface HealthCheckResult {
  opened: string[];
  escalated: string[];
  resolved: string[];
}

export type DigestCheckResult = { digest: 'off' | 'not-due' | 'done-before' | 'queued' };

type Problem = FailingProblem | SilentProblem;

export function createOpsChecks(deps: OpsCheckDeps) {
  const { logger } = deps;
  const ops = deps.alertsConfig.operational;

  const open = async (sourceId: string, p: Problem, now: Date): Promise<string | null> => {
    const { alert, created } = await deps.alerts.openOnce(
      {
        key: `source-${p.kind}:${sourceId}:${p.since.toISOString()}`,
        kind: 'operational',
        sourceId,
        title: `Source ${sourceId} ${p.kind === 'failing' ? 'failing' : 'silent'}`,
        openedAt: now,
        severity: 'warning',
        evidence: evidenceOf(sourceId, p, now, ops.failingAfter),
      },
      now,
    );
    if (!created) return null;
    deps.metrics?.alertOpened(alert.kind, alert.severity);
    await deps.queues.enqueueNotify({ alertId: alert.id, eventIndex: alert.history.length - 1 });
    logger.warn({ alertId: alert.id, sourceId, problem: p.kind }, 'operational alert opened');
    return alert.id;
  };

  const resolve = async (alert: Alert, text: string, now: Date): Promise<string | null> => {
    const r = await deps.alerts.record(
      alert.id,
      { kind: 'resolved', at: now, text },
      { status: 'resolved', resolvedAt: now },
      now,
    );
    if (!r) return null;
    await deps.queues.enqueueNotify({ alertId: alert.id, eventIndex: r.eventIndex });
    logger.info(
      { alertId: alert.id, sourceId: alert.sourceId, text },
      'operational alert resolved',
    );
    return alert.id;
  };

  /** A source broken for `criticalAfter` is no longer a hiccup: one more message, critical. */
  const escalate = async (alert: Alert, p: Problem, now: Date): Promise<string | null> => {
    const r = await deps.alerts.record(
      alert.id,
      { kind: 'escalated', at: now, severity: 'critical' },
      {
        severity: 'critical',
        evidence: evidenceOf(alert.sourceId ?? '', p, now, ops.failingAfter),
      },
      now,
    );
    if (!r) return null;
    await deps.queues.enqueueNotify({ alertId: alert.id, eventIndex: r.eventIndex });
    logger.warn({ alertId: alert.id, sourceId: alert.sourceId }, 'operational alert escalated');
    return alert.id;
  };

  const checkSources = async (now: Date, result: HealthCheckResult): Promise<void> => {
    const states = new Map((await deps.sources.list()).map((s) => [s.id, s]));
    const wanted = new Map(
      (await deps.catalog.list()).filter((s) => s.enabled).map((s) => [s.id, s]),
    );
    for (const alert of await deps.alerts.unresolved('operational')) {
      // A source removed or disabled is not broken: nobody expects anything from it.
      if (alert.sourceId && !wanted.has(alert.sourceId)) {
        const id = await resolve(alert, 'source disabled or removed', now);
        if (id) result.resolved.push(id);
      }
    }
    for (const source of wanted.values()) {
      const state = states.get(source.id);
      if (!state) continue; // never polled yet
      const health = assessSource(
        {
          now,
          state,
          arrivals: state.arrivals ?? [],
        },
        ops,
      );
      const current = await deps.alerts.unresolved('operational', source.id);
      for (const kind of ['failing', 'silent'] as const) {
        const prefix = `source-${kind}:${source.id}:`;
        const mine = current.filter((a) => a.key.startsWith(prefix));
        const problem = health[kind];
        if (problem && mine.length === 0) {
          const id = await open(source.id, problem, now);
          if (id) result.opened.push(id);
        }
        for (const alert of mine) {
          const since = new Date(alert.key.slice(prefix.length));
          // Over when it worked again (failing) or brought something new (silent); not merely
          // when the rule stops holding, which a shifting rhythm could make flap.
          const over =
            kind === 'failing'
              ? state.consecutiveFailures === 0
              : health.lastArrival !== null && health.lastArrival > since;
          if (over) {
            const text = kind === 'failing' ? 'polls succeed again' : 'new mentions arrive again';
            const id = await resolve(alert, text, now);
            if (id) result.resolved.push(id);
          } else if (
            problem &&
            alert.severity !== 'critical' &&
            now.getTime() - since.getTime() >= ops.criticalAfter
          ) {
            const id = await escalate(alert, problem, now);
            if (id) result.escalated.push(id);
          }
        }
      }
    }
  };

  const checkDigest = async (now: Date): Promise<DigestCheckResult['digest']> => {
    const cfg = deps.alertsConfig.digest;
    if (!cfg) return 'off';
    const date = digestDue(now, cfg);
    if (!date) return 'not-due';
    const key = digestKey(date, cfg.channel);
    if (await deps.deliveries.get(key)) return 'done-before';
    const to = now;
    const from = new Date(to.getTime() - DAY_MS);
    const [current, previous, openAlerts] = await Promise.all([
      negativesByTouchpoint(deps.counts, from, to),
      negativesByTouchpoint(deps.counts, new Date(from.getTime() - DAY_MS), from),
      deps.alerts.unresolved('weak-link'),
    ]);
    const digest = buildDigest({
      date,
      now,
      touchpoints: deps.touchpoints,
      current,
      previous,
      openAlerts,
      publicUrl: deps.publicUrl,
      timeZone: deps.timeZone,
    });
    const { created } = await deps.deliveries.createOnce(
      { subject: 'digest', key, date, digest, channelId: cfg.channel },
      now,
    );
    if (created) await deps.queues.enqueueDeliver({ deliveryKey: key });
    return created ? 'queued' : 'done-before';
  };

  return {
    async health(now: Date): Promise<HealthCheckResult> {
      const result: HealthCheckResult = { opened: [], escalated: [], resolved: [] };
      await checkSources(now, result);
      return result;
    },
    async digest(now: Date): Promise<DigestCheckResult> {
      return { digest: await checkDigest(now) };
    },
  };
}

/** The `health` queue's processor: one `check` job a minute (its job scheduler). */
export function createHealthProcessor(deps: OpsCheckDeps & { now?: () => Date }) {
  const checks = createOpsChecks(deps);
  const now = deps.now ?? (() => new Date());
  return async (job: Job): Promise<HealthCheckResult> => {
    if (job.name !== 'check') throw new UnrecoverableError(`health: unknown job name ${job.name}`);
    healthJobSchema.parse(job.data);
    try {
      return await checks.health(now());
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}

/** The outage's numbers, and its facts for the words (src/alerts/explain.ts). */
function evidenceOf(sourceId: string, p: Problem, now: Date, failingAfter: number): AlertEvidence {
  const base = { negativeShare: 0, authors: 0, sources: [sourceId], reach: 0, quotes: [] };
  const forMs = now.getTime() - p.since.getTime();
  if (p.kind === 'failing') {
    return {
      ...base,
      observed: p.failures,
      expected: 0,
      score: forMs / failingAfter,
      outage: {
        problem: 'failing',
        since: p.since,
        checkedAt: now,
        failures: p.failures,
        ...(p.lastError ? { lastError: p.lastError.message } : {}),
      },
    };
  }
  return {
    ...base,
    observed: 0,
    expected: Math.round((forMs / p.usualGapMs) * 10) / 10,
    score: forMs / p.thresholdMs,
    outage: {
      problem: 'silent',
      since: p.since,
      checkedAt: now,
      usualGapMs: p.usualGapMs,
      thresholdMs: p.thresholdMs,
    },
  };
}

/** Negative mentions about each touchpoint published in [from, to) (to the quarter of an hour). */
export async function negativesByTouchpoint(
  counts: Pick<CountsRepository, 'touchpointNegatives'>,
  from: Date,
  to: Date,
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const b of await counts.touchpointNegatives({ from, to })) {
    out.set(b.key, (out.get(b.key) ?? 0) + b.negative);
  }
  return out;
}
