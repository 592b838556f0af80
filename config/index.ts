/**
 * Configuration is read once, at start, from the environment and the YAML files of one folder
 * (`CONFIG_DIR`, default this folder). Everything is validated with zod; a bad value stops
 * start-up with a `ConfigError` that names the file and the key of every problem at once.
 * Nothing else in Maillon reads `process.env`: entry points call `loadConfig` and pass slices down.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import {
  brandNames,
  composeJourney,
  DEFAULT_JOURNEY_PRESET,
  journeySchema,
  keywordSchema,
  presetFileSchema,
  presetPath,
  STAGES,
  touchpointEntrySchema,
  type JourneyPreset,
  type Stage,
  type NamedBrand,
  type Touchpoint,
} from '../src/analysis/journey.js';
import { parseQuery, QuerySyntaxError } from '../src/analysis/query.js';
import { detectionParamsSchema, type DetectionParams } from '../src/detection/params.js';
import { ConfigError } from '../src/errors.js';

/** The folder holding the default YAML files (this one). */
export const DEFAULT_CONFIG_DIR = path.dirname(fileURLToPath(import.meta.url));

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `"90s"`, `"15m"`, `"1h"`, `"7d"` or a number of milliseconds. */
export const durationSchema = z
  .union([
    z.number().int().positive(),
    z.string().regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration such as "30s", "15m", "1h" or "1d"'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(v) ?? [];
    return Number(n) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
  });

/** Source names travel as `mention.source`, in queue job ids and in URLs: keep them plain. */
export const sourceIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'use lower-case letters, digits, ".", "_" or "-" (at most 64)',
  );

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

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
    SLACK_WEBHOOK_URL: httpUrl
      .optional()
      .describe('Slack incoming webhook, referenced from alerts.yaml.'),
  })
  .loose(); // the rest of the environment is not ours to judge

const sourceSchema = z
  .object({
    id: sourceIdSchema,
    kind: z.enum(['rss']).describe('Which adapter reads it (src/sources/<kind>.ts).'),
    enabled: z.boolean().default(true),
    every: durationSchema.default(15 * 60_000).describe('Poll interval.'),
    url: httpUrl,
    watch: z
      .boolean()
      .default(true)
      .describe(
        'Mentions must pass the watch query of touchpoints.yaml to count (searches, alerts); false for a source that is about the brand by construction (its own review page).',
      ),
  })
  .strict();

const sourcesFileSchema = z.object({ sources: z.array(sourceSchema).default([]) }).strict();

/** A watch query, parsed here so that a syntax error stops start-up naming the key. */
const watchQuerySchema = z.string().superRefine((q, ctx) => {
  try {
    parseQuery(q);
  } catch (err) {
    if (!(err instanceof QuerySyntaxError)) throw err;
    ctx.addIssue({ code: 'custom', message: `${err.reason} (position ${err.position})` });
  }
});

const namedSchema = z
  .object({
    name: keywordSchema.describe('As people write it; also the name the alerts use.'),
    aliases: z.array(keywordSchema).default([]).describe('Other spellings, handles, hashtags.'),
  })
  .strict();

const touchpointsFileSchema = z
  .object({
    brand: namedSchema
      .extend({
        products: z
          .array(namedSchema)
          .default([])
          .describe('Products, services or venues people name without the brand.'),
      })
      .strict(),
    watch: watchQuerySchema
      .optional()
      .describe('Which texts are about the brand; default: any brand or product name or alias.'),
    journey: journeySchema
      .optional()
      .describe(
        'The trade presets the journey starts from; without it, `touchpoints` is the whole journey.',
      ),
    touchpoints: z
      .array(touchpointEntrySchema)
      .optional()
      .describe(
        "The brand's own touchpoints, or additions to a preset's (same id); default: the default preset alone.",
      ),
  })
  .strict()
  .transform((f) => ({ ...f, watch: f.watch ?? defaultWatch(f.brand) }));

/** Any name or alias of the brand or its products, each as an exact phrase. */
function defaultWatch(brand: NamedBrand): string {
  return brandNames(brand)
    .map((n) => `"${n.replace(/"/g, ' ')}"`)
    .join(' OR ');
}

const severitySchema = z.enum(['info', 'warning', 'critical']);

const channelIdSchema = z.string().regex(/^[a-z0-9-]+$/);
const envNameSchema = z.string().regex(/^[A-Z][A-Z0-9_]*$/);
/** Channels every routed alert skips by default (a marketing channel that only wants the digest). */
const digestOnlySchema = z
  .boolean()
  .default(false)
  .describe(
    'Left out of the default route: the channel receives only what routes or the digest name.',
  );

