/**
 * Hostile and broken sites, each behind its own source, polled by the real poll job into the
 * real store next to a healthy source: every case ends with a clear error recorded on its own
 * source (no internal page body, no credential in it, nor in the logs), nothing stored from it,
 * and the healthy source storing its mentions all along. The SSRF probe that motivated the guard
 * is replayed: loopback in several spellings, redirects to loopback and to the metadata service.
 */
import { gzipSync } from 'node:zlib';
import type { Job } from 'bullmq';
import iconv from 'iconv-lite';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPollProcessor, type PollResult } from '../../../src/jobs/poll.js';
import { createLeases } from '../../../src/queue/lease.js';
import { createHttpClient, describeSource } from '../../../src/sources/index.js';
import { createTokenStore } from '../../../src/sources/_types.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import {
  startHttpServer,
  type RecordedRequest,
  type TestServer,
} from '../../helpers/http-server.js';

/** Put in every body a site should keep to itself: it must never reach an error or a log. */
const INTERNAL = 'INTERNAL-ONLY-7f3a';
const MAX_BYTES = 5 * 1024 * 1024;

type Handler = (req: RecordedRequest, res: import('node:http').ServerResponse) => void;

function rss(items: string, opts: { decl?: string; doctype?: string } = {}): string {
  return `<?xml version="1.0"${opts.decl ?? ' encoding="UTF-8"'}?>${opts.doctype ?? ''}
<rss version="2.0"><channel><title>Site</title>
${items}
</channel></rss>`;
}
const item = (id: string, text: string) =>
  `<item><guid>${id}</guid><pubDate>Mon, 01 Jun 2026 08:00:00 GMT</pubDate><description>${text}</description></item>`;

const BILLION_LAUGHS = rss(item('a', '&lol9;'), {
  doctype: `
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('\n ')}
]>`,
});

/** Routes robots.txt to 404 (no robots.txt: all allowed) and the rest to `handler`. */
const site =
  (handler: Handler): Handler =>
  (req, res) => {
    if (req.url === '/robots.txt') res.writeHead(404).end();
    else handler(req, res);
  };

let app: TestApp;
let healthy: TestServer;
/** A service on this machine that no source may read. */
let internal: TestServer;
const servers: Record<string, TestServer> = {};
const logs: string[] = [];
let healthyPolls = 0;
let poll: ReturnType<typeof createPollProcessor>;

/** The hostile sites, by source id. */
const hostile: Record<string, { handler: Handler; path?: string; userinfo?: string }> = {
  truncated: {
    handler: site((_q, res) => {
      const full = rss(item('t1', 'Colis jamais livré') + item('t2', 'Toujours rien'));
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(full.slice(0, 150));
    }),
  },
  'invalid-json': {
    path: '/feed.json',
    handler: site((_q, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/feed+json' })
        .end('{"version":"https://jsonfeed.org/version/1.1","items":[{"id":"1",');
    }),
  },
  'html-not-json': {
    path: '/feed.json',
    handler: site((_q, res) => {
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(`<!doctype html><html><body><h1>Admin</h1><p>${INTERNAL}</p></body></html>`);
    }),
  },
  'twenty-mb': {
    handler: site((_q, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/rss+xml' })
        .end(Buffer.alloc(20 * 2 ** 20, 'a'));
    }),
  },
  'gzip-bomb': {
    handler: site((_q, res) => {
      // 100 gzip members of 10 MB of zeros: about 1 MB on the wire, 1 GB inflated.
      res.writeHead(200, { 'Content-Type': 'application/rss+xml', 'Content-Encoding': 'gzip' });
      res.end(BOMB);
    }),
  },
  'billion-laughs': {
    handler: site((_q, res) => {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(BILLION_LAUGHS);
    }),
  },
  'redirect-loop': {
    handler: site((req, res) => {
      res.writeHead(302, { Location: req.url === '/feed.xml' ? '/feed2.xml' : '/feed.xml' }).end();
    }),
  },
  'redirect-metadata': {
    handler: site((_q, res) => {
      res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data/iam/' }).end();
    }),
  },
  'redirect-loopback': {
    handler: site((_q, res) => {
      res.writeHead(301, { Location: `http://localhost:${port(internal)}/admin` }).end();
    }),
  },
  'five-hundred-then-ok': {
    // Credentials in the URL, as feeds with tokens carry them: redacted wherever shown.
    userinfo: 'reader:hunter2@',
    path: '/alerts/feeds/1/2?token=s3cret-token&hl=fr',
    handler: site((_q, res) => {
      if ((calls['five-hundred-then-ok'] = (calls['five-hundred-then-ok'] ?? 0) + 1) === 1)
        res
          .writeHead(500, { 'Content-Type': 'text/html' })
          .end(`<pre>${INTERNAL} stack trace</pre>`);
      else
        res
          .writeHead(200, { 'Content-Type': 'application/rss+xml', ETag: '"v1"' })
          .end(rss(item('ok-1', 'Enfin reçu, merci')));
    }),
  },
  'too-many-requests': {
    handler: site((_q, res) => {
      res.writeHead(429, { 'Retry-After': '120' }).end(INTERNAL);
    }),
  },
  'robots-disallow': {
    handler: (req, res) => {
      if (req.url === '/robots.txt') res.writeHead(200).end('User-agent: *\nDisallow: /\n');
      else res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(rss(item('r', 'x')));
    },
  },
  'wrong-charset': {
    handler: site((_q, res) => {
      // Windows-1252 bytes labelled utf-8, without an XML encoding: an old French CMS.
      const body = iconv.encode(
        rss(item('w1', 'Crème brûlée livrée froide, déçue'), { decl: '' }),
        'windows-1252',
      );
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' }).end(body);
    }),
  },
};
const calls: Record<string, number> = {};

