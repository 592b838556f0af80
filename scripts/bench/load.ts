/**
 * `npm run bench:load`: Maillon's real processes (the API, src/server.ts, and the workers,
 * workers/all.worker.ts, each a child process) on a MongoDB-wire server of the bench's own,
 * fed by `maillon import` (a child process too), beside a raw `insertMany` of the same
 * documents into the same server. Per system (FerretDB on SQLite, FerretDB on PostgreSQL) and
 * per store size (the store pre-filled through the same import path):
 *   - end to end: mentions of a fresh batch / seconds from the import's start until every queue
 *     is idle and the store's counts hold every relevant mention (scripts/bench/load/settle.ts);
 *   - raw: the same documents by `insertMany`, batches of 1,000, into a collection apart;
 *   - CPU seconds per 1,000 mentions of the batch, per process (worker, API, MongoDB-wire server,
 *     and PostgreSQL's server processes for its database), from /proc;
 *   - resident memory, the highest sampled while at that size (prefill, batch, bursts);
 *   - alert latency: a burst of 30 complaints POSTed to the API about one of the bench's own
 *     touchpoints (each with a quiet history) until the webhook receiver gets `alert.opened`,
 *     p50 / p95 over the bursts.
 *
 *   npm run bench:load                              # 10k and 100k, both systems, table
 *   npm run bench:load -- --sizes=10k --systems=sqlite --json
 *   npm run bench:load -- --quick                   # 1k stored, 500 a batch, 3 bursts
 *
 * Options: --sizes=10k,100k,1m  --systems=sqlite,postgresql  --batch=N (default 25000)
 * --bursts=N (default 20 per size)  --per-day=N (the brand's mentions a day, default 5000).
 * Redis is 127.0.0.1:6379 (REDIS_URL), under a queue prefix of the bench's own; PostgreSQL is
 * 127.0.0.1:5432 with trust auth, in a database created for the run and dropped after it.
 * Progress goes to standard error; Ctrl-C stops every child process.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import { loadConfig } from '../../config/index.js';
import { freePort, REPO_ROOT, startMongoDev } from '../../src/devtools/mongo-dev.js';
import { createQueues } from '../../src/queue/queues.js';
import { SOURCE_KINDS } from '../../src/sources/index.js';
import { createCountsRepository } from '../../src/store/counts-repository.js';
import {
  burst,
  latencyTouchpoints,
  MentionWriter,
  PhraseBank,
  quietHistory,
  type LatencyTouchpoint,
  type WireMention,
} from './load/generate.js';
import { exited, killAll, pgBackends, spawnNode, startSampler, Watched } from './load/procs.js';
import { createRelevance, queuesIdle, waitSettled } from './load/settle.js';
import { createPgDatabase, startReceiver, writeConfig } from './load/setup.js';
import { fmtSize, parseSize } from './sizes.js';
import { makeApiKey } from '../../src/access/provision.js';
import { createAccessRepository } from '../../src/store/access-repository.js';
import { markdownTable } from './table.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    systems: { type: 'string', default: 'sqlite,postgresql' },
    batch: { type: 'string' },
    bursts: { type: 'string' },
    'per-day': { type: 'string', default: '5000' },
  },
});

type System = 'sqlite' | 'postgresql';
const SYSTEMS: System[] = args.systems.split(',').map((s) => {
  if (s !== 'sqlite' && s !== 'postgresql') throw new Error(`--systems: unknown system ${s}`);
  return s;
});
const SIZES = (args.sizes ?? (args.quick ? '1k' : '10k,100k'))
  .split(',')
  .map((s) => parseSize(s, '--sizes'));
// Five days of the brand's mentions: enough that the import command's start (about 1 s) and the
// pipeline's deliberate waits (half a second before a drain, a second or more before detection)
// weigh little on a rate. The alert latency rows measure those waits.
const BATCH = Number(args.batch ?? (args.quick ? 500 : 25_000));
const BURSTS = Number(args.bursts ?? (args.quick ? 3 : 20));
const PER_DAY = Number(args['per-day']);
const BURST_SIZE = 30;
const ALERT_TIMEOUT_MS = 120_000;
/** The prefill goes through `maillon import` in files of at most this many mentions. */
const PREFILL_CHUNK = 25_000;
const HISTORY_DAYS = 14;
const DAY_MS = 86_400_000;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (msg: string) => process.stderr.write(`bench:load: ${msg}\n`);

interface Row {
  system: System;
  dataset: string;
  /** Mentions stored before the batch. */
  stored: number;
  batch: number;
  /** End-to-end mentions/s (import start → idle and counted). */
  endToEnd: number;
  /** Seconds the import command itself took (start to exit). */
  importSeconds: number;
  totalSeconds: number;
  raw: number;
  ratio: number;
  countsAgreed: boolean;
  cpuPer1k: Record<string, number>;
  rssMB: Record<string, number>;
  alertP50: number | null;
  alertP95: number | null;
  alertsReceived: string;
}

