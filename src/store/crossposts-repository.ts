/**
 * Cross-posts: the same text posted by one author on several sources (a complaint pasted on
 * Trustpilot, Reddit and Mastodon) is one voice. Each (author, text) key remembers the first
 * mention that carried it and its source, by `_id` (the only lookup the bundled server runs in
 * SQL), so a copy on another source is linked to it and counted once.
 */
import type { Db } from 'mongodb';
import { duplicateIndexes, isOnlyDuplicateKeys } from './mongo.js';

export type CrosspostsRepository = ReturnType<typeof createCrosspostsRepository>;

interface ClaimEntry {
  key: string;
  mentionId: string;
  source: string;
}

export function createCrosspostsRepository(db: Db) {
  const col = db.collection<{ _id: string; m: string; s: string; at: Date }>('crossposts');
  return {
    /**
     * Claims each key for its mention; returns, for the mentions whose key a mention of another
     * source claimed first, that first mention's id. A mention claiming its own key again
     * (polled twice, a retry) is not a cross-post of itself, and the same text twice on one
     * source is a repeat there, counted as such.
     */
    async claim(entries: ClaimEntry[], at: Date): Promise<Map<string, string>> {
      const copyOf = new Map<string, string>();
      const first = new Map<string, ClaimEntry>();
      for (const e of entries) if (!first.has(e.key)) first.set(e.key, e);
      const link = (e: ClaimEntry, original: { m: string; s: string }) => {
        if (e.mentionId !== original.m && e.source !== original.s)
          copyOf.set(e.mentionId, original.m);
      };
      // Within the batch too: the first mention with a key is the original.
      for (const e of entries) {
        const f = first.get(e.key)!;
        link(e, { m: f.mentionId, s: f.source });
      }
      const unique = [...first.values()];
      if (unique.length === 0) return copyOf;
      try {
        await col.insertMany(
          unique.map((e) => ({ _id: e.key, m: e.mentionId, s: e.source, at })),
          { ordered: false },
        );
      } catch (err) {
        if (!isOnlyDuplicateKeys(err)) throw err;
        for (const i of duplicateIndexes(err)) {
          const key = unique[i]!.key;
          const doc = await col.findOne({ _id: key });
          if (!doc) continue;
          // An earlier batch holds the original: every mention of this key is judged against it.
          for (const e of entries) {
            if (e.key !== key) continue;
            copyOf.delete(e.mentionId);
            link(e, doc);
          }
        }
      }
      return copyOf;
    },
  };
}
