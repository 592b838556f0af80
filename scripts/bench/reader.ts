/**
 * `npm run bench:reader`: does the reader count a complaint against the touchpoint it is about,
 * and only then? Every template of a phrase bank (scripts/bench/detect/phrases*), written out a
 * few ways, on a review site and on a social network, read by the real reader with the journey
 * the scenario suite uses; `--json` prints `{"bench":"reader","rows":[...]}`.
 *
 * Two banks, two uses:
 * - `dev` (phrases-dev/): the one to develop the reader against; `--misses` lists its errors.
 * - `frozen` (phrases/): the one to measure with. Its errors are not listed, on purpose: a reader
 *   fixed text by text against the measuring bank would only flatter us.
 *
 * Per bank, language and touchpoint:
 * - complaintRecall: of texts that complain about touchpoint T (alone or mixed), the share read
 *   as negative about T — what the weak-link detector counts;
 * - complaintPrecision: of (text, T) pairs read as negative, the share that are complaints about
 *   T (a false complaint on another touchpoint, in a praise, a question or news counts against);
 * - linked: the share of (text, T) pairs of the truth where T is found at all, whatever polarity;
 * - polarity: among found pairs, the share with the author's polarity;
 * - spill: of texts complaining about one touchpoint only, the share read as a complaint about
 *   another touchpoint too (a wave on one touchpoint then looks like a wave on two).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeMention } from '../../src/analysis/analyze-mention.js';
import { brandNames } from '../../src/analysis/journey.js';
import { createTouchpointLinker } from '../../src/analysis/touchpoints.js';
import type { TouchpointsConfig } from '../../config/index.js';
import { BANK_TOUCHPOINTS, PhraseBank, VARIANTS } from './detect/scenario-bank.js';
import { benchTouchpoints } from './detect/scenarios.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BANKS = {
  dev: path.join(repoRoot, 'scripts/bench/detect/phrases-dev'),
  frozen: path.join(repoRoot, 'scripts/bench/detect/phrases'),
} as const;
type BankName = keyof typeof BANKS;

export interface ReaderRow {
  system: 'maillon';
  dataset: string;
  complaintRecall: number;
  complaintPrecision: number;
  linked: number;
  polarity: number;
  spill: number;
  complaints: number;
  texts: number;
}

interface Tally {
  complaints: number;
  complaintsRead: number;
  negativesRead: number;
  negativesRight: number;
  pairs: number;
  found: number;
  polarityOk: number;
  single: number;
  spilled: number;
  texts: number;
}
const tally = (): Tally => ({
  complaints: 0,
  complaintsRead: 0,
  negativesRead: 0,
  negativesRight: 0,
  pairs: 0,
  found: 0,
  polarityOk: 0,
  single: 0,
  spilled: 0,
  texts: 0,
});

export interface Miss {
  lang: string;
  kind: 'missed complaint' | 'false complaint' | 'not linked' | 'polarity';
  tp: string;
  text: string;
  read: string;
}

/** The reader's view of one text: touchpoint → label. */
type Read = (text: string, lang: string, social: boolean) => Map<string, string>;

function readerFor(config: TouchpointsConfig): Read {
  const { link } = createTouchpointLinker(config);
  const brandAliases = brandNames(config.brand);
  return (text, lang, social) => {
    const a = analyzeMention(
      {
        source: social ? 'mastodon' : 'trustpilot',
        externalId: 'x',
        url: 'https://example.org/m',
        author: { id: 'a', name: 'a' },
        text,
        // Social networks declare a language, review sites do not (scenario-gen's SOURCES).
        ...(social ? { lang } : {}),
        publishedAt: new Date(0),
      },
      { link, brandAliases, watched: social },
    );
    return new Map(a.relevant ? a.touchpoints.map((t) => [t.id, t.sentiment.label]) : []);
  };
}

