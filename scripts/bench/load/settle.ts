/**
 * When a batch is through the pipeline: every queue idle and the store's counts in agreement.
 * Kept small and apart so that it follows the pipeline as it is rewritten.
 */
import type { Queue } from 'bullmq';
import type { Config } from '../../../config/index.js';
import { analyzeMention } from '../../../src/analysis/analyze-mention.js';
import { brandNames } from '../../../src/analysis/journey.js';
import { createTouchpointLinker } from '../../../src/analysis/touchpoints.js';
import { BUCKETS, type CountsRepository } from '../../../src/store/counts-repository.js';
import { BENCH_SOURCES, type WireMention } from './generate.js';

/**
 * Idle: no queue of the runtime holds a waiting, active, prioritized or delayed job (the next
 * run of a job scheduler — sweep, tick, ops-check — is a delayed job that is always there, and
 * does not count).
 */
export async function queuesIdle(queues: readonly Queue[]): Promise<boolean> {
  for (const q of queues) {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized', 'waiting-children');
    if (Object.values(c).some((n) => n > 0)) return false;
    const delayed = await q.getJobCounts('delayed');
    if ((delayed.delayed ?? 0) > 0) {
      const jobs = await q.getDelayed();
      if (jobs.some((j) => !j.repeatJobKey)) return false;
    }
  }
  return true;
}

/**
 * Counted: the sum of `volume` of the daily buckets of the whole store ('all') over the batch's
 * period [from, to), widened to whole quarters of an hour (counts are kept by the quarter, so a
 * quarter shared with the batch before or after adds its mentions too: `agreed` asks for at
 * least `expected`; exactly-once is the tests' business). Only relevant mentions count (the watch query of touchpoints.yaml, for the
 * searched sites), so `expected` is the number of the batch's mentions Maillon's own reader
 * finds relevant (see `createRelevance`). Each batch has a period of its own.
 */
export async function countedInPeriod(
  counts: CountsRepository,
  from: Date,
  to: Date,
): Promise<number> {
  const days = await counts.range({
    dim: 'all',
    size: '1d',
    from: new Date(Math.floor(from.getTime() / QUARTER_MS) * QUARTER_MS),
    to: new Date(Math.ceil(to.getTime() / QUARTER_MS) * QUARTER_MS),
  });
  return days.reduce((s, b) => s + b.volume, 0);
}

const QUARTER_MS = BUCKETS['15m'];

export interface SettleResult {
  counted: number;
  /** False when the counts stopped moving short of `expected` (reported, not hidden). */
  agreed: boolean;
}

/**
 * Waits until the queues are idle, the counts' inbox empty and the counts at least `expected`. Counts are read only while
 * idle (reading them costs the store). If the pipeline stays idle with the count unchanged for
 * `stuckMs`, it gives up and says so.
 */
export async function waitSettled(p: {
  queues: readonly Queue[];
  counts: CountsRepository;
  from: Date;
  to: Date;
  expected: number;
  pollMs?: number;
  stuckMs?: number;
  onWait?: (counted: number | null) => void;
}): Promise<SettleResult> {
  const pollMs = p.pollMs ?? 250;
  const stuckMs = p.stuckMs ?? 30_000;
  let last = -1;
  let since = Date.now();
  let lastReport = Date.now();
  for (;;) {
    // Idle, and nothing staged is left to count.
    const idle = (await queuesIdle(p.queues)) && (await p.counts.pending()) === 0;
    let counted: number | null = null;
    if (idle) {
      counted = await countedInPeriod(p.counts, p.from, p.to);
      if (counted >= p.expected) return { counted, agreed: true };
      if (counted !== last) {
        last = counted;
        since = Date.now();
      } else if (Date.now() - since > stuckMs) return { counted, agreed: false };
    } else {
      since = Date.now();
    }
    if (p.onWait && Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      p.onWait(counted);
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/**
 * Whether Maillon will count a mention: its own reader (watch query on searched sites), memoised
 * by text and declared language — the bank has a few thousand texts.
 */
export function createRelevance(config: Config): (m: WireMention) => boolean {
  const { link } = createTouchpointLinker(config.touchpoints);
  const brandAliases = brandNames(config.touchpoints.brand);
  const watched = new Set(BENCH_SOURCES.filter((s) => s.watched).map((s) => s.id));
  const memo = new Map<string, boolean>();
  return (m) => {
    if (!watched.has(m.source)) return true;
    const key = `${m.lang ?? ''}\u0000${m.title ?? ''}\u0000${m.text}`;
    let relevant = memo.get(key);
    if (relevant === undefined) {
      relevant = analyzeMention(
        {
          source: m.source,
          externalId: m.externalId,
          url: m.url,
          author: m.author,
          ...(m.title ? { title: m.title } : {}),
          text: m.text,
          ...(m.lang ? { lang: m.lang } : {}),
          publishedAt: new Date(m.publishedAt),
        },
        { link, brandAliases, watched: true },
      ).relevant;
      memo.set(key, relevant);
    }
    return relevant;
  };
}
