/**
 * The OpenAPI document is the route table: every route is in it with its role, and real answers
 * of the running API hold to it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../../src/api/routes.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { openApiChecker, type OpenApiChecker } from '../../helpers/openapi.js';

let app: TestApp;
let doc: Record<string, unknown>;
let checker: OpenApiChecker;

beforeAll(async () => {
  app = await startTestApp({ workers: [] });
  const res = await fetch(`${app.url}/api/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /api/openapi.json: ${res.status}`);
  doc = (await res.json()) as Record<string, unknown>;
  checker = openApiChecker(doc);
});
afterAll(async () => {
  await app?.stop();
});

/** Calls the API as `role` and holds the answer to the document. */
async function call(
  role: 'admin' | 'viewer' | 'anonymous',
  method: string,
  path: string,
  body?: unknown,
) {
  const res = await app.as(role)(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const json: unknown = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  checker.check(method, path, res.status, json);
  return { status: res.status, body: json as Record<string, unknown> };
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and lists every route of the table with its role', () => {
    expect(doc.openapi).toBe('3.1.0');
    const paths = doc.paths as Record<
      string,
      Record<string, { 'x-role': string; responses: object }>
    >;
    for (const r of routes) {
      const op = paths[r.path.replace(/:(\w+)/g, '{$1}')]?.[r.method];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      expect(op!['x-role']).toBe(r.access);
      const denials = r.access === 'public' ? [] : ['401', '403'];
      expect(Object.keys(op!.responses)).toEqual(expect.arrayContaining(denials));
    }
  });

  it('holds real answers, errors included', async () => {
    await call('anonymous', 'GET', '/healthz');
    await call('anonymous', 'GET', '/readyz');
    await call('viewer', 'GET', '/api/v1/touchpoints');
    await call('viewer', 'GET', '/api/v1/sources');
    await call('viewer', 'GET', '/api/v1/alerts');
    await call('viewer', 'GET', '/api/v1/deliveries');
    await call('viewer', 'GET', '/api/v1/session');
    await call('anonymous', 'GET', '/api/v1/alerts');
    await call('viewer', 'GET', '/api/v1/alerts?status=nope');
    await call('viewer', 'GET', '/api/v1/alerts/0123456789abcdef01234567');
    await call('viewer', 'POST', '/api/v1/keys', { name: 'x', role: 'viewer' });

    const { alert } = await app.rt.alerts.openOnce({
      key: 'weak-link:delivery:openapi',
      kind: 'weak-link',
      touchpoint: { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
      title: 'delivery',
      openedAt: new Date('2026-03-01T09:00:00Z'),
      severity: 'warning',
      evidence: {
        observed: 5,
        expected: 1,
        score: 3,
        negativeShare: 0.5,
        authors: 4,
        sources: ['reviews'],
        reach: 10,
        quotes: [],
      },
    });
    await call('viewer', 'GET', `/api/v1/alerts/${alert.id}`);
    await call('admin', 'POST', `/api/v1/alerts/${alert.id}/comments`, { text: 'on it' });
    await call('admin', 'POST', `/api/v1/alerts/${alert.id}/assign`, { to: null });
    await call('admin', 'POST', `/api/v1/alerts/${alert.id}/snooze`, { minutes: 30 });
    await call('admin', 'GET', '/api/v1/alerts?limit=1');

    const user = await call('admin', 'POST', '/api/v1/users', {
      email: 'marc@example.com',
      name: 'Marc',
      role: 'viewer',
    });
    expect(user.status).toBe(201);
    await call('admin', 'POST', '/api/v1/users', {
      email: 'marc@example.com',
      name: 'Marc',
      role: 'viewer',
    });
    await call('admin', 'GET', '/api/v1/users');
    await call('admin', 'PATCH', '/api/v1/users/marc@example.com', { role: 'manager' });
    const key = await call('admin', 'POST', '/api/v1/keys', { name: 'CRM', role: 'manager' });
    await call('admin', 'GET', '/api/v1/keys');
    await call('admin', 'DELETE', `/api/v1/keys/${String(key.body.id)}`);
    await call('admin', 'DELETE', '/api/v1/users/marc@example.com');
    await call('admin', 'POST', '/api/v1/mentions', [{ source: 'x' }]);
    await call('anonymous', 'GET', '/api/openapi.json');
    expect(checker.covered.size).toBeGreaterThan(15);
  });

  it('is browsable at /api/docs', async () => {
    const page = await fetch(`${app.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    for (const src of [...html.matchAll(/(?:src|href)="(\/[^"]+)"/g)].map((m) => m[1]!))
      expect((await fetch(`${app.url}${src}`)).status, src).toBe(200);
  });
});
