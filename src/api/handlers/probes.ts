/**
 * Probes for orchestrators and load balancers, open to anyone (they say nothing about the data):
 * `/healthz` says the process serves; `/readyz` says whether it can do its work, that is whether
 * the queues (Redis) and the store (MongoDB) answer.
 */
import { z } from 'zod';
import { defineRoute } from '../route.js';
import { runChecks } from './_checks.js';

const checkSchema = z.object({
  status: z.enum(['ok', 'slow', 'down']),
  latencyMs: z.number(),
  error: z.string().optional(),
});

const started = Date.now();

export const getHealth = defineRoute({
  method: 'get',
  path: '/healthz',
  access: 'public',
  tag: 'Operations',
  summary: 'Liveness: the process serves',
  description:
    'Always 200 while the process answers; it does not look at Redis or the store (a liveness probe that did would restart a healthy process during their outage). Readiness is `/readyz`.',
  responses: {
    200: {
      description: 'Alive.',
      schema: z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }),
    },
  },
  handler: () =>
    Promise.resolve({
      status: 200,
      body: { status: 'ok', uptimeSeconds: Math.round((Date.now() - started) / 1000) },
    }),
});

export const getReady = defineRoute({
  method: 'get',
  path: '/readyz',
  access: 'public',
  tag: 'Operations',
  summary: 'Readiness: Redis and the store answer',
  description:
    '200 while the queues (Redis) and the store (MongoDB) both serve, slowly or not (`slow`: over 1 s); 503 while either cannot, `notReady` naming which, each check with its status, latency and error.',
  responses: {
    200: {
      description: 'Ready.',
      schema: z.object({
        status: z.enum(['ready', 'not_ready']),
        notReady: z.array(z.string()).optional(),
        checks: z.record(z.string(), checkSchema),
      }),
    },
    503: { description: 'Not ready: the same body, `status: "not_ready"`.' },
  },
  handler: async (_input, deps) => {
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
  },
});

export const probeRoutes = [getHealth, getReady];
