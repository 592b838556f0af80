/**
 * Managing sources through the API, on the real stores and the real poll workers: a source added
 * through the API is polled without a restart and survives one; sources.yaml's can be paused but
 * not rewritten; credentials go in and never come out; a test fetch stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { runShutdown } from '../../src/lifecycle.js';
import { createRuntime, runtimeShutdownSteps } from '../../src/runtime.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { configDir } from '../helpers/config-dir.js';
import { testEnv } from '../helpers/env.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';

const FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');
const SECRETS_KEY = 'a test key of enough characters';

let site: TestServer;
let app: TestApp;
let env: Record<string, string>;

beforeAll(async () => {
  site = await startHttpServer((req, res) => {
    if (req.url.startsWith('/feed')) {
      res.writeHead(200, { 'Content-Type': 'application/atom+xml', ETag: '"1"' }).end(FEED);
    } else res.writeHead(404).end();
  });
  const dir = configDir({
    'sources.yaml': [
      'sources:',
      '  - id: file-feed',
      '    kind: rss',
      '    every: 1h',
      // A Google Alerts-like URL with its token, and a user:password: neither may come out.
      `    url: ${site.url.replace('http://', 'http://reader:hunter2@')}/feed-file?token=s3cr3t`,
      '',
    ].join('\n'),
  });
  env = { CONFIG_DIR: dir, SECRETS_KEY };
  app = await startTestApp({ env, workers: ['poll'] });
});

afterAll(async () => {
  await app?.stop();
  await site?.close();
});

// NOTE: `any`: answers are read field by field in assertions, which check their shape.
// oxlint-disable-next-line no-explicit-any
type Json = Record<string, any>;

const call = async (method: string, path: string, body?: unknown) => {
  const res = await app.as('admin')(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    body: (text ? JSON.parse(text) : null) as Json,
  };
};

describe('sources through the API', () => {
  it('lists the file’s sources with their state, and never a credential', async () => {
    const { status, body, text } = await call('GET', '/api/v1/sources');

    expect(status).toBe(200);
    expect(body.data[0]).toMatchObject({
      id: 'file-feed',
      kind: 'rss',
      origin: 'file',
      state: { consecutiveFailures: 0, mentionsLast24h: expect.any(Number) },
    });
    expect(body.data[0].target).toContain('token=***');
    expect(text).not.toMatch(/hunter2|s3cr3t/);
  });

  it('adds a source that the running workers poll at once, without a restart', async () => {
    const created = await call('POST', '/api/v1/sources', {
      id: 'api-feed',
      kind: 'rss',
      every: '1h',
      url: `${site.url}/feed-api`,
    });

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'api-feed', origin: 'api', every: 3_600_000 });
    const stored = await eventually(
      async () => {
        const n = await app.rt.mongo.db
          .collection('mentions')
          .countDocuments({ source: 'api-feed' });
        return n > 0 ? n : undefined;
      },
      20_000,
      'the new source to be polled',
    );
    expect(stored).toBe(20);
    const listed = await call('GET', '/api/v1/sources/api-feed');
    expect(listed.body.state.lastSuccessAt).not.toBeNull();
    expect(listed.body.status).toBe('ok');
  });

  it('refuses a taken id, a bad kind and misspelt settings, naming them', async () => {
    const taken = await call('POST', '/api/v1/sources', {
      id: 'file-feed',
      kind: 'rss',
      url: `${site.url}/x`,
    });
    const kind = await call('POST', '/api/v1/sources', { id: 'x', kind: 'myspace' });
    const typo = await call('POST', '/api/v1/sources', {
      id: 'y',
      kind: 'rss',
      url: `${site.url}/x`,
      evry: '1h',
    });

    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('conflict');
    expect(kind.status).toBe(400);
    expect(typo.status).toBe(400);
    expect(JSON.stringify(typo.body.error.details)).toContain('evry');
  });

  it('keeps credentials sealed in the store and never returns them', async () => {
    const created = await call('POST', '/api/v1/sources', {
      id: 'with-secret',
      kind: 'rss',
      enabled: false,
      url: `${site.url}/feed-secret`,
      secrets: {},
    });
    expect(created.status).toBe(201);
    // rss has no secret: naming one is an error, not silently kept.
    const unknown = await call('PATCH', '/api/v1/sources/with-secret', {
      secrets: { password: 'hunter3' },
    });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body)).not.toContain('hunter3');
    const doc = await app.rt.mongo.db
      .collection('sources')
      .findOne({ _id: 'with-secret' as never });
    expect(JSON.stringify(doc)).not.toContain('hunter3');
  });

  it('pauses a file source, and refuses to rewrite or remove it', async () => {
    const paused = await call('PATCH', '/api/v1/sources/file-feed', { enabled: false });
    const rewrite = await call('PATCH', '/api/v1/sources/file-feed', { url: `${site.url}/other` });
    const remove = await call('DELETE', '/api/v1/sources/file-feed');

    expect(paused.status).toBe(200);
    expect(paused.body.status).toBe('paused');
    expect(rewrite.status).toBe(409);
    expect(remove.status).toBe(409);
    const resumed = await call('PATCH', '/api/v1/sources/file-feed', { enabled: true });
    expect(resumed.body.enabled).toBe(true);
  });

  it('changes and removes an API source; its mentions stay', async () => {
    const changed = await call('PATCH', '/api/v1/sources/api-feed', { every: '30m', watch: false });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ every: 1_800_000, watch: false });
    const renamed = await call('PATCH', '/api/v1/sources/api-feed', { kind: 'reddit' });
    expect(renamed.status).toBe(400);

    const removed = await call('DELETE', '/api/v1/sources/api-feed');
    expect(removed.status).toBe(204);
    expect((await call('GET', '/api/v1/sources/api-feed')).status).toBe(404);
    expect((await call('DELETE', '/api/v1/sources/api-feed')).status).toBe(404);
    expect(
      await app.rt.mongo.db.collection('mentions').countDocuments({ source: 'api-feed' }),
    ).toBe(20);
    const scheduled = (await app.rt.queues.pollQueue('rss').getJobSchedulers()).map((s) => s.key);
    expect(scheduled).not.toContain('poll-api-feed');
  });

  it('tries a source once: what would be stored, and nothing stored', async () => {
    await call('POST', '/api/v1/sources', {
      id: 'tried',
      kind: 'rss',
      enabled: false,
      url: `${site.url}/feed-tried`,
    });
    const before = await app.rt.sources.get('tried');

    const tried = await call('POST', '/api/v1/sources/tried/test');
    const broken = await call('POST', '/api/v1/sources', {
      id: 'tried-broken',
      kind: 'rss',
      enabled: false,
      url: `${site.url}/missing`,
    });
    const failed = await call('POST', '/api/v1/sources/tried-broken/test');

    expect(tried.status).toBe(200);
    expect(tried.body).toMatchObject({ ok: true, fetched: 20 });
    expect(tried.body.mentions[0]).toMatchObject({
      source: 'tried',
      analysis: { lang: expect.any(String), sentiment: { label: expect.any(String) } },
    });
    expect(await app.rt.mongo.db.collection('mentions').countDocuments({ source: 'tried' })).toBe(
      0,
    );
    expect((await app.rt.sources.get('tried'))?.cursor).toEqual(before?.cursor);
    expect(broken.status).toBe(201);
    expect(failed.body).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('404') },
    });
  });

  it('keeps API sources across a restart', async () => {
    // Another runtime on the same store, as after a restart.
    const config = loadConfig({ ...testEnv(env), MONGODB_URL: app.config.mongo.url });
    const rt = await createRuntime(config);
    try {
      const ids = (await rt.catalog.list()).map((s) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['file-feed', 'with-secret', 'tried']));
    } finally {
      await runShutdown(runtimeShutdownSteps(rt), rt.logger);
    }
  });
});
