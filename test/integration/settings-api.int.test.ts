/**
 * Channels, routes and touchpoints changed by an admin through the real API, followed without a
 * restart by the real notify job (started by the runtime, asking the channel catalog) and by the
 * doors that read mentions, in the API's process and in a second runtime (another process's
 * worker side) on the same store. Secrets are write-only and sealed: never in an answer, never
 * in the store in clear; without SECRETS_KEY a channel with a secret is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { verifyWebhook } from '../../src/alerts/webhook.js';
import { mentionInputSchema, type MentionInput } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { runShutdown } from '../../src/lifecycle.js';
import { createRuntime, runtimeShutdownSteps, type Runtime } from '../../src/runtime.js';
import { createJourneyProvider } from '../../src/settings/journey-provider.js';
import type { AlertSpec } from '../../src/store/alerts-repository.js';
import { mentionId } from '../../src/store/mentions-repository.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { waveEvidence } from '../helpers/alert-evidence.js';
import { configDir } from '../helpers/config-dir.js';
import { testEnv } from '../helpers/env.js';
import { openApiChecker, type OpenApiChecker } from '../helpers/openapi.js';
import { startHttpServer, type RecordedRequest, type TestServer } from '../helpers/http-server.js';

const SIGNING = 'whsec_settings_signing_0123';
const TOKEN = 'tok3n-in-the-url-987';
const KEY = 'a test key of thirty-two characters!';

const evidence = waveEvidence();

function spec(touchpoint: string, n: number): AlertSpec {
  const openedAt = new Date(Date.UTC(2026, 2, 1, 10, n));
  return {
    key: `weak-link:${touchpoint}:${openedAt.toISOString()}`,
    kind: 'weak-link',
    touchpoint: { id: touchpoint, stage: 'receive', label: { fr: touchpoint, en: touchpoint } },
    title: `${touchpoint}: negative word of mouth`,
    openedAt,
    severity: 'warning',
    evidence,
  };
}

const posts = (s: TestServer) => s.requests.filter((r) => r.method === 'POST');

/** Every JSON answer below is held to the OpenAPI document the app serves. */
const checkers = new WeakMap<TestApp, OpenApiChecker>();
async function contract(app: TestApp): Promise<void> {
  const res = await app.as('viewer')('/api/openapi.json');
  checkers.set(app, openApiChecker((await res.json()) as Record<string, unknown>));
}

/** The API as a role; JSON in and out. */
function api(app: TestApp, role: 'admin' | 'manager' | 'viewer' = 'admin') {
  return async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await app.as(role)(path, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await res.text();
    const body = (text ? JSON.parse(text) : null) as never;
    if (text) checkers.get(app)?.check(init.method ?? 'GET', path, res.status, body);
    return { status: res.status, text, body };
  };
}

const mention = (n: number, text: string) => ({
  source: 'push',
  externalId: `s-${n}`,
  url: `https://example.com/s/${n}`,
  author: { id: `a-${n}`, name: `Author ${n}` },
  text,
  lang: 'en',
  publishedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
});

const input = (n: number, text: string): MentionInput => mentionInputSchema.parse(mention(n, text));

const LOYALTY = {
  stage: 'stay-loyal',
  label: { fr: 'Carte de fidélité', en: 'Loyalty card' },
  keywords: { fr: ['carte de fidélité'], en: ['loyalty card'] },
  exclude: [],
};

