/**
 * Mentions in MongoDB. Writes are idempotent on the natural key (source, externalId): a stalled
 * job that re-runs, a feed polled twice or a file imported twice stores nothing twice. Returns
 * plain `Mention` objects; nothing outside this folder sees a MongoDB type.
 */
import { createHash } from 'node:crypto';
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type {
  Mention,
  MentionAnalysis,
  MentionInput,
  MentionStatus,
  SentimentLabel,
} from '../domain/mention.js';
import { ValidationError } from '../errors.js';
import { duplicateIndexes, isOnlyDuplicateKeys } from './mongo.js';
import {
  createPostingsRepository,
  type WalkOptions,
  type WalkPlan,
  type WalkStep,
} from './postings-repository.js';

interface MentionDoc extends MentionInput, Partial<Omit<MentionAnalysis, 'lang'>> {
  _id: ObjectId;
  fetchedAt: Date;
  status: MentionStatus;
  analyzedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
  /** Of its text: a re-polled item whose text changed is an edit. */
  textHash?: string;
  /** Its edit number (absent: as first stored), and when the last edit came. */
  version?: number;
  editedAt?: Date;
  /** The same author's same text, posted first on another source: counted there, once. */
  crossPostOf?: string;
  /** The last correction by a person: when, and their name. */
  correctedAt?: Date;
  correctedBy?: string;
}

/** What became of one accepted mention. */
export interface AcceptOutcome {
  id: string;
  /** False when the store already held this (source, externalId). */
  inserted: boolean;
  /**
   * Stored before with another text: the version this text would become. Nothing is written
   * yet: the caller stages its counts, then `saveEdits`.
   */
  editTo?: number;
}

/**
 * The text's fingerprint: a change to it is an edit. The title alone is not: sources differ in
 * whether they send one (a push without it is the same mention).
 */
function textHashOf(m: { text: string }): string {
  return createHash('sha256').update(m.text).digest('base64url').slice(0, 22);
}

/** Reads by `_id` in flight at once when checking re-polled items for edits. */
const PARALLEL_READS = 16;

export interface MentionQuery {
  source?: string;
  since?: Date;
  until?: Date;
  /** With `touchpoint` or `stage`: the sentiment about that touchpoint or stage. */
  sentiment?: SentimentLabel;
  touchpoint?: string;
  stage?: string;
  lang?: string;
  /** Default: all but the mentions the watch query excluded. */
  relevant?: boolean | 'all';
  limit: number;
  cursor?: string;
}

/** A negative mention as `recentNegative` returns it: its text and the touchpoints it was linked to. */
export interface NegativeText {
  id: string;
  text: string;
  lang: string;
  url: string;
  publishedAt: Date;
  /** Each linked touchpoint with the sentiment about it. */
  touchpoints: { id: string; label: SentimentLabel }[];
}

export interface MentionPage {
  mentions: Mention[];
  nextCursor: string | null;
}

export type MentionsRepository = ReturnType<typeof createMentionsRepository>;

