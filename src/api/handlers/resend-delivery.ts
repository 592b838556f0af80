import { z } from 'zod';
import { NotFoundError } from '../../errors.js';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const paramsSchema = z.object({ key: z.string().min(1).max(300) }).strict();

/**
 * Sends a delivery again, whatever its state: back to pending, and a fresh deliver job with the
 * full retry budget. It keeps its key, so a receiver that dedupes on X-Maillon-Delivery drops a
 * re-send of something it already took.
 */
export async function resendDeliveryHandler(
  req: ApiRequest,
  deps: ApiDeps,
): Promise<HandlerResult> {
  const { key } = parseInput(paramsSchema, req.params, 'path');
  const delivery = await deps.deliveries.resetPending(key);
  if (!delivery) throw new NotFoundError('delivery', key);
  await deps.queues.enqueueDeliver({ deliveryKey: key }, { force: true });
  return { status: 202, body: delivery };
}
