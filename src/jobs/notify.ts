/**
 * The notify worker's three jobs:
 *
 * - `fanout` {alertId, eventIndex}: routes one alert event to its channels and creates one
 *   delivery per channel, keyed `<alertId>:<eventIndex>:<channelId>` (created once however often
 *   the job runs), then queues a `deliver` job for each;
 * - `deliver` {deliveryKey}: sends one delivery, unless it was delivered already. A failure is
 *   recorded and rethrown so that BullMQ retries with backoff; the last attempt, or a refusal
 *   that retrying cannot fix (4xx other than 408/429), marks it `dead`: listed by the API and
 *   re-sendable;
 * - `digest` {}: the daily digest, when due (./ops-check.ts); sources' health has its own queue.
 *
 * An alert's events reach each channel in their order: "resolved" never before "getting worse",
 * an escalation never before its opening. The fanout of event k waits until the fanouts of the
 * alert's earlier events are over, so their deliveries exist; the delivery of event k to a
 * channel waits while a delivery of an earlier event to that channel is pending, retries and
 * back-off included. Waiting is a delayed job (`moveToDelayed` + `DelayedError`), which spends
 * no attempt; a dead delivery no longer holds the ones after it.
 */
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { sendToChannel, type Outgoing } from '../alerts/channels/index.js';
import { muteReason, NOTIFYING_EVENTS, routeEvent } from '../alerts/routing.js';
import type { Alert } from '../domain/alert.js';
import { NotFoundError } from '../errors.js';
import type { MetricsRecorder } from '../ops/recorder.js';
import { fileChannels, type ChannelCatalog } from '../settings/channel-catalog.js';
import {
  deliverJobSchema,
  notifyJobSchema,
  digestJobSchema,
  type Queues,
} from '../queue/queues.js';
import { classifyForQueue, errorMessage } from './_errors.js';
import { createOpsChecks, type DigestCheckResult, type OpsCheckDeps } from './ops-check.js';

/**
 * Everything the notify worker needs. Wiring, in src/runtime.ts:
 *
 * ```ts
 * createNotifyProcessor({
 *   alertsConfig: config.alerts, catalog: rt.catalog,
 *   touchpoints: config.touchpoints.touchpoints,
 *   alerts: rt.alerts, deliveries: rt.deliveries, sources: rt.sources,
 *   counts: rt.counts, queues: rt.queues, logger,
 *   publicUrl: config.api.publicUrl, timeoutMs: config.http.timeoutMs,
 *   timeZone: config.touchpoints.brand.timeZone,
 * })
 * ```
 */
export interface NotifyDeps extends OpsCheckDeps {
  queues: Pick<Queues, 'enqueueDeliver' | 'enqueueNotify' | 'fanoutSettled' | 'deliverSettled'>;
  /** Per request to a receiver. */
  timeoutMs: number;
  /** Alerts opened (operational, by the digest's checks) and delivery failures by channel type. */
  metrics?: Pick<MetricsRecorder, 'alertOpened' | 'deliveryFailed'>;
  /** Receivers the SSRF guard lets through although not public (`config.http.allowHosts`). */
  allowHosts?: readonly string[];
  /**
   * Channels and routes as they are now (src/settings/channel-catalog.ts: alerts.yaml's and the
   * API's), asked at every fanout and delivery. Default: alerts.yaml's alone (`alertsConfig`).
   */
  channels?: Pick<ChannelCatalog, 'get' | 'routing'>;
  /** The clock; tests move it. Default: the system's. */
  now?: () => Date;
  /**
   * How long an event held behind an earlier one waits before looking again, at first; the wait
   * grows with the time already waited, up to a minute. Default `ORDER_HOLD_MS`; tests shorten it.
   */
  holdMs?: number;
}

/** First wait of an event held behind an earlier one of the same alert. */
export const ORDER_HOLD_MS = 2_000;
/** Longest wait between two looks: a receiver down for an hour is looked at once a minute. */
const MAX_HOLD_MS = 60_000;

export interface FanoutResult {
  alertId: string;
  eventIndex: number;
  /** Deliveries created now, or found from an earlier run. */
  deliveries: string[];
  muted?: string;
}

export interface DeliverResult {
  deliveryKey: string;
  outcome: 'sent' | 'delivered-before' | 'dead' | 'unknown';
}

/** Earlier events of the alert whose notifications come first. */
function earlierNotifying(alert: Alert, eventIndex: number): number[] {
  return alert.history
    .slice(0, eventIndex)
    .flatMap((e, j) => (NOTIFYING_EVENTS.has(e.kind) ? [j] : []));
}

export type NotifyResult = FanoutResult | DeliverResult | DigestCheckResult;

