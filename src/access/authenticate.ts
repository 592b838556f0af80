/**
 * Who is asking: an API key (`Authorization: Bearer mlk_...`) or a dashboard session (its
 * cookie), resolved to a `Principal`. Every request reads the key or the session and its user by
 * `_id`, so that a revoked key, a disabled user or a new role takes effect at once; the slow
 * hash of a key is checked once per process and remembered by its digest.
 */
import type { Role } from '../domain/vocabulary.js';
import type { AccessRepository, ApiKey, Session, User } from '../store/access-repository.js';
import { digestToken, parseApiKey, randomToken, verifySecret } from './secrets.js';

/** The authenticated caller: a user signed in to the dashboard, or an API key. */
export interface Principal {
  /** The user's id (e-mail), or `key:<id>`: what actions record as their author. */
  id: string;
  /** Shown in alerts' histories. */
  name: string;
  role: Role;
  via: 'session' | 'key';
}

/** A credential that was sent but is not valid: 401, whatever the route. */
export class InvalidCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCredentialsError';
  }
}

export interface AuthenticatorDeps {
  access: AccessRepository;
  now: () => Date;
  /** How long a dashboard session lives without a new sign-in. */
  sessionTtlMs: number;
}

export type Authenticator = ReturnType<typeof createAuthenticator>;

/** A session of a key (signed in to the dashboard with a key) names its subject `key:<id>`. */
const KEY_SUBJECT = 'key:';

export function createAuthenticator(deps: AuthenticatorDeps) {
  const { access, now } = deps;
  /** Digests of full keys whose secret passed scrypt, mapped to their key id. */
  const verified = new Map<string, string>();

  const ofUser = (u: User): Principal => ({ id: u.id, name: u.name, role: u.role, via: 'session' });
  const ofKey = (k: ApiKey, via: Principal['via']): Principal => ({
    id: `${KEY_SUBJECT}${k.id}`,
    name: k.name,
    role: k.role,
    via,
  });

  /** The live key behind `raw`, or null. */
  async function liveKey(raw: string): Promise<ApiKey | null> {
    const parsed = parseApiKey(raw);
    if (!parsed) return null;
    const key = await access.findKey(parsed.id);
    if (!key || key.revokedAt) return null;
    const digest = digestToken(raw);
    if (verified.get(digest) !== key.id) {
      if (!(await verifySecret(parsed.secret, key.hash))) return null;
      if (verified.size > 10_000) verified.clear();
      verified.set(digest, key.id);
    }
    return key;
  }

  return {
    /** The caller of an API key; throws when the key is unknown, malformed or revoked. */
    async byKey(raw: string): Promise<Principal> {
      const key = await liveKey(raw);
      if (!key) throw new InvalidCredentialsError('this API key is not valid (unknown or revoked)');
      void access.touchKey(key, now()).catch(() => undefined);
      return ofKey(key, 'key');
    },

    /** The caller of a session cookie, with its session; null when it expired or is unknown. */
    async bySession(token: string): Promise<{ principal: Principal; session: Session } | null> {
      const session = await access.findSession(digestToken(token));
      if (!session) return null;
      if (session.expiresAt.getTime() <= now().getTime()) {
        await access.deleteSession(session.id);
        return null;
      }
      if (session.userId.startsWith(KEY_SUBJECT)) {
        const key = await access.findKey(session.userId.slice(KEY_SUBJECT.length));
        if (!key || key.revokedAt) return null;
        return { principal: ofKey(key, 'session'), session };
      }
      const user = await access.findUser(session.userId);
      if (!user || user.disabled) return null;
      return { principal: ofUser(user), session };
    },

    /**
     * Opens a dashboard session for a password or a key; null when they do not match (the same
     * answer for an unknown user and a wrong password).
     */
    async signIn(
      credentials: { email: string; password: string } | { key: string },
    ): Promise<{ principal: Principal; token: string; session: Session } | null> {
      let subject: string;
      let principal: Principal;
      if ('key' in credentials) {
        const key = await liveKey(credentials.key);
        if (!key) return null;
        subject = `${KEY_SUBJECT}${key.id}`;
        principal = ofKey(key, 'session');
      } else {
        const user = await access.findUser(credentials.email.trim().toLowerCase());
        // An unknown user costs the same hash as a known one: timing does not tell them apart.
        const ok = await verifySecret(credentials.password, user?.passwordHash ?? DUMMY_HASH);
        if (!user || !ok || user.disabled) return null;
        subject = user.id;
        principal = ofUser(user);
        await access.updateUser(user.id, { lastSignInAt: now() });
      }
      const token = randomToken();
      const at = now();
      const session: Session = {
        id: digestToken(token),
        userId: subject,
        csrf: randomToken(),
        createdAt: at,
        expiresAt: new Date(at.getTime() + deps.sessionTtlMs),
      };
      await access.createSession(session);
      void access.pruneSessions(at).catch(() => undefined);
      return { principal, token, session };
    },

    async signOut(token: string): Promise<void> {
      await access.deleteSession(digestToken(token));
    },
  };
}

/** scrypt of a random password: verified against when the user does not exist. */
const DUMMY_HASH =
  'scrypt$32768$8$1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