export function createMentionsRepository(db: Db) {
  const col: Collection<MentionDoc> = db.collection<MentionDoc>('mentions');
  const postings = createPostingsRepository(db);

  return {
    /**
     * The ids of the mentions matching an explorer query, in publication order, from the index
     * the count drain keeps (src/store/postings-repository.ts): lookups by `_id` only. Read the
     * mentions with `findByIds`.
     */
    walkIndex(plan: WalkPlan, opts: WalkOptions): AsyncGenerator<WalkStep> {
      return postings.walk(plan, opts);
    },

    /**
     * Stores each analysed mention unless its (source, externalId) is already stored; outcomes
     * come back in input order.
     *
     * The `_id` is derived from the natural key, so storing is a plain unordered insert in which
     * a duplicate simply fails on its key, and the insert's own errors say which positions were
     * duplicates: one round trip for a batch, racing writers told apart exactly.
     */
    async accept(
      inputs: (MentionInput & { analysis: MentionAnalysis })[],
      fetchedAt: Date,
    ): Promise<AcceptOutcome[]> {
      if (inputs.length === 0) return [];
      const now = new Date();
      const ids = inputs.map((m) => mentionObjectId(m.source, m.externalId));
      const firstOf = new Map<string, number>();
      const docs: MentionDoc[] = [];
      const docIndex: number[] = [];
      inputs.forEach(({ analysis, ...m }, i) => {
        const hex = ids[i]!.toHexString();
        if (firstOf.has(hex)) return;
        firstOf.set(hex, i);
        docIndex.push(i);
        docs.push({
          ...m,
          ...analysis,
          textHash: textHashOf(m),
          _id: ids[i]!,
          fetchedAt,
          status: 'analyzed',
          analyzedAt: now,
          createdAt: now,
          updatedAt: now,
        });
      });
      const refused = new Set<number>();
      try {
        await col.insertMany(docs, { ordered: false });
      } catch (err) {
        if (!isOnlyDuplicateKeys(err)) throw err;
        for (const d of duplicateIndexes(err)) refused.add(docIndex[d]!);
      }
      // Items stored before: the same text is a repeat, another text an edit. One read by
      // `_id` each (the only lookup the bundled server runs in SQL).
      const editTo = new Map<number, number>();
      const stored = [...refused];
      let next = 0;
      const check = async () => {
        while (next < stored.length) {
          const i = stored[next++]!;
          const doc = await col.findOne(
            { _id: ids[i]! },
            { projection: { textHash: 1, text: 1, version: 1 } },
          );
          if (!doc) continue;
          const before = doc.textHash ?? textHashOf(doc);
          if (before !== textHashOf(inputs[i]!)) editTo.set(i, (doc.version ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PARALLEL_READS, stored.length) }, check));
      return inputs.map((_, i) => {
        const hex = ids[i]!.toHexString();
        // A repeat within the batch is a duplicate of its first copy.
        const to = editTo.get(i);
        return {
          id: hex,
          inserted: firstOf.get(hex) === i && !refused.has(i),
          ...(to !== undefined ? { editTo: to } : {}),
        };
      });
    },

    /** Marks mentions as copies of an earlier post of the same author on another source. */
    async linkCrossPosts(links: { id: string; crossPostOf: string }[]): Promise<void> {
      if (links.length === 0) return;
      await col.bulkWrite(
        links.map((l) => ({
          updateOne: {
            filter: { _id: new ObjectId(l.id) },
            update: { $set: { crossPostOf: l.crossPostOf } },
          },
        })),
        { ordered: false },
      );
    },

    /**
     * Rewrites edited mentions with their new text and reading (their counts were staged
     * first, so a failure here is repeated by the next poll, never lost); `createdAt` and
     * `fetchedAt` stay those of the first arrival.
     */
    async saveEdits(
      edits: { input: MentionInput & { analysis: MentionAnalysis }; version: number }[],
      at: Date,
    ): Promise<void> {
      if (edits.length === 0) return;
      await col.bulkWrite(
        edits.map(({ input: { analysis, ...m }, version }) => ({
          updateOne: {
            filter: { _id: mentionObjectId(m.source, m.externalId) },
            update: {
              $set: {
                ...m,
                ...analysis,
                textHash: textHashOf(m),
                version,
                editedAt: at,
                analyzedAt: at,
                updatedAt: at,
              },
              ...(m.title === undefined ? { $unset: { title: '' } } : {}),
            },
          },
        })),
        { ordered: false },
      );
    },

    /**
     * Stores a corrected reading of a mention as its next version (its counts were staged
     * first, as for an edit) and who corrected it; the text stays as it is.
     */
    async saveCorrection(
      id: string,
      analysis: MentionAnalysis,
      version: number,
      by: { by: string; at: Date },
    ): Promise<void> {
      await col.updateOne(
        { _id: new ObjectId(id) },
        {
          $set: { ...analysis, version, correctedAt: by.at, correctedBy: by.by, updatedAt: by.at },
        },
      );
    },

    /**
     * Every stored mention, in batches: a scan, for one-off tools (`maillon recount`), never a
     * job.
     */
    async *scan(batchSize = 500): AsyncGenerator<Mention[]> {
      let batch: Mention[] = [];
      for await (const doc of col.find({}).batchSize(batchSize)) {
        batch.push(toMention(doc));
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },

    /** Stores a reading of a mention stored before mentions were read at the door. */
    async saveAnalysis(id: string, analysis: MentionAnalysis): Promise<void> {
      const now = new Date();
      await col.updateOne(
        { _id: new ObjectId(id) },
        { $set: { ...analysis, status: 'analyzed', analyzedAt: now, updatedAt: now } },
      );
    },

    async findById(id: string): Promise<Mention | null> {
      if (!ObjectId.isValid(id)) return null;
      const doc = await col.findOne({ _id: new ObjectId(id) });
      return doc ? toMention(doc) : null;
    },

    /**
     * The mentions with these ids, in no particular order. One lookup by `_id` each: FerretDB
     * runs those in SQL, where an `$in` would scan the collection.
     */
    async findByIds(ids: string[]): Promise<Mention[]> {
      const oids = [...new Set(ids)].filter((i) => ObjectId.isValid(i)).map((i) => new ObjectId(i));
      const docs = await Promise.all(oids.map((_id) => col.findOne({ _id })));
      return docs.filter((d): d is MentionDoc => d !== null).map(toMention);
    },

    /** Newest first (by publishedAt, then id), with an opaque cursor for the next page. */
    async list(q: MentionQuery): Promise<MentionPage> {
      const filter: Filter<MentionDoc> = {};
      if (q.source) filter.source = q.source;
      if (q.lang) filter.lang = q.lang;
      if (q.relevant === undefined) filter.relevant = { $ne: false };
      else if (q.relevant !== 'all') filter.relevant = q.relevant;
      const and: Filter<MentionDoc>[] = [filter];
      // With a touchpoint or a stage, the sentiment asked for is the one about it, not the overall.
      const about = q.sentiment ? `:${q.sentiment}` : '';
      if (q.touchpoint) and.push({ facets: `tp:${q.touchpoint}${about}` });
      if (q.stage) and.push({ facets: `stage:${q.stage}${about}` });
      if (q.sentiment && !q.touchpoint && !q.stage) filter['sentiment.label'] = q.sentiment;
      if (q.since || q.until) {
        filter.publishedAt = {
          ...(q.since ? { $gte: q.since } : {}),
          ...(q.until ? { $lt: q.until } : {}),
        };
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        and.push({
          $or: [{ publishedAt: { $lt: c.t } }, { publishedAt: c.t, _id: { $lt: c.i } }],
        });
      }
      const docs = await col
        .find(and.length > 1 ? { $and: and } : filter)
        .sort({ publishedAt: -1, _id: -1 })
        .limit(q.limit + 1)
        .toArray();
      const page = docs.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        mentions: page.map(toMention),
        nextCursor: docs.length > q.limit && last ? encodeCursor(last.publishedAt, last._id) : null,
      };
    },

    /**
     * The newest negative, relevant, analysed mentions published since `since`, with what
     * `maillon journey suggest` reads of them: equality and range filters, a sort on an indexed
     * field and a limit. The bundled FerretDB v1 still scans for it (only an `_id` lookup reaches
     * its SQLite store, see issue 9); it runs when a manager asks, never per mention.
     */
    async recentNegative(q: {
      since: Date;
      lang?: string;
      limit: number;
    }): Promise<NegativeText[]> {
      const filter: Filter<MentionDoc> = {
        'sentiment.label': 'negative',
        relevant: true,
        publishedAt: { $gte: q.since },
      };
      if (q.lang) filter.lang = q.lang;
      const docs = await col
        .find(filter, {
          projection: { _id: 1, text: 1, lang: 1, url: 1, publishedAt: 1, touchpoints: 1 },
        })
        .sort({ publishedAt: -1 })
        .limit(q.limit)
        .toArray();
      return docs.map((d) => ({
        id: d._id.toHexString(),
        text: d.text,
        lang: d.lang ?? 'und',
        url: d.url,
        publishedAt: d.publishedAt,
        touchpoints: (d.touchpoints ?? []).map((t) => ({ id: t.id, label: t.sentiment.label })),
      }));
    },
  };
}

