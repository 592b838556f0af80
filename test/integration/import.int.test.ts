/**
 * `maillon import`: the same file twice stores nothing twice, a bad line is reported with its
 * number and the rest gets in, and imported mentions flow on through the queues to analysis.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJsonl } from '../../src/ingest/import-jsonl.js';
import { REPO_ROOT } from '../../src/devtools/mongo-dev.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';

const line = (n: number, text = 'The delivery was late and the box was damaged. Awful.') =>
  JSON.stringify({
    source: 'import-test',
    externalId: `imp-${n}`,
    url: `https://example.com/imp/${n}`,
    author: { id: `u${n}`, name: `User ${n}` },
    text,
    publishedAt: `2025-06-0${(n % 9) + 1}T08:00:00+02:00`,
  });

const FILE = [
  line(1),
  line(2, 'Lovely staff, great welcome.'),
  '{"source": "import-test", "externalId": ',
  '',
  line(3),
  JSON.stringify({ ...(JSON.parse(line(4)) as object), rating: 11 }),
  line(5),
  line(1),
].join('\n');

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ api: false });
});
afterAll(async () => {
  await app?.stop();
});

const deps = () => app.rt.acceptDeps;

describe('importJsonl', () => {
  it('imports the good lines, reports the bad ones by number, and counts repeats as duplicates', async () => {
    const summary = await importJsonl(deps(), Readable.from([FILE]), { batchSize: 2 });
    expect(summary).toEqual({
      lines: 8,
      accepted: 4,
      duplicates: 1,
      rejected: [
        { line: 3, reason: expect.stringMatching(/^not valid JSON/) },
        { line: 6, reason: expect.stringContaining('rating') },
      ],
    });
  });

  it('stores nothing twice when the same file comes again', async () => {
    const summary = await importJsonl(deps(), Readable.from([FILE]));
    expect(summary).toMatchObject({ accepted: 0, duplicates: 5 });
    const page = await app.rt.mentions.list({ source: 'import-test', limit: 100 });
    expect(page.mentions).toHaveLength(4);
  });

  it('keeps the event time of each mention and sends it on to analysis', async () => {
    const analysed = await eventually(async () => {
      const page = await app.rt.mentions.list({ source: 'import-test', limit: 100 });
      return page.mentions.every((m) => m.status === 'analyzed') ? page.mentions : undefined;
    });
    const first = analysed.find((m) => m.externalId === 'imp-1');
    expect(first?.publishedAt.toISOString()).toBe('2025-06-02T06:00:00.000Z');
    expect(first?.sentiment?.label).toBe('negative');
    expect(analysed.find((m) => m.externalId === 'imp-2')?.sentiment?.label).toBe('positive');
  });
});

describe('the maillon command', () => {
  it('prints a summary with line numbers and exits 2 when lines were rejected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'maillon-import-'));
    const file = path.join(dir, 'mentions.jsonl');
    writeFileSync(file, [line(11), 'nope', line(12)].join('\n'));
    const env = {
      ...process.env,
      MONGODB_URL: app.config.mongo.url,
      REDIS_URL: app.config.redis.url,
      QUEUE_PREFIX: app.config.redis.prefix,
    };
    const run = promisify(execFile);
    const err = (await run(path.join(REPO_ROOT, 'bin/maillon.js'), ['import', file, '--quiet'], {
      env,
    }).catch((e: unknown) => e)) as {
      code: number;
      stdout: string;
    };
    expect(err.code).toBe(2);
    expect(err.stdout).toContain('3 lines: 2 accepted, 0 duplicates, 1 rejected');
    expect(err.stdout).toContain('line 2: not valid JSON');

    const again = await run(
      path.join(REPO_ROOT, 'bin/maillon.js'),
      ['import', file, '--json', '--quiet'],
      { env },
    ).catch((e: unknown) => e);
    const summary = JSON.parse((again as { stdout: string }).stdout) as {
      accepted: number;
      duplicates: number;
    };
    expect(summary).toMatchObject({ accepted: 0, duplicates: 2 });
  });
});
