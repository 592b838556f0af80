/**
 * The weak link, end to end through the real queues: a month of French and English mentions,
 * replayed through `maillon import`'s code, with one delivery outbreak and the decoys (one angry
 * author posting twenty times, a viral positive wave, Monday peaks). A Slack-compatible receiver,
 * refusing its first two posts, gets exactly one alert, about delivery, with quotes, once.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/domain/alert.js';
import { generateScenario } from '../../src/demo/scenario.js';
import { importJsonl } from '../../src/ingest/import-jsonl.js';
import { configDir } from '../helpers/config-dir.js';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { eventually, pipelineIdle, startTestApp, type TestApp } from '../helpers/app.js';

/** The receiver refuses this many posts before it accepts: the first delivery must be retried. */
const REFUSALS = 2;
const scenario = generateScenario({
  start: new Date('2026-01-05T00:00:00Z'),
  days: 35,
  seed: 7,
  outbreakDay: 28,
});

let slack: TestServer;
let app: TestApp;
let refusals = REFUSALS;

beforeAll(async () => {
  slack = await startHttpServer((req, res) => {
    if (req.method === 'POST' && refusals > 0) {
      refusals--;
      res.writeHead(500).end('down');
    } else res.writeHead(200).end('ok');
  });
  const dir = configDir({
    'alerts.yaml': `channels:\n  - id: slack-cm\n    type: slack\n    webhookUrlEnv: TEST_SLACK_URL\n    lang: fr\n`,
  });
  app = await startTestApp({
    env: { CONFIG_DIR: dir, TEST_SLACK_URL: `${slack.url}/hook`, WORKER_CONCURRENCY: '4' },
  });
  const lines = scenario.mentions.map((m) => JSON.stringify(m)).join('\n');
  const summary = await importJsonl(app.rt.acceptDeps, Readable.from([lines]));
  if (summary.rejected.length > 0)
    throw new Error(`import rejected ${JSON.stringify(summary.rejected[0])}`);
}, 300_000);

afterAll(async () => {
  await app?.stop();
  await slack?.close();
});

describe('a month replayed with a delivery outbreak and decoys', () => {
  it('opens one weak-link alert, on delivery, at the outbreak, and Slack gets it once after recovering', async () => {
    const alerts = await eventually(
      async () => {
        const idle = await pipelineIdle(app);
        const list = await app.rt.alerts.list({ kind: 'weak-link', limit: 10 });
        return idle && list.length > 0 ? list : undefined;
      },
      120_000,
      'the weak-link alert',
    );
    // Let detection settle on the complete month before judging.
    await eventually(
      async () =>
        (await app.rt.queues.detect.getJobCounts('waiting', 'delayed', 'active')).waiting === 0
          ? true
          : undefined,
      60_000,
    );
    const all = await app.rt.alerts.list({ kind: 'weak-link', limit: 10 });
    expect(all.map((a) => a.touchpoint?.id)).toEqual(['delivery']);
    const alert = all[0] as Alert;
    const opened = alert.openedAt.getTime() - scenario.outbreakAt!.getTime();
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(opened).toBeLessThan(3 * 3_600_000);
    expect(alert.evidence.quotes).toHaveLength(3);
    expect(alerts[0]?.id).toBe(alert.id);

    const posts = await eventually(
      async () => {
        const ok = slack.requests.filter((r) => r.method === 'POST');
        return refusals === 0 &&
          ok.length > REFUSALS &&
          (await app.rt.deliveries.list({ status: 'delivered', limit: 10 })).length > 0
          ? ok
          : undefined;
      },
      120_000,
      'the Slack delivery after the receiver recovers',
    );
    // A few seconds more: a duplicate post would arrive now, if one were to come.
    await new Promise((r) => setTimeout(r, 3_000));
    const accepted = slack.requests.filter(
      (r) => r.method === 'POST' && r.body.includes('"blocks"'),
    );
    const byEvent = new Set(
      accepted.map((r) => r.headers['x-maillon-delivery'] ?? r.body.slice(0, 200)),
    );
    expect(posts.length).toBeGreaterThan(1); // it was refused while down
    const delivered = await app.rt.deliveries.list({ status: 'delivered', limit: 10 });
    expect(
      delivered.filter((d) => 'alertId' in d && d.alertId === alert.id && d.event === 'opened'),
    ).toHaveLength(1);
    const body = accepted.at(-1)!.body;
    expect(body).toContain('Livraison');
    expect(byEvent.size).toBeGreaterThan(0);
  }, 700_000);
});