// ----- clean-up, whatever the way out ----------------------------------------------------------

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    await killAll();
    for (const c of cleanups.toReversed()) await c().catch(() => {});
  })());
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: stopping every child process...`);
    void cleanup().then(() => process.exit(130));
  });
}

// ----- one system ------------------------------------------------------------------------------

const bank = new PhraseBank();
const runId = `l${Date.now().toString(36)}`;
const tmp = mkdtempSync(path.join(tmpdir(), 'maillon-bench-load-'));
cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));
const receiver = await startReceiver();
cleanups.push(() => receiver.close());

async function runSystem(system: System): Promise<Row[]> {
  const dir = path.join(tmp, system);
  mkdirSync(dir, { recursive: true });
  const configDir = path.join(dir, 'config');
  mkdirSync(configDir);
  const tps = latencyTouchpoints(BURSTS * SIZES.length);
  writeConfig(configDir, tps);

  const local: Array<() => Promise<unknown>> = [];
  const stopLocal = async () => {
    await killAll();
    for (const c of local.toReversed()) await c().catch(() => {});
    local.length = 0;
  };
  cleanups.push(stopLocal);

  let pgDb: string | undefined;
  let pgUrl: string | undefined;
  if (system === 'postgresql') {
    pgDb = `maillon_bench_${process.pid}_${Date.now().toString(36)}`;
    const pg = await createPgDatabase(pgDb);
    local.push(() => pg.drop());
    pgUrl = pg.url;
  }
  say(`${system}: starting the MongoDB-wire server...`);
  const server = await startMongoDev({
    dataDir: path.join(dir, 'data'),
    log: say,
    ...(pgUrl ? { postgresqlUrl: pgUrl } : {}),
  });
  local.push(() => server.stop());
  const prefix = `maillon-bench-load-${process.pid}-${system}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    MONGODB_URL: `${server.url}/maillon_bench`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    CONFIG_DIR: configDir,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    BENCH_WEBHOOK_URL: receiver.url,
    BENCH_WEBHOOK_SECRET: 'bench-load-secret',
    // The alerts' receiver is the bench's own, on loopback: the SSRF guard lets only it through.
    HTTP_ALLOW_HOSTS: new URL(receiver.url).host,
  };
  const config = loadConfig(env);
  const relevant = createRelevance(config);

  // The bench's own view of the runtime: its queues (names as the runtime has them), the store.
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  local.push(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });
  const queues = createQueues(redis, prefix, SOURCE_KINDS);
  local.push(() => queues.close());
  const mongo = new MongoClient(env.MONGODB_URL!);
  await mongo.connect();
  local.push(() => mongo.close());
  const db = mongo.db('maillon_bench');
  const counts = createCountsRepository(db);
  // The bursts are pushed as an integrator would: with a manager's API key.
  apiKey = (
    await makeApiKey(createAccessRepository(db), {
      name: 'bench:load',
      role: 'manager',
      createdBy: 'bench',
    })
  ).key;

  // The processes, each watched.
  // The flags of `npm run start:api` and `npm run start:worker` (and of the Dockerfile).
  const api = spawnNode(['--max-semi-space-size=4', '--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env,
    logFile: path.join(dir, 'api.log'),
  });
  const ready = { workers: false };
  const worker = spawnNode(
    [
      '--max-semi-space-size=4',
      '--max-old-space-size=256',
      '--import',
      'tsx',
      'workers/all.worker.ts',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...env, LOG_LEVEL: 'info' },
      logFile: path.join(dir, 'worker.log'),
      stdout: (s) => {
        if (s.includes('"workers started"')) ready.workers = true;
      },
    },
  );
  const apiUrl = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  while (
    !ready.workers ||
    !(await fetch(`${apiUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (api.exitCode !== null || worker.exitCode !== null)
      throw new Error(`${system}: the API or the workers exited at start; see ${dir}/*.log`);
    if (Date.now() > deadline) throw new Error(`${system}: API or workers not ready after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const watched = [
    Watched.tree('worker', worker.pid!),
    Watched.tree('api', api.pid!),
    Watched.tree('store', server.pid!),
    ...(pgDb ? [new Watched('postgres', () => pgBackends(pgDb))] : []),
  ];
  const sampler = startSampler(() => watched);
  local.push(async () => sampler.stop());

  // Imports one file through `maillon import` and waits until it is through the pipeline.
  let importSeq = 0;
  let stored = 0;
  const importAndSettle = async (
    mentions: Iterable<WireMention>,
    what: string,
  ): Promise<{ n: number; importMs: number; totalMs: number; agreed: boolean }> => {
    const file = path.join(dir, `import-${importSeq++}.jsonl`);
    const out = createWriteStream(file);
    let n = 0;
    let expected = 0;
    let from = Infinity;
    let to = -Infinity;
    for (const m of mentions) {
      if (!out.write(`${JSON.stringify(m)}\n`))
        await new Promise<void>((r) => out.once('drain', () => r()));
      n++;
      if (relevant(m)) expected++;
      const at = Date.parse(m.publishedAt);
      from = Math.min(from, at);
      to = Math.max(to, at + 1);
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const t0 = performance.now();
    const child = spawnNode([path.join(REPO_ROOT, 'bin/maillon.js'), 'import', file, '--quiet'], {
      cwd: REPO_ROOT,
      env,
      logFile: path.join(dir, 'import.log'),
    });
    const code = await exited(child);
    const importMs = performance.now() - t0;
    if (code !== 0)
      throw new Error(`${system}: maillon import exited ${code}; see ${dir}/import.log`);
    const settled = await waitSettled({
      queues: queues.all,
      counts,
      from: new Date(from),
      to: new Date(to),
      expected,
      onWait: (c) =>
        say(
          `${system}: ${what}: waiting for the pipeline${c === null ? '' : ` (${c}/${expected} counted)`}...`,
        ),
    });
    const totalMs = performance.now() - t0;
    if (!settled.agreed)
      say(`${system}: ${what}: counts stopped at ${settled.counted}, expected ${expected}`);
    return { n, importMs, totalMs, agreed: settled.agreed };
  };

  // The bench's touchpoints' quiet history, up to an hour ago.
  const now = Date.now();
  const history = quietHistory(tps, runId, now - 3_600_000, HISTORY_DAYS, 3, 7);
  say(
    `${system}: importing ${history.length} mentions of history for ${tps.length} touchpoints...`,
  );
  stored += (await importAndSettle(history, 'history')).n;

  // The brand's timeline: far enough back to hold every size before the history starts.
  const last = SIZES.at(-1) ?? 0;
  let cursor = Math.floor((now - HISTORY_DAYS * DAY_MS) / DAY_MS) * DAY_MS - DAY_MS;
  cursor -= Math.ceil((last + SIZES.length * BATCH) / PER_DAY + 2) * DAY_MS;
  const writer = new MentionWriter(bank, `${runId}-${system}`, 42);
  const take = (n: number): Generator<WireMention> => {
    const g = writer.span(cursor, n, PER_DAY);
    cursor += (n / PER_DAY) * DAY_MS;
    return g;
  };

  const rows: Row[] = [];
  let tpIndex = 0;
  for (const size of SIZES) {
    for (const w of watched) w.resetPeak();
    for (;;) {
      if (stored >= size) break;
      const n = Math.min(PREFILL_CHUNK, size - stored);
      const t = performance.now();
      const r = await importAndSettle(take(n), `prefill to ${fmtSize(size)}`);
      stored += r.n;
      say(
        `${system}: ${stored.toLocaleString('en')} / ${size.toLocaleString('en')} stored (${Math.round(r.n / ((performance.now() - t) / 1000))} mentions/s end to end)`,
      );
    }

    // The measured batch.
    const before = stored;
    const batch = [...take(BATCH)];
    const snaps = watched.map((w) => w.snapshot());
    say(`${system}: at ${before.toLocaleString('en')} stored: importing a batch of ${BATCH}...`);
    const r = await importAndSettle(batch, `batch at ${fmtSize(size)}`);
    stored += r.n;
    const cpuPer1k = Object.fromEntries(
      watched.map((w, i) => [w.name, (w.cpuSince(snaps[i]!) / r.n) * 1000]),
    );
    const endToEnd = r.n / (r.totalMs / 1000);

    // The raw store: the same documents, as the mentions repository would hold them.
    say(`${system}: raw insertMany of the same ${BATCH}...`);
    const raw = db.collection('bench_raw_insert');
    const docs = batch.map((m) => ({
      ...m,
      publishedAt: new Date(m.publishedAt),
      fetchedAt: new Date(),
      status: 'received',
    }));
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 1_000) await raw.insertMany(docs.slice(i, i + 1_000));
    const rawRate = docs.length / ((performance.now() - t0) / 1000);
    await raw.drop();

    // Alert latency.
    const latencies: number[] = [];
    const mine = tps.slice(tpIndex, tpIndex + BURSTS);
    tpIndex += BURSTS;
    for (const [k, tp] of mine.entries()) {
      const ms = await measureBurst(tp, apiUrl, k);
      if (ms !== null) latencies.push(ms);
      say(
        `${system}: burst ${k + 1}/${mine.length} (${tp.id}): ${ms === null ? `no alert within ${ALERT_TIMEOUT_MS / 1000} s` : `alert after ${(ms / 1000).toFixed(1)} s`}`,
      );
      const idleBy = Date.now() + 60_000;
      while (!(await queuesIdle(queues.all)) && Date.now() < idleBy)
        await new Promise((res) => setTimeout(res, 250));
    }
    stored += mine.length * BURST_SIZE;
    for (const w of watched) w.sample();

    rows.push({
      system,
      dataset: `${fmtSize(size)} stored`,
      stored: before,
      batch: r.n,
      endToEnd,
      importSeconds: r.importMs / 1000,
      totalSeconds: r.totalMs / 1000,
      raw: rawRate,
      ratio: endToEnd / rawRate,
      countsAgreed: r.agreed,
      cpuPer1k,
      rssMB: Object.fromEntries(watched.map((w) => [w.name, w.peakRss() / 2 ** 20])),
      alertP50: quantile(latencies, 0.5),
      alertP95: quantile(latencies, 0.95),
      alertsReceived: `${latencies.length}/${mine.length}`,
    });
  }
  say(`${system}: done; stopping its processes.`);
  await stopLocal();
  return rows;
}

/** The API key the bursts are pushed with (made in the run's store). */
let apiKey = '';

/** POSTs a burst about `tp`; the milliseconds until the receiver gets its `alert.opened`. */
async function measureBurst(
  tp: LatencyTouchpoint,
  apiUrl: string,
  k: number,
): Promise<number | null> {
  const mentions = burst(tp, runId, Date.now(), BURST_SIZE, 1_000 + k);
  const t0 = Date.now();
  const res = await fetch(`${apiUrl}/api/v1/mentions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(mentions),
  });
  if (res.status !== 202)
    throw new Error(`POST /api/v1/mentions: ${res.status} ${await res.text()}`);
  const receipt = await receiver.waitOpened(tp.id, ALERT_TIMEOUT_MS);
  return receipt ? receipt.at - t0 : null;
}

function quantile(xs: number[], q: number): number | null {
  if (xs.length === 0) return null;
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]! / 1000;
}

// ----- main ------------------------------------------------------------------------------------

const rows: Row[] = [];
try {
  for (const system of SYSTEMS) rows.push(...(await runSystem(system)));
} catch (err) {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}
await cleanup();

const out = (line: string) => process.stdout.write(`${line}\n`);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
if (args.json) {
  out(
    JSON.stringify({
      bench: 'load',
      rows: rows.map((r) => ({
        ...r,
        endToEnd: round(r.endToEnd, 1),
        importSeconds: round(r.importSeconds, 1),
        totalSeconds: round(r.totalSeconds, 1),
        raw: round(r.raw),
        ratio: round(r.ratio, 4),
        cpuPer1k: Object.fromEntries(Object.entries(r.cpuPer1k).map(([k, v]) => [k, round(v, 2)])),
        rssMB: Object.fromEntries(Object.entries(r.rssMB).map(([k, v]) => [k, round(v)])),
      })),
    }),
  );
} else {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.cpuPer1k)))];
  const head = [
    'system',
    'stored',
    'batch',
    'end to end/s',
    'raw insert/s',
    'ratio',
    'import s',
    'total s',
    ...names.map((n) => `CPU s/1k ${n}`),
    ...names.map((n) => `RSS MB ${n}`),
    'alert p50 s',
    'alert p95 s',
    'alerts',
  ];
  const num = (x: number | undefined, d = 0) =>
    x === undefined ? '—' : round(x, d).toLocaleString('en');
  const body = rows.map((r) => [
    r.system,
    r.stored.toLocaleString('en'),
    r.batch.toLocaleString('en'),
    `${num(r.endToEnd, 1)}${r.countsAgreed ? '' : ' (!)'}`,
    num(r.raw),
    r.ratio.toFixed(4),
    num(r.importSeconds, 1),
    num(r.totalSeconds, 1),
    ...names.map((n) => num(r.cpuPer1k[n], 2)),
    ...names.map((n) => num(r.rssMB[n])),
    r.alertP50 === null ? '—' : r.alertP50.toFixed(1),
    r.alertP95 === null ? '—' : r.alertP95.toFixed(1),
    r.alertsReceived,
  ]);
  out(markdownTable(head, body));
  out(
    `\nend to end: a fresh batch from the start of \`maillon import\` until every queue is idle and the counts hold every relevant mention ((!): they never did); raw: insertMany, batches of 1,000, same server. CPU per 1,000 mentions of the batch; RSS: highest sampled at that size.`,
  );
}
