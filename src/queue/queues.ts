/**
 * The pipeline's queues, their job data (ids and cursors only, never payloads or secrets), and
 * the producer helpers every door uses.
 *
 *   poll.<kind> → count → detect → notify
 *
 * (Mentions are read at the door: see src/ingest/accept.ts.)
 *
 * One poll queue per source kind, because BullMQ's rate limiter applies to a whole queue.
 * Queue names may not contain ":".
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SourceConfig, SourceKind } from '../sources/index.js';

export const QUEUE = {
  poll: (kind: SourceKind) => `poll.${kind}` as const,
  count: 'count',
  detect: 'detect',
  notify: 'notify',
  health: 'health',
} as const;

export const pollJobSchema = z.object({ sourceId: z.string().min(1) }).strict();
/** `count`: drain the counts' inbox; `sweep`: ask for that, in case a request was lost. */
export const countJobSchema = z.object({}).strict();
export const sweepJobSchema = z.object({}).strict();
/**
 * `detect`: one touchpoint's detection up to its latest data; `extendToNow` also reads the quiet
 * buckets since, so that a wave can end when nothing more is said. `tick`: queues that for every
 * touchpoint with an alert still open.
 */
export const detectJobSchema = z
  .object({ touchpoint: z.string().min(1), extendToNow: z.boolean().optional() })
  .strict();
export const tickJobSchema = z.object({}).strict();
/** How often open alerts are looked at again when no new mention arrives. */
export const TICK_EVERY_MS = 15 * 60_000;
/** How often sources' health, and the digest's hour, are checked. */
export const OPS_CHECK_EVERY_MS = 60_000;
/** `fanout`: one alert event, routed to its channels; one `deliver` job per channel follows. */
export const notifyJobSchema = z
  .object({ alertId: z.string().regex(/^[0-9a-f]{24}$/), eventIndex: z.number().int().min(0) })
  .strict();
/** `deliver`: one delivery, by its idempotency key (alert, event, channel). */
export const deliverJobSchema = z.object({ deliveryKey: z.string().min(1) }).strict();
/** `digest` (notify queue): the daily digest, when its hour has come. */
export const digestJobSchema = z.object({}).strict();
/** `check` (health queue): every source's health, opening and resolving operational alerts. */
export const healthJobSchema = z.object({}).strict();

export type PollJob = z.infer<typeof pollJobSchema>;
export type DetectJob = z.infer<typeof detectJobSchema>;
export type NotifyJob = z.infer<typeof notifyJobSchema>;
export type DeliverJob = z.infer<typeof deliverJobSchema>;

/** Retention is bounded so Redis does not grow forever; failures are kept longer to inspect. */
const BASE_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1_000 },
  removeOnComplete: { age: 24 * 3600, count: 1_000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5_000 },
};

/** A receiver down for minutes still gets its alert: 2 s, 4 s, ... about 70 min in all. */
const NOTIFY_OPTIONS: JobsOptions = {
  ...BASE_OPTIONS,
  attempts: 12,
  backoff: { type: 'exponential', delay: 2_000 },
};

/** The options with their back-off delay multiplied by `scale` (tests wait 1/100 of it). */
function scaled(o: JobsOptions, scale: number): JobsOptions {
  const b = o.backoff;
  if (scale === 1 || typeof b !== 'object' || b.delay === undefined) return o;
  return { ...o, backoff: { ...b, delay: Math.max(1, Math.round(b.delay * scale)) } };
}

function fanoutJobId(job: NotifyJob): string {
  return `notify-${job.alertId}-${job.eventIndex}`;
}

/**
 * How long a detection waits for the rest of a burst of mentions: short, because an alert is
 * due within seconds of its mention (issue 9), and a run reads a few documents by `_id`.
 */
export const DETECT_DELAY_MS = 1_000;

/**
 * The same during a bulk load (an import, a backlog): a run reads five weeks of the touchpoint
 * and costs a third of a second of CPU, and what is loaded in bulk is mostly the past; run once
 * a second per touchpoint, detection would take the worker from the count.
 */
export const BULK_DETECT_DELAY_MS = 4_000;

/**
 * How long a drain waits for more of a burst: each drain rewrites every day document it touches
 * (a read and a write of the whole day on the bundled store), so a busy import counted every
 * half second costs far less than counted batch by batch.
 */
export const COUNT_DELAY_MS = 500;

/** How often the count sweep asks for a drain, in case a request was lost with Redis. */
export const SWEEP_EVERY_MS = 60_000;

export type Queues = ReturnType<typeof createQueues>;

