/**
 * `GET /metrics`: Prometheus's scrape, for viewers (Prometheus sends an API key as its bearer
 * token: `authorization: { credentials_file: ... }` in its scrape config). The body is
 * Prometheus's text format, sent as is (a string body is not JSON-encoded).
 */
import { errorResponse } from '../errors.js';
import { defineRoute } from '../route.js';

/** Prometheus's text exposition format, the one prom-client writes. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export const getMetrics = defineRoute({
  method: 'get',
  path: '/metrics',
  access: 'viewer',
  summary: 'Metrics for Prometheus: queues, jobs, mentions, alerts, deliveries, polls, requests',
  tag: 'Operations',
  description:
    "Queue depths by queue and state, job durations and failures by queue, mentions accepted by source and door, alerts opened by kind and severity, delivery failures by channel type, poll errors by source, the API's request durations by route and status, and the API process's own metrics. What workers count is shared through Redis, so one scrape shows every process. All names start with `maillon_`.",
  responses: {
    200: {
      description: 'The metrics, in Prometheus text format 0.0.4.',
      contentType: PROMETHEUS_CONTENT_TYPE,
    },
  },
  handler: async (_input, deps) => {
    if (!deps.metrics) return errorResponse(503, 'unavailable', 'metrics are not collected here');
    const text = await deps.metrics.render();
    return {
      status: 200,
      headers: { 'content-type': deps.metrics.contentType, 'cache-control': 'no-store' },
      body: text,
    };
  },
});
