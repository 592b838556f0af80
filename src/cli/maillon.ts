/**
 * The `maillon` command. `maillon import FILE.jsonl` sends mentions through the same store and
 * queues as polling and the API; the running workers analyse them.
 *
 * Exit codes: 0 all lines imported (or already there), 2 some lines rejected (the rest imported),
 * 1 the import could not run.
 */
import { createReadStream } from 'node:fs';
import { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { withLocalMongo } from '../devtools/local-env.js';
import { importJsonl, type ImportSummary } from '../ingest/import-jsonl.js';
import { createLogger } from '../logger.js';
import { createRuntime, runtimeShutdownSteps } from '../runtime.js';
import { runShutdown } from '../lifecycle.js';

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
      summary = await importJsonl(
        { mentions: rt.mentions, enqueueAnalyze: (ids) => rt.queues.enqueueAnalyze(ids) },
        input,
        {
          batchSize: opts.batch,
          onProgress: opts.quiet
            ? undefined
            : (s) =>
                say(
                  `${s.lines} lines read: ${s.accepted} accepted, ${s.duplicates} duplicates, ${s.rejected.length} rejected`,
                ),
        },
      );
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

program.parseAsync().catch((err: unknown) => {
  process.stderr.write(`maillon: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
