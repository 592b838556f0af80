/**
 * Leases across processes, kept in Redis: one holder per name at a time. A lease is taken with
 * `SET NX PX` and a random token; only its holder (the token, compared in Lua) can extend or
 * release it; and it expires on its own when its holder dies, so a crashed process blocks a name
 * for one TTL at most. While held it is extended every third of its TTL.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface Lease {
  /** Aborted when the lease is lost while held: it expired and another holder may have it. */
  readonly signal: AbortSignal;
  /** Gives the lease back if it is still ours. Never rejects: a lease left behind expires. */
  release(): Promise<void>;
}

export interface Leases {
  /** The lease on `name`, or undefined when another holder has it. */
  acquire(name: string): Promise<Lease | undefined>;
}

/** Deletes the key only if it still holds our token (not a later holder's). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;
/** Extends the key only if it still holds our token. */
const EXTEND = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;

/** Long enough for a slow fetch between two extensions, short enough after a crash. */
export const DEFAULT_LEASE_MS = 30_000;

export function createLeases(
  redis: Redis,
  opts: {
    /** The installation's key prefix (QUEUE_PREFIX): two installations never share a lease. */
    prefix: string;
    /** @default DEFAULT_LEASE_MS */
    ttlMs?: number;
  },
): Leases {
  const ttlMs = opts.ttlMs ?? DEFAULT_LEASE_MS;
  return {
    async acquire(name) {
      const key = `${opts.prefix}:lease:${name}`;
      const token = randomUUID();
      if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;

      const lost = new AbortController();
      let lastHeld = Date.now();
      let released = false;
      const timer = setInterval(
        () => {
          const asked = Date.now();
          redis.eval(EXTEND, 1, key, token, ttlMs).then(
            (n) => {
              if (released) return;
              if (n === 1) lastHeld = asked;
              else stop(new Error(`lease ${name}: expired and taken`));
            },
            () => {
              // Redis out of reach: the key expires on its own time, so count from the last
              // extension that got through.
              if (!released && Date.now() - lastHeld >= ttlMs)
                stop(new Error(`lease ${name}: not extended within ${ttlMs} ms`));
            },
          );
        },
        Math.max(1, Math.floor(ttlMs / 3)),
      );
      timer.unref();
      const stop = (reason?: Error) => {
        clearInterval(timer);
        if (reason && !lost.signal.aborted) lost.abort(reason);
      };

      return {
        signal: lost.signal,
        async release() {
          if (released) return;
          released = true;
          stop();
          await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
        },
      };
    },
  };
}
