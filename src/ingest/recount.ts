/**
 * `maillon recount`: stages every stored mention's contribution again, for a store whose counts
 * were kept another way (before issue 9) or lost. Mentions stored before they were read at the
 * door are read now. The count job drops every mention it has already counted, so running this
 * twice, or on a store whose counts are whole, counts nothing twice.
 */
import type { MentionAnalysis } from '../domain/mention.js';
import type { CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';
import { contributionOf, counted, type AcceptDeps } from './accept.js';

export interface RecountDeps {
  mentions: Pick<MentionsRepository, 'scan' | 'saveAnalysis'>;
  counts: Pick<CountsRepository, 'stage'>;
  analyze: AcceptDeps['analyze'];
  enqueueCount(): Promise<void>;
}

export interface RecountSummary {
  mentions: number;
  /** Stored unread, read now. */
  read: number;
  /** Relevant ones, staged for the count job. */
  staged: number;
}

export async function recountStored(
  deps: RecountDeps,
  opts: { batchSize?: number; onProgress?: (s: RecountSummary) => void } = {},
): Promise<RecountSummary> {
  const summary: RecountSummary = { mentions: 0, read: 0, staged: 0 };
  for await (const batch of deps.mentions.scan(opts.batchSize ?? 500)) {
    const contributions = [];
    for (const m of batch) {
      let analysis = storedAnalysis(m);
      if (!analysis) {
        analysis = deps.analyze(m);
        await deps.mentions.saveAnalysis(m.id, analysis);
        summary.read++;
      }
      if (counted(analysis)) contributions.push(contributionOf(m.id, m, analysis));
    }
    await deps.counts.stage(contributions);
    summary.mentions += batch.length;
    summary.staged += contributions.length;
    opts.onProgress?.(summary);
  }
  if (summary.staged > 0) await deps.enqueueCount();
  return summary;
}

/** The reading stored with the mention, if it was read (corrections read it too). */
export function storedAnalysis(
  m: Parameters<typeof contributionOf>[1] & Partial<MentionAnalysis> & { status?: string },
): MentionAnalysis | null {
  if (m.status !== 'analyzed' || !m.sentiment || !m.reach || !m.touchpoints) return null;
  return {
    lang: m.lang ?? 'und',
    langConfidence: m.langConfidence ?? 0,
    langDeclared: m.langDeclared ?? false,
    sentiment: m.sentiment,
    relevant: m.relevant ?? true,
    touchpoints: m.touchpoints,
    stages: m.stages ?? [],
    facets: m.facets ?? [],
    reach: m.reach,
    ...(m.competitors?.length ? { competitors: m.competitors } : {}),
  };
}
