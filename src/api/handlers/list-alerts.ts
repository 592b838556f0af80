import { z } from 'zod';
import { presentAlert } from '../../alerts/explain.js';
import { NotFoundError } from '../../errors.js';
import type { HandlerResult } from '../errors.js';
import { isoDateParam, parseInput, type ApiDeps, type ApiRequest } from './_deps.js';

const querySchema = z
  .object({
    kind: z.enum(['weak-link', 'operational']).optional(),
    status: z.enum(['open', 'acknowledged', 'snoozed', 'resolved']).optional(),
    touchpoint: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    severity: z.enum(['info', 'warning', 'critical']).optional(),
    since: isoDateParam,
    until: isoDateParam,
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const alertIdSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{24}$/, 'not an alert id'),
});

/**
 * Newest first by opening time. `since` and `until` bound the opening (event) time; weak-link
 * and operational alerts are kept apart by `kind`. Each alert carries its `summary`, in French
 * and English, rendered from its facts on the brand's clock (src/alerts/explain.ts), so that the
 * dashboard shows the words Slack and webhooks send.
 */
export async function listAlertsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const q = parseInput(querySchema, req.query, 'query');
  const alerts = await deps.alerts.list({
    limit: q.limit,
    ...(q.kind ? { kind: q.kind } : {}),
    ...(q.status ? { status: q.status } : {}),
    ...(q.touchpoint ? { touchpoint: q.touchpoint } : {}),
    ...(q.severity ? { severity: q.severity } : {}),
    ...(q.since ? { openedSince: q.since } : {}),
    ...(q.until ? { openedUntil: q.until } : {}),
  });
  const timeZone = deps.settings.timeZone;
  return { status: 200, body: { data: alerts.map((a) => presentAlert(a, timeZone)) } };
}

export async function getAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const { id } = parseInput(alertIdSchema, req.params, 'path');
  const alert = await deps.alerts.findById(id);
  if (!alert) throw new NotFoundError('alert', id);
  return { status: 200, body: presentAlert(alert, deps.settings.timeZone) };
}