export function measureBank(
  bankName: BankName,
  config: TouchpointsConfig,
  misses?: Miss[],
): Map<string, Tally> {
  const bank = new PhraseBank(BANKS[bankName]);
  const read = readerFor(config);
  const tallies = new Map<string, Tally>();
  const at = (key: string): Tally => {
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = tally()));
    return t;
  };
  for (const t of bank.templates) {
    // Three variants on each kind of source: slots, brand forms and tags vary.
    for (let v = 0; v < Math.min(3, VARIANTS); v++) {
      for (const social of [false, true]) {
        const text = bank.text(bank.render(t.id, v, social));
        const got = read(text, t.lang, social);
        const truth = new Map(t.truth.map((x) => [x.tp as string, x.polarity as string]));
        const shown = [...got].map(([k, l]) => `${k}:${l}`).join(' ') || '(none)';
        for (const key of [t.lang, 'all']) at(key).texts++;
        for (const [tp, p] of truth) {
          const label = got.get(tp);
          for (const key of [t.lang, 'all', `${t.lang}/${tp}`]) {
            const x = at(key);
            x.pairs++;
            if (label !== undefined) x.found++;
            if (label === p) x.polarityOk++;
            if (p === 'negative') {
              x.complaints++;
              if (label === 'negative') x.complaintsRead++;
            }
          }
          if (misses && v === 0) {
            if (p === 'negative' && label !== 'negative')
              misses.push({ lang: t.lang, kind: 'missed complaint', tp, text, read: shown });
            else if (label === undefined)
              misses.push({ lang: t.lang, kind: 'not linked', tp, text, read: shown });
            else if (label !== p && p !== 'negative' && label !== 'negative')
              misses.push({
                lang: t.lang,
                kind: 'polarity',
                tp,
                text,
                read: `${shown} (meant ${p})`,
              });
          }
        }
        const [only] = t.truth;
        if (t.truth.length === 1 && only?.polarity === 'negative') {
          const spilled = [...got].some(([tp, l]) => tp !== only.tp && l === 'negative');
          for (const key of [t.lang, 'all', `${t.lang}/${only.tp}`]) {
            const x = at(key);
            x.single++;
            if (spilled) x.spilled++;
          }
        }
        for (const [tp, label] of got) {
          if (label !== 'negative') continue;
          const right = truth.get(tp) === 'negative';
          for (const key of [t.lang, 'all', `${t.lang}/${tp}`]) {
            const x = at(key);
            x.negativesRead++;
            if (right) x.negativesRight++;
          }
          if (misses && v === 0 && !right)
            misses.push({
              lang: t.lang,
              kind: 'false complaint',
              tp,
              text,
              read: `${shown} (meant ${truth.get(tp) ?? 'not about it'})`,
            });
        }
      }
    }
  }
  return tallies;
}

const pct = (a: number, b: number): number => (b === 0 ? Number.NaN : (100 * a) / b);

export function readerRows(
  bankName: BankName,
  config: TouchpointsConfig,
  misses?: Miss[],
): ReaderRow[] {
  const tallies = measureBank(bankName, config, misses);
  const keys = [
    'all',
    'fr',
    'en',
    ...['fr', 'en'].flatMap((l) => BANK_TOUCHPOINTS.map((tp) => `${l}/${tp}`)),
  ];
  return keys.flatMap((k) => {
    const t = tallies.get(k);
    if (!t) return [];
    return [
      {
        system: 'maillon' as const,
        dataset: `${bankName}/${k}`,
        complaintRecall: round(pct(t.complaintsRead, t.complaints)),
        complaintPrecision: round(pct(t.negativesRight, t.negativesRead)),
        linked: round(pct(t.found, t.pairs)),
        polarity: round(pct(t.polarityOk, t.found)),
        spill: round(pct(t.spilled, t.single)),
        complaints: t.complaints,
        texts: t.texts,
      },
    ];
  });
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function main(): void {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const bankArg = args.find((a) => a.startsWith('--bank='))?.slice(7) ?? 'both';
  if (!['dev', 'frozen', 'both'].includes(bankArg))
    throw new Error(`--bank=${bankArg}: expected dev, frozen or both`);
  const banks: BankName[] = bankArg === 'both' ? ['dev', 'frozen'] : [bankArg as BankName];
  const wantMisses = args.includes('--misses');
  if (wantMisses && bankArg === 'frozen')
    throw new Error('--misses lists the dev bank only: the frozen bank measures, it is not read');
  const { config, presets } = benchTouchpoints(path.join(repoRoot, 'config'));
  const misses: Miss[] = [];
  const rows = banks.flatMap((b) =>
    readerRows(b, config, wantMisses && b === 'dev' ? misses : undefined),
  );
  if (json) {
    out(JSON.stringify({ bench: 'reader', rows }));
    return;
  }
  out(`journey: ${presets}; each template written 3 ways on a review site and a social network\n`);
  const head = [
    'dataset',
    'complaint recall %',
    'complaint precision %',
    'linked %',
    'polarity %',
    'spill %',
    'complaints',
    'texts',
  ];
  const body = rows.map((r) => [
    r.dataset,
    r.complaintRecall.toFixed(1),
    r.complaintPrecision.toFixed(1),
    r.linked.toFixed(1),
    r.polarity.toFixed(1),
    r.spill.toFixed(1),
    String(r.complaints),
    String(r.texts || ''),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ');
  out(line(head));
  for (const b of body) out(line(b));
  if (wantMisses) {
    out(`\n${misses.length} errors on the dev bank (first variant of each template):`);
    for (const m of misses)
      out(`${m.lang} ${m.kind.padEnd(16)} ${m.tp.padEnd(9)} ${m.read.padEnd(28)} ${m.text}`);
  }
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) main();
