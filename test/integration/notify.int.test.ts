/**
 * Notifications on real Redis and the real MongoDB-wire server: alert events reach Slack-
 * compatible and signed-webhook receivers once each, a receiver that is down gets its message
 * once it recovers, a refused delivery becomes a dead letter the API lists and re-sends, and a
 * failing source raises one operational alert, escalated once to critical when it lasts, that
 * only the ops route receives.
 *
 * The notify worker is built here from createNotifyProcessor, so that this file does not depend
 * on how src/runtime.ts wires it.
 */
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/alerts/webhook.js';
import { negativesByTouchpoint } from '../../src/jobs/ops-check.js';
import { createNotifyProcessor } from '../../src/jobs/notify.js';
import { QUEUE } from '../../src/queue/queues.js';
import type { AlertSpec } from '../../src/store/alerts-repository.js';
import type { Contribution, Label } from '../../src/store/counts-repository.js';
import type {
  DeliveriesRepository,
  StoredDelivery,
} from '../../src/store/deliveries-repository.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { waveEvidence } from '../helpers/alert-evidence.js';
import { configDir } from '../helpers/config-dir.js';
import { sharedFixture } from '../helpers/fixtures.js';
import { startHttpServer, type RecordedRequest, type TestServer } from '../helpers/http-server.js';

const SECRET = 'whsec_integration';

const evidence = waveEvidence(
  [1, 2, 3, 4].map((i) => ({
    mentionId: `m${i}`,
    source: 'push',
    url: `https://example.com/${i}`,
    author: `a${i}`,
    quote: `livraison en retard ${i}`,
    lang: 'fr',
    reach: i,
    publishedAt: new Date('2026-03-01T10:00:00Z'),
  })),
);

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

