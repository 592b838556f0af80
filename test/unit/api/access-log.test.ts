/**
 * The request's id and its user on every line logged while serving it, and one access-log line
 * per request (method, route pattern, status, duration, user), with its duration counted by
 * route. A small Express app on a loopback port, wired as app.ts wires it.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import express, { type NextFunction, type Request, type Response } from 'express';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessLog, NO_ROUTE } from '../../../src/api/access-log.js';
import { createLogger, requestContext, setRequestUser } from '../../../src/logger.js';

interface Line {
  level: number;
  msg: string;
  reqId?: string;
  user?: string;
  method?: string;
  route?: string | null;
  path?: string;
  status?: number;
  ms?: number;
}

const lines: Line[] = [];
const observed: { method: string; route: string; status: number; seconds: number }[] = [];
let server: Server;
let base: string;

beforeAll(async () => {
  const logger = createLogger(
    { level: 'debug', format: 'json' },
    new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Line);
        done();
      },
    }),
  );
  const app = express();
  app.use((req: Request, _res: Response, next: NextFunction) => {
    requestContext.run({ reqId: req.get('x-request-id') ?? randomUUID() }, next);
  });
  app.use(accessLog({ logger, observe: (r) => observed.push(r) }));
  // What the auth layer does once it knows the caller.
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const who = req.get('x-test-user');
    if (who) setRequestUser(who);
    next();
  });
  app.get('/api/v1/alerts/:id', async (req: Request, res: Response) => {
    await new Promise((r) => setTimeout(r, 5));
    logger.info({ alertId: req.params.id }, 'handling');
    res.status(200).json({ ok: true });
  });
  app.get('/healthz', (_req: Request, res: Response) => {
    res.status(200).json({ status: 'ok' });
  });
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'route_not_found' } });
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  lines.length = 0;
  observed.length = 0;
});

/** The access-log line of a request, once written (after the response is sent). */
async function accessLine(reqId: string): Promise<Line> {
  for (let i = 0; i < 100; i++) {
    const line = lines.find((l) => l.msg === 'request' && l.reqId === reqId);
    if (line) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no access-log line for ${reqId}`);
}

describe('request logs', () => {
  it("carry the request id and the user on the handler's lines and the access line", async () => {
    const res = await fetch(`${base}/api/v1/alerts/abc123?q=secret+words`, {
      headers: { 'x-request-id': 'req-1', 'x-test-user': 'key:k1' },
    });
    expect(res.status).toBe(200);
    const access = await accessLine('req-1');
    expect(lines.find((l) => l.msg === 'handling')).toMatchObject({
      reqId: 'req-1',
      user: 'key:k1',
    });
    expect(access).toMatchObject({
      level: 30,
      reqId: 'req-1',
      user: 'key:k1',
      method: 'GET',
      route: '/api/v1/alerts/:id',
      path: '/api/v1/alerts/abc123',
      status: 200,
    });
    expect(access.ms).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect(observed).toEqual([
      {
        method: 'GET',
        route: '/api/v1/alerts/:id',
        status: 200,
        seconds: expect.any(Number) as number,
      },
    ]);
  });

  it('name no user before one is known, and count unmatched paths under one label', async () => {
    expect(
      (await fetch(`${base}/nowhere/42`, { headers: { 'x-request-id': 'req-2' } })).status,
    ).toBe(404);
    const access = await accessLine('req-2');
    expect(access).toMatchObject({ route: null, path: '/nowhere/42', status: 404 });
    expect(access).not.toHaveProperty('user');
    expect(observed[0]).toMatchObject({ route: NO_ROUTE, status: 404 });
  });

  it('log probes at debug level, not info', async () => {
    await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'req-3' } });
    expect((await accessLine('req-3')).level).toBe(20);
  });

  it('keep one request apart from another running at the same time', async () => {
    await Promise.all(
      ['a', 'b', 'c'].map((u) =>
        fetch(`${base}/api/v1/alerts/${u}`, {
          headers: { 'x-request-id': `par-${u}`, 'x-test-user': `user-${u}` },
        }),
      ),
    );
    for (const u of ['a', 'b', 'c']) {
      expect((await accessLine(`par-${u}`)).user).toBe(`user-${u}`);
      expect(lines.find((l) => l.msg === 'handling' && l.reqId === `par-${u}`)?.user).toBe(
        `user-${u}`,
      );
    }
  });
});
