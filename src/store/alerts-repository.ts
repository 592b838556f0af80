/**
 * Alerts in MongoDB. An alert is unique on its `key` (what raised it: touchpoint and opening
 * time of the wave, or source and start of the outage), so a detection that runs twice, or a
 * replay of the same history, keeps one alert per wave.
 */
import { ObjectId, type Collection, type Db, type Filter } from 'mongodb';
import type {
  Alert,
  AlertEvent,
  AlertEvidence,
  AlertKind,
  AlertStatus,
  Severity,
} from '../domain/alert.js';
import { isDuplicateKeyError } from './mongo.js';

type AlertDoc = Omit<Alert, 'id'> & { _id: ObjectId };

export interface AlertQuery {
  kind?: AlertKind;
  status?: AlertStatus;
  touchpoint?: string;
  severity?: Severity;
  /** The id of the user it is assigned to. */
  assignee?: string;
  /** Opening time (event time) in [openedSince, openedUntil). */
  openedSince?: Date;
  openedUntil?: Date;
  limit: number;
  /** After this alert in the list's order (the last one of the previous page). */
  after?: { openedAt: Date; id: string };
}

/** What a detector (or an operational check) knows of an alert it wants to exist. */
export interface AlertSpec {
  key: string;
  kind: AlertKind;
  touchpoint?: Alert['touchpoint'];
  sourceId?: string;
  title: string;
  openedAt: Date;
  severity: Severity;
  evidence: AlertEvidence;
}

export type AlertsRepository = ReturnType<typeof createAlertsRepository>;

export function createAlertsRepository(db: Db) {
  const col: Collection<AlertDoc> = db.collection<AlertDoc>('alerts');

  return {
    /**
     * Opens the alert unless one with its key exists. `created` tells which; the returned alert
     * is the stored one either way.
     */
    async openOnce(spec: AlertSpec, now = new Date()): Promise<{ alert: Alert; created: boolean }> {
      const doc: AlertDoc = {
        _id: new ObjectId(),
        kind: spec.kind,
        key: spec.key,
        ...(spec.touchpoint ? { touchpoint: spec.touchpoint } : {}),
        ...(spec.sourceId ? { sourceId: spec.sourceId } : {}),
        title: spec.title,
        severity: spec.severity,
        status: 'open',
        openedAt: spec.openedAt,
        resolvedAt: null,
        snoozedUntil: null,
        evidence: spec.evidence,
        history: [{ at: spec.openedAt, kind: 'opened', severity: spec.severity }],
        createdAt: now,
        updatedAt: now,
      };
      try {
        await col.insertOne(doc);
        return { alert: toAlert(doc), created: true };
      } catch (err) {
        if (!isDuplicateKeyError(err)) throw err;
        const existing = await col.findOne({ key: spec.key });
        if (!existing) throw err;
        return { alert: toAlert(existing), created: false };
      }
    },

    async findById(id: string): Promise<Alert | null> {
      if (!ObjectId.isValid(id)) return null;
      const doc = await col.findOne({ _id: new ObjectId(id) });
      return doc ? toAlert(doc) : null;
    },

    async findByKey(key: string): Promise<Alert | null> {
      const doc = await col.findOne({ key });
      return doc ? toAlert(doc) : null;
    },

    /** Alerts of one kind not yet resolved, e.g. to reconcile them with a fresh detection. */
    async unresolved(kind: AlertKind, touchpointOrSource?: string): Promise<Alert[]> {
      const filter: Filter<AlertDoc> = { kind, status: { $ne: 'resolved' } };
      if (touchpointOrSource) {
        if (kind === 'weak-link') filter['touchpoint.id'] = touchpointOrSource;
        else filter.sourceId = touchpointOrSource;
      }
      return (await col.find(filter).sort({ openedAt: 1 }).toArray()).map((d) => toAlert(d));
    },

    /**
     * Newest first by opening time. A snooze ends by itself: past `snoozedUntil` the alert is
     * `open` again, for the status filter as for the alerts returned.
     */
    async list(q: AlertQuery, now = new Date()): Promise<Alert[]> {
      const filter: Filter<AlertDoc> = {};
      if (q.kind) filter.kind = q.kind;
      if (q.status === 'open') {
        filter.$or = [{ status: 'open' }, { status: 'snoozed', snoozedUntil: { $lte: now } }];
      } else if (q.status === 'snoozed') {
        filter.status = 'snoozed';
        filter.snoozedUntil = { $gt: now };
      } else if (q.status) filter.status = q.status;
      if (q.severity) filter.severity = q.severity;
      if (q.touchpoint) filter['touchpoint.id'] = q.touchpoint;
      if (q.assignee) filter['assignee.id'] = q.assignee;
      if (q.openedSince || q.openedUntil) {
        filter.openedAt = {
          ...(q.openedSince ? { $gte: q.openedSince } : {}),
          ...(q.openedUntil ? { $lt: q.openedUntil } : {}),
        };
      }
      // The page after the last alert seen: older, or as old with a smaller id.
      const query: Filter<AlertDoc> =
        q.after && ObjectId.isValid(q.after.id)
          ? {
              $and: [
                filter,
                {
                  $or: [
                    { openedAt: { $lt: q.after.openedAt } },
                    { openedAt: q.after.openedAt, _id: { $lt: new ObjectId(q.after.id) } },
                  ],
                },
              ],
            }
          : filter;
      const docs = await col.find(query).sort({ openedAt: -1, _id: -1 }).limit(q.limit).toArray();
      return docs.map((d) => toAlert(d, now));
    },

    /** Refreshes the numbers of an alert whose state did not change. */
    async updateEvidence(
      id: string,
      evidence: AlertEvidence,
      now = new Date(),
    ): Promise<Alert | null> {
      if (!ObjectId.isValid(id)) return null;
      const res = await col.findOneAndUpdate(
        { _id: new ObjectId(id) },
        { $set: { evidence, updatedAt: now } },
        { returnDocument: 'after' },
      );
      return res ? toAlert(res, now) : null;
    },

    /**
     * Appends an event and applies what comes with it (severity, status, evidence). Returns the
     * index of the event in the alert's history (the notification's identity), or null when the
     * alert does not exist.
     */
    async record(
      id: string,
      event: AlertEvent,
      changes: {
        severity?: Severity;
        status?: AlertStatus;
        evidence?: AlertEvidence;
        resolvedAt?: Date | null;
        snoozedUntil?: Date | null;
        assignee?: { id: string; name: string } | null;
      } = {},
      now = new Date(),
    ): Promise<{ alert: Alert; eventIndex: number } | null> {
      if (!ObjectId.isValid(id)) return null;
      const _id = new ObjectId(id);
      const res = await col.findOneAndUpdate(
        { _id },
        { $push: { history: event }, $set: { ...changes, updatedAt: now } },
        { returnDocument: 'after' },
      );
      if (!res) return null;
      return { alert: toAlert(res), eventIndex: res.history.length - 1 };
    },
  };
}

/** The alert as readers see it; a snooze that has run out reads as `open`. */
function toAlert({ _id, ...rest }: AlertDoc, now = new Date()): Alert {
  const awake =
    rest.status === 'snoozed' &&
    rest.snoozedUntil !== null &&
    rest.snoozedUntil.getTime() <= now.getTime();
  return { id: _id.toHexString(), ...rest, ...(awake ? { status: 'open' as const } : {}) };
}
