/**
 * Losing the store: on a MongoDB-wire server of the test's own (the shared one is never stopped),
 * stopped and started again on its data, the API answers 503 in its one error shape, not 500,
 * and /readyz names the store; both recover without a restart of Maillon.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoDev, type MongoDevServer } from '../../src/devtools/mongo-dev.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

let dataDir: string;
let server: MongoDevServer;
let app: TestApp;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'maillon-test-outage-'));
  server = await startMongoDev({ dataDir });
  app = await startTestApp({
    env: { MONGODB_URL: `${server.url}/maillon_outage` },
    workers: [],
  });
});

afterAll(async () => {
  await app?.stop();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function getJson(
  p: string,
): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const res = await app.as('admin')(p);
  return { status: res.status, body: await res.json(), retryAfter: res.headers.get('retry-after') };
}

describe('losing the store', () => {
  it('answers 503 unavailable on API routes and says not ready, then serves again when it is back', async () => {
    expect((await getJson('/api/v1/mentions')).status).toBe(200);
    await server.stop();

    // The driver waits for a server for up to its selection timeout (10 s): ask both at once.
    const [mentions, alerts, ready] = await Promise.all([
      getJson('/api/v1/mentions'),
      getJson('/api/v1/alerts'),
      getJson('/readyz'),
    ]);
    for (const r of [mentions, alerts]) {
      expect(r.status).toBe(503);
      expect(r.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
      expect(r.retryAfter).toBe('5');
    }
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({
      status: 'not_ready',
      notReady: ['mongodb'],
      checks: { redis: { status: 'ok' }, mongodb: { status: 'down' } },
    });

    server = await startMongoDev({ dataDir, port: server.port });
    await eventually(
      async () => ((await getJson('/readyz')).status === 200 ? true : undefined),
      30_000,
      'ready again',
    );
    expect((await getJson('/api/v1/mentions')).status).toBe(200);
  });
});
