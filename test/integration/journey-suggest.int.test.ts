/**
 * `maillon journey suggest` on the real store: analysed mentions go in, the words of the complaints
 * the journey missed come out (the trade's vocabulary, not the brand's name nor the words of anger
 * every complaint shares), with an example, and the command prints them with where to add them.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { createTouchpointLinker } from '../../src/analysis/touchpoints.js';
import { journeySuggest, type JourneySuggestReport } from '../../src/cli/journey-suggest.js';
import { REPO_ROOT } from '../../src/devtools/mongo-dev.js';
import type { MentionAnalysis, MentionInput, SentimentLabel } from '../../src/domain/mention.js';
import {
  createMentionsRepository,
  type MentionsRepository,
} from '../../src/store/mentions-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from '../../src/store/mongo.js';
import { testEnv } from '../helpers/env.js';

const HOUR = 3_600_000;
const now = new Date();

/** [text, lang, hours ago, overall sentiment, relevant] */
const MENTIONS: [string, 'fr' | 'en', number, SentimentLabel, boolean][] = [
  // The café's complaints the e-commerce journey cannot link.
  [
    'Maison Lumière: my latte was cold and the barista rolled her eyes at me. Awful.',
    'en',
    2,
    'negative',
    true,
  ],
  [
    'Cold latte again at @maisonlumiere, the barista rolled her eyes when I asked. Terrible.',
    'en',
    5,
    'negative',
    true,
  ],
  ['Awful morning at Maison Lumière, the latte tasted burnt.', 'en', 9, 'negative', true],
  ['Chez Maison Lumière, pas un bonjour, café tiède. Nul.', 'fr', 3, 'negative', true],
  [
    'Maison Lumière : café tiède et pas un bonjour de la serveuse. Nul.',
    'fr',
    30,
    'negative',
    true,
  ],
  // Complaints the journey links: their words ("awful", "nul") are those of every complaint.
  ['Maison Lumière delivery was awful, my parcel is lost.', 'en', 4, 'negative', true],
  ['Awful, the Maison Lumière parcel never arrived.', 'en', 6, 'negative', true],
  ['Livraison Maison Lumière : colis perdu. Nul.', 'fr', 7, 'negative', true],
  // Out of the window, not negative, or not about the brand: never read.
  [
    'Maison Lumière scones are stale, the scones taste of nothing.',
    'en',
    24 * 10,
    'negative',
    true,
  ],
  ['Maison Lumière scones were stale, awful scones.', 'en', 24 * 11, 'negative', true],
  ['Lovely latte and a smiling barista at Maison Lumière', 'en', 8, 'positive', true],
  [
    'The barista rolled her eyes, latte cold: Café Lumière, the film, is a bore',
    'en',
    8,
    'negative',
    false,
  ],
];

let mongo: MongoStore;
let mentions: MentionsRepository;
let config: Config;

beforeAll(async () => {
  config = loadConfig(testEnv());
  mongo = await connectMongo(config.mongo);
  await ensureIndexes(mongo.db);
  mentions = createMentionsRepository(mongo.db);
  const linker = createTouchpointLinker(config.touchpoints);
  const inputs: MentionInput[] = MENTIONS.map(([text, , hoursAgo], i) => ({
    source: 'suggest-test',
    externalId: `s${i}`,
    url: `https://example.com/s${i}`,
    author: { id: `a${i}`, name: `A${i}` },
    text,
    publishedAt: new Date(now.getTime() - hoursAgo * HOUR),
  }));
  const read: (MentionInput & { analysis: MentionAnalysis })[] = [];
  for (const [i, [text, lang, , label, relevant]] of MENTIONS.entries()) {
    const sentiment = {
      score: label === 'negative' ? -0.6 : 0.6,
      label,
      confidence: 0.8,
      method: 'test',
    };
    // The touchpoints as the linker finds them, each with the mention's own sentiment.
    const touchpoints = linker.link(text, lang).touchpoints.map((t) => ({ ...t, sentiment }));
    const analysis: MentionAnalysis = {
      lang,
      langConfidence: 1,
      langDeclared: true,
      sentiment,
      relevant,
      touchpoints,
      stages: [...new Set(touchpoints.map((t) => t.stage))],
      facets: touchpoints.flatMap((t) => [`tp:${t.id}`, `tp:${t.id}:${label}`]),
      reach: { audience: 1, score: 0.3 },
    };
    read.push({ ...inputs[i]!, analysis });
  }
  await mentions.accept(read, now);
});

afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
});

const suggest = (opts: { lang?: 'fr' | 'en'; limit?: number } = {}) =>
  journeySuggest(
    {
      mentions,
      journey: config.touchpoints,
      touchpointsFile: '/config/touchpoints.yaml',
      now,
    },
    { sinceMs: 7 * 24 * HOUR, limit: opts.limit ?? 20, ...(opts.lang ? { lang: opts.lang } : {}) },
  );

const terms = (r: JourneySuggestReport) => r.suggestions.map((s) => `${s.lang}:${s.term}`);

describe('maillon journey suggest', () => {
  it('reads the recent negative mentions about the brand, and counts those the journey missed', async () => {
    const r = await suggest();

    expect(r.read).toBe(8);
    expect(r.missed).toBe(5);
    expect(r.capped).toBe(false);
  });

  it("suggests the trade's words and phrases of the missed complaints, most frequent first", async () => {
    const r = await suggest();

    expect(terms(r)).toEqual(
      expect.arrayContaining([
        'en:latte',
        'en:barista',
        'en:rolled her eyes',
        'fr:pas un bonjour',
        'fr:tiède',
        'fr:café',
      ]),
    );
    const latte = r.suggestions.find((s) => s.term === 'latte')!;
    expect(latte).toMatchObject({ lang: 'en', count: 3, linked: 0, words: 1 });
    expect(latte.example.text).toContain('latte');
    expect(latte.example.url).toMatch(/^https:\/\/example\.com\/s\d+$/);
    expect(r.suggestions[0]?.count).toBe(3);
    const counts = r.suggestions.map((s) => s.count);
    expect(counts).toEqual(counts.toSorted((a, b) => b - a));
  });

  it('leaves out the brand, the words every complaint shares, and what it was not asked to read', async () => {
    const all = terms(await suggest()).join(' ');

    for (const never of ['maison', 'lumière', 'maisonlumiere', 'awful', 'nul', 'scone', 'parcel']) {
      expect(all).not.toContain(never);
    }
  });

  it('keeps to one language, and to the limit', async () => {
    const fr = await suggest({ lang: 'fr' });
    expect(fr.suggestions.length).toBeGreaterThan(0);
    expect(fr.suggestions.every((s) => s.lang === 'fr')).toBe(true);
    expect(fr.read).toBe(3);

    expect((await suggest({ limit: 2 })).suggestions).toHaveLength(2);
  });

  it('runs as a command: a table and where to add the words, or JSON', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, MONGODB_URL: config.mongo.url };
    const bin = path.join(REPO_ROOT, 'bin/maillon.js');

    const json = await run(bin, ['journey', 'suggest', '--since', '7d', '--json'], { env });
    const report = JSON.parse(json.stdout) as JourneySuggestReport;
    expect(terms(report)).toContain('en:rolled her eyes');
    expect(report.touchpointsFile).toMatch(/config\/touchpoints\.yaml$/);

    const text = await run(bin, ['journey', 'suggest', '--lang', 'en', '--limit', '5'], { env });
    expect(text.stdout).toContain('rolled her eyes');
    expect(text.stdout).toContain('touchpoints.yaml');
    expect(text.stdout).toMatch(
      /- id: product +# the touchpoint they name, one of:\n +# advertising, /,
    );
    expect(text.stdout).toContain('keywords: { en: [latte, rolled her eyes, barista] }');

    const bad = await run(bin, ['journey', 'suggest', '--since', 'soon'], { env }).catch(
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(bad).toMatchObject({ code: 1 });
  });
});