describe('settings through the API', () => {
  let app: TestApp;
  let crm: TestServer;
  let care: TestServer;
  let down: TestServer;
  let dir: string;

  beforeAll(async () => {
    crm = await startHttpServer((_req, res) => void res.writeHead(204).end());
    care = await startHttpServer((_req, res) => void res.writeHead(204).end());
    // Answers 500 with the request's own URL in its body (a receiver echoing its token).
    down = await startHttpServer((req, res) => void res.writeHead(500).end(`failed ${req.url}`));
    // alerts.yaml without routes: the defaults take every channel, the API's included.
    dir = configDir({ 'alerts.yaml': 'channels:\n  - { id: console, type: log }\n' });
    app = await startTestApp({
      env: { CONFIG_DIR: dir, SECRETS_KEY: KEY },
      workers: ['notify'],
    });
    await contract(app);
  });

  afterAll(async () => {
    await app?.stop();
    for (const s of [crm, care, down]) await s?.close();
  });

  it('creates a channel whose secrets are never shown nor stored in clear, and that receives the next alert', async () => {
    const admin = api(app);
    const created = await admin('/api/v1/channels', {
      method: 'POST',
      body: {
        id: 'crm',
        type: 'webhook',
        secrets: { url: `${crm.url}/hook?token=${TOKEN}`, secret: SIGNING },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'crm',
      type: 'webhook',
      origin: 'api',
      secrets: { url: 'set', secret: 'set' },
      updatedBy: { name: 'test admin' },
    });

    const list = await admin('/api/v1/channels');
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({
      data: [
        { id: 'console', type: 'log', origin: 'file' },
        { id: 'crm', origin: 'api' },
      ],
    });
    const routes = await admin('/api/v1/routes');
    expect(routes.body).toMatchObject({
      origin: 'file',
      routes: [
        { match: { kind: 'weak-link' }, channels: ['console', 'crm'] },
        { match: { kind: 'operational' }, channels: ['console'] },
      ],
    });

    const { alert } = await app.rt.alerts.openOnce(spec('delivery', 1));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    await eventually(async () => posts(crm).length >= 1 || undefined, 20_000, 'the crm post');
    const h = posts(crm)[0] as RecordedRequest;
    expect(h.url).toBe(`/hook?token=${TOKEN}`);
    expect(h.headers['x-maillon-delivery']).toBe(`${alert.id}:0:crm`);
    expect(
      verifyWebhook({
        secret: SIGNING,
        body: h.body,
        timestamp: h.headers['x-maillon-timestamp'] as string,
        signature: h.headers['x-maillon-signature'] as string,
      }),
    ).toBe(true);

    // A test message through the real channel.
    const test = await admin('/api/v1/channels/crm/test', { method: 'POST' });
    expect(test.body).toEqual({ ok: true });
    expect(posts(crm)).toHaveLength(2);
    expect(posts(crm)[1]?.headers['x-maillon-event']).toBe('digest');

    // A failing one answers the error, redacted.
    const broken = await admin('/api/v1/channels', {
      method: 'POST',
      body: {
        id: 'broken',
        type: 'webhook',
        digestOnly: true,
        secrets: { url: `${down.url}/x?token=${TOKEN}`, secret: SIGNING },
      },
    });
    expect(broken.status).toBe(201);
    const failed = await admin('/api/v1/channels/broken/test', { method: 'POST' });
    expect(failed.body).toMatchObject({ ok: false, error: { name: 'DeliveryError' } });
    expect(failed.text).toContain('500');

    // Changing it: options checked by the type's schema, secrets merged by name.
    const bad = await admin('/api/v1/channels/broken', {
      method: 'PATCH',
      body: { options: { colour: 'red' } },
    });
    expect(bad.status).toBe(400);
    const patched = await admin('/api/v1/channels/broken', {
      method: 'PATCH',
      body: { secrets: { url: `${care.url}/y?token=${TOKEN}` } },
    });
    expect(patched.status).toBe(200);
    expect((await admin('/api/v1/channels/broken/test', { method: 'POST' })).body).toEqual({
      ok: true,
    });
    expect(posts(care)).toHaveLength(1);
    expect((await admin('/api/v1/channels/broken', { method: 'DELETE' })).status).toBe(204);
    expect((await admin('/api/v1/channels/broken', { method: 'DELETE' })).status).toBe(404);

    // No answer ever held a secret, and neither does the store.
    const answers = [created, list, routes, broken, failed, patched].map((r) => r.text).join('\n');
    const stored = JSON.stringify(
      await Promise.all(
        ['settings', 'settings_changes'].map((c) => app.rt.mongo.db.collection(c).find().toArray()),
      ),
    );
    for (const secret of [TOKEN, SIGNING]) {
      expect(answers).not.toContain(secret);
      expect(stored).not.toContain(secret);
    }
    expect(stored).toContain('"sealed":"v1.');
    // The answers above were held to the document.
    expect(checkers.get(app)?.covered).toContain('POST /api/v1/channels/{id}/test');
  });

  it("refuses what is not the API's to change, and bad channels", async () => {
    const admin = api(app);
    expect((await admin('/api/v1/channels/console', { method: 'DELETE' })).status).toBe(409);
    expect(
      (await admin('/api/v1/channels/console', { method: 'PATCH', body: { digestOnly: true } }))
        .status,
    ).toBe(409);
    const again = await admin('/api/v1/channels', {
      method: 'POST',
      body: { id: 'crm', type: 'log' },
    });
    expect(again.status).toBe(409);
    const noUrl = await admin('/api/v1/channels', {
      method: 'POST',
      body: { id: 'x', type: 'teams', secrets: { url: 'not a url' }, options: { lang: 'de' } },
    });
    expect(noUrl.status).toBe(400);
    expect(noUrl.text).toContain('secrets.url');
    expect(noUrl.text).toContain('options.lang');
    // Settings are the admins'.
    expect((await api(app, 'manager')('/api/v1/channels')).status).toBe(403);
  });

  it('sends a touchpoint’s alerts to another channel once routes are put, and back to the file’s after', async () => {
    const admin = api(app);
    expect(
      (
        await admin('/api/v1/channels', {
          method: 'POST',
          body: {
            id: 'care',
            type: 'webhook',
            secrets: { url: `${care.url}/care`, secret: SIGNING },
          },
        })
      ).status,
    ).toBe(201);
    const unknown = await admin('/api/v1/routes', {
      method: 'PUT',
      body: [{ match: { touchpoints: ['delivery'] }, channels: ['nowhere'] }],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.text).toContain('no channel');
    const put = await admin('/api/v1/routes', {
      method: 'PUT',
      body: [
        { match: { touchpoints: ['delivery'] }, channels: ['care'] },
        { match: { kind: 'weak-link' }, channels: ['console'] },
      ],
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      origin: 'api',
      routes: [
        { match: { kind: 'weak-link', touchpoints: ['delivery'] }, channels: ['care'] },
        { match: { kind: 'weak-link' }, channels: ['console'] },
      ],
      updatedBy: { name: 'test admin' },
    });

    const crmBefore = posts(crm).length;
    const careBefore = posts(care).filter((r) => r.url === '/care').length;
    const { alert } = await app.rt.alerts.openOnce(spec('delivery', 2));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    await eventually(
      async () => posts(care).filter((r) => r.url === '/care').length > careBefore || undefined,
      20_000,
      'the care post',
    );
    await eventually(async () => {
      const d = await app.rt.deliveries.get(`${alert.id}:0:console`);
      return d?.status === 'delivered' || undefined;
    });
    expect(posts(crm)).toHaveLength(crmBefore);
    expect(await app.rt.deliveries.get(`${alert.id}:0:crm`)).toBeNull();

    // A channel the routes name cannot go; back to the file's routes, it can.
    expect((await admin('/api/v1/channels/care', { method: 'DELETE' })).status).toBe(409);
    const reset = await admin('/api/v1/routes', { method: 'DELETE' });
    expect(reset.body).toMatchObject({ origin: 'file' });
    expect((await admin('/api/v1/channels/care', { method: 'DELETE' })).status).toBe(204);

    const history = await admin('/api/v1/settings/history');
    expect(history.body).toMatchObject({
      data: expect.arrayContaining([
        expect.objectContaining({
          what: 'routes',
          action: 'reset',
          by: expect.objectContaining({ name: 'test admin' }),
        }),
        expect.objectContaining({ what: 'channels', id: 'crm', action: 'create' }),
      ]),
    });
  });

  it('links the next pushed mention to a keyword added through the API, here and in another runtime', async () => {
    const admin = api(app);
    // A second runtime on the same store (another process's worker side), started before the
    // change; its journey looks at the store at most every millisecond here (default 5 s).
    const other: Runtime = await createRuntime(
      loadConfig({
        ...testEnv({ CONFIG_DIR: dir, SECRETS_KEY: KEY, SETTINGS_REFRESH: '1ms' }),
        MONGODB_URL: app.config.mongo.url,
        QUEUE_PREFIX: app.config.redis.prefix,
      }),
    );
    try {
      const text = 'My loyalty card was refused at the till, again.';
      const linked = (a: { touchpoints: { id: string }[] }) =>
        a.touchpoints.map((t) => t.id).includes('loyalty-card');
      const push = async (n: number) => {
        const res = await admin('/api/v1/mentions', { method: 'POST', body: [mention(n, text)] });
        expect(res.status).toBe(202);
        const id = (res.body as { ids: string[] }).ids[0] as string;
        const stored = await app.rt.mentions.findById(id);
        return { touchpoints: stored?.touchpoints ?? [] };
      };
      // Before: no such touchpoint, nor a filter on it.
      expect((await admin('/api/v1/mentions?touchpoint=loyalty-card')).status).toBe(400);
      expect(linked(await push(1))).toBe(false);
      expect(linked(other.acceptDeps.analyze(input(1, text)))).toBe(false);

      const bad = await admin('/api/v1/touchpoints/loyalty-card', {
        method: 'PUT',
        body: { ...LOYALTY, keywords: { fr: [], en: ['loyalty card'] } },
      });
      expect(bad.status).toBe(400);
      const put = await admin('/api/v1/touchpoints/loyalty-card', { method: 'PUT', body: LOYALTY });
      expect(put.status).toBe(200);
      expect(put.body).toMatchObject({ id: 'loyalty-card', origin: 'api' });

      // The API's own process: at once.
      expect(linked(await push(2))).toBe(true);
      // ...and every handler reading the journey (the explorer's filters here).
      expect((await admin('/api/v1/mentions?touchpoint=loyalty-card')).status).toBe(200);
      const listed = await api(app, 'viewer')('/api/v1/touchpoints');
      expect(listed.body).toMatchObject({
        data: expect.arrayContaining([
          { id: 'delivery', stage: 'receive', label: expect.anything(), origin: 'file' },
          { id: 'loyalty-card', stage: 'stay-loyal', label: LOYALTY.label, origin: 'api' },
        ]),
      });

      // The other runtime: through the door its workers use, once its journey looked again.
      await eventually(
        async () => linked(other.acceptDeps.analyze(input(3, text))) || undefined,
        5_000,
        'the other runtime to see the touchpoint',
      );
      await acceptMentions(other.acceptDeps, [input(4, text)]);
      const stored = await app.rt.mentions.findById(mentionId('push', 's-4'));
      expect(stored?.touchpoints?.map((t) => t.id)).toContain('loyalty-card');

      // The file's touchpoints are the file's; the API's go.
      expect((await admin('/api/v1/touchpoints/delivery', { method: 'DELETE' })).status).toBe(409);
      expect((await admin('/api/v1/touchpoints/loyalty-card', { method: 'DELETE' })).status).toBe(
        204,
      );
      expect((await admin('/api/v1/touchpoints/loyalty-card', { method: 'DELETE' })).status).toBe(
        404,
      );
      expect(linked(await push(5))).toBe(false);
      expect(
        (await api(app, 'manager')('/api/v1/touchpoints/x', { method: 'PUT', body: LOYALTY }))
          .status,
      ).toBe(403);
    } finally {
      await runShutdown(runtimeShutdownSteps(other), other.logger);
    }
  });

  it('reads the store once per period, not once per mention', async () => {
    let lookups = 0;
    const settings = app.rt.settings;
    const counting = {
      ...settings,
      version: (key: Parameters<typeof settings.version>[0]) => {
        lookups += 1;
        return settings.version(key);
      },
    };
    let t = Date.UTC(2026, 0, 1);
    const journey = createJourneyProvider({
      file: app.config.touchpoints,
      settings: counting,
      maxAgeMs: 5_000,
      now: () => new Date(t),
    });
    await journey.refresh();
    for (let i = 0; i < 1_000; i++) journey.link('la livraison était en retard', 'fr');
    expect(lookups).toBe(0);
    t += 5_000;
    for (let i = 0; i < 1_000; i++) journey.link('la livraison était en retard', 'fr');
    expect(lookups).toBe(1);
  });
});

describe('settings without SECRETS_KEY', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ workers: [] });
    await contract(app);
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses a channel with a secret, and says why', async () => {
    const res = await api(app)('/api/v1/channels', {
      method: 'POST',
      body: {
        id: 'hook',
        type: 'webhook',
        secrets: { url: 'https://hooks.example.com/x', secret: 'whsec_x' },
      },
    });
    expect(res.status).toBe(400);
    expect(res.text).toContain('SECRETS_KEY');
    expect(res.text).not.toContain('whsec_x');
    // A channel without a secret is fine.
    const log = await api(app)('/api/v1/channels', {
      method: 'POST',
      body: { id: 'audit-log', type: 'log' },
    });
    expect(log.status).toBe(201);
  });
});
