/**
 * Every route of the API, in one table. Each entry carries its schemas, its role and its
 * answers (./route.ts): app.ts enforces them, ./openapi.ts describes them, and the role matrix
 * test walks them all.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { accessRoutes } from './handlers/access.js';
import { alertRoutes } from './handlers/alerts.js';
import { correctionRoutes } from './handlers/corrections.js';
import { deliveryRoutes } from './handlers/deliveries.js';
import { getJourney } from './handlers/journey.js';
import { getMetrics } from './handlers/metrics.js';
import { exportMentions } from './handlers/export-mentions.js';
import { getMention, listMentions } from './handlers/list-mentions.js';
import { listTrends } from './handlers/list-trends.js';
import { postMentions } from './handlers/post-mentions.js';
import { probeRoutes } from './handlers/probes.js';
import { settingsRoutes } from './handlers/settings.js';
import { getShareOfVoice } from './handlers/share-of-voice.js';
import { sourceRoutes } from './handlers/sources.js';
import { getWorkspace, listTouchpoints } from './handlers/touchpoints.js';
import { openApiDocument } from './openapi.js';
import { defineRoute, type Route } from './route.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The OpenAPI document, built once from the table on first request. */
let document: unknown;

const openApi = defineRoute({
  method: 'get',
  path: '/api/openapi.json',
  access: 'public',
  tag: 'Reference',
  summary: 'This document: every route, its schemas and its role (OpenAPI 3.1)',
  responses: {
    200: { description: 'The OpenAPI document.', schema: z.record(z.string(), z.unknown()) },
  },
  handler: () =>
    Promise.resolve({ status: 200, body: (document ??= openApiDocument(routes, { version })) }),
});

const docsPage = defineRoute({
  method: 'get',
  path: '/api/docs',
  access: 'public',
  tag: 'Reference',
  summary: 'The browsable reference (Swagger UI) of the OpenAPI document',
  responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
  handler: () =>
    Promise.resolve({
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Maillon API reference</title>
<link rel="icon" href="/favicon.svg">
<link rel="stylesheet" href="/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<div id="reference"></div>
<script src="/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/api-docs.js"></script>
</body>
</html>
`,
    }),
});

export const routes: Route[] = [
  ...probeRoutes,
  getMetrics,
  openApi,
  docsPage,
  ...accessRoutes,
  listMentions,
  exportMentions,
  getMention,
  postMentions,
  ...correctionRoutes,
  ...alertRoutes,
  ...deliveryRoutes,
  ...sourceRoutes,
  listTouchpoints,
  getWorkspace,
  ...settingsRoutes,
  listTrends,
  getShareOfVoice,
  getJourney,
];
