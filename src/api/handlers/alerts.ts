/**
 * The alert inbox: list and read alerts (viewers), and what a community manager does with one
 * (managers): acknowledge, snooze, resolve, comment, assign. Each action is kept in the alert's
 * history under the signed-in user's name and id, never a name from the body; none notifies.
 */
import { z } from 'zod';
import { presentAlert } from '../../alerts/explain.js';
import type { Alert, AlertEvent, AlertStatus } from '../../domain/alert.js';
import { alertKindSchema, alertStatusSchema, severitySchema } from '../../domain/vocabulary.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { defineRoute, type Principal, type RouteResult } from '../route.js';
import {
  bilingual,
  cursorParam,
  isoDateParam,
  isoString,
  limitParam,
  objectIdParam,
  pageOf,
} from '../schemas.js';
import type { ApiDeps } from './_deps.js';

const eventSchema = z.object({
  at: isoString,
  kind: z.string(),
  severity: severitySchema.optional(),
  by: z.string().optional(),
  byId: z.string().optional(),
  text: z.string().optional(),
});

/** An alert as the API sends it; `summary` is its explanation in French and English. */
export const alertSchema = z
  .object({
    id: z.string(),
    kind: alertKindSchema,
    key: z.string(),
    touchpoint: z.object({ id: z.string(), stage: z.string(), label: bilingual }).optional(),
    sourceId: z.string().optional(),
    severity: severitySchema,
    status: alertStatusSchema,
    title: z.string(),
    openedAt: isoString,
    resolvedAt: isoString.nullable(),
    snoozedUntil: isoString.nullable(),
    assignee: z.object({ id: z.string(), name: z.string() }).nullable().optional(),
    evidence: z
      .object({
        observed: z.number(),
        expected: z.number(),
        score: z.number(),
        negativeShare: z.number(),
        authors: z.number(),
        sources: z.array(z.string()),
        reach: z.number(),
        quotes: z.array(
          z.object({
            mentionId: z.string(),
            source: z.string(),
            url: z.string(),
            author: z.string(),
            quote: z.string(),
            lang: z.string(),
            reach: z.number(),
            publishedAt: isoString,
          }),
        ),
      })
      .loose()
      .describe('The numbers against baseline; `facts` (waves) or `outage` (sources) beside them.'),
    history: z.array(eventSchema),
    summary: bilingual,
    createdAt: isoString,
    updatedAt: isoString,
  })
  .meta({ id: 'Alert' });

const listQuery = z
  .object({
    kind: alertKindSchema.optional(),
    status: alertStatusSchema.optional(),
    touchpoint: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .optional(),
    severity: severitySchema.optional(),
    assignee: z.string().max(320).optional().describe('A user id: the alerts assigned to them.'),
    since: isoDateParam.describe('Opened at or after.'),
    until: isoDateParam.describe('Opened before.'),
    limit: limitParam(),
    cursor: cursorParam,
  })
  .strict();

const text = z.string().trim().min(1).max(2000);
const noteBody = z.object({ text: text.optional() }).strict().default({});
const commentBody = z.object({ text }).strict();
const snoozeBody = z
  .object({
    text: text.optional(),
    until: z.iso.datetime({ offset: true }).optional().describe('Snooze until this instant...'),
    minutes: z
      .number()
      .int()
      .min(1)
      .max(30 * 24 * 60)
      .optional()
      .describe('...or for this many minutes (at most 30 days).'),
  })
  .strict()
  .refine((b) => (b.until === undefined) !== (b.minutes === undefined), {
    message: 'give either until or minutes',
  });
const assignBody = z
  .object({
    to: z
      .string()
      .trim()
      .toLowerCase()
      .max(320)
      .nullable()
      .describe('The id (e-mail) of a user, or null to take the alert back.'),
  })
  .strict();

const encodeCursor = (a: Alert) =>
  Buffer.from(`${a.openedAt.getTime()}.${a.id}`).toString('base64url');

function decodeCursor(cursor: string): { openedAt: Date; id: string } {
  const m = /^(\d{1,15})\.([0-9a-f]{24})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m)
    throw new ValidationError('query', [
      { path: 'cursor', message: 'not a cursor this API returned' },
    ]);
  return { openedAt: new Date(Number(m[1])), id: m[2]! };
}

export const listAlerts = defineRoute({
  method: 'get',
  path: '/api/v1/alerts',
  access: 'viewer',
  tag: 'Alerts',
  summary: 'List alerts, newest first',
  description:
    "Newest first by opening time; `nextCursor` gives the next page. `since` and `until` bound the opening (event) time. Each alert carries its `summary` in French and English, rendered on the brand's clock: the words Slack, Teams, e-mail and webhooks send.",
  query: listQuery,
  responses: { 200: { description: 'A page of alerts.', schema: pageOf(alertSchema) } },
  handler: async ({ query: q }, deps) => {
    const alerts = await deps.alerts.list({
      limit: q.limit + 1,
      ...(q.kind ? { kind: q.kind } : {}),
      ...(q.status ? { status: q.status } : {}),
      ...(q.touchpoint ? { touchpoint: q.touchpoint } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.assignee ? { assignee: q.assignee } : {}),
      ...(q.since ? { openedSince: q.since } : {}),
      ...(q.until ? { openedUntil: q.until } : {}),
      ...(q.cursor ? { after: decodeCursor(q.cursor) } : {}),
    });
    const page = alerts.slice(0, q.limit);
    const last = page.at(-1);
    const timeZone = deps.settings.timeZone;
    return {
      status: 200,
      body: {
        data: page.map((a) => presentAlert(a, timeZone)),
        nextCursor: alerts.length > q.limit && last ? encodeCursor(last) : null,
      },
    };
  },
});

