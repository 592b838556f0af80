/**
 * Trends, share of voice and the journey map through the real API and store: mentions posted,
 * read at the door and counted by the drain; numbers checked exactly on a small known set (a
 * competitor's mention counted under it alone, the previous period beside each series, local
 * days and weeks); then five weeks of history and a burst of delivery complaints: the journey
 * map puts delivery first, and once the detect job has opened its alert, shows the support
 * complaints of the same hours as its contagion.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCompetitorMentions, mulberry32 } from '../../src/demo/scenario.js';
import { DEMO_HISTORY_DAYS, DEMO_SEARCH_SOURCE, seedDemoHistory } from '../../src/demo/seed.js';
import { createDetectProcessor } from '../../src/jobs/detect.js';
import type { Contribution } from '../../src/store/counts-repository.js';
import { mentionId } from '../../src/store/mentions-repository.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    workers: [],
    // The demo's search source, registered as `npm run demo` does (never polled here).
    extraSources: [
      { id: DEMO_SEARCH_SOURCE, kind: 'rss', enabled: false, url: 'http://127.0.0.1:9/feed.xml' },
    ],
  });
});
afterAll(async () => {
  await app?.stop();
});

/** The API as a viewer (the role these routes need). */
async function get(path: string): Promise<{ status: number; body: unknown }> {
  const res = await app.as('viewer')(path);
  return { status: res.status, body: await res.json() };
}

/** An answer with the shape a test expects of its body. */
type Reply<T> = { status: number; body: T };

async function post(mentions: unknown[]): Promise<void> {
  const res = await app.as('manager')('/api/v1/mentions', {
    method: 'POST',
    body: JSON.stringify(mentions),
  });
  expect(res.status).toBe(202);
}

async function drain(): Promise<void> {
  while ((await app.rt.counts.drain()).counted > 0);
}

let n = 0;
const mention = (
  text: string,
  publishedAt: string,
  over: { source?: string; followers?: number; shares?: number; author?: string } = {},
) => {
  n++;
  return {
    source: over.source ?? 'reviews',
    externalId: `insights-${n}`,
    url: `https://example.com/insights/${n}`,
    author: {
      id: over.author ?? `author-${n}`,
      name: `Author ${n}`,
      followers: over.followers ?? 10,
    },
    text,
    publishedAt,
    engagement: { shares: over.shares ?? 0 },
  };
};

interface Figures {
  volume: number;
  negative: number;
  positive: number;
  negativeShare: number | null;
  meanSentiment: number | null;
  reach: number;
}
interface Series {
  key: string;
  totals: Figures;
  data: (Figures & { start: string })[];
  previous: { totals: Figures; data: (Figures & { start: string })[] } | null;
  change: { volume: number | null } | null;
}
interface Trends {
  bucket: string;
  since: string;
  until: string;
  previous: { since: string; until: string } | null;
  data: Series[];
}

