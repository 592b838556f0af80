/**
 * Issue 3's promise on the real pipeline: every mention stored carries its language, sentiment,
 * touchpoints with their own sentiment and matched phrases, stages and reach, and the API filters
 * on them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

interface Touchpoint {
  id: string;
  stage: string;
  sentiment: { label: string };
  matched: string[];
}
interface MentionJson {
  externalId: string;
  status: string;
  lang: string;
  langDeclared: boolean;
  sentiment: { label: string; score: number; confidence: number };
  touchpoints: Touchpoint[];
  stages: string[];
  reach: { audience: number; score: number };
  relevant: boolean;
}

let app: TestApp;
const texts = {
  // The default journey is the e-commerce preset: people there are the customer service.
  fr: 'Le service client était adorable mais la livraison a pris trois semaines.',
  en: 'Checkout was quick and easy, but the support never answered my emails.',
  de: 'Die Lieferung kam viel zu spät, sehr enttäuschend.',
  rated: 'Le colis est arrivé mardi.',
};

beforeAll(async () => {
  app = await startTestApp();
  const body = Object.entries(texts).map(([id, text], i) => ({
    source: 'reviews',
    externalId: id,
    url: `https://example.com/${id}`,
    author: { id: `a${i}`, name: `A${i}`, followers: 1000 },
    text,
    publishedAt: `2026-04-0${i + 1}T10:00:00Z`,
    ...(id === 'rated' ? { rating: 1 } : {}),
    engagement: { shares: 3, replies: 2, likes: 10 },
  }));
  const res = await app.as('admin')(`/api/v1/mentions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`push refused: ${res.status} ${await res.text()}`);
  await eventually(async () => {
    const all = await list('');
    return all.length === 4 && all.every((m) => m.status === 'analyzed') ? true : undefined;
  });
});
afterAll(async () => {
  await app?.stop();
});

async function list(query: string): Promise<MentionJson[]> {
  const res = await app.as('admin')(`/api/v1/mentions?source=reviews&${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: MentionJson[] }).data;
}

const byId = async (id: string) => (await list('')).find((m) => m.externalId === id)!;

describe('the analysis stored with each mention', () => {
  it('links each touchpoint with the sentiment of its own clause, and the stage', async () => {
    const fr = await byId('fr');
    expect(fr.lang).toBe('fr');
    expect(fr.langDeclared).toBe(false);
    const tp = Object.fromEntries(fr.touchpoints.map((t) => [t.id, t]));
    expect(tp.support?.sentiment.label).toBe('positive');
    expect(tp.delivery?.sentiment.label).toBe('negative');
    expect(tp.delivery?.matched.length).toBeGreaterThan(0);
    expect(fr.stages).toEqual(expect.arrayContaining([tp.support!.stage, tp.delivery!.stage]));
    expect(fr.reach).toEqual({ audience: 1000 + 300 + 20 + 20, score: expect.any(Number) });
  });

  it('reads English the same way', async () => {
    const en = await byId('en');
    expect(en.lang).toBe('en');
    const tp = Object.fromEntries(en.touchpoints.map((t) => [t.id, t]));
    expect(tp.checkout?.sentiment.label).toBe('positive');
    expect(tp.support?.sentiment.label).toBe('negative');
  });

  it('stores other languages as detected, scored neutral with low confidence', async () => {
    const de = await byId('de');
    expect(de.lang).toBe('de');
    expect(de.sentiment.label).toBe('neutral');
    expect(de.sentiment.confidence).toBeLessThan(0.3);
  });

  it('fuses the star rating with a text that holds no opinion', async () => {
    expect((await byId('rated')).sentiment.label).toBe('negative');
  });
});

describe('GET /api/v1/mentions filters', () => {
  it('by touchpoint, with sentiment meaning the sentiment about that touchpoint', async () => {
    expect((await list('touchpoint=delivery')).map((m) => m.externalId)).toContain('fr');
    // The one-star review names delivery alone ("colis"): delivery takes its clear negative.
    expect((await list('touchpoint=delivery&sentiment=negative')).map((m) => m.externalId)).toEqual(
      ['rated', 'fr'],
    );
    expect((await list('touchpoint=support&sentiment=negative')).map((m) => m.externalId)).toEqual([
      'en',
    ]);
    expect((await list('touchpoint=support&sentiment=positive')).map((m) => m.externalId)).toEqual([
      'fr',
    ]);
  });

  it('by stage and by language', async () => {
    const stage = (await byId('en')).touchpoints.find((t) => t.id === 'support')!.stage;
    expect((await list(`stage=${stage}`)).map((m) => m.externalId)).toContain('en');
    expect((await list('lang=fr')).map((m) => m.externalId).toSorted()).toEqual(['fr', 'rated']);
  });

  it('refuses an unknown touchpoint or stage, naming the configured ones', async () => {
    const res = await app.as('admin')(`/api/v1/mentions?touchpoint=teleportation`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('delivery');
    expect((await app.as('admin')(`/api/v1/mentions?stage=nowhere`)).status).toBe(400);
  });
});
