/**
 * Polls one configured source: fetch (conditionally), parse, accept what is new, remember the
 * cursor. A site that answers 429 or 503 with a delay is left alone until that delay has passed,
 * whatever the schedule says: politeness first.
 */
import type { Job } from 'bullmq';
import { futureDateIssue, parseMention, type MentionInput } from '../domain/mention.js';
import { SourceHttpError } from '../errors.js';
import { acceptMentions, type AcceptDeps } from '../ingest/accept.js';
import type { Logger } from '../logger.js';
import type { Leases } from '../queue/lease.js';
import { pollJobSchema } from '../queue/queues.js';
import { adapterOf, type HttpClient, type SourceConfig } from '../sources/index.js';
import type { AnySourceAdapter, TokenStore } from '../sources/_types.js';
import type { SourcesRepository } from '../store/sources-repository.js';
import { classifyForQueue, errorMessage } from './_errors.js';

export interface PollDeps extends AcceptDeps {
  sourcesConfig: SourceConfig[];
  sources: SourcesRepository;
  /** Tokens and sessions of the sources that sign in (Reddit, Bluesky), in this process. */
  tokens: TokenStore;
  /** The registry's adapters unless a test gives its own. */
  adapters?: Record<string, AnySourceAdapter>;
  http: HttpClient;
  logger: Logger;
  /** One poll of a source at a time, across processes. */
  leases: Leases;
  now?: () => Date;
}

export type PollResult =
  /** `busy`: another poll of this source was running; it fetches for both. */
  | { sourceId: string; skipped: 'disabled' | 'backoff' | 'busy' }
  | { sourceId: string; notModified: true }
  | {
      sourceId: string;
      fetched: number;
      accepted: number;
      duplicates: number;
      rejected: number;
      /** Items dated in the future, kept at fetch time. */
      clamped: number;
    };

export function createPollProcessor(deps: PollDeps) {
  const byId = new Map(deps.sourcesConfig.map((s) => [s.id, s]));
  const now = deps.now ?? (() => new Date());

  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<PollResult> => {
    const { sourceId } = pollJobSchema.parse(job.data);
    const source = byId.get(sourceId);
    if (!source || !source.enabled) return { sourceId, skipped: 'disabled' };
    const log = deps.logger.child({ queue: job.queueName, jobId: job.id, sourceId });
    // Two polls of one source at once (a slow poll overtaken by the next, a stalled job run again
    // elsewhere) would fetch twice, the second without the ETag the first is about to save. The
    // state is read under the lease, so each poll starts from its predecessor's cursor.
    const lease = await deps.leases.acquire(`poll:${sourceId}`);
    if (!lease) {
      log.debug('another poll of this source is running: skipped');
      return { sourceId, skipped: 'busy' };
    }
    try {
      return await poll(
        job,
        source,
        log,
        signal ? AbortSignal.any([signal, lease.signal]) : lease.signal,
      );
    } finally {
      await lease.release();
    }
  };

  async function poll(
    job: Job,
    source: SourceConfig,
    log: Logger,
    signal: AbortSignal,
  ): Promise<PollResult> {
    const sourceId = source.id;
    const state = await deps.sources.get(sourceId);
    const started = now();
    if (state?.backoffUntil && state.backoffUntil > started)
      return { sourceId, skipped: 'backoff' };

    try {
      const adapter = deps.adapters?.[source.kind] ?? adapterOf(source.kind);
      const page = await adapter.fetchPage(source, state?.cursor ?? {}, {
        http: deps.http,
        signal,
        tokens: deps.tokens,
        now,
      });
      if (page.notModified) {
        await deps.sources.recordSuccess(sourceId, {
          cursor: page.cursor,
          fetched: 0,
          inserted: 0,
          at: started,
        });
        return { sourceId, notModified: true };
      }
      const drafts = adapter.parse(page.raw, { sourceId, fetchedAt: started });
      // The adapter's output passes the same gate as a pushed mention; one bad item is logged
      // and skipped, it does not cost the others.
      const mentions: MentionInput[] = [];
      let rejected = 0;
      let clamped = 0;
      for (const [i, d] of drafts.entries()) {
        // A feed dated in the future (a wrong time zone or clock on the site, a scheduled post)
        // still shows an item that exists now: it was published no later than we saw it, so it
        // is kept at fetch time, as an undated item is, rather than lost or left to hold its
        // touchpoint's detection window in the future. Refusing it would lose a real complaint;
        // failing the poll would lose the whole feed.
        const future = futureDateIssue(d.publishedAt, started);
        if (future) {
          clamped++;
          log.warn(
            { externalId: d.externalId, publishedAt: d.publishedAt, fetchedAt: started },
            'item dated in the future: kept at fetch time',
          );
        }
        const publishedAt = future ? started : d.publishedAt;
        try {
          mentions.push(
            parseMention(
              { ...d, source: sourceId, publishedAt: publishedAt.toISOString() },
              { now: started, where: `item ${i}` },
            ),
          );
        } catch (err) {
          rejected++;
          log.warn({ err: errorMessage(err), externalId: d.externalId }, 'item rejected');
        }
      }
      const summary = await acceptMentions(deps, mentions, started);
      await deps.sources.recordSuccess(sourceId, {
        cursor: page.cursor,
        fetched: mentions.length,
        inserted: summary.accepted,
        at: started,
        arrivals: state?.arrivals ?? [],
      });
      log.info({ fetched: drafts.length, accepted: summary.accepted, rejected, clamped }, 'polled');
      return {
        sourceId,
        fetched: drafts.length,
        accepted: summary.accepted,
        duplicates: summary.duplicates,
        rejected,
        clamped,
      };
    } catch (err) {
      const wait = backoffFor(err, source);
      await deps.sources.recordFailure(sourceId, {
        message: errorMessage(err),
        at: started,
        ...(wait ? { backoffUntil: new Date(started.getTime() + wait) } : {}),
        // BullMQ retries a failed poll a few times within a minute: one poll, one failure, or
        // a source would count as failing for hours after its first minute.
        retry: job.attemptsMade > 0,
        runGapMs: Math.max(3 * source.every, MIN_RUN_GAP_MS),
      });
      log.warn({ err }, 'poll failed');
      if (wait) return { sourceId, skipped: 'backoff' };
      throw classifyForQueue(err);
    }
  }
}

/** Polls missed for this long at least (three intervals, or this) mean nothing was polling. */
const MIN_RUN_GAP_MS = 10 * 60_000;

/** How long to leave a source alone after this error, or undefined to retry as usual. */
function backoffFor(err: unknown, source: SourceConfig): number | undefined {
  if (!(err instanceof SourceHttpError)) return undefined;
  if (err.status === 429) return err.retryAfterMs ?? source.every;
  if (err.status === 503 && err.retryAfterMs !== undefined) return err.retryAfterMs;
  return undefined;
}
