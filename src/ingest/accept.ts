/**
 * The one way into the pipeline, shared by the three doors (poll, API push, import): store each
 * mention on its natural key, then queue it for analysis. Storing first means a mention accepted
 * is never lost, even if Redis is: the analyze sweep re-queues what is still waiting.
 */
import { futureDateIssue, type MentionInput } from '../domain/mention.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { MentionsRepository } from '../store/mentions-repository.js';

export interface AcceptDeps {
  mentions: MentionsRepository;
  enqueueAnalyze(mentionIds: string[]): Promise<void>;
}

export interface AcceptSummary {
  accepted: number;
  duplicates: number;
  /** Per input, in order. */
  ids: string[];
}

/**
 * `fetchedAt` is also the clock a `publishedAt` may not be ahead of (beyond the allowed skew).
 * Each door checks that while parsing, where it can say which item is wrong; this repeats it
 * for any caller that did not, since one future-dated mention would blind its touchpoint's
 * detection.
 */
export async function acceptMentions(
  deps: AcceptDeps,
  inputs: MentionInput[],
  fetchedAt = new Date(),
): Promise<AcceptSummary> {
  const future = inputs.flatMap((m, i): ValidationIssue[] => {
    const issue = futureDateIssue(m.publishedAt, fetchedAt);
    return issue ? [{ ...issue, path: `${i}.${issue.path}` }] : [];
  });
  if (future.length > 0) throw new ValidationError('accept', future);
  const outcomes = await deps.mentions.accept(inputs, fetchedAt);
  // A duplicate still waiting for analysis is queued again: its first job may have been lost
  // between the store and the queue. The job id keeps this idempotent.
  const waiting = [...new Set(outcomes.filter((o) => o.status === 'received').map((o) => o.id))];
  await deps.enqueueAnalyze(waiting);
  const accepted = outcomes.filter((o) => o.inserted).length;
  return { accepted, duplicates: outcomes.length - accepted, ids: outcomes.map((o) => o.id) };
}