/** Sources that point at this machine directly, in the spellings the probe used. */
const loopbackSpellings = (p: number): Record<string, string> => ({
  'loopback-v6': `http://[::1]:${p}/admin`,
  'loopback-localhost': `http://localhost:${p}/admin`,
  'loopback-hex': `http://0x7f000002:${p}/admin`,
  'loopback-decimal': `http://2130706434:${p}/admin`,
});

const member = gzipSync(Buffer.alloc(10 * 1024 * 1024));
const BOMB = Buffer.concat(Array.from({ length: 100 }, () => member));

function port(s: TestServer): string {
  return new URL(s.url).port;
}

beforeAll(async () => {
  healthy = await startHttpServer(
    site((_q, res) => {
      healthyPolls++;
      const items = Array.from({ length: healthyPolls }, (_, i) =>
        item(`healthy-${i}`, `Livraison numéro ${i} arrivée à l'heure`),
      ).join('\n');
      res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(rss(items));
    }),
  );
  internal = await startHttpServer((_q, res) => void res.writeHead(200).end(`${INTERNAL} admin`));
  for (const [id, c] of Object.entries(hostile)) servers[id] = await startHttpServer(c.handler);
  const extraSources = [
    { id: 'healthy', kind: 'rss', every: 3_600_000, url: `${healthy.url}/feed.xml` },
    ...Object.entries(hostile).map(([id, c]) => ({
      id,
      kind: 'rss',
      every: 3_600_000,
      url: `${servers[id]?.url.replace('http://', `http://${c.userinfo ?? ''}`)}${c.path ?? '/feed.xml'}`,
    })),
    ...Object.entries(loopbackSpellings(Number(port(internal)))).map(([id, url]) => ({
      id,
      kind: 'rss',
      every: 3_600_000,
      url,
    })),
  ];
  app = await startTestApp({ workers: [], extraSources });
  await app.rt.sources.sync(app.config.sources.map(describeSource));
  // As the runtime builds it (the budgets in Redis under the test's prefix), waits skipped.
  const http = createHttpClient({
    ...app.config.http,
    redis: app.rt.redis.redis,
    prefix: app.config.redis.prefix,
    sleep: async () => {},
  });
  poll = createPollProcessor({
    catalog: app.rt.catalog,
    sources: app.rt.sources,
    ...app.rt.acceptDeps,
    http,
    tokens: createTokenStore(),
    logger: pino({ level: 'debug' }, { write: (l: string) => void logs.push(l) }),
    leases: createLeases(app.rt.redis.redis, { prefix: app.config.redis.prefix }),
  });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  for (const s of [healthy, internal, ...Object.values(servers)]) await s?.close();
});

let jobs = 0;
/** One poll of `sourceId`; a failed poll's error is returned rather than thrown. */
async function pollOnce(sourceId: string): Promise<PollResult | Error> {
  const job = {
    id: `hostile-${++jobs}`,
    queueName: 'poll.rss',
    attemptsMade: 0,
    data: { sourceId },
  } as unknown as Job;
  try {
    return await poll(job);
  } catch (err) {
    return err as Error;
  }
}

async function stored(sourceId: string): Promise<{ text: string }[]> {
  return (await app.rt.mentions.list({ source: sourceId, limit: 1000 })).mentions;
}

async function lastError(sourceId: string): Promise<string | undefined> {
  return (await app.rt.sources.get(sourceId))?.lastError?.message;
}

/** Polls the hostile source, then the healthy one, which must store its new mention. */
async function pollBeside(sourceId: string): Promise<PollResult | Error> {
  const before = (await stored('healthy')).length;
  const result = await pollOnce(sourceId);
  const healthyResult = await pollOnce('healthy');
  expect(healthyResult).toMatchObject({ accepted: 1 });
  expect((await stored('healthy')).length).toBe(before + 1);
  expect(await lastError('healthy')).toBeUndefined();
  return result;
}

