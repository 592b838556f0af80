/**
 * Settings an admin changes without a restart: notification channels, the routes alerts follow,
 * and the journey's touchpoints. alerts.yaml's channels and touchpoints.yaml's touchpoints are
 * listed with `origin: file` and cannot be removed here (409); what the API adds is kept in the
 * store's `settings` collection, every change recorded with who made it. Secrets are write-only:
 * accepted in a request, sealed at rest with SECRETS_KEY, never returned (each shows as "set").
 */
import { z } from 'zod';
import { channelTypes, sendToChannel, type Outgoing } from '../../alerts/channels/index.js';
import type { Digest } from '../../alerts/digest.js';
import { touchpointSchema } from '../../analysis/journey.js';
import { stageSchema } from '../../domain/vocabulary.js';
import { NotFoundError, UnauthorizedError } from '../../errors.js';
import type { SettingsAuthor } from '../../store/settings-repository.js';
import { defineRoute, type Principal } from '../route.js';
import { bilingual, isoString, listOf } from '../schemas.js';

const idParams = z
  .object({ id: z.string().regex(/^[a-z0-9-]{1,60}$/, 'use lower-case letters, digits and "-"') })
  .strict();

const authorSchema = z.object({ id: z.string(), name: z.string() });

/** Who is changing a setting: the authenticated caller, never a name from the body. */
function author(user: Principal | null): SettingsAuthor {
  if (!user) throw new UnauthorizedError();
  return { id: user.id, name: user.name };
}

export const channelSchema = z
  .object({
    id: z.string(),
    type: z.enum(Object.keys(channelTypes) as [string, ...string[]]),
    origin: z.enum(['file', 'api']),
    digestOnly: z.boolean(),
    options: z.record(z.string(), z.unknown()),
    secrets: z
      .record(z.string(), z.literal('set'))
      .describe('Write-only: each secret set shows as "set".'),
    updatedAt: isoString.optional(),
    updatedBy: authorSchema.optional(),
  })
  .meta({ id: 'Channel' });

const channelBody = z
  .object({
    id: z.string().describe('Lower-case letters, digits and "-".'),
    type: z.enum(Object.keys(channelTypes) as [string, ...string[]]),
    digestOnly: z.boolean().optional(),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("The type's own settings, as in alerts.yaml (lang, host, to...)."),
    secrets: z
      .record(z.string(), z.string())
      .optional()
      .describe(
        'Write-only (url, secret, webhookUrl, user, password...): sealed with SECRETS_KEY.',
      ),
  })
  .describe('A channel: checked by its type’s own schema.');

const channelPatch = z
  .object({
    digestOnly: z.boolean().optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    secrets: z.record(z.string(), z.string().nullable()).optional(),
  })
  .describe(
    'Options merged over the current ones (null: back to the default); secrets replaced by name (null: removed).',
  );

const routeSchema = z.object({
  match: z.object({
    kind: z.enum(['weak-link', 'operational']),
    touchpoints: z.array(z.string()).optional(),
    sources: z.array(z.string()).optional(),
    minSeverity: z.enum(['info', 'warning', 'critical']).optional(),
  }),
  channels: z.array(z.string()),
});

export const routesSchema = z
  .object({
    origin: z.enum(['file', 'api']),
    routes: z.array(routeSchema),
    updatedAt: isoString.optional(),
    updatedBy: authorSchema.optional(),
  })
  .meta({ id: 'Routes' });

export const listChannels = defineRoute({
  method: 'get',
  path: '/api/v1/channels',
  access: 'admin',
  tag: 'Settings',
  summary: 'Every notification channel, alerts.yaml\'s first; secrets show as "set"',
  responses: { 200: { description: 'The channels.', schema: listOf(channelSchema) } },
  handler: async (_input, deps) => ({ status: 200, body: { data: await deps.channels.list() } }),
});

