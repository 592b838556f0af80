/** The dependency checks of /healthz and /readyz: slow is not down. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { runChecks } from '../../../src/api/handlers/_checks.js';

const logger = pino({ level: 'silent' });
const after =
  (ms: number, fails = false) =>
  () =>
    new Promise((resolve, reject) =>
      setTimeout(() => (fails ? reject(new Error('refused')) : resolve(undefined)), ms),
    );

describe('health checks', () => {
  it('reads a late answer as slow, with its latency; only an error or no answer is down', async () => {
    const results = await runChecks(
      {
        logger,
        checks: { fast: after(0), late: after(60), refused: after(0, true), silent: after(10_000) },
      },
      { slowMs: 30, timeoutMs: 300 },
    );
    expect(results.fast).toMatchObject({ status: 'ok' });
    expect(results.late?.status).toBe('slow');
    expect(results.late?.latencyMs).toBeGreaterThanOrEqual(55);
    expect(results.refused).toMatchObject({ status: 'down', error: 'refused' });
    expect(results.silent).toMatchObject({ status: 'down', error: 'no answer within 300 ms' });
  });
});
