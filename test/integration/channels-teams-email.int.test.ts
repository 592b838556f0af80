/**
 * Teams and e-mail channels on the real notify path (real Redis, the real MongoDB-wire server,
 * the notify processor, deliveries and their retries), against local receivers: an HTTP server
 * standing for Teams' webhook, and an SMTP server (smtp-server) receiving the mail.
 *
 * Teams: the Adaptive Card arrives once, with people's words only in TextRuns; 5xx and 429 are
 * retried, including the 429 an Office 365 connector hides in a 200; a refusal hidden the same
 * way goes dead at once. E-mail: the message arrives once with its subject in the channel's
 * language, sender, recipients, both parts and the hostile quote escaped in the HTML; a refused
 * recipient and refused credentials go dead at once, a "try later" is retried; a server the SSRF
 * guard refuses is never connected to.
 */
import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyProcessor } from '../../src/jobs/notify.js';
import { QUEUE } from '../../src/queue/queues.js';
import type { AlertSpec } from '../../src/store/alerts-repository.js';
import type { StoredDelivery } from '../../src/store/deliveries-repository.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { waveEvidence } from '../helpers/alert-evidence.js';
import { configDir } from '../helpers/config-dir.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.js';

const HOSTILE = '<img src=x onerror=alert(1)> **gras** [clic](https://evil.example)';
const CONNECTOR_429 =
  'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId tcid=0,server=x';
const CONNECTOR_400 =
  'Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 400 with ContextId tcid=0,server=x';

const evidence = waveEvidence([
  {
    mentionId: 'm1',
    source: 'push',
    url: 'https://example.com/1',
    author: 'a1',
    quote: HOSTILE,
    lang: 'fr',
    reach: 10,
    publishedAt: new Date('2026-03-01T10:00:00Z'),
  },
]);