const ok = (r: RecordedRequest) => r.method === 'POST';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('notifications', () => {
  let app: TestApp;
  let worker: Worker;
  let deliveries: DeliveriesRepository;
  let slack: TestServer;
  let hook: TestServer;
  let flaky: TestServer;
  let broken: TestServer;
  let ops: TestServer;
  let site: TestServer;
  let ordered: TestServer;
  /** What the ordered receiver answered, in the order requests arrived. */
  const orderLog: { key: string; kind: string; status: number }[] = [];
  /** Delivery keys the ordered receiver refuses (404) or fails (500, counted down). */
  const refuse = new Set<string>();
  const failTimes = new Map<string, number>();
  let flakyCalls = 0;
  let brokenFixed = false;
  let siteUp = false;

  beforeAll(async () => {
    slack = await startHttpServer((_req, res) => void res.writeHead(200).end('ok'));
    hook = await startHttpServer((_req, res) => void res.writeHead(204).end());
    flaky = await startHttpServer((_req, res) => {
      flakyCalls += 1;
      res.writeHead(flakyCalls <= 3 ? 500 : 200).end();
    });
    broken = await startHttpServer(
      (_req, res) => void res.writeHead(brokenFixed ? 200 : 404).end(),
    );
    ops = await startHttpServer((_req, res) => void res.writeHead(200).end());
    ordered = await startHttpServer((req, res) => {
      const key = String(req.headers['x-maillon-delivery']);
      const left = failTimes.get(key) ?? 0;
      if (left > 0) failTimes.set(key, left - 1);
      const status = refuse.has(key) ? 404 : left > 0 ? 500 : 200;
      const body = JSON.parse(req.body) as { event: { kind: string } };
      orderLog.push({ key, kind: body.event.kind, status });
      res.writeHead(status).end();
    });
    site = await startHttpServer((_req, res) => {
      if (!siteUp) res.writeHead(500).end('down');
      else {
        res.writeHead(200, { 'Content-Type': 'application/atom+xml; charset=utf-8' });
        res.end(sharedFixture('rss/feedjira_google_alerts_atom.xml'));
      }
    });

    const dir = configDir({
      'sources.yaml': `sources:\n  - id: broken-feed\n    kind: rss\n    every: 1s\n    url: ${site.url}/feed.xml\n`,
      'alerts.yaml': [
        'channels:',
        '  - { id: console, type: log }',
        '  - { id: slack, type: slack, webhookUrlEnv: T_SLACK_URL, lang: fr }',
        '  - { id: hook, type: webhook, urlEnv: T_HOOK_URL, secretEnv: T_SECRET }',
        '  - { id: flaky, type: webhook, urlEnv: T_FLAKY_URL, secretEnv: T_SECRET }',
        '  - { id: broken, type: webhook, urlEnv: T_BROKEN_URL, secretEnv: T_SECRET }',
        '  - { id: ops, type: webhook, urlEnv: T_OPS_URL, secretEnv: T_SECRET }',
        '  - { id: ordered, type: webhook, urlEnv: T_ORDERED_URL, secretEnv: T_SECRET }',
        'routes:',
        '  - { match: { touchpoints: [delivery] }, channels: [console, slack, hook] }',
        '  - { match: { touchpoints: [support] }, channels: [flaky] }',
        '  - { match: { touchpoints: [price] }, channels: [broken] }',
        '  - { match: { kind: operational }, channels: [ops] }',
        '  - { match: { touchpoints: [checkout] }, channels: [ordered] }',
        'operational: { failingAfter: 2s, silentFactor: 6, silentFloor: 6h, criticalAfter: 8s }',
        '',
      ].join('\n'),
    });
    app = await startTestApp({
      env: {
        CONFIG_DIR: dir,
        T_SLACK_URL: `${slack.url}/services/T/B/X`,
        T_HOOK_URL: `${hook.url}/hook`,
        T_FLAKY_URL: `${flaky.url}/hook`,
        T_BROKEN_URL: `${broken.url}/hook`,
        T_OPS_URL: `${ops.url}/hook`,
        T_ORDERED_URL: `${ordered.url}/hook`,
        T_SECRET: SECRET,
      },
      // The real poll worker meets the failing site; notify is built below.
      workers: ['poll'],
    });
    const { rt, config } = app;
    deliveries = rt.deliveries;
    worker = new Worker(
      QUEUE.notify,
      createNotifyProcessor({
        alertsConfig: config.alerts,
        catalog: rt.catalog,
        touchpoints: config.touchpoints.touchpoints,
        alerts: rt.alerts,
        deliveries,
        sources: rt.sources,
        counts: rt.counts,
        queues: rt.queues,
        logger: rt.logger,
        publicUrl: 'https://maillon.example',
        timeoutMs: 2_000,
        allowHosts: ['127.0.0.1'],
        timeZone: config.touchpoints.brand.timeZone,
        // An event held behind an earlier one looks again after 100 ms, not 2 s.
        holdMs: 100,
      }),
      { connection: rt.redis.redis, prefix: config.redis.prefix, concurrency: 4 },
    );
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    await app?.stop();
    for (const s of [slack, hook, flaky, broken, ops, site, ordered]) await s?.close();
  });

  it('delivers an opened alert once to Slack and once, signed, to a webhook', async () => {
    const { alert } = await app.rt.alerts.openOnce(spec('delivery', 1));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    // A repeat of the same event is a no-op.
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });

    await eventually(
      async () => (slack.requests.length >= 1 && hook.requests.length >= 1) || undefined,
    );
    await eventually(async () => {
      const d = await deliveries.get(`${alert.id}:0:console`);
      return d?.status === 'delivered' || undefined;
    });
    await sleep(1_000);
    expect(slack.requests.filter(ok)).toHaveLength(1);
    expect(hook.requests.filter(ok)).toHaveLength(1);

    const s = JSON.parse(slack.requests[0]?.body ?? '{}') as { text: string; blocks: unknown[] };
    expect(s.text).toContain('Bouche-à-oreille négatif');
    // The alert in words, on the brand's clock: 09:00 UTC is 10 h in Paris.
    expect(JSON.stringify(s.blocks)).toContain(
      "*delivery : 12 plaintes depuis 10 h, de 8 personnes sur 1 site ; d'habitude 3 par jour.*",
    );
    expect(JSON.stringify(s.blocks)).toContain(`https://maillon.example/#/alerts/${alert.id}`);

    const h = hook.requests[0] as RecordedRequest;
    expect(h.headers['content-type']).toBe('application/json');
    expect(h.headers['x-maillon-event']).toBe('alert.opened');
    expect(h.headers['x-maillon-delivery']).toBe(`${alert.id}:0:hook`);
    expect(
      verifyWebhook({
        secret: SECRET,
        body: h.body,
        timestamp: h.headers['x-maillon-timestamp'] as string,
        signature: h.headers['x-maillon-signature'] as string,
      }),
    ).toBe(true);
    const body = JSON.parse(h.body) as {
      alert: { id: string; summary: { fr: string; en: string } };
      summary: { fr: string; en: string };
      event: { kind: string; index: number };
      link: string;
      dashboardLink: string;
    };
    expect(body.alert.id).toBe(alert.id);
    expect(body.summary.en).toMatch(
      /^delivery: 12 complaints since 10:00 from 8 people on 1 site, usually 3 a day\./,
    );
    expect(body.alert.summary).toEqual(body.summary);
    expect(body.event).toMatchObject({ kind: 'opened', index: 0 });
    expect(body.link).toBe(`https://maillon.example/api/v1/alerts/${alert.id}`);
    expect(body.dashboardLink).toBe(`https://maillon.example/#/alerts/${alert.id}`);

    for (const c of ['console', 'slack', 'hook']) {
      expect((await deliveries.get(`${alert.id}:0:${c}`))?.status).toBe('delivered');
    }
    // Not routed there.
    expect(await deliveries.get(`${alert.id}:0:flaky`)).toBeNull();
  });

  it('gets a message to a receiver that answered 500 three times, once, after it recovers', async () => {
    const { alert } = await app.rt.alerts.openOnce(spec('support', 2));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    const key = `${alert.id}:0:flaky`;
    const d = await eventually(
      async () => {
        const x = await deliveries.get(key);
        return x?.status === 'delivered' ? x : undefined;
      },
      25_000,
      'the flaky receiver to get the alert',
    );
    expect(d.attempts).toBe(4);
    await sleep(500);
    expect(flaky.requests.filter(ok)).toHaveLength(4);
    // Every attempt carries the same idempotency key.
    expect(new Set(flaky.requests.map((r) => r.headers['x-maillon-delivery']))).toEqual(
      new Set([key]),
    );
  });

  it('lists a refused delivery as dead, and re-sends it once on request', async () => {
    const { alert } = await app.rt.alerts.openOnce(spec('price', 3));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    const key = `${alert.id}:0:broken`;
    await eventually(async () =>
      (await deliveries.get(key))?.status === 'dead' ? true : undefined,
    );
    expect(broken.requests).toHaveLength(1); // a 404 is not retried

    const manager = app.as('manager');
    const listed = await manager(`/api/v1/deliveries?status=dead`);
    expect(listed.status).toBe(200);
    const { data } = (await listed.json()) as { data: StoredDelivery[] };
    expect(data.map((x) => x.key)).toContain(key);
    expect(data.find((x) => x.key === key)?.lastError).toMatch(/404/);

    const missing = await manager(`/api/v1/deliveries/nope/resend`, { method: 'POST' });
    expect(missing.status).toBe(404);
    const bad = await manager(`/api/v1/deliveries?status=lost`);
    expect(bad.status).toBe(400);

    brokenFixed = true;
    const resend = `/api/v1/deliveries/${encodeURIComponent(key)}/resend`;
    const resent = await manager(resend, { method: 'POST' });
    expect(resent.status).toBe(202);
    await eventually(async () =>
      (await deliveries.get(key))?.status === 'delivered' ? true : undefined,
    );
    // Delivered: asking again posts nothing, however often; a manager cannot force it.
    for (let i = 0; i < 3; i++)
      expect((await manager(resend, { method: 'POST' })).status).toBe(409);
    const forced = await manager(resend, { method: 'POST', body: JSON.stringify({ force: true }) });
    expect(forced.status).toBe(403);
    await sleep(500);
    expect(broken.requests).toHaveLength(2);
    // An admin may force it, explicitly: it is posted once more.
    const admin = await app.as('admin')(resend, {
      method: 'POST',
      body: JSON.stringify({ force: true }),
    });
    expect(admin.status).toBe(202);
    await eventually(async () => (broken.requests.length === 3 ? true : undefined));
  });

  it("delivers an alert's events in their order to a channel that fails the first for a while", async () => {
    // Opened, escalated and resolved before anything was sent, queued in order as detection
    // queues them; the receiver fails the opening twice (retried after 2 s, then 4 s).
    const { alert } = await app.rt.alerts.openOnce(spec('checkout', 5));
    await app.rt.alerts.record(
      alert.id,
      { at: new Date(alert.openedAt.getTime() + 900_000), kind: 'escalated', severity: 'critical' },
      { severity: 'critical' },
    );
    await app.rt.alerts.record(
      alert.id,
      { at: new Date(alert.openedAt.getTime() + 3_600_000), kind: 'resolved' },
      { status: 'resolved', resolvedAt: new Date(alert.openedAt.getTime() + 3_600_000) },
    );
    failTimes.set(`${alert.id}:0:ordered`, 2);
    for (const eventIndex of [0, 1, 2])
      await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex });

    const mine = () => orderLog.filter((r) => r.key.startsWith(alert.id));
    await eventually(
      async () => (mine().filter((r) => r.status === 200).length === 3 ? true : undefined),
      30_000,
      'the three events to reach the receiver',
    );
    expect(mine().map((r) => `${r.kind} ${r.status}`)).toEqual([
      'opened 500',
      'opened 500',
      'opened 200',
      'escalated 200',
      'resolved 200',
    ]);
  });

  it('lets the events after a dead delivery go, in their order', async () => {
    const { alert } = await app.rt.alerts.openOnce(spec('checkout', 6));
    await app.rt.alerts.record(alert.id, {
      at: new Date(alert.openedAt.getTime() + 900_000),
      kind: 'escalated',
      severity: 'critical',
    });
    await app.rt.alerts.record(alert.id, {
      at: new Date(alert.openedAt.getTime() + 3_600_000),
      kind: 'resolved',
    });
    refuse.add(`${alert.id}:0:ordered`);
    for (const eventIndex of [0, 1, 2])
      await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex });

    const mine = () => orderLog.filter((r) => r.key.startsWith(alert.id));
    await eventually(
      async () => (mine().length === 3 ? true : undefined),
      15_000,
      'the three events to be tried',
    );
    expect(mine().map((r) => `${r.kind} ${r.status}`)).toEqual([
      'opened 404',
      'escalated 200',
      'resolved 200',
    ]);
    expect((await deliveries.get(`${alert.id}:0:ordered`))?.status).toBe('dead');
  });

  it('counts negative mentions per touchpoint for the digest', async () => {
    const now = new Date();
    const mention = (i: number, tps: [string, Label][], hoursAgo: number): Contribution => ({
      mentionId: `digest-${i}`,
      publishedAt: new Date(now.getTime() - hoursAgo * 3_600_000),
      source: 'push',
      author: `a${i}`,
      reach: 1,
      shares: 0,
      relevant: true,
      overall: 'negative',
      touchpoints: tps.map(([id, label]) => ({ id, stage: 'receive', label })),
    });
    await app.rt.counts.add([
      mention(1, [['delivery', 'negative']], 1),
      mention(
        2,
        [
          ['delivery', 'negative'],
          ['support', 'negative'],
        ],
        2,
      ),
      mention(3, [['delivery', 'positive']], 3),
      mention(4, [['support', 'negative']], 30),
      { ...mention(5, [['delivery', 'negative']], 4), relevant: false },
    ]);
    const day = 24 * 3_600_000;
    const from = new Date(now.getTime() - day);
    expect(Object.fromEntries(await negativesByTouchpoint(app.rt.counts, from, now))).toEqual({
      delivery: 2,
      support: 1,
    });
    expect(
      Object.fromEntries(
        await negativesByTouchpoint(app.rt.counts, new Date(from.getTime() - day), from),
      ),
    ).toEqual({ support: 1 });
  });

  it('dates a run of poll failures at its first one, counts a retried poll once, and forgets it after a success', async () => {
    const repo = app.rt.sources;
    await app.rt.mongo.db.collection('sources').insertOne({
      _id: 'state-test' as never,
      kind: 'rss',
      url: 'https://feeds.example.com/state.xml',
      enabled: true,
      cursor: {},
      consecutiveFailures: 0,
      fetched: 0,
      inserted: 0,
      updatedAt: new Date(),
    });
    const t = (s: number) => new Date(Date.UTC(2026, 10, 30, 10, 0, s));
    await repo.recordFailure('state-test', { message: 'HTTP 500', at: t(0) });
    await repo.recordFailure('state-test', { message: 'HTTP 500', at: t(2), retry: true });
    await repo.recordFailure('state-test', { message: 'HTTP 502', at: t(30) });
    expect(await repo.get('state-test')).toMatchObject({
      consecutiveFailures: 2,
      failingSince: t(0),
      lastError: { message: 'HTTP 502', at: t(30) },
    });
    await repo.recordSuccess('state-test', { cursor: {}, fetched: 0, inserted: 0, at: t(60) });
    const recovered = await repo.get('state-test');
    expect(recovered).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: t(60) });
    expect(recovered?.failingSince).toBeUndefined();
    await repo.recordFailure('state-test', { message: 'HTTP 500', at: t(90) });
    expect((await repo.get('state-test'))?.failingSince).toEqual(t(90));
    // Maillon stopped for three days, the source still down: the run starts again at the first
    // failure seen after the restart, not three days ago (nothing polled it in between).
    const gap = 10 * 60_000;
    await repo.recordFailure('state-test', { message: 'HTTP 500', at: t(150), runGapMs: gap });
    expect(await repo.get('state-test')).toMatchObject({
      failingSince: t(90),
      consecutiveFailures: 2,
    });
    const restart = new Date(t(150).getTime() + 72 * 3_600_000);
    await repo.recordFailure('state-test', { message: 'HTTP 500', at: restart, runGapMs: gap });
    expect(await repo.get('state-test')).toMatchObject({
      failingSince: restart,
      consecutiveFailures: 1,
    });
  });

  it('raises one operational alert for a failing source, escalates it once, to the ops route only', async () => {
    const before = { slack: slack.requests.length, hook: hook.requests.length };
    expect(site.requests.length).toBeGreaterThan(0);
    await eventually(
      async () => {
        const st = await app.rt.sources.get('broken-feed');
        return st && st.consecutiveFailures >= 2 ? st : undefined;
      },
      15_000,
      'the source to fail',
    );
    await app.rt.queues.health.upsertJobScheduler(
      'check',
      { every: 500 },
      { name: 'check', data: {} },
    );

    const req = await eventually(async () => ops.requests[0], 15_000, 'the ops receiver');
    expect(req.headers['x-maillon-event']).toBe('alert.opened');
    const body = JSON.parse(req.body) as { alert: { kind: string; sourceId: string; key: string } };
    expect(body.alert).toMatchObject({ kind: 'operational', sourceId: 'broken-feed' });
    expect(body.alert.key).toMatch(/^source-failing:broken-feed:/);

    // Still down after criticalAfter (8 s): one escalation to critical, then nothing more.
    const escalated = await eventually(async () => ops.requests[1], 20_000, 'the escalation');
    expect(escalated.headers['x-maillon-event']).toBe('alert.escalated');
    expect(JSON.parse(escalated.body)).toMatchObject({
      alert: { severity: 'critical' },
      event: { kind: 'escalated', severity: 'critical' },
    });
    await sleep(2_000); // several more checks
    expect(ops.requests).toHaveLength(2);
    expect(await app.rt.alerts.unresolved('operational', 'broken-feed')).toHaveLength(1);

    // The site recovers: the alert resolves, and the ops route hears it once.
    siteUp = true;
    const resolved = await eventually(async () => ops.requests[2], 20_000, 'the resolution');
    expect(resolved.headers['x-maillon-event']).toBe('alert.resolved');
    await sleep(1_500);
    await app.rt.queues.health.removeJobScheduler('check');
    expect(ops.requests).toHaveLength(3);
    expect(await app.rt.alerts.unresolved('operational')).toHaveLength(0);
    expect({ slack: slack.requests.length, hook: hook.requests.length }).toEqual(before);
  });
});
