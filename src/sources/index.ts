/**
 * The registry of source kinds: the only file that lists them. config/ builds the schema of
 * sources.yaml from it, the workers open one poll queue per kind. A test fails when a file in
 * this folder is not registered here.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import appstore from './appstore.js';
import bluesky from './bluesky.js';
import discourse from './discourse.js';
import github from './github.js';
import hackernews from './hackernews.js';
import html from './html.js';
import mastodon from './mastodon.js';
import reddit from './reddit.js';
import reviews from './reviews.js';
import rss from './rss.js';
import stackexchange from './stackexchange.js';
import youtube from './youtube.js';
import { sourceCommonSchema, type AnySourceAdapter, type SourceDescription } from './_types.js';

export const sourceAdapters = {
  appstore,
  bluesky,
  discourse,
  github,
  hackernews,
  html,
  mastodon,
  reddit,
  reviews,
  rss,
  stackexchange,
  youtube,
} satisfies Record<string, AnySourceAdapter>;

export type SourceKind = keyof typeof sourceAdapters;

/** Every source kind, one poll queue each. */
export const SOURCE_KINDS = Object.keys(sourceAdapters) as SourceKind[];

export function adapterOf(kind: string): AnySourceAdapter {
  const adapter = (sourceAdapters as Record<string, AnySourceAdapter>)[kind];
  if (!adapter) throw new Error(`no source kind "${kind}"`);
  return adapter;
}

/**
 * One source of sources.yaml: the common settings and its kind's own, strictly (a misspelt key
 * is an error, not ignored). Secrets are resolved by config/ afterwards.
 */
export const sourceSettingsSchema = z.discriminatedUnion(
  'kind',
  Object.values(sourceAdapters).map((a: AnySourceAdapter) =>
    sourceCommonSchema
      .extend({
        kind: z.literal(a.kind).describe('Which adapter reads it (src/sources/<kind>.ts).'),
      })
      .extend((a.options as z.ZodObject).shape)
      .strict(),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

/** A configured source, its secrets resolved: what the poll job and the schedulers handle. */
export type SourceConfig = z.output<typeof sourceCommonSchema> &
  Record<string, unknown> & { kind: SourceKind; secrets: Record<string, string> };

/**
 * A configured source's settings without its secrets (`secretsFrom` names variables, not
 * values): what the store records and what `parse` is given as `options`.
 */
export function settingsOf(s: SourceConfig): Record<string, unknown> {
  const { secrets: _s, ...settings } = s;
  return settings;
}

/** What the store records of a configured source: no secret, its target for people. */
export function describeSource(s: SourceConfig): SourceDescription {
  const { secrets: _s, ...settings } = s;
  const { id, kind, enabled, every: _e, watch: _w, secretsFrom: _f, ...options } = settings;
  return {
    id,
    kind,
    enabled,
    settings,
    target: adapterOf(kind).target(s),
    fingerprint: createHash('sha256')
      .update(`${kind}\n${JSON.stringify(options)}`)
      .digest('hex'),
  };
}

export type {
  AnySourceAdapter,
  ConfiguredSource,
  FetchResult,
  MentionDraft,
  RawPage,
  SecretSpec,
  SourceAdapter,
  SourceCursor,
} from './_types.js';
export { createHttpClient, type HttpClient } from './_http.js';
