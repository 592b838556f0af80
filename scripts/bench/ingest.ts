/**
 * `npm run bench:ingest`: how many mentions a second each source kind gets through our fetch
 * path and into the store, beside what its parser alone reads, so that the cost of everything
 * around the parser shows. One row per kind of the registry (src/sources/index.ts), each on a
 * recorded page (scripts/bench/ingest/cases.ts) served by a local site of the bench's own; a kind
 * without a case stops the bench before anything starts. `--json` prints
 * `{"bench":"ingest","rows":[...]}` alone on standard output; progress goes to standard error.
 *
 * Per kind, in mentions a second:
 *   - parse_per_s: `adapter.parse` on the raw page as `fetchPage` returned it, repeated;
 *   - fetch_parse_per_s: `adapter.fetchPage` over the local site, then `parse`, repeated, each
 *     from an empty cursor (no conditional GET, no watermark cuts the page short), through the
 *     runtime's HTTP client: SSRF guard, robots.txt for the kinds that obey it, the per-host
 *     budget in Redis, sign-in (once: the session or token is kept as the poll job keeps it);
 *   - poll_new_per_s: the real poll job (src/jobs/poll.ts) on a real runtime (src/runtime.ts:
 *     Redis, a MongoDB-wire server of the bench's own) polling K copies of the source, each with
 *     its own id, so that each poll fetches, parses, analyses, stores and stages for counting the
 *     page's mentions anew: mentions stored a second (the first poll of a copy also signs in);
 *   - poll_seen_per_s: the same polls again, every mention already stored: the dedupe path. Each
 *     copy's cursor is cleared before (untimed), or appstore, html and reviews would answer an
 *     unchanged page from their watermark without reading it; repeated for at least --min-time;
 *   - mentions: mentions the page holds.
 * An untimed copy (`<kind>-warmup`) is polled first in each round, so that the first kind does
 * not pay for the store's and the JIT's warm-up.
 *
 * Politeness: each kind's per-host budget (src/net/host-limits.ts: a sliding window and a
 * semaphore per host in Redis) holds a source to a few requests a minute, which would make this
 * a measure of our patience. The bench hands the poll job (its `adapters` dependency) and its own
 * fetches the registry's adapters with `perMinute` and `concurrency` raised out of reach, nothing
 * else changed: every request still takes and gives back its slot in Redis, and robots.txt is
 * still read for the kinds that obey it, so the cost of politeness stays in the figures and only
 * the waiting goes. Its keys live under the bench's own QUEUE_PREFIX and go with it.
 *
 *   npm run bench:ingest
 *   npm run bench:ingest -- --json
 *   npm run bench:ingest -- --kinds=rss,reddit --copies=50 --min-time=2
 *
 * Options: --kinds=a,b (default: every kind) --copies=K (copies polled, default 20)
 * --min-time=S (seconds each repeated measure lasts at least, default 0.5).
 * Redis is 127.0.0.1:6379 (REDIS_URL); the bench's queues and keys are removed at the end, its
 * MongoDB-wire server stopped and its temporary folder removed, whatever the way out.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { stringify } from 'yaml';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../config/index.js';
import { startMongoDev } from '../../src/devtools/mongo-dev.js';
import { createPollProcessor, type PollResult } from '../../src/jobs/poll.js';
import { runShutdown } from '../../src/lifecycle.js';
import { createLeases } from '../../src/queue/lease.js';
import { QUEUE } from '../../src/queue/queues.js';
import { createRuntime, runtimeShutdownSteps, type Runtime } from '../../src/runtime.js';
import { adapterOf, settingsOf, SOURCE_KINDS, type SourceKind } from '../../src/sources/index.js';
import { withPoliteness } from '../../src/sources/_http.js';
import {
  createTokenStore,
  type AnySourceAdapter,
  type FetchContext,
  type RawPage,
} from '../../src/sources/_types.js';
import { INGEST_CASES, missingCases } from './ingest/cases.js';
import { startSite, type Site } from './ingest/site.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    kinds: { type: 'string' },
    copies: { type: 'string', default: '20' },
    'min-time': { type: 'string', default: '0.5' },
  },
});

const say = (msg: string) => process.stderr.write(`bench:ingest: ${msg}\n`);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const COPIES = Number(args.copies);
const MIN_MS = Number(args['min-time']) * 1000;
if (!Number.isInteger(COPIES) || COPIES < 1) throw new Error('--copies: expected a whole number');
if (!(MIN_MS > 0)) throw new Error('--min-time: expected seconds, e.g. 0.5');
/** The machine's load when the bench started (1, 5, 15 minutes), for the table's note. */
const LOAD_BEFORE = os.loadavg();
/** Out of reach: the per-host budget is still taken, never spent (see the header). */
const UNLIMITED = 1_000_000_000;

