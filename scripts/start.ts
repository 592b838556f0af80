/**
 * The main job: the API and every worker in one process, on the default config. Without
 * MONGODB_URL it starts the local MongoDB-wire server. With --demo it works only in what it
 * creates itself (src/devtools/demo-env.ts: a server of its own, or a database of its own on the
 * server of MONGODB_URL, and queues of its own), loads four weeks of ordinary history so the
 * detector knows each touchpoint's baseline, then serves the demo feed and polls it every 10 s:
 * mentions flow, and the delivery complaints raise a weak-link alert within about two minutes.
 * When it stops, it removes what it created.
 *
 *   npm start            # API + workers
 *   npm run demo         # the same, plus the demo feed
 */
import { loadConfig } from '../config/index.js';
import { createDemoAccounts } from '../src/demo/accounts.js';
import { startDemoFeed } from '../src/demo/demo-feed.js';
import { DEMO_HISTORY_DAYS, seedDemoHistory } from '../src/demo/seed.js';
import { allowHostOf, prepareDemoEnv } from '../src/devtools/demo-env.js';
import { withLocalMongo } from '../src/devtools/local-env.js';
import { onShutdownSignal, type ShutdownStep } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { clearHostLimits } from '../src/net/host-limits.js';
import { deleteKeys } from '../src/queue/redis.js';
import {
  createRuntime,
  runtimeShutdownSteps,
  startApi,
  startWorkers,
  workerShutdownSteps,
} from '../src/runtime.js';

const demo = process.argv.includes('--demo');
const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);

const local = demo
  ? await prepareDemoEnv(process.env, say)
  : { ...(await withLocalMongo(process.env, say)), dropOnStop: false };
// Shut down in order: what runs (workers, API) first, then what holds data; on a failed start,
// whatever was built so far.
const running: ShutdownStep[] = [];
const holding: ShutdownStep[] = [{ name: 'mongo-dev', run: () => local.stop() }];
const steps = () => [...running, ...holding];
try {
  const feed = demo ? await startDemoFeed() : undefined;
  if (feed) holding.unshift({ name: 'demo feed', run: () => feed.stop() });
  // The demo feed is on 127.0.0.1: allowed by name, that host:port and nothing else.
  const config = loadConfig(feed ? allowHostOf(local.env, feed.url) : local.env, {
    extraSources: feed ? [{ id: 'demo', kind: 'rss', every: '10s', url: feed.url }] : [],
  });
  const logger = createLogger(config.log);
  const rt = await createRuntime(config, logger);
  holding.unshift(...runtimeShutdownSteps(rt));
  if (feed) {
    // The demo's own queues and database (never a user's: see demo-env.ts) go when it stops.
    holding.unshift({
      name: 'demo data',
      run: async () => {
        for (const q of rt.queues.all) await q.obliterate({ force: true });
        await clearHostLimits(rt.redis.redis, config.redis.prefix);
        // Its shared metrics and rate-limit counters too.
        for (const what of ['metrics', 'ratelimit'])
          await deleteKeys(rt.redis.redis, `${config.redis.prefix}:${what}:*`);
        if (local.dropOnStop) await rt.mongo.db.dropDatabase();
      },
    });
    const n = await seedDemoHistory({ ...rt.acceptDeps, door: 'demo' }, new Date());
    say(`demo: ${n} mentions of the last ${DEMO_HISTORY_DAYS} days loaded as history.`);
  }
  const workers = await startWorkers(rt);
  running.push(...workerShutdownSteps(workers));
  const api = await startApi(rt);
  running.push(...api.steps);
  onShutdownSignal(steps, logger);
  if (!feed && (await rt.access.listUsers()).length === 0)
    say(
      'nobody can sign in yet: make the first admin with `npx maillon admin create --email you@example.com --name "Your Name"`',
    );
  if (feed) {
    say(`demo: feed at ${feed.url}, polled every 10 s; items arrive over 3 minutes.`);
    const accounts = await createDemoAccounts(rt.access);
    say(`demo: the dashboard is at ${api.url}/ ; sign in as one of (passwords made for this run):`);
    for (const a of accounts) say(`demo:   ${a.role.padEnd(8)} ${a.email}  ${a.password}`);
    say(`demo: the API reference is at ${api.url}/api/docs`);
    say(
      'demo: an ALERT line appears here when the delivery complaints start spreading (about 2 minutes). Ctrl-C stops.',
    );
  }
} catch (err) {
  say(err instanceof Error ? err.message : String(err));
  for (const step of steps()) await step.run().catch(() => {});
  process.exit(1);
}
