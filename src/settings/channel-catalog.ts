/**
 * Every notification channel, wherever it was declared, and the routes alerts follow: alerts.yaml's
 * channels (their secrets from the environment, resolved by config/) and those an admin created
 * through the API (kept in the settings collection, their secrets sealed with SECRETS_KEY); the
 * file's routes, or the list an admin put through the API, which replaces them until deleted.
 *
 * The notify job asks this catalog on every fanout and delivery (two `_id` lookups: alerts are
 * few), so a channel or a route changed through the API is followed by every worker process at
 * once, without a restart. A file channel cannot be changed here (409): the file is its truth.
 */
import { z } from 'zod';
import {
  channelIdSchema,
  channelTypeOf,
  channelTypes,
  type ChannelConfig,
  type ChannelType,
} from '../alerts/channels/index.js';
import { alertsFileSchema, type AlertsConfig, type RouteConfig } from '../alerts/settings.js';
import { zodIssues } from '../domain/mention.js';
import { ConflictError, NotFoundError, ValidationError, type ValidationIssue } from '../errors.js';
import type { SecretBox } from '../store/sealed.js';
import type { SettingsAuthor, SettingsRepository } from '../store/settings-repository.js';

/** A channel as stored: its settings and, sealed, its secrets (never in clear). */
interface StoredChannel {
  type: ChannelType;
  digestOnly: boolean;
  options: Record<string, unknown>;
  sealed?: string;
}

/** A channel as the API shows it: never a secret's value. */
export interface ChannelView {
  id: string;
  type: string;
  origin: 'file' | 'api';
  digestOnly: boolean;
  options: Record<string, unknown>;
  /** Each secret the channel holds, as "set". */
  secrets: Record<string, 'set'>;
  updatedAt?: Date;
  updatedBy?: SettingsAuthor;
}

export interface RoutesView {
  /** `api` once an admin put a list; `file` for alerts.yaml's (or its defaults). */
  origin: 'file' | 'api';
  routes: RouteConfig[];
  updatedAt?: Date;
  updatedBy?: SettingsAuthor;
}

export interface ChannelCatalogDeps {
  /** alerts.yaml, resolved. */
  alerts: Pick<AlertsConfig, 'channels' | 'routes'>;
  /**
   * Whether alerts.yaml wrote its routes. When it did not, the default routes are recomputed
   * over every channel, those added through the API included.
   */
  routesDeclared: boolean;
  settings: SettingsRepository;
  /** Seals API channels' secrets; without it, the API accepts no channel that has one. */
  box?: SecretBox;
  now?: () => Date;
}

export type ChannelCatalog = ReturnType<typeof createChannelCatalog>;

/** The routes' list as alerts.yaml takes it (kinds defaulted, fields checked). */
const routesSchema = alertsFileSchema.shape.routes.unwrap();

const secretsInput = z.record(z.string(), z.string().min(1).max(4096));

const createBody = z
  .object({
    id: channelIdSchema.max(60),
    type: z.enum(Object.keys(channelTypes) as [ChannelType, ...ChannelType[]]),
    digestOnly: z.boolean().default(false),
    options: z.record(z.string(), z.unknown()).default({}),
    secrets: secretsInput.default({}),
  })
  .strict();

const patchBody = z
  .object({
    digestOnly: z.boolean().optional(),
    /** Merged over the current options; a key set to null goes back to its default. */
    options: z.record(z.string(), z.unknown()).optional(),
    /** Replaces the named secrets; null removes an optional one. Others stay as they are. */
    secrets: z.record(z.string(), z.string().min(1).max(4096).nullable()).optional(),
  })
  .strict();

const httpUrl = z.url({ protocol: /^https?$/ });

