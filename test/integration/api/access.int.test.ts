/**
 * Who may do what: every route of the table, for every role and for nobody; sign-in to a session
 * with its cookie and CSRF token; keys shown once and revoked at once; the sign-in and refused-key
 * rate limits;
 * security headers and CORS.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser } from '../../../src/access/provision.js';
import { routes } from '../../../src/api/routes.js';
import { REPO_ROOT } from '../../../src/devtools/mongo-dev.js';
import { ROLES, roleIncludes, type Role } from '../../../src/domain/vocabulary.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';

let app: TestApp;

beforeAll(async () => {
  app = await startTestApp({
    workers: [],
    env: { SIGN_IN_RATE_LIMIT: '100', API_CORS_ORIGINS: 'https://crm.example.com' },
  });
});
afterAll(async () => {
  await app?.stop();
});

/** A concrete path for a route's template: ids that exist nowhere. */
const concrete = (template: string) =>
  template.replace(/:id\b/g, '0123456789abcdef01234567').replace(/:key\b/g, 'no-such-delivery');

describe('the role matrix', () => {
  const callers: (Role | 'anonymous')[] = ['anonymous', ...ROLES];
  for (const route of routes) {
    it(`${route.method.toUpperCase()} ${route.path} needs ${route.access}`, async () => {
      for (const who of callers) {
        const res = await app.as(who)(concrete(route.path), {
          method: route.method.toUpperCase(),
          ...(route.method === 'get' || route.method === 'delete' ? {} : { body: '{}' }),
        });
        await res.arrayBuffer();
        const allowed =
          route.access === 'public' || (who !== 'anonymous' && roleIncludes(who, route.access));
        const expected = allowed ? 'allowed' : who === 'anonymous' ? 401 : 403;
        const got = res.status === 401 || res.status === 403 ? res.status : 'allowed';
        expect(got, `${who} → ${res.status}`).toBe(expected);
      }
    });
  }
});

describe('Bull Board', () => {
  it('opens /admin/queues to admins only', async () => {
    const statuses = [];
    for (const who of ['anonymous', ...ROLES] as const) {
      const res = await app.as(who)('/admin/queues/api/queues');
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 403, 403, 200]);
  });
});

