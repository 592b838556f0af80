/**
 * Express as a thin adapter around the route table: request id, security headers, CORS, JSON
 * body, then for every route in one place: who is calling (API key or session), whether their
 * role may (and, for a session, the CSRF token), the rate limit, the route's schemas; the
 * handler runs on parsed input. Then the dashboard's static files, a JSON 404 and one error
 * middleware. No business rule lives here.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseCookies } from 'cookie';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { InvalidCredentialsError, type Principal } from '../access/authenticate.js';
import { zodIssues } from '../domain/mention.js';
import { roleIncludes } from '../domain/vocabulary.js';
import { ForbiddenError, UnauthorizedError, ValidationError } from '../errors.js';
import { requestContext, setRequestUser } from '../logger.js';
import { accessLog } from './access-log.js';
import type { Session } from '../store/access-repository.js';
import { errorResponse, toErrorResponse, type HandlerResult } from './errors.js';
import { SESSION_COOKIE } from './handlers/access.js';
import type { ApiDeps } from './handlers/_deps.js';
import type { Route, RouteResult } from './route.js';
import { routes } from './routes.js';

/** The dashboard's static files (web/) and the libraries it loads from node_modules. */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const require = createRequire(import.meta.url);
const VENDOR: Record<string, string> = {
  uplot: path.dirname(require.resolve('uplot')),
  'swagger-ui': path.dirname(require.resolve('swagger-ui-dist/package.json')),
  // Preact, its hooks and htm in one ES module without bare imports (htm/preact/standalone).
  htm: path.resolve(path.dirname(require.resolve('htm')), '..'),
};

/**
 * The dashboard and the reference run their own scripts only; uPlot and Swagger UI set inline
 * styles from script. Nothing is framed, nothing posts elsewhere.
 */
const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
};

/** Methods that change something: a session must prove them with its CSRF token. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AppExtras {
  /** Mounted at `/admin/queues` for admins only (Bull Board), when given. */
  adminQueues?: express.Router;
  /** For the shared rate-limit counters; without it, each process counts for itself. */
  redis?: { client: Redis; prefix: string };
}

export function createApp(deps: ApiDeps, extras: AppExtras = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.settings.trustProxy);

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const reqId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', reqId);
    requestContext.run({ reqId }, next);
  });
  app.use(accessLog({ logger: deps.logger, observe: (r) => deps.metrics?.observeRequest(r) }));
  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CSP },
      // Over plain http (local runs) an HSTS header would be ignored; over https it is wanted.
      strictTransportSecurity: { maxAge: 15_552_000, includeSubDomains: false },
    }),
  );
  app.use(cors(deps.settings.corsOrigins));
  app.use(express.json({ limit: deps.settings.bodyLimit, strict: false }));

  const limits = createLimits(deps, extras.redis);
  for (const route of routes) {
    app[route.method](
      route.path,
      ...(route.path === '/api/v1/session' && route.method === 'post' ? [limits.signIn] : []),
      ...(route.access === 'public' ? [] : [limits.refusedKeys]),
      async (req: Request, res: Response, next: NextFunction) => {
        res.locals.caller = await identify(req, route, deps);
        next();
      },
      limits.perCaller,
      async (req: Request, res: Response) => {
        const { user, session } = res.locals.caller as Caller;
        const result = await route.handler(
          {
            params: parse(route.params, req.params, 'path'),
            query: parse(route.query, req.query, 'query'),
            body: parse(route.body, req.body, 'body'),
            user,
            session,
            http: {
              ip: req.ip ?? '',
              secure: req.secure,
              headers: { 'user-agent': req.get('user-agent') },
            },
          },
          deps,
        );
        send(res, result);
      },
    );
  }

  if (extras.adminQueues) {
    app.use(
      '/admin/queues',
      limits.refusedKeys,
      async (req: Request, res: Response, next: NextFunction) => {
        const caller = await identify(req, ADMIN_ONLY, deps);
        res.locals.caller = caller;
        next();
      },
      extras.adminQueues,
    );
  }

  const staticOptions = { index: 'index.html', maxAge: 0 };
  for (const [name, dir] of Object.entries(VENDOR))
    app.use(`/vendor/${name}`, express.static(dir, { ...staticOptions, index: false }));
  app.use(express.static(WEB_DIR, staticOptions));

  app.use((req: Request, res: Response) => {
    send(res, errorResponse(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
  });

  // Express 5 forwards rejected promises here; four arguments mark it as the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const result = toErrorResponse(err, deps.settings.nodeEnv === 'development');
    if (result.status >= 500)
      deps.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    else
      deps.logger.info(
        { status: result.status, method: req.method, path: req.path },
        'request refused',
      );
    send(res, result);
  });
  return app;
}

interface Caller {
  user: Principal | null;
  session: Session | null;
}

/** Bull Board's pages: for admins, with the checks of an admin route. */
const ADMIN_ONLY = { access: 'admin', method: 'get' } as const;

/**
 * Who is calling and whether they may: an API key in `Authorization`, else the session cookie.
 * A key that is sent but wrong is a 401 (the client means to use it).
 */
