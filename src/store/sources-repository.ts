/**
 * Each configured source's poll state: its cursor (ETag, Last-Modified...) and how its last polls
 * went, so that an operator can see a source that fails or went silent.
 */
import type { Db } from 'mongodb';
import type { SourceCursor, SourceDescription } from '../sources/_types.js';

export interface SourceState {
  id: string;
  kind: string;
  /** What it reads, for people: a URL without credentials, or a search and where it runs. */
  target: string;
  enabled: boolean;
  cursor: SourceCursor;
  lastPolledAt?: Date;
  lastSuccessAt?: Date;
  lastError?: { message: string; at: Date };
  /** Failed polls since the last success; the retries of one poll are one failure. */
  consecutiveFailures: number;
  /**
   * When the current run of failures began: the real time of its first failed poll, recorded
   * then (not estimated later from counts and intervals); unset after a success.
   */
  failingSince?: Date;
  /** The site asked us to wait (429/503 with Retry-After): no poll before this instant. */
  backoffUntil?: Date;
  /** Totals since the source was added. */
  fetched: number;
  inserted: number;
  /**
   * When its latest polls that brought something new ran (at most `ARRIVALS_KEPT`), for the
   * gone-silent check: kept here, read by `_id`, rather than read back from a growing mentions
   * collection every minute.
   */
  arrivals?: Date[];
}

/** Arrivals kept per source: a month of hourly news, or a few days of a busy search. */
export const ARRIVALS_KEPT = 500;

interface SourceDoc extends Omit<SourceState, 'id'> {
  _id: string;
  fingerprint?: string;
  updatedAt: Date;
  /** Written before sources had targets. */
  url?: string;
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;

export function createSourcesRepository(db: Db) {
  const col = db.collection<SourceDoc>('sources');

  return {
    /** Records the configured sources; changed settings forget the old cursor. */
    async sync(sources: SourceDescription[]): Promise<void> {
      const now = new Date();
      for (const s of sources) {
        const prev = await col.findOne({ _id: s.id }, { projection: { fingerprint: 1 } });
        if (prev && prev.fingerprint !== s.fingerprint) {
          await col.updateOne({ _id: s.id }, { $set: { cursor: {}, updatedAt: now } });
        }
        await col.updateOne(
          { _id: s.id },
          {
            $set: {
              kind: s.kind,
              target: s.target,
              fingerprint: s.fingerprint,
              enabled: s.enabled,
              updatedAt: now,
            },
            $unset: { url: '' },
            $setOnInsert: { cursor: {}, consecutiveFailures: 0, fetched: 0, inserted: 0 },
          },
          { upsert: true },
        );
      }
      const ids = sources.map((s) => s.id);
      await col.updateMany({ _id: { $nin: ids } }, { $set: { enabled: false, updatedAt: now } });
    },

    async get(id: string): Promise<SourceState | null> {
      const doc = await col.findOne({ _id: id });
      if (!doc) return null;
      return fromDoc(doc);
    },

    async recordSuccess(
      id: string,
      r: {
        cursor: SourceCursor;
        fetched: number;
        inserted: number;
        at: Date;
        /** The source's arrivals so far (its state as this poll read it). */
        arrivals?: Date[];
      },
    ): Promise<void> {
      // One poll of a source at a time (its lease) writes this: the list is trimmed here, since
      // FerretDB v1 ignores `$push`'s `$slice`.
      const arrivals =
        r.inserted > 0 ? [...(r.arrivals ?? []), r.at].slice(-ARRIVALS_KEPT) : undefined;
      await col.updateOne(
        { _id: id },
        {
          $set: {
            ...(arrivals ? { arrivals } : {}),
            cursor: r.cursor,
            lastPolledAt: r.at,
            lastSuccessAt: r.at,
            consecutiveFailures: 0,
            updatedAt: r.at,
          },
          $unset: { backoffUntil: '', failingSince: '' },
          $inc: { fetched: r.fetched, inserted: r.inserted },
        },
      );
    },

    /**
     * A failed poll; `backoffUntil` when the site asked us to wait. `retry`: a retry of a poll
     * whose failure is already counted, so the run of failures does not grow with BullMQ's
     * attempts. `runGapMs`: a failure after this long without a poll (nor a wait the site asked
     * for) starts a new run: nothing polled the source in between (Maillon was stopped), so the
     * old run says nothing of how long it has been failing.
     */
    async recordFailure(
      id: string,
      f: { message: string; at: Date; backoffUntil?: Date; retry?: boolean; runGapMs?: number },
    ): Promise<void> {
      if (f.runGapMs !== undefined) {
        const cutoff = new Date(f.at.getTime() - f.runGapMs);
        await col.updateOne(
          {
            _id: id,
            lastPolledAt: { $lt: cutoff },
            $or: [{ backoffUntil: { $exists: false } }, { backoffUntil: { $lt: cutoff } }],
          },
          { $set: { failingSince: f.at, consecutiveFailures: 0 } },
        );
      }
      await col.updateOne(
        { _id: id },
        {
          $set: {
            lastPolledAt: f.at,
            lastError: { message: f.message, at: f.at },
            updatedAt: f.at,
            ...(f.backoffUntil ? { backoffUntil: f.backoffUntil } : {}),
          },
          // The first failure of a run dates it; later ones leave it (a missing field takes it).
          $min: { failingSince: f.at },
          ...(f.retry ? {} : { $inc: { consecutiveFailures: 1 } }),
        },
      );
    },

    async list(): Promise<SourceState[]> {
      const docs = await col.find().sort({ _id: 1 }).toArray();
      return docs.map(fromDoc);
    },
  };
}

function fromDoc(doc: SourceDoc): SourceState {
  const { _id, updatedAt: _u, fingerprint: _f, url, ...rest } = doc;
  return { id: _id, ...rest, target: rest.target ?? url ?? '' };
}
