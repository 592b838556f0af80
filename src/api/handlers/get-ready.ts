import type { HandlerResult } from '../errors.js';
import { runChecks } from './_checks.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/**
 * Readiness: 200 while the queues (Redis) and the store (MongoDB) both serve, slowly or not;
 * 503 while either cannot, `notReady` naming which, each check with its status, latency and error.
 */
export async function getReadyHandler(_req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const checks = await runChecks(deps);
  const notReady = Object.entries(checks)
    .filter(([, r]) => r.status === 'down')
    .map(([name]) => name);
  const ready = notReady.length === 0;
  return {
    status: ready ? 200 : 503,
    body: { status: ready ? 'ready' : 'not_ready', ...(ready ? {} : { notReady }), checks },
    ...(ready ? {} : { headers: { 'retry-after': '5' } }),
  };
}
