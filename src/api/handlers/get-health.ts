import type { HandlerResult } from '../errors.js';
import { runChecks } from './_checks.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/**
 * 200 when every dependency answers (`slow` ones included), 503 naming the ones that do not;
 * `latencyMs` gives each one's answer time.
 */
export async function getHealthHandler(_req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const results = Object.entries(await runChecks(deps));
  const ok = results.every(([, r]) => r.status !== 'down');
  return {
    status: ok ? 200 : 503,
    body: {
      status: ok ? 'ok' : 'degraded',
      checks: Object.fromEntries(results.map(([name, r]) => [name, r.status])),
      latencyMs: Object.fromEntries(results.map(([name, r]) => [name, r.latencyMs])),
    },
  };
}
