/**
 * Configuration is read once, at start, from the environment and the YAML files of one folder
 * (`CONFIG_DIR`, default this folder). Everything is validated with zod; a bad value stops
 * start-up with a `ConfigError` that names the file and the key of every problem at once.
 * Nothing else in Maillon reads `process.env`: entry points call `loadConfig` and pass slices down.
 */
import { apiEnvSchema } from '../src/api/settings.js';
import { settingsEnvSchema } from '../src/settings/env.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { touchpointsFileSchema, type TouchpointsConfig } from '../src/analysis/brand.js';
import {
  composeJourney,
  DEFAULT_JOURNEY_PRESET,
  presetFileSchema,
  presetPath,
} from '../src/analysis/journey.js';
import { channelTypeOf, type ChannelConfig } from '../src/alerts/channels/index.js';
import { alertsFileSchema, type AlertsConfig, type RouteConfig } from '../src/alerts/settings.js';
import {
  detectionFileSchema,
  detectionParams,
  type DetectionParams,
} from '../src/detection/params.js';
import { DEFAULT_TIME_ZONE } from '../src/domain/calendar.js';
import { httpUrlSchema } from '../src/domain/vocabulary.js';
import { ConfigError, ValidationError } from '../src/errors.js';
import { parseAllowEntry } from '../src/net/ssrf.js';
import {
  adapterOf,
  SOURCE_KINDS,
  sourceSettingsSchema,
  type SourceConfig,
} from '../src/sources/index.js';

/** The folder holding the default YAML files (this one). */
export const DEFAULT_CONFIG_DIR = path.dirname(fileURLToPath(import.meta.url));

const httpUrl = httpUrlSchema;

export const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'])
      .default('development')
      .describe('Runtime mode; stacks appear in API errors only in development.'),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('pino log level.'),
    LOG_FORMAT: z
      .enum(['json', 'pretty'])
      .default('json')
      .describe('json for machines, pretty for a terminal.'),
    HOST: z.string().min(1).default('127.0.0.1').describe('Interface the API listens on.'),
    PORT: z.coerce
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(3000)
      .describe('API port (0 picks a free one).'),
    PUBLIC_URL: httpUrl
      .optional()
      .describe('Base URL users reach the API at, used in alert links. Default http://HOST:PORT.'),
    REDIS_URL: z
      .url({ protocol: /^rediss?$/ })
      .default('redis://127.0.0.1:6379')
      .describe('Redis for the BullMQ queues.'),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('maillon')
      .describe('BullMQ key prefix: two installations sharing one Redis need two prefixes.'),
    MONGODB_URL: z
      .url({
        protocol: /^mongodb(\+srv)?$/,
        error: (iss) =>
          iss.input === undefined
            ? 'required, e.g. mongodb://127.0.0.1:27017/maillon (npm start starts a local server when it is unset)'
            : 'expected a mongodb:// or mongodb+srv:// URL',
      })
      .describe(
        'MongoDB (or FerretDB) URL; its path names the database, e.g. mongodb://host:27017/maillon. `npm start` starts a local one when unset.',
      ),
    CONFIG_DIR: z
      .string()
      .min(1)
      .optional()
      .describe('Folder holding sources.yaml, touchpoints.yaml and alerts.yaml.'),
    HTTP_TIMEOUT_MS: z.coerce
      .number()
      .int()
      .positive()
      .default(15_000)
      .describe('Timeout of one request to a source.'),
    HTTP_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(5 * 1024 * 1024)
      .describe('Largest response body accepted from a source.'),
    HTTP_ALLOW_HOSTS: z
      .string()
      .optional()
      .transform((v, ctx) => {
        const hosts = (v ?? '')
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean);
        for (const h of hosts) {
          try {
            parseAllowEntry(h);
          } catch (err) {
            ctx.addIssue({ code: 'custom', message: (err as Error).message });
          }
        }
        return hosts.length > 0 ? hosts : undefined;
      })
      .describe(
        'Hosts (`host` or `host:port`, comma-separated) that sources and webhook/Slack receivers may reach although they are loopback, private or link-local: every other such address is refused (SSRF guard), after DNS resolution and on every redirect. Matched as written in the URL, e.g. `127.0.0.1:8080,intranet.example`. Unset: none.',
      ),
    API_BODY_LIMIT: z
      .string()
      .regex(/^\d+(b|kb|mb)$/)
      .default('5mb')
      .describe('Largest request body the API accepts.'),
    API_MAX_BATCH: z.coerce
      .number()
      .int()
      .positive()
      .max(10_000)
      .default(1000)
      .describe('Most mentions in one POST /api/v1/mentions.'),
    WORKER_CONCURRENCY: z.coerce
      .number()
      .int()
      .positive()
      .max(64)
      .default(4)
      .describe('Jobs one worker runs at once.'),
    RETRY_DELAY_SCALE: z.coerce
      .number()
      .positive()
      .max(1)
      .default(1)
      .describe(
        'Multiplies every job retry back-off (1 s, 2 s, 4 s... by default): the tests run them at 1/100.',
      ),
    SECRETS_KEY: z
      .string()
      .min(16, 'at least 16 characters')
      .optional()
      .describe(
        'Seals the credentials of sources and channels created through the API (AES-256-GCM). Without it, the API stores no credential.',
      ),
    SLACK_WEBHOOK_URL: httpUrl
      .optional()
      .describe('Slack incoming webhook, referenced from alerts.yaml.'),
  })
  .extend(apiEnvSchema.shape)
  .extend(settingsEnvSchema.shape)
  .loose(); // the rest of the environment is not ours to judge

