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
import { createHash } from 'node:crypto';
import { setImmediate } from 'node:timers/promises';
import { indexKeysOf } from '../analysis/search-terms.js';
import { textFingerprint, tokenize } from '../analysis/text.js';
import { futureDateIssue, type MentionAnalysis, type MentionInput } from '../domain/mention.js';
import { ValidationError, type ValidationIssue } from '../errors.js';
import type { Contribution, CountsRepository } from '../store/counts-repository.js';
import type { CrosspostsRepository } from '../store/crossposts-repository.js';
import { mentionId, type MentionsRepository } from '../store/mentions-repository.js';
import type { Door } from '../ops/metrics.js';
import type { MetricsRecorder } from '../ops/recorder.js';

export interface AcceptDeps {
  mentions: Pick<MentionsRepository, 'accept' | 'saveEdits' | 'linkCrossPosts'>;
  /** Who posted which text where: a text one author posts on several sources counts once. */
  crossposts: Pick<CrosspostsRepository, 'claim'>;
  counts: Pick<CountsRepository, 'stage'>;
  /** Reads one mention (src/analysis/analyze-mention.ts with the brand's journey). */
  analyze(m: MentionInput): MentionAnalysis;
  /** Asks for the inbox to be counted (coalesced: one count job at a time). */
  enqueueCount(): Promise<void>;
  /**
   * Counts what was stored, per source and door (one write a batch, never waited for), and the
   * poll door's errors.
   */
  metrics?: Pick<MetricsRecorder, 'mentionsAccepted' | 'pollFailed'>;
  /** Which door this is, for the metrics. @default 'api' */
  door?: Door;
}

export interface AcceptSummary {
  accepted: number;
  duplicates: number;
  /** Stored before with another text: rewritten, their counts moved to the new reading. */
  edited: number;
  /** Stored, linked to the same author's same text on another source, counted once. */
  crossPosts: number;
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
  return acceptRead(deps, await readMentions(deps, inputs, fetchedAt));
}

/** A batch checked and read, ready to store (`acceptRead`). */
export interface ReadBatch {
  fetchedAt: Date;
  mentions: (MentionInput & { analysis: MentionAnalysis })[];
}

/** Mentions read between two turns of the event loop (see `readMentions`). */
const READ_CHUNK = 25;

/**
 * The CPU half of `acceptMentions`: checks the dates and reads each mention. An importer reads
 * its next batch while the store takes the last one (reading was a third of an import's time),
 * so the reading lets the event loop turn every few mentions: the stored batch's next request
 * goes out without waiting for the whole batch to be read.
 */
export async function readMentions(
  deps: Pick<AcceptDeps, 'analyze'>,
  inputs: MentionInput[],
  fetchedAt = new Date(),
): Promise<ReadBatch> {
  const future = inputs.flatMap((m, i): ValidationIssue[] => {
    const issue = futureDateIssue(m.publishedAt, fetchedAt);
    return issue ? [{ ...issue, path: `${i}.${issue.path}` }] : [];
  });
  if (future.length > 0) throw new ValidationError('accept', future);
  const mentions: ReadBatch['mentions'] = [];
  for (const m of inputs) {
    mentions.push({ ...m, analysis: deps.analyze(m) });
    if (mentions.length % READ_CHUNK === 0) await setImmediate();
  }
  return { fetchedAt, mentions };
}

/** The store half of `acceptMentions`. */
export async function acceptRead(deps: AcceptDeps, batch: ReadBatch): Promise<AcceptSummary> {
  const { fetchedAt, mentions: read } = batch;
  if (read.length === 0) return { accepted: 0, duplicates: 0, edited: 0, crossPosts: 0, ids: [] };
  // Cross-posts are claimed before anything is counted: a copy is stored, linked to the first
  // post, and not counted again.
  const keyed = read.flatMap((m) => {
    const key = crossPostKey(m);
    return counted(m.analysis) && key
      ? [{ key, mentionId: mentionId(m.source, m.externalId), source: m.source }]
      : [];
  });
  const copyOf = await deps.crossposts.claim(keyed, fetchedAt);
  // Every mention is staged: the drain also indexes it for the mention explorer. The counts
  // leave out what is not about the brand (see `counted`) and cross-post copies (index only).
  const contributions = read.map((m): Contribution => {
    const id = mentionId(m.source, m.externalId);
    const c = contributionOf(id, m, m.analysis);
    return copyOf.has(id) ? { ...c, indexOnly: 'copy' } : c;
  });
  await deps.counts.stage(contributions);
  const outcomes = await deps.mentions.accept(read, fetchedAt);
  const links = outcomes.flatMap((o) =>
    o.inserted && copyOf.has(o.id) ? [{ id: o.id, crossPostOf: copyOf.get(o.id)! }] : [],
  );
  await deps.mentions.linkCrossPosts(links);
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
  if (deps.metrics && accepted > 0)
    deps.metrics.mentionsAccepted(deps.door ?? 'api', bySource(read, outcomes));
  return {
    accepted,
    crossPosts: links.length,
    duplicates: outcomes.length - accepted - edits.length,
    edited: edits.length,
    ids: outcomes.map((o) => o.id),
  };
}

/** Mentions inserted per source (outcomes are in the inputs' order). */
function bySource(
  inputs: readonly { source: string }[],
  outcomes: readonly { inserted: boolean }[],
): Record<string, number> {
  const n: Record<string, number> = {};
  outcomes.forEach((o, i) => {
    const source = inputs[i]?.source;
    if (o.inserted && source !== undefined) n[source] = (n[source] ?? 0) + 1;
  });
  return n;
}

/** Texts shorter than this are too common to say two posts are one author's copy. */
const CROSS_POST_MIN_WORDS = 8;

/**
 * One author's one text, whatever the source: the author's name as people see it (handles differ
 * from site to site, names less), and the text's words, blind to case, accents, links and
 * handles. Null for a short text.
 */
export function crossPostKey(m: MentionInput): string | null {
  const words = tokenize(
    m.text.replace(/https?:\/\/\S+/g, ' ').replace(/[@#][\p{L}\p{N}_.]+/gu, ' '),
  );
  const name = tokenize(m.author.name || m.author.id).join(' ');
  if (words.length < CROSS_POST_MIN_WORDS || !name) return null;
  return createHash('sha256')
    .update(`${name}\n${words.join(' ')}`)
    .digest('base64url')
    .slice(0, 24);
}

/**
 * Whether a read mention counts: about the brand, or naming a competitor (then only under that
 * competitor, for share of voice).
 */
export function counted(analysis: Pick<MentionAnalysis, 'relevant' | 'competitors'>): boolean {
  return analysis.relevant || (analysis.competitors?.length ?? 0) > 0;
}

/**
 * What one read mention adds to the counts, and its keys in the mention explorer's index. Staging
 * it with the mention's next `version` re-reads the mention everywhere: the drain takes out what
 * the ledger says the previous version counted and indexed, and puts this in, once.
 */
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
    audience: analysis.reach.audience,
    score: analysis.sentiment.score,
    relevant: analysis.relevant,
    overall: analysis.sentiment.label,
    touchpoints: analysis.touchpoints.map((t) => ({
      id: t.id,
      stage: t.stage,
      label: t.sentiment.label,
      score: t.sentiment.score,
    })),
    ...(analysis.competitors?.length ? { brands: analysis.competitors } : {}),
    ix: indexKeysOf(m, analysis).join(' '),
  };
}
