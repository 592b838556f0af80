/**
 * Analyses one accepted mention (language, sentiment, touchpoints, relevance, reach), stores the
 * result and asks the detector to look at the windows the mention falls in. The `sweep` job
 * re-queues mentions whose analyze job was lost between the store and the queue.
 */
import type { Job } from 'bullmq';
import { analyzeMention, type TouchpointLinkFn } from '../analysis/analyze-mention.js';
import { textFingerprint } from '../analysis/text.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import { analyzeJobSchema, sweepJobSchema, SWEEP_EVERY_MS, type Queues } from '../queue/queues.js';
import type { CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { classifyForQueue } from './_errors.js';

export interface AnalyzeDeps {
  mentions: MentionsRepository;
  counts: CountsRepository;
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
      // Count, ask for detection, then mark analysed: a crash in between re-runs the job, and
      // counting is idempotent, so nothing is lost and nothing counts twice.
      await deps.counts.add(
        {
          mentionId,
          publishedAt: mention.publishedAt,
          source: mention.source,
          author: mention.author.id,
          textKey: textFingerprint(
            mention.title ? `${mention.title} ${mention.text}` : mention.text,
          ),
          reach: analysis.reach.score,
          shares: mention.engagement?.shares ?? 0,
          relevant: analysis.relevant,
          overall: analysis.sentiment.label,
          touchpoints: analysis.touchpoints.map((t) => ({
            id: t.id,
            stage: t.stage,
            label: t.sentiment.label,
          })),
        },
        { replace: mention.status === 'analyzed' },
      );
      if (analysis.relevant) {
        for (const t of analysis.touchpoints) await deps.queues.enqueueDetect({ touchpoint: t.id });
      }
      await deps.mentions.markAnalyzed(mentionId, analysis);
      return { mentionId, label: analysis.sentiment.label };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
