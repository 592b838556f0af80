/**
 * Settings an admin changes through the API: channels, routes and touchpoints. One small
 * `settings` collection, one document per kind of setting, always read and written by `_id`
 * (the bundled store answers a lone `_id` in SQL; anything else is a scan, cheap here only
 * because the collection holds three documents). Items of a document (a channel, a touchpoint)
 * are fields of its `items`, keyed by their id, so that adding, changing or removing one is one
 * atomic update of that field and two admins never overwrite each other's items (no
 * read-modify-write). Every write moves the document's `version`, which readers in other
 * processes compare to know whether to rebuild.
 *
 * Every change is also recorded, with who made it, in `settings_changes` (inserts only: it grows
 * with history and is never queried on the hot path).
 */
import { randomUUID } from 'node:crypto';
import type { Db } from 'mongodb';
import { isDuplicateKeyError } from './mongo.js';

/** The documents of the collection. */
export type SettingsKey = 'channels' | 'routes' | 'touchpoints';

/** Who changed a setting, as the API authenticated them. */
export interface SettingsAuthor {
  id: string;
  name: string;
}

/** One item as stored: its value, and who wrote it when. */
export interface StoredItem<T> {
  value: T;
  createdAt: Date;
  createdBy: SettingsAuthor;
  updatedAt: Date;
  updatedBy: SettingsAuthor;
}

export interface SettingsDoc<T> {
  /** Moves on every write: readers rebuild when it changed. */
  version: number;
  items: Record<string, StoredItem<T>>;
  updatedAt?: Date;
  updatedBy?: SettingsAuthor;
}

/** A recorded change (never a secret's value). */
export interface SettingsChange {
  at: Date;
  by: SettingsAuthor;
  what: SettingsKey;
  /** The item's id; absent for a whole-document change (the routes). */
  id?: string;
  action: 'create' | 'update' | 'delete' | 'replace' | 'reset';
  /** What changed, for people: option names, never secret values. */
  detail?: Record<string, unknown>;
}

interface Doc {
  _id: SettingsKey;
  version?: number;
  items?: Record<string, StoredItem<unknown>>;
  updatedAt?: Date;
  updatedBy?: SettingsAuthor;
}

export type SettingsRepository = ReturnType<typeof createSettingsRepository>;

/** An item id becomes a field name: ids are `[a-z0-9-]+` (no dot, no `$`), checked again here. */
function field(id: string): string {
  if (!/^[a-z0-9-]+$/.test(id)) throw new Error(`settings: invalid item id "${id}"`);
  return `items.${id}`;
}

export function createSettingsRepository(db: Db) {
  const col = db.collection<Doc>('settings');
  const changes = db.collection<SettingsChange & { _id: string }>('settings_changes');

  const stamp = (by: SettingsAuthor, now: Date) => ({ updatedAt: now, updatedBy: by });

  return {
    /** A document by `_id`: one lookup; an empty one when nothing was ever written. */
    async get<T>(key: SettingsKey): Promise<SettingsDoc<T>> {
      const doc = await col.findOne({ _id: key });
      return {
        version: doc?.version ?? 0,
        items: (doc?.items ?? {}) as Record<string, StoredItem<T>>,
        ...(doc?.updatedAt ? { updatedAt: doc.updatedAt } : {}),
        ...(doc?.updatedBy ? { updatedBy: doc.updatedBy } : {}),
      };
    },

    /** Only `version`: what a reader compares before reading the rest. */
    async version(key: SettingsKey): Promise<number> {
      const doc = await col.findOne({ _id: key }, { projection: { version: 1 } });
      return doc?.version ?? 0;
    },

    /** Adds an item; false when one with that id exists. */
    async create(
      key: SettingsKey,
      id: string,
      value: unknown,
      by: SettingsAuthor,
      now: Date,
    ): Promise<boolean> {
      const f = field(id);
      const item: StoredItem<unknown> = {
        value,
        createdAt: now,
        createdBy: by,
        updatedAt: now,
        updatedBy: by,
      };
      try {
        // The document may not exist yet (upsert); when it exists and holds the item, the
        // filter misses and the upsert's insert meets the `_id` already there: a duplicate.
        const r = await col.updateOne(
          { _id: key, [f]: { $exists: false } },
          { $set: { [f]: item, ...stamp(by, now) }, $inc: { version: 1 } },
          { upsert: true },
        );
        return r.matchedCount + r.upsertedCount > 0;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
    },

    /** Replaces an item's value, or adds it; keeps when and by whom it was created. */
    async put(
      key: SettingsKey,
      id: string,
      value: unknown,
      by: SettingsAuthor,
      now: Date,
    ): Promise<'created' | 'updated'> {
      const f = field(id);
      const r = await col.updateOne(
        { _id: key, [f]: { $exists: true } },
        {
          $set: { [`${f}.value`]: value, [`${f}.updatedAt`]: now, [`${f}.updatedBy`]: by },
          $inc: { version: 1 },
        },
      );
      if (r.matchedCount > 0) {
        await col.updateOne({ _id: key }, { $set: stamp(by, now) });
        return 'updated';
      }
      if (await this.create(key, id, value, by, now)) return 'created';
      // Created by someone else between the two writes: this one replaces it.
      return this.put(key, id, value, by, now);
    },

    /** Removes an item; false when there was none. */
    async remove(key: SettingsKey, id: string, by: SettingsAuthor, now: Date): Promise<boolean> {
      const f = field(id);
      const r = await col.updateOne(
        { _id: key, [f]: { $exists: true } },
        { $unset: { [f]: '' }, $set: stamp(by, now), $inc: { version: 1 } },
      );
      return r.modifiedCount > 0;
    },

    /** Records a change: who, when, what (never a secret's value). */
    async record(change: SettingsChange): Promise<void> {
      await changes.insertOne({ _id: randomUUID(), ...change });
    },

    /** The latest changes, newest first (a page for people; a scan, never on the hot path). */
    async history(limit = 50): Promise<SettingsChange[]> {
      const docs = await changes.find({}).sort({ at: -1 }).limit(limit).toArray();
      return docs.map(({ _id: _i, ...c }) => c);
    },
  };
}
