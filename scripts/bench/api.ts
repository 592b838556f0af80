/**
 * `npm run bench:api`: the API's read paths at scale, on the bundled MongoDB-wire server
 * (FerretDB v1 on SQLite), through HTTP to a running API process (src/server.ts, a child).
 *
 * 1. Loads N mentions (default 1,000,000) into a fresh store through the real door
 *    (`acceptMentions`: read, stored, staged) and the real count drain (counts and the explorer's
 *    index), in this process, the drain running beside the door as the count worker would. The
 *    mentions are load.ts's (scripts/bench/load/generate.ts): a busy brand's FR/EN posts and
 *    reviews from the frozen phrase bank, spread evenly over `--days` (default 365) ending
 *    yesterday, plus a made-up word planted in 12 of them, one a month (the "needle").
 * 2. Starts the API and times each case over `--requests` requests (default 50, after 3 to warm
 *    up), one at a time: p50 and p95. Export: rows per second of a CSV of a filtered set, and the
 *    API's highest resident memory meanwhile (streamed: it must not grow with the rows).
 * 3. Beside them, the raw store: the latest page as the mentions collection answers it with a
 *    sort (what the API did before the index: a scan on FerretDB v1). A filter on a mention's
 *    reading cannot be asked of the store any more: the reading is one JSON string.
 *
 *   npm run bench:api                            # 1M mentions (20+ minutes to load), table
 *   npm run bench:api -- --size=100k --json
 *   npm run bench:api -- --size=1m --data=/tmp/api1m   # keep the store; a second run reuses it
 *
 * Options: --size=10k|100k|1m  --days=N  --requests=N  --data=DIR  --json; --only=trends,export
 * runs the cases whose names hold one of the words (`export` and `raw` name those rows).
 * Redis is 127.0.0.1:6379 (REDIS_URL), under a prefix of the bench's own. Progress goes to
 * standard error. Adding a case is one line of CASES.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../../config/index.js';
import { isStopWord } from '../../src/analysis/search-terms.js';
import { tokenize } from '../../src/analysis/text.js';
import { makeApiKey } from '../../src/access/provision.js';
import { freePort, REPO_ROOT, startMongoDev } from '../../src/devtools/mongo-dev.js';
import { mulberry32 } from '../../src/demo/scenario.js';
import { parseMention } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { createLogger } from '../../src/logger.js';
import { runShutdown } from '../../src/lifecycle.js';
import { createRuntime, runtimeShutdownSteps, type Runtime } from '../../src/runtime.js';
import { MentionWriter, PhraseBank, type WireMention } from './load/generate.js';
import { exited, killAll, spawnNode, startSampler, Watched } from './load/procs.js';
import { writeConfig } from './load/setup.js';
import { fmtSize, parseSize } from './sizes.js';
import { markdownTable } from './table.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: '1m' },
    days: { type: 'string', default: '365' },
    requests: { type: 'string', default: '50' },
    data: { type: 'string' },
    only: { type: 'string' },
  },
});

const SIZE = parseSize(args.size);
const DAYS = Number(args.days);
const REQUESTS = Number(args.requests);
/** Whether a case runs: every case unless `--only` names words, one of which its name holds. */
const runs = (name: string) =>
  !args.only || args.only.split(',').some((w) => name.toLowerCase().includes(w.toLowerCase()));
