/**
 * Looks at one rule's window after a negative mention landed in it and opens an alert when the
 * rule is met. Opening is idempotent (one alert per rule and window) and notification jobs are
 * queued on every run, so a crash between the two loses nothing: deliveries are recorded and
 * never sent twice.
 */
import type { Job } from 'bullmq';
import type { AlertRule, ChannelConfig } from '../../config/index.js';
import { alertKey, isTriggered } from '../alerts/rules.js';
import type { Logger } from '../logger.js';
import { detectJobSchema, type Queues } from '../queue/queues.js';
import type { AlertsRepository } from '../store/alerts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { classifyForQueue } from './_errors.js';

export interface DetectDeps {
  rules: AlertRule[];
  channels: ChannelConfig[];
  mentions: MentionsRepository;
  alerts: AlertsRepository;
  queues: Pick<Queues, 'enqueueNotify'>;
  logger: Logger;
}

/** Quotes kept with an alert are cut to this many characters. */
const QUOTE_LENGTH = 280;

export type DetectResult = { ruleId: string; negative: number; alertId: string | null };

export function createDetectProcessor(deps: DetectDeps) {
  const rules = new Map(deps.rules.map((r) => [r.id, r]));
  return async (job: Job): Promise<DetectResult> => {
    try {
      const data = detectJobSchema.parse(job.data);
      const rule = rules.get(data.ruleId);
      // A rule removed from the config since the job was queued: nothing to do.
      if (!rule) return { ruleId: data.ruleId, negative: 0, alertId: null };
      const from = new Date(data.windowStart);
      const to = new Date(from.getTime() + rule.window);
      const found = await deps.mentions.negativeIn(from, to, { nth: rule.minNegative, top: 3 });
      if (!isTriggered(rule, found.count) || !found.nthAt) {
        return { ruleId: rule.id, negative: found.count, alertId: null };
      }
      const { alert, created } = await deps.alerts.openOnce({
        key: alertKey(rule, from),
        ruleId: rule.id,
        severity: rule.severity,
        title: rule.description || rule.id,
        openedAt: found.nthAt,
        windowStart: from,
        windowEnd: to,
        evidence: {
          negative: found.count,
          threshold: rule.minNegative,
          quotes: found.top.map((m) => ({
            mentionId: m.id,
            source: m.source,
            url: m.url,
            author: m.author.name || m.author.id,
            quote: m.text.length > QUOTE_LENGTH ? `${m.text.slice(0, QUOTE_LENGTH - 1)}…` : m.text,
            publishedAt: m.publishedAt,
          })),
        },
      });
      if (created)
        deps.logger.info(
          { queue: job.queueName, alertId: alert.id, ruleId: rule.id },
          'alert opened',
        );
      for (const channel of deps.channels)
        await deps.queues.enqueueNotify({ alertId: alert.id, channelId: channel.id });
      return { ruleId: rule.id, negative: found.count, alertId: alert.id };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
