/**
 * The metrics every process shares, named once. The API and the workers are separate processes
 * (and there may be several workers), so what a worker counts is written to Redis, under the
 * installation's prefix, and the API reads it when Prometheus scrapes `/metrics`:
 *
 * - a counter is one hash, `<prefix>:metrics:<name>`, one field per label set (the label values
 *   as a JSON array), incremented with HINCRBY;
 * - a histogram is two hashes: `…:<name>:buckets` counts observations per bucket (not
 *   cumulative: one HINCRBY an observation, on the field `[...labels, le]`), `…:<name>:sum` sums
 *   them (HINCRBYFLOAT); the scrape adds the buckets up.
 *
 * Labels are few and bounded (queues, sources, channel types, doors): never an id of a mention,
 * an alert or a user.
 */

/** How a shared metric is written and read. */
export interface SharedMetric<L extends string = string> {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  labels: readonly L[];
  /** Upper bounds of a histogram's buckets, ascending (`+Inf` is implied). */
  buckets?: readonly number[];
}

function counter<L extends string>(name: string, help: string, labels: readonly L[]) {
  return { name, help, type: 'counter', labels } as const satisfies SharedMetric<L>;
}

function histogram<L extends string>(
  name: string,
  help: string,
  labels: readonly L[],
  buckets: readonly number[],
) {
  return { name, help, type: 'histogram', labels, buckets } as const satisfies SharedMetric<L>;
}

/** Seconds, from a fast job (5 ms) to a long drain (a couple of minutes). */
export const JOB_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
] as const;

/** Which way mentions came in (src/ingest/accept.ts is shared by all of them). */
export type Door = 'poll' | 'api' | 'import' | 'demo';

/** Written by workers and doors (any process), read by the API at scrape time. */
export const SHARED_METRICS = {
  mentionsAccepted: counter(
    'maillon_mentions_accepted_total',
    'Mentions stored for the first time, by source id and door (poll, api, import, demo); rate() gives mentions per second.',
    ['source', 'door'],
  ),
  jobDuration: histogram(
    'maillon_job_duration_seconds',
    'Time a worker spent on one attempt of a job, by queue, job name and outcome (completed, failed).',
    ['queue', 'name', 'outcome'],
    JOB_DURATION_BUCKETS,
  ),
  jobFailures: counter(
    'maillon_job_failures_total',
    'Failed job attempts, by queue and job name; final="true" when no retry follows (the job is given up).',
    ['queue', 'name', 'final'],
  ),
  alertsOpened: counter(
    'maillon_alerts_opened_total',
    'Alerts opened, by kind (weak-link, operational) and severity at opening.',
    ['kind', 'severity'],
  ),
  deliveryFailures: counter(
    'maillon_delivery_failures_total',
    'Failed attempts to deliver a notification, by channel type; final="true" when the delivery is dead (re-sendable).',
    ['channel_type', 'final'],
  ),
  pollErrors: counter(
    'maillon_poll_errors_total',
    'Polls of a source that failed (HTTP error, parse error, timeout...), by source id and kind.',
    ['source', 'kind'],
  ),
  writesDropped: counter(
    'maillon_metrics_writes_dropped_total',
    'Metric writes a process could not make while Redis was unreachable or slow (counted once it answers again).',
    [],
  ),
} as const;

export type SharedMetricName = keyof typeof SHARED_METRICS;

/** Names of the metrics the API computes itself at scrape time or in process. */
export const API_METRICS = {
  queueJobs: {
    name: 'maillon_queue_jobs',
    help: 'Jobs in each queue by state (waiting, active, delayed, prioritized, failed, completed...), read from BullMQ at scrape time.',
  },
  sharedUp: {
    name: 'maillon_shared_metrics_up',
    help: '1 when this scrape could read the counters shared through Redis and the queue depths, 0 when Redis did not answer in time.',
  },
  httpDuration: {
    name: 'maillon_http_request_duration_seconds',
    help: 'API request durations by method, route pattern and status code.',
  },
} as const;

/** Seconds, for API requests. */
export const HTTP_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

/** Prefix of the default process metrics (`maillon_process_cpu_seconds_total`...). */
export const DEFAULT_METRICS_PREFIX = 'maillon_';

/** The Redis key of a metric (a counter's hash, or a histogram's `buckets`/`sum` hash). */
export function metricKey(prefix: string, name: string, part?: 'buckets' | 'sum'): string {
  return `${prefix}:metrics:${name}${part ? `:${part}` : ''}`;
}

/** A hash field: the label values, in the metric's label order. */
export function labelField(values: readonly string[]): string {
  return JSON.stringify(values);
}

/** The label values of a hash field, or null when it is not `n` strings (a foreign field). */
export function parseLabelField(field: string, n: number): string[] | null {
  try {
    const v: unknown = JSON.parse(field);
    return Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string') ? v : null;
  } catch {
    return null;
  }
}

/** The `le` of the bucket a value falls in: the first bound ≥ it, or `+Inf`. */
export function bucketOf(value: number, buckets: readonly number[]): string {
  for (const b of buckets) if (value <= b) return String(b);
  return '+Inf';
}
