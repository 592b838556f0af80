import { z } from 'zod';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const querySchema = z
  .object({
    status: z.enum(['pending', 'delivered', 'dead']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** Deliveries, most recently changed first; `?status=dead` is the dead-letter list. */
export async function listDeliveriesHandler(
  req: ApiRequest,
  deps: ApiDeps,
): Promise<HandlerResult> {
  const q = parseInput(querySchema, req.query, 'query');
  const data = await deps.deliveries.list({
    limit: q.limit,
    ...(q.status ? { status: q.status } : {}),
  });
  return { status: 200, body: { data } };
}