export const createChannel = defineRoute({
  method: 'post',
  path: '/api/v1/channels',
  access: 'admin',
  tag: 'Settings',
  summary: 'Add a channel; the next alert its routes match reaches it',
  description:
    'Secrets are sealed with SECRETS_KEY; without that key, a channel with a secret is refused (400). While alerts.yaml writes no routes, the default ones take it in.',
  body: z.record(z.string(), z.unknown()),
  documentedBody: channelBody,
  responses: { 201: { description: 'The channel added.', schema: channelSchema } },
  handler: async ({ body, user }, deps) => {
    const c = await deps.channels.create(body, author(user));
    return { status: 201, body: c, headers: { location: `/api/v1/channels/${c.id}` } };
  },
});

export const updateChannel = defineRoute({
  method: 'patch',
  path: '/api/v1/channels/:id',
  access: 'admin',
  tag: 'Settings',
  summary: "Change a channel added through the API (alerts.yaml's: 409)",
  params: idParams,
  body: z.record(z.string(), z.unknown()),
  documentedBody: channelPatch,
  responses: { 200: { description: 'The channel changed.', schema: channelSchema } },
  handler: async ({ params: { id }, body, user }, deps) => ({
    status: 200,
    body: await deps.channels.update(id, body, author(user)),
  }),
});

export const deleteChannel = defineRoute({
  method: 'delete',
  path: '/api/v1/channels/:id',
  access: 'admin',
  tag: 'Settings',
  summary: "Remove a channel added through the API (alerts.yaml's, or one the routes name: 409)",
  params: idParams,
  responses: { 204: { description: 'Removed.' } },
  handler: async ({ params: { id }, user }, deps) => {
    await deps.channels.remove(id, author(user));
    return { status: 204, body: null };
  },
});

/** What a test sends: a digest of nothing, dated now, saying it is a test in its title. */
function testDigest(now: Date): Digest {
  return {
    date: now.toISOString().slice(0, 10),
    generatedAt: now,
    from: new Date(now.getTime() - 86_400_000),
    to: now,
    touchpoints: [],
    top: [],
    totalNegatives: 0,
    totalPrevious: 0,
    openAlerts: [],
  };
}

export const testChannel = defineRoute({
  method: 'post',
  path: '/api/v1/channels/:id/test',
  access: 'admin',
  tag: 'Settings',
  summary: 'Send a test message (an empty daily digest) through a channel',
  description:
    'Sends through the real channel, as a delivery would. A failure answers 200 with `ok: false` and the error, secrets and URLs redacted: the request worked, the channel did not.',
  params: idParams,
  responses: {
    200: {
      description: 'Whether the channel took the message.',
      schema: z.object({
        ok: z.boolean(),
        error: z.object({ name: z.string(), message: z.string() }).optional(),
      }),
    },
  },
  handler: async ({ params: { id }, user }, deps) => {
    const by = author(user);
    const channel = await deps.channels.get(id);
    if (!channel) throw new NotFoundError('channel', id);
    const now = deps.notifier.now();
    const msg: Outgoing = {
      kind: 'digest',
      deliveryKey: `test:${id}:${now.getTime()}`,
      digest: testDigest(now),
    };
    deps.logger.info({ channel: id, by: by.id }, 'channel test');
    try {
      await sendToChannel(deps.notifier, channel, msg, AbortSignal.timeout(20_000));
      return { status: 200, body: { ok: true } };
    } catch (err) {
      // DeliveryError already redacts URLs; a secret echoed back by a receiver is masked too.
      let message = err instanceof Error ? err.message : String(err);
      for (const secret of Object.values(channel.secrets))
        if (secret.length >= 4) message = message.split(secret).join('***');
      return {
        status: 200,
        body: {
          ok: false,
          error: { name: err instanceof Error ? err.name : 'Error', message },
        },
      };
    }
  },
});

export const getRoutes = defineRoute({
  method: 'get',
  path: '/api/v1/routes',
  access: 'admin',
  tag: 'Settings',
  summary: "The routes alerts follow: an admin's list, else alerts.yaml's (or its defaults)",
  responses: { 200: { description: 'The routes in force.', schema: routesSchema } },
  handler: async (_input, deps) => ({ status: 200, body: await deps.channels.routes() }),
});

