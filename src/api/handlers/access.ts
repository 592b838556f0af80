/**
 * Signing in and out of the dashboard, and the admins' people and keys. A session lives in an
 * HttpOnly cookie; its CSRF token is given here and must come back in `x-csrf-token` on every
 * state-changing request. Passwords and keys are shown once, when made, and stored hashed.
 */
import { serialize } from 'cookie';
import { z } from 'zod';
import { makeApiKey, makeUser } from '../../access/provision.js';
import { hashSecret } from '../../access/secrets.js';
import { roleSchema } from '../../domain/vocabulary.js';
import { ConflictError, NotFoundError, UnauthorizedError } from '../../errors.js';
import { defineRoute } from '../route.js';
import { isoString, listOf } from '../schemas.js';

/** The session cookie's name; app.ts reads it. */
export const SESSION_COOKIE = 'maillon_session';

const principalSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    via: z.enum(['session', 'key']),
  })
  .meta({ id: 'Principal' });

const sessionSchema = z.object({
  user: principalSchema,
  csrfToken: z
    .string()
    .optional()
    .describe('Send it back as `x-csrf-token` on every POST, PATCH and DELETE.'),
  expiresAt: isoString.optional(),
});

const email = z.string().trim().toLowerCase().max(320).pipe(z.email());
const password = z.string().min(12, 'at least 12 characters').max(200);

export const signIn = defineRoute({
  method: 'post',
  path: '/api/v1/session',
  access: 'public',
  tag: 'Access',
  summary: 'Sign in to the dashboard with a password or an API key',
  description:
    'Opens a session: an HttpOnly, SameSite=Lax cookie (Secure over https) and a CSRF token. Limited per IP address; a wrong password and an unknown user answer the same 401.',
  body: z.union([
    z.object({ email, password: z.string().min(1).max(200) }).strict(),
    z.object({ key: z.string().min(1).max(200) }).strict(),
  ]),
  responses: { 200: { description: 'Signed in.', schema: sessionSchema } },
  handler: async ({ body, http }, deps) => {
    const r = await deps.auth.signIn(body);
    if (!r) throw new UnauthorizedError('wrong e-mail, password or key');
    const cookie = serialize(SESSION_COOKIE, r.token, {
      httpOnly: true,
      secure: http.secure,
      sameSite: 'lax',
      path: '/',
      expires: r.session.expiresAt,
    });
    deps.logger.info(
      { user: r.principal.id, via: 'key' in body ? 'key' : 'password' },
      'signed in',
    );
    return {
      status: 200,
      body: { user: r.principal, csrfToken: r.session.csrf, expiresAt: r.session.expiresAt },
      headers: { 'set-cookie': cookie, 'cache-control': 'no-store' },
    };
  },
});

export const getSession = defineRoute({
  method: 'get',
  path: '/api/v1/session',
  access: 'viewer',
  tag: 'Access',
  summary: 'Who is signed in (and the CSRF token of a dashboard session)',
  responses: { 200: { description: 'The caller.', schema: sessionSchema } },
  handler: ({ user, session }) =>
    Promise.resolve({
      status: 200,
      body: {
        user,
        ...(session ? { csrfToken: session.csrf, expiresAt: session.expiresAt } : {}),
      },
      headers: { 'cache-control': 'no-store' },
    }),
});

export const signOut = defineRoute({
  method: 'delete',
  path: '/api/v1/session',
  access: 'viewer',
  tag: 'Access',
  summary: 'Sign out of the dashboard',
  responses: { 204: { description: 'Signed out; the cookie is cleared.' } },
  handler: async ({ session }, deps) => {
    if (session) await deps.access.deleteSession(session.id);
    return {
      status: 204,
      body: null,
      headers: {
        'set-cookie': serialize(SESSION_COOKIE, '', { path: '/', expires: new Date(0) }),
      },
    };
  },
});

const userSchema = z
  .object({
    id: z.string().describe('The e-mail address they sign in with.'),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: isoString,
    createdBy: z.string(),
    lastSignInAt: isoString.optional(),
  })
  .meta({ id: 'User' });

/** Keeps at least one active admin: nobody could manage keys and users any more. */
async function keepAnAdmin(deps: Parameters<(typeof listUsers)['handler']>[1], id: string) {
  const target = await deps.access.findUser(id);
  if (target?.role === 'admin' && !target.disabled && (await deps.access.countAdmins()) <= 1)
    throw new ConflictError(`${id} is the last active admin: make another admin first`);
}

export const listUsers = defineRoute({
  method: 'get',
  path: '/api/v1/users',
  access: 'admin',
  tag: 'Access',
  summary: 'The people who may sign in',
  responses: { 200: { description: 'The users.', schema: listOf(userSchema) } },
  handler: async (_input, deps) => ({ status: 200, body: { data: await deps.access.listUsers() } }),
});

export const listAssignable = defineRoute({
  method: 'get',
  path: '/api/v1/users/assignable',
  access: 'manager',
  tag: 'Access',
  summary: 'The people an alert can be assigned to: active managers and admins',
  responses: {
    200: {
      description: 'Their ids and names.',
      schema: listOf(z.object({ id: z.string(), name: z.string(), role: roleSchema })),
    },
  },
  handler: async (_input, deps) => {
    const users = await deps.access.listUsers();
    return {
      status: 200,
      body: {
        data: users
          .filter((u) => !u.disabled && u.role !== 'viewer')
          .map((u) => ({ id: u.id, name: u.name, role: u.role })),
      },
    };
  },
});

