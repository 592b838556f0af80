/**
 * The SSRF guard every outgoing request of Maillon goes through (sources, robots.txt, webhook and
 * Slack deliveries): a URL someone configured must not make the server read its own loopback,
 * the private network it sits in, or the cloud's metadata service, and store the answer where
 * anyone can read it.
 *
 * Two checks, both needed:
 * - before a request and before each redirect hop, `checkUrl`: http(s) only, and a literal
 *   address (in any spelling the WHATWG URL parser normalises: `[::1]`, `0x7f000001`,
 *   `2130706433`, `127.1`, `[::ffff:127.0.0.1]`) or `localhost` is refused at once;
 * - at connect time, in the agents: the address a name resolves to is checked in the socket's own
 *   `lookup`, so the address checked is the address connected to. A name that resolves to a
 *   public address for the first look and to 127.0.0.1 for the connection (DNS rebinding) is
 *   refused, on every hop, whoever follows the redirects.
 *
 * Only globally routable unicast addresses pass (ipaddr.js's `unicast` range, IPv4-mapped IPv6
 * read as IPv4). The explicit allow-list (`HTTP_ALLOW_HOSTS`: `host` or `host:port`) lets a
 * named host through without any check: the tests' and the demo's 127.0.0.1, an intranet feed.
 * It matches the host as written in the URL (normalised), never the address a name resolves
 * to, so allowing 127.0.0.1 does not let `localhost` or a rebinding name in.
 *
 * Requests go out directly: an HTTP(S)_PROXY of the environment is not used, since the guard
 * would then check the proxy's address rather than the site's. Other protocols (SMTP) open their
 * TCP connections through `connect`, under the same rules.
 */
import { lookup as dnsLookup } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect, isIP, type LookupFunction, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ipaddr from 'ipaddr.js';

/** A request refused by the guard; its message names the host and why, never a credential. */
export class BlockedAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlockedAddressError';
  }
}

/** What a host name resolves to; the default is the system resolver (`dns.lookup`). */
export type Resolver = (
  hostname: string,
  opts: { family?: number },
) => Promise<{ address: string; family: number }[]>;

export interface SsrfGuardOptions {
  /** `host` or `host:port` entries let through without any check (see the module's note). */
  allowHosts?: readonly string[];
  /** Tests resolve names without DNS. */
  resolve?: Resolver;
}

export interface SsrfGuard {
  /**
   * Throws `BlockedAddressError` for what can be refused without resolving: another scheme than
   * http(s), a literal address that is not public, `localhost`. Names are checked at connect.
   */
  checkUrl(url: string): void;
  /** Whether the allow-list lets this host (as in a URL, any spelling) and port through. */
  allows(hostname: string, port: number): boolean;
  /** For `http:` requests: connects only to allowed hosts or public addresses. */
  httpAgent: http.Agent;
  /** For `https:` requests: the same. */
  httpsAgent: https.Agent;
  /**
   * A TCP connection to `host:port` under the agents' rules, for protocols other than HTTP (an
   * SMTP server): an allowed host as it is, a literal address only when public, a name through
   * the guarded lookup, so that the address checked is the address connected to. Rejects with
   * `BlockedAddressError` when refused, and on a timeout or an abort.
   */
  connect(
    host: string,
    port: number,
    opts?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<Socket>;
}

/** Why an address is refused, for people; undefined when it is a public unicast address. */
export function refusedRange(address: string): string | undefined {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(address.replace(/^\[|\]$/g, ''));
  } catch {
    return 'unparseable';
  }
  const range = ip.range();
  if (range === 'unicast') {
    // The deprecated IPv4-compatible ::a.b.c.d still reaches IPv4 on some stacks.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0))
      return 'IPv4-compatible';
    return undefined;
  }
  const text = ip.toString();
  if (text === '169.254.169.254' || text === 'fd00:ec2::254') return 'cloud metadata';
  return RANGE_NAMES[range] ?? range;
}

const RANGE_NAMES: Record<string, string> = {
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  carrierGradeNat: 'shared (CGNAT)',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
};

/** A host as the WHATWG URL parser writes it: lower case, IPv4 in dotted quads, IPv6 bracketed. */
export function normalizeHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, '');
  const written = isIP(bare) === 6 ? `[${bare}]` : bare;
  try {
    return new URL(`http://${written}/`).hostname.replace(/\.$/, '');
  } catch {
    return host.toLowerCase();
  }
}

