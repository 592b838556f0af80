/** The accept door and the import refuse mentions dated in the future, judged on their clock. */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { MentionAnalysis, MentionInput } from '../../../src/domain/mention.js';
import { ValidationError } from '../../../src/errors.js';
import { acceptMentions, type AcceptDeps } from '../../../src/ingest/accept.js';
import { importJsonl } from '../../../src/ingest/import-jsonl.js';

const NOW = new Date('2026-11-30T10:00:00Z');

function fakeDeps() {
  const stored: MentionInput[] = [];
  const deps: AcceptDeps = {
    mentions: {
      accept: async (inputs: MentionInput[]) => {
        stored.push(...inputs);
        return inputs.map((m) => ({ id: m.externalId, inserted: true }));
      },
      saveEdits: async () => {},
      linkCrossPosts: async () => {},
    },
    crossposts: { claim: async () => new Map() },
    counts: { stage: async () => {} },
    analyze: (): MentionAnalysis => ({
      lang: 'fr',
      langConfidence: 1,
      langDeclared: false,
      sentiment: { score: 0, label: 'neutral', confidence: 1, method: 'test' },
      relevant: true,
      touchpoints: [],
      stages: [],
      facets: [],
      reach: { audience: 0, score: 0 },
    }),
    enqueueCount: async () => {},
  };
  return { deps, stored };
}

const mention = (id: string, publishedAt: string) => ({
  source: 'import',
  externalId: id,
  url: `https://example.com/${id}`,
  author: { id: 'a', name: 'A' },
  text: 'Livraison en retard',
  publishedAt,
});

describe('acceptMentions', () => {
  it('refuses a batch holding a mention dated beyond the clock skew, storing nothing', async () => {
    const { deps, stored } = fakeDeps();
    const input = (id: string, at: string): MentionInput => ({
      ...mention(id, at),
      publishedAt: new Date(at),
    });
    const err = await acceptMentions(
      deps,
      [input('ok', '2026-11-30T09:00:00Z'), input('late', '2026-11-30T11:00:00Z')],
      NOW,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).issues).toEqual([
      { path: '1.publishedAt', message: expect.stringMatching(/^publishedAt is in the future/) },
    ]);
    expect(stored).toEqual([]);
  });
});

describe('importJsonl', () => {
  it('rejects a line dated in the future with its number and why, and imports the others', async () => {
    const { deps, stored } = fakeDeps();
    const file = [
      JSON.stringify(mention('a', '2026-11-30T09:59:00+01:00')),
      JSON.stringify(mention('b', '9999-01-01T00:00:00Z')),
      JSON.stringify(mention('c', '2026-11-30T10:05:00Z')),
    ].join('\n');
    const summary = await importJsonl(deps, Readable.from([file]), { now: () => NOW });
    expect(summary).toMatchObject({ lines: 3, accepted: 2 });
    expect(summary.rejected).toEqual([
      {
        line: 2,
        reason: expect.stringMatching(
          /^publishedAt: publishedAt is in the future: 9999-01-01T00:00:00\.000Z is \d+ years after now \(2026-11-30T10:00:00\.000Z\), beyond the 10-minute clock skew allowed/,
        ),
      },
    ]);
    expect(stored.map((m) => m.externalId)).toEqual(['a', 'c']);
  });
});
