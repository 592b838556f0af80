/**
 * Deliveries in MongoDB: one per alert event and channel (`<alertId>:<eventIndex>:<channelId>`)
 * or per digest and channel (`digest:<date>:<channelId>`), unique on that key (the `_id`, and
 * the `key` index of src/store/mongo.ts). Creating one twice
 * keeps the first, and a delivery recorded `delivered` is never sent again, however often its
 * job runs.
 */
import type { Collection, Db, Filter } from 'mongodb';
import type { Digest } from '../alerts/digest.js';
import type { Delivery } from '../domain/alert.js';
import { isDuplicateKeyError } from './mongo.js';

export type DeliveryStatus = Delivery['status'];

/** An alert event's delivery: the `Delivery` of the domain, with the event's index. */
export interface AlertDelivery extends Delivery {
  subject: 'alert';
  eventIndex: number;
}

/** A digest's delivery; its content is kept so that a retry sends what was computed. */
export interface DigestDelivery extends Omit<Delivery, 'alertId' | 'event'> {
  subject: 'digest';
  date: string;
  digest: Digest;
}

export type StoredDelivery = AlertDelivery | DigestDelivery;

export type NewDelivery =
  | Pick<AlertDelivery, 'subject' | 'key' | 'alertId' | 'eventIndex' | 'channelId' | 'event'>
  | Pick<DigestDelivery, 'subject' | 'key' | 'date' | 'digest' | 'channelId'>;

type DeliveryDoc = StoredDelivery & { _id: string };

export type DeliveriesRepository = ReturnType<typeof createDeliveriesRepository>;

export function createDeliveriesRepository(db: Db) {
  const col: Collection<DeliveryDoc> = db.collection<DeliveryDoc>('deliveries');

  const set = async (key: string, $set: Partial<StoredDelivery>, extra: object = {}) => {
    const doc = await col.findOneAndUpdate(
      { _id: key },
      { $set: { ...$set, updatedAt: $set.updatedAt ?? new Date() }, ...extra },
      { returnDocument: 'after' },
    );
    return doc ? toDelivery(doc) : null;
  };

  return {
    /** Creates the delivery unless its key exists; `created` tells which. */
    async createOnce(
      d: NewDelivery,
      now = new Date(),
    ): Promise<{ delivery: StoredDelivery; created: boolean }> {
      const doc = {
        ...d,
        _id: d.key,
        status: 'pending',
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      } as DeliveryDoc;
      try {
        await col.insertOne(doc);
        return { delivery: toDelivery(doc), created: true };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const existing = await col.findOne({ _id: d.key });
        if (!existing) throw err;
        return { delivery: toDelivery(existing), created: false };
      }
    },

    /** The keys among these whose delivery is still pending (neither delivered nor dead). */
    async pendingAmong(keys: string[]): Promise<string[]> {
      // One lookup by _id each (an alert has a handful of events): FerretDB v1 pushes an _id
      // equality down to its store, not an $in.
      const pending: string[] = [];
      for (const key of keys) {
        const doc = await col.findOne({ _id: key }, { projection: { status: 1 } });
        if (doc?.status === 'pending') pending.push(key);
      }
      return pending;
    },

    async get(key: string): Promise<StoredDelivery | null> {
      const doc = await col.findOne({ _id: key });
      return doc ? toDelivery(doc) : null;
    },

    async markDelivered(key: string, at = new Date()): Promise<void> {
      await set(
        key,
        { status: 'delivered', deliveredAt: at, updatedAt: at },
        { $inc: { attempts: 1 } },
      );
    },

    /** A failed attempt that will be retried. */
    async recordFailure(key: string, error: string, at = new Date()): Promise<void> {
      await set(key, { lastError: error, updatedAt: at }, { $inc: { attempts: 1 } });
    },

    /** The last attempt failed, or the receiver refused for good: listed as a dead letter. */
    async markDead(key: string, error: string, at = new Date()): Promise<void> {
      await set(
        key,
        { status: 'dead', lastError: error, updatedAt: at },
        { $inc: { attempts: 1 } },
      );
    },

    /** Back to pending for a re-send; null when there is no such delivery. */
    async resetPending(key: string, at = new Date()): Promise<StoredDelivery | null> {
      return set(key, { status: 'pending', updatedAt: at });
    },

    /** Most recently changed first. */
    async list(q: { status?: DeliveryStatus; limit: number }): Promise<StoredDelivery[]> {
      const filter: Filter<DeliveryDoc> = q.status ? { status: q.status } : {};
      const docs = await col.find(filter).sort({ updatedAt: -1, _id: 1 }).limit(q.limit).toArray();
      return docs.map(toDelivery);
    },
  };
}

function toDelivery({ _id: _k, ...rest }: DeliveryDoc): StoredDelivery {
  return rest;
}
