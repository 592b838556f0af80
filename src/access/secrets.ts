/**
 * The secrets people hold: passwords, API keys and session tokens, and how we keep them. We
 * never store one: passwords and API keys are kept as scrypt hashes (slow on purpose, so that a
 * stolen table cannot be tried at speed), session tokens as SHA-256 digests (they are random and
 * short-lived: a fast digest is enough, and each request looks one up).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt's cost: N = 2^15 takes tens of milliseconds and 32 MB; the parameters are stored. */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function scryptAsync(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...opts, maxmem: 256 * opts.N! * opts.r! }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** `scrypt$N$r$p$salt$hash` (base64url), so that the cost can change without breaking old hashes. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, SCRYPT);
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, hash] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A random token, URL-safe. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** The digest a session token is stored and looked up under. */
export function digestToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * API keys read `mlk_<id>_<secret>`: the id finds the key in one lookup, the secret is checked
 * against its hash. The prefix lets secret scanners recognise a leaked key.
 */
export const API_KEY_PREFIX = 'mlk_';

export function newApiKey(): { id: string; secret: string; key: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomToken(24);
  return { id, secret, key: `${API_KEY_PREFIX}${id}_${secret}` };
}

/** The id and secret of a key as a client sent it, or null when it is not shaped like one. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const m = /^mlk_([0-9a-f]{12})_([\w-]{32})$/.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : null;
}

/** A password people can type and read aloud: 4 groups of 5 letters and digits (~100 bits). */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join('')).join('-');
}