const alertsFileSchema = z
  .object({
    channels: z
      .array(
        z.discriminatedUnion('type', [
          z
            .object({ id: channelIdSchema, type: z.literal('log'), digestOnly: digestOnlySchema })
            .strict(),
          z
            .object({
              id: channelIdSchema,
              type: z.literal('slack'),
              webhookUrlEnv: envNameSchema.describe(
                'Name of the environment variable holding the webhook URL (a secret).',
              ),
              lang: z.enum(['fr', 'en']).default('en'),
              digestOnly: digestOnlySchema,
            })
            .strict(),
          z
            .object({
              id: channelIdSchema,
              type: z.literal('webhook'),
              urlEnv: envNameSchema.describe('Name of the environment variable holding the URL.'),
              secretEnv: envNameSchema.describe(
                'Name of the environment variable holding the HMAC-SHA256 signing secret.',
              ),
              lang: z.enum(['fr', 'en']).default('en'),
              digestOnly: digestOnlySchema,
            })
            .strict(),
        ]),
      )
      .default([{ id: 'console', type: 'log', digestOnly: false }])
      .superRefine((chs, ctx) => {
        const seen = new Set<string>();
        for (const [i, c] of chs.entries()) {
          if (seen.has(c.id))
            ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate id "${c.id}"` });
          seen.add(c.id);
        }
      }),
    routes: z
      .array(
        z
          .object({
            match: z
              .object({
                kind: z
                  .enum(['weak-link', 'operational'])
                  .default('weak-link')
                  .describe('Operational alerts only ever follow routes that name them.'),
                touchpoints: z.array(z.string().min(1)).min(1).optional(),
                sources: z.array(sourceIdSchema).min(1).optional(),
                minSeverity: severitySchema.optional(),
              })
              .strict()
              .default({ kind: 'weak-link' }),
            channels: z.array(channelIdSchema).min(1),
          })
          .strict(),
      )
      .optional()
      .describe('Every matching route adds its channels; default: see alerts.yaml.'),
    digest: z
      .object({
        channel: channelIdSchema,
        at: z
          .string()
          .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time such as "08:00"')
          .default('08:00'),
        timezone: z
          .string()
          .refine(isTimeZone, 'expected an IANA time zone such as "Europe/Paris"')
          .default('Europe/Paris'),
        lang: z.enum(['fr', 'en']).optional().describe("Default: the channel's language."),
      })
      .strict()
      .optional(),
    operational: z
      .object({
        failingAfter: durationSchema
          .default(3_600_000)
          .describe(
            'A source failing this long since the first failure of the run raises an alert.',
          ),
        silentFactor: z
          .number()
          .positive()
          .default(6)
          .describe('Silent after this many times its usual gap between new mentions...'),
        silentFloor: durationSchema
          .default(6 * 3_600_000)
          .describe('...and never sooner than this.'),
        criticalAfter: durationSchema
          .default(24 * 3_600_000)
          .describe(
            'A source broken this long escalates its alert to critical (one more message).',
          ),
      })
      .strict()
      .default({
        failingAfter: 3_600_000,
        silentFactor: 6,
        silentFloor: 6 * 3_600_000,
        criticalAfter: 24 * 3_600_000,
      }),
  })
  .strict();

function isTimeZone(tz: string): boolean {
  try {
    return new Intl.DateTimeFormat('en', { timeZone: tz }).resolvedOptions().timeZone !== '';
  } catch {
    return false;
  }
}

export type SourceConfig = z.infer<typeof sourceSchema>;
/** The customer journey: brand, watch query, touchpoints composed from presets and the file. */
export interface TouchpointsConfig {
  brand: z.output<typeof touchpointsFileSchema>['brand'];
  /** Always set after loading (default: any brand or product name). */
  watch: string;
  /** The presets the journey was composed from (none when the file lists it all). */
  presets: JourneyPreset[];
  touchpoints: Touchpoint[];
}
export type TouchpointConfig = Touchpoint;
export type { Stage };
/** The journey's stages, in order (owned by src/analysis/journey.ts). */
export { STAGES };
export type Severity = z.infer<typeof severitySchema>;
/** A notification channel with its secrets resolved from the environment. */
export type ChannelConfig =
  | { id: string; type: 'log'; digestOnly: boolean }
  | { id: string; type: 'slack'; webhookUrl: string; lang: 'fr' | 'en'; digestOnly: boolean }
  | {
      id: string;
      type: 'webhook';
      url: string;
      secret: string;
      lang: 'fr' | 'en';
      digestOnly: boolean;
    };
type AlertsFile = z.output<typeof alertsFileSchema>;
/** Which alerts go to which channels (`match` fields all have to hold). */
export type RouteConfig = NonNullable<AlertsFile['routes']>[number];
/** The daily digest for marketers: one channel, a local time and a time zone. */
export type DigestConfig = NonNullable<AlertsFile['digest']>;
/** Thresholds of the source-health checks, in milliseconds (and a factor). */
export type OperationalConfig = AlertsFile['operational'];
/** alerts.yaml, resolved: channels with their secrets, routes (defaults filled in). */
export interface AlertsConfig {
  channels: ChannelConfig[];
  routes: RouteConfig[];
  digest: DigestConfig | null;
  operational: OperationalConfig;
}

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  log: { level: string; format: 'json' | 'pretty' };
  api: { host: string; port: number; publicUrl: string; bodyLimit: string; maxBatch: number };
  redis: { url: string; prefix: string };
  mongo: { url: string; dbName: string };
  http: { timeoutMs: number; maxBytes: number };
  workers: { concurrency: number; retryDelayScale: number };
  sources: SourceConfig[];
  touchpoints: TouchpointsConfig;
  alerts: AlertsConfig;
  /** The weak-link detector's rules and thresholds (detection.yaml). */
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
  const touchpoints = readTouchpoints(dir, issues);
  const alertsFile = readYaml(dir, 'alerts.yaml', alertsFileSchema, issues);
  const detection = readYaml(dir, 'detection.yaml', detectionParamsSchema, issues);

  const extra = z.array(sourceSchema).safeParse(opts.extraSources ?? []);
  if (!extra.success) issues.push(...describe('extra sources', extra.error));
  const sources = [...(sourcesFile?.sources ?? []), ...(extra.data ?? [])];
  const seen = new Set<string>();
  for (const s of sources) {
    if (seen.has(s.id)) issues.push(`sources.yaml: sources: duplicate id "${s.id}"`);
    seen.add(s.id);
  }

  // Secrets stay in the environment: the file names the variables, resolved here once.
  const channels: ChannelConfig[] = [];
  const secretFrom = (i: number, key: string, name: string, isUrl: boolean): string | undefined => {
    const value = env[name];
    const ok = isUrl ? httpUrl.safeParse(value).success : value !== undefined;
    if (ok) return value;
    const want = isUrl ? 'an http(s) URL' : 'the secret';
    issues.push(
      `alerts.yaml: channels.${i}.${key}: environment variable ${name} must hold ${want} (${value ? 'it does not' : 'it is not set'})`,
    );
    return undefined;
  };
  for (const [i, c] of (alertsFile?.channels ?? []).entries()) {
    if (c.type === 'log') channels.push(c);
    else if (c.type === 'slack') {
      const webhookUrl = secretFrom(i, 'webhookUrlEnv', c.webhookUrlEnv, true);
      if (webhookUrl) {
        channels.push({
          id: c.id,
          type: 'slack',
          webhookUrl,
          lang: c.lang,
          digestOnly: c.digestOnly,
        });
      }
    } else {
      const url = secretFrom(i, 'urlEnv', c.urlEnv, true);
      const secret = secretFrom(i, 'secretEnv', c.secretEnv, false);
      if (url && secret) {
        channels.push({
          id: c.id,
          type: 'webhook',
          url,
          secret,
          lang: c.lang,
          digestOnly: c.digestOnly,
        });
      }
    }
  }
  // Default routes: weak-link alerts to every channel but digest-only ones; operational alerts
  // to the log channels, so that they never reach marketers unless a route says so.
  const routes: RouteConfig[] = alertsFile?.routes ?? [
    {
      match: { kind: 'weak-link' },
      channels: (alertsFile?.channels ?? []).filter((c) => !c.digestOnly).map((c) => c.id),
    },
    {
      match: { kind: 'operational' },
      channels: (alertsFile?.channels ?? []).filter((c) => c.type === 'log').map((c) => c.id),
    },
  ];
  const channelIds = new Set((alertsFile?.channels ?? []).map((c) => c.id));
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
    },
    redis: { url: e.REDIS_URL, prefix: e.QUEUE_PREFIX },
    mongo: { url: e.MONGODB_URL, dbName },
    http: { timeoutMs: e.HTTP_TIMEOUT_MS, maxBytes: e.HTTP_MAX_BYTES },
    workers: { concurrency: e.WORKER_CONCURRENCY, retryDelayScale: e.RETRY_DELAY_SCALE },
    sources,
    touchpoints,
    alerts: {
      channels,
      routes: routes.filter((r) => r.channels.length > 0),
      digest: alertsFile.digest ?? null,
      operational: alertsFile.operational,
    },
    detection,
  };
}

/**
 * Reads and validates `touchpoints.yaml` alone (benchmarks, tools); throws a `ConfigError` naming
 * the file and the keys of every problem.
 */
export function loadTouchpointsFile(dir: string = DEFAULT_CONFIG_DIR): TouchpointsConfig {
  const issues: string[] = [];
  const touchpoints = readTouchpoints(dir, issues);
  if (!touchpoints) throw new ConfigError(issues);
  return touchpoints;
}

/**
 * touchpoints.yaml with its journey composed: the presets it names (or the default one when it
 * names neither presets nor touchpoints), minus `without`, plus its own touchpoints.
 */
function readTouchpoints(dir: string, issues: string[]): TouchpointsConfig | undefined {
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
  return { brand: file.brand, watch: file.watch, presets: ids, touchpoints: journey.touchpoints };
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