// A kind without a case would silently go unmeasured: stop here, before anything starts.
{
  const { missing, stale } = missingCases();
  if (missing.length > 0 || stale.length > 0) {
    say(
      [
        ...(missing.length > 0
          ? [
              `no bench case for the kind(s) ${missing.join(', ')}: add one to scripts/bench/ingest/cases.ts`,
            ]
          : []),
        ...(stale.length > 0 ? [`bench cases for unknown kind(s) ${stale.join(', ')}`] : []),
      ].join('; '),
    );
    process.exit(1);
  }
}
const KINDS: SourceKind[] = (args.kinds?.split(',') ?? SOURCE_KINDS.toSorted()).map((k) => {
  if (!(SOURCE_KINDS as string[]).includes(k)) throw new Error(`--kinds: no source kind "${k}"`);
  return k as SourceKind;
});

export interface IngestRow {
  system: 'maillon';
  dataset: string;
  mentions: number;
  parse_per_s: number;
  fetch_parse_per_s: number;
  poll_new_per_s: number;
  poll_seen_per_s: number;
}

// ----- clean-up, whatever the way out ----------------------------------------------------------

const cleanups: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    for (const c of cleanups.toReversed()) await c().catch(() => {});
  })());
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    say(`${sig}: cleaning up...`);
    void cleanup().then(() => process.exit(130));
  });
}

// ----- measuring -------------------------------------------------------------------------------

/**
 * Mentions a second of `once` (returning the mentions it read), repeated for MIN_MS at least
 * after as long a warm-up: cheerio and parse5 take a few hundred pages to reach their speed.
 */
function perSecondSync(once: () => number): number {
  for (const t = performance.now(); performance.now() - t < MIN_MS;) once();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    n += once();
    t = performance.now();
  } while (t - t0 < MIN_MS);
  return n / ((t - t0) / 1000);
}

async function perSecond(once: () => Promise<number>): Promise<number> {
  for (const t = performance.now(); performance.now() - t < MIN_MS;) await once();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    n += await once();
    t = performance.now();
  } while (t - t0 < MIN_MS);
  return n / ((t - t0) / 1000);
}

/** The registry's adapter, its per-host budget out of reach (see the header). */
const benchAdapter = (kind: SourceKind): AnySourceAdapter => {
  const adapter = adapterOf(kind);
  return {
    ...adapter,
    politeness: { ...adapter.politeness, perMinute: UNLIMITED, concurrency: UNLIMITED },
  };
};

const copyId = (kind: string, i: number | 'warmup') => `${kind}-${i}`;

