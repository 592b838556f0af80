/**
 * Webhook and Slack deliveries go through the same SSRF guard as the sources: a receiver on the
 * loopback, the private network or the metadata service is refused unless allowed by name, a
 * redirect is never followed, and no error carries the receiver's URL or the signed headers.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { postBody, type NotifierDeps } from '../../../src/alerts/channels/_types.js';
import { DeliveryError } from '../../../src/errors.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

const deps = (allowHosts?: string[]): NotifierDeps => ({
  logger: pino({ level: 'silent' }),
  publicUrl: 'https://maillon.example',
  timeoutMs: 2000,
  now: () => new Date(),
  timeZone: 'Europe/Paris',
  ...(allowHosts ? { allowHosts } : {}),
});
const SIGNED = { 'Content-Type': 'application/json', 'X-Maillon-Signature': 'v1=deadbeef' };

async function deliveryFailure(p: Promise<unknown>): Promise<DeliveryError> {
  const caught = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(caught).toBeInstanceOf(DeliveryError);
  return caught as DeliveryError;
}

describe('postBody', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://10.0.0.8/hooks/T/B/secret-path', 'private'],
    ['http://[::1]:9/hook', 'loopback'],
    ['http://localhost:9/hook', 'this machine'],
  ])('refuses a receiver at %s, and shows not its URL', async (url, why) => {
    const err = await deliveryFailure(postBody(deps(), 'hook', url, '{}', SIGNED));

    expect(err.message).toMatch(/^hook: receiver refused: /);
    expect(err.message).toContain(why);
    expect(err.message).not.toContain('secret-path');
  });

  it('posts to a receiver the configuration allows by name', async () => {
    server = await startHttpServer((_req, res) => void res.writeHead(204).end());

    await postBody(deps(['127.0.0.1']), 'hook', `${server.url}/hook`, '{"a":1}', SIGNED);

    expect(server.requests[0]?.body).toBe('{"a":1}');
  });

  it('refuses 127.0.0.1 when the configuration does not allow it', async () => {
    server = await startHttpServer((_req, res) => void res.writeHead(204).end());

    const err = await deliveryFailure(postBody(deps(), 'hook', `${server.url}/hook`, '{}', SIGNED));

    expect(err.message).toContain('127.0.0.1 is a loopback address');
    expect(server.requests).toHaveLength(0);
  });

  it('follows no redirect', async () => {
    server = await startHttpServer((_req, res) => {
      res.writeHead(307, { Location: 'http://169.254.169.254/' }).end();
    });

    const err = await deliveryFailure(
      postBody(deps(['127.0.0.1']), 'hook', `${server.url}/hook`, '{}', SIGNED),
    );

    expect(err).toMatchObject({ status: 307 });
    expect(server.requests).toHaveLength(1);
  });

  it('keeps the signed headers and the URL out of what a logged error carries', async () => {
    // A receiver gone: the error is axios's own, whose config holds the URL and the headers.
    const gone = await startHttpServer(() => {});
    const url = `${gone.url}/services/T000/B000/XXXXSECRET`;
    await gone.close();
    const lines: string[] = [];
    const log = pino({}, { write: (l: string) => void lines.push(l) });

    const err = await deliveryFailure(postBody(deps(['127.0.0.1']), 'slack', url, '{}', SIGNED));
    log.warn({ err }, 'delivery failed');

    expect(err.message).toMatch(/^slack: receiver unreachable: /);
    expect(lines.join('\n')).not.toMatch(/XXXXSECRET|deadbeef/);
  });
});
