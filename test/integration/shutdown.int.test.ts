/**
 * Graceful shutdown of a real worker process: on SIGTERM, or a Ctrl-C that arrives twice at once
 * (the terminal's SIGINT and the one npm passes on), the poll in flight finishes and is stored,
 * connections close, and the process exits 0.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { REPO_ROOT } from '../../src/devtools/mongo-dev.js';
import { connectMongo, type MongoStore } from '../../src/store/mongo.js';
import { createMentionsRepository } from '../../src/store/mentions-repository.js';
import { configDir } from '../helpers/config-dir.js';
import { testEnv } from '../helpers/env.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const FEED = sharedFixture('rss/node-feedparser_rss2sample.xml');

let site: TestServer;
let mongo: MongoStore;
let env: Record<string, string>;
let sawRequest: () => void;
const requested = new Promise<void>((resolve) => (sawRequest = resolve));

beforeAll(async () => {
  // A slow site: the poll is still in flight when the worker is told to stop.
  site = await startHttpServer(async (_req, res) => {
    sawRequest();
    await new Promise((r) => setTimeout(r, 1_500));
    res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(FEED);
  });
  const dir = configDir({
    'sources.yaml': `sources:\n  - id: slow-site\n    kind: rss\n    every: 1h\n    url: ${site.url}/feed.xml\n`,
  });
  env = testEnv({ CONFIG_DIR: dir });
  const config = loadConfig(env);
  mongo = await connectMongo(config.mongo);
});

afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
  await site?.close();
  const redis = new Redis(env.REDIS_URL!);
  for (const name of ['poll.rss', 'analyze', 'detect', 'notify']) {
    const q = new Queue(name, { connection: redis, prefix: env.QUEUE_PREFIX! });
    await q.obliterate({ force: true });
    await q.close();
  }
  redis.disconnect();
});

describe('SIGTERM or Ctrl-C', () => {
  it('lets the job in flight finish, then exits 0, however many copies of Ctrl-C arrive', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'workers/all.worker.ts')],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );

    await requested;
    child.kill('SIGINT');
    child.kill('SIGINT');
    const code = await exited;
    expect(code, output).toBe(0);

    const stored = await createMentionsRepository(mongo.db).list({
      source: 'slow-site',
      limit: 10,
    });
    expect(stored.mentions).toHaveLength(4);
  });
});