describe('trends and share of voice on a known set', () => {
  const DELIVERY_BAD_FR = 'Livraison Maison Lumière catastrophique, colis toujours pas arrivé.';
  const DELIVERY_BAD_EN = 'Maison Lumière delivery is a disaster, my parcel never arrived.';
  const DELIVERY_GOOD = 'Fast delivery from Maison Lumière, parcel arrived in two days. Great.';
  const known = [
    // 9 and 10 March 2026 in Paris (UTC+1), and 7 March, in the period before.
    mention(DELIVERY_BAD_FR, '2026-03-09T10:00:00+01:00', { followers: 100 }),
    mention(DELIVERY_BAD_EN, '2026-03-09T11:00:00+01:00', { followers: 50, shares: 1 }),
    mention(DELIVERY_GOOD, '2026-03-10T09:00:00+01:00', { followers: 7 }),
    mention(
      'Still no package from Maison Lumière, tracking is useless. Terrible.',
      '2026-03-07T12:00:00+01:00',
    ),
    // A competitor alone, from a source that reads the watch query: counted under it only.
    mention('Nordlys delivery was awful, my sofa never arrived.', '2026-03-09T15:00:00+01:00', {
      source: 'google-alerts-brand',
    }),
    // Both brands.
    mention('Maison Lumière lamps are prettier than Nordlys ones.', '2026-03-10T16:00:00+01:00'),
  ];

  beforeAll(async () => {
    await post(known);
    // Posted twice: counted once.
    await post(known.slice(0, 2));
    await drain();
  });

  it('reads each mention as expected (the premise of the numbers below)', async () => {
    const stored = await app.rt.mentions.findByIds(
      known.map((m) => mentionId(m.source, m.externalId)),
    );
    const byText = new Map(stored.map((m) => [m.text, m]));
    const tp = (text: string) =>
      byText.get(text)?.touchpoints?.map((t) => [t.id, t.sentiment.label]);
    expect(stored).toHaveLength(known.length);
    expect(tp(DELIVERY_BAD_FR)).toEqual([['delivery', 'negative']]);
    expect(tp(DELIVERY_BAD_EN)).toEqual([['delivery', 'negative']]);
    expect(tp(DELIVERY_GOOD)).toEqual([['delivery', 'positive']]);
    const rival = byText.get('Nordlys delivery was awful, my sofa never arrived.');
    expect(rival).toMatchObject({ relevant: false, competitors: ['nordlys'] });
    expect(byText.get('Maison Lumière lamps are prettier than Nordlys ones.')).toMatchObject({
      relevant: true,
      competitors: ['nordlys'],
    });
  });

  it("gives a touchpoint's figures by local day, with the previous period beside them", async () => {
    const { status, body } = (await get(
      '/api/v1/trends?key=delivery&bucket=1d&since=2026-03-08T23:00:00Z&until=2026-03-10T23:00:00Z',
    )) as Reply<Trends>;
    expect(status).toBe(200);
    expect(body.previous).toEqual({
      since: '2026-03-06T23:00:00.000Z',
      until: '2026-03-08T23:00:00.000Z',
    });
    const [delivery] = body.data;
    // The mean sentiment is the touchpoint's own scores' mean, as stored with the mentions.
    const stored = await app.rt.mentions.findByIds(
      known.slice(0, 3).map((m) => mentionId(m.source, m.externalId)),
    );
    const scores = stored.map(
      (m) => m.touchpoints?.find((t) => t.id === 'delivery')?.sentiment.score ?? NaN,
    );
    const mean = Math.round((scores.reduce((a, b) => a + b, 0) / 3) * 10_000) / 10_000;
    expect(delivery?.totals).toEqual({
      volume: 3,
      negative: 2,
      positive: 1,
      negativeShare: 0.6667,
      meanSentiment: mean,
      // Audiences: followers, plus 100 a share.
      reach: 100 + 150 + 7,
    });
    expect(delivery?.data.map((p) => [p.start, p.volume, p.negative, p.positive])).toEqual([
      ['2026-03-08T23:00:00.000Z', 2, 2, 0],
      ['2026-03-09T23:00:00.000Z', 1, 0, 1],
    ]);
    expect(delivery?.previous?.totals).toMatchObject({ volume: 1, negative: 1, reach: 10 });
    expect(delivery?.previous?.data.map((p) => [p.start, p.volume])).toEqual([
      ['2026-03-06T23:00:00.000Z', 1],
      ['2026-03-07T23:00:00.000Z', 0],
    ]);
    expect(delivery?.change?.volume).toBe(2);
  });

  it('sums local weeks from Monday, and counts a competitor alone only under it', async () => {
    const weeks = (await get(
      '/api/v1/trends?dim=all&bucket=1w&since=2026-03-02T00:00:00Z&until=2026-03-15T00:00:00Z&previous=false',
    )) as Reply<Trends>;
    expect(weeks.body.previous).toBeNull();
    // The competitor's own mention is not the brand's: 1 + 4, not 1 + 5.
    expect(weeks.body.data.map((s) => [s.key, s.data.map((p) => [p.start, p.volume])])).toEqual([
      [
        'all',
        [
          ['2026-03-01T23:00:00.000Z', 1],
          ['2026-03-08T23:00:00.000Z', 4],
        ],
      ],
    ]);
    const brands = (await get(
      '/api/v1/trends?dim=brand&bucket=1d&since=2026-03-08T23:00:00Z&until=2026-03-10T23:00:00Z',
    )) as Reply<Trends>;
    expect(brands.body.data.map((s) => [s.key, s.totals.volume, s.totals.negative])).toEqual([
      ['nordlys', 2, 1],
    ]);
  });

  it('gives the share of voice of the brand and each competitor', async () => {
    const { status, body } = (await get(
      '/api/v1/share-of-voice?bucket=1d&since=2026-03-08T23:00:00Z&until=2026-03-10T23:00:00Z',
    )) as Reply<{
      data: Array<{ id: string; own: boolean; name: string; totals: Figures & { share: number } }>;
    }>;
    expect(status).toBe(200);
    expect(body.data.map((b) => [b.id, b.own, b.name, b.totals.volume, b.totals.share])).toEqual([
      ['own', true, 'Maison Lumière', 4, 0.6667],
      ['atelier-brume', false, 'Atelier Brume', 0, 0],
      ['nordlys', false, 'Nordlys', 2, 0.3333],
    ]);
    expect(body.data[2]?.totals.negativeShare).toBe(0.5);
  });

  it('follows an edited mention exactly: its old reading out, its new one in', async () => {
    const at = '2026-04-06T10:00:00+02:00';
    const original = mention(DELIVERY_GOOD, at, { followers: 30 });
    const path =
      '/api/v1/trends?key=delivery&bucket=1d&since=2026-04-05T22:00:00Z&until=2026-04-06T22:00:00Z&previous=false';
    await post([original]);
    await drain();
    const before = ((await get(path)) as Reply<Trends>).body.data[0]?.totals;
    expect(before).toMatchObject({ volume: 1, negative: 0, positive: 1, reach: 30 });
    expect(before?.meanSentiment).toBeGreaterThan(0);
    await post([{ ...original, text: DELIVERY_BAD_EN }]);
    await drain();
    const [edited] = await app.rt.mentions.findByIds([
      mentionId(original.source, original.externalId),
    ]);
    const score = edited?.touchpoints?.find((t) => t.id === 'delivery')?.sentiment.score;
    expect(((await get(path)) as Reply<Trends>).body.data[0]?.totals).toEqual({
      volume: 1,
      negative: 1,
      positive: 0,
      negativeShare: 1,
      meanSentiment: Math.round((score ?? NaN) * 10_000) / 10_000,
      reach: 30,
    });
  });

  it('reads day documents stored before sentiment and reach were summed as zeros', async () => {
    // A touchpoint's day as the drain wrote it before this version: no `sc`, no `au`, and no
    // month of hours (the first drain to touch the month sums its older days into them).
    await app.rt.mongo.db
      .collection<{ _id: string; [field: string]: unknown }>('series')
      .insertOne({
        _id: 'touchpoint|legacy|2026-01-05',
        dim: 'touchpoint',
        key: 'legacy',
        day: new Date('2026-01-05T00:00:00Z'),
        seq: 1,
        q: JSON.stringify({
          '40': { v: 3, n: 1, p: 1, r: 1, sh: 0, ids: [], a: [], s: [], t: [], ax: 1, tx: 1 },
        }),
      });
    await app.rt.counts.add({
      mentionId: 'legacy-new',
      publishedAt: new Date('2026-01-05T12:00:00Z'),
      source: 'reviews',
      author: 'someone',
      reach: 0,
      shares: 0,
      audience: 10,
      score: 0.5,
      relevant: true,
      overall: 'positive',
      touchpoints: [{ id: 'legacy', stage: 'receive', label: 'positive', score: 0.5 }],
    });
    const { body } = (await get(
      '/api/v1/trends?key=legacy&bucket=1d&since=2026-01-04T23:00:00Z&until=2026-01-05T23:00:00Z',
    )) as Reply<Trends>;
    expect(body.data[0]?.totals).toEqual({
      volume: 4,
      negative: 1,
      positive: 2,
      negativeShare: 0.25,
      meanSentiment: 0.125,
      reach: 10,
    });
  });

  it('refuses bad or oversized queries', async () => {
    expect((await get('/api/v1/trends?bucket=5m')).status).toBe(400);
    expect((await get('/api/v1/trends?dim=everything')).status).toBe(400);
    expect((await get('/api/v1/trends?bucket=1d&since=2020-01-01T00:00:00Z')).status).toBe(400);
    expect((await get('/api/v1/share-of-voice?previous=maybe')).status).toBe(400);
    expect((await get('/api/v1/journey?at=yesterday')).status).toBe(400);
    expect((await app.as('anonymous')('/api/v1/journey')).status).toBe(401);
  });
});

