/**
 * Analyses one accepted mention (language, sentiment, touchpoints, relevance, reach), stores the
 * result and asks the detector to look at the windows the mention falls in. The `sweep` job
 * re-queues mentions whose analyze job was lost between the store and the queue.
 */
import type { Job } from 'bullmq';
import type { AlertRule } from '../../config/index.js';
import { analyzeMention, type TouchpointLinkFn } from '../analysis/analyze-mention.js';
import { windowStart } from '../alerts/rules.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { analyzeJobSchema, sweepJobSchema, SWEEP_EVERY_MS, type Queues } from '../queue/queues.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { classifyForQueue } from './_errors.js';

export interface AnalyzeDeps {
  mentions: MentionsRepository;
  rules: AlertRule[];
  link: TouchpointLinkFn;
  brandAliases: string[];
  /** Sources whose mentions must pass the watch query to count (searches, not own-page reviews). */
  watchedSources: ReadonlySet<string>;
  queues: Pick<Queues, 'enqueueAnalyze' | 'enqueueDetect'>;
  logger: Logger;
}

export type AnalyzeResult = { mentionId: string; label: string } | { requeued: number };

export function createAnalyzeProcessor(deps: AnalyzeDeps) {
  return async (job: Job): Promise<AnalyzeResult> => {
    try {
      if (job.name === 'sweep') {
        sweepJobSchema.parse(job.data);
        // Older than one sweep period: their job had every chance to run.
        const ids = await deps.mentions.findWaiting(new Date(Date.now() - SWEEP_EVERY_MS), 1_000);
        await deps.queues.enqueueAnalyze(ids);
        if (ids.length > 0)
          deps.logger.warn({ queue: job.queueName, requeued: ids.length }, 'mentions re-queued');
        return { requeued: ids.length };
      }
      const { mentionId } = analyzeJobSchema.parse(job.data);
      const mention = await deps.mentions.findById(mentionId);
      if (!mention) throw new NotFoundError('mention', mentionId);
      const analysis = analyzeMention(mention, {
        link: deps.link,
        brandAliases: deps.brandAliases,
        watched: deps.watchedSources.has(mention.source),
      });
      await deps.mentions.markAnalyzed(mentionId, analysis);
      if (analysis.relevant && analysis.sentiment.label === 'negative') {
        for (const rule of deps.rules) {
          await deps.queues.enqueueDetect({
            ruleId: rule.id,
            windowStart: windowStart(mention.publishedAt, rule.window).toISOString(),
          });
        }
      }
      return { mentionId, label: analysis.sentiment.label };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
