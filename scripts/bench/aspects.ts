/**
 * Aspect linking on the hand-labelled mentions of test/fixtures/aspects/labelled.jsonl: does
 * Maillon find the touchpoints a human annotator found, with the polarity they gave, and does the
 * watch query keep the texts they kept?
 *
 * `tsx scripts/bench/aspects.ts` prints a table (and `--errors` every miss); `--json` prints
 * `{"bench":"aspects","rows":[...]}`. The sentiment bench imports `measureAspects()`.
 *
 * - precision, recall: of (mention, touchpoint) pairs. A mention the watch query drops has no
 *   pairs, as in the pipeline; an irrelevant mention is labelled with none.
 * - polarityAccuracy: among pairs found and expected, the share with the annotator's polarity.
 * - relevanceAccuracy: share of mentions whose `relevant` matches the label.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { loadTouchpointsFile } from '../../config/index.js';
import { createTouchpointLinker } from '../../src/analysis/touchpoints.js';

export const LABELLED_PATH = fileURLToPath(
  new URL('../../test/fixtures/aspects/labelled.jsonl', import.meta.url),
);
/**
 * The journey the labels are about: Maison Lumière's shops, online shop, hotels and café, composed
 * from the presets of those trades (config/touchpoints.yaml is the online shop alone).
 */
export const ASPECTS_CONFIG_DIR = fileURLToPath(
  new URL('../../test/fixtures/aspects/', import.meta.url),
);

const polarity = z.enum(['negative', 'neutral', 'positive']);

export const labelledSchema = z
  .object({
    text: z.string().min(1),
    lang: z.enum(['fr', 'en']),
    relevant: z.boolean(),
    expected: z.array(z.object({ touchpoint: z.string(), polarity }).strict()),
  })
  .strict();
export type Labelled = z.infer<typeof labelledSchema>;

export interface Row {
  system: 'maillon';
  dataset: 'aspects/fr' | 'aspects/en' | 'aspects/all';
  precision: number;
  recall: number;
  polarityAccuracy: number;
  relevanceAccuracy: number;
  n: number;
}

/** One mistake, for `--errors`. */
export interface AspectError {
  text: string;
  kind: 'missed' | 'spurious' | 'polarity' | 'relevance';
  detail: string;
}

export function readLabelled(path = LABELLED_PATH): Labelled[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const r = labelledSchema.safeParse(JSON.parse(l));
      if (!r.success) throw new Error(`${path}:${i + 1}: ${r.error.message}`);
      return r.data;
    });
}

interface Tally {
  n: number;
  relevanceOk: number;
  predicted: number;
  expected: number;
  found: number;
  polarityOk: number;
}

function evaluate(items: Labelled[], errors: AspectError[], configDir: string): Tally {
  const linker = createTouchpointLinker(loadTouchpointsFile(configDir));
  const t: Tally = { n: 0, relevanceOk: 0, predicted: 0, expected: 0, found: 0, polarityOk: 0 };
  for (const item of items) {
    const r = linker.link(item.text, item.lang);
    t.n++;
    if (r.relevant === item.relevant) t.relevanceOk++;
    else errors.push({ text: item.text, kind: 'relevance', detail: `got ${r.relevant}` });
    const predicted = new Map(r.relevant ? r.touchpoints.map((tp) => [tp.id, tp]) : []);
    const expected = new Map(item.expected.map((e) => [e.touchpoint, e.polarity]));
    t.predicted += predicted.size;
    t.expected += expected.size;
    for (const [id, want] of expected) {
      const got = predicted.get(id);
      if (!got) {
        errors.push({ text: item.text, kind: 'missed', detail: id });
        continue;
      }
      t.found++;
      if (got.sentiment.label === want) t.polarityOk++;
      else {
        errors.push({
          text: item.text,
          kind: 'polarity',
          detail: `${id}: ${got.sentiment.label} (${got.sentiment.score}), expected ${want}`,
        });
      }
    }
    for (const [id, got] of predicted) {
      if (!expected.has(id)) {
        errors.push({
          text: item.text,
          kind: 'spurious',
          detail: `${id} (${got.matched.join(', ')})`,
        });
      }
    }
  }
  return t;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : Math.round((a / b) * 1000) / 1000);

function toRow(dataset: Row['dataset'], t: Tally): Row {
  return {
    system: 'maillon',
    dataset,
    precision: ratio(t.found, t.predicted),
    recall: ratio(t.found, t.expected),
    polarityAccuracy: ratio(t.polarityOk, t.found),
    relevanceAccuracy: ratio(t.relevanceOk, t.n),
    n: t.n,
  };
}

/** The aspect rows: French, English, and both together. */
export async function measureAspects(
  errors: AspectError[] = [],
  configDir = ASPECTS_CONFIG_DIR,
): Promise<Row[]> {
  const items = readLabelled();
  const fr = evaluate(
    items.filter((i) => i.lang === 'fr'),
    errors,
    configDir,
  );
  const en = evaluate(
    items.filter((i) => i.lang === 'en'),
    errors,
    configDir,
  );
  const all: Tally = {
    n: fr.n + en.n,
    relevanceOk: fr.relevanceOk + en.relevanceOk,
    predicted: fr.predicted + en.predicted,
    expected: fr.expected + en.expected,
    found: fr.found + en.found,
    polarityOk: fr.polarityOk + en.polarityOk,
  };
  return Promise.resolve([
    toRow('aspects/fr', fr),
    toRow('aspects/en', en),
    toRow('aspects/all', all),
  ]);
}

async function main(): Promise<void> {
  const out = (line: string): boolean => process.stdout.write(`${line}\n`);
  const errors: AspectError[] = [];
  const rows = await measureAspects(errors);
  if (process.argv.includes('--json')) {
    out(JSON.stringify({ bench: 'aspects', rows }));
    return;
  }
  const head = ['dataset', 'n', 'precision', 'recall', 'polarity acc.', 'relevance acc.'];
  const body = rows.map((r) => [
    r.dataset,
    String(r.n),
    pct(r.precision),
    pct(r.recall),
    pct(r.polarityAccuracy),
    pct(r.relevanceAccuracy),
  ]);
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (b[i] as string).length)),
  );
  const line = (cells: string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  out(`Aspect linking on ${LABELLED_PATH.split('/test/')[1] ?? LABELLED_PATH}\n`);
  out(line(head));
  out(line(widths.map((w) => '-'.repeat(w))));
  for (const b of body) out(line(b));
  if (process.argv.includes('--errors')) {
    out('');
    for (const e of errors) out(`${e.kind.padEnd(9)}  ${e.detail}  «${e.text}»`);
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
