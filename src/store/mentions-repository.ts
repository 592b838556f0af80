/**
 * Mentions in MongoDB. Writes are idempotent on the natural key (source, externalId), from which
 * the `_id` is derived: a stalled job that re-runs, a feed polled twice or a file imported twice
 * stores nothing twice. Returns plain `Mention` objects; nothing outside this folder sees a
 * MongoDB type.
 *
 * A mention is stored as two JSON strings, what came in (`i`) and its reading (`a`), beside a
 * few scalars (`source`, `publishedAt`, the times and status). Nested documents are what the
 * bundled FerretDB v1 spends its CPU on: this shape costs it 0.15 s of CPU per 1,000 inserts
 * against 0.39 s field by field, and 0.5 ms a read by `_id` against 1.3 (measured on 10,000 of
 * bench:load's mentions). Nothing queries inside a mention: the explorer walks its own index
 * (src/store/postings-repository.ts). Documents of earlier versions, field by field, are read as
 * they are, and take this shape when next rewritten.
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

/** What came in, but its source and date (top-level fields of their own). */
type StoredInput = Omit<MentionInput, 'source' | 'publishedAt'>;

interface MentionDoc {
  _id: ObjectId;
  source: string;
  publishedAt: Date;
  /** JSON of its `StoredInput` (absent: a document of an earlier version, field by field). */
  i?: string;
  /** JSON of its `MentionAnalysis` (absent: unread, or an earlier version's fields). */
  a?: string;
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

/** A document as earlier versions stored it: every field of the input and its reading. */
type LegacyDoc = MentionDoc & Partial<MentionInput> & Partial<MentionAnalysis>;

/** The fields of the input and of the reading that earlier versions stored one by one. */
const INPUT_FIELDS = [
  'externalId',
  'url',
  'author',
  'title',
  'text',
  'rating',
  'engagement',
] as const satisfies readonly (keyof StoredInput)[];
const ANALYSIS_FIELDS = [
  'lang',
  'langConfidence',
  'langDeclared',
  'sentiment',
  'relevant',
  'touchpoints',
  'stages',
  'facets',
  'reach',
  'competitors',
] as const satisfies readonly (keyof MentionAnalysis)[];
const unsetAll = (fields: readonly string[]): Record<string, ''> =>
  Object.fromEntries(fields.map((f) => [f, '' as const]));

/** The stored fields of a read mention. */
function storedFields({
  analysis,
  source,
  publishedAt,
  ...rest
}: MentionInput & { analysis: MentionAnalysis }) {
  return { source, publishedAt, i: JSON.stringify(rest), a: JSON.stringify(analysis) };
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
      inputs.forEach((m, i) => {
        const hex = ids[i]!.toHexString();
        if (firstOf.has(hex)) return;
        firstOf.set(hex, i);
        docIndex.push(i);
        docs.push({
          ...storedFields(m),
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
          const doc: LegacyDoc | null = await col.findOne(
            { _id: ids[i]! },
            { projection: { textHash: 1, text: 1, i: 1, version: 1 } },
          );
          if (!doc) continue;
          const before = doc.textHash ?? textHashOf(inputOf(doc));
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
        edits.map(({ input, version }) => ({
          updateOne: {
            filter: { _id: mentionObjectId(input.source, input.externalId) },
            update: {
              $set: {
                ...storedFields(input),
                textHash: textHashOf(input),
                version,
                editedAt: at,
                analyzedAt: at,
                updatedAt: at,
              },
              // An earlier version's fields go: the strings now say it all.
              $unset: unsetAll([...INPUT_FIELDS, ...ANALYSIS_FIELDS]),
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
          $set: {
            a: JSON.stringify(analysis),
            version,
            correctedAt: by.at,
            correctedBy: by.by,
            updatedAt: by.at,
          },
          $unset: unsetAll(ANALYSIS_FIELDS),
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
        {
          $set: {
            a: JSON.stringify(analysis),
            status: 'analyzed',
            analyzedAt: now,
            updatedAt: now,
          },
          $unset: unsetAll(ANALYSIS_FIELDS),
        },
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

    /**
     * Newest first (by publishedAt, then id), with an opaque cursor for the next page: a filter
     * and a sort on the mentions themselves, which the bundled FerretDB v1 answers by scanning
     * them all. For tools, tests and bench:api's raw-store row; the API reads the explorer's index.
     */
    async list(q: MentionQuery): Promise<MentionPage> {
      const and: Filter<MentionDoc>[] = [];
      if (q.source) and.push({ source: q.source });
      if (q.since || q.until) {
        and.push({
          publishedAt: {
            ...(q.since ? { $gte: q.since } : {}),
            ...(q.until ? { $lt: q.until } : {}),
          },
        });
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor);
        and.push({
          $or: [{ publishedAt: { $lt: c.t } }, { publishedAt: c.t, _id: { $lt: c.i } }],
        });
      }
      const docs = await col
        .find(and.length > 1 ? { $and: and } : (and[0] ?? {}))
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
     * `maillon journey suggest` reads of them. The newest first, read until `limit` are found:
     * the bundled FerretDB v1 scans for it (only an `_id` lookup reaches its SQLite store, see
     * issue 9); it runs when a manager asks, never per mention.
     */
    async recentNegative(q: {
      since: Date;
      lang?: string;
      limit: number;
    }): Promise<NegativeText[]> {
      const out: NegativeText[] = [];
      const cursor = col
        .find({ publishedAt: { $gte: q.since } })
        .sort({ publishedAt: -1 })
        .batchSize(500);
      try {
        for await (const doc of cursor) {
          const m = toMention(doc);
          if (m.sentiment?.label !== 'negative' || m.relevant !== true) continue;
          if (m.status !== 'analyzed' || (q.lang && m.lang !== q.lang)) continue;
          out.push({
            id: m.id,
            text: m.text,
            lang: m.lang ?? 'und',
            url: m.url,
            publishedAt: m.publishedAt,
            touchpoints: (m.touchpoints ?? []).map((t) => ({ id: t.id, label: t.sentiment.label })),
          });
          if (out.length >= q.limit) break;
        }
      } finally {
        await cursor.close();
      }
      return out;
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

/** What came in, from either shape. */
function inputOf(doc: LegacyDoc): StoredInput {
  if (doc.i !== undefined) return JSON.parse(doc.i) as StoredInput;
  const input: Partial<StoredInput> = {};
  for (const f of INPUT_FIELDS) if (doc[f] !== undefined) Object.assign(input, { [f]: doc[f] });
  return input as StoredInput;
}

/** Its reading, from either shape (an unread mention of an earlier version has none). */
function analysisOf(doc: LegacyDoc): Partial<MentionAnalysis> {
  if (doc.a !== undefined) return JSON.parse(doc.a) as MentionAnalysis;
  const analysis: Partial<MentionAnalysis> = {};
  for (const f of ANALYSIS_FIELDS)
    if (doc[f] !== undefined) Object.assign(analysis, { [f]: doc[f] });
  return analysis;
}

function toMention(doc: LegacyDoc): Mention {
  const mention: Mention = {
    id: doc._id.toHexString(),
    source: doc.source,
    publishedAt: doc.publishedAt,
    ...inputOf(doc),
    ...analysisOf(doc),
    fetchedAt: doc.fetchedAt,
    status: doc.status,
  };
  for (const f of OPTIONAL_FIELDS)
    if (doc[f] !== undefined) Object.assign(mention, { [f]: doc[f] });
  return mention;
}

/** The document's own fields a mention carries when they are set. */
const OPTIONAL_FIELDS = [
  'analyzedAt',
  'version',
  'editedAt',
  'crossPostOf',
  'correctedAt',
  'correctedBy',
] as const satisfies readonly (keyof MentionDoc & keyof Mention)[];

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