const sourcesFileSchema = z.object({ sources: z.array(sourceSettingsSchema).default([]) }).strict();

export type { AlertsConfig, ChannelConfig, SourceConfig, TouchpointsConfig };

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  log: { level: string; format: 'json' | 'pretty' };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    bodyLimit: string;
    maxBatch: number;
    corsOrigins: string[];
    trustProxy: boolean | number | string;
    rateLimitPerMinute: number;
    signInPerMinute: number;
    sessionTtlMs: number;
  };
  redis: { url: string; prefix: string };
  mongo: { url: string; dbName: string };
  /** `allowHosts`: set only when HTTP_ALLOW_HOSTS names some. */
  http: { timeoutMs: number; maxBytes: number; allowHosts?: string[] };
  workers: { concurrency: number; retryDelayScale: number };
  /** sources.yaml's sources, their secrets resolved. */
  sources: SourceConfig[];
  /**
   * The environment variables every kind reads by default (REDDIT_CLIENT_ID...) that are set:
   * sources created through the API use them when their request gives no secret.
   */
  sourceSecrets: Record<string, string>;
  /** Seals API sources' secrets (SECRETS_KEY). */
  secretsKey: string | undefined;
  touchpoints: TouchpointsConfig;
  alerts: AlertsConfig;
  /**
   * Whether alerts.yaml writes its routes. When it does not, the default routes also take the
   * channels added through the API (src/settings/channel-catalog.ts).
   */
  alertRoutesDeclared: boolean;
  /** How often, at most, a process looks for touchpoints changed through the API (ms). */
  settingsRefreshMs: number;
  /** The weak-link detector's rules and thresholds (detection.yaml), on the brand's clock. */
  detection: DetectionParams;
}

export interface LoadConfigOptions {
  /** Sources added by the launcher (the demo feed), validated like the file's. */
  extraSources?: unknown[];
}