interface Journey {
  window: { since: string; until: string };
  stages: Array<{ id: string; state: string; touchpoints: string[] }>;
  touchpoints: Array<{
    id: string;
    rank: number;
    volume: number;
    negative: number;
    health: { state: string; negatives: number; usual: number; reason: { fr: string; en: string } };
    alert: null | {
      id: string;
      reached: Array<{ id: string; negatives: number; quarters: number; state: string }>;
    };
  }>;
  weakest: string | null;
}

describe('the journey map', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** A Monday; the burst starts on the fifth Friday at 09:00 UTC. */
  const T0 = Date.UTC(2026, 8, 7);
  const ONSET = T0 + 32 * DAY + 9 * HOUR;
  const AT = ONSET + 13 * HOUR;

  const fact = (id: string, at: number, tp: 'delivery' | 'support', negative: boolean) =>
    ({
      mentionId: id,
      publishedAt: new Date(at),
      source: ['reviews', 'forum', 'social'][id.length % 3]!,
      author: id,
      textKey: `text-${id}`,
      reach: 1,
      shares: 0,
      relevant: true,
      overall: negative ? 'negative' : 'neutral',
      touchpoints: [
        {
          id: tp,
          stage: tp === 'delivery' ? 'receive' : 'get-help',
          label: negative ? 'negative' : 'neutral',
        },
      ],
    }) satisfies Contribution;

  /** Five weeks of quiet delivery (a mention every 3 hours) and support (every 6), until the onset. */
  const history: Contribution[] = [];
  const r = mulberry32(7);
  for (let t = T0; t < ONSET; t += 3 * HOUR * (0.5 + r()))
    history.push(fact(`hd${history.length}`, t, 'delivery', r() < 0.25));
  for (let t = T0; t < ONSET; t += 6 * HOUR * (0.5 + r()))
    history.push(fact(`hs${history.length}`, t, 'support', r() < 0.2));

  const iso = (t: number) => new Date(t).toISOString();
  const complaints = [
    'Maison Lumière delivery is a disaster, my parcel never arrived.',
    'Still no package from Maison Lumière, tracking is useless. Terrible.',
    'Livraison Maison Lumière catastrophique, colis toujours pas arrivé.',
  ];
  /** Eighteen complaints about delivery, one every 40 minutes, each from someone else. */
  const burst = Array.from({ length: 18 }, (_, k) =>
    mention(complaints[k % 3]!, iso(ONSET + k * 40 * 60_000), { author: `burst-${k}` }),
  );
  /** Support complaints in the same hours, two in each of three quarters. */
  const support = [2, 4, 6].flatMap((h) =>
    [1, 5].map((m) =>
      mention(
        'Le service client Maison Lumière ne répond jamais, c’est insupportable.',
        iso(ONSET + h * HOUR + m * 60_000),
        { author: `support-${h}-${m}` },
      ),
    ),
  );

  /** Negatives of a touchpoint in the history within [from, to). */
  const historyNegatives = (tp: string, from: number, to: number) =>
    history.filter(
      (c) =>
        c.touchpoints[0]?.id === tp &&
        c.overall === 'negative' &&
        c.publishedAt.getTime() >= from &&
        c.publishedAt.getTime() < to,
    ).length;

  beforeAll(async () => {
    await app.rt.counts.add(history);
    await post([...burst, ...support]);
    await drain();
  });

  const detect = () =>
    createDetectProcessor({
      touchpoints: app.config.touchpoints.touchpoints.filter((t) => t.id === 'delivery'),
      params: app.config.detection,
      counts: app.rt.counts,
      mentions: app.rt.mentions,
      alerts: app.rt.alerts,
      queues: { enqueueNotify: async () => {}, enqueueDetect: async () => {} },
      logger: app.rt.logger,
      now: () => new Date(AT),
    })({ name: 'detect', queueName: 'test', data: { touchpoint: 'delivery' } } as Job);

  it('puts the touchpoint of a burst of complaints first, against its own usual', async () => {
    const { status, body } = (await get(`/api/v1/journey?at=${iso(AT)}`)) as Reply<Journey>;
    expect(status).toBe(200);
    // The last 24 hours, to the quarter (AT is on one).
    expect(body.window).toEqual({ since: iso(AT - DAY), until: iso(AT) });
    const [first, second] = body.touchpoints;
    expect(body.weakest).toBe('delivery');
    expect(first).toMatchObject({ id: 'delivery', rank: 1, alert: null });
    // Its numbers, from the input: the burst and the history's own negatives in the window, and
    // the mean of the same hours of the four weeks before (no change of clocks in September).
    const usual =
      [1, 2, 3, 4]
        .map((w) => historyNegatives('delivery', AT - DAY - w * 7 * DAY, AT - w * 7 * DAY))
        .reduce((a, b) => a + b, 0) / 4;
    expect(first?.health).toMatchObject({
      state: 'weak',
      negatives: 18 + historyNegatives('delivery', AT - DAY, AT),
      usual: Math.round(usual * 100) / 100,
    });
    expect(first?.negative).toBe(first?.health.negatives);
    expect(second?.id).toBe('support');
    // Touchpoints nobody spoke of are healthy and last.
    expect(body.touchpoints.at(-1)?.health.state).toBe('ok');
    expect(body.stages.map((s) => s.id)).toEqual([
      'discover',
      'consider',
      'buy',
      'receive',
      'get-help',
      'stay-loyal',
    ]);
    expect(body.stages.find((s) => s.id === 'receive')).toMatchObject({ state: 'weak' });
  });

  it('shows which touchpoints the wave reached once its alert is open', async () => {
    await detect();
    const [alert] = await app.rt.alerts.unresolved('weak-link', 'delivery');
    expect(alert).toBeDefined();
    const { body } = (await get(`/api/v1/journey?at=${iso(AT)}`)) as Reply<Journey>;
    const [first] = body.touchpoints;
    expect(first?.id).toBe('delivery');
    expect(first?.alert?.id).toBe(alert?.id);
    expect(first?.health.reason.en).toMatch(/^Alert open \((info|warning|critical)\): /);
    expect(first?.health.reason.fr).toMatch(/^Alerte ouverte /);
    expect(first?.alert?.reached).toEqual([
      {
        id: 'support',
        label: { fr: expect.any(String), en: expect.any(String) },
        negatives: 6,
        quarters: 3,
        since: iso(ONSET + 2 * HOUR),
        state: expect.stringMatching(/watch|weak/),
      },
    ]);
  });
});

