/**
 * The SSRF guard on its own: every spelling of a refused address, the allow-list, and names
 * whose addresses are refused at connect time (an injected resolver stands in for DNS).
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BlockedAddressError,
  createSsrfGuard,
  parseAllowEntry,
  refusedRange,
  type Resolver,
} from '../../../src/net/ssrf.js';
import { startHttpServer, type TestServer } from '../../helpers/http-server.js';

/** The guard's refusal message; anything else (no refusal, another error) fails the test. */
function refusal(check: () => void): string {
  let caught: unknown;
  try {
    check();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(BlockedAddressError);
  return (caught as Error).message;
}

describe('refusedRange', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'cloud metadata'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'cloud metadata'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a00:1', 'private'],
    ['::7f00:1', 'IPv4-compatible'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address, why) => {
    expect(refusedRange(address)).toBe(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '2a00:1450:4007:80f::200e'])(
    'lets the public address %s through',
    (address) => {
      expect(refusedRange(address)).toBeUndefined();
    },
  );
});

describe('checkUrl', () => {
  const guard = createSsrfGuard();

  it.each([
    ['http://[::1]/', '[::1] is a loopback address'],
    ['http://0x7f000001/', '127.0.0.1 is a loopback address'],
    ['http://2130706433/', '127.0.0.1 is a loopback address'],
    ['http://127.1/', '127.0.0.1 is a loopback address'],
    ['http://0177.0.0.1/', '127.0.0.1 is a loopback address'],
    ['http://[::ffff:127.0.0.1]:8080/', 'loopback address'],
    ['http://localhost:3000/api', 'localhost is this machine'],
    ['http://LOCALHOST./', 'localhost is this machine'],
    ['http://admin.localhost/', 'admin.localhost is this machine'],
    ['http://169.254.169.254/latest/meta-data/', 'cloud metadata'],
    ['http://[fd00:ec2::254]/', 'cloud metadata'],
    ['https://10.0.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://100.100.100.200/', 'shared (CGNAT)'],
    ['http://0.0.0.0:6379/', 'unspecified'],
    ['http://[fe80::1]/', 'link-local'],
    ['file:///etc/passwd', 'file: URLs are not fetched'],
    ['gopher://127.0.0.1:6379/_INFO', 'gopher: URLs are not fetched'],
    ['not a url', 'not a valid URL'],
  ])('refuses %s', (url, why) => {
    expect(refusal(() => guard.checkUrl(url))).toContain(why);
  });

  it('lets public literal addresses and names through (names are checked at connect)', () => {
    expect(() => guard.checkUrl('https://93.184.216.34/feed')).not.toThrow();
    expect(() => guard.checkUrl('https://[2606:4700::1111]/')).not.toThrow();
    expect(() => guard.checkUrl('https://example.com/feed.xml')).not.toThrow();
  });
});

describe('the allow-list', () => {
  it('lets a named host through in any spelling, and nothing else', () => {
    const guard = createSsrfGuard({ allowHosts: ['127.0.0.1'] });

    expect(() => guard.checkUrl('http://127.0.0.1:4000/feed.xml')).not.toThrow();
    expect(() => guard.checkUrl('http://0x7f000001/')).not.toThrow();
    expect(refusal(() => guard.checkUrl('http://localhost:4000/'))).toContain('this machine');
    expect(refusal(() => guard.checkUrl('http://[::1]:4000/'))).toContain('loopback');
    expect(refusal(() => guard.checkUrl('http://127.0.0.2/'))).toContain('loopback');
  });

  it('holds a host:port entry to that port', () => {
    const guard = createSsrfGuard({
      allowHosts: ['127.0.0.1:8080', '[::1]:9000', 'Intranet.Local'],
    });

    expect(() => guard.checkUrl('http://127.0.0.1:8080/')).not.toThrow();
    expect(() => guard.checkUrl('http://[::1]:9000/')).not.toThrow();
    expect(guard.allows('intranet.local', 443)).toBe(true);
    expect(refusal(() => guard.checkUrl('http://127.0.0.1:8081/'))).toContain('loopback');
    expect(refusal(() => guard.checkUrl('http://127.0.0.1/'))).toContain('loopback');
  });

  it('reads host and host:port entries, and refuses anything else', () => {
    expect(parseAllowEntry('127.0.0.1')).toEqual({ host: '127.0.0.1', port: undefined });
    expect(parseAllowEntry(' Feeds.Example:8443 ')).toEqual({ host: 'feeds.example', port: 8443 });
    expect(parseAllowEntry('[::1]:80')).toEqual({ host: '[::1]', port: 80 });
    expect(() => parseAllowEntry('http://x/')).toThrow('is not a host or host:port');
    expect(() => parseAllowEntry('a:b')).toThrow('is not a host or host:port');
    expect(() => parseAllowEntry('x:70000')).toThrow('port out of range');
  });
});

describe('at connect time', () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  /** A GET through the guard's agent; resolves to the status or rejects with the error. */
  function get(agent: http.Agent, url: string): Promise<number> {
    return new Promise((resolve, reject) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
  }

  async function refusedWith(p: Promise<unknown>): Promise<string> {
    const caught = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(caught).toBeInstanceOf(BlockedAddressError);
    return (caught as Error).message;
  }

  it('refuses a name that resolves to a private address, without connecting', async () => {
    const resolve: Resolver = async () => [{ address: '10.0.0.7', family: 4 }];
    const guard = createSsrfGuard({ resolve });

    expect(await refusedWith(get(guard.httpAgent, 'http://internal.example/'))).toBe(
      'internal.example resolves to 10.0.0.7, a private address',
    );
  });

  it('refuses a name with one refused address among public ones', async () => {
    const resolve: Resolver = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '169.254.169.254', family: 4 },
    ];
    const guard = createSsrfGuard({ resolve });

    expect(await refusedWith(get(guard.httpAgent, 'http://mixed.example/'))).toContain(
      'cloud metadata',
    );
  });

  it('checks the address connected to: a name that rebinds to 127.0.0.1 never reaches it', async () => {
    server = await startHttpServer((_req, res) => void res.writeHead(200).end('internal'));
    const port = new URL(server.url).port;
    let looks = 0;
    // Public for whoever looks first (a check before the request), loopback afterwards.
    const resolve: Resolver = async () =>
      looks++ === 0
        ? [{ address: '93.184.216.34', family: 4 }]
        : [{ address: '127.0.0.1', family: 4 }];
    const guard = createSsrfGuard({ allowHosts: ['127.0.0.1'], resolve });
    await resolve('rebind.example', {});

    expect(await refusedWith(get(guard.httpAgent, `http://rebind.example:${port}/`))).toContain(
      'resolves to 127.0.0.1, a loopback address',
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a literal address in the agent too, whoever built the request', async () => {
    const guard = createSsrfGuard();

    expect(await refusedWith(get(guard.httpAgent, 'http://127.0.0.1:9/'))).toBe(
      '127.0.0.1 is a loopback address',
    );
  });

  it('connects to an allowed host as it is', async () => {
    server = await startHttpServer((_req, res) => void res.writeHead(204).end());
    const guard = createSsrfGuard({ allowHosts: ['localhost'] });
    const port = new URL(server.url).port;

    expect(await get(guard.httpAgent, `http://localhost:${port}/`)).toBe(204);
  });
});