/** Reads and validates everything; throws one `ConfigError` listing every problem. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  opts: LoadConfigOptions = {},
): Config {
  const issues: string[] = [];
  // An empty variable (FOO= in a .env or compose file) means "not set", not "set to nothing".
  env = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const envResult = envSchema.safeParse(env);
  if (!envResult.success) issues.push(...describe('environment', envResult.error));
  // Read the files even when the environment is invalid, so that every problem is reported at once.
  const dir = path.resolve(env.CONFIG_DIR || DEFAULT_CONFIG_DIR);

  const sourcesFile = readYaml(dir, 'sources.yaml', sourcesFileSchema, issues);
  const alertsFile = readYaml(dir, 'alerts.yaml', alertsFileSchema, issues);
  const detectionFile = readYaml(dir, 'detection.yaml', detectionFileSchema, issues);
  // One time zone for the brand (touchpoints.yaml); the two keys it replaced are still read.
  const touchpoints = readTouchpoints(dir, issues, [
    { file: 'detection.yaml', key: 'baseline.timeZone', value: detectionFile?.baseline.timeZone },
    { file: 'alerts.yaml', key: 'digest.timezone', value: alertsFile?.digest?.timezone },
  ]);
  const detection =
    touchpoints && detectionFile && detectionParams(detectionFile, touchpoints.brand.timeZone);

  const extra = z.array(sourceSettingsSchema).safeParse(opts.extraSources ?? []);
  if (!extra.success) issues.push(...describe('extra sources', extra.error));
  const declared = [...(sourcesFile?.sources ?? []), ...(extra.data ?? [])];
  const seen = new Set<string>();
  const sources: SourceConfig[] = [];
  for (const [i, s] of declared.entries()) {
    const id = String(s.id);
    const kind = String(s.kind);
    if (seen.has(id)) issues.push(`sources.yaml: sources: duplicate id "${id}"`);
    seen.add(id);
    // Each kind names its secrets; the environment holds them (`secretsFrom` renames them).
    const adapter = adapterOf(kind);
    const renamed = (s.secretsFrom ?? {}) as Record<string, string>;
    for (const name of Object.keys(renamed)) {
      if (!(name in adapter.secrets))
        issues.push(
          `sources.yaml: sources.${i}.secretsFrom.${name}: ${kind} has no secret "${name}"`,
        );
    }
    const secrets: Record<string, string> = {};
    for (const [name, spec] of Object.entries(adapter.secrets)) {
      const variable = renamed[name] ?? spec.env;
      const value = env[variable];
      if (value !== undefined) secrets[name] = value;
      else if (!spec.optional)
        issues.push(
          `sources.yaml: sources.${i} (${id}): environment variable ${variable} must hold ${spec.describe} (it is not set)`,
        );
    }
    const source = { ...s, secrets } as SourceConfig;
    try {
      adapter.check?.(source);
    } catch (err) {
      if (err instanceof ValidationError) {
        for (const issue of err.issues)
          issues.push(`sources.yaml: sources.${i}.${issue.path} (${id}): ${issue.message}`);
      } else if (err instanceof ConfigError) issues.push(...err.issues);
      else throw err;
    }
    sources.push(source);
  }

  // Secrets stay in the environment: the file names the variables, resolved here once.
  const channels: ChannelConfig[] = [];
  for (const [i, c] of (alertsFile?.channels ?? []).entries()) {
    const def = channelTypeOf(String(c.type));
    const secrets: Record<string, string> = {};
    let complete = true;
    for (const [name, spec] of Object.entries(def.secrets)) {
      const key = `${name}Env`;
      // An optional secret the file does not name (an SMTP server without a login).
      if (spec.optional && c[key] === undefined) continue;
      const variable = String(c[key]);
      const value = env[variable];
      const ok = spec.url ? httpUrl.safeParse(value).success : value !== undefined;
      if (ok && value !== undefined) {
        secrets[name] = value;
        continue;
      }
      complete = false;
      issues.push(
        `alerts.yaml: channels.${i}.${key}: environment variable ${variable} must hold ${spec.url ? 'an http(s) URL' : 'the secret'} (${value ? 'it does not' : 'it is not set'})`,
      );
    }
    if (!complete) continue;
    const settings = Object.fromEntries(Object.entries(c).filter(([k]) => !k.endsWith('Env')));
    channels.push({ ...settings, secrets } as ChannelConfig);
  }
  // Default routes: weak-link alerts to every channel but digest-only ones; operational alerts
  // to the log channels, so that they never reach marketers unless a route says so.
  const routes: RouteConfig[] = alertsFile?.routes ?? [
    {
      match: { kind: 'weak-link' },
      channels: (alertsFile?.channels ?? []).filter((c) => !c.digestOnly).map((c) => String(c.id)),
    },
    {
      match: { kind: 'operational' },
      channels: (alertsFile?.channels ?? [])
        .filter((c) => c.type === 'log')
        .map((c) => String(c.id)),
    },
  ];
  const channelIds = new Set((alertsFile?.channels ?? []).map((c) => String(c.id)));
  for (const [i, r] of (alertsFile?.routes ?? []).entries()) {
    for (const [j, id] of r.channels.entries()) {
      if (!channelIds.has(id))
        issues.push(`alerts.yaml: routes.${i}.channels.${j}: no channel "${id}"`);
    }
  }
  if (alertsFile?.digest && !channelIds.has(alertsFile.digest.channel)) {
    issues.push(`alerts.yaml: digest.channel: no channel "${alertsFile.digest.channel}"`);
  }

  let dbName = '';
  if (envResult.success) {
    dbName = decodeURIComponent(new URL(envResult.data.MONGODB_URL).pathname.replace(/^\//, ''));
    if (!/^[A-Za-z0-9_-]{1,63}$/.test(dbName)) {
      issues.push(
        'environment: MONGODB_URL: its path must name the database, e.g. mongodb://127.0.0.1:27017/maillon',
      );
    }
  }

  if (
    issues.length > 0 ||
    !envResult.success ||
    !sourcesFile ||
    !touchpoints ||
    !alertsFile ||
    !detection
  ) {
    throw new ConfigError(issues);
  }
  const e = envResult.data;
  return {
    nodeEnv: e.NODE_ENV,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    api: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST}:${e.PORT}`).replace(/\/$/, ''),
      bodyLimit: e.API_BODY_LIMIT,
      maxBatch: e.API_MAX_BATCH,
      corsOrigins: e.API_CORS_ORIGINS,
      trustProxy: e.TRUST_PROXY,
      rateLimitPerMinute: e.API_RATE_LIMIT,
      signInPerMinute: e.SIGN_IN_RATE_LIMIT,
      sessionTtlMs: e.SESSION_TTL,
    },
    redis: { url: e.REDIS_URL, prefix: e.QUEUE_PREFIX },
    mongo: { url: e.MONGODB_URL, dbName },
    http: {
      timeoutMs: e.HTTP_TIMEOUT_MS,
      maxBytes: e.HTTP_MAX_BYTES,
      ...(e.HTTP_ALLOW_HOSTS ? { allowHosts: e.HTTP_ALLOW_HOSTS } : {}),
    },
    workers: { concurrency: e.WORKER_CONCURRENCY, retryDelayScale: e.RETRY_DELAY_SCALE },
    sources,
    sourceSecrets: Object.fromEntries(
      SOURCE_KINDS.flatMap((k) => Object.values(adapterOf(k).secrets))
        .map((spec) => [spec.env, env[spec.env]] as const)
        .filter((entry): entry is readonly [string, string] => entry[1] !== undefined),
    ),
    secretsKey: e.SECRETS_KEY,
    touchpoints,
    alerts: {
      channels,
      routes: routes.filter((r) => r.channels.length > 0),
      digest: alertsFile.digest
        ? { ...alertsFile.digest, timezone: touchpoints.brand.timeZone }
        : null,
      operational: alertsFile.operational,
    },
    alertRoutesDeclared: alertsFile.routes !== undefined,
    settingsRefreshMs: e.SETTINGS_REFRESH,
    detection,
  };
}

/**
 * Reads and validates `touchpoints.yaml` alone (benchmarks, tools); throws a `ConfigError` naming
 * the file and the keys of every problem. The brand's time zone is the file's or the default
 * (the older keys of the other files are loadConfig's).
 */
