/**
 * Counts what the doors staged: drains the counts' inbox in batches (exactly once, see
 * src/store/counts-repository.ts) and asks the detector to look at every touchpoint that
 * changed. The `sweep` job only asks for a drain, in case a request was lost with Redis.
 */
import type { Job } from 'bullmq';
import type { Logger } from '../logger.js';
import { countJobSchema, sweepJobSchema, type Queues } from '../queue/queues.js';
import type { CountsRepository } from '../store/counts-repository.js';
import { classifyForQueue } from './_errors.js';

export interface CountDeps {
  counts: Pick<CountsRepository, 'drain'>;
  queues: Pick<Queues, 'enqueueCount' | 'enqueueDetect'>;
  logger: Logger;
  /** Contributions per drain batch. @default 5000 */
  batch?: number;
}

export type CountResult = { counted: number; touchpoints: number } | { swept: true };

/** A job drains for about this long, then leaves the rest to the next one (locks stay short). */
const DRAIN_FOR_MS = 20_000;
/**
 * A job that counted this many is a bulk load (a real-time stream of 50 mentions a second is
 * counted every half second): detection then waits longer, see `BULK_DETECT_DELAY_MS`.
 */
const BULK_COUNT = 1_000;

export function createCountProcessor(deps: CountDeps) {
  return async (job: Job): Promise<CountResult> => {
    try {
      if (job.name === 'sweep') {
        sweepJobSchema.parse(job.data);
        await deps.queues.enqueueCount();
        return { swept: true };
      }
      countJobSchema.parse(job.data);
      const started = Date.now();
      const touchpoints = new Set<string>();
      let counted = 0;
      for (;;) {
        const r = await deps.counts.drain(deps.batch ?? 5_000);
        counted += r.counted;
        for (const c of r.changed) if (c.dim === 'touchpoint') touchpoints.add(c.key);
        if (r.counted === 0) break;
        if (Date.now() - started > DRAIN_FOR_MS) {
          await deps.queues.enqueueCount();
          break;
        }
      }
      const bulk = counted >= BULK_COUNT;
      for (const touchpoint of touchpoints)
        await deps.queues.enqueueDetect({ touchpoint }, { bulk });
      return { counted, touchpoints: touchpoints.size };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
