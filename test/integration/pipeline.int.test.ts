/**
 * End to end on real Redis and the real MongoDB-wire server: a real RSS fixture served locally is
 * picked up by the scheduled poll, analysed, and read back through the API. (Alerting end to end
 * is weak-link.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpServer, type TestServer } from '../helpers/http-server.js';
import { eventually, startTestApp, type TestApp } from '../helpers/app.js';
import { sharedFixture } from '../helpers/fixtures.js';

const ALERTS_FEED = sharedFixture('rss/feedjira_google_alerts_atom.xml');

interface MentionJson {
  id: string;
  source: string;
  url: string;
  externalId: string;
  status: string;
  sentiment: { label: string; score: number } | null;
  lang?: string;
  relevant?: boolean;
  reach?: { audience: number; score: number };
  touchpoints?: unknown[];
}

async function allMentions(
  get: (path: string) => Promise<Response>,
  query = '',
): Promise<MentionJson[]> {
  const out: MentionJson[] = [];
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams(query);
    q.set('limit', '7');
    if (cursor) q.set('cursor', cursor);
    const res = await get(`/api/v1/mentions?${q.toString()}`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as { data: MentionJson[]; nextCursor: string | null };
    out.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('polling an RSS source', () => {
  let site: TestServer;
  let app: TestApp;

  beforeAll(async () => {
    site = await startHttpServer((req, res) => {
      const etag = '"alerts-v1"';
      // /etag.xml honours conditional GETs; /plain.xml ignores them, like many real sites.
      if (req.url === '/etag.xml' && req.headers['if-none-match'] === etag) {
        res.writeHead(304, { ETag: etag }).end();
        return;
      }
      res.writeHead(200, {
        'Content-Type': 'application/atom+xml; charset=utf-8',
        ...(req.url === '/etag.xml' ? { ETag: etag } : {}),
      });
      res.end(ALERTS_FEED);
    });
    app = await startTestApp({
      extraSources: [
        { id: 'alerts-etag', kind: 'rss', every: 1000, url: `${site.url}/etag.xml` },
        { id: 'alerts-plain', kind: 'rss', every: 1000, url: `${site.url}/plain.xml` },
      ],
    });
  });

  afterAll(async () => {
    await app?.stop();
    await site?.close();
  });

  it('stores every item once, scored, and serves it newest first through the API', async () => {
    const mentions = await eventually(
      async () => {
        const all = await allMentions(app.as('viewer'), 'source=alerts-plain&relevant=all');
        return all.length === 20 && all.every((m) => m.status === 'analyzed') ? all : undefined;
      },
      30_000,
      '20 analysed mentions',
    );
    expect(new Set(mentions.map((m) => m.externalId)).size).toBe(20);
    expect(mentions.every((m) => m.sentiment !== null)).toBe(true);
    // Google Alerts redirect links are unwrapped to the real article.
    expect(mentions.some((m) => m.url.includes('google.com/url'))).toBe(false);
    // This alert watches "Slack", not our brand: analysed, kept, but not counted as relevant.
    expect(mentions.every((m) => m.lang === 'en' && m.relevant === false)).toBe(true);
    expect(mentions.every((m) => m.reach?.audience === 1 && Array.isArray(m.touchpoints))).toBe(
      true,
    );
    expect(await allMentions(app.as('viewer'), 'source=alerts-plain')).toHaveLength(0);
  });

  it('polls again on schedule without storing anything twice', async () => {
    const polls = () => site.requests.filter((r) => r.url === '/plain.xml').length;
    const before = polls();
    await eventually(
      async () => (polls() >= before + 2 ? true : undefined),
      15_000,
      'two more polls',
    );
    expect(await allMentions(app.as('viewer'), 'source=alerts-plain&relevant=all')).toHaveLength(
      20,
    );
  });

  it('sends conditional GETs and counts a 304 as nothing new', async () => {
    await eventually(
      async () =>
        site.requests.filter((r) => r.url === '/etag.xml').length >= 3 ? true : undefined,
      15_000,
      'three polls of the ETag feed',
    );
    const etagRequests = site.requests.filter((r) => r.url === '/etag.xml');
    expect(etagRequests[0]?.headers['if-none-match']).toBeUndefined();
    expect(etagRequests.slice(1).every((r) => r.headers['if-none-match'] === '"alerts-v1"')).toBe(
      true,
    );
    expect(etagRequests[0]?.headers['user-agent']).toMatch(/^Maillon\//);
    expect(await allMentions(app.as('viewer'), 'source=alerts-etag&relevant=all')).toHaveLength(20);
    const state = await app.rt.sources.get('alerts-etag');
    expect(state?.consecutiveFailures).toBe(0);
    expect(state?.inserted).toBe(20);
  });
});
