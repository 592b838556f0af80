/**
 * Open alerts follow corrections: a wave of complaints about delivery opens an alert; a manager
 * then corrects those mentions (they were about something else, or not complaints), the drain
 * moves their counts and the detector, looking again, resolves the alert.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { analyzeMention } from '../../src/analysis/analyze-mention.js';
import { brandNames } from '../../src/analysis/journey.js';
import { createTouchpointLinker } from '../../src/analysis/touchpoints.js';
import { mulberry32 } from '../../src/demo/scenario.js';
import { parseMention } from '../../src/domain/mention.js';
import { acceptMentions, type AcceptDeps } from '../../src/ingest/accept.js';
import { correctMention } from '../../src/ingest/correct.js';
import { createDetectProcessor } from '../../src/jobs/detect.js';
import { createLogger } from '../../src/logger.js';
import {
  createAlertsRepository,
  type AlertsRepository,
} from '../../src/store/alerts-repository.js';
import { createCorrectionsRepository } from '../../src/store/corrections-repository.js';
import {
  createCountsRepository,
  type Contribution,
  type CountsRepository,
} from '../../src/store/counts-repository.js';
import { createCrosspostsRepository } from '../../src/store/crossposts-repository.js';
import {
  createMentionsRepository,
  type MentionsRepository,
} from '../../src/store/mentions-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from '../../src/store/mongo.js';
import { testEnv } from '../helpers/env.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday; the wave starts on the fifth Friday at 10:00. */
const T0 = Date.UTC(2026, 0, 5);
const ONSET = T0 + 32 * DAY + 9 * HOUR;
const NOW = ONSET + 14 * HOUR;

let config: Config;
let mongo: MongoStore;
let counts: CountsRepository;
let alerts: AlertsRepository;
let mentions: MentionsRepository;

const quiet = (i: number, at: number, negative: boolean): Contribution => ({
  mentionId: `h${i}`,
  publishedAt: new Date(at),
  source: 'reviews',
  author: `h${i}`,
  textKey: `text-h${i}`,
  reach: 1,
  shares: 0,
  relevant: true,
  overall: negative ? 'negative' : 'neutral',
  touchpoints: [{ id: 'delivery', stage: 'receive', label: negative ? 'negative' : 'neutral' }],
});

const detect = () =>
  createDetectProcessor({
    touchpoints: config.touchpoints.touchpoints.filter((t) => t.id === 'delivery'),
    params: config.detection,
    counts,
    mentions,
    alerts,
    queues: { enqueueNotify: async () => {}, enqueueDetect: async () => {} },
    logger: createLogger({ level: 'silent', format: 'json' }),
    now: () => new Date(NOW),
  })({ name: 'detect', queueName: 'test', data: { touchpoint: 'delivery' } } as Job);

beforeAll(async () => {
  config = loadConfig(testEnv());
  mongo = await connectMongo(config.mongo);
  await ensureIndexes(mongo.db);
  counts = createCountsRepository(mongo.db);
  alerts = createAlertsRepository(mongo.db);
  mentions = createMentionsRepository(mongo.db);
});
afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
});

describe('an open alert after corrections', () => {
  it('resolves when the complaints behind it are corrected away', async () => {
    // Five quiet weeks of delivery (a mention every 3 hours, a quarter negative).
    const r = mulberry32(7);
    const history: Contribution[] = [];
    for (let t = T0; t < ONSET; t += 3 * HOUR * (0.5 + r()))
      history.push(quiet(history.length, t, r() < 0.25));
    await counts.add(history);

    // Twelve hours of complaints from different people, stored as real mentions.
    const link = createTouchpointLinker(config.touchpoints).link;
    const accept: AcceptDeps = {
      mentions,
      counts,
      crossposts: createCrosspostsRepository(mongo.db),
      analyze: (m) =>
        analyzeMention(m, {
          link,
          brandAliases: brandNames(config.touchpoints.brand),
          watched: false,
        }),
      enqueueCount: async () => {},
    };
    // Each in their own words: copies of one text would be one voice.
    const words = [
      'Livraison toujours pas arrivée, colis perdu',
      'Mon colis est bloqué depuis dix jours, livraison catastrophique',
      'Livreur jamais venu, aucune nouvelle de ma commande',
      'Encore un retard de livraison, inadmissible',
      'Colis abîmé à la livraison, carton éventré',
      'La livraison promise en 48 h a pris trois semaines',
    ];
    const wave = Array.from({ length: 18 }, (_, k) =>
      parseMention(
        {
          source: 'reviews',
          externalId: `w${k}`,
          url: `https://reviews.example/w${k}`,
          author: { id: `w${k}`, name: `Client ${k}` },
          text: `${words[k % words.length]!}. ${['Très déçu.', 'Plus jamais.', 'Lamentable.'][Math.floor(k / words.length)]!}`,
          lang: 'fr',
          publishedAt: new Date(ONSET + k * 40 * 60_000).toISOString(),
        },
        { now: new Date(NOW) },
      ),
    );
    const { ids } = await acceptMentions(accept, wave, new Date(NOW));
    while ((await counts.drain()).counted > 0);
    await detect();
    const [opened] = await alerts.unresolved('weak-link', 'delivery');
    expect(opened?.status).toBe('open');

    // The complaints were about the checkout's payment page, not delivery: corrected.
    const corrections = createCorrectionsRepository(mongo.db);
    for (const id of ids)
      await correctMention(
        {
          mentions,
          counts,
          corrections,
          enqueueCount: async () => {},
          stageOf: (t) => config.touchpoints.touchpoints.find((x) => x.id === t)?.stage ?? '',
          now: () => new Date(NOW),
        },
        id,
        { touchpoints: [{ id: 'checkout', label: 'negative' }] },
        { id: 'claire@example.com', name: 'Claire' },
      );
    while ((await counts.drain()).counted > 0);
    await detect();
    expect(await alerts.unresolved('weak-link', 'delivery')).toEqual([]);
    const after = await alerts.findById(opened!.id);
    expect(after?.status).toBe('resolved');
    expect(after?.history.at(-1)).toMatchObject({
      kind: 'resolved',
      text: expect.stringMatching(/corrected/),
    });
    // Looking again changes nothing more.
    await detect();
    expect((await alerts.findById(opened!.id))?.history).toHaveLength(after!.history.length);
  });
});
