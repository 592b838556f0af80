/**
 * Builds and starts our MongoDB-wire server for local runs and tests: FerretDB v1.24 embedded in
 * scripts/mongo-dev (SQLite files in a data folder, or FerretDB's PostgreSQL handler on a given
 * database with `postgresqlUrl`, as `npm run bench:load` compares). Used only when MONGODB_URL is not set.
 * The binary is cached under .cache/mongo-dev/, keyed by a hash of the Go sources, so it is built
 * once per change (about a minute cold, seconds with Go's build cache).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GO_DIR = path.join(REPO_ROOT, 'scripts/mongo-dev');

/** Path of the cached binary, built first if needed. */
export async function ensureMongoDevBinary(log: (msg: string) => void = () => {}): Promise<string> {
  const hash = createHash('sha256');
  const files = readdirSync(GO_DIR)
    .filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
    .toSorted();
  for (const f of files) hash.update(f).update(readFileSync(path.join(GO_DIR, f)));
  const dir = path.join(REPO_ROOT, '.cache/mongo-dev');
  const bin = path.join(dir, `mongo-dev-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  log('building the MongoDB-wire server (FerretDB v1.24, first run only)...');
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    await promisify(execFile)('go', ['build', '-o', tmp, '.'], {
      cwd: GO_DIR,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`mongo-dev: go build failed in ${GO_DIR}: ${e.stderr || e.message}`, {
      cause: err,
    });
  }
  renameSync(tmp, bin); // atomic: a concurrent build just replaces an identical file
  return bin;
}

export interface MongoDevServer {
  /** mongodb://127.0.0.1:PORT (no database: callers add theirs). */
  url: string;
  port: number;
  /** The server's process id (benchmarks read its CPU time and memory from /proc). */
  pid: number | undefined;
  /** Safe to call twice. */
  stop(): Promise<void>;
}

/** Starts the server and resolves once its port accepts connections. */
export async function startMongoDev(opts: {
  dataDir: string;
  port?: number;
  logFile?: string;
  log?: (msg: string) => void;
  /** postgres://host:port/db: store in PostgreSQL (FerretDB's PostgreSQL handler), not SQLite. */
  postgresqlUrl?: string;
}): Promise<MongoDevServer> {
  const bin = await ensureMongoDevBinary(opts.log);
  const port = opts.port ?? (await freePort());
  mkdirSync(opts.dataDir, { recursive: true });
  const out = openSync(opts.logFile ?? path.join(opts.dataDir, 'mongo-dev.log'), 'a');
  const args = ['-listen', `127.0.0.1:${port}`, '-data', opts.dataDir];
  if (opts.postgresqlUrl) args.push('-postgresql-url', opts.postgresqlUrl);
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', out, out] });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (!(await canConnect(port))) {
    if (exited) throw new Error(`mongo-dev: exited at start; see ${opts.dataDir}/mongo-dev.log`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mongo-dev: port ${port} not open after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `mongodb://127.0.0.1:${port}`,
    port,
    pid: child.pid,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      })),
  };
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port')),
      );
    });
  });
}
