/**
 * Making users and API keys: the API's admin routes, `maillon admin create` and the demo all go
 * through here, so a secret is always hashed the same way and shown only once.
 */
import type { Role } from '../domain/vocabulary.js';
import type { AccessRepository, ApiKey, User } from '../store/access-repository.js';
import { generatePassword, hashSecret, newApiKey } from './secrets.js';

/** Makes a user; without a password, one is generated and returned (once). Null if the id is taken. */
export async function makeUser(
  access: AccessRepository,
  spec: { email: string; name: string; role: Role; password?: string; createdBy: string },
): Promise<{ user: User; password?: string } | null> {
  const password = spec.password ?? generatePassword();
  const user: User = {
    id: spec.email.trim().toLowerCase(),
    name: spec.name,
    role: spec.role,
    disabled: false,
    createdAt: new Date(),
    createdBy: spec.createdBy,
  };
  if (!(await access.createUser({ ...user, passwordHash: await hashSecret(password) })))
    return null;
  return { user, ...(spec.password ? {} : { password }) };
}

/** Makes an API key; `key` is the only time its secret exists outside the client. */
export async function makeApiKey(
  access: AccessRepository,
  spec: { name: string; role: Role; createdBy: string },
): Promise<{ apiKey: ApiKey; key: string }> {
  const made = newApiKey();
  const apiKey: ApiKey = {
    id: made.id,
    name: spec.name,
    role: spec.role,
    createdAt: new Date(),
    createdBy: spec.createdBy,
  };
  await access.createKey({ ...apiKey, hash: await hashSecret(made.secret) });
  return { apiKey, key: made.key };
}