describe('the demo', () => {
  it('has the competitors of config/touchpoints.yaml mentioned, alone and beside the brand', async () => {
    const now = new Date();
    await seedDemoHistory(app.rt.acceptDeps, now);
    await drain();
    const until = new Date(Math.floor(now.getTime() / 86_400_000) * 86_400_000);
    const since = new Date(until.getTime() - DEMO_HISTORY_DAYS * 86_400_000);
    const span = `since=${since.toISOString()}&until=${until.toISOString()}&previous=false`;
    const voice = (await get(`/api/v1/share-of-voice?bucket=1d&${span}`)) as Reply<{
      data: Array<{ id: string; totals: Figures & { share: number } }>;
    }>;
    const volume = new Map(voice.body.data.map((b) => [b.id, b.totals.volume]));
    expect(volume.get('nordlys')).toBeGreaterThan(DEMO_HISTORY_DAYS);
    expect(volume.get('atelier-brume')).toBeGreaterThan(DEMO_HISTORY_DAYS / 2);
    expect(volume.get('own')).toBeGreaterThan(5 * (volume.get('nordlys') ?? 0));
    // The brand's voice is its overall counts: the competitors' own mentions are not in them.
    const all = (await get(`/api/v1/trends?dim=all&bucket=1d&${span}`)) as Reply<Trends>;
    expect(all.body.data[0]?.totals.volume).toBe(volume.get('own'));
    // Those naming a competitor alone came from the search source, and failed its watch query.
    const alone = generateCompetitorMentions({
      start: since,
      days: DEMO_HISTORY_DAYS,
      seed: until.getTime() / 86_400_000,
      searchSource: DEMO_SEARCH_SOURCE,
    }).filter((m) => m.source === DEMO_SEARCH_SOURCE);
    const stored = await app.rt.mentions.findByIds(
      alone.slice(0, 5).map((m) => mentionId(m.source, m.externalId)),
    );
    expect(stored).toHaveLength(5);
    for (const m of stored) expect(m).toMatchObject({ relevant: false });
  });
});
