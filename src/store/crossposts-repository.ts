/**
 * Cross-posts: the same text posted by one author on several sources (a complaint pasted on
 * Trustpilot, Reddit and Mastodon) is one voice. Each (author, text) key remembers the first
 * mention that carried it, by `_id` (the only lookup the bundled server runs in SQL), so a later
 * copy is linked to it and counted once.
 */
import type { Db } from 'mongodb';
import { duplicateIndexes, isOnlyDuplicateKeys } from './mongo.js';

export type CrosspostsRepository = ReturnType<typeof createCrosspostsRepository>;

export function createCrosspostsRepository(db: Db) {
  const col = db.collection<{ _id: string; m: string; at: Date }>('crossposts');
  return {
    /**
     * Claims each key for its mention; returns, for the mentions whose key another mention
     * claimed first, that first mention's id. A mention claiming its own key again (polled
     * twice, a retry) is not a cross-post of itself.
     */
    async claim(
      entries: { key: string; mentionId: string }[],
      at: Date,
    ): Promise<Map<string, string>> {
      const firstOf = new Map<string, string>();
      const byKey = new Map<string, { key: string; mentionId: string }>();
      for (const e of entries) if (!byKey.has(e.key)) byKey.set(e.key, e);
      const unique = [...byKey.values()];
      // Within the batch too: the first mention with a key is the original.
      for (const e of entries) {
        const first = byKey.get(e.key);
        if (first && first.mentionId !== e.mentionId) firstOf.set(e.mentionId, first.mentionId);
      }
      if (unique.length === 0) return firstOf;
      try {
        await col.insertMany(
          unique.map((e) => ({ _id: e.key, m: e.mentionId, at })),
          { ordered: false },
        );
      } catch (err) {
        if (!isOnlyDuplicateKeys(err)) throw err;
        for (const i of duplicateIndexes(err)) {
          const e = unique[i]!;
          const doc = await col.findOne({ _id: e.key });
          if (!doc || doc.m === e.mentionId) continue;
          for (const x of entries) if (x.key === e.key) firstOf.set(x.mentionId, doc.m);
        }
      }
      return firstOf;
    },
  };
}
