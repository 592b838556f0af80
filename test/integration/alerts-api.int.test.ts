/**
 * Alerts through the API: listed with filters on status, touchpoint, severity, kind and opening
 * time; read one by one; acknowledged, snoozed, commented and resolved, each action kept with
 * who did it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert, AlertEvidence } from '../../src/domain/alert.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
const evidence: AlertEvidence = {
  observed: 12,
  expected: 1.5,
  score: 9,
  facts: {
    since: new Date('2026-03-02T09:00:00Z'),
    until: new Date('2026-03-02T13:00:00Z'),
    negatives: 12,
    counted: 12,
    expected: 1.5,
    usualPerDay: 2.2,
    authors: 9,
    sources: 1,
    topAuthorShare: 0.25,
    negativeShare: 0.8,
    usualShare: 0.1,
    reshares: 0,
    contagion: 0,
    pValue: 1e-6,
  },
  negativeShare: 0.8,
  authors: 9,
  sources: ['reviews'],
  reach: 20,
  quotes: [],
};
const ids: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp({ workers: [] });
  const open = async (
    key: string,
    touchpoint: string,
    severity: Alert['severity'],
    openedAt: string,
  ) =>
    (
      await app.rt.alerts.openOnce({
        key,
        kind: 'weak-link',
        touchpoint: { id: touchpoint, stage: 'receive', label: { fr: touchpoint, en: touchpoint } },
        title: touchpoint,
        openedAt: new Date(openedAt),
        severity,
        evidence,
      })
    ).alert.id;
  ids.delivery = await open('weak-link:delivery:a', 'delivery', 'critical', '2026-03-02T10:00:00Z');
  ids.support = await open('weak-link:support:a', 'support', 'warning', '2026-03-05T10:00:00Z');
  ids.ops = (
    await app.rt.alerts.openOnce({
      key: 'source-failing:feed:a',
      kind: 'operational',
      sourceId: 'feed',
      title: 'feed failing',
      openedAt: new Date('2026-03-04T00:00:00Z'),
      severity: 'warning',
      evidence,
    })
  ).alert.id;
});
afterAll(async () => {
  await app?.stop();
});

const get = async (path: string) => {
  const res = await app.as('admin')(path);
  return {
    status: res.status,
    body: (await res.json()) as { data: Alert[] } & Alert & { error?: { code: string } },
  };
};
/** Keys of two community managers, made through the admin API: actions carry their names. */
const managers: Record<'claire' | 'marc', string> = { claire: '', marc: '' };
const post = async (path: string, body: unknown, who: keyof typeof managers = 'claire') => {
  const res = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', authorization: `Bearer ${managers[who]}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Alert & { error?: { code: string } } };
};

beforeAll(async () => {
  for (const [who, name] of [
    ['claire', 'Claire'],
    ['marc', 'Marc'],
  ] as const) {
    const res = await app.as('admin')('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name, role: 'manager' }),
    });
    if (res.status !== 201) throw new Error(`making a key for ${name}: ${res.status}`);
    managers[who] = ((await res.json()) as { key: string }).key;
  }
});

