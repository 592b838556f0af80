/**
 * The journey as configured, and what a client needs to show it in people's words: the brand,
 * its time zone (dates and hours are the brand's), the stages in order with their names.
 */
import { z } from 'zod';
import { STAGE_LABELS, STAGES, roleSchema, stageSchema } from '../../domain/vocabulary.js';
import { defineRoute } from '../route.js';
import { bilingual, listOf } from '../schemas.js';

const touchpointSchema = z.object({ id: z.string(), stage: z.string(), label: bilingual });
/** In the list, also where each comes from: touchpoints.yaml, the API, or the file's redefined. */
const listedSchema = touchpointSchema.extend({ origin: z.enum(['file', 'api', 'file+api']) });

export const listTouchpoints = defineRoute({
  method: 'get',
  path: '/api/v1/touchpoints',
  access: 'viewer',
  tag: 'Journey',
  summary:
    "The customer journey in force: touchpoints.yaml's with the API's changes, in order, with their stage and origin",
  responses: { 200: { description: 'The touchpoints.', schema: listOf(listedSchema) } },
  handler: (_input, deps) =>
    Promise.resolve({
      status: 200,
      body: {
        data: deps.journey
          .views()
          .map((t) => ({ id: t.id, stage: t.stage, label: t.label, origin: t.origin })),
      },
    }),
});

export const getWorkspace = defineRoute({
  method: 'get',
  path: '/api/v1/workspace',
  access: 'viewer',
  tag: 'Journey',
  summary: 'The brand, its time zone, the stages and touchpoints, and who is asking',
  description:
    "What the dashboard needs before anything else: dates and hours are shown in the brand's time zone, stages and touchpoints by their names in French and English, and actions as the caller's role allows.",
  responses: {
    200: {
      description: 'The workspace.',
      schema: z.object({
        brand: z.object({ timeZone: z.string() }),
        stages: z.array(z.object({ id: stageSchema, label: bilingual })),
        touchpoints: z.array(touchpointSchema),
        brands: z.array(z.object({ id: z.string(), name: z.string(), own: z.boolean() })),
        user: z.object({ id: z.string(), name: z.string(), role: roleSchema }),
      }),
    },
  },
  handler: ({ user }, deps) =>
    Promise.resolve({
      status: 200,
      body: {
        brand: { timeZone: deps.settings.timeZone },
        stages: STAGES.map((id) => ({ id, label: STAGE_LABELS[id] })),
        touchpoints: deps.journey.touchpoints().map((t) => ({
          id: t.id,
          stage: t.stage,
          label: t.label,
        })),
        brands: deps.settings.brands ?? [],
        user: user ? { id: user.id, name: user.name, role: user.role } : null,
      },
    }),
});