/** The defaults of alerts.yaml without routes, over the given channels. */
export function defaultRoutes(
  channels: ReadonlyArray<Pick<ChannelConfig, 'id' | 'type' | 'digestOnly'>>,
): RouteConfig[] {
  return [
    {
      match: { kind: 'weak-link' },
      channels: channels.filter((c) => !c.digestOnly).map((c) => c.id),
    },
    {
      match: { kind: 'operational' },
      channels: channels.filter((c) => c.type === 'log').map((c) => c.id),
    },
  ].filter((r) => r.channels.length > 0) as RouteConfig[];
}

export function createChannelCatalog(deps: ChannelCatalogDeps) {
  const now = deps.now ?? (() => new Date());
  const fileById = new Map(deps.alerts.channels.map((c) => [c.id, c]));

  /**
   * A type's options, checked by its own schema (defaults filled in), and its secrets: known
   * names, URLs where one is due, the required ones there. Every issue at once.
   */
  const check = (
    type: ChannelType,
    options: Record<string, unknown>,
    secrets: Record<string, string>,
  ): Record<string, unknown> => {
    const schema = (channelTypeOf(type).options as z.ZodObject).strict();
    const parsed = schema.safeParse(options);
    const issues: ValidationIssue[] = parsed.success
      ? []
      : zodIssues(parsed.error).map((i) => ({ ...i, path: `options.${i.path}` }));
    const specs = channelTypeOf(type).secrets;
    for (const [name, value] of Object.entries(secrets)) {
      const spec = specs[name];
      if (!spec)
        issues.push({ path: `secrets.${name}`, message: `${type} has no secret "${name}"` });
      else if (spec.url && !httpUrl.safeParse(value).success)
        issues.push({ path: `secrets.${name}`, message: 'expected an http(s) URL' });
    }
    for (const [name, spec] of Object.entries(specs)) {
      if (!spec.optional && secrets[name] === undefined)
        issues.push({ path: `secrets.${name}`, message: `required: ${spec.describe}` });
    }
    if (Object.keys(secrets).length > 0 && !deps.box)
      issues.push({
        path: 'secrets',
        message:
          'this server cannot store secrets: set SECRETS_KEY (the key that encrypts them at rest), or declare the channel in alerts.yaml with its secrets in environment variables',
      });
    if (issues.length > 0 || !parsed.success) throw new ValidationError('body', issues);
    return parsed.data;
  };

  const open = (stored: StoredChannel): Record<string, string> => {
    if (!stored.sealed) return {};
    // Sealed under a key this process does not have: the channel cannot send, say why.
    if (!deps.box) throw new Error('channel secrets are sealed but SECRETS_KEY is not set');
    return deps.box.open(stored.sealed);
  };

  const toConfig = (id: string, stored: StoredChannel): ChannelConfig | null => {
    // A type removed from the code, or options an older version accepted: not sendable.
    if (!(stored.type in channelTypes)) return null;
    const parsed = (channelTypeOf(stored.type).options as z.ZodObject).safeParse(stored.options);
    if (!parsed.success) return null;
    return {
      ...parsed.data,
      id,
      type: stored.type,
      digestOnly: stored.digestOnly,
      secrets: open(stored),
    };
  };

  const apiChannels = async () =>
    Object.entries((await deps.settings.get<StoredChannel>('channels')).items).filter(
      ([id]) => !fileById.has(id),
    );

  const fileView = (c: ChannelConfig): ChannelView => {
    const { id, type, digestOnly, secrets, ...options } = c;
    return {
      id,
      type,
      origin: 'file',
      digestOnly,
      options,
      secrets: Object.fromEntries(Object.keys(secrets).map((k) => [k, 'set' as const])),
    };
  };

  const apiView = (
    id: string,
    item: { value: StoredChannel; updatedAt: Date; updatedBy: SettingsAuthor },
    secretNames: string[],
  ): ChannelView => ({
    id,
    type: item.value.type,
    origin: 'api',
    digestOnly: item.value.digestOnly,
    options: item.value.options,
    secrets: Object.fromEntries(secretNames.map((k) => [k, 'set' as const])),
    updatedAt: item.updatedAt,
    updatedBy: item.updatedBy,
  });

  /** The names of a stored channel's secrets (opening the box: names are sealed too). */
  const secretNames = (stored: StoredChannel): string[] => {
    try {
      return Object.keys(open(stored));
    } catch {
      // Sealed under another key: the names cannot be read, but something is set.
      return stored.sealed ? ['(sealed)'] : [];
    }
  };

  const store = async (
    id: string,
    stored: StoredChannel,
    by: SettingsAuthor,
    mode: 'create' | 'update',
  ): Promise<void> => {
    const at = now();
    if (mode === 'create') {
      if (!(await deps.settings.create('channels', id, stored, by, at)))
        throw new ConflictError(`channel ${id} exists`);
    } else await deps.settings.put('channels', id, stored, by, at);
    await deps.settings.record({
      at,
      by,
      what: 'channels',
      id,
      action: mode,
      detail: {
        type: stored.type,
        options: Object.keys(stored.options),
        secrets: stored.sealed ? 'sealed' : 'none',
      },
    });
  };

  return {
    /** Every channel the notify job may send to, the file's first, secrets resolved. */
    async channels(): Promise<ChannelConfig[]> {
      const api = (await apiChannels())
        .map(([id, item]) => {
          try {
            return toConfig(id, item.value);
          } catch {
            return null;
          }
        })
        .filter((c): c is ChannelConfig => c !== null);
      return [...deps.alerts.channels, ...api];
    },

    /** One channel by id, secrets resolved; null when there is none. */
    async get(id: string): Promise<ChannelConfig | null> {
      const file = fileById.get(id);
      if (file) return file;
      const item = (await deps.settings.get<StoredChannel>('channels')).items[id];
      return item ? toConfig(id, item.value) : null;
    },

    /** The routes in force: an admin's list, else the file's, else the defaults over all. */
    async routes(): Promise<RoutesView> {
      const stored = (await deps.settings.get<RouteConfig[]>('routes')).items.current;
      if (stored)
        return {
          origin: 'api',
          routes: stored.value,
          updatedAt: stored.updatedAt,
          updatedBy: stored.updatedBy,
        };
      if (deps.routesDeclared) return { origin: 'file', routes: deps.alerts.routes };
      return { origin: 'file', routes: defaultRoutes(await this.channels()) };
    },

    /** What the fanout needs: every channel, and the routes in force. */
    async routing(): Promise<{ channels: ChannelConfig[]; routes: RouteConfig[] }> {
      const channels = await this.channels();
      const view = await this.routes();
      return { channels, routes: view.routes };
    },

    /** The channels as the API shows them (no secret's value). */
    async list(): Promise<ChannelView[]> {
      const api = await apiChannels();
      return [
        ...deps.alerts.channels.map(fileView),
        ...api.map(([id, item]) => apiView(id, item, secretNames(item.value))),
      ];
    },

    async view(id: string): Promise<ChannelView> {
      const file = fileById.get(id);
      if (file) return fileView(file);
      const item = (await deps.settings.get<StoredChannel>('channels')).items[id];
      if (!item) throw new NotFoundError('channel', id);
      return apiView(id, item, secretNames(item.value));
    },

    async create(input: unknown, by: SettingsAuthor): Promise<ChannelView> {
      const body = createBody.safeParse(input ?? {});
      if (!body.success) throw new ValidationError('body', zodIssues(body.error), body.error);
      const { id, type, digestOnly, options, secrets } = body.data;
      if (fileById.has(id)) throw new ConflictError(`channel ${id} is defined in alerts.yaml`);
      const checked = check(type, options, secrets);
      const stored: StoredChannel = {
        type,
        digestOnly,
        options: checked,
        ...(Object.keys(secrets).length > 0 && deps.box ? { sealed: deps.box.seal(secrets) } : {}),
      };
      await store(id, stored, by, 'create');
      return this.view(id);
    },

    async update(id: string, input: unknown, by: SettingsAuthor): Promise<ChannelView> {
      if (fileById.has(id))
        throw new ConflictError(
          `channel ${id} is defined in alerts.yaml: edit the file to change it`,
        );
      const body = patchBody.safeParse(input ?? {});
      if (!body.success) throw new ValidationError('body', zodIssues(body.error), body.error);
      const current = (await deps.settings.get<StoredChannel>('channels')).items[id];
      if (!current) throw new NotFoundError('channel', id);
      const { type } = current.value;
      const merged = { ...current.value.options };
      for (const [k, v] of Object.entries(body.data.options ?? {})) {
        if (v === null) delete merged[k];
        else merged[k] = v;
      }
      let secrets: Record<string, string>;
      try {
        secrets = open(current.value);
      } catch (err) {
        throw new ConflictError(
          `channel ${id}: its secrets cannot be opened (${err instanceof Error ? err.message : String(err)}); delete it and create it again`,
        );
      }
      for (const [k, v] of Object.entries(body.data.secrets ?? {})) {
        if (v === null) delete secrets[k];
        else secrets[k] = v;
      }
      const checked = check(type, merged, secrets);
      const stored: StoredChannel = {
        type,
        digestOnly: body.data.digestOnly ?? current.value.digestOnly,
        options: checked,
        ...(Object.keys(secrets).length > 0 && deps.box ? { sealed: deps.box.seal(secrets) } : {}),
      };
      await store(id, stored, by, 'update');
      return this.view(id);
    },

    async remove(id: string, by: SettingsAuthor): Promise<void> {
      if (fileById.has(id))
        throw new ConflictError(`channel ${id} is defined in alerts.yaml: remove it from the file`);
      const routes = (await deps.settings.get<RouteConfig[]>('routes')).items.current?.value ?? [];
      if (routes.some((r) => r.channels.includes(id)))
        throw new ConflictError(
          `channel ${id} is named by the routes: take it out of them first (PUT /api/v1/routes)`,
        );
      const at = now();
      if (!(await deps.settings.remove('channels', id, by, at)))
        throw new NotFoundError('channel', id);
      await deps.settings.record({ at, by, what: 'channels', id, action: 'delete' });
    },

    /** Replaces the file's routes; every channel they name must exist. */
    async putRoutes(input: unknown, by: SettingsAuthor): Promise<RoutesView> {
      const parsed = routesSchema.safeParse(input);
      if (!parsed.success) throw new ValidationError('body', zodIssues(parsed.error), parsed.error);
      const known = new Set((await this.channels()).map((c) => c.id));
      const issues: ValidationIssue[] = [];
      for (const [i, r] of parsed.data.entries())
        for (const [j, c] of r.channels.entries())
          if (!known.has(c))
            issues.push({ path: `${i}.channels.${j}`, message: `no channel "${c}"` });
      if (issues.length > 0) throw new ValidationError('body', issues);
      const at = now();
      await deps.settings.put('routes', 'current', parsed.data, by, at);
      await deps.settings.record({
        at,
        by,
        what: 'routes',
        action: 'replace',
        detail: { routes: parsed.data.length },
      });
      return this.routes();
    },

    /** Back to the file's routes (or its defaults). */
    async resetRoutes(by: SettingsAuthor): Promise<RoutesView> {
      const at = now();
      if (await deps.settings.remove('routes', 'current', by, at))
        await deps.settings.record({ at, by, what: 'routes', action: 'reset' });
      return this.routes();
    },
  };
}

/** A catalog of alerts.yaml alone, for callers built without the store (tests, tools). */
export function fileChannels(alerts: Pick<AlertsConfig, 'channels' | 'routes'>) {
  const byId = new Map(alerts.channels.map((c) => [c.id, c]));
  return {
    get: (id: string) => Promise.resolve(byId.get(id) ?? null),
    routing: () => Promise.resolve({ channels: alerts.channels, routes: alerts.routes }),
  };
}
