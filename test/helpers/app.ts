/**
 * Starts the real thing for a test: runtime (Redis, MongoDB), the chosen workers and the API on a
 * free port. `stop()` closes everything, removes the test's queues and drops its database.
 */
import { loadConfig, type Config } from '../../config/index.js';
import { runShutdown } from '../../src/lifecycle.js';
import {
  createRuntime,
  runtimeShutdownSteps,
  startApi,
  startWorkers,
  workerShutdownSteps,
  WORKER_KINDS,
  type Runtime,
  type WorkerKind,
} from '../../src/runtime.js';
import { makeApiKey } from '../../src/access/provision.js';
import { ROLES, type Role } from '../../src/domain/vocabulary.js';
import { testEnv } from './env.js';

export interface TestApp {
  rt: Runtime;
  config: Config;
  /** Base URL of the API, or '' when the API was not started. */
  url: string;
  /** An API key of each role, made at start (send as `authorization: Bearer <key>`). */
  keys: Record<Role, string>;
  /** `fetch` on the API as a role (an API key), or anonymously. */
  as(role: Role | 'anonymous'): (path: string, init?: RequestInit) => Promise<Response>;
  stop(): Promise<void>;
}

export async function startTestApp(
  opts: {
    env?: Record<string, string>;
    extraSources?: unknown[];
    workers?: WorkerKind[];
    api?: boolean;
  } = {},
): Promise<TestApp> {
  const config = loadConfig(testEnv(opts.env), { extraSources: opts.extraSources ?? [] });
  const rt = await createRuntime(config);
  const workers = await startWorkers(rt, opts.workers ?? WORKER_KINDS);
  const api = opts.api === false ? undefined : await startApi(rt);
  const keys = Object.fromEntries(
    await Promise.all(
      ROLES.map(async (role) => {
        const { key } = await makeApiKey(rt.access, {
          name: `test ${role}`,
          role,
          createdBy: 'test',
        });
        return [role, key] as const;
      }),
    ),
  ) as Record<Role, string>;
  const as: TestApp['as'] =
    (role) =>
    (path, init = {}) => {
      const headers = new Headers(init.headers);
      if (role !== 'anonymous') headers.set('authorization', `Bearer ${keys[role]}`);
      if (init.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return fetch(`${api?.url ?? ''}${path}`, { ...init, headers });
    };
  let stopping: Promise<void> | undefined;
  return {
    rt,
    config,
    url: api?.url ?? '',
    keys,
    as,
    stop: () =>
      (stopping ??= (async () => {
        await runShutdown([...workerShutdownSteps(workers), ...(api?.steps ?? [])], rt.logger);
        for (const q of rt.queues.all) await q.obliterate({ force: true });
        await rt.mongo.db.dropDatabase();
        await runShutdown(runtimeShutdownSteps(rt), rt.logger);
      })()),
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * True when everything staged is counted and no count or detect job waits, runs or is due (but
 * the next runs of the periodic schedulers, which are always due).
 */
export async function pipelineIdle(app: TestApp): Promise<boolean> {
  if ((await app.rt.counts.pending()) > 0) return false;
  for (const q of [app.rt.queues.count, app.rt.queues.detect]) {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized');
    if (Object.values(c).some((n) => n > 0)) return false;
    if ((await q.getDelayed()).some((j) => !j.repeatJobKey)) return false;
  }
  return true;
}