export const createUser = defineRoute({
  method: 'post',
  path: '/api/v1/users',
  access: 'admin',
  tag: 'Access',
  summary: 'Add a user; without a password, one is generated and shown once',
  body: z
    .object({
      email,
      name: z.string().trim().min(1).max(100),
      role: roleSchema,
      password: password.optional(),
    })
    .strict(),
  responses: {
    201: {
      description: 'The user, with their password when it was generated (shown only now).',
      schema: userSchema.extend({ password: z.string().optional() }),
    },
  },
  handler: async ({ body, user }, deps) => {
    const made = await makeUser(deps.access, { ...body, createdBy: user?.id ?? 'api' });
    if (!made) throw new ConflictError(`a user ${body.email} exists already`);
    return {
      status: 201,
      body: { ...made.user, ...(made.password ? { password: made.password } : {}) },
      headers: { location: `/api/v1/users/${encodeURIComponent(made.user.id)}` },
    };
  },
});

const userParams = z.object({ id: z.string().min(1).max(320) }).strict();

export const updateUser = defineRoute({
  method: 'patch',
  path: '/api/v1/users/:id',
  access: 'admin',
  tag: 'Access',
  summary: "Change a user's name, role or password, or disable them",
  description: 'Disabling a user or changing their password signs them out everywhere.',
  params: userParams,
  body: z
    .object({
      name: z.string().trim().min(1).max(100).optional(),
      role: roleSchema.optional(),
      disabled: z.boolean().optional(),
      password: password.optional(),
    })
    .strict(),
  responses: { 200: { description: 'The user.', schema: userSchema } },
  handler: async ({ params, body }, deps) => {
    const id = params.id.toLowerCase();
    if ((body.role && body.role !== 'admin') || body.disabled) await keepAnAdmin(deps, id);
    const { password: pw, ...rest } = body;
    const updated = await deps.access.updateUser(id, {
      ...rest,
      ...(pw ? { passwordHash: await hashSecret(pw) } : {}),
    });
    if (!updated) throw new NotFoundError('user', id);
    if (pw || body.disabled) await deps.access.pruneSessions(new Date(), id);
    return { status: 200, body: updated };
  },
});

export const deleteUser = defineRoute({
  method: 'delete',
  path: '/api/v1/users/:id',
  access: 'admin',
  tag: 'Access',
  summary: 'Remove a user; what they did stays in the alerts’ histories',
  params: userParams,
  responses: { 204: { description: 'Removed.' } },
  handler: async ({ params }, deps) => {
    const id = params.id.toLowerCase();
    await keepAnAdmin(deps, id);
    if (!(await deps.access.deleteUser(id))) throw new NotFoundError('user', id);
    await deps.access.pruneSessions(new Date(), id);
    return { status: 204, body: null };
  },
});

const keySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    createdAt: isoString,
    createdBy: z.string(),
    lastUsedAt: isoString.optional(),
    revokedAt: isoString.optional(),
  })
  .meta({ id: 'ApiKey' });

export const listKeys = defineRoute({
  method: 'get',
  path: '/api/v1/keys',
  access: 'admin',
  tag: 'Access',
  summary: 'API keys (never their secret)',
  responses: { 200: { description: 'The keys, newest first.', schema: listOf(keySchema) } },
  handler: async (_input, deps) => ({ status: 200, body: { data: await deps.access.listKeys() } }),
});

export const createKey = defineRoute({
  method: 'post',
  path: '/api/v1/keys',
  access: 'admin',
  tag: 'Access',
  summary: 'Make an API key; the key is shown once, in this answer',
  body: z.object({ name: z.string().trim().min(1).max(100), role: roleSchema }).strict(),
  responses: {
    201: {
      description: 'The key, with `key` to send as `Authorization: Bearer <key>`.',
      schema: keySchema.extend({ key: z.string() }),
    },
  },
  handler: async ({ body, user }, deps) => {
    const { apiKey, key } = await makeApiKey(deps.access, {
      ...body,
      createdBy: user?.id ?? 'api',
    });
    return { status: 201, body: { ...apiKey, key }, headers: { 'cache-control': 'no-store' } };
  },
});

export const revokeKey = defineRoute({
  method: 'delete',
  path: '/api/v1/keys/:id',
  access: 'admin',
  tag: 'Access',
  summary: 'Revoke an API key; it stops working at once',
  params: z.object({ id: z.string().min(1).max(64) }).strict(),
  responses: { 204: { description: 'Revoked.' } },
  handler: async ({ params }, deps) => {
    if (!(await deps.access.revokeKey(params.id, new Date())))
      throw new NotFoundError('key', params.id);
    return { status: 204, body: null };
  },
});

export const accessRoutes = [
  signIn,
  getSession,
  signOut,
  listUsers,
  listAssignable,
  createUser,
  updateUser,
  deleteUser,
  listKeys,
  createKey,
  revokeKey,
];
