import type { HandlerResult } from '../errors.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/** 200 when every dependency answers, 503 naming the ones that do not. */
export async function getHealthHandler(_req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const entries = await Promise.all(
    Object.entries(deps.checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), 3_000);
        return [name, 'ok'] as const;
      } catch (err) {
        deps.logger.warn({ err, dependency: name }, 'health check failed');
        return [name, 'down'] as const;
      }
    }),
  );
  const checks = Object.fromEntries(entries);
  const ok = entries.every(([, s]) => s === 'ok');
  return { status: ok ? 200 : 503, body: { status: ok ? 'ok' : 'degraded', checks } };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
