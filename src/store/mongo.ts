/**
 * The MongoDB connection and the collections' indexes. Index creation runs at every start and is
 * idempotent (createIndexes with the same spec is a no-op). Only what both MongoDB and FerretDB v1
 * support is used: plain, compound and unique indexes.
 */
import { MongoClient, type Db, type IndexDescription } from 'mongodb';

export interface MongoStore {
  client: MongoClient;
  db: Db;
  ping(): Promise<void>;
  /** Safe to call twice. */
  close(): Promise<void>;
}

export async function connectMongo(opts: { url: string; dbName: string }): Promise<MongoStore> {
  const client = new MongoClient(opts.url, {
    serverSelectionTimeoutMS: 10_000,
    appName: 'maillon',
  });
  await client.connect();
  let closing: Promise<void> | undefined;
  return {
    client,
    db: client.db(opts.dbName),
    ping: async () => {
      await client.db(opts.dbName).command({ ping: 1 });
    },
    close: () => (closing ??= client.close()),
  };
}

/** Every index the queries of Maillon rely on, by collection. */
export const INDEXES: Record<string, IndexDescription[]> = {
  // The natural key is the `_id` (derived from it: src/store/mentions-repository.ts). The rest
  // of a mention is JSON, so only `list`'s sort and source filter have an index to use.
  mentions: [
    { key: { publishedAt: -1, _id: -1 }, name: 'publishedAt' },
    { key: { source: 1, publishedAt: -1 }, name: 'source_publishedAt' },
  ],
  alerts: [
    { key: { key: 1 }, name: 'key', unique: true },
    { key: { openedAt: -1, _id: -1 }, name: 'openedAt' },
    { key: { status: 1, openedAt: -1 }, name: 'status_openedAt' },
    { key: { 'touchpoint.id': 1, openedAt: -1 }, name: 'touchpoint_openedAt' },
    { key: { kind: 1, status: 1 }, name: 'kind_status' },
  ],
  deliveries: [
    // The idempotency key: one delivery per alert event and channel.
    { key: { key: 1 }, name: 'key', unique: true },
    { key: { status: 1, updatedAt: -1 }, name: 'status_updatedAt' },
    { key: { alertId: 1 }, name: 'alertId' },
  ],
};

/**
 * True on FerretDB (its buildInfo says `ferretdbVersion`). FerretDB v1 never uses an index to
 * answer a query (only a lone `_id` reaches SQL, see docs/architecture.md), so there an index
 * only costs writes (the mentions' six cost a third of the insert rate).
 */
async function isFerretDb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return 'ferretdbVersion' in info;
}

/**
 * Creates the indexes Maillon's queries rely on. On FerretDB only the unique ones, which keep
 * their guarantee there.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const uniqueOnly = await isFerretDb(db);
  for (const [collection, all] of Object.entries(INDEXES)) {
    const indexes = uniqueOnly ? all.filter((i) => i.unique) : all;
    // One index per command: FerretDB 1.24 (SQLite) drops the connection on a createIndexes
    // that creates several at once.
    const col = db.collection(collection);
    // Indexes an earlier version made and this one no longer wants (a unique one above all)
    // would refuse writes the code now expects: drop them.
    const wanted = new Set(indexes.map((i) => i.name));
    const existing = await col.indexes().catch(() => []);
    for (const i of existing) {
      if (i.name && i.name !== '_id_' && !wanted.has(i.name)) await col.dropIndex(i.name);
    }
    for (const index of indexes) await col.createIndexes([index]);
  }
}

/** True when `err` is a duplicate-key error (E11000), from MongoDB or FerretDB. */
export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/** The per-document errors of a bulk write (the driver gives one alone unwrapped). */
function writeErrorsOf(err: unknown): { index?: unknown; err?: { index?: unknown } }[] {
  const list = (err as { writeErrors?: unknown }).writeErrors;
  return (Array.isArray(list) ? list : list ? [list] : []) as { index?: unknown }[];
}

/** True when a single or bulk write failed only on duplicate keys (a lost race on an upsert). */
export function isOnlyDuplicateKeys(err: unknown): boolean {
  if (isDuplicateKeyError(err)) return true;
  const errors = writeErrorsOf(err);
  return errors.length > 0 && errors.every(isDuplicateKeyError);
}

/** The positions of the documents a bulk insert refused as duplicates. */
export function duplicateIndexes(err: unknown): number[] {
  return writeErrorsOf(err)
    .map((e) => e.index ?? e.err?.index)
    .filter((i): i is number => typeof i === 'number');
}
