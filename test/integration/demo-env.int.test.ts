/**
 * The demo works only in what it created: a server of its own without MONGODB_URL, a database
 * and queues of its own with it, and it removes them, and only them, when it stops.
 */
import { spawn } from 'node:child_process';
import { MongoClient } from 'mongodb';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { prepareDemoEnv, type DemoEnv } from '../../src/devtools/demo-env.js';
import { canConnect, REPO_ROOT } from '../../src/devtools/mongo-dev.js';
import { eventually } from '../helpers/app.js';

const quiet = () => {};
const started: DemoEnv[] = [];
afterAll(async () => {
  for (const d of started) await d.stop();
});

describe('the demo without MONGODB_URL', () => {
  it('starts a server of its own per demo, on a free port with its own folder, and removes it when it stops', async () => {
    const a = await prepareDemoEnv({}, quiet);
    const b = await prepareDemoEnv({}, quiet);
    started.push(a, b);
    const urlA = new URL(a.env.MONGODB_URL ?? '');
    const urlB = new URL(b.env.MONGODB_URL ?? '');
    expect(urlA.port).not.toBe(urlB.port);
    expect(urlA.port).not.toBe('27017');
    expect(a.queuePrefix).not.toBe(b.queuePrefix);
    expect(a.dropOnStop).toBe(false);
    const portA = Number(urlA.port);
    expect(await canConnect(portA)).toBe(true);

    await a.stop();
    expect(await canConnect(portA)).toBe(false);
    expect(await canConnect(Number(urlB.port))).toBe(true);
  });
});

describe('the demo with MONGODB_URL', () => {
  it('names a database and queue prefix of its own, whatever the environment says', async () => {
    const d = await prepareDemoEnv(
      { MONGODB_URL: 'mongodb://db.example:27017/maillon', QUEUE_PREFIX: 'maillon' },
      quiet,
    );
    expect(d.env.MONGODB_URL).toBe(`mongodb://db.example:27017/${d.dbName}`);
    expect(d.dbName).toMatch(/^maillon_demo_[0-9a-f]{8}$/);
    expect(d.env.QUEUE_PREFIX).toBe(d.queuePrefix);
    expect(d.queuePrefix).toMatch(/^maillon-demo-[0-9a-f]{8}$/);
    expect(d.dropOnStop).toBe(true);
  });

  it('npm run demo leaves the databases and queues it did not create alone, and removes its own', async () => {
    const base = new URL(inject('mongoBaseUrl'));
    const client = await new MongoClient(base.toString()).connect();
    const redis = new Redis(inject('redisUrl'), { maxRetriesPerRequest: null });
    const userPrefix = `test-user-${process.pid}`;
    const userQueue = new Queue('analyze', { connection: redis, prefix: userPrefix });
    try {
      // A real installation's database and queue, and an older demo's database.
      await client.db('maillon_user').collection('mentions').insertOne({ text: 'keep me' });
      await client.db('maillon_demo').collection('mentions').insertOne({ text: 'keep me too' });
      await userQueue.add('analyze', { mentionId: 'f'.repeat(24) }, { jobId: 'keep' });

      const url = new URL(base);
      url.pathname = '/maillon_user';
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts', '--demo'], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          MONGODB_URL: url.toString(),
          REDIS_URL: inject('redisUrl'),
          QUEUE_PREFIX: userPrefix,
          PORT: '0',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      await new Promise<void>((resolve, reject) => {
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('demo: the dashboard is at')) resolve();
        });
        void exited.then(() => reject(new Error(`the demo exited:\n${stderr}`)));
      });
      const id = /database of its own there, maillon_demo_([0-9a-f]{8})/.exec(stderr)?.[1];
      expect(id).toBeDefined();
      const dbName = `maillon_demo_${id}`;
      const names = async () =>
        (await client.db().admin().listDatabases()).databases.map((d) => d.name);
      expect(await names()).toContain(dbName);

      child.kill('SIGINT');
      expect(await exited).toBe(0);

      expect(await names()).not.toContain(dbName);
      expect(await client.db('maillon_user').collection('mentions').countDocuments()).toBe(1);
      expect(await client.db('maillon_demo').collection('mentions').countDocuments()).toBe(1);
      expect(await userQueue.getJobState('keep')).toBe('waiting');
      // Its queues are gone; the rate limiter's key expires by itself within its 1 s window.
      await eventually(
        async () => ((await redis.keys(`maillon-demo-${id}:*`)).length === 0 ? true : undefined),
        5_000,
        "the demo's queues removed",
      );
    } finally {
      await client.db('maillon_user').dropDatabase();
      await client.db('maillon_demo').dropDatabase();
      await userQueue.obliterate({ force: true });
      await userQueue.close();
      redis.disconnect();
      await client.close();
    }
  }, 180_000);
});