async function identify(
  req: Request,
  route: Pick<Route, 'access' | 'method'>,
  deps: ApiDeps,
): Promise<Caller> {
  let caller: Caller = { user: null, session: null };
  // A public route serves everyone alike: probes answer while the store is down, whatever
  // credentials a client sends along.
  if (route.access === 'public') return caller;
  const authorization = req.get('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new UnauthorizedError('send the API key as `Authorization: Bearer <key>`');
    try {
      caller = { user: await deps.auth.byKey(m[1]!), session: null };
    } catch (err) {
      if (err instanceof InvalidCredentialsError) throw new UnauthorizedError(err.message);
      throw err;
    }
  } else {
    const token = parseCookies(req.get('cookie') ?? '')[SESSION_COOKIE];
    const found = token ? await deps.auth.bySession(token) : null;
    if (found) caller = { user: found.principal, session: found.session };
  }
  if (!caller.user) throw new UnauthorizedError();
  setRequestUser(caller.user.id);
  if (!roleIncludes(caller.user.role, route.access))
    throw new ForbiddenError(
      `this needs the ${route.access} role; ${caller.user.name} is ${caller.user.role}`,
    );
  if (caller.session && !SAFE_METHODS.has(req.method.toUpperCase())) {
    const sent = Buffer.from(req.get('x-csrf-token') ?? '');
    const expected = Buffer.from(caller.session.csrf);
    if (sent.length !== expected.length || !timingSafeEqual(sent, expected))
      throw new ForbiddenError(
        'missing or wrong CSRF token: send the x-csrf-token of your session',
      );
  }
  return caller;
}

/** Parses one part of the request with its route's schema; a part without one must be empty. */
function parse(schema: Route['params'], value: unknown, where: 'path' | 'query' | 'body') {
  if (!schema) {
    const empty =
      value === undefined ||
      (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
    if (!empty)
      throw new ValidationError(where, [{ path: '', message: `this route takes no ${where}` }]);
    return undefined;
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new ValidationError(where, zodIssues(r.error), r.error);
  return r.data;
}

/**
 * Requests a minute per caller (a key, a user, else an IP), and sign-in attempts and refused API
 * keys a minute per IP, counted in Redis so that every API process shares them.
 */
function createLimits(deps: ApiDeps, redis: AppExtras['redis']) {
  const store = (name: string): Store | undefined =>
    redis
      ? new RedisStore({
          prefix: `${redis.prefix}:ratelimit:${name}:`,
          sendCommand: (command: string, ...args: string[]) =>
            withTimeout(redis.client.call(command, ...args) as Promise<RedisReply>),
        })
      : undefined;
  const refuse = (_req: Request, res: Response) =>
    send(res, errorResponse(429, 'rate_limited', 'too many requests: wait and try again'));
  const ip = (req: Request) => ipKeyGenerator(req.ip ?? '');
  // Its complaints (Redis unreachable, say) go to our log, once a minute at most.
  let lastComplaint = 0;
  const logger = {
    error: (err: unknown, message?: string) => {
      if (Date.now() - lastComplaint < 60_000) return;
      lastComplaint = Date.now();
      deps.logger.warn({ err }, message ?? 'rate limit: the counts cannot be read or written');
    },
    warn: (err: unknown, message?: string) => deps.logger.warn({ err }, message ?? 'rate limit'),
  };
  const perCallerStore = store('caller');
  const signInStore = store('signin');
  const refusedKeysStore = store('refusedkeys');
  return {
    perCaller: rateLimit({
      windowMs: 60_000,
      limit: deps.settings.rateLimitPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: (req, res) => (res.locals.caller as Caller).user?.id ?? ip(req),
      handler: refuse,
      // Redis down: serve uncounted rather than not at all (the probes above all).
      passOnStoreError: true,
      logger,
      ...(perCallerStore ? { store: perCallerStore } : {}),
    }),
    signIn: rateLimit({
      windowMs: 60_000,
      limit: deps.settings.signInPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: ip,
      handler: refuse,
      passOnStoreError: true,
      logger,
      ...(signInStore ? { store: signInStore } : {}),
    }),
    // Checking a key that is not in the process's memory costs a slow hash: requests whose key
    // is refused are counted per IP like sign-ins, so that guessing secrets for a known key id
    // cannot keep the API's CPU busy. A key that works is not counted.
    refusedKeys: rateLimit({
      windowMs: 60_000,
      limit: deps.settings.signInPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      keyGenerator: ip,
      skip: (req) => !req.get('authorization'),
      skipSuccessfulRequests: true,
      requestWasSuccessful: (_req, res) => res.statusCode !== 401,
      handler: refuse,
      passOnStoreError: true,
      logger,
      ...(refusedKeysStore ? { store: refusedKeysStore } : {}),
    }),
  };
}

/** A rate-limit count waits this long for Redis, then the request goes through uncounted. */
const LIMIT_TIMEOUT_MS = 300;

function withTimeout<T>(p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error('rate limit: Redis did not answer')),
        LIMIT_TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

/** CORS for the origins configured, none by default: browsers then refuse cross-origin calls. */
function cors(origins: readonly string[]) {
  const allowed = new Set(origins);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, x-csrf-token');
      res.setHeader('access-control-allow-methods', 'GET, POST, PATCH, DELETE');
      if (req.method === 'OPTIONS') {
        res.status(204).end();
        return;
      }
    }
    next();
  };
}

function send(res: Response, result: RouteResult): void {
  if (result.headers) res.set(result.headers);
  if ('stream' in result) {
    res.status(result.status);
    // pipeline: a client that goes away ends the stream (and the export behind it) at once.
    pipeline(result.stream, res).catch(() => undefined);
    return;
  }
  const r: HandlerResult = result;
  if (r.status === 204) res.status(204).end();
  else if (typeof r.body === 'string') res.status(r.status).send(r.body);
  else res.status(r.status).json(r.body);
}
