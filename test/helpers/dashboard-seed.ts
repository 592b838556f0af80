/**
 * What the dashboard's browser tests look at, made through the real doors: a user of each role
 * with a password (POST /api/v1/users as admin), a mention with markup in its text read at the
 * door (POST /api/v1/mentions) and counted by the count worker, a wave of complaints on delivery
 * that reached support, and the weak-link alert it opened.
 */
import type { AlertEvidence } from '../../src/domain/alert.js';
import type { Role } from '../../src/domain/vocabulary.js';
import { eventually, type TestApp } from './app.js';

export const PASSWORD = 'a long test password';
export const HOSTILE = '<img src=x onerror=alert(1)>';
export const userOf = (role: Role) => ({ email: `${role}@maillon.test`, password: PASSWORD });

/** The opening of the seeded wave: the quarter an hour before the current one. */
const quarter = (ms: number) => Math.floor(ms / 900_000) * 900_000;

export async function seedDashboard(app: TestApp): Promise<{ alertId: string }> {
  const admin = app.as('admin');
  for (const role of ['viewer', 'manager', 'admin'] as const) {
    const res = await admin('/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({
        email: userOf(role).email,
        name: `${role[0]!.toUpperCase()}${role.slice(1)} Dupont`,
        role,
        password: PASSWORD,
      }),
    });
    if (res.status !== 201) throw new Error(`POST /api/v1/users answered ${res.status}`);
  }

  const res = await app.as('manager')('/api/v1/mentions', {
    method: 'POST',
    body: JSON.stringify({
      source: 'api',
      externalId: 'hostile-1',
      url: 'https://reviews.example/1',
      author: { id: 'zoe', name: 'Zoé <b>Z</b>' },
      text: `Maison Lumière : ${HOSTILE} colis jamais livré, livraison catastrophique.`,
      lang: 'fr',
      publishedAt: new Date(Date.now() - 600_000).toISOString(),
    }),
  });
  if (res.status !== 202) throw new Error(`POST /api/v1/mentions answered ${res.status}`);
  await eventually(async () => {
    const r = await admin('/api/v1/mentions?touchpoint=delivery&sentiment=negative');
    const body = (await r.json()) as { data: unknown[] };
    return body.data.length > 0 || undefined;
  });

  const openedAt = new Date(quarter(Date.now()) - 3_600_000);
  const fact = (id: string, i: number, touchpoint: string, stage: string) =>
    app.rt.counts.add({
      mentionId: id,
      publishedAt: new Date(openedAt.getTime() + i * 60_000),
      source: 'reviews',
      author: `a-${id}`,
      reach: 1,
      shares: 0,
      relevant: true,
      overall: 'negative',
      touchpoints: [{ id: touchpoint, stage, label: 'negative' }],
    });
  for (let i = 0; i < 6; i++) await fact(`d${i}`, i, 'delivery', 'receive');
  // The wave reached support: 3 complaints in one quarter of its window.
  for (let i = 0; i < 3; i++) await fact(`s${i}`, i, 'support', 'get-help');

  const since = openedAt;
  const evidence: AlertEvidence = {
    observed: 14,
    expected: 1.2,
    score: 62,
    facts: {
      since,
      until: new Date(quarter(Date.now())),
      negatives: 14,
      counted: 14,
      expected: 1.2,
      usualPerDay: 0.5,
      authors: 11,
      sources: 1,
      topAuthorShare: 2 / 14,
      negativeShare: 0.8,
      usualShare: 0.2,
      reshares: 3,
      contagion: 1,
      pValue: 1e-8,
    },
    negativeShare: 0.8,
    authors: 11,
    sources: ['reviews'],
    reach: 2.4,
    quotes: [
      {
        mentionId: 'm1',
        source: 'reviews',
        url: 'javascript:alert(1)',
        author: 'ann',
        quote: `Colis <b>toujours</b> pas arrivé ${HOSTILE}`,
        lang: 'fr',
        reach: 2,
        publishedAt: new Date(),
      },
    ],
  };
  const { alert } = await app.rt.alerts.openOnce({
    key: `weak-link:delivery:${openedAt.toISOString()}`,
    kind: 'weak-link',
    touchpoint: { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
    title: 'Delivery / Livraison',
    openedAt,
    severity: 'critical',
    evidence,
  });
  return { alertId: alert.id };
}
