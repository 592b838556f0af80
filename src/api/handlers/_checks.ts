/**
 * Runs the dependency checks of `/healthz` and `/readyz`. A store busy under load answers late:
 * it reads as `slow`, with its latency, not as down; only an error or no answer at all within
 * CHECK_TIMEOUT_MS is `down`.
 */
import type { ApiDeps } from './_deps.js';

/** As long as the MongoDB driver waits to find a server (serverSelectionTimeoutMS). */
export const CHECK_TIMEOUT_MS = 10_000;
/** An answer later than this is `slow`. */
export const CHECK_SLOW_MS = 1_000;

export interface CheckResult {
  status: 'ok' | 'slow' | 'down';
  latencyMs: number;
  /** Why it is down. */
  error?: string;
}

export async function runChecks(
  deps: Pick<ApiDeps, 'checks' | 'logger'>,
  opts: { timeoutMs?: number; slowMs?: number } = {},
): Promise<Record<string, CheckResult>> {
  const { timeoutMs = CHECK_TIMEOUT_MS, slowMs = CHECK_SLOW_MS } = opts;
  const entries = await Promise.all(
    Object.entries(deps.checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      const started = performance.now();
      const latency = () => Math.round(performance.now() - started);
      try {
        await withTimeout(check(), timeoutMs);
        const latencyMs = latency();
        return [name, { status: latencyMs > slowMs ? 'slow' : 'ok', latencyMs }];
      } catch (err) {
        deps.logger.warn({ err, dependency: name }, 'health check failed');
        const error = err instanceof Error ? err.message : String(err);
        return [name, { status: 'down', latencyMs: latency(), error }];
      }
    }),
  );
  return Object.fromEntries(entries);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
