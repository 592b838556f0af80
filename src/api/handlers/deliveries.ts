/**
 * Deliveries of alerts and digests to channels. Sending one again is for dead letters: a
 * delivery that already succeeded is not posted twice unless an admin forces it.
 */
import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import { defineRoute } from '../route.js';
import { isoString, limitParam, listOf } from '../schemas.js';

export const deliverySchema = z
  .object({
    key: z.string(),
    subject: z.enum(['alert', 'digest']),
    channelId: z.string(),
    status: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number(),
    lastError: z.string().optional(),
    deliveredAt: isoString.optional(),
    createdAt: isoString,
    updatedAt: isoString,
  })
  .loose()
  .meta({ id: 'Delivery' });

export const listDeliveries = defineRoute({
  method: 'get',
  path: '/api/v1/deliveries',
  access: 'viewer',
  tag: 'Deliveries',
  summary: 'Deliveries, most recently changed first',
  description: '`?status=dead` is the dead-letter list.',
  query: z
    .object({
      status: z.enum(['pending', 'delivered', 'dead']).optional(),
      limit: limitParam(),
    })
    .strict(),
  responses: { 200: { description: 'The deliveries.', schema: listOf(deliverySchema) } },
  handler: async ({ query: q }, deps) => {
    const data = await deps.deliveries.list({
      limit: q.limit,
      ...(q.status ? { status: q.status } : {}),
    });
    return { status: 200, body: { data } };
  },
});

export const resendDelivery = defineRoute({
  method: 'post',
  path: '/api/v1/deliveries/:key/resend',
  access: 'manager',
  tag: 'Deliveries',
  summary: 'Send a dead delivery again',
  description:
    'Back to pending with a fresh retry budget. Only dead letters: a delivery pending or delivered answers 409, unless an admin sends `{"force": true}` (it keeps its key, so a receiver that dedupes on X-Maillon-Delivery still drops it).',
  params: z.object({ key: z.string().min(1).max(300) }).strict(),
  body: z
    .object({ force: z.boolean().default(false).describe('Admins only: send even if not dead.') })
    .strict()
    .default({ force: false }),
  responses: { 202: { description: 'Queued again.', schema: deliverySchema } },
  handler: async ({ params: { key }, body, user }, deps) => {
    if (body.force && user?.role !== 'admin')
      throw new ForbiddenError('only an admin may force a delivery that is not dead');
    const current = await deps.deliveries.get(key);
    if (!current) throw new NotFoundError('delivery', key);
    if (current.status !== 'dead' && !body.force)
      throw new ConflictError(
        `delivery ${key} is ${current.status}: only dead deliveries are sent again (an admin may force it)`,
      );
    const delivery = await deps.deliveries.resetPending(key);
    if (!delivery) throw new NotFoundError('delivery', key);
    await deps.queues.enqueueDeliver({ deliveryKey: key }, { force: true });
    return { status: 202, body: delivery };
  },
});

export const deliveryRoutes = [listDeliveries, resendDelivery];