const WARMUP = 3;
const DAY_MS = 86_400_000;
const NEEDLE = 'zorglubine';
const NEEDLES = 12;
const BATCH = 500;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const say = (msg: string) => process.stderr.write(`bench:api: ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What a load leaves for the measurements (and for a later run on the same `--data`). */
interface Loaded {
  size: number;
  days: number;
  from: number;
  to: number;
  loadSeconds: number;
  /** Words by how many mentions hold them. */
  words: { common: string[]; rare: string; rareShare: number; commonShare: number[] };
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
    say(`${sig}: stopping...`);
    void cleanup().then(() => process.exit(130));
  });
}

// ----- the load --------------------------------------------------------------------------------

async function load(rt: Runtime, env: NodeJS.ProcessEnv, dir: string): Promise<Loaded> {
  const to = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const from = to - DAYS * DAY_MS;
  const perDay = SIZE / DAYS;
  const writer = new MentionWriter(new PhraseBank(), `api-${fmtSize(SIZE)}`, 7);
  const df = new Map<string, number>();
  const needleEvery = Math.floor(SIZE / NEEDLES);
  const now = new Date();
  // The count worker, as deployed (workers/count.worker.ts): it drains what the door stages.
  const worker = spawnNode(
    [
      '--max-semi-space-size=4',
      '--max-old-space-size=256',
      '--import',
      'tsx',
      'workers/count.worker.ts',
    ],
    {
      cwd: REPO_ROOT,
      env: { ...env, LOG_LEVEL: 'warn' },
      logFile: path.join(dir, 'count-worker.log'),
    },
  );
  say(
    `loading ${SIZE.toLocaleString('en')} mentions over ${DAYS} days (${Math.round(perDay)} a day) through the door and the count worker...`,
  );
  const t0 = performance.now();
  let i = 0;
  let batch: WireMention[] = [];
  let lastSay = performance.now();
  // Two batches in flight: one is read while the other waits for the store.
  const inFlight = new Set<Promise<unknown>>();
  const flush = async () => {
    const inputs = batch.map((m) => parseMention(m, { now }));
    batch = [];
    const p = acceptMentions(rt.acceptDeps, inputs, now);
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 2) await Promise.race(inFlight);
  };
  for (const m of writer.span(from, SIZE, perDay)) {
    if (i % needleEvery === Math.floor(needleEvery / 2)) m.text += ` ${NEEDLE}`;
    for (const w of new Set(tokenize(`${m.title ?? ''} ${m.text}`))) {
      // The brand's own name (and its hashtag) is in every other mention: not a word people search.
      if (/^\d+$/.test(w) || w.includes('maison') || w.includes('lumiere')) continue;
      if (isStopWord(w, 'fr') || isStopWord(w, 'en')) continue;
      df.set(w, (df.get(w) ?? 0) + 1);
    }
    batch.push(m);
    i++;
    if (batch.length >= BATCH) await flush();
    if (performance.now() - lastSay > 15_000) {
      lastSay = performance.now();
      const s = (performance.now() - t0) / 1000;
      say(
        `${i.toLocaleString('en')} stored, ${(await rt.counts.pending()).toLocaleString('en')} waiting for the drain (${Math.round(i / s)}/s, ${Math.round(s)} s)`,
      );
    }
  }
  if (batch.length > 0) await flush();
  await Promise.all(inFlight);
  for (;;) {
    const pending = await rt.counts.pending();
    if (pending === 0) break;
    if (worker.exitCode !== null)
      throw new Error(`the count worker exited; see ${dir}/count-worker.log`);
    await sleep(500);
  }
  // The last drain may still be writing what it took from the inbox.
  while (((await rt.queues.count.getJobCounts('active')).active ?? 0) > 0) await sleep(200);
  const loadSeconds = (performance.now() - t0) / 1000;
  await killAll();
  say(`loaded in ${Math.round(loadSeconds)} s (${Math.round(SIZE / loadSeconds)} mentions/s)`);
  const byDf = [...df].filter(([w]) => w !== NEEDLE).toSorted((a, b) => b[1] - a[1]);
  // Rare: the rarest word a hundred thousandth of the mentions hold (at least 5).
  const floor = Math.max(5, Math.round(SIZE / 100_000));
  const rare = byDf.filter(([, n]) => n >= floor).at(-1) ?? byDf.at(-1)!;
  return {
    size: SIZE,
    days: DAYS,
    from,
    to,
    loadSeconds,
    words: {
      common: [byDf[0]![0], byDf[1]![0]],
      commonShare: [byDf[0]![1] / SIZE, byDf[1]![1] / SIZE],
      rare: rare[0],
      rareShare: rare[1] / SIZE,
    },
  };
}

// ----- the cases -------------------------------------------------------------------------------

interface Case {
  name: string;
  /** The p95 the issue asks of it. */
  targetMs: number;
  /** The path of the k-th request (vary it: the store caches nothing of ours, pages do differ). */
  path: (k: number, l: Loaded, r: () => number) => string;
}

const iso = (t: number) => new Date(t).toISOString();
/** A window of `days` ending on a random day of the loaded period. */
const window = (l: Loaded, r: () => number, days: number) => {
  const end = l.from + days * DAY_MS + Math.floor(r() * (l.days - days)) * DAY_MS;
  return `since=${iso(end - days * DAY_MS)}&until=${iso(end)}`;
};
const q = (s: string) => encodeURIComponent(s);

const bench = (name: string, targetMs: number, at: Case['path']): Case => ({
  name,
  targetMs,
  path: at,
});
const mentions = (query: string) => `/api/v1/mentions?${query}&limit=50`;
/** One line a case: its name, the p95 the issue asks for, the path of its k-th request. */
const CASES: Case[] = [
  bench('filtered page: touchpoint + sentiment + 30 days', 250, (_k, l, r) =>
    mentions(`touchpoint=delivery&sentiment=negative&${window(l, r, 30)}`),
  ),
  bench('filtered page: source + rating + 7 days', 250, (_k, l, r) =>
    mentions(`source=trustpilot&ratingMax=2&${window(l, r, 7)}`),
  ),
  bench('latest mentions (no filter)', 250, () => mentions('sort=newest')),
  bench('search: 1 common word', 250, (_k, l) => mentions(`q=${q(l.words.common[0]!)}`)),
  bench('search: 2 common words', 250, (_k, l) => mentions(`q=${q(l.words.common.join(' '))}`)),
  bench('search: 1 rare word', 250, (_k, l) => mentions(`q=${q(l.words.rare)}`)),
  bench('search: rare + common word', 250, (_k, l) =>
    mentions(`q=${q(`${l.words.rare} ${l.words.common[0]!}`)}`),
  ),
  bench(`search: a word in ${NEEDLES} mentions of the period`, 250, () => mentions(`q=${NEEDLE}`)),
  bench('search: phrase + touchpoint + 90 days', 250, (_k, l, r) =>
    mentions(`q=${q(`"${l.words.common[0]!}"`)}&touchpoint=delivery&${window(l, r, 90)}`),
  ),
  bench(
    'trends: touchpoints by day, 30 days',
    100,
    (_k, l, r) => `/api/v1/trends?dim=touchpoint&bucket=1d&${window(l, r, 30)}`,
  ),
  // Trends give the previous period of the same length beside each series by default.
  bench(
    'trends: one touchpoint by day, 30 days + previous',
    100,
    (_k, l, r) => `/api/v1/trends?dim=touchpoint&key=delivery&bucket=1d&${window(l, r, 30)}`,
  ),
  bench(
    'share of voice by day, 30 days + previous',
    100,
    (_k, l, r) => `/api/v1/share-of-voice?bucket=1d&${window(l, r, 30)}`,
  ),
  bench('journey map', 100, () => '/api/v1/journey'),
];

function quantile(xs: number[], p: number): number {
  const s = xs.toSorted((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))] ?? NaN;
}

interface Row {
  system: string;
  dataset: string;
  case: string;
  p50_ms: number | null;
  p95_ms: number | null;
  requests: number;
  target_ms?: number;
  /** Mentions in the answers, per request (mean). */
  found?: number;
  rows_per_s?: number;
  rss_mb?: number;
  note?: string;
}

// ----- main ------------------------------------------------------------------------------------

/** The words searched (set once the store is loaded). */
let words: Loaded['words'] | undefined;

async function main(): Promise<Row[]> {
  const dir = args.data
    ? path.resolve(args.data)
    : mkdtempSync(path.join(tmpdir(), 'maillon-bench-api-'));
  mkdirSync(dir, { recursive: true });
  if (!args.data) cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const marker = path.join(dir, 'bench-api.json');
  let loaded: Loaded | null = existsSync(marker)
    ? (JSON.parse(readFileSync(marker, 'utf8')) as Loaded)
    : null;
  if (loaded && (loaded.size !== SIZE || loaded.days !== DAYS))
    throw new Error(
      `--data ${dir} holds ${loaded.size} mentions over ${loaded.days} days, not ${SIZE} over ${DAYS}`,
    );

  const configDir = path.join(dir, 'config');
  mkdirSync(configDir, { recursive: true });
  writeConfig(configDir, []);
  const server = await startMongoDev({ dataDir: path.join(dir, 'store'), log: say });
  cleanups.push(() => server.stop());
  const prefix = `maillon-bench-api-${process.pid}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    MONGODB_URL: `${server.url}/maillon_bench_api`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    CONFIG_DIR: configDir,
    HOST: '127.0.0.1',
    PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    // The bench is one caller sending hundreds of requests a minute: no rate limit for it.
    API_RATE_LIMIT: '1000000',
    // alerts.yaml's webhook (nothing is detected here: no worker runs).
    BENCH_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
    BENCH_WEBHOOK_SECRET: 'bench-api-secret',
  };
  const config = loadConfig(env);
  const rt = await createRuntime(config, createLogger({ ...config.log, level: 'warn' }));
  cleanups.push(() => runShutdown(runtimeShutdownSteps(rt), rt.logger));
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  cleanups.push(async () => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  });

  if (!loaded) {
    loaded = await load(rt, env, dir);
    writeFileSync(marker, JSON.stringify(loaded));
  } else say(`reusing the ${fmtSize(loaded.size)} mentions loaded in ${dir}`);
  const l = loaded;
  words = l.words;
  const dataset = `${fmtSize(l.size)} mentions, ${l.days} days`;
  const { key } = await makeApiKey(rt.access, {
    name: 'bench:api',
    role: 'viewer',
    createdBy: 'bench:api',
  });

  say('starting the API...');
  const api = spawnNode(['--max-semi-space-size=4', '--import', 'tsx', 'src/server.ts'], {
    cwd: REPO_ROOT,
    env,
    logFile: path.join(dir, 'api.log'),
  });
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${base}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (api.exitCode !== null) throw new Error(`the API exited at start; see ${dir}/api.log`);
    if (Date.now() > deadline) throw new Error('the API is not ready after 60 s');
    await sleep(250);
  }
  const watched = Watched.tree('api', api.pid!);
  const sampler = startSampler(() => [watched], 200);
  cleanups.push(async () => sampler.stop());
  const headers = { authorization: `Bearer ${key}` };
  const get = (p: string) => fetch(`${base}${p}`, { headers });

  const rows: Row[] = [
    {
      system: 'maillon',
      dataset,
      case: 'load through the door and the drain',
      p50_ms: null,
      p95_ms: null,
      requests: 0,
      note: `${Math.round(l.loadSeconds)} s, ${Math.round(l.size / l.loadSeconds)} mentions/s`,
    },
  ];
  const r = mulberry32(11);
  for (const c of CASES.filter((x) => runs(x.name))) {
    const ms: number[] = [];
    let found = 0;
    for (let k = 0; k < WARMUP + REQUESTS; k++) {
      const p = c.path(k, l, r);
      const t = performance.now();
      const res = await get(p);
      const body = await res.text();
      const took = performance.now() - t;
      if (!res.ok)
        throw new Error(`${c.name}: GET ${p} answered ${res.status}: ${body.slice(0, 300)}`);
      if (k < WARMUP) continue;
      ms.push(took);
      const data = (JSON.parse(body) as { data?: unknown }).data;
      if (Array.isArray(data)) found += data.length;
    }
    const row: Row = {
      system: 'maillon',
      dataset,
      case: c.name,
      p50_ms: Math.round(quantile(ms, 0.5) * 10) / 10,
      p95_ms: Math.round(quantile(ms, 0.95) * 10) / 10,
      requests: ms.length,
      found: Math.round((found / ms.length) * 10) / 10,
      target_ms: c.targetMs,
    };
    rows.push(row);
    say(`${c.name}: p50 ${row.p50_ms} ms, p95 ${row.p95_ms} ms (${row.found} found a request)`);
  }

  // Export: a CSV of every mention of 30 days, streamed; rows/s and the API's memory meanwhile.
  for (const days of runs('export') ? [30, Math.min(l.days, 180)] : []) {
    const p = `/api/v1/mentions/export?format=csv&relevant=all&since=${iso(l.to - days * DAY_MS)}&until=${iso(l.to)}`;
    watched.resetPeak();
    watched.sample();
    const before = watched.peakRss();
    const t = performance.now();
    const res = await get(p);
    if (!res.ok || !res.body) throw new Error(`export: ${res.status} ${await res.text()}`);
    const body: AsyncIterable<unknown> = res.body;
    let lines = 0;
    let firstByte: number | null = null;
    const decoder = new TextDecoder();
    for await (const chunk of body) {
      firstByte ??= performance.now() - t;
      // Rows end with CRLF; a quoted text never holds one (the generator writes none).
      const s =
        typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
      for (let i = s.indexOf('\r\n'); i >= 0; i = s.indexOf('\r\n', i + 2)) lines++;
    }
    const seconds = (performance.now() - t) / 1000;
    const rowsOut = lines - 1;
    rows.push({
      system: 'maillon',
      dataset,
      case: `export CSV, ${days} days (${rowsOut.toLocaleString('en')} rows)`,
      p50_ms: null,
      p95_ms: null,
      requests: 1,
      rows_per_s: Math.round(rowsOut / seconds),
      rss_mb: Math.round(watched.peakRss() / 2 ** 20),
      note: `RSS ${Math.round(before / 2 ** 20)} MB before; first byte after ${Math.round(firstByte ?? 0)} ms; through HTTP`,
    });
    say(
      `export ${days} days: ${rowsOut} rows in ${seconds.toFixed(1)} s, RSS peak ${Math.round(watched.peakRss() / 2 ** 20)} MB (through HTTP)`,
    );
  }

  // The raw store beside it: the latest page as a sort of the mentions (a scan on FerretDB v1).
  const rawRuns = !runs('raw') ? 0 : l.size >= 500_000 ? 1 : 3;
  const rawMs: number[] = [];
  for (let k = 0; k < rawRuns; k++) {
    const t = performance.now();
    await rt.mentions.list({ limit: 50 });
    rawMs.push(performance.now() - t);
  }
  if (rawRuns > 0)
    rows.push({
      system: 'raw store (find + sort: a scan on FerretDB v1)',
      dataset,
      case: 'latest mentions (no filter)',
      p50_ms: Math.round(quantile(rawMs, 0.5)),
      p95_ms: Math.round(quantile(rawMs, 0.95)),
      requests: rawRuns,
    });
  await killAll();
  await exited(api);
  return rows;
}