/** Parses `host` or `host:port` ([v6]:port for IPv6); throws on anything else. */
export function parseAllowEntry(entry: string): { host: string; port: number | undefined } {
  const m = /^(\[[0-9a-f:.]+\]|[^\s:/[\]@?#]+)(?::(\d{1,5}))?$/i.exec(entry.trim());
  if (!m?.[1]) throw new Error(`"${entry}" is not a host or host:port`);
  const port = m[2] === undefined ? undefined : Number(m[2]);
  if (port !== undefined && (port < 1 || port > 65535))
    throw new Error(`"${entry}": port out of range`);
  return { host: normalizeHost(m[1]), port };
}

export function createSsrfGuard(opts: SsrfGuardOptions = {}): SsrfGuard {
  const allowed = (opts.allowHosts ?? []).map(parseAllowEntry);
  const resolve: Resolver =
    opts.resolve ??
    ((hostname, o) =>
      new Promise((ok, fail) => {
        dnsLookup(
          hostname,
          { all: true, family: o.family ?? 0, verbatim: true },
          (err, addresses) => (err ? fail(err) : ok(addresses)),
        );
      }));

  const allows = (hostname: string, port: number): boolean => {
    const host = normalizeHost(hostname);
    return allowed.some((a) => a.host === host && (a.port === undefined || a.port === port));
  };

  function checkHost(hostname: string): void {
    const bare = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
    if (isIP(bare)) {
      const why = refusedRange(bare);
      if (why) throw new BlockedAddressError(`${hostname} is a ${why} address`);
      return;
    }
    if (bare === 'localhost' || bare.endsWith('.localhost'))
      throw new BlockedAddressError(`${bare} is this machine`);
  }

  /** `dns.lookup` as net.connect calls it, refusing names that resolve to a refused address. */
  const lookup: LookupFunction = (hostname, options, callback) => {
    const family = typeof options.family === 'number' ? options.family : undefined;
    resolve(hostname, family ? { family } : {}).then(
      (addresses) => {
        const usable = family ? addresses.filter((a) => a.family === family) : addresses;
        // A name with one refused address among public ones is refused whole: the connection
        // could pick any of them.
        for (const a of usable) {
          const why = refusedRange(a.address);
          if (why) {
            callback(
              new BlockedAddressError(`${hostname} resolves to ${a.address}, a ${why} address`),
              '',
            );
            return;
          }
        }
        const first = usable[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname}: no address`);
          err.code = 'ENOTFOUND';
          callback(err, '');
        } else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };

  /**
   * The connection options an agent may open, or the reason it may not: allowed hosts as they
   * are, literal addresses checked here (net.connect does not look them up), names through
   * `lookup`.
   */
  function connectOptions<O extends { host?: string | null; hostname?: string | null }>(
    options: O,
    defaultPort: number,
  ): O | BlockedAddressError {
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number((options as { port?: unknown }).port ?? defaultPort) || defaultPort;
    if (allows(host, port)) return options;
    try {
      checkHost(host);
    } catch (err) {
      return err as BlockedAddressError;
    }
    return { ...options, lookup };
  }

  class GuardedHttpAgent extends http.Agent {
    override createConnection(
      options: http.ClientRequestArgs,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      const checked = connectOptions(options, 80);
      if (checked instanceof BlockedAddressError) {
        // Through the callback, so that the request emits it as its error.
        callback?.(checked, undefined as unknown as Duplex);
        return undefined;
      }
      return super.createConnection(checked, callback);
    }
  }

  class GuardedHttpsAgent extends https.Agent {
    override createConnection(
      options: https.RequestOptions,
      callback?: (err: Error | null, stream: Duplex) => void,
    ): Duplex | null | undefined {
      const checked = connectOptions(options, 443);
      if (checked instanceof BlockedAddressError) {
        callback?.(checked, undefined as unknown as Duplex);
        return undefined;
      }
      return super.createConnection(checked, callback);
    }
  }

  return {
    checkUrl(url) {
      let u: URL;
      try {
        u = new URL(url);
      } catch {
        throw new BlockedAddressError('not a valid URL');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new BlockedAddressError(`${u.protocol} URLs are not fetched`);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      if (allows(u.hostname, port)) return;
      checkHost(u.hostname);
    },
    allows,
    httpAgent: new GuardedHttpAgent(),
    httpsAgent: new GuardedHttpsAgent(),
    connect(host, port, { timeoutMs, signal } = {}) {
      const checked = connectOptions({ host: host.replace(/^\[|\]$/g, ''), port }, port);
      if (checked instanceof BlockedAddressError) return Promise.reject(checked);
      return new Promise<Socket>((connected, reject) => {
        const socket = netConnect(checked);
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(
                () => fail(new Error(`${host}:${port}: no connection after ${timeoutMs} ms`)),
                timeoutMs,
              );
        const onAbort = () => fail(new Error(`${host}:${port}: connection aborted`));
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          socket.off('error', fail);
        };
        function fail(err: Error): void {
          done();
          socket.destroy();
          reject(err);
        }
        socket.once('error', fail);
        socket.once('connect', () => {
          done();
          connected(socket);
        });
        if (signal?.aborted) onAbort();
        else signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}
