/**
 * Alerts and their deliveries. An alert is keyed by what raised it (rule and window), so a
 * detection that runs twice, or a replay of the same history, opens it once.
 */
import { ObjectId, type Db } from 'mongodb';
import type { Alert, Delivery, NewAlert } from '../domain/alert.js';
import { isDuplicateKeyError } from './mongo.js';

type AlertDoc = Omit<Alert, 'id'> & { _id: ObjectId };
type DeliveryDoc = Delivery & { _id?: ObjectId; createdAt: Date; updatedAt: Date };

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

export function createAlertsRepository(db: Db) {
  const alerts = db.collection<AlertDoc>('alerts');
  const deliveries = db.collection<DeliveryDoc>('deliveries');

  return {
    /** Opens the alert unless one with its key exists; `created` tells which. */
    async openOnce(a: NewAlert): Promise<{ alert: Alert; created: boolean }> {
      const doc: AlertDoc = { _id: new ObjectId(), ...a, status: 'open', createdAt: new Date() };
      try {
        await alerts.insertOne(doc);
        return { alert: toAlert(doc), created: true };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const existing = await alerts.findOne({ key: a.key });
        if (!existing) throw err;
        return { alert: toAlert(existing), created: false };
      }
    },

    async findById(id: string): Promise<Alert | null> {
      if (!ObjectId.isValid(id)) return null;
      const doc = await alerts.findOne({ _id: new ObjectId(id) });
      return doc ? toAlert(doc) : null;
    },

    /** Newest first by opening (event) time. */
    async list(limit: number): Promise<Alert[]> {
      const docs = await alerts.find().sort({ openedAt: -1, _id: -1 }).limit(limit).toArray();
      return docs.map(toAlert);
    },

    async delivery(alertId: string, channelId: string): Promise<Delivery | null> {
      const doc = await deliveries.findOne({ alertId, channelId }, { projection: { _id: 0 } });
      return doc ? toDelivery(doc) : null;
    },

    async recordDelivery(
      alertId: string,
      channelId: string,
      outcome: { ok: true } | { ok: false; error: string },
    ): Promise<void> {
      const now = new Date();
      await deliveries.updateOne(
        { alertId, channelId },
        {
          $set: outcome.ok
            ? { status: 'delivered', deliveredAt: now, updatedAt: now }
            : { status: 'failed', lastError: outcome.error, updatedAt: now },
          $inc: { attempts: 1 },
          $setOnInsert: { createdAt: now },
        },
        { upsert: true },
      );
    },
  };
}

function toAlert({ _id, ...rest }: AlertDoc): Alert {
  return { id: _id.toHexString(), ...rest };
}

function toDelivery(d: DeliveryDoc): Delivery {
  return {
    alertId: d.alertId,
    channelId: d.channelId,
    status: d.status,
    attempts: d.attempts,
    ...(d.lastError ? { lastError: d.lastError } : {}),
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
  };
}
