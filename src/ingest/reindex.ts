/**
 * `maillon reindex`: puts every stored, read mention in the mention explorer's index, for a store
 * whose mentions were stored before the index was kept (or whose index was lost). Each mention
 * is staged for the index only (`indexOnly: 'reindex'`): the count drain, the index's one writer,
 * puts it under its keys, replacing what it had there, and counts nothing. Running it twice, or
 * while mentions arrive, is harmless. Mentions stored unread are read by `maillon recount` first.
 */
import { indexKeysOf } from '../analysis/search-terms.js';
import type { Contribution, CountsRepository } from '../store/counts-repository.js';
import type { MentionsRepository } from '../store/mentions-repository.js';

export interface ReindexDeps {
  mentions: Pick<MentionsRepository, 'scan'>;
  counts: Pick<CountsRepository, 'stage'>;
  enqueueCount(): Promise<void>;
}

export interface ReindexSummary {
  mentions: number;
  /** Staged for the index. */
  staged: number;
  /** Stored unread: `maillon recount` reads them (and they are indexed then). */
  unread: number;
}

export async function reindexStored(
  deps: ReindexDeps,
  opts: { batchSize?: number; onProgress?: (s: ReindexSummary) => void } = {},
): Promise<ReindexSummary> {
  const summary: ReindexSummary = { mentions: 0, staged: 0, unread: 0 };
  for await (const batch of deps.mentions.scan(opts.batchSize ?? 500)) {
    const items: Contribution[] = [];
    for (const m of batch) {
      if (m.status !== 'analyzed' || !m.sentiment) {
        summary.unread++;
        continue;
      }
      const relevant = m.relevant ?? true;
      items.push({
        mentionId: m.id,
        publishedAt: m.publishedAt,
        source: m.source,
        author: m.author.id,
        reach: 0,
        shares: 0,
        relevant,
        overall: m.sentiment.label,
        touchpoints: [],
        ix: indexKeysOf(m, {
          lang: m.lang ?? 'und',
          sentiment: m.sentiment,
          relevant,
          facets: m.facets ?? [],
        }).join(' '),
        indexOnly: 'reindex',
      });
    }
    await deps.counts.stage(items);
    summary.mentions += batch.length;
    summary.staged += items.length;
    opts.onProgress?.(summary);
  }
  if (summary.staged > 0) await deps.enqueueCount();
  return summary;
}
