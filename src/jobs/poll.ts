/**
 * Polls one configured source: fetch (conditionally), parse, accept what is new, remember the
 * cursor. A site that answers 429 or 503 with a delay is left alone until that delay has passed,
 * whatever the schedule says: politeness first.
 */
import type { Job } from 'bullmq';
import { SourceHttpError } from '../errors.js';
import { acceptMentions, type AcceptDeps } from '../ingest/accept.js';
import { mentionsFromDrafts } from '../ingest/from-drafts.js';
import type { SourceCatalog } from '../ingest/source-catalog.js';
import type { Logger } from '../logger.js';
import type { Leases } from '../queue/lease.js';
import { pollJobSchema } from '../queue/queues.js';
import { adapterOf, settingsOf, type HttpClient, type SourceConfig } from '../sources/index.js';
import { redactText, withPoliteness } from '../sources/_http.js';
import type { AnySourceAdapter, TokenStore } from '../sources/_types.js';
import type { SourcesRepository } from '../store/sources-repository.js';
import { classifyForQueue, errorMessage } from './_errors.js';

export interface PollDeps extends AcceptDeps {
  /** Where each source's settings come from (sources.yaml, or the API through the store). */
  catalog: Pick<SourceCatalog, 'get'>;
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
      /** Items stored before whose text changed: rewritten, their counts moved. */
      edited: number;
      rejected: number;
      /** Items dated in the future, kept at fetch time. */
      clamped: number;
    };

export function createPollProcessor(deps: PollDeps) {
  const now = deps.now ?? (() => new Date());

  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<PollResult> => {
    const { sourceId } = pollJobSchema.parse(job.data);
    const source = await deps.catalog.get(sourceId);
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
        // The kind's politeness (robots.txt, per-host budget) on each of its requests.
        http: withPoliteness(deps.http, adapter.politeness),
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
      const drafts = adapter.parse(page.raw, {
        sourceId,
        fetchedAt: started,
        options: settingsOf(source),
      });
      // The adapter's output passes the same gate as a pushed mention; one bad item is logged
      // and skipped, it does not cost the others.
      const read = mentionsFromDrafts(drafts, sourceId, started);
      const { mentions } = read;
      const rejected = read.rejected.length;
      const clamped = read.clamped.length;
      for (const d of read.clamped)
        log.warn(
          { externalId: d.externalId, publishedAt: d.publishedAt, fetchedAt: started },
          'item dated in the future: kept at fetch time',
        );
      for (const r of read.rejected)
        log.warn({ err: r.reason, externalId: r.externalId }, 'item rejected');
      const summary = await acceptMentions({ ...deps, door: 'poll' }, mentions, started);
      await deps.sources.recordSuccess(sourceId, {
        cursor: page.cursor,
        fetched: mentions.length,
        inserted: summary.accepted,
        at: started,
        arrivals: state?.arrivals ?? [],
        recent: state?.recent ?? [],
      });
      log.info({ fetched: drafts.length, accepted: summary.accepted, rejected, clamped }, 'polled');
      return {
        sourceId,
        fetched: drafts.length,
        accepted: summary.accepted,
        duplicates: summary.duplicates,
        edited: summary.edited,
        rejected,
        clamped,
      };
    } catch (err) {
      deps.metrics?.pollFailed(sourceId, source.kind);
      const wait = backoffFor(err, source);
      // A source that keeps failing is asked less and less often (its own schedule only: the
      // others run on theirs), and a recovery is seen within a few of its intervals.
      const streak = (state?.consecutiveFailures ?? 0) + (job.attemptsMade > 0 ? 0 : 1);
      const rest = wait ?? streakBackoff(streak, source.every);
      await deps.sources.recordFailure(sourceId, {
        // Shown by the API and in operational alerts: no credential of a URL in it.
        message: redactText(errorMessage(err)),
        at: started,
        ...(rest ? { backoffUntil: new Date(started.getTime() + rest) } : {}),
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

/** Longest rest of a failing source: a quarter of a day, and never more than 12 intervals. */
const MAX_STREAK_BACKOFF_MS = 6 * 3_600_000;

/**
 * How long a source failing `streak` polls in a row rests before the next: nothing for the
 * first two (a blip), then 2, 4, 8 intervals, at most 12 intervals or six hours.
 */
export function streakBackoff(streak: number, every: number): number | undefined {
  if (streak < 3) return undefined;
  return Math.min(every * 2 ** (streak - 2), every * 12, MAX_STREAK_BACKOFF_MS);
}

/** How long to leave a source alone after this error, or undefined to retry as usual. */
function backoffFor(err: unknown, source: SourceConfig): number | undefined {
  if (!(err instanceof SourceHttpError)) return undefined;
  if (err.status === 429) return err.retryAfterMs ?? source.every;
  if (err.status === 503 && err.retryAfterMs !== undefined) return err.retryAfterMs;
  return undefined;
}
