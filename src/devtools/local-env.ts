/**
 * For local runs without MONGODB_URL: point at our MongoDB-wire server on 127.0.0.1:27017,
 * starting it (data in .data/ferretdb) unless one already answers there, e.g. another `npm start`'s
 * (the demo never uses this one: it starts a server of its own, see demo-env.ts).
 */
import path from 'node:path';
import { canConnect, REPO_ROOT, startMongoDev } from './mongo-dev.js';

export const LOCAL_MONGO_PORT = 27017;

export interface LocalEnv {
  env: Record<string, string | undefined>;
  /** Stops what this call started; safe to call twice. */
  stop(): Promise<void>;
}

/** `dbName`: the database on the local server. */
export async function withLocalMongo(
  env: Record<string, string | undefined>,
  log: (msg: string) => void,
  dbName = 'maillon',
): Promise<LocalEnv> {
  if (env.MONGODB_URL) return { env, stop: async () => {} };
  const url = `mongodb://127.0.0.1:${LOCAL_MONGO_PORT}/${dbName}`;
  if (await canConnect(LOCAL_MONGO_PORT)) {
    log(`MONGODB_URL not set: using the server already on port ${LOCAL_MONGO_PORT}`);
    return { env: { ...env, MONGODB_URL: url }, stop: async () => {} };
  }
  const dataDir = path.join(REPO_ROOT, '.data/ferretdb');
  log(
    `MONGODB_URL not set: starting the local MongoDB-wire server (FerretDB, data in ${path.relative(process.cwd(), dataDir) || dataDir})`,
  );
  const server = await startMongoDev({ dataDir, port: LOCAL_MONGO_PORT, log });
  return { env: { ...env, MONGODB_URL: url }, stop: () => server.stop() };
}