describe('dashboard sessions', () => {
  const email = 'claire@example.com';
  const password = 'correct horse battery';

  beforeAll(async () => {
    await makeUser(app.rt.access, {
      email,
      name: 'Claire Martin',
      role: 'manager',
      password,
      createdBy: 'test',
    });
  });

  const signIn = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${app.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('signs in with a password into an HttpOnly, SameSite=Lax cookie, and needs the CSRF token to act', async () => {
    const res = await signIn({ email: 'Claire@Example.com', password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { user: { id: string; role: string }; csrfToken: string };
    expect(body.user).toMatchObject({ id: email, role: 'manager', via: 'session' });
    const setCookie = res.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^maillon_session=[\w-]{40,};/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i); // plain http here
    const cookie = setCookie.split(';')[0]!;

    const me = await fetch(`${app.url}/api/v1/session`, { headers: { cookie } });
    expect(((await me.json()) as { csrfToken: string }).csrfToken).toBe(body.csrfToken);

    const { alert } = await app.rt.alerts.openOnce({
      key: 'weak-link:delivery:session-test',
      kind: 'weak-link',
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
    const ack = (headers: Record<string, string>) =>
      fetch(`${app.url}/api/v1/alerts/${alert.id}/acknowledge`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    const noToken = await ack({});
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toMatch(
      /CSRF/,
    );
    expect((await ack({ 'x-csrf-token': 'wrong' })).status).toBe(403);
    const ok = await ack({ 'x-csrf-token': body.csrfToken });
    expect(ok.status).toBe(200);
    const acked = (await ok.json()) as { history: { by?: string; byId?: string }[] };
    expect(acked.history.at(-1)).toMatchObject({ by: 'Claire Martin', byId: email });

    // Signed out: the cookie no longer opens anything.
    const out = await fetch(`${app.url}/api/v1/session`, {
      method: 'DELETE',
      headers: { cookie, 'x-csrf-token': body.csrfToken },
    });
    expect(out.status).toBe(204);
    expect((await fetch(`${app.url}/api/v1/session`, { headers: { cookie } })).status).toBe(401);
  });

  it('marks the cookie Secure over https (behind a trusted proxy)', async () => {
    const proxied = await startTestApp({ workers: [], env: { TRUST_PROXY: 'true' } });
    try {
      await makeUser(proxied.rt.access, {
        email,
        name: 'Claire',
        role: 'viewer',
        password,
        createdBy: 'test',
      });
      const res = await fetch(`${proxied.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
        body: JSON.stringify({ email, password }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    } finally {
      await proxied.stop();
    }
  });

  it('signs in with an API key, with the key’s role', async () => {
    const res = await signIn({ key: app.keys.viewer });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { user: unknown }).user).toMatchObject({
      role: 'viewer',
      via: 'session',
    });
  });

  it('answers a wrong password and an unknown user alike', async () => {
    const wrong = await signIn({ email, password: 'not the password' });
    const unknown = await signIn({ email: 'nobody@example.com', password });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.text()).toBe(await unknown.text());
  });

  it('limits sign-in attempts per IP address', async () => {
    const strict = await startTestApp({ workers: [], env: { SIGN_IN_RATE_LIMIT: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${strict.url}/api/v1/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password: 'x' }),
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await strict.stop();
    }
  });

  it('limits requests with a refused API key per IP, working keys not counted', async () => {
    const strict = await startTestApp({ workers: [], env: { SIGN_IN_RATE_LIMIT: '3' } });
    try {
      const get = async (key: string) => {
        const res = await fetch(`${strict.url}/api/v1/alerts`, {
          headers: { authorization: `Bearer ${key}` },
        });
        await res.arrayBuffer();
        return res.status;
      };
      const good = strict.keys.viewer;
      const working: number[] = [];
      for (let i = 0; i < 5; i++) working.push(await get(good));
      expect(working).toEqual([200, 200, 200, 200, 200]);
      // The same key id with guessed secrets: each would cost a slow hash.
      const guessed: number[] = [];
      for (let i = 0; i < 5; i++)
        guessed.push(await get(`${good.slice(0, 17)}${'x'.repeat(31)}${i}`));
      expect(guessed).toEqual([401, 401, 401, 429, 429]);
      // Then that IP waits out the minute, a working key too; a probe still answers.
      expect(await get(good)).toBe(429);
      expect((await fetch(`${strict.url}/healthz`)).status).toBe(200);
    } finally {
      await strict.stop();
    }
  });
});

describe('API keys', () => {
  it('shows a key once, stores only its hash, and revokes it at once', async () => {
    const admin = app.as('admin');
    const made = await admin('/api/v1/keys', {
      method: 'POST',
      body: JSON.stringify({ name: 'Prometheus', role: 'viewer' }),
    });
    expect(made.status).toBe(201);
    const { id, key } = (await made.json()) as { id: string; key: string };
    expect(key).toMatch(/^mlk_[0-9a-f]{12}_/);
    // `mlk_<12 hex>_` then the secret (base64url: it may hold '_' itself).
    const secret = key.slice(17);
    expect(secret).toHaveLength(32);
    const listed = await (await admin('/api/v1/keys')).text();
    expect(listed).toContain(id);
    expect(listed).not.toContain(secret);
    const stored = await app.rt.mongo.db.collection('apikeys').findOne({ _id: id as never });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(stored?.hash).toMatch(/^scrypt\$/);

    const use = () =>
      fetch(`${app.url}/api/v1/alerts`, { headers: { authorization: `Bearer ${key}` } });
    expect((await use()).status).toBe(200);
    expect((await admin(`/api/v1/keys/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await use()).status).toBe(401);
    // A key with a right id and a wrong secret, or no key shape at all: 401.
    const forged = `${key.slice(0, 17)}${'A'.repeat(32)}`;
    const res = await fetch(`${app.url}/api/v1/alerts`, {
      headers: { authorization: `Bearer ${forged}` },
    });
    expect(res.status).toBe(401);
  });

  it('keeps at least one admin', async () => {
    const admin = app.as('admin');
    const made = await admin('/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({ email: 'boss@example.com', name: 'Boss', role: 'admin' }),
    });
    expect(made.status).toBe(201);
    const { password } = (await made.json()) as { password: string };
    expect(password).toMatch(/^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
    const demote = await admin('/api/v1/users/boss@example.com', {
      method: 'PATCH',
      body: JSON.stringify({ role: 'viewer' }),
    });
    expect(demote.status).toBe(409);
  });
});

describe('headers', () => {
  it('sends security headers, and CORS only to configured origins', async () => {
    const page = await fetch(`${app.url}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    const api = app.as('viewer');
    const other = await api('/api/v1/alerts', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const crm = await api('/api/v1/alerts', { headers: { origin: 'https://crm.example.com' } });
    expect(crm.headers.get('access-control-allow-origin')).toBe('https://crm.example.com');
  });
});

describe('maillon admin create', () => {
  it('makes the first admin on the command line, who then signs in and makes keys', async () => {
    const run = promisify(execFile);
    const env = {
      ...process.env,
      MONGODB_URL: app.config.mongo.url,
      REDIS_URL: app.config.redis.url,
    };
    const cli = path.join(REPO_ROOT, 'bin/maillon.js');
    const { stdout } = await run(
      cli,
      ['admin', 'create', '--email', 'Ops@Example.com', '--name', 'Ops', '--json'],
      { env },
    );
    const made = JSON.parse(stdout) as { user: { id: string; role: string }; password: string };
    expect(made.user).toMatchObject({ id: 'ops@example.com', role: 'admin' });
    const again = (await run(
      cli,
      ['admin', 'create', '--email', 'ops@example.com', '--name', 'Ops'],
      {
        env,
      },
    ).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists already/);

    const signIn = await fetch(`${app.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: made.password }),
    });
    expect(signIn.status).toBe(200);
    const { csrfToken } = (await signIn.json()) as { csrfToken: string };
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const key = await fetch(`${app.url}/api/v1/keys`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Prometheus', role: 'viewer' }),
    });
    expect(key.status).toBe(201);
    expect(((await key.json()) as { createdBy: string }).createdBy).toBe('ops@example.com');
  });
});
