/**
 * Every source: its settings (those of sources.yaml, seeded at start, and those created through
 * the API, which live only here), and its poll state: its cursor (ETag, Last-Modified...) and
 * how its last polls went, so that an operator can see a source that fails or went silent.
 * Secrets are never stored in clear: API sources keep theirs sealed (./sealed.ts).
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
  /** Where its settings come from: sources.yaml, or the API. */
  origin?: 'file' | 'api';
  /** Its settings (kind's options, interval, watch), never its secrets. */
  settings?: Record<string, unknown>;
  /** New mentions per poll over the last day, for "mentions in the last 24 h". */
  recent?: { at: Date; n: number }[];
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
  /** An API source's secrets, sealed. */
  sealed?: string;
  updatedAt: Date;
  /** Written before sources had targets. */
  url?: string;
}

export type SourcesRepository = ReturnType<typeof createSourcesRepository>;

export function createSourcesRepository(db: Db) {
  const col = db.collection<SourceDoc>('sources');

  return {
    /**
     * Records the sources of sources.yaml; changed settings forget the old cursor. A source the
     * file no longer names is disabled (its history stays); API sources are not the file's.
     */
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
              origin: 'file',
              settings: s.settings,
              updatedAt: now,
            },
            $unset: { url: '', sealed: '' },
            $setOnInsert: { cursor: {}, consecutiveFailures: 0, fetched: 0, inserted: 0 },
          },
          { upsert: true },
        );
      }
      const ids = sources.map((s) => s.id);
      await col.updateMany(
        { _id: { $nin: ids }, origin: { $ne: 'api' } },
        { $set: { enabled: false, updatedAt: now } },
      );
    },

    /** Creates an API source; false when the id is taken. */
    async create(s: SourceDescription, sealed: string | undefined, at: Date): Promise<boolean> {
      try {
        await col.insertOne({
          _id: s.id,
          kind: s.kind,
          target: s.target,
          fingerprint: s.fingerprint,
          enabled: s.enabled,
          origin: 'api',
          settings: s.settings,
          ...(sealed ? { sealed } : {}),
          cursor: {},
          consecutiveFailures: 0,
          fetched: 0,
          inserted: 0,
          updatedAt: at,
        });
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    },

    /**
     * Rewrites an API source's settings (and its sealed secrets when given); changed settings
     * forget the cursor. False when there is no such API source.
     */
    async update(s: SourceDescription, sealed: string | undefined, at: Date): Promise<boolean> {
      const prev = await col.findOne(
        { _id: s.id, origin: 'api' },
        { projection: { fingerprint: 1 } },
      );
      if (!prev) return false;
      await col.updateOne(
        { _id: s.id },
        {
          $set: {
            kind: s.kind,
            target: s.target,
            fingerprint: s.fingerprint,
            enabled: s.enabled,
            settings: s.settings,
            ...(sealed ? { sealed } : {}),
            ...(prev.fingerprint !== s.fingerprint ? { cursor: {} } : {}),
            updatedAt: at,
          },
        },
      );
      return true;
    },

    /** Pauses or resumes any source, the file's included (until the file changes it). */
    async setEnabled(id: string, enabled: boolean, at: Date): Promise<boolean> {
      const r = await col.updateOne({ _id: id }, { $set: { enabled, updatedAt: at } });
      return r.matchedCount > 0;
    },

    /** Removes an API source (its mentions stay); false when there is none. */
    async remove(id: string): Promise<boolean> {
      const r = await col.deleteOne({ _id: id, origin: 'api' });
      return r.deletedCount > 0;
    },

    /** The API sources with their sealed secrets, for the catalog. */
    async apiSources(): Promise<{ state: SourceState; sealed: string | undefined }[]> {
      const docs = await col.find({ origin: 'api' }).sort({ _id: 1 }).toArray();
      return docs.map((d) => ({ state: fromDoc(d), sealed: d.sealed }));
    },

    async apiSource(
      id: string,
    ): Promise<{ state: SourceState; sealed: string | undefined } | null> {
      const d = await col.findOne({ _id: id, origin: 'api' });
      return d ? { state: fromDoc(d), sealed: d.sealed } : null;
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
        /** Its new mentions per poll over the last day, as this poll read them. */
        recent?: { at: Date; n: number }[];
      },
    ): Promise<void> {
      // One poll of a source at a time (its lease) writes this: the list is trimmed here, since
      // FerretDB v1 ignores `$push`'s `$slice`.
      const arrivals =
        r.inserted > 0 ? [...(r.arrivals ?? []), r.at].slice(-ARRIVALS_KEPT) : undefined;
      const dayAgo = r.at.getTime() - 86_400_000;
      const recent =
        r.inserted > 0 || r.recent?.length
          ? [...(r.recent ?? []), ...(r.inserted > 0 ? [{ at: r.at, n: r.inserted }] : [])].filter(
              (x) => x.at.getTime() > dayAgo,
            )
          : undefined;
      await col.updateOne(
        { _id: id },
        {
          $set: {
            ...(arrivals ? { arrivals } : {}),
            ...(recent ? { recent } : {}),
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
  const { _id, updatedAt: _u, fingerprint: _f, sealed: _s, url, ...rest } = doc;
  return { id: _id, ...rest, target: rest.target ?? url ?? '' };
}
