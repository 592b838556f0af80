/**
 * The counts store on its own, for the files that test it without the app: a database of the
 * file's own on the real MongoDB-wire server (see `testEnv`), with its indexes, dropped after.
 */
import { loadConfig } from '../../config/index.js';
import {
  createCountsRepository,
  type CountsRepository,
} from '../../src/store/counts-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from '../../src/store/mongo.js';
import { testEnv } from './env.js';

export async function openCountsStore(): Promise<{ mongo: MongoStore; counts: CountsRepository }> {
  const mongo = await connectMongo(loadConfig(testEnv()).mongo);
  await ensureIndexes(mongo.db);
  return { mongo, counts: createCountsRepository(mongo.db) };
}

/** Drops the file's database and closes the connection (nothing to do if it never opened). */
export async function dropStore(mongo: MongoStore | undefined): Promise<void> {
  await mongo?.db.dropDatabase();
  await mongo?.close();
}
