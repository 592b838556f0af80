/** Every route of the API, in one table. Handlers return `{ status, body }`; app.ts adapts. */
import type { HandlerResult } from './errors.js';
import type { ApiDeps, ApiRequest } from './handlers/_deps.js';
import {
  acknowledgeAlertHandler,
  commentAlertHandler,
  resolveAlertHandler,
  snoozeAlertHandler,
} from './handlers/alert-actions.js';
import { getHealthHandler } from './handlers/get-health.js';
import { getReadyHandler } from './handlers/get-ready.js';
import { getAlertHandler, listAlertsHandler } from './handlers/list-alerts.js';
import { listDeliveriesHandler } from './handlers/list-deliveries.js';
import { listMentionsHandler } from './handlers/list-mentions.js';
import {
  createSourceHandler,
  deleteSourceHandler,
  getSourceHandler,
  listSourcesHandler,
  testSourceHandler,
  updateSourceHandler,
} from './handlers/sources.js';
import { listTouchpointsHandler } from './handlers/list-touchpoints.js';
import { listTrendsHandler } from './handlers/list-trends.js';
import { postMentionsHandler } from './handlers/post-mentions.js';
import { resendDeliveryHandler } from './handlers/resend-delivery.js';

export interface Route {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  handler: (req: ApiRequest, deps: ApiDeps) => Promise<HandlerResult>;
}

export const routes: Route[] = [
  { method: 'get', path: '/healthz', handler: getHealthHandler },
  { method: 'get', path: '/readyz', handler: getReadyHandler },
  { method: 'get', path: '/api/v1/mentions', handler: listMentionsHandler },
  { method: 'post', path: '/api/v1/mentions', handler: postMentionsHandler },
  { method: 'get', path: '/api/v1/alerts', handler: listAlertsHandler },
  { method: 'get', path: '/api/v1/alerts/:id', handler: getAlertHandler },
  { method: 'post', path: '/api/v1/alerts/:id/acknowledge', handler: acknowledgeAlertHandler },
  { method: 'post', path: '/api/v1/alerts/:id/snooze', handler: snoozeAlertHandler },
  { method: 'post', path: '/api/v1/alerts/:id/resolve', handler: resolveAlertHandler },
  { method: 'post', path: '/api/v1/alerts/:id/comments', handler: commentAlertHandler },
  { method: 'get', path: '/api/v1/deliveries', handler: listDeliveriesHandler },
  { method: 'post', path: '/api/v1/deliveries/:key/resend', handler: resendDeliveryHandler },
  { method: 'get', path: '/api/v1/sources', handler: listSourcesHandler },
  { method: 'post', path: '/api/v1/sources', handler: createSourceHandler },
  { method: 'get', path: '/api/v1/sources/:id', handler: getSourceHandler },
  { method: 'patch', path: '/api/v1/sources/:id', handler: updateSourceHandler },
  { method: 'delete', path: '/api/v1/sources/:id', handler: deleteSourceHandler },
  { method: 'post', path: '/api/v1/sources/:id/test', handler: testSourceHandler },
  { method: 'get', path: '/api/v1/touchpoints', handler: listTouchpointsHandler },
  { method: 'get', path: '/api/v1/trends', handler: listTrendsHandler },
];
