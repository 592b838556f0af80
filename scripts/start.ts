/**
 * The main job: the API and every worker in one process, on the default config. Without
 * MONGODB_URL it starts the local MongoDB-wire server; with --demo it also serves the demo feed
 * and polls it every 10 s, so mentions flow and an alert fires within about two minutes.
 *
 *   npm start            # API + workers
 *   npm run demo         # the same, plus the demo feed
 */
import { loadConfig } from '../config/index.js';
import { startDemoFeed } from '../src/demo/demo-feed.js';
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

const local = await withLocalMongo(process.env, say);
const steps: ShutdownStep[] = [];
try {
  const feed = demo ? await startDemoFeed() : undefined;
  const env = demo ? { LOG_FORMAT: 'pretty', ...local.env } : local.env;
  const config = loadConfig(env, {
    extraSources: feed ? [{ id: 'demo', kind: 'rss', every: '10s', url: feed.url }] : [],
  });
  const logger = createLogger(config.log);
  const rt = await createRuntime(config, logger);
  const workers = await startWorkers(rt);
  const api = await startApi(rt);
  steps.push(...workerShutdownSteps(workers), ...api.steps, ...runtimeShutdownSteps(rt));
  if (feed) steps.push({ name: 'demo feed', run: () => feed.stop() });
  steps.push({ name: 'mongo-dev', run: () => local.stop() });
  onShutdownSignal(() => steps, logger);
  if (feed) {
    say(`demo: feed at ${feed.url}, polled every 10 s; items arrive over 3 minutes.`);
    say(
      `demo: watch mentions at ${api.url}/api/v1/mentions and alerts at ${api.url}/api/v1/alerts`,
    );
    say(
      'demo: an ALERT line appears here when the delivery complaints pile up (about 2 minutes). Ctrl-C stops.',
    );
  }
} catch (err) {
  say(err instanceof Error ? err.message : String(err));
  for (const step of steps) await step.run().catch(() => {});
  await local.stop();
  process.exit(1);
}
