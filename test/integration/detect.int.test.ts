/**
 * The detect job on the real MongoDB-wire server, without queues: one wave is one alert whatever
 * order its mentions are counted in (batches replayed out of order after a fault), its history
 * stays in time order, a mention dated far in the future cannot blind the detector, and running
 * again changes nothing.
 */
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../config/index.js';
import { mulberry32 } from '../../src/demo/scenario.js';
import { createDetectProcessor } from '../../src/jobs/detect.js';
import { createLogger } from '../../src/logger.js';
import {
  createAlertsRepository,
  type AlertsRepository,
} from '../../src/store/alerts-repository.js';
import {
  createCountsRepository,
  type Contribution,
  type CountsRepository,
} from '../../src/store/counts-repository.js';
import { createMentionsRepository } from '../../src/store/mentions-repository.js';
import { connectMongo, ensureIndexes, type MongoStore } from '../../src/store/mongo.js';
import { testEnv } from '../helpers/env.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A Monday, 00:00 UTC; the wave starts on the fifth Friday at 10:00. */
const T0 = Date.UTC(2026, 0, 5);
const ONSET = T0 + 32 * DAY + 9 * HOUR;
const NOW = ONSET + 2 * DAY;

let config: Config;
let mongo: MongoStore;
let counts: CountsRepository;
let alerts: AlertsRepository;
const notified: Array<{ alertId: string; eventIndex: number }> = [];

const fact = (id: string, at: number, negative: boolean, author = id): Contribution => ({
  mentionId: id,
  publishedAt: new Date(at),
  source: ['reviews', 'reddit', 'mastodon'][id.length % 3] ?? 'reviews',
  author,
  textKey: `text-${id}`,
  reach: 1,
  shares: 0,
  relevant: true,
  overall: negative ? 'negative' : 'neutral',
  touchpoints: [{ id: 'delivery', stage: 'receive', label: negative ? 'negative' : 'neutral' }],
});

/** Five weeks of a quiet delivery touchpoint (a mention every 3 hours, a quarter negative). */
function history(): Contribution[] {
  const r = mulberry32(11);
  const out: Contribution[] = [];
  for (let t = T0; t < ONSET + DAY; t += 3 * HOUR * (0.5 + r())) {
    out.push(fact(`h${out.length}`, t, r() < 0.25));
  }
  return out;
}

/** Twelve hours of complaints from different people, one every 40 minutes. */
const wave = Array.from({ length: 18 }, (_, k) => fact(`w${k}`, ONSET + k * 40 * 60_000, true));

function processor(now = NOW) {
  return createDetectProcessor({
    touchpoints: config.touchpoints.touchpoints.filter((t) => t.id === 'delivery'),
    params: config.detection,
    counts,
    mentions: createMentionsRepository(mongo.db),
    alerts,
    queues: {
      enqueueNotify: async (j) => {
        notified.push(j);
      },
      enqueueDetect: async () => {},
    },
    logger: createLogger({ level: 'silent', format: 'json' }),
    now: () => new Date(now),
  });
}

const job = { name: 'detect', queueName: 'test', data: { touchpoint: 'delivery' } } as Job;

beforeAll(async () => {
  config = loadConfig(testEnv());
  mongo = await connectMongo(config.mongo);
  await ensureIndexes(mongo.db);
  counts = createCountsRepository(mongo.db);
  alerts = createAlertsRepository(mongo.db);
});
afterAll(async () => {
  await mongo?.db.dropDatabase();
  await mongo?.close();
});

describe('the detect job', () => {
  it('keeps one alert for one wave counted out of order, its history in time order', async () => {
    for (const c of history()) await counts.add(c);
    // After a fault, the wave's last hours are counted first, then its start, then the middle.
    for (const part of [wave.slice(12), wave.slice(0, 5), wave.slice(5, 12)]) {
      for (const c of part) await counts.add(c);
      await processor()(job);
    }
    const all = await alerts.list({ kind: 'weak-link', limit: 10 });
    const live = all.filter((a) => !a.history.some((h) => h.kind === 'merged'));
    expect(live).toHaveLength(1);
    // The partial views did open another alert; it was merged into the one that stays.
    expect(all.length).toBeGreaterThan(1);
    for (const dup of all.filter((a) => a !== live[0]))
      expect(dup.history.at(-1)).toMatchObject({ kind: 'merged', text: live[0]?.id });
    const [alert] = live;
    const opened = (alert?.openedAt.getTime() ?? 0) - ONSET;
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(opened).toBeLessThanOrEqual(4 * HOUR);
    for (const a of all) {
      const times = a.history.map((h) => h.at.getTime());
      expect(times).toEqual(times.toSorted((x, y) => x - y));
    }
    // Its numbers are the wave's: people and sites over the window, in the facts and the JSON.
    const facts = alert?.evidence.facts;
    expect(facts?.authors).toBeGreaterThanOrEqual(5);
    expect(alert?.evidence.authors).toBe(facts?.authors);
    expect(facts?.usualPerDay).toBeGreaterThan(0);
    expect(facts?.usualPerDay).toBeLessThan(5);
  });

  it('changes nothing when run again on the same data', async () => {
    const before = await alerts.list({ kind: 'weak-link', limit: 10 });
    const sent = notified.length;
    await processor()(job);
    expect(await alerts.list({ kind: 'weak-link', limit: 10 })).toEqual(before);
    // Notifications are re-queued (the notify side sends each once), never new events.
    const key = (n: { alertId: string; eventIndex: number }) => `${n.alertId}:${n.eventIndex}`;
    const earlier = new Set(notified.slice(0, sent).map(key));
    expect(notified.length).toBeGreaterThan(sent);
    for (const n of notified.slice(sent)) expect(earlier).toContain(key(n));
  });

  it('is not blinded by a mention dated in the year 9999', async () => {
    await mongo.db.collection('alerts').deleteMany({});
    await counts.add(fact('future', Date.UTC(9999, 0, 1), true));
    await processor()(job);
    const all = await alerts.list({ kind: 'weak-link', limit: 10 });
    expect(all.filter((a) => a.touchpoint?.id === 'delivery')).toHaveLength(1);
  });
});
