/**
 * The registry of notification channel types: the only file that lists them. config/ builds the
 * `channels` of alerts.yaml from it; the notify job sends through it.
 */
import { z } from 'zod';
import { envNameSchema } from '../../domain/vocabulary.js';
import email from './email.js';
import log from './log.js';
import slack from './slack.js';
import teams from './teams.js';
import webhook from './webhook.js';
import type { AnyChannelDefinition, NotifierDeps, Outgoing } from './_types.js';

export const channelTypes = {
  log,
  slack,
  webhook,
  teams,
  email,
} satisfies Record<string, AnyChannelDefinition>;

export type ChannelType = keyof typeof channelTypes;

export const channelIdSchema = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'use lower-case letters, digits and "-"');

/** A channel every routed alert skips by default (a marketing channel that only wants the digest). */
const digestOnlySchema = z
  .boolean()
  .default(false)
  .describe(
    'Left out of the default route: the channel receives only what routes or the digest name.',
  );

/** One channel of alerts.yaml: common settings, its type's own, and `<secret>Env` names. */
export const channelSettingsSchema = z.discriminatedUnion(
  'type',
  Object.values(channelTypes).map((c: AnyChannelDefinition) =>
    z
      .object({ id: channelIdSchema, type: z.literal(c.type), digestOnly: digestOnlySchema })
      .extend((c.options as z.ZodObject).shape)
      .extend(
        Object.fromEntries(
          Object.entries(c.secrets).map(([name, spec]) => {
            const variable = envNameSchema.describe(
              `Name of the environment variable holding ${spec.describe}`,
            );
            return [`${name}Env`, spec.optional ? variable.optional() : variable];
          }),
        ),
      )
      .strict(),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** A channel with its secrets resolved from the environment. */
export type ChannelConfig = Record<string, unknown> & {
  id: string;
  type: ChannelType;
  digestOnly: boolean;
  secrets: Record<string, string>;
};

export function channelTypeOf(type: string): AnyChannelDefinition {
  const def = (channelTypes as Record<string, AnyChannelDefinition>)[type];
  if (!def) throw new Error(`no channel type "${type}"`);
  return def;
}

/** Sends one message (an alert event or a digest) to one channel. */
export function sendToChannel(
  deps: NotifierDeps,
  channel: ChannelConfig,
  msg: Outgoing,
  signal?: AbortSignal,
): Promise<void> {
  return channelTypeOf(channel.type).send(channel, msg, deps, signal);
}

export type { NotifierDeps, Outgoing } from './_types.js';
export { alertUrl, dashboardUrl, eventName } from './_types.js';
