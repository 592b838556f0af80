/**
 * Corrections people made to how mentions were read, kept for good: who, when, what the reader
 * had said and what the person said. They measure the reader (GET /api/v1/analysis/quality).
 * Corrections stay few beside mentions (people write them by hand), so the report reads them in
 * one pass, newest first and bounded.
 */
import { ObjectId, type Collection, type Db } from 'mongodb';
import type { Correction, ReadingSummary } from '../analysis/correction.js';

export interface StoredCorrection {
  id: string;
  mentionId: string;
  /** The mention's version this correction made. */
  version: number;
  lang: string;
  at: Date;
  by: string;
  byId: string;
  before: ReadingSummary;
  after: Correction;
  note?: string;
}

type CorrectionDoc = Omit<StoredCorrection, 'id'> & { _id: ObjectId };

export type CorrectionsRepository = ReturnType<typeof createCorrectionsRepository>;

export function createCorrectionsRepository(db: Db) {
  const col: Collection<CorrectionDoc> = db.collection<CorrectionDoc>('corrections');
  const toCorrection = ({ _id, ...rest }: CorrectionDoc): StoredCorrection => ({
    id: _id.toHexString(),
    ...rest,
  });
  return {
    async record(c: Omit<StoredCorrection, 'id'>): Promise<StoredCorrection> {
      const doc = { _id: new ObjectId(), ...c };
      await col.insertOne(doc);
      return toCorrection(doc);
    },

    /** A mention's corrections, oldest first. */
    async ofMention(mentionId: string): Promise<StoredCorrection[]> {
      const docs = await col.find({ mentionId }).toArray();
      return docs.map(toCorrection).toSorted((a, b) => a.at.getTime() - b.at.getTime());
    },

    /** The latest corrections (at most `limit`), newest first, since `since` when given. */
    async latest(q: { limit: number; since?: Date }): Promise<StoredCorrection[]> {
      const docs = await col
        .find(q.since ? { at: { $gte: q.since } } : {})
        .sort({ at: -1 })
        .limit(q.limit)
        .toArray();
      return docs.map(toCorrection);
    },
  };
}