describe('hostile sites, each on its own source, beside a healthy one', () => {
  it.each([
    ['truncated', 'truncated XML', 'truncated or not a feed'],
    ['invalid-json', 'invalid JSON', 'not a JSON Feed'],
    ['html-not-json', 'HTML where JSON was expected', 'truncated or not a feed'],
    ['twenty-mb', 'a 20 MB body', `response larger than ${MAX_BYTES} bytes`],
    ['gzip-bomb', 'a gzip bomb', `response larger than ${MAX_BYTES} bytes`],
    ['billion-laughs', 'billion-laughs entities', 'declares XML entities, refused'],
    ['redirect-loop', 'a redirect loop', 'redirect loop back to'],
    [
      'redirect-metadata',
      'a redirect to the metadata service',
      'refused: redirect to http://169.254.169.254/latest/meta-data/iam/: 169.254.169.254 is a cloud metadata address',
    ],
    ['redirect-loopback', 'a redirect to loopback', 'localhost is this machine'],
    ['robots-disallow', 'robots.txt disallow', 'robots.txt disallows /feed.xml for Maillon'],
  ])('%s (%s): a clear error on that source only', async (id, _what, message) => {
    const result = await pollBeside(id);

    expect(result).toBeInstanceOf(Error);
    expect(await lastError(id)).toContain(message);
    expect(await lastError(id)).not.toContain(INTERNAL);
    expect(await stored(id)).toEqual([]);
  });

  it('never reads the page a redirect to loopback pointed at', () => {
    expect(internal.requests).toEqual([]);
  });

  it('never asked a robots.txt-disallowed feed for itself', () => {
    expect(servers['robots-disallow']?.requests.map((r) => r.url)).toEqual(['/robots.txt']);
  });

  it.each(Object.keys(loopbackSpellings(1)))(
    '%s: a source on this machine is refused before any request',
    async (id) => {
      const result = await pollBeside(id);

      expect(result).toBeInstanceOf(Error);
      expect(await lastError(id)).toMatch(/refused: .*(loopback address|this machine)/);
      expect(internal.requests).toEqual([]);
    },
  );

  it('reads a Windows-1252 feed labelled utf-8 with its accents', async () => {
    const result = await pollBeside('wrong-charset');

    expect(result).toMatchObject({ accepted: 1 });
    expect((await stored('wrong-charset')).map((m) => m.text)).toEqual([
      'Crème brûlée livrée froide, déçue',
    ]);
  });

  it('429 with Retry-After: the source alone waits, and is not asked meanwhile', async () => {
    const throttled = await pollBeside('too-many-requests');
    const asked = servers['too-many-requests']?.requests.length;
    const again = await pollBeside('too-many-requests');
    const state = await app.rt.sources.get('too-many-requests');

    expect(throttled).toMatchObject({ skipped: 'backoff' });
    expect(again).toMatchObject({ skipped: 'backoff' });
    expect(state?.lastError?.message).toContain('answered 429');
    expect(state?.lastError?.message).not.toContain(INTERNAL);
    expect(state?.backoffUntil?.getTime()).toBeGreaterThan(Date.now() + 100_000);
    expect(servers['too-many-requests']?.requests.length).toBe(asked);
  });

  it('500 then success: stored once, and the credentials of its URL shown nowhere', async () => {
    const failed = await pollBeside('five-hundred-then-ok');
    const error = await lastError('five-hundred-then-ok');
    const ok = await pollBeside('five-hundred-then-ok');
    const again = await pollBeside('five-hundred-then-ok');
    const api = await (await app.as('admin')(`/api/v1/sources`)).text();

    expect(failed).toBeInstanceOf(Error);
    expect(error).toContain('answered 500');
    expect(error).toContain('token=***');
    expect(error).not.toMatch(/hunter2|s3cret|reader:/);
    expect(error).not.toContain(INTERNAL);
    expect(ok).toMatchObject({ accepted: 1 });
    expect(again).not.toMatchObject({ accepted: 1 });
    expect((await stored('five-hundred-then-ok')).map((m) => m.text)).toEqual([
      'Enfin reçu, merci',
    ]);
    expect(api).toContain('five-hundred-then-ok');
    expect(api).not.toMatch(/hunter2|s3cret/);
  });

  it('kept every internal body and credential out of the logs', () => {
    const text = logs.join('\n');

    expect(text).toContain('poll failed');
    expect(text).not.toContain(INTERNAL);
    expect(text).not.toMatch(/hunter2|s3cret/);
  });

  it('stored nothing from any hostile source', async () => {
    const ids = [...Object.keys(hostile), ...Object.keys(loopbackSpellings(1))].filter(
      (id) => id !== 'five-hundred-then-ok' && id !== 'wrong-charset',
    );
    for (const id of ids) expect(await stored(id), id).toEqual([]);
    expect((await stored('healthy')).length).toBe(healthyPolls);
  });
});
