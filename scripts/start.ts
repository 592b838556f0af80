/**
 * The main job: the API and every worker in one process, on the default config. Without
 * MONGODB_URL it starts the local MongoDB-wire server. With --demo it works in a database and
 * queue prefix of its own (emptied at start: the demo is a show, not a store), loads four weeks
 * of ordinary history so the detector knows each touchpoint's baseline, then serves the demo
 * feed and polls it every 10 s: mentions flow, and the delivery complaints raise a weak-link
 * alert within about two minutes.
 *
 *   npm start            # API + workers
 *   npm run demo         # the same, plus the demo feed
 */
import { loadConfig } from '../config/index.js';
import { startDemoFeed } from '../src/demo/demo-feed.js';
import { DEMO_HISTORY_DAYS, seedDemoHistory } from '../src/demo/seed.js';
import { ensureIndexes } from '../src/store/mongo.js';
import { withLocalMongo } from '../src/devtools/local-env.js';
import { onShutdownSignal, type ShutdownStep } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import {
  createRuntime,
  runtimeShutdownSteps,
  startApi,
  startWorkers,
  workerShutdownSteps,
} from '../src/runtime.js';

const demo = process.argv.includes('--demo');
const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);

const local = await withLocalMongo(process.env, say, demo ? 'maillon_demo' : 'maillon');
const steps: ShutdownStep[] = [];
try {
  const feed = demo ? await startDemoFeed() : undefined;
  const env = demo
    ? { LOG_FORMAT: 'pretty', QUEUE_PREFIX: 'maillon-demo', ...local.env }
    : local.env;
  const config = loadConfig(env, {
    extraSources: feed ? [{ id: 'demo', kind: 'rss', every: '10s', url: feed.url }] : [],
  });
  const logger = createLogger(config.log);
  const rt = await createRuntime(config, logger);
  if (feed) {
    // Only the demo's own database and queues are emptied, never ones a user pointed us at.
    if (!process.env.MONGODB_URL) await rt.mongo.db.dropDatabase();
    for (const q of rt.queues.all) await q.obliterate({ force: true });
    await ensureIndexes(rt.mongo.db);
    const n = await seedDemoHistory(
      { mentions: rt.mentions, enqueueAnalyze: (ids) => rt.queues.enqueueAnalyze(ids) },
      new Date(),
    );
    say(`demo: ${n} mentions of the last ${DEMO_HISTORY_DAYS} days loaded as history.`);
  }
  const workers = await startWorkers(rt);
  const api = await startApi(rt);
  steps.push(...workerShutdownSteps(workers), ...api.steps, ...runtimeShutdownSteps(rt));
  if (feed) steps.push({ name: 'demo feed', run: () => feed.stop() });
  steps.push({ name: 'mongo-dev', run: () => local.stop() });
  onShutdownSignal(() => steps, logger);
  if (feed) {
    say(`demo: feed at ${feed.url}, polled every 10 s; items arrive over 3 minutes.`);
    say(
      `demo: the dashboard is at ${api.url}/ (alerts also at ${api.url}/api/v1/alerts, mentions at ${api.url}/api/v1/mentions)`,
    );
    say(
      'demo: an ALERT line appears here when the delivery complaints start spreading (about 2 minutes). Ctrl-C stops.',
    );
  }
} catch (err) {
  say(err instanceof Error ? err.message : String(err));
  for (const step of steps) await step.run().catch(() => {});
  await local.stop();
  process.exit(1);
}