describe('GET /api/v1/alerts', () => {
  it('lists newest opening first and filters', async () => {
    const all = await get('/api/v1/alerts');
    expect(all.body.data.map((a) => a.id)).toEqual([ids.support, ids.ops, ids.delivery]);
    expect((await get('/api/v1/alerts?kind=weak-link')).body.data).toHaveLength(2);
    expect((await get('/api/v1/alerts?touchpoint=delivery')).body.data.map((a) => a.id)).toEqual([
      ids.delivery,
    ]);
    expect((await get('/api/v1/alerts?severity=critical')).body.data.map((a) => a.id)).toEqual([
      ids.delivery,
    ]);
    const range = await get('/api/v1/alerts?since=2026-03-03T00:00:00Z&until=2026-03-06T00:00:00Z');
    expect(range.body.data.map((a) => a.id)).toEqual([ids.support, ids.ops]);
    expect((await get('/api/v1/alerts?status=nope')).status).toBe(400);
  });

  it('pages with a cursor, each alert once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/api/v1/alerts?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.data.map((a) => a.id));
      cursor = (page.body as unknown as { nextCursor: string | null }).nextCursor;
    } while (cursor);
    expect(seen).toEqual([ids.support, ids.ops, ids.delivery]);
    expect((await get('/api/v1/alerts?cursor=not-ours')).status).toBe(400);
  });

  it('answers 404 for a missing alert, malformed id or not', async () => {
    expect((await get('/api/v1/alerts/0123456789abcdef01234567')).status).toBe(404);
    expect((await get('/api/v1/alerts/not-an-id')).status).toBe(404);
  });

  it('reads one alert with its evidence and history', async () => {
    const { status, body } = await get(`/api/v1/alerts/${ids.delivery}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      kind: 'weak-link',
      severity: 'critical',
      status: 'open',
      evidence: { observed: 12 },
    });
    expect(body.history).toEqual([expect.objectContaining({ kind: 'opened' })]);
  });

  it("explains each alert in words, French and English, on the brand's clock", async () => {
    const { body } = await get(`/api/v1/alerts/${ids.delivery}`);
    const summary = (body as unknown as { summary: { fr: string; en: string } }).summary;
    // 09:00 UTC is 10:00 in Paris, the brand's default time zone.
    expect(summary.en).toMatch(
      /^delivery: 12 complaints since 10:00 from 9 people on 1 site, usually 2\.2 a day\. 80% of mentions about it are negative, usually 10%\. /,
    );
    expect(summary.fr).toMatch(/^delivery : 12 plaintes depuis 10 h, de 9 personnes sur 1 site ;/);
    const list = await get('/api/v1/alerts?kind=weak-link');
    expect(list.body.data.map((a) => (a as unknown as { summary: unknown }).summary)).toEqual([
      expect.objectContaining({ en: expect.any(String), fr: expect.any(String) }),
      expect.objectContaining({ en: summary.en }),
    ]);
  });
});

describe('acting on an alert', () => {
  it('acknowledges, comments, snoozes and resolves, keeping who (as signed in) and when', async () => {
    const base = `/api/v1/alerts/${ids.delivery}`;
    expect((await post(`${base}/acknowledge`, {})).body.status).toBe('acknowledged');
    expect(
      (await post(`${base}/comments`, { text: 'Carrier called, backlog in Lyon' })).status,
    ).toBe(200);
    const snoozed = await post(`${base}/snooze`, { minutes: 60 });
    expect(snoozed.body.status).toBe('snoozed');
    expect(new Date(snoozed.body.snoozedUntil!).getTime()).toBeGreaterThan(
      Date.now() + 59 * 60_000,
    );
    const resolved = await post(`${base}/resolve`, { text: 'Backlog cleared' }, 'marc');
    expect(resolved.body).toMatchObject({ status: 'resolved', snoozedUntil: null });
    expect(resolved.body.history.map((h) => [h.kind, h.by ?? null])).toEqual([
      ['opened', null],
      ['acknowledged', 'Claire'],
      ['commented', 'Claire'],
      ['snoozed', 'Claire'],
      ['resolved', 'Marc'],
    ]);
    expect(resolved.body.history.at(-1)?.byId).toMatch(/^key:[0-9a-f]{12}$/);
    expect((await get('/api/v1/alerts?status=resolved')).body.data.map((a) => a.id)).toEqual([
      ids.delivery,
    ]);
  });

  it('wakes a snoozed alert once its snooze has run out', async () => {
    const base = `/api/v1/alerts/${ids.support}`;
    expect((await post(`${base}/snooze`, { minutes: 30 })).body.status).toBe('snoozed');
    const snoozedIds = async () =>
      (await get('/api/v1/alerts?status=snoozed')).body.data.map((a) => a.id);
    expect(await snoozedIds()).toEqual([ids.support]);
    // Half an hour later, as far as the store can tell.
    await app.rt.alerts.record(
      ids.support!,
      { at: new Date(), kind: 'commented', by: 'test', text: 'time passes' },
      { snoozedUntil: new Date(Date.now() - 1_000) },
    );
    expect(await snoozedIds()).toEqual([]);
    expect((await get(base)).body.status).toBe('open');
    const open = (await get('/api/v1/alerts?status=open&kind=weak-link')).body.data;
    expect(open.map((a) => a.id)).toContain(ids.support);
  });

  it('refuses bad input and unknown alerts', async () => {
    const base = `/api/v1/alerts/${ids.support}`;
    expect((await post(`${base}/snooze`, {})).status).toBe(400);
    expect(
      (await post(`${base}/snooze`, { minutes: 5, until: '2026-01-01T00:00:00Z' })).status,
    ).toBe(400);
    expect((await post(`${base}/comments`, {})).status).toBe(400);
    // The author is the signed-in caller: a name in the body is refused, not recorded.
    expect((await post(`${base}/acknowledge`, { by: 'someone else' })).status).toBe(400);
    expect((await post(`${base}/acknowledge`, { text: { $gt: '' } })).status).toBe(400);
    const missing = await post('/api/v1/alerts/0123456789abcdef01234567/acknowledge', {});
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
