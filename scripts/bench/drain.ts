/**
 * `npm run bench:drain`: what a count drain costs per mention against how many mentions it
 * takes at once. The count job's pause after a slow drain (src/jobs/count.ts, `GATHER_AFTER_MS`)
 * rests on these figures: a drain rewrites every day document its mentions touch (the counts'
 * days and months, the explorer's index), so its cost is mostly the days', not the mentions'.
 *
 * Per drain size: a store of the bench's own (the bundled MongoDB-wire server) gets `--size`
 * mentions of `bench:load`'s generator (5,000 a day) through the import door with no worker
 * running; then the inbox is drained `--limits` at a time, timed, with the store's CPU (from
 * /proc) and this process's. The import's own rate and CPU are in the rows too.
 *
 *   npm run bench:drain
 *   npm run bench:drain -- --size=25k --limits=500,5000,25000 --json
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config/index.js';
import { freePort, startMongoDev } from '../../src/devtools/mongo-dev.js';
import { importJsonl } from '../../src/ingest/import-jsonl.js';
import { runShutdown } from '../../src/lifecycle.js';
import { deleteKeys } from '../../src/queue/redis.js';
import { createLogger } from '../../src/logger.js';
import { createRuntime, runtimeShutdownSteps } from '../../src/runtime.js';
import { MentionWriter, PhraseBank } from './load/generate.js';
import { writeConfig } from './load/setup.js';
import { fmtSize, parseSize } from './sizes.js';
import { markdownTable } from './table.js';

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    size: { type: 'string', default: '25k' },
    limits: { type: 'string', default: '500,5000,25000' },
  },
});
const SIZE = parseSize(args.size);
const LIMITS = args.limits.split(',').map((s) => parseSize(s, '--limits'));
const PER_DAY = 5_000;
const say = (msg: string) => process.stderr.write(`bench:drain: ${msg}\n`);

/** User and system CPU seconds of a process, from /proc. */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const ownCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

interface Row {
  system: 'maillon';
  dataset: string;
  drain_limit: number;
  drains: number;
  drain_per_s: number;
  drain_store_cpu_s_per_1k: number;
  drain_node_cpu_s_per_1k: number;
  import_per_s: number;
  import_store_cpu_s_per_1k: number;
  import_node_cpu_s_per_1k: number;
}

const dir = mkdtempSync(path.join(tmpdir(), 'maillon-bench-drain-'));
const configDir = path.join(dir, 'config');
mkdirSync(configDir);
writeConfig(configDir, []);
const server = await startMongoDev({ dataDir: path.join(dir, 'store'), log: say });
const rows: Row[] = [];
try {
  const bank = new PhraseBank();
  const per1k = (x: number) => Math.round((x / SIZE) * 1000 * 1000) / 1000;
  for (const limit of LIMITS) {
    const prefix = `maillon-bench-drain-${process.pid}-${limit}`;
    const config = loadConfig({
      ...process.env,
      MONGODB_URL: `${server.url}/bench_drain_${limit}`,
      QUEUE_PREFIX: prefix,
      CONFIG_DIR: configDir,
      PORT: String(await freePort()),
      LOG_LEVEL: 'warn',
      // alerts.yaml's webhook (no worker runs: nothing is sent).
      BENCH_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
      BENCH_WEBHOOK_SECRET: 'bench-drain-secret',
    });
    const rt = await createRuntime(config, createLogger({ ...config.log, level: 'warn' }));
    try {
      // The same mentions for every limit (one seed), in a database of their own.
      const writer = new MentionWriter(bank, 'bench-drain', 42);
      const lines = [...writer.span(Date.UTC(2026, 5, 1), SIZE, PER_DAY)]
        .map((m) => JSON.stringify(m))
        .join('\n');
      say(`${fmtSize(SIZE)} mentions through the import door (drains of ${limit} next)...`);
      let store = cpuOf(server.pid!);
      let own = ownCpu();
      let t = performance.now();
      await importJsonl({ ...rt.acceptDeps, door: 'import' }, Readable.from([lines]), {
        now: () => new Date(Date.UTC(2027, 0, 1)),
      });
      const importS = (performance.now() - t) / 1000;
      const importStore = cpuOf(server.pid!) - store;
      const importOwn = ownCpu() - own;
      store = cpuOf(server.pid!);
      own = ownCpu();
      t = performance.now();
      let drains = 0;
      while ((await rt.counts.drain(limit)).counted > 0) drains++;
      const drainS = (performance.now() - t) / 1000;
      rows.push({
        system: 'maillon',
        dataset: `${fmtSize(SIZE)} mentions, ${PER_DAY.toLocaleString('en')} a day`,
        drain_limit: limit,
        drains,
        drain_per_s: Math.round(SIZE / drainS),
        drain_store_cpu_s_per_1k: per1k(cpuOf(server.pid!) - store),
        drain_node_cpu_s_per_1k: per1k(ownCpu() - own),
        import_per_s: Math.round(SIZE / importS),
        import_store_cpu_s_per_1k: per1k(importStore),
        import_node_cpu_s_per_1k: per1k(importOwn),
      });
    } finally {
      // The queues' keys the runtime made in the shared Redis go with it.
      await deleteKeys(rt.redis.redis, `${prefix}:*`);
      await runShutdown(runtimeShutdownSteps(rt), rt.logger);
    }
  }
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}

const out = (line: string) => process.stdout.write(`${line}\n`);
if (args.json) out(JSON.stringify({ bench: 'drain', rows }));
else {
  const head = [
    'drain size',
    'drains',
    'drained/s',
    'store CPU s/1k',
    'node CPU s/1k',
    'import/s',
    'import store CPU s/1k',
    'import node CPU s/1k',
  ];
  const body = rows.map((r) => [
    r.drain_limit.toLocaleString('en'),
    String(r.drains),
    r.drain_per_s.toLocaleString('en'),
    String(r.drain_store_cpu_s_per_1k),
    String(r.drain_node_cpu_s_per_1k),
    r.import_per_s.toLocaleString('en'),
    String(r.import_store_cpu_s_per_1k),
    String(r.import_node_cpu_s_per_1k),
  ]);
  out(markdownTable(head, body));
  out(
    `\n${fmtSize(SIZE)} mentions of bench:load's generator (${PER_DAY.toLocaleString('en')} a day) imported with no worker running, then drained so many at a time. CPU per 1,000 mentions: the bundled store's, and this process's.`,
  );
}
