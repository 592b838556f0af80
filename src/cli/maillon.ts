/**
 * The `maillon` command. `maillon import FILE.jsonl` reads and stores mentions as polling and
 * the API do; the running workers count them. `maillon recount` counts a store again (nothing
 * twice). `maillon reindex` puts stored mentions in the mention explorer's index.
 * `maillon journey suggest` lists the words of recent complaints that the journey missed.
 * `maillon admin create` and `maillon key create` make the first admin and API keys.
 *
 * Exit codes: 0 all lines imported (or already there), 2 some lines rejected (the rest imported),
 * 1 the import could not run.
 */
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../config/index.js';
import { durationSchema } from '../domain/vocabulary.js';
import { withLocalMongo } from '../devtools/local-env.js';
import { importJsonl, type ImportSummary } from '../ingest/import-jsonl.js';
import { recountStored } from '../ingest/recount.js';
import { reindexStored } from '../ingest/reindex.js';
import { createLogger } from '../logger.js';
import { createRuntime, runtimeShutdownSteps, type Runtime } from '../runtime.js';
import { runShutdown } from '../lifecycle.js';
import { createMentionsRepository } from '../store/mentions-repository.js';
import { connectMongo } from '../store/mongo.js';
import { accessCommands } from './access.js';
import { formatJourneySuggest, journeySuggest } from './journey-suggest.js';

const program = new Command('maillon').description('Maillon: word-of-mouth monitor');

program
  .command('import')
  .description(
    'import mentions from a JSON Lines file (one mention a line; "-" reads standard input)',
  )
  .argument('<file>', 'path to a .jsonl file, or - for standard input')
  .option('--batch <n>', 'mentions stored per round trip', (v) => Number.parseInt(v, 10), 500)
  .option('--json', 'print the summary as one JSON object')
  .option('--quiet', 'no progress on standard error')
  .action(async (file: string, opts: { batch: number; json?: boolean; quiet?: boolean }) => {
    const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);
    const local = await withLocalMongo(process.env, opts.quiet ? () => {} : say);
    const config = loadConfig({ LOG_LEVEL: 'warn', ...local.env });
    const logger = createLogger(config.log);
    const rt = await createRuntime(config, logger);
    let summary: ImportSummary;
    try {
      const input = file === '-' ? process.stdin : createReadStream(file);
      summary = await importJsonl({ ...rt.acceptDeps, door: 'import' }, input, {
        batchSize: opts.batch,
        onProgress: opts.quiet
          ? undefined
          : (s) =>
              say(
                `${s.lines} lines read: ${s.accepted} accepted, ${s.duplicates} duplicates, ${s.rejected.length} rejected`,
              ),
      });
    } finally {
      await runShutdown(runtimeShutdownSteps(rt), logger);
      await local.stop();
    }
    if (opts.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      process.stdout.write(
        `${summary.lines} lines: ${summary.accepted} accepted, ${summary.duplicates} duplicates, ${summary.rejected.length} rejected\n`,
      );
      for (const r of summary.rejected) process.stdout.write(`  line ${r.line}: ${r.reason}\n`);
    }
    process.exitCode = summary.rejected.length > 0 ? 2 : 0;
  });

program
  .command('recount')
  .description(
    'count every stored mention again (a store whose counts were kept before version 0.2, or lost); nothing is counted twice',
  )
  .option('--json', 'print the summary as one JSON object')
  .action((opts: { json?: boolean }) =>
    withLocalRuntime(Boolean(opts.json), async (rt, say) => {
      const summary = await recountStored(
        { ...rt.acceptDeps, mentions: rt.mentions },
        {
          onProgress: opts.json
            ? undefined
            : (s) => say(`${s.mentions} mentions: ${s.read} read now, ${s.staged} to count`),
        },
      );
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(summary)}\n`
          : `${summary.mentions} mentions, ${summary.read} read now, ${summary.staged} sent to the count job (running workers count them; none twice)\n`,
      );
    }),
  );

program
  .command('reindex')
  .description(
    "put every stored mention in the mention explorer's index (a store kept before the explorer, or an index lost); the running workers write it, harmless to repeat",
  )
  .option('--json', 'print the summary as one JSON object')
  .action((opts: { json?: boolean }) =>
    withLocalRuntime(Boolean(opts.json), async (rt, say) => {
      const summary = await reindexStored(
        { ...rt.acceptDeps, mentions: rt.mentions },
        {
          onProgress: opts.json
            ? undefined
            : (s) => say(`${s.mentions} mentions: ${s.staged} to index`),
        },
      );
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(summary)}\n`
          : `${summary.mentions} mentions, ${summary.staged} sent to the count job for the index (running workers write it)${summary.unread > 0 ? `; ${summary.unread} stored unread: run maillon recount` : ''}\n`,
      );
    }),
  );

const journey = program.command('journey').description('the customer journey of touchpoints.yaml');

journey
  .command('suggest')
  .description(
    'list the words and phrases of recent negative mentions that no touchpoint caught, to add to touchpoints.yaml',
  )
  .option('--since <duration>', 'how far back: 30m, 12h, 7d...', parseDuration, 7 * 86_400_000)
  .option('--limit <n>', 'suggestions shown', parsePositive, 20)
  .addOption(new Option('--lang <lang>', 'French or English mentions only').choices(['fr', 'en']))
  .option('--json', 'print the report as one JSON object')
  .action(async (opts: { since: number; limit: number; lang?: 'fr' | 'en'; json?: boolean }) => {
    const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);
    const local = await withLocalMongo(process.env, opts.json ? () => {} : say);
    try {
      const config = loadConfig({ LOG_LEVEL: 'warn', ...local.env });
      const mongo = await connectMongo(config.mongo);
      try {
        const dir = path.resolve(local.env.CONFIG_DIR || DEFAULT_CONFIG_DIR);
        const report = await journeySuggest(
          {
            mentions: createMentionsRepository(mongo.db),
            journey: config.touchpoints,
            touchpointsFile: path.join(dir, 'touchpoints.yaml'),
            now: new Date(),
          },
          { sinceMs: opts.since, limit: opts.limit, ...(opts.lang ? { lang: opts.lang } : {}) },
        );
        process.stdout.write(
          opts.json
            ? `${JSON.stringify(report)}\n`
            : formatJourneySuggest(report, config.touchpoints.touchpoints),
        );
      } finally {
        await mongo.close();
      }
    } finally {
      await local.stop();
    }
  });

/**
 * Runs `run` on a runtime over the configured store (or the local server when MONGODB_URL is
 * unset), then closes both; progress goes to standard error unless `quiet`.
 */
async function withLocalRuntime(
  quiet: boolean,
  run: (rt: Runtime, say: (msg: string) => void) => Promise<void>,
): Promise<void> {
  const say = (msg: string) => process.stderr.write(`maillon: ${msg}\n`);
  const local = await withLocalMongo(process.env, quiet ? () => {} : say);
  const config = loadConfig({ LOG_LEVEL: 'warn', ...local.env });
  const rt = await createRuntime(config, createLogger(config.log));
  try {
    await run(rt, say);
  } finally {
    await runShutdown(runtimeShutdownSteps(rt), rt.logger);
    await local.stop();
  }
}

function parseDuration(v: string): number {
  const r = durationSchema.safeParse(v);
  if (!r.success) throw new InvalidArgumentError('expected a duration such as "12h" or "7d"');
  return r.data;
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
}

accessCommands(program, process.env);

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`maillon: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
