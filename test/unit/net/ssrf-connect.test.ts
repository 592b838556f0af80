/**
 * The SSRF guard's TCP connections, for protocols other than HTTP (SMTP): the same rules as its
 * agents. A literal private address, `localhost` and a name that resolves to a private address
 * are refused without a connection; an allowed host connects; a timeout and an abort end the
 * attempt.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlockedAddressError, createSsrfGuard, type Resolver } from '../../../src/net/ssrf.js';

describe('SsrfGuard.connect', () => {
  let server: Server;
  let port: number;
  let accepted = 0;
  const open: Socket[] = [];

  beforeEach(async () => {
    accepted = 0;
    server = createServer((s) => {
      accepted += 1;
      open.push(s);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterEach(async () => {
    for (const s of open.splice(0)) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function refusal(p: Promise<Socket>): Promise<string> {
    const caught = await p.then(
      (s) => {
        s.destroy();
        return undefined;
      },
      (err: unknown) => err,
    );
    expect(caught).toBeInstanceOf(BlockedAddressError);
    return (caught as Error).message;
  }

  it('refuses the loopback, localhost and the private network unless allowed', async () => {
    const guard = createSsrfGuard();
    expect(await refusal(guard.connect('127.0.0.1', port))).toBe('127.0.0.1 is a loopback address');
    expect(await refusal(guard.connect('[::1]', port))).toBe('::1 is a loopback address');
    expect(await refusal(guard.connect('localhost', port))).toBe('localhost is this machine');
    expect(await refusal(guard.connect('10.0.0.25', 25))).toBe('10.0.0.25 is a private address');
    expect(accepted).toBe(0);
  });

  it('refuses a name that resolves to a private address, at connect time', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const guard = createSsrfGuard({ resolve });
    expect(await refusal(guard.connect('smtp.rebind.example', port))).toBe(
      'smtp.rebind.example resolves to 127.0.0.1, a loopback address',
    );
    expect(accepted).toBe(0);
  });

  it('connects to an allowed host, and only on an allowed port', async () => {
    const guard = createSsrfGuard({ allowHosts: [`127.0.0.1:${port}`] });
    const socket = await guard.connect('127.0.0.1', port);
    expect(socket.remotePort).toBe(port);
    socket.destroy();
    await expect.poll(() => accepted).toBe(1);
    expect(await refusal(guard.connect('127.0.0.1', port + 1))).toMatch(/loopback/);
  });

  it('gives up after its timeout, and on an abort', async () => {
    // A name that never resolves stands for a server that never answers.
    const resolve: Resolver = () => new Promise(() => {});
    const guard = createSsrfGuard({ resolve });
    await expect(guard.connect('slow.example', 25, { timeoutMs: 50 })).rejects.toThrow(
      'slow.example:25: no connection after 50 ms',
    );
    const ctl = new AbortController();
    const pending = guard.connect('slow.example', 25, { signal: ctl.signal });
    ctl.abort();
    await expect(pending).rejects.toThrow('slow.example:25: connection aborted');
  });
});
