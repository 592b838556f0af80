/**
 * `npm run bench:sentiment`: accuracy and throughput of Maillon's sentiment and its peers on the
 * shared benchmarks, as a table; `-- --json` prints one JSON object instead. When
 * ./aspects.ts exists and exports `measureAspects()`, its rows are added (second table).
 */
import { checkTargets, measureSentiment, pct, type SentimentRow } from './sentiment-accuracy.js';

type Row = Record<string, unknown> & { system: string; dataset: string };

interface AspectsModule {
  measureAspects?: () => Promise<Row[]>;
}

const json = process.argv.includes('--json');
const out = (line: string) => process.stdout.write(`${line}\n`);

const rows: Row[] = [...(await measureSentiment())].map((r) => ({ ...r }));
// The aspect bench is another module, which may not exist yet.
const aspects = (await import('./aspects.js').catch(() => null)) as AspectsModule | null;
const aspectRows =
  aspects && typeof aspects.measureAspects === 'function' ? await aspects.measureAspects() : [];

if (json) {
  out(JSON.stringify({ bench: 'sentiment', rows: [...rows, ...aspectRows] }));
} else {
  const sentimentRows = rows as unknown as SentimentRow[];
  out('Sentiment on ../shared/benchmarks/sentiment (neutral counts as wrong; median of 5 runs)\n');
  printTable(
    [
      'system',
      'dataset',
      'n',
      'accuracy',
      'zero-rate',
      'pos recall',
      'neg recall',
      'mentions/s',
      'min–max',
    ],
    sentimentRows.map((r) => [
      r.system,
      r.dataset,
      String(r.n),
      pct(r.accuracy),
      pct(r.zeroRate),
      pct(r.posRecall),
      pct(r.negRecall),
      Math.round(r.throughput).toLocaleString('en'),
      `${Math.round(r.throughputMin).toLocaleString('en')}–${Math.round(r.throughputMax).toLocaleString('en')}`,
    ]),
  );
  out('\nTargets');
  for (const [what, met, detail] of checkTargets(sentimentRows)) {
    out(`  ${met ? 'met   ' : 'MISSED'}  ${what}: ${detail}`);
  }
  if (aspectRows.length > 0) {
    out('\nAspect linking (scripts/bench/aspects.ts)\n');
    const columns = [...new Set(aspectRows.flatMap((r) => Object.keys(r)))];
    printTable(
      columns,
      aspectRows.map((r) => columns.map((c) => format(r[c]))),
    );
  }
}

function format(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(3);
  if (typeof v === 'string') return v;
  return v === undefined ? '' : JSON.stringify(v);
}

function printTable(header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  out(line(header));
  out(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of body) out(line(r));
}
