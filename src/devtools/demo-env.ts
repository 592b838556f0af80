/**
 * Where the demo keeps its data: only in what it created itself, so that two demos, or a demo
 * and a real installation, on one machine never wipe each other.
 *
 * - Without MONGODB_URL it starts a MongoDB-wire server of its own, on a free port, with a data
 *   folder of its own (removed when it stops), never the one `npm start` uses on 27017.
 * - With MONGODB_URL it works on that server in a database of its own, named for this run
 *   (`maillon_demo_<id>`), never in the database the URL names; it drops that database when it
 *   stops and nothing else, ever.
 * - Its queues get a prefix of their own for this run (whatever QUEUE_PREFIX says), removed when
 *   it stops.
 * - When the API's default port is taken (another demo), it listens on a free one.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canConnect, startMongoDev } from './mongo-dev.js';

export interface DemoEnv {
  /** The environment to load the configuration from. */
  env: Record<string, string | undefined>;
  /** The demo's own database and queue prefix: the only ones it may empty. */
  dbName: string;
  queuePrefix: string;
  /** Its database is on a server it did not start: drop it when the demo stops. */
  dropOnStop: boolean;
  /** Stops the server it started and removes its data folder; safe to call twice. */
  stop(): Promise<void>;
}

/** The API's port unless PORT says otherwise (see config/index.ts). */
const DEFAULT_PORT = 3000;

export async function prepareDemoEnv(
  env: Record<string, string | undefined>,
  say: (msg: string) => void,
): Promise<DemoEnv> {
  const id = randomBytes(4).toString('hex');
  const queuePrefix = `maillon-demo-${id}`;
  const port =
    env.PORT === undefined || env.PORT === ''
      ? (await canConnect(DEFAULT_PORT))
        ? '0'
        : String(DEFAULT_PORT)
      : env.PORT;
  // QUEUE_PREFIX comes last: a user's own prefix in the environment must not reach the demo.
  const base = {
    ...env,
    LOG_FORMAT: env.LOG_FORMAT || 'pretty',
    PORT: port,
    QUEUE_PREFIX: queuePrefix,
  };

  if (env.MONGODB_URL) {
    const url = new URL(env.MONGODB_URL);
    const dbName = `maillon_demo_${id}`;
    const theirs = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(none)';
    url.pathname = `/${dbName}`;
    say(
      `demo: MONGODB_URL is set: the demo works in a database of its own there, ${dbName} (dropped when it stops), not in ${theirs}.`,
    );
    return {
      env: { ...base, MONGODB_URL: url.toString() },
      dbName,
      queuePrefix,
      dropOnStop: true,
      stop: async () => {},
    };
  }

  const dataDir = mkdtempSync(path.join(tmpdir(), 'maillon-demo-'));
  say(
    `demo: MONGODB_URL not set: starting a MongoDB-wire server of the demo's own (data in ${dataDir}, removed when it stops)`,
  );
  const dbName = 'maillon_demo';
  let server: Awaited<ReturnType<typeof startMongoDev>>;
  try {
    server = await startMongoDev({ dataDir, log: say });
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let stopping: Promise<void> | undefined;
  return {
    env: { ...base, MONGODB_URL: `${server.url}/${dbName}` },
    dbName,
    queuePrefix,
    // The whole folder goes: nothing to drop first.
    dropOnStop: false,
    stop: () =>
      (stopping ??= server.stop().then(() => rmSync(dataDir, { recursive: true, force: true }))),
  };
}

/**
 * The environment with `url`'s host (host:port) added to HTTP_ALLOW_HOSTS: the demo feed is served
 * from 127.0.0.1, which the SSRF guard refuses unless the configuration names it.
 */
export function allowHostOf(
  env: Record<string, string | undefined>,
  url: string,
): Record<string, string | undefined> {
  const hosts = (env.HTTP_ALLOW_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  return { ...env, HTTP_ALLOW_HOSTS: [...hosts, new URL(url).host].join(',') };
}