export function loadTouchpointsFile(dir: string = DEFAULT_CONFIG_DIR): TouchpointsConfig {
  const issues: string[] = [];
  const touchpoints = readTouchpoints(dir, issues);
  if (!touchpoints) throw new ConfigError(issues);
  return touchpoints;
}

/**
 * touchpoints.yaml with its journey composed: the presets it names (or the default one when it
 * names neither presets nor touchpoints), minus `without`, plus its own touchpoints; and the
 * brand's time zone, from `older` keys when the file names none.
 */
function readTouchpoints(
  dir: string,
  issues: string[],
  older: OlderTimeZone[] = [],
): TouchpointsConfig | undefined {
  const file = readYaml(dir, 'touchpoints.yaml', touchpointsFileSchema, issues);
  if (!file) return undefined;
  const ids = file.journey?.preset ?? (file.touchpoints ? [] : [DEFAULT_JOURNEY_PRESET]);
  const presets = [];
  for (const id of ids) {
    // Presets ship with the code (src/analysis/journeys/), not with CONFIG_DIR.
    const at = presetPath(id);
    const preset = readYaml(path.dirname(at), path.basename(at), presetFileSchema, issues, at);
    if (!preset) return undefined;
    presets.push({ id, file: preset });
  }
  const journey = composeJourney({
    presets,
    without: file.journey?.without,
    entries: file.touchpoints,
  });
  if (journey.issues.length > 0) {
    issues.push(
      ...journey.issues.map((i) => `touchpoints.yaml: ${i.path.join('.')}: ${i.message}`),
    );
    return undefined;
  }
  const timeZone = brandTimeZone(file.brand.timeZone, older, issues);
  return {
    brand: { ...file.brand, timeZone },
    watch: file.watch,
    presets: ids,
    touchpoints: journey.touchpoints,
  };
}

/** A key that held the brand's time zone before `brand.timeZone`, and its value if set. */
interface OlderTimeZone {
  file: string;
  key: string;
  value: string | undefined;
}

/**
 * The brand's time zone: `brand.timeZone`, else an older key that is set (detection.yaml's
 * `baseline.timeZone`, alerts.yaml's `digest.timezone`), else Europe/Paris. Two settings that
 * disagree are an issue naming both: the brand has one clock.
 */
function brandTimeZone(own: string | undefined, older: OlderTimeZone[], issues: string[]) {
  const set = older.filter((o) => o.value !== undefined);
  const chosen =
    own === undefined ? set[0] : { file: 'touchpoints.yaml', key: 'brand.timeZone', value: own };
  for (const o of set) {
    if (!chosen || o.value === chosen.value) continue;
    issues.push(
      `${chosen.file}: ${chosen.key}: "${chosen.value}" differs from ${o.file}'s ${o.key} "${o.value}": ` +
        `the brand has one time zone, brand.timeZone in touchpoints.yaml; remove ${o.key} from ${o.file}`,
    );
  }
  return chosen?.value ?? DEFAULT_TIME_ZONE;
}

function readYaml<T>(
  dir: string,
  file: string,
  schema: z.ZodType<T>,
  issues: string[],
  /** How issues name the file. */
  name = file,
): T | undefined {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path.join(dir, file), 'utf8')) ?? {};
  } catch (err) {
    issues.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    return undefined;
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    issues.push(...describe(name, result.error));
    return undefined;
  }
  return result.data;
}

function describe(where: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
}
