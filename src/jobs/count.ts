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
  /** The clock and the wait between drains (tests make both instant). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export type CountResult = { counted: number; touchpoints: number } | { swept: true };

/** A job drains for about this long, then leaves the rest to the next one (locks stay short). */
const DRAIN_FOR_MS = 20_000;
/**
 * A job that counted this many is a bulk load (a real-time stream of 50 mentions a second is
 * counted every half second): detection then waits longer, see `BULK_DETECT_DELAY_MS`.
 */
const BULK_COUNT = 1_000;
/**
 * A drain rewrites every day document its mentions touch, the explorer's index included, so its
 * cost is mostly the days', not the mentions': drains of 500 cost the store 1.5 to 2 s of CPU
 * per thousand mentions, drains of 5,000 about 0.27 (`npm run bench:drain`). So after a drain that
 * emptied the inbox and took this long, the job waits as long again (at most `MAX_GATHER_MS`)
 * to let the next batch gather; a quick drain (a few live mentions) is followed at once, and
 * alerts wait for nothing.
 */
const GATHER_AFTER_MS = 200;
const MAX_GATHER_MS = 5_000;

export function createCountProcessor(deps: CountDeps) {
  const now = deps.now ?? (() => Date.now());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const batch = deps.batch ?? 5_000;
  return async (job: Job): Promise<CountResult> => {
    try {
      if (job.name === 'sweep') {
        sweepJobSchema.parse(job.data);
        await deps.queues.enqueueCount();
        return { swept: true };
      }
      countJobSchema.parse(job.data);
      const started = now();
      const touchpoints = new Set<string>();
      let counted = 0;
      for (;;) {
        const began = now();
        const r = await deps.counts.drain(batch);
        const took = now() - began;
        counted += r.counted;
        for (const c of r.changed) if (c.dim === 'touchpoint') touchpoints.add(c.key);
        if (r.counted === 0) break;
        if (now() - started > DRAIN_FOR_MS) {
          await deps.queues.enqueueCount();
          break;
        }
        if (r.counted < batch && took >= GATHER_AFTER_MS)
          await sleep(Math.min(took, MAX_GATHER_MS));
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
