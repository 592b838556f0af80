/**
 * What a community manager does with an alert: acknowledge it, snooze it, resolve it, comment on
 * it. Each action is kept in the alert's history with who did it; none of them notifies.
 */
import { z } from 'zod';
import { presentAlert } from '../../alerts/explain.js';
import type { AlertEvent, AlertStatus } from '../../domain/alert.js';
import { NotFoundError } from '../../errors.js';
import type { HandlerResult } from '../errors.js';
import { parseInput, type ApiDeps, type ApiRequest } from './_deps.js';
import { alertIdSchema } from './list-alerts.js';

const by = z.string().trim().min(1).max(100);
const text = z.string().trim().min(1).max(2000);

const acknowledgeBody = z.object({ by, text: text.optional() }).strict();
const resolveBody = z.object({ by, text: text.optional() }).strict();
const commentBody = z.object({ by, text }).strict();
const snoozeBody = z
  .object({
    by,
    text: text.optional(),
    /** Either an instant or a number of minutes from now (at most 30 days). */
    until: z.iso.datetime({ offset: true }).optional(),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .optional(),
  })
  .strict()
  .refine((b) => (b.until === undefined) !== (b.minutes === undefined), {
    message: 'give either until or minutes',
  });

async function act(
  req: ApiRequest,
  deps: ApiDeps,
  event: (now: Date) => {
    event: AlertEvent;
    status?: AlertStatus;
    snoozedUntil?: Date | null;
    resolvedAt?: Date;
  },
): Promise<HandlerResult> {
  const { id } = parseInput(alertIdSchema, req.params, 'path');
  const now = new Date();
  const { event: e, ...changes } = event(now);
  const r = await deps.alerts.record(id, e, changes, now);
  if (!r) throw new NotFoundError('alert', id);
  return { status: 200, body: presentAlert(r.alert, deps.settings.timeZone) };
}

export function acknowledgeAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const b = parseInput(acknowledgeBody, req.body, 'body');
  return act(req, deps, (at) => ({
    event: { at, kind: 'acknowledged', by: b.by, ...(b.text ? { text: b.text } : {}) },
    status: 'acknowledged',
  }));
}

export function snoozeAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const b = parseInput(snoozeBody, req.body, 'body');
  return act(req, deps, (at) => {
    const until = b.until ? new Date(b.until) : new Date(at.getTime() + (b.minutes ?? 0) * 60_000);
    return {
      event: { at, kind: 'snoozed', by: b.by, text: b.text ?? `until ${until.toISOString()}` },
      status: 'snoozed',
      snoozedUntil: until,
    };
  });
}

export function resolveAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const b = parseInput(resolveBody, req.body, 'body');
  return act(req, deps, (at) => ({
    event: { at, kind: 'resolved', by: b.by, ...(b.text ? { text: b.text } : {}) },
    status: 'resolved',
    resolvedAt: at,
    snoozedUntil: null,
  }));
}

export function commentAlertHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const b = parseInput(commentBody, req.body, 'body');
  return act(req, deps, (at) => ({ event: { at, kind: 'commented', by: b.by, text: b.text } }));
}