async function measure(rt: Runtime, kind: SourceKind): Promise<IngestRow> {
  const started = performance.now();
  const c = INGEST_CASES[kind];
  const adapter = benchAdapter(kind);
  const source = rt.config.sources.find((s) => s.id === copyId(kind, 'warmup'));
  if (!source) throw new Error(`${kind}: its sources are not configured`);
  const ctx: FetchContext = {
    http: withPoliteness(rt.http, adapter.politeness),
    signal: new AbortController().signal,
    tokens: createTokenStore(),
    now: () => new Date(),
  };
  const fetchRaw = async (): Promise<RawPage> => {
    const page = await adapter.fetchPage(source, {}, ctx);
    if (page.notModified)
      throw new Error(`${kind}: fetchPage answered notModified to an empty cursor`);
    return page.raw;
  };
  // What the poll job tells `parse` besides the page (the html kind reads its selectors there).
  const options = settingsOf(source);
  const parse = (raw: RawPage) =>
    adapter.parse(raw, { sourceId: source.id, fetchedAt: new Date(), options }).length;

  const raw = await fetchRaw();
  const mentions = parse(raw);
  if (mentions === 0) throw new Error(`${kind}: the page of ${c.fixture} reads as no mention`);
  say(`${kind}: ${mentions} mentions a page; parse...`);
  const parsePerS = perSecondSync(() => parse(raw));

  say(`${kind}: fetch + parse...`);
  const fetchParsePerS = await perSecond(async () => {
    const n = parse(await fetchRaw());
    if (n !== mentions)
      throw new Error(`${kind}: a fetched page read as ${n} mentions, not ${mentions}`);
    return n;
  });

  // The real poll job, on the runtime's store, queues and HTTP client.
  const poll = createPollProcessor({
    catalog: rt.catalog,
    sources: rt.sources,
    ...rt.acceptDeps,
    http: rt.http,
    tokens: createTokenStore(),
    logger: rt.logger,
    leases: createLeases(rt.redis.redis, { prefix: rt.config.redis.prefix }),
    adapters: { [kind]: adapter },
  });
  let seq = 0;
  const pollOnce = async (sourceId: string, expect: 'new' | 'seen'): Promise<number> => {
    const job = {
      id: `bench-${sourceId}-${seq++}`,
      queueName: QUEUE.poll(kind),
      attemptsMade: 0,
      data: { sourceId },
    } as unknown as Job;
    const r: PollResult = await poll(job);
    const ok =
      'accepted' in r &&
      r.fetched === mentions &&
      r.rejected === 0 &&
      (expect === 'new' ? r.accepted === mentions : r.duplicates === mentions);
    if (!ok) {
      const state = await rt.sources.get(sourceId);
      throw new Error(
        `${sourceId}: a poll of ${expect} mentions gave ${JSON.stringify(r)}${state?.lastError ? ` (${state.lastError.message})` : ''}`,
      );
    }
    return expect === 'new' ? r.accepted : r.duplicates;
  };
  const ids = Array.from({ length: COPIES }, (_, i) => copyId(kind, i));

  say(`${kind}: polling ${COPIES} new copies...`);
  await pollOnce(copyId(kind, 'warmup'), 'new');
  let stored = 0;
  const t0 = performance.now();
  for (const id of ids) stored += await pollOnce(id, 'new');
  const pollNewPerS = stored / ((performance.now() - t0) / 1000);

  say(`${kind}: polling them again (all seen)...`);
  const sources = rt.mongo.db.collection('sources');
  const forget = () => sources.updateMany({ kind }, { $set: { cursor: {} } });
  await forget();
  await pollOnce(copyId(kind, 'warmup'), 'seen');
  let seen = 0;
  let ms = 0;
  do {
    await forget();
    const t = performance.now();
    for (const id of ids) seen += await pollOnce(id, 'seen');
    ms += performance.now() - t;
  } while (ms < MIN_MS);
  const pollSeenPerS = seen / (ms / 1000);
  say(`${kind}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  return {
    system: 'maillon',
    dataset: `${kind}/${path.basename(c.fixture)}`,
    mentions,
    parse_per_s: parsePerS,
    fetch_parse_per_s: fetchParsePerS,
    poll_new_per_s: pollNewPerS,
    poll_seen_per_s: pollSeenPerS,
  };
}

// ----- set-up ----------------------------------------------------------------------------------

async function main(): Promise<IngestRow[]> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'maillon-bench-ingest-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

  // One site per kind (its own port): the kinds' paths never meet.
  const sites = new Map<SourceKind, Site>();
  for (const kind of KINDS) {
    const site = await startSite(INGEST_CASES[kind].routes);
    cleanups.push(() => site.close());
    sites.set(kind, site);
  }

  // A copy of config/ whose sources.yaml lists each kind's copies, and alerts go to the log.
  const configDir = path.join(tmp, 'config');
  mkdirSync(configDir);
  for (const f of ['touchpoints.yaml', 'detection.yaml'])
    copyFileSync(path.join(DEFAULT_CONFIG_DIR, f), path.join(configDir, f));
  writeFileSync(
    path.join(configDir, 'alerts.yaml'),
    stringify({ channels: [{ id: 'console', type: 'log' }] }),
  );
  const sources = KINDS.flatMap((kind) =>
    (['warmup', ...Array.from({ length: COPIES }, (_, i) => i)] as const).map((i) => ({
      id: copyId(kind, i),
      kind,
      every: 3_600_000,
      ...INGEST_CASES[kind].settings(sites.get(kind)!.url),
    })),
  );
  writeFileSync(path.join(configDir, 'sources.yaml'), stringify({ sources }));

  say('starting the MongoDB-wire server...');
  const mongo = await startMongoDev({ dataDir: path.join(tmp, 'data'), log: say });
  cleanups.push(() => mongo.stop());

  const prefix = `maillon-bench-ingest-${process.pid}-${Date.now().toString(36)}`;
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    MONGODB_URL: `${mongo.url}/maillon_bench`,
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    CONFIG_DIR: configDir,
    HTTP_ALLOW_HOSTS: '127.0.0.1',
    ...Object.assign({}, ...KINDS.map((k) => INGEST_CASES[k].env ?? {})),
  });
  // Logs to standard error: standard output is the table's, or the JSON's.
  const logger = pino({ level: config.log.level, base: { pid: process.pid } }, pino.destination(2));
  const rt = await createRuntime(config, logger);
  cleanups.push(async () => {
    for (const q of rt.queues.all) await q.obliterate({ force: true }).catch(() => {});
    // Leases and per-host budgets are not a queue's: every key under the prefix goes.
    const redis = rt.redis.redis;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
    await runShutdown(runtimeShutdownSteps(rt), logger);
  });
  await rt.catalog.seed();

  const rows: IngestRow[] = [];
  for (const kind of KINDS) rows.push(await measure(rt, kind));
  return rows;
}

let rows: IngestRow[];
try {
  rows = await main();
} catch (err) {
  // Interrupted: the clean-up already closed what the run was using; its errors say nothing.
  if (cleaning) {
    await cleaning;
    process.exit(130);
  }
  say(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  await cleanup();
  process.exit(1);
}
await cleanup();

// ----- output ----------------------------------------------------------------------------------

const out = (line: string) => process.stdout.write(`${line}\n`);
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const METRICS = ['parse_per_s', 'fetch_parse_per_s', 'poll_new_per_s', 'poll_seen_per_s'] as const;
if (args.json) {
  out(
    JSON.stringify({
      bench: 'ingest',
      rows: rows.map((r) => ({
        ...r,
        ...Object.fromEntries(METRICS.map((m) => [m, round(r[m], 1)])),
      })),
    }),
  );
} else {
  const head = [
    'dataset',
    'mentions/page',
    'parse/s',
    'fetch+parse/s',
    'poll new/s',
    'poll seen/s',
  ];
  const body = rows.map((r) => [
    r.dataset,
    String(r.mentions),
    ...METRICS.map((m) => round(r[m]).toLocaleString('en')),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  out(line(head));
  out(`|${widths.map((w, i) => (i < 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  for (const b of body) out(line(b));
  const cpus = os.cpus();
  const load = (l: number[]) => l.map((x) => x.toFixed(1)).join(' ');
  out(
    `\n${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${os.platform()} ${os.release()}; load average ${load(LOAD_BEFORE)} before, ${load(os.loadavg())} after (other work on the machine skews the figures). ` +
      `Mentions a second; poll: the real poll job into a MongoDB-wire server of the bench's own (FerretDB), ${COPIES} copies of each source; each repeated measure lasts ${MIN_MS / 1000} s at least.`,
  );
}
