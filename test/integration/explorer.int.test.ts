/**
 * The mention explorer end to end on the bundled server: mentions go through the real door and
 * the count drain (which keeps the index), then are searched, filtered, paged, exported and read
 * through the real API as a viewer. What each answer should hold is worked out from the stored
 * mentions themselves, so the test checks the index and the paging, not the analyser's reading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMention, type Mention } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { reindexStored } from '../../src/ingest/reindex.js';
import { exportMentions } from '../../src/api/handlers/export-mentions.js';
import { getMention, listMentions } from '../../src/api/handlers/list-mentions.js';
import { openApiDocument } from '../../src/api/openapi.js';
import { mentionId } from '../../src/store/mentions-repository.js';
import {
  createPostingsRepository,
  TERM_SHARDS,
  type IndexEntry,
  type WalkStep,
} from '../../src/store/postings-repository.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { openApiChecker } from '../helpers/openapi.js';

let app: TestApp;
/** The API as a viewer. */
const get = (path: string) => app.as('viewer')(path);

const NOW = new Date('2026-11-20T12:00:00Z');

interface Wire {
  source: string;
  externalId: string;
  text: string;
  publishedAt: string;
  title?: string;
  lang?: string;
  rating?: number;
  author?: string;
}
const wire = (w: Wire) =>
  parseMention(
    {
      source: w.source,
      externalId: w.externalId,
      url: `https://${w.source}.example/${w.externalId}`,
      author: { id: w.author ?? `author-${w.externalId}`, name: w.author ?? w.externalId },
      text: w.text,
      publishedAt: w.publishedAt,
      ...(w.title ? { title: w.title } : {}),
      ...(w.lang ? { lang: w.lang } : {}),
      ...(w.rating !== undefined ? { rating: w.rating } : {}),
    },
    { now: NOW },
  );

const FIXED: Wire[] = [
  {
    source: 'trustpilot',
    externalId: 'tp-1',
    text: 'Maison Lumière : livraison catastrophique, colis jamais reçu.',
    lang: 'fr',
    rating: 1,
    author: 'lea',
    publishedAt: '2026-11-03T10:00:00Z',
  },
  {
    source: 'trustpilot',
    externalId: 'tp-2',
    title: 'Très satisfaite',
    text: 'Les livraisons de Maison Lumière sont rapides, livreur adorable.',
    lang: 'fr',
    rating: 5,
    author: 'lea',
    publishedAt: '2026-11-02T09:00:00Z',
  },
  {
    source: 'mastodon',
    externalId: 'ma-1',
    text: 'Maison Lumière delivery was late and the parcel arrived damaged. Terrible.',
    lang: 'en',
    publishedAt: '2026-10-30T12:00:00Z',
  },
  {
    source: 'mastodon',
    externalId: 'ma-2',
    text: 'Maison Lumière : le service client a répondu vite, remboursement rapide.',
    lang: 'fr',
    publishedAt: '2026-10-15T08:30:00Z',
  },
  {
    // A search the watch query applies to: no brand named, so not relevant.
    source: 'search-web',
    externalId: 'sw-1',
    text: 'Une livraison de lampes sans marque, rien à voir.',
    lang: 'fr',
    publishedAt: '2026-11-01T07:00:00Z',
  },
  {
    source: 'trustpilot',
    externalId: 'tp-3',
    text: '=HYPERLINK("https://evil.example") Maison Lumière livraison lente, "guillemets", virgule.',
    lang: 'fr',
    rating: 2,
    publishedAt: '2026-11-04T18:00:00Z',
  },
];

/** Many mentions at few instants: pages must cut between mentions of one instant. */
const CROWD: Wire[] = Array.from({ length: 24 }, (_, i) => ({
  source: i % 2 ? 'reddit' : 'bluesky',
  externalId: `crowd-${i}`,
  text: `Maison Lumière commande ${i} : livraison ${i % 3 ? 'rapide' : 'en retard'}, emballage soigné.`,
  lang: i % 4 === 3 ? 'en' : 'fr',
  publishedAt: new Date(
    Date.parse('2026-10-20T12:00:00Z') + Math.floor(i / 5) * 86_400_000,
  ).toISOString(),
}));

