/** Job durations and failures, from each worker's own events (the processors stay unaware). */
import type { Job, Worker } from 'bullmq';
import type { MetricsRecorder } from './recorder.js';

/**
 * Records every attempt a worker finishes: its duration (from the moment it was taken to the
 * moment it was settled) and, when it failed, whether a retry follows. A job held back on
 * purpose (`DelayedError`, rate limits) emits neither event and is not counted.
 */
export function instrumentWorker(
  worker: Worker,
  metrics: Pick<MetricsRecorder, 'jobFinished'>,
  now: () => number = Date.now,
): void {
  const record = (job: Job | undefined, outcome: 'completed' | 'failed') => {
    if (!job) return;
    // BullMQ sets `finishedOn` when a job is done for good: completed, or failed with no retry.
    const end = job.finishedOn ?? now();
    metrics.jobFinished({
      queue: worker.name,
      name: job.name,
      outcome,
      seconds: job.processedOn ? (end - job.processedOn) / 1000 : Number.NaN,
      final: outcome === 'failed' && Boolean(job.finishedOn),
    });
  };
  worker.on('completed', (job) => record(job, 'completed'));
  worker.on('failed', (job) => record(job, 'failed'));
}
