/**
 * Read-only queries over `mentions` for the notify side: negative mentions per touchpoint (the
 * daily digest) and when each source last brought new mentions (source health).
 */
import type { Db } from 'mongodb';

interface MentionView {
  source: string;
  fetchedAt: Date;
  publishedAt: Date;
  status: string;
  relevant?: boolean;
  touchpoints?: { id: string; sentiment?: { label?: string } }[];
}

export type DigestRepository = ReturnType<typeof createDigestRepository>;

export function createDigestRepository(db: Db) {
  const col = db.collection<MentionView>('mentions');

  return {
    /**
     * Analysed, relevant mentions published in [from, to) that speak negatively of a touchpoint,
     * counted per touchpoint (a mention negative about two touchpoints counts for each).
     */
    async negativesByTouchpoint(from: Date, to: Date): Promise<Map<string, number>> {
      const rows = await col
        .aggregate<{ _id: string; n: number }>([
          {
            $match: {
              status: 'analyzed',
              relevant: { $ne: false },
              publishedAt: { $gte: from, $lt: to },
            },
          },
          { $project: { touchpoints: 1 } },
          { $unwind: '$touchpoints' },
          { $match: { 'touchpoints.sentiment.label': 'negative' } },
          { $group: { _id: '$touchpoints.id', n: { $sum: 1 } } },
        ])
        .toArray();
      return new Map(rows.map((r) => [r._id, r.n]));
    },

    /**
     * When the source's newest mentions arrived (`fetchedAt`), newest first: every mention it
     * brought counts, relevant or not, since the question is whether the source still works.
     */
    async recentArrivals(source: string, limit = 500): Promise<Date[]> {
      const docs = await col
        .find({ source }, { projection: { _id: 0, fetchedAt: 1 } })
        .sort({ fetchedAt: -1 })
        .limit(limit)
        .toArray();
      return docs.map((d) => d.fetchedAt);
    },
  };
}