/** The same author's same text on two sources: stored twice, the copy linked and not counted. */
const CROSS =
  'Maison Lumière a perdu mon colis pour la deuxième fois ce mois, inadmissible vraiment.';

let stored: Mention[] = [];

beforeAll(async () => {
  app = await startTestApp({
    workers: [],
    extraSources: [
      { id: 'search-web', kind: 'rss', enabled: false, url: 'http://127.0.0.1:9/feed.xml' },
    ],
  });
  const door = app.rt.acceptDeps;
  await acceptMentions(door, [...FIXED, ...CROWD].map(wire), NOW);
  await acceptMentions(
    door,
    [
      wire({
        source: 'reddit',
        externalId: 'cross-a',
        text: CROSS,
        author: 'zoe',
        lang: 'fr',
        publishedAt: '2026-11-05T10:00:00Z',
      }),
    ],
    NOW,
  );
  await acceptMentions(
    door,
    [
      wire({
        source: 'bluesky',
        externalId: 'cross-b',
        text: CROSS,
        author: 'zoe',
        lang: 'fr',
        publishedAt: '2026-11-05T10:05:00Z',
      }),
    ],
    NOW,
  );
  // An edit: the first text is indexed, then replaced by the second.
  const edit = (text: string) =>
    wire({
      source: 'reviews-site',
      externalId: 'edit-1',
      text,
      lang: 'fr',
      publishedAt: '2026-11-06T10:00:00Z',
    });
  await acceptMentions(door, [edit('Maison Lumière : produit cassé à la réception, déçue.')], NOW);
  await drain();
  await acceptMentions(
    door,
    [edit('Maison Lumière : finalement le produit fonctionne à merveille.')],
    NOW,
  );
  await drain();
  for await (const batch of app.rt.mentions.scan()) stored.push(...batch);
}, 120_000);
afterAll(async () => {
  await app?.stop();
});

async function drain() {
  while ((await app.rt.counts.drain()).counted > 0);
}

type Json = {
  id: string;
  text: string;
  title?: string;
  publishedAt: string;
  highlights?: {
    field: 'title' | 'text';
    start: number;
    end: number;
    kind: string;
    touchpoint?: string;
  }[];
};
type Page = { data: Json[]; nextCursor: string | null; searchedUntil?: string };