let rows: Row[];
try {
  rows = await main();
} catch (err) {
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}
await cleanup();

const out = (line: string) => process.stdout.write(`${line}\n`);
if (args.json) out(JSON.stringify({ bench: 'api', rows, words }));
else {
  const head = [
    'system',
    'dataset',
    'case',
    'p50 ms',
    'p95 ms',
    'target p95',
    'n',
    'found',
    'rows/s',
    'RSS MB',
    'note',
  ];
  const body = rows.map((x) => [
    x.system,
    x.dataset,
    x.case,
    x.p50_ms?.toString() ?? '—',
    x.p95_ms?.toString() ?? '—',
    x.target_ms
      ? `≤ ${x.target_ms}${x.p95_ms !== null && x.p95_ms > x.target_ms ? ' (missed)' : ''}`
      : '',
    String(x.requests),
    x.found?.toString() ?? '',
    x.rows_per_s?.toLocaleString('en') ?? '',
    x.rss_mb?.toString() ?? '',
    x.note ?? '',
  ]);
  out(markdownTable(head, body));
  out(
    `\nThrough HTTP to the API process (rate limit lifted), one request at a time, after ${WARMUP} to warm up. Mentions spread evenly over the period (ending yesterday). ${words ? `Words: common "${words.common.join('", "')}" (in ${words.commonShare.map((x) => `${(x * 100).toFixed(1)}%`).join(', ')} of the mentions), rare "${words.rare}" (${Math.round(words.rareShare * SIZE)} mentions). ` : ''} "found": mentions in an answer, on average. Export: one CSV streamed to the end; RSS: the API's highest resident memory meanwhile.`,
  );
}
