/**
 * What a polled page's drafts become before they enter the pipeline: each passes the same gate
 * as a pushed mention, stamped with its source. Shared by the poll job and the API's source test
 * (which shows what a poll would store, and stores nothing).
 */
import { futureDateIssue, parseMention, type MentionInput } from '../domain/mention.js';
import type { MentionDraft } from '../sources/index.js';

export interface DraftsRead {
  mentions: MentionInput[];
  /** Drafts the gate refused, with why. */
  rejected: { externalId: string; reason: string }[];
  /** Drafts dated in the future, kept at fetch time. */
  clamped: MentionDraft[];
}

export function mentionsFromDrafts(
  drafts: MentionDraft[],
  sourceId: string,
  fetchedAt: Date,
): DraftsRead {
  const out: DraftsRead = { mentions: [], rejected: [], clamped: [] };
  for (const [i, d] of drafts.entries()) {
    // A feed dated in the future (a wrong time zone or clock on the site, a scheduled post)
    // still shows an item that exists now: it was published no later than we saw it, so it
    // is kept at fetch time, as an undated item is, rather than lost or left to hold its
    // touchpoint's detection window in the future. Refusing it would lose a real complaint;
    // failing the poll would lose the whole feed.
    const future = futureDateIssue(d.publishedAt, fetchedAt);
    if (future) out.clamped.push(d);
    const publishedAt = future ? fetchedAt : d.publishedAt;
    try {
      out.mentions.push(
        parseMention(
          { ...d, source: sourceId, publishedAt: publishedAt.toISOString() },
          { now: fetchedAt, where: `item ${i}` },
        ),
      );
    } catch (err) {
      out.rejected.push({
        externalId: d.externalId,
        reason: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return out;
}