async function page(query: string): Promise<Page> {
  const res = await get(`/api/v1/mentions?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as Page;
}

/** Every page of a query, following the cursors. */
async function all(query: string, limit = 4): Promise<Json[]> {
  const out: Json[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: Page = await page(`${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(p.data.length).toBeLessThanOrEqual(limit);
    out.push(...p.data);
    cursor = p.nextCursor;
    expect(++pages).toBeLessThan(100);
  } while (cursor);
  return out;
}

const newestFirst = (a: Mention, b: Mention) =>
  b.publishedAt.getTime() - a.publishedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const ids = (ms: { id: string }[]) => ms.map((m) => m.id);
const expected = (pred: (m: Mention) => boolean, order: 'newest' | 'oldest' = 'newest') => {
  const list = stored.filter(pred).toSorted(newestFirst);
  return ids(order === 'newest' ? list : list.toReversed());
};
const relevant = (m: Mention) => m.relevant !== false;
const words = (m: Mention) => `${m.title ?? ''} ${m.text}`.toLowerCase();

describe('the mention explorer', () => {
  it('pages through every mention, newest or oldest first, none twice and none missed', async () => {
    const want = expected(relevant);
    expect(want.length).toBeGreaterThan(30);
    expect(ids(await all('sort=newest', 4))).toEqual(want);
    expect(ids(await all('sort=oldest', 7))).toEqual(expected(relevant, 'oldest'));
    expect(ids(await all('relevant=all', 50))).toEqual(expected(() => true));
    const excluded = expected((m) => m.relevant === false);
    expect(excluded).toEqual([mentionId('search-web', 'sw-1')]);
    expect(ids(await all('relevant=false'))).toEqual(excluded);
  });

  it('searches words by stem, phrases exactly, and leaves out excluded words', async () => {
    const livraison = await all('q=livraison', 5);
    expect(ids(livraison)).toEqual(expected((m) => relevant(m) && /livraison/.test(words(m))));
    expect(ids(livraison)).toContain(mentionId('trustpilot', 'tp-2')); // "livraisons"
    expect(ids(livraison)).not.toContain(mentionId('mastodon', 'ma-1')); // English "delivery"
    expect(ids(await all('q=livraison%20-rapide'))).toEqual(
      expected((m) => relevant(m) && /livraison/.test(words(m)) && !/rapide/.test(words(m))),
    );
    expect(ids(await all(`q=${encodeURIComponent('"en retard"')}`))).toEqual(
      expected((m) => relevant(m) && /en retard/.test(words(m))),
    );
    expect(ids(await all('q=delivery%20damaged'))).toEqual([mentionId('mastodon', 'ma-1')]);
    // A title word.
    expect(ids(await all('q=satisfaite'))).toEqual([mentionId('trustpilot', 'tp-2')]);
    expect((await page('q=zzzunknownword')).data).toEqual([]);
  });

  it('answers as its OpenAPI description says', async () => {
    const checker = openApiChecker(
      openApiDocument([listMentions, getMention, exportMentions], { version: 'test' }),
    );
    for (const path of [
      '/api/v1/mentions?q=livraison&limit=3',
      '/api/v1/mentions?relevant=all&sort=oldest&limit=50',
      '/api/v1/mentions?q=zzzz',
      `/api/v1/mentions/${mentionId('trustpilot', 'tp-2')}`,
    ]) {
      const body: unknown = await (await get(path)).json();
      expect(() => checker.check('GET', path, 200, body), path).not.toThrow();
    }
    expect([...checker.covered].toSorted()).toEqual([
      'GET /api/v1/mentions',
      'GET /api/v1/mentions/{id}',
    ]);
  });

  it('highlights the search words and the touchpoint keywords, as spans of the text', async () => {
    const { data } = await page('q=livraison&source=trustpilot&rating=1');
    expect(ids(data)).toEqual([mentionId('trustpilot', 'tp-1')]);
    const m = data[0]!;
    const shown = m.highlights!.map((h) => [h.kind, m.text.slice(h.start, h.end), h.touchpoint]);
    expect(shown).toContainEqual(['search', 'livraison', undefined]);
    expect(shown).toContainEqual(['touchpoint', 'colis', 'delivery']);
  });

  it('filters by touchpoint, sentiment about it and time range, and by every facet', async () => {
    const about = (m: Mention, tp: string, label: string) =>
      (m.touchpoints ?? []).some((t) => t.id === tp && t.sentiment.label === label);
    const since = '2026-10-01T00:00:00Z';
    const until = '2026-11-03T12:00:00Z';
    const inRange = (m: Mention) =>
      m.publishedAt >= new Date(since) && m.publishedAt < new Date(until);
    const want = expected((m) => relevant(m) && about(m, 'delivery', 'negative') && inRange(m));
    expect(want.length).toBeGreaterThan(0);
    expect(
      ids(await all(`touchpoint=delivery&sentiment=negative&since=${since}&until=${until}`, 2)),
    ).toEqual(want);
    expect(ids(await all('sentiment=positive'))).toEqual(
      expected((m) => relevant(m) && m.sentiment?.label === 'positive'),
    );
    expect(ids(await all('stage=receive'))).toEqual(
      expected((m) => relevant(m) && (m.stages ?? []).includes('receive')),
    );
    expect(ids(await all('source=reddit&lang=en'))).toEqual(
      expected((m) => relevant(m) && m.source === 'reddit' && m.lang === 'en'),
    );
    expect(ids(await all('author=lea'))).toEqual(
      expected((m) => relevant(m) && m.author.id === 'lea'),
    );
    expect(ids(await all('ratingMin=2&ratingMax=5'))).toEqual(
      expected((m) => relevant(m) && m.rating !== undefined && m.rating >= 2),
    );
    expect(ids(await all('rating=5'))).toEqual([mentionId('trustpilot', 'tp-2')]);
  });

  it('finds an edited mention by its new words only, and a cross-post copy', async () => {
    const edited = mentionId('reviews-site', 'edit-1');
    expect(ids(await all('q=fonctionne'))).toEqual([edited]);
    expect(ids(await all('q=cass%C3%A9'))).toEqual([]);
    const copy = mentionId('bluesky', 'cross-b');
    expect(ids(await all('q=inadmissible'))).toEqual([copy, mentionId('reddit', 'cross-a')]);
    // Counted once, though stored and found twice.
    const [day] = await app.rt.counts.range({
      dim: 'all',
      size: '1d',
      from: new Date('2026-11-05T00:00:00Z'),
      to: new Date('2026-11-06T00:00:00Z'),
    });
    expect(day?.volume).toBe(1);
  });

  it('refuses malformed and injected parameters with a 400', async () => {
    for (const q of [
      'source[$gt]=',
      'relevant=%7B%22%24ne%22%3Afalse%7D',
      'limit=abc',
      'limit=500',
      'since=yesterday',
      'cursor=not-a-cursor',
      'rating=6',
      'ratingMin=4&ratingMax=2',
      'sort=random',
      'q=%21%21%21',
    ]) {
      const res = await get(`/api/v1/mentions?${q}`);
      expect(res.status, q).toBe(400);
    }
    const res = await get('/api/v1/mentions?touchpoint=nope');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('delivery');
  });
});

describe('the index under the explorer', () => {
  const collect = async (steps: AsyncGenerator<WalkStep>) => {
    const entries: IndexEntry[] = [];
    let boundary: number | null = null;
    for await (const s of steps) {
      if (s.kind === 'entries') entries.push(...s.entries);
      else boundary = s.boundary;
    }
    return { entries, boundary };
  };

  it("takes an edited mention out of its old words' keys", async () => {
    const old = await collect(
      app.rt.mentions.walkIndex(
        { all: [['t:fr:cass']], none: [], relevant: 'all' },
        { order: 'newest' },
      ),
    );
    expect(old.entries).toEqual([]);
    const now = await collect(
      app.rt.mentions.walkIndex(
        { all: [['t:fr:fonction']], none: [], relevant: true },
        { order: 'newest' },
      ),
    );
    expect(now.entries.map((e) => e.id)).toEqual([mentionId('reviews-site', 'edit-1')]);
  });

  it('stops a walk at its budget, and the walk from its boundary finds the rest', async () => {
    const plan = { all: [['*']], none: [], relevant: 'all' as const };
    for (const order of ['oldest', 'newest'] as const) {
      const whole = await collect(app.rt.mentions.walkIndex(plan, { order }));
      expect(whole.boundary).toBeNull();
      expect(whole.entries.map((e) => e.id)).toEqual(expected(() => true, order));
      const parts: IndexEntry[] = [];
      let after: IndexEntry | undefined;
      let walks = 0;
      for (; ; walks++) {
        expect(walks).toBeLessThan(50);
        const part = await collect(
          app.rt.mentions.walkIndex(plan, { order, maxReads: 1, ...(after ? { after } : {}) }),
        );
        parts.push(...part.entries);
        if (part.boundary === null) break;
        after = { t: part.boundary, id: '' };
      }
      expect(walks).toBeGreaterThan(5);
      expect(parts).toEqual(whole.entries);
    }
  });

  it('keeps the term shards a store was indexed with, 32 for a store older than its layout', async () => {
    const db = app.rt.mongo.client.db(`${app.rt.mongo.db.databaseName}_layout`);
    try {
      const item = (id: string, ix: string) => ({
        _id: id.padStart(24, '0'),
        publishedAt: '2026-03-01T10:00:00Z',
        relevant: true,
        ix,
      });
      const terms = ['livraison', 'colis', 'retard', 'caisse', 'appli', 'remboursement'];
      const ix = terms.map((w) => `t:fr:${w}`).join(' ');
      // An older version's store: 32 shards, and no layout document.
      await createPostingsRepository(db, { newStoreShards: 32 }).apply(1, {
        add: [item('a', `* ${ix}`)],
        remove: [],
      });
      await db.collection<{ _id: string }>('postings').deleteOne({ _id: 'layout' });
      const shardsOf = async () =>
        new Set(
          (await db.collection<{ _id: string }>('postings').find({}).toArray())
            .map((d) => /\|#(\d+)$/.exec(d._id)?.[1])
            .filter((x) => x !== undefined)
            .map(Number),
        );
      expect(Math.max(...(await shardsOf()))).toBeLessThan(32);

      // Today's code reads it as it is, and goes on writing it so.
      const now = createPostingsRepository(db);
      const found = async (word: string, reader = now) =>
        (
          await collect(
            reader.walk({ all: [[`t:fr:${word}`]], none: [], relevant: true }, { order: 'newest' }),
          )
        ).entries.map((e) => e.id.slice(-1));
      for (const w of terms) expect(await found(w), w).toEqual(['a']);
      await now.apply(2, { add: [item('b', `* ${ix}`)], remove: [] });
      expect(await db.collection('postings').findOne({ _id: 'layout' as never })).toMatchObject({
        shards: 32,
      });
      expect(Math.max(...(await shardsOf()))).toBeLessThan(32);
      for (const w of terms) expect((await found(w)).toSorted(), w).toEqual(['a', 'b']);

      // A new store gets today's.
      await db.dropDatabase();
      await createPostingsRepository(db).apply(1, { add: [item('c', `* ${ix}`)], remove: [] });
      expect(await db.collection('postings').findOne({ _id: 'layout' as never })).toMatchObject({
        shards: TERM_SHARDS,
      });
      const fresh = createPostingsRepository(db);
      for (const w of terms) expect(await found(w, fresh), w).toEqual(['c']);
      expect(Math.max(...(await shardsOf()))).toBeGreaterThanOrEqual(32);
    } finally {
      await db.dropDatabase();
    }
  });

  it('gives the same documents when a batch is applied twice (a drainer died midway)', async () => {
    const db = app.rt.mongo.client.db(`${app.rt.mongo.db.databaseName}_postings`);
    try {
      const postings = createPostingsRepository(db);
      const item = (id: string, ix: string, at = '2026-03-01T10:00:00Z') => ({
        _id: id.padStart(24, '0'),
        publishedAt: at,
        relevant: true,
        ix,
      });
      await postings.apply(1, { add: [item('a', '* t:fr:x'), item('b', '* t:fr:y')], remove: [] });
      const edit = {
        add: [item('a', '* t:fr:z', '2026-03-02T10:00:00Z')],
        remove: [item('a', '* t:fr:x')],
      };
      await postings.apply(2, edit);
      const snapshot = async () =>
        (await db.collection('postings').find({}).toArray()).toSorted((x, y) =>
          String(x._id).localeCompare(String(y._id)),
        );
      const once = await snapshot();
      // Another process (no cache) applies batch 2 again.
      await createPostingsRepository(db).apply(2, edit);
      expect(await snapshot()).toEqual(once);
      const walk = (key: string) =>
        collect(
          createPostingsRepository(db).walk(
            { all: [[key]], none: [], relevant: true },
            { order: 'newest' },
          ),
        );
      expect((await walk('t:fr:x')).entries).toEqual([]);
      expect((await walk('t:fr:z')).entries.map((e) => e.id)).toEqual(['a'.padStart(24, '0')]);
      expect(
        (await walk('*')).entries.map((e) => [e.id.slice(-1), new Date(e.t).toISOString()]),
      ).toEqual([
        ['a', '2026-03-02T10:00:00.000Z'],
        ['b', '2026-03-01T10:00:00.000Z'],
      ]);
    } finally {
      await db.dropDatabase();
    }
  });
});

describe('one mention', () => {
  it('answers it with its touchpoint highlights, 404 when missing or malformed', async () => {
    const id = mentionId('trustpilot', 'tp-1');
    const res = await get(`/api/v1/mentions/${id}`);
    expect(res.status).toBe(200);
    const m = (await res.json()) as Json;
    expect(m.id).toBe(id);
    expect(m.highlights?.some((h) => h.kind === 'touchpoint')).toBe(true);
    expect((await get(`/api/v1/mentions/${'0'.repeat(24)}`)).status).toBe(404);
    expect((await get('/api/v1/mentions/not-an-id')).status).toBe(404);
  });
});

describe('export', () => {
  it('streams every mention of a filter as NDJSON, complete and parseable', async () => {
    const res = await get('/api/v1/mentions/export?format=ndjson&q=livraison');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text()).split('\n').filter(Boolean);
    expect(lines.map((l) => (JSON.parse(l) as Json).id)).toEqual(
      expected((m) => relevant(m) && /livraison/.test(words(m))),
    );
  });

  it('refuses a bad filter with a 400 before it starts', async () => {
    for (const q of ['format=xml', 'touchpoint=nope', 'source[$gt]=', 'limit=5'])
      expect((await get(`/api/v1/mentions/export?${q}`)).status, q).toBe(400);
  });

  it('streams CSV with every cell quoted and formulas neutralised', async () => {
    const res = await get('/api/v1/mentions/export?format=csv&relevant=all&sort=oldest');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(
      /attachment; filename="mentions-.*\.csv"/,
    );
    const body = (await res.text()).replace(/^\uFEFF/, '');
    const rows = parseCsv(body);
    expect(rows[0]?.slice(0, 3)).toEqual(['id', 'publishedAt', 'source']);
    expect(rows.slice(1).map((r) => r[0])).toEqual(expected(() => true, 'oldest'));
    const tp3 = rows.find((r) => r[0] === mentionId('trustpilot', 'tp-3'))!;
    const text = tp3[rows[0]!.indexOf('text')];
    expect(text).toBe(`'${FIXED[5]!.text}`);
    // Every cell quoted.
    expect(body.split('\r\n')[1]!.startsWith('"')).toBe(true);
  });
});

// Last: it adds a mention the tests above do not expect.
describe('maillon reindex', () => {
  it('indexes mentions stored before the index, once however often it runs', async () => {
    const input = wire({
      source: 'legacy',
      externalId: 'old-1',
      text: 'Maison Lumière : vieux message archivé avant le moteur de recherche.',
      lang: 'fr',
      publishedAt: '2026-09-01T10:00:00Z',
    });
    // Stored as a version before the explorer did: read, but not staged for the drain.
    await app.rt.mentions.accept([{ ...input, analysis: app.rt.acceptDeps.analyze(input) }], NOW);
    expect((await page('q=archive')).data).toEqual([]);
    for (let run = 0; run < 2; run++) {
      const summary = await reindexStored({ ...app.rt.acceptDeps, mentions: app.rt.mentions });
      expect(summary).toMatchObject({ staged: stored.length + 1, unread: 0 });
      await drain();
      expect(ids((await page('q=archive')).data)).toEqual([mentionId('legacy', 'old-1')]);
    }
    // Nothing else moved, and nothing was counted.
    expect(ids(await all('relevant=all', 50))).toHaveLength(stored.length + 1);
    const [sept] = await app.rt.counts.range({
      dim: 'all',
      size: '1d',
      from: new Date('2026-09-01T00:00:00Z'),
      to: new Date('2026-09-02T00:00:00Z'),
    });
    expect(sept).toBeUndefined();
  });
});

/** RFC 4180, enough for the test: quoted cells, doubled quotes, CRLF rows. */
function parseCsv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && s[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}