export function createQueues(
  connection: Redis,
  prefix: string,
  kinds: SourceKind[],
  tuning: { retryDelayScale?: number } = {},
) {
  const scale = tuning.retryDelayScale ?? 1;
  const make = (name: string, base = BASE_OPTIONS) =>
    new Queue(name, { connection, prefix, defaultJobOptions: scaled(base, scale) });
  const poll = new Map(kinds.map((k) => [k, make(QUEUE.poll(k))]));
  const count = make(QUEUE.count);
  const detect = make(QUEUE.detect);
  const notify = make(QUEUE.notify, NOTIFY_OPTIONS);
  const health = make(QUEUE.health);
  const all = [...poll.values(), count, detect, notify, health];
  let closing: Promise<void> | undefined;

  return {
    all,
    count,
    detect,
    notify,
    health,
    pollQueue(kind: SourceKind): Queue {
      const q = poll.get(kind);
      if (!q) throw new Error(`queues: no poll queue for kind ${kind}`);
      return q;
    },

    /**
     * Asks for the counts' inbox to be drained. Never two drains at once, in any process (the
     * drain's exactly-once counting relies on it): while one runs, one more waits to run after
     * it, so nothing staged goes uncounted.
     */
    async enqueueCount(): Promise<void> {
      await count.add(
        'count',
        {},
        { deduplication: { id: 'count', keepLastIfActive: true }, delay: COUNT_DELAY_MS },
      );
    },

    /**
     * Coalesces detection: while a detect job for this rule and window waits, further requests
     * join it; while one runs, one more is kept to run after it, so no mention goes unseen.
     */
    async enqueueDetect(job: DetectJob, opts: { bulk?: boolean } = {}): Promise<void> {
      // Never two runs at once for one touchpoint (they would append the same events twice),
      // and a short delay lets a burst of mentions (an import) land before the run reads them.
      await detect.add('detect', job, {
        deduplication: { id: `detect-${job.touchpoint}`, keepLastIfActive: true },
        delay: opts.bulk ? BULK_DETECT_DELAY_MS : DETECT_DELAY_MS,
      });
    },

    /** One alert event to notify; the job id makes a repeat of the same event a no-op. */
    async enqueueNotify(job: NotifyJob): Promise<void> {
      await notify.add('fanout', job, { jobId: fanoutJobId(job) });
    },

    /**
     * Whether the fanout of this event is over: done, given up, or gone (removed once done, or
     * never queued because the event notifies nobody). Events are queued in their order, so an
     * earlier event's fanout that is missing is not still to come.
     */
    async fanoutSettled(job: NotifyJob): Promise<boolean> {
      const state = await notify.getJobState(fanoutJobId(job));
      return state === 'completed' || state === 'failed' || state === 'unknown';
    },

    /** Whether a delivery's job is over (done, given up) or gone: no attempt of it is to come. */
    async deliverSettled(deliveryKey: string): Promise<boolean> {
      const state = await notify.getJobState(deliverJobId(deliveryKey));
      return state === 'completed' || state === 'failed' || state === 'unknown';
    },

    /** One delivery; retried with backoff until delivered or dead (then re-sendable). */
    async enqueueDeliver(job: DeliverJob, opts: { force?: boolean } = {}): Promise<void> {
      // A re-send (force) must not be swallowed by the job id of the first, dead attempt.
      const jobId = deliverJobId(job.deliveryKey) + (opts.force ? `-${Date.now()}` : '');
      await notify.add('deliver', job, { jobId });
    },

    /**
     * One job scheduler per enabled source at its interval; schedulers of sources that were
     * removed or disabled are dropped. Plus the count sweep, the detection tick and the
     * operational check.
     */
    async syncSchedules(sources: SourceConfig[]): Promise<void> {
      for (const [kind, queue] of poll) {
        const wanted = sources.filter((s) => s.kind === kind && s.enabled);
        const wantedIds = new Set(wanted.map((s) => `poll-${s.id}`));
        for (const s of await queue.getJobSchedulers()) {
          if (!wantedIds.has(s.key)) await queue.removeJobScheduler(s.key);
        }
        for (const s of wanted) {
          await queue.upsertJobScheduler(
            `poll-${s.id}`,
            { every: s.every },
            { name: 'poll', data: { sourceId: s.id } satisfies PollJob },
          );
        }
      }
      await count.upsertJobScheduler(
        'sweep',
        { every: SWEEP_EVERY_MS },
        { name: 'sweep', data: {} },
      );
      await detect.upsertJobScheduler('tick', { every: TICK_EVERY_MS }, { name: 'tick', data: {} });
      await notify.upsertJobScheduler(
        'digest',
        { every: OPS_CHECK_EVERY_MS },
        { name: 'digest', data: {} },
      );
      // Earlier versions checked sources' health on the notify queue too.
      await notify.removeJobScheduler('ops-check');
      await health.upsertJobScheduler(
        'check',
        { every: OPS_CHECK_EVERY_MS },
        { name: 'check', data: {} },
      );
    },

    /** Safe to call twice. */
    close: () => (closing ??= Promise.all(all.map((q) => q.close())).then(() => undefined)),
  };
}

/** A delivery's job id (BullMQ job ids may not hold ':'). */
function deliverJobId(deliveryKey: string): string {
  return `deliver-${deliveryKey}`.replace(/:/g, '_');
}
