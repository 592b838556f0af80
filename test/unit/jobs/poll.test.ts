/**
 * The poll job with fakes around it: what it makes of a feed's items before they reach the
 * accept door.
 */
import type { Job } from 'bullmq';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { SourceConfig } from '../../../src/sources/index.js';
import type { MentionAnalysis, MentionInput } from '../../../src/domain/mention.js';
import { createPollProcessor, type PollDeps } from '../../../src/jobs/poll.js';
import type { HttpClient } from '../../../src/sources/_http.js';
import rss from '../../../src/sources/rss.js';
import {
  createTokenStore,
  type AnySourceAdapter,
  type MentionDraft,
} from '../../../src/sources/_types.js';
import type { SourceState, SourcesRepository } from '../../../src/store/sources-repository.js';

const NOW = new Date('2026-11-30T10:00:00Z');
const source: SourceConfig = {
  id: 'feed',
  kind: 'rss',
  enabled: true,
  every: 15 * 60_000,
  url: 'https://feeds.example.com/feed.xml',
  watch: true,
  secrets: {},
};

const draft = (id: string, publishedAt: Date): MentionDraft => ({
  externalId: id,
  url: `https://example.com/${id}`,
  author: { id: 'a', name: 'A' },
  text: `item ${id}`,
  publishedAt,
});

/** A poll processor over one source whose adapter returns `drafts`, or throws `fails`. */
function harness(opts: { drafts?: MentionDraft[]; fails?: Error } = {}) {
  const accepted: { inputs: MentionInput[]; fetchedAt: Date }[] = [];
  const failures: Parameters<SourcesRepository['recordFailure']>[1][] = [];
  const logs: { level: number; msg: string; [k: string]: unknown }[] = [];
  const state: SourceState = {
    id: 'feed',
    kind: 'rss',
    target: 'https://feeds.example.com/feed.xml',
    enabled: true,
    cursor: {},
    consecutiveFailures: 0,
    fetched: 0,
    inserted: 0,
  };
  const adapter: AnySourceAdapter = {
    ...rss,
    fetchPage: async (_s, cursor) => {
      if (opts.fails) throw opts.fails;
      return {
        notModified: false,
        cursor,
        raw: { body: Buffer.from(''), contentType: undefined, url: '' },
      };
    },
    parse: () => opts.drafts ?? [],
  };
  const sources = {
    get: async () => state,
    recordSuccess: async () => {},
    recordFailure: async (_id: string, f: (typeof failures)[number]) => void failures.push(f),
  } as unknown as SourcesRepository;
  const deps: PollDeps = {
    catalog: { get: async (id: string) => (id === source.id ? source : null) },
    adapters: { rss: adapter },
    tokens: createTokenStore(),
    sources,
    http: {} as HttpClient,
    logger: pino(
      { level: 'debug' },
      { write: (line: string) => void logs.push(JSON.parse(line) as (typeof logs)[number]) },
    ),
    mentions: {
      accept: async (inputs: MentionInput[], fetchedAt: Date) => {
        accepted.push({ inputs, fetchedAt });
        return inputs.map((m) => ({ id: m.externalId, inserted: true }));
      },
      saveEdits: async () => {},
      linkCrossPosts: async () => {},
    },
    crossposts: { claim: async () => new Map() },
    counts: { stage: async () => {} },
    // A plain neutral reading: this test is about dates, not reading.
    analyze: (): MentionAnalysis => ({
      lang: 'en',
      langConfidence: 1,
      langDeclared: true,
      sentiment: { score: 0, label: 'neutral', confidence: 1, method: 'test' },
      relevant: true,
      touchpoints: [],
      stages: [],
      facets: [],
      reach: { audience: 0, score: 0 },
    }),
    enqueueCount: async () => {},
    // Always granted here; the lease itself is tested against Redis (poll-lease.int.test.ts).
    leases: {
      acquire: async () => ({ signal: new AbortController().signal, release: async () => {} }),
    },
    now: () => NOW,
  };
  const job = (attemptsMade = 0) =>
    ({ id: 'j1', queueName: 'poll.rss', data: { sourceId: 'feed' }, attemptsMade }) as Job;
  return { process: createPollProcessor(deps), job, accepted, failures, logs, state };
}

describe('poll: items dated in the future', () => {
  it('keeps them at fetch time, with a warning, and keeps the rest of the feed as it is', async () => {
    const past = new Date('2026-11-30T09:00:00Z');
    const slightlyAhead = new Date(NOW.getTime() + 5 * 60_000);
    const { process, job, accepted, logs } = harness({
      drafts: [
        draft('past', past),
        draft('skew', slightlyAhead),
        draft('tz', new Date(NOW.getTime() + 2 * 3_600_000)),
        draft('y9999', new Date('9999-01-01T00:00:00Z')),
      ],
    });
    const result = await process(job());
    expect(result).toMatchObject({ fetched: 4, accepted: 4, rejected: 0, clamped: 2 });
    const dates = Object.fromEntries(
      accepted[0]!.inputs.map((m) => [m.externalId, m.publishedAt.toISOString()]),
    );
    expect(dates).toEqual({
      past: past.toISOString(),
      skew: slightlyAhead.toISOString(),
      tz: NOW.toISOString(),
      y9999: NOW.toISOString(),
    });
    const warned = logs.filter((l) => l.msg === 'item dated in the future: kept at fetch time');
    expect(warned.map((l) => l.externalId)).toEqual(['tz', 'y9999']);
  });
});

describe('poll: failures', () => {
  it('records a failed poll once, however many times BullMQ retries it', async () => {
    const { process, job, failures } = harness({ fails: new Error('ENOTFOUND') });
    for (const attemptsMade of [0, 1, 2, 3, 4, 5]) {
      await expect(process(job(attemptsMade))).rejects.toThrow('ENOTFOUND');
    }
    expect(failures.map((f) => f.retry)).toEqual([false, true, true, true, true, true]);
    // A new run after three intervals (45 min) without a poll: Maillon was not polling.
    expect(failures[0]).toEqual({
      message: 'ENOTFOUND',
      at: NOW,
      retry: false,
      runGapMs: 45 * 60_000,
    });
  });
});
