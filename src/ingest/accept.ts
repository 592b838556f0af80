/**
 * The one way into the pipeline, shared by the three doors (poll, API push, import): read each
 * mention (language, sentiment, touchpoints: pure and fast), store it on its natural key with
 * its reading, and leave its contribution in the counts' inbox for the count job.
 *
 * A mention is read at the door rather than by a job of its own because the bundled store
 * charges a round trip per document it updates (issue 9): storing it once, read, is one insert a
 * batch. Its contribution enters the inbox *before* the mention is stored, so that a failure
 * between the two never leaves a stored mention uncounted: the caller retries, and the count
 * job counts a mention once however many times it was staged.
 */
import { textFingerprint } from '../analysis/text.js';
import { futureDateIssue, type MentionAnalysis, type MentionInput } from '../domain/mention.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { Contribution, CountsRepository } from '../store/counts-repository.js';
import { mentionId, type MentionsRepository } from '../store/mentions-repository.js';

export interface AcceptDeps {
  mentions: Pick<MentionsRepository, 'accept' | 'saveEdits'>;
  counts: Pick<CountsRepository, 'stage'>;
  /** Reads one mention (src/analysis/analyze-mention.ts with the brand's journey). */
  analyze(m: MentionInput): MentionAnalysis;
  /** Asks for the inbox to be counted (coalesced: one count job at a time). */
  enqueueCount(): Promise<void>;
}

export interface AcceptSummary {
  accepted: number;
  duplicates: number;
  /** Stored before with another text: rewritten, their counts moved to the new reading. */
  edited: number;
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
  if (inputs.length === 0) return { accepted: 0, duplicates: 0, edited: 0, ids: [] };

  const read = inputs.map((m) => ({ ...m, analysis: deps.analyze(m) }));
  const contributions = read.flatMap((m) =>
    m.analysis.relevant ? [contributionOf(mentionId(m.source, m.externalId), m, m.analysis)] : [],
  );
  await deps.counts.stage(contributions);
  const outcomes = await deps.mentions.accept(read, fetchedAt);
  // Edits: the new reading's counts go in first (with its version, the drain takes out what
  // the old one counted, once), then the mention is rewritten; a failure between the two is
  // found again by the next poll, which sees the old text still stored.
  const edits = outcomes.flatMap((o, i) =>
    o.editTo !== undefined ? [{ input: read[i]!, version: o.editTo }] : [],
  );
  const changes = edits.map(({ input, version }) => ({
    ...contributionOf(mentionId(input.source, input.externalId), input, input.analysis),
    version,
  }));
  await deps.counts.stage(changes);
  await deps.mentions.saveEdits(edits, fetchedAt);
  if (contributions.length + changes.length > 0) await deps.enqueueCount();
  const accepted = outcomes.filter((o) => o.inserted).length;
  return {
    accepted,
    duplicates: outcomes.length - accepted - edits.length,
    edited: edits.length,
    ids: outcomes.map((o) => o.id),
  };
}

/** What one read mention adds to the counts. */
export function contributionOf(
  id: string,
  m: MentionInput,
  analysis: MentionAnalysis,
): Contribution {
  return {
    mentionId: id,
    publishedAt: m.publishedAt,
    source: m.source,
    author: m.author.id,
    // Copies of one text are one voice, however many accounts post it.
    textKey: textFingerprint(m.title ? `${m.title} ${m.text}` : m.text),
    reach: analysis.reach.score,
    shares: m.engagement?.shares ?? 0,
    relevant: analysis.relevant,
    overall: analysis.sentiment.label,
    touchpoints: analysis.touchpoints.map((t) => ({
      id: t.id,
      stage: t.stage,
      label: t.sentiment.label,
    })),
  };
}