/** The mention's id (hex), derived from its natural key. */
export function mentionId(source: string, externalId: string): string {
  return mentionObjectId(source, externalId).toHexString();
}

/** The mention's id, derived from its natural key: the same mention always gets the same id. */
export function mentionObjectId(source: string, externalId: string): ObjectId {
  return new ObjectId(
    createHash('sha256').update(`${source}\u0000${externalId}`).digest('hex').slice(0, 24),
  );
}

function toMention(doc: MentionDoc): Mention {
  const { _id, createdAt: _c, updatedAt: _u, textHash: _h, ...rest } = doc;
  return { id: _id.toHexString(), ...rest };
}

function encodeCursor(publishedAt: Date, id: ObjectId): string {
  return Buffer.from(JSON.stringify({ t: publishedAt.getTime(), i: id.toHexString() })).toString(
    'base64url',
  );
}

function decodeCursor(cursor: string): { t: Date; i: ObjectId } {
  try {
    const { t, i } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      t: unknown;
      i: unknown;
    };
    if (typeof t === 'number' && typeof i === 'string' && ObjectId.isValid(i)) {
      return { t: new Date(t), i: new ObjectId(i) };
    }
  } catch {
    // fall through to the error below
  }
  throw new ValidationError('mentions', [
    { path: 'cursor', message: 'not a cursor this API returned' },
  ]);
}