export const putRoutes = defineRoute({
  method: 'put',
  path: '/api/v1/routes',
  access: 'admin',
  tag: 'Settings',
  summary: "Replace the routes (the whole list, as alerts.yaml's); every channel named must exist",
  body: z.array(z.unknown()),
  documentedBody: z.array(routeSchema),
  responses: { 200: { description: 'The routes now in force.', schema: routesSchema } },
  handler: async ({ body, user }, deps) => ({
    status: 200,
    body: await deps.channels.putRoutes(body, author(user)),
  }),
});

export const resetRoutes = defineRoute({
  method: 'delete',
  path: '/api/v1/routes',
  access: 'admin',
  tag: 'Settings',
  summary: "Back to alerts.yaml's routes",
  responses: { 200: { description: 'The routes now in force.', schema: routesSchema } },
  handler: async ({ user }, deps) => ({
    status: 200,
    body: await deps.channels.resetRoutes(author(user)),
  }),
});

/** A touchpoint with its words and where it comes from. */
export const touchpointDetailSchema = z
  .object({
    id: z.string(),
    stage: stageSchema,
    label: bilingual,
    keywords: z.object({ fr: z.array(z.string()), en: z.array(z.string()) }),
    exclude: z.array(z.string()),
    names: z.object({ fr: z.array(z.string()), en: z.array(z.string()) }).optional(),
    origin: z.enum(['file', 'api', 'file+api']),
    updatedAt: isoString.optional(),
    updatedBy: authorSchema.optional(),
  })
  .meta({ id: 'TouchpointDetail' });

export const putTouchpoint = defineRoute({
  method: 'put',
  path: '/api/v1/touchpoints/:id',
  access: 'admin',
  tag: 'Journey',
  summary: 'Add a touchpoint, or redefine one (label, stage, keywords, exclusions)',
  description:
    'The next mentions read (every process within seconds) link to it; mentions already stored keep the reading (and counts) they were given.',
  params: idParams,
  body: z.record(z.string(), z.unknown()),
  documentedBody: touchpointSchema.omit({ id: true }),
  responses: {
    200: { description: 'The touchpoint as now in force.', schema: touchpointDetailSchema },
  },
  handler: async ({ params: { id }, body, user }, deps) => ({
    status: 200,
    body: await deps.journey.put(id, body, author(user)),
  }),
});

export const deleteTouchpoint = defineRoute({
  method: 'delete',
  path: '/api/v1/touchpoints/:id',
  access: 'admin',
  tag: 'Journey',
  summary:
    "Remove a touchpoint added through the API, or its redefinition of a file one (touchpoints.yaml's alone: 409)",
  params: idParams,
  responses: { 204: { description: 'Removed.' } },
  handler: async ({ params: { id }, user }, deps) => {
    await deps.journey.remove(id, author(user));
    return { status: 204, body: null };
  },
});

export const settingsHistory = defineRoute({
  method: 'get',
  path: '/api/v1/settings/history',
  access: 'admin',
  tag: 'Settings',
  summary: 'The latest changes to channels, routes and touchpoints, and who made them',
  responses: {
    200: {
      description: 'Newest first.',
      schema: listOf(
        z.object({
          at: isoString,
          by: authorSchema,
          what: z.enum(['channels', 'routes', 'touchpoints']),
          id: z.string().optional(),
          action: z.string(),
          detail: z.record(z.string(), z.unknown()).optional(),
        }),
      ),
    },
  },
  handler: async (_input, deps) => ({
    status: 200,
    body: { data: await deps.settingsStore.history() },
  }),
});

export const settingsRoutes = [
  listChannels,
  createChannel,
  updateChannel,
  deleteChannel,
  testChannel,
  getRoutes,
  putRoutes,
  resetRoutes,
  putTouchpoint,
  deleteTouchpoint,
  settingsHistory,
];