function spec(touchpoint: string, n: number): AlertSpec {
  const openedAt = new Date(Date.UTC(2026, 2, 1, 10, n));
  return {
    key: `weak-link:${touchpoint}:${openedAt.toISOString()}`,
    kind: 'weak-link',
    touchpoint: {
      id: touchpoint,
      stage: 'receive',
      label: { fr: 'Livraison', en: 'Delivery' },
    },
    title: `${touchpoint}: negative word of mouth`,
    openedAt,
    severity: 'warning',
    evidence,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Teams and e-mail channels', () => {
  let app: TestApp;
  let worker: Worker;
  let teams: TestServer;
  let flaky: TestServer;
  let refusing: TestServer;
  let smtp: TestSmtpServer;
  let flakyCalls = 0;
  /** Recipients refused with 451 once, then accepted. */
  const busyOnce = new Set(['busy@example.com']);

  const delivery = (key: string) => app.rt.deliveries.get(key);
  const settled = (key: string, status: StoredDelivery['status']) =>
    eventually(
      async () => {
        const d = await delivery(key);
        return d?.status === status ? d : undefined;
      },
      30_000,
      `${key} to be ${status}`,
    );
  const notify = async (touchpoint: string, n: number) => {
    const { alert } = await app.rt.alerts.openOnce(spec(touchpoint, n));
    await app.rt.queues.enqueueNotify({ alertId: alert.id, eventIndex: 0 });
    return alert.id;
  };

  beforeAll(async () => {
    // Workflows answer 202 with an empty body.
    teams = await startHttpServer((_req, res) => void res.writeHead(202).end());
    flaky = await startHttpServer((_req, res) => {
      flakyCalls += 1;
      if (flakyCalls === 1) res.writeHead(503).end();
      else if (flakyCalls === 2) res.writeHead(200).end(CONNECTOR_429);
      else res.writeHead(200).end('1');
    });
    refusing = await startHttpServer((_req, res) => void res.writeHead(200).end(CONNECTOR_400));
    smtp = await startSmtpServer({
      users: { maillon: 's3cret' },
      refuse: (address) => {
        if (address === 'nobody@example.com') return 550;
        if (busyOnce.delete(address)) return 451;
        return undefined;
      },
    });

    const mail = (id: string, to: string[], password = 'T_SMTP_PASSWORD') =>
      `  - { id: ${id}, type: email, host: 127.0.0.1, port: ${smtp.port}, starttls: false, from: alertes@maillon.example, to: [${to.join(', ')}], lang: fr, userEnv: T_SMTP_USER, passwordEnv: ${password} }`;
    const dir = configDir({
      'alerts.yaml': [
        'channels:',
        '  - { id: teams, type: teams, urlEnv: T_TEAMS_URL, lang: fr }',
        '  - { id: teams-flaky, type: teams, urlEnv: T_FLAKY_URL }',
        '  - { id: teams-refusing, type: teams, urlEnv: T_REFUSING_URL }',
        mail('mail', ['service-client@example.com', 'direction@example.com']),
        mail('mail-nobody', ['nobody@example.com']),
        mail('mail-badpass', ['service-client@example.com'], 'T_SMTP_WRONG'),
        mail('mail-busy', ['busy@example.com']),
        `  - { id: mail-local, type: email, host: localhost, port: ${smtp.port}, starttls: false, from: a@maillon.example, to: [x@example.com] }`,
        'routes:',
        '  - { match: { touchpoints: [delivery] }, channels: [teams, mail] }',
        '  - { match: { touchpoints: [support] }, channels: [teams-flaky] }',
        '  - { match: { touchpoints: [price] }, channels: [teams-refusing] }',
        '  - { match: { touchpoints: [payment] }, channels: [mail-nobody] }',
        '  - { match: { touchpoints: [account] }, channels: [mail-badpass] }',
        '  - { match: { touchpoints: [returns] }, channels: [mail-busy] }',
        '  - { match: { touchpoints: [website] }, channels: [mail-local] }',
        '',
      ].join('\n'),
    });
    app = await startTestApp({
      env: {
        CONFIG_DIR: dir,
        T_TEAMS_URL: `${teams.url}/workflows/abc`,
        T_FLAKY_URL: `${flaky.url}/webhookb2/x`,
        T_REFUSING_URL: `${refusing.url}/webhookb2/y`,
        T_SMTP_USER: 'maillon',
        T_SMTP_PASSWORD: 's3cret',
        T_SMTP_WRONG: 'guess',
      },
      workers: [],
      api: false,
    });
    const { rt, config } = app;
    worker = new Worker(
      QUEUE.notify,
      createNotifyProcessor({
        alertsConfig: config.alerts,
        catalog: rt.catalog,
        touchpoints: config.touchpoints.touchpoints,
        alerts: rt.alerts,
        deliveries: rt.deliveries,
        sources: rt.sources,
        counts: rt.counts,
        queues: rt.queues,
        logger: rt.logger,
        publicUrl: 'https://maillon.example',
        timeoutMs: 2_000,
        // As in production, from HTTP_ALLOW_HOSTS: the local receivers live on 127.0.0.1.
        allowHosts: ['127.0.0.1'],
        timeZone: config.touchpoints.brand.timeZone,
        holdMs: 100,
      }),
      { connection: rt.redis.redis, prefix: config.redis.prefix, concurrency: 4 },
    );
    await worker.waitUntilReady();
  });

  afterAll(async () => {
    await worker?.close();
    await app?.stop();
    for (const s of [teams, flaky, refusing]) await s?.close();
    await smtp?.close();
  });

  it('posts the alert once to Teams as an Adaptive Card, and mails it once, in French', async () => {
    const alertId = await notify('delivery', 1);
    await settled(`${alertId}:0:teams`, 'delivered');
    await settled(`${alertId}:0:mail`, 'delivered');
    await sleep(500);

    // Teams
    expect(teams.requests).toHaveLength(1);
    const req = teams.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe('/workflows/abc');
    expect(req?.headers['content-type']).toBe('application/json');
    const msg = JSON.parse(req?.body ?? '{}') as {
      type: string;
      attachments: { contentType: string; content: Record<string, unknown> }[];
    };
    expect(msg.type).toBe('message');
    expect(msg.attachments).toHaveLength(1);
    expect(msg.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = msg.attachments[0]?.content ?? {};
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: "Ouvrir l'alerte",
        url: `https://maillon.example/#/alerts/${alertId}`,
      },
    ]);
    // People's words only in TextRuns, as written; nothing the card renders as Markdown.
    expect(req?.body).not.toMatch(/"type":"(TextBlock|FactSet)"/);
    const runs = [
      ...(req?.body ?? '').matchAll(/"type":"TextRun","text":("(?:[^"\\]|\\.)*")/g),
    ].map((m) => JSON.parse(m[1] ?? '""') as string);
    expect(runs).toContain('Bouche-à-oreille négatif: Livraison · étape Réception');
    expect(runs).toContain(
      "Livraison : 12 plaintes depuis 10 h, de 8 personnes sur 1 site ; d'habitude 3 par jour.",
    );
    expect(runs).toContain(`“${HOSTILE}”`);

    // E-mail
    expect(smtp.mails).toHaveLength(1);
    const mail = smtp.mails[0];
    expect(mail?.user).toBe('maillon');
    expect(mail?.mailFrom).toBe('alertes@maillon.example');
    expect(mail?.rcptTo).toEqual(['service-client@example.com', 'direction@example.com']);
    expect(mail?.headers.get('from')).toBe('Maillon <alertes@maillon.example>');
    expect(mail?.headers.get('to')).toBe('service-client@example.com, direction@example.com');
    expect(mail?.headers.get('x-maillon-delivery')).toBe(`${alertId}:0:mail`);
    expect(mail?.headers.get('content-language')).toBe('fr');
    expect(mail?.subject).toBe(
      '[Maillon] Bouche-à-oreille négatif: Livraison · étape Réception (avertissement)',
    );
    expect(mail?.text).toContain(
      "Livraison : 12 plaintes depuis 10 h, de 8 personnes sur 1 site ; d'habitude 3 par jour.",
    );
    expect(mail?.text).toContain(`> “${HOSTILE}”`);
    expect(mail?.text).toContain(
      `Ouvrir l'alerte\u00a0: https://maillon.example/#/alerts/${alertId}`,
    );
    expect(mail?.html).toContain(
      '“&lt;img src=x onerror=alert(1)&gt; **gras** [clic](https://evil.example)”',
    );
    expect(mail?.html).not.toContain('<img');
    expect(mail?.html).toContain(`<a href="https://maillon.example/#/alerts/${alertId}"`);
  });

  it('retries Teams after a 503 and after the 429 a connector hides in a 200, then posts once', async () => {
    const alertId = await notify('support', 2);
    const d = await settled(`${alertId}:0:teams-flaky`, 'delivered');
    expect(d.attempts).toBe(3);
    await sleep(300);
    expect(flaky.requests).toHaveLength(3);
    expect(new Set(flaky.requests.map((r) => r.body)).size).toBe(1);
  });

  it('gives up at once on a refusal a connector hides in a 200', async () => {
    const alertId = await notify('price', 3);
    const d = await settled(`${alertId}:0:teams-refusing`, 'dead');
    expect(d.lastError).toMatch(/did not post the message \(HTTP 400\)/);
    await sleep(500);
    expect(refusing.requests).toHaveLength(1);
  });

  it('gives up at once on a refused recipient, and on refused credentials', async () => {
    const nobody = await notify('payment', 4);
    const badpass = await notify('account', 5);
    const a = await settled(`${nobody}:0:mail-nobody`, 'dead');
    const b = await settled(`${badpass}:0:mail-badpass`, 'dead');
    expect(a.lastError).toMatch(/^mail-nobody: SMTP 550: .*No such user/);
    expect(a.attempts).toBe(1);
    expect(b.lastError).toMatch(/^mail-badpass: SMTP 535: /);
    expect(b.attempts).toBe(1);
    await sleep(500);
    expect(smtp.refused.filter((r) => r === 'nobody@example.com')).toHaveLength(1);
    expect(smtp.logins.filter((l) => !l.ok)).toEqual([{ user: 'maillon', ok: false }]);
    expect(smtp.mails).toHaveLength(1); // the first test's
  });

  it('retries a recipient the server asks to try later, and mails it once', async () => {
    const alertId = await notify('returns', 6);
    const d = await settled(`${alertId}:0:mail-busy`, 'delivered');
    expect(d.attempts).toBe(2);
    expect(smtp.mails.filter((m) => m.rcptTo.includes('busy@example.com'))).toHaveLength(1);
  });

  it('never connects to an SMTP server the SSRF guard refuses', async () => {
    const before = smtp.connections;
    const alertId = await notify('website', 7);
    const d = await eventually(
      async () => {
        const x = await delivery(`${alertId}:0:mail-local`);
        return x?.lastError ? x : undefined;
      },
      15_000,
      'the refusal',
    );
    expect(d.lastError).toBe('mail-local: SMTP server refused: localhost is this machine');
    expect(smtp.connections).toBe(before);
  });
});
