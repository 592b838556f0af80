import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const querySchema = z
  .object({ limit: z.coerce.number().int().min(1).max(200).default(50) })
  .strict();
const paramsSchema = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/, 'not an alert id') });

/** Newest first by opening time (event time). */
export async function listAlertsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const q = parseInput(querySchema, req.query, 'query');
  return { status: 200, body: { data: await deps.alerts.list(q.limit) } };
}

export async function getAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(paramsSchema, req.params, 'path');
  const alert = await deps.alerts.findById(id);
  if (!alert) throw new NotFoundError('alert', id);
  return { status: 200, body: alert };
}