export function createNotifyProcessor(deps: NotifyDeps) {
  const now = deps.now ?? (() => new Date());
  const channels = deps.channels ?? fileChannels(deps.alertsConfig);
  const checks = createOpsChecks(deps);
  const holdMs = deps.holdMs ?? ORDER_HOLD_MS;

  /**
   * Puts the job back, delayed, to run again later; never returns. The delay is on BullMQ's
   * clock (the system's), not on `now`, which tests may move.
   */
  const hold = async (job: Job, token: string | undefined, why: string): Promise<never> => {
    if (!token) throw new Error(`notify: cannot hold job ${job.id} without its lock token`);
    const waited = Date.now() - job.timestamp;
    const ms = Math.min(MAX_HOLD_MS, Math.max(holdMs, Math.round(waited / 10)));
    await job.moveToDelayed(Date.now() + ms, token);
    throw new DelayedError(why);
  };

  const fanout = async (job: Job, token?: string): Promise<FanoutResult> => {
    const { alertId, eventIndex } = notifyJobSchema.parse(job.data);
    const alert = await deps.alerts.findById(alertId);
    if (!alert) throw new NotFoundError('alert', alertId);
    const event = alert.history[eventIndex];
    if (!event) throw new NotFoundError('alert event', `${alertId}#${eventIndex}`);
    // Route only once the earlier events are routed: their deliveries must exist for this
    // event's deliveries to wait for them.
    for (const j of earlierNotifying(alert, eventIndex)) {
      if (!(await deps.queues.fanoutSettled({ alertId, eventIndex: j })))
        return hold(job, token, `notify: ${alertId}#${eventIndex} waits for the fanout of #${j}`);
    }
    const muted = muteReason(alert, event, now());
    if (muted) return { alertId, eventIndex, deliveries: [], muted };
    const routing = await channels.routing();
    const routed = routeEvent(alert, event, routing.routes, routing.channels);
    if (routed.length === 0) {
      deps.logger.warn({ alertId, eventIndex, kind: alert.kind }, 'alert event matches no route');
    }
    const keys: string[] = [];
    for (const channelId of routed) {
      const key = `${alertId}:${eventIndex}:${channelId}`;
      const { delivery } = await deps.deliveries.createOnce(
        { subject: 'alert', key, alertId, eventIndex, channelId, event: event.kind },
        now(),
      );
      // Also when it existed: a fanout that stopped between the two steps is completed here; the
      // deliver job's id makes the repeat a no-op.
      if (delivery.status === 'pending') await deps.queues.enqueueDeliver({ deliveryKey: key });
      keys.push(key);
    }
    return { alertId, eventIndex, deliveries: keys };
  };

  const deliver = async (
    job: Job,
    token?: string,
    signal?: AbortSignal,
  ): Promise<DeliverResult> => {
    const { deliveryKey } = deliverJobSchema.parse(job.data);
    const d = await deps.deliveries.get(deliveryKey);
    if (!d) return { deliveryKey, outcome: 'unknown' };
    if (d.status === 'delivered') return { deliveryKey, outcome: 'delivered-before' };
    // A stale retry of a delivery already given up on; a re-send sets it back to pending first.
    if (d.status === 'dead') return { deliveryKey, outcome: 'dead' };
    const dead = async (why: string): Promise<DeliverResult> => {
      await deps.deliveries.markDead(deliveryKey, why, now());
      return { deliveryKey, outcome: 'dead' };
    };
    const channel = await channels.get(d.channelId);
    if (!channel) return dead(`channel ${d.channelId} is no longer configured`);
    let msg: Outgoing;
    if (d.subject === 'alert') {
      const alert = await deps.alerts.findById(d.alertId);
      const event = alert?.history[d.eventIndex];
      if (!alert || !event) return dead(`alert event ${d.alertId}#${d.eventIndex} not found`);
      const before = earlierNotifying(alert, d.eventIndex).map(
        (j) => `${d.alertId}:${j}:${d.channelId}`,
      );
      const pending = await deps.deliveries.pendingAmong(before);
      // An earlier delivery waits its turn while its job lives (retrying, however long); one
      // still pending without a job (lost with Redis) has lost its job, not its turn: this one
      // goes, and the log says so.
      const alive: string[] = [];
      for (const key of pending) if (!(await deps.queues.deliverSettled(key))) alive.push(key);
      if (alive.length > 0)
        return hold(job, token, `notify: ${deliveryKey} waits for ${alive.join(', ')}`);
      if (pending.length > 0)
        deps.logger.warn(
          { deliveryKey, pending },
          'earlier deliveries pending without a job: sending this one out of order',
        );
      msg = { kind: 'alert', deliveryKey, alert, event, eventIndex: d.eventIndex };
    } else {
      const lang = deps.alertsConfig.digest?.lang;
      msg = { kind: 'digest', deliveryKey, digest: d.digest, ...(lang ? { lang } : {}) };
    }
    try {
      await sendToChannel({ ...deps, now }, channel, msg, signal);
    } catch (err) {
      const classified = classifyForQueue(err);
      const last =
        classified instanceof UnrecoverableError ||
        job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      deps.metrics?.deliveryFailed(channel.type, last);
      if (last) await deps.deliveries.markDead(deliveryKey, errorMessage(err), now());
      else await deps.deliveries.recordFailure(deliveryKey, errorMessage(err), now());
      throw classified;
    }
    await deps.deliveries.markDelivered(deliveryKey, now());
    return { deliveryKey, outcome: 'sent' };
  };

  return async (job: Job, token?: string, signal?: AbortSignal): Promise<NotifyResult> => {
    try {
      switch (job.name) {
        case 'fanout':
          return await fanout(job, token);
        case 'deliver':
          return await deliver(job, token, signal);
        case 'digest':
          digestJobSchema.parse(job.data);
          return await checks.digest(now());
        // Written by earlier versions; its scheduler is removed at start.
        case 'ops-check':
          return await checks.digest(now());
        default:
          throw new UnrecoverableError(`notify: unknown job name ${job.name}`);
      }
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
