/**
 * Who may come in: users (the dashboard's people, with a password), API keys (integrators,
 * Prometheus, scripts) and dashboard sessions. Users and keys stay few, so listing them scans a
 * small collection; every per-request read is one lookup by `_id` (a key by its id, a session by
 * its token's digest), which the bundled server runs in SQL. Secrets are never stored: only their
 * hashes (src/access/secrets.ts).
 */
import type { Collection, Db } from 'mongodb';
import type { Role } from '../domain/vocabulary.js';
import { isDuplicateKeyError } from './mongo.js';

export interface User {
  /** The sign-in name: an e-mail address, lower-cased. */
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
  /** Who made it: a user's id, or `cli` for `maillon admin create`. */
  createdBy: string;
  lastSignInAt?: Date;
}

export interface ApiKey {
  id: string;
  /** What it is for ("Prometheus", "CRM sync"). */
  name: string;
  role: Role;
  createdAt: Date;
  createdBy: string;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

export interface Session {
  /** The digest of its token. */
  id: string;
  userId: string;
  /** Sent back in `x-csrf-token` on every state-changing request. */
  csrf: string;
  createdAt: Date;
  expiresAt: Date;
}

type UserDoc = Omit<User, 'id'> & { _id: string; passwordHash: string };
type KeyDoc = Omit<ApiKey, 'id'> & { _id: string; hash: string };
type SessionDoc = Omit<Session, 'id'> & { _id: string };

export type AccessRepository = ReturnType<typeof createAccessRepository>;

/** The last-used stamp is written at most this often per key: a busy key is not a write per request. */
const LAST_USED_EVERY_MS = 60_000;

export function createAccessRepository(db: Db) {
  const users: Collection<UserDoc> = db.collection<UserDoc>('users');
  const keys: Collection<KeyDoc> = db.collection<KeyDoc>('apikeys');
  const sessions: Collection<SessionDoc> = db.collection<SessionDoc>('sessions');

  const toUser = ({ _id, passwordHash: _p, ...rest }: UserDoc): User => ({ id: _id, ...rest });
  const toKey = ({ _id, hash: _h, ...rest }: KeyDoc): ApiKey => ({ id: _id, ...rest });

  return {
    /** Creates a user; false when the id is taken. */
    async createUser(user: User & { passwordHash: string }): Promise<boolean> {
      const { id, ...rest } = user;
      try {
        await users.insertOne({ _id: id, ...rest });
        return true;
      } catch (err) {
        if (isDuplicateKeyError(err)) return false;
        throw err;
      }
    },

    async findUser(id: string): Promise<(User & { passwordHash: string }) | null> {
      const doc = await users.findOne({ _id: id });
      return doc ? { ...toUser(doc), passwordHash: doc.passwordHash } : null;
    },

    async listUsers(): Promise<User[]> {
      const docs = await users.find({}).toArray();
      return docs.map(toUser).toSorted((a, b) => a.id.localeCompare(b.id));
    },

    async countAdmins(): Promise<number> {
      const docs = await users.find({}).toArray();
      return docs.filter((u) => u.role === 'admin' && !u.disabled).length;
    },

    async updateUser(
      id: string,
      changes: Partial<
        Pick<UserDoc, 'name' | 'role' | 'disabled' | 'passwordHash' | 'lastSignInAt'>
      >,
    ): Promise<User | null> {
      const r = await users.findOneAndUpdate(
        { _id: id },
        { $set: changes },
        { returnDocument: 'after' },
      );
      return r ? toUser(r) : null;
    },

    async deleteUser(id: string): Promise<boolean> {
      const r = await users.deleteOne({ _id: id });
      return r.deletedCount === 1;
    },

    async createKey(key: ApiKey & { hash: string }): Promise<void> {
      const { id, ...rest } = key;
      await keys.insertOne({ _id: id, ...rest });
    },

    async findKey(id: string): Promise<(ApiKey & { hash: string }) | null> {
      const doc = await keys.findOne({ _id: id });
      return doc ? { ...toKey(doc), hash: doc.hash } : null;
    },

    async listKeys(): Promise<ApiKey[]> {
      const docs = await keys.find({}).toArray();
      return docs.map(toKey).toSorted((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },

    async revokeKey(id: string, at: Date): Promise<ApiKey | null> {
      const r = await keys.findOneAndUpdate(
        { _id: id },
        { $set: { revokedAt: at } },
        { returnDocument: 'after' },
      );
      return r ? toKey(r) : null;
    },

    /** Stamps a key's last use, unless it was stamped less than a minute before. */
    async touchKey(key: ApiKey, at: Date): Promise<void> {
      if (key.lastUsedAt && at.getTime() - key.lastUsedAt.getTime() < LAST_USED_EVERY_MS) return;
      await keys.updateOne({ _id: key.id }, { $set: { lastUsedAt: at } });
    },

    async createSession(s: Session): Promise<void> {
      const { id, ...rest } = s;
      await sessions.insertOne({ _id: id, ...rest });
    },

    async findSession(id: string): Promise<Session | null> {
      const doc = await sessions.findOne({ _id: id });
      if (!doc) return null;
      const { _id, ...rest } = doc;
      return { id: _id, ...rest };
    },

    async deleteSession(id: string): Promise<void> {
      await sessions.deleteOne({ _id: id });
    },

    /**
     * Forgets expired sessions, and every session of a user when `userId` is given (disabled,
     * deleted, or a new password). Sessions stay few: a scan is fine.
     */
    async pruneSessions(now: Date, userId?: string): Promise<number> {
      const r = await sessions.deleteMany(
        userId ? { $or: [{ expiresAt: { $lt: now } }, { userId }] } : { expiresAt: { $lt: now } },
      );
      return r.deletedCount;
    },
  };
}
