/**
 * Every query the hot path sends, checked on the bundled server (docs/architecture.md, "The
 * store's hot path"). A month of mentions goes through the door, the count drain and the
 * detector, on a connection that records each command; then:
 * - every `find` on a collection that grows with the history is explained, and FerretDB must run
 *   it in SQL (`filterPushdown`, or `limitPushdown` for a plain first page);
 * - every `update` and `delete` on such a collection must select by `_id` alone (FerretDB v1
 *   explains neither, and pushes only that down);
 * - nothing else (aggregate, count, distinct) touches them.
 * Collections that stay small (alerts, sources, deliveries, the inbox) may be scanned.
 * The mention explorer's queries (search, filters, paging, a whole export) run on the same
 * connection: the index it reads (`postings`) and the mentions grow with the history too.
 */
import type { Job } from 'bullmq';
import { MongoClient, type CommandStartedEvent, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateScenario } from '../../src/demo/scenario.js';
import { searchMentions, searchOf } from '../../src/api/handlers/list-mentions.js';
import { parseMention } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { createDetectProcessor } from '../../src/jobs/detect.js';
import { createLogger } from '../../src/logger.js';
import { createAlertsRepository } from '../../src/store/alerts-repository.js';
import { createCountsRepository } from '../../src/store/counts-repository.js';
import { createMentionsRepository } from '../../src/store/mentions-repository.js';
import { ensureIndexes } from '../../src/store/mongo.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Collections whose size follows the history: never scanned on the hot path. */
const GROWING = new Set(['mentions', 'series', 'counted', 'postings']);

let app: TestApp;
let client: MongoClient;
const commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  app = await startTestApp({ workers: [], api: false });
  client = new MongoClient(app.config.mongo.url, { monitorCommands: true });
  await client.connect();
  client.on('commandStarted', (e) => commands.push(e));
});
afterAll(async () => {
  await client?.close();
  await app?.stop();
});

describe('the hot path on the bundled server', () => {
  it('reads growing collections only through SQL, and writes them only by _id', async () => {
    const db = client.db();
    await ensureIndexes(db);
    const mentions = createMentionsRepository(db);
    const counts = createCountsRepository(db);
    const scenario = generateScenario({
      start: new Date('2026-01-05T00:00:00Z'),
      days: 35,
      seed: 3,
      outbreakDay: 28,
    });
    const deps = { ...app.rt.acceptDeps, mentions, counts, enqueueCount: async () => {} };
    const now = new Date();
    const inputs = scenario.mentions.map((m) => parseMention(m, { now }));
    for (let i = 0; i < inputs.length; i += 500) {
      await acceptMentions(deps, inputs.slice(i, i + 500));
    }
    while ((await counts.drain()).counted > 0);
    // The same page again, as a feed polled twice: its mentions meet the ledger.
    await acceptMentions(deps, inputs.slice(0, 50));
    while ((await counts.drain()).counted > 0);
    const detect = createDetectProcessor({
      touchpoints: app.config.touchpoints.touchpoints,
      params: app.config.detection,
      counts,
      mentions,
      alerts: createAlertsRepository(db),
      queues: { enqueueNotify: async () => {}, enqueueDetect: async () => {} },
      logger: createLogger({ level: 'silent', format: 'json' }),
    });
    const result = await detect({ name: 'detect', data: { touchpoint: 'delivery' } } as Job);
    expect(result).toMatchObject({ opened: 1 }); // the path ran for real

    // The explorer: a search, a filtered page over a time range, and every page of a listing.
    const explore = async (query: Record<string, unknown>, chunk: number, cursor?: string) => {
      const found = [];
      const s = searchOf(
        { sort: 'newest', ...query },
        { settings: { touchpoints: app.config.touchpoints.touchpoints } },
        cursor,
      );
      for await (const step of searchMentions({ mentions }, s, {
        chunk,
        maxReads: Infinity,
        maxRejects: Infinity,
      }))
        if (step.kind === 'mention') found.push(step.mention);
      return found;
    };
    expect((await explore({ q: 'livraison colis' }, 50)).length).toBeGreaterThan(0);
    expect(
      (
        await explore(
          {
            touchpoint: 'delivery',
            sentiment: 'negative',
            since: new Date('2026-02-01T00:00:00Z'),
            until: new Date('2026-02-08T00:00:00Z'),
          },
          51,
        )
      ).length,
    ).toBeGreaterThan(0);
    expect((await explore({ relevant: 'all' }, 200)).length).toBe(inputs.length);

    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const e of commands) {
      const cmd = e.command;
      const collection = String(cmd[e.commandName] ?? '');
      if (!GROWING.has(collection)) continue;
      seen.set(
        `${e.commandName} ${collection}`,
        (seen.get(`${e.commandName} ${collection}`) ?? 0) + 1,
      );
      if (e.commandName === 'find') {
        const plan = await db.command({
          explain: {
            find: collection,
            filter: cmd.filter ?? {},
            ...(cmd.sort ? { sort: cmd.sort } : {}),
            ...(cmd.limit ? { limit: cmd.limit } : {}),
          },
        });
        if (
          !plan.filterPushdown &&
          !(plan.limitPushdown && Object.keys(cmd.filter ?? {}).length === 0)
        )
          problems.push(`find ${collection} ${JSON.stringify(cmd.filter)} is filtered in Go`);
      } else if (e.commandName === 'update' || e.commandName === 'delete') {
        const statements = (cmd.updates ?? cmd.deletes) as { q: Document }[];
        for (const s of statements) {
          const keys = Object.keys(s.q);
          if (
            keys.length !== 1 ||
            keys[0] !== '_id' ||
            (typeof s.q._id === 'object' && s.q._id !== null && !('_bsontype' in s.q._id))
          )
            problems.push(
              `${e.commandName} ${collection} ${JSON.stringify(s.q)} does not select by _id alone`,
            );
        }
      } else if (
        e.commandName !== 'insert' &&
        e.commandName !== 'createIndexes' &&
        e.commandName !== 'listIndexes'
      ) {
        problems.push(`${e.commandName} on ${collection}`);
      }
    }
    expect(problems).toEqual([]);
    // What ran, so that a path that stopped running does not pass by saying nothing.
    expect([...seen.keys()].toSorted()).toEqual(
      expect.arrayContaining([
        'find counted',
        'find mentions',
        'find series',
        'find postings',
        'update postings',
        'insert counted',
        'insert mentions',
        'update series',
      ]),
    );
  }, 120_000);
});
