/**
 * The HTTP API on the real stores: push, list with filters and cursors, health, and the one error
 * shape for every kind of bad input. Only the API runs here (no workers): mentions are read at
 * the door, so they are stored analysed, and the test drains the counts (and the explorer's
 * index) itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({ workers: [], env: { API_BODY_LIMIT: '64kb', API_MAX_BATCH: '50' } });
});
afterAll(async () => {
  await app?.stop();
});

const mention = (n: number, extra: Record<string, unknown> = {}) => ({
  source: n % 2 ? 'forum' : 'reviews',
  externalId: `m-${n}`,
  url: `https://example.com/m/${n}`,
  author: { id: `a-${n}`, name: `Author ${n}`, followers: n * 10 },
  text: `Mention number ${n}`,
  publishedAt: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
  ...extra,
});

/** POSTs, then counts what was staged: the list reads the index the count drain keeps. */
const post = async (body: unknown, raw = false) => {
  const res = await app.as('admin')(`/api/v1/mentions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  while ((await app.rt.counts.drain()).counted > 0);
  return res;
};

const get = async (path: string) => {
  const res = await app.as('admin')(path);
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    headers: res.headers,
  };
};

describe('POST /api/v1/mentions', () => {
  it('accepts one mention or a batch, and counts duplicates instead of storing them twice', async () => {
    const one = await post(
      mention(1, {
        title: 'Hello',
        lang: 'fr',
        rating: 4,
        engagement: { likes: 3, shares: 1, replies: 0 },
      }),
    );
    expect(one.status).toBe(202);
    expect(await one.json()).toMatchObject({ accepted: 1, duplicates: 0 });

    const batch = await post([mention(1), ...Array.from({ length: 9 }, (_, i) => mention(i + 2))]);
    expect(batch.status).toBe(202);
    expect(await batch.json()).toMatchObject({ accepted: 9, duplicates: 1 });
  });

  it('refuses an invalid batch whole, naming each problem by index and field', async () => {
    const res = await post([
      mention(100),
      { ...mention(101), url: 'javascript:alert(1)' },
      { ...mention(102), rating: 9 },
    ]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; details: { path: string }[] } };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path)).toEqual(['1.url', '2.rating']);
    expect((await get('/api/v1/mentions?source=reviews&limit=200')).body.data).not.toContainEqual(
      expect.objectContaining({ externalId: 'm-100' }),
    );
  });

  it('refuses a mention dated in the future, and says why', async () => {
    const res = await post([
      mention(150, { publishedAt: '9999-01-01T00:00:00Z' }),
      mention(151, { publishedAt: new Date(Date.now() + 3_600_000).toISOString() }),
    ]);
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      error: { code: string; message: string; details: { path: string; message: string }[] };
    };
    expect(body.error.code).toBe('validation_failed');
    expect(body.error.details.map((d) => d.path)).toEqual(['0.publishedAt', '1.publishedAt']);
    for (const d of body.error.details) {
      expect(d.message).toMatch(
        /^publishedAt is in the future: .* beyond the 10-minute clock skew allowed; a future date would hold its touchpoint's detection window in the future/,
      );
    }
    expect(body.error.details[1]?.message).toMatch(/ is (59|60) min after now /);
  });

  it('answers malformed JSON, oversized bodies and oversized batches with clear errors', async () => {
    const malformed = await post('{"source": ', true);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed_json' } });

    const huge = await post({ ...mention(200), text: 'x'.repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ error: { code: 'payload_too_large' } });

    const tooMany = await post(Array.from({ length: 51 }, (_, i) => mention(300 + i)));
    expect(tooMany.status).toBe(400);

    const operator = await post({ ...mention(400), externalId: { $gt: '' } });
    expect(operator.status).toBe(400);
  });
});

describe('GET /api/v1/mentions', () => {
  it('lists newest first and pages with a cursor, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await get(
        `/api/v1/mentions?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(status).toBe(200);
      seen.push(...(body.data as { externalId: string }[]).map((m) => m.externalId));
      cursor = body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `m-${10 - i}`));
  });

  it('keeps each mention as sent, plus what Maillon added', async () => {
    const { body } = await get('/api/v1/mentions?source=forum&until=2026-01-01T00:02:00Z');
    expect(body.data).toEqual([
      expect.objectContaining({
        source: 'forum',
        externalId: 'm-1',
        title: 'Hello',
        lang: 'fr',
        rating: 4,
        engagement: { likes: 3, shares: 1, replies: 0 },
        author: { id: 'a-1', name: 'Author 1', followers: 10 },
        publishedAt: '2026-01-01T00:01:00.000Z',
        status: 'analyzed',
        // Read at the door: four stars and nothing said is a mild yes.
        sentiment: expect.objectContaining({ label: 'positive' }),
      }),
    ]);
  });

  it('filters by source, time range and sentiment label', async () => {
    const forum = await get('/api/v1/mentions?source=forum&limit=200');
    expect((forum.body.data as { source: string }[]).every((m) => m.source === 'forum')).toBe(true);
    expect(forum.body.data).toHaveLength(5);

    const range = await get(
      '/api/v1/mentions?since=2026-01-01T00:03:00Z&until=2026-01-01T00:06:00Z',
    );
    expect((range.body.data as { externalId: string }[]).map((m) => m.externalId)).toEqual([
      'm-5',
      'm-4',
      'm-3',
    ]);

    const angry = await post(
      mention(90, { text: 'Terrible service, the worst shop I have ever seen. Awful.' }),
    );
    const [target] = ((await angry.json()) as { ids: string[] }).ids;
    const negative = await get('/api/v1/mentions?sentiment=negative');
    expect((negative.body.data as { id: string }[]).map((m) => m.id)).toEqual([target]);
  });

  it('refuses operators, unknown parameters and forged cursors with 400', async () => {
    for (const q of [
      'source[$gt]=',
      'source=%7B%22%24gt%22%3A%22%22%7D',
      'sentiment=angry',
      'limit=0',
      'since=yesterday',
      'cursor=bm90LWEtY3Vyc29y',
      'foo=bar',
    ]) {
      const { status, body } = await get(`/api/v1/mentions?${q}`);
      expect(status, q).toBe(400);
      expect(body, q).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});

describe('the rest of the surface', () => {
  it('says it is alive, and ready when Redis and MongoDB answer', async () => {
    const alive = await get('/healthz');
    expect(alive.status).toBe(200);
    expect(alive.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      checks: { redis: { status: 'ok' }, mongodb: { status: 'ok' } },
    });
  });

  it('answers unknown routes and unknown alerts with JSON 404s', async () => {
    expect(await get('/api/v1/nothing')).toMatchObject({
      status: 404,
      body: { error: { code: 'route_not_found' } },
    });
    expect(await get('/api/v1/alerts/0123456789abcdef01234567')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
    // A malformed id finds nothing either: the same 404.
    expect(await get('/api/v1/alerts/not-an-id')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
  });

  it('echoes a request id, or makes one', async () => {
    const res = await app.as('admin')(`/healthz`, { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    const made = await app.as('admin')(`/healthz`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('lists the configured sources with their poll state', async () => {
    // Poll workers record the configured sources when they start; none run in this file.
    await app.rt.catalog.seed();
    const { body } = await get('/api/v1/sources');
    expect(body.data).toContainEqual(
      expect.objectContaining({
        id: 'google-alerts-brand',
        enabled: false,
        status: 'paused',
        state: expect.objectContaining({ consecutiveFailures: 0 }),
      }),
    );
  });
});
