import type { HandlerResult } from '../errors.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/** The customer journey as configured: each touchpoint with its stage and labels, in order. */
export async function listTouchpointsHandler(
  _req: ApiRequest,
  deps: ApiDeps,
): Promise<HandlerResult> {
  const data = deps.settings.touchpoints.map((t) => ({
    id: t.id,
    stage: t.stage,
    label: t.label,
  }));
  return Promise.resolve({ status: 200, body: { data } });
}