export const getAlert = defineRoute({
  method: 'get',
  path: '/api/v1/alerts/:id',
  access: 'viewer',
  tag: 'Alerts',
  summary: 'One alert',
  params: objectIdParam,
  responses: { 200: { description: 'The alert.', schema: alertSchema } },
  handler: async ({ params }, deps) => {
    const alert = await deps.alerts.findById(params.id);
    if (!alert) throw new NotFoundError('alert', params.id);
    return { status: 200, body: presentAlert(alert, deps.settings.timeZone) };
  },
});

type Change = {
  event: Omit<AlertEvent, 'at' | 'by' | 'byId'>;
  status?: AlertStatus;
  snoozedUntil?: Date | null;
  resolvedAt?: Date;
  assignee?: { id: string; name: string } | null;
};

/** Records `change` in the alert's history under the caller's name. */
async function act(
  id: string,
  user: Principal | null,
  deps: ApiDeps,
  change: (now: Date) => Change,
): Promise<RouteResult> {
  const now = new Date();
  const { event, ...changes } = change(now);
  const by = user ? { by: user.name, byId: user.id } : {};
  const r = await deps.alerts.record(id, { at: now, ...event, ...by }, changes, now);
  if (!r) throw new NotFoundError('alert', id);
  return { status: 200, body: presentAlert(r.alert, deps.settings.timeZone) };
}

const actionResponses = {
  200: { description: 'The alert after the action.', schema: alertSchema },
};

export const acknowledgeAlert = defineRoute({
  method: 'post',
  path: '/api/v1/alerts/:id/acknowledge',
  access: 'manager',
  tag: 'Alerts',
  summary: 'Acknowledge an alert (someone is on it)',
  params: objectIdParam,
  body: noteBody,
  responses: actionResponses,
  handler: ({ params, body, user }, deps) =>
    act(params.id, user, deps, () => ({
      event: { kind: 'acknowledged', ...(body.text ? { text: body.text } : {}) },
      status: 'acknowledged',
    })),
});

export const snoozeAlert = defineRoute({
  method: 'post',
  path: '/api/v1/alerts/:id/snooze',
  access: 'manager',
  tag: 'Alerts',
  summary: 'Snooze an alert until a time; it reopens by itself',
  params: objectIdParam,
  body: snoozeBody,
  responses: actionResponses,
  handler: ({ params, body, user }, deps) =>
    act(params.id, user, deps, (at) => {
      const until = body.until
        ? new Date(body.until)
        : new Date(at.getTime() + (body.minutes ?? 0) * 60_000);
      return {
        event: { kind: 'snoozed', text: body.text ?? `until ${until.toISOString()}` },
        status: 'snoozed',
        snoozedUntil: until,
      };
    }),
});

export const resolveAlert = defineRoute({
  method: 'post',
  path: '/api/v1/alerts/:id/resolve',
  access: 'manager',
  tag: 'Alerts',
  summary: 'Resolve an alert',
  params: objectIdParam,
  body: noteBody,
  responses: actionResponses,
  handler: ({ params, body, user }, deps) =>
    act(params.id, user, deps, (at) => ({
      event: { kind: 'resolved', ...(body.text ? { text: body.text } : {}) },
      status: 'resolved',
      resolvedAt: at,
      snoozedUntil: null,
    })),
});

export const commentAlert = defineRoute({
  method: 'post',
  path: '/api/v1/alerts/:id/comments',
  access: 'manager',
  tag: 'Alerts',
  summary: 'Comment on an alert',
  params: objectIdParam,
  body: commentBody,
  responses: actionResponses,
  handler: ({ params, body, user }, deps) =>
    act(params.id, user, deps, () => ({ event: { kind: 'commented', text: body.text } })),
});

export const assignAlert = defineRoute({
  method: 'post',
  path: '/api/v1/alerts/:id/assign',
  access: 'manager',
  tag: 'Alerts',
  summary: 'Assign an alert to a user, or take it back',
  params: objectIdParam,
  body: assignBody,
  responses: actionResponses,
  handler: async ({ params, body, user }, deps) => {
    const to = body.to ? await deps.access.findUser(body.to) : null;
    if (body.to && (!to || to.disabled))
      throw new ValidationError('body', [{ path: 'to', message: `no active user ${body.to}` }]);
    const assignee = to ? { id: to.id, name: to.name } : null;
    return act(params.id, user, deps, () => ({
      event: { kind: 'assigned', ...(assignee ? { text: assignee.name } : {}) },
      assignee,
    }));
  },
});

export const alertRoutes = [
  listAlerts,
  getAlert,
  acknowledgeAlert,
  snoozeAlert,
  resolveAlert,
  commentAlert,
  assignAlert,
];
