/**
 * What a source kind is. A kind (RSS, Reddit, Mastodon...) is one file that calls `defineSource`
 * with everything it owns: the zod schema of its own settings in sources.yaml, the secrets it
 * reads from the environment, how politely it treats a host, how it fetches one page and how it
 * reads it. The configured sources in sources.yaml are its instances; config/ builds the file's
 * schema from the registry (src/sources/index.ts), so adding a kind touches its file, its test
 * and one registry line.
 */
import { z } from 'zod';
import type { MentionInput } from '../domain/mention.js';
import { durationSchema, envNameSchema, sourceIdSchema } from '../domain/vocabulary.js';
import type { HttpClient } from './_http.js';

/** The settings every source has, whatever its kind. */
export const sourceCommonSchema = z.object({
  id: sourceIdSchema.describe('Names the source in mentions, the API and the alerts.'),
  enabled: z.boolean().default(true),
  every: durationSchema.default(15 * 60_000).describe('Poll interval.'),
  watch: z
    .boolean()
    .default(true)
    .describe(
      'Mentions must pass the watch query of touchpoints.yaml to count (searches, alerts); false for a source that is about the brand by construction (its own review page).',
    ),
  secretsFrom: z
    .record(z.string(), envNameSchema)
    .optional()
    .describe(
      "Other environment variables for this source's secrets (two Reddit apps, two Mastodon accounts): { secretName: VAR }.",
    ),
});
export type SourceCommon = z.output<typeof sourceCommonSchema>;

/** One secret a kind reads: the environment variable it comes from unless `secretsFrom` says. */
export interface SecretSpec {
  env: string;
  /** Optional secrets unlock more (a token for full-text search); required ones stop start-up. */
  optional?: boolean;
  describe: string;
}

/**
 * How a kind treats the hosts it reads, shared by every worker process through Redis: at most
 * `perMinute` requests a minute and `concurrency` at once to one host.
 */
export interface Politeness {
  perMinute: number;
  concurrency: number;
  /**
   * Whether robots.txt governs it: true for feeds and pages a crawler reads, false for
   * documented APIs, whose terms and rate-limit headers govern access instead (Reddit says so).
   */
  robots: boolean;
}

/** A configured source as its adapter sees it: common settings, its own options, its secrets. */
export type ConfiguredSource<O = Record<string, unknown>> = SourceCommon &
  O & {
    kind: string;
    /** Resolved from the environment by config/; never stored, returned or logged. */
    secrets: Record<string, string>;
  };

/** A configured source as the store records it (never its secrets). */
export interface SourceDescription {
  id: string;
  kind: string;
  enabled: boolean;
  target: string;
  /** Changes when the source's settings change (a new feed URL, another subreddit). */
  fingerprint: string;
  /** Its settings without secrets: what sources.yaml or the API said. */
  settings: Record<string, unknown>;
}

/** What an adapter remembers between polls (conditional GET validators, paging cursors). */
export type SourceCursor = Record<string, string>;

/** A mention before the poll job stamps it with the configured source id. */
export type MentionDraft = Omit<MentionInput, 'source'>;

export type FetchResult =
  | { notModified: true; cursor: SourceCursor }
  | { notModified: false; cursor: SourceCursor; raw: RawPage };

/** The body of one answer and the headers a parser may need (charset). */
export interface RawPage {
  body: Buffer;
  contentType: string | undefined;
  url: string;
}

/** Short-lived credentials (an OAuth token, a session) kept in this process's memory only. */
export interface TokenStore {
  get(key: string): string | undefined;
  set(key: string, value: string, ttlMs: number): void;
  delete(key: string): void;
}

/** What `parse` is told besides the page. */
export interface ParseContext {
  /** The configured source the page is read for, named in errors. */
  sourceId: string;
  /** When the page was fetched: the time of items that state none. */
  fetchedAt: Date;
  /**
   * The configured source's settings (common and its kind's own) without its secrets: pure data,
   * never a secret, for the kinds whose reading depends on them (the `html` kind's selectors).
   * Absent when a page is parsed apart from a configured source (tests); a kind that needs it
   * throws `SourceParseError` then.
   */
  options?: Record<string, unknown>;
}

export interface FetchContext {
  http: HttpClient;
  signal: AbortSignal;
  tokens: TokenStore;
  now: () => Date;
}

export interface SourceAdapter<K extends string = string, O extends z.ZodObject = z.ZodObject> {
  kind: K;
  /** The kind's own settings in sources.yaml, beside the common ones. */
  options: O;
  /** The secrets it reads, by name. */
  secrets: Record<string, SecretSpec>;
  politeness: Politeness;
  /**
   * What the source reads, for people (the API, the dashboard, the logs): a URL without its
   * credentials, or a search and where it runs. Changing it forgets the cursor.
   */
  target(source: ConfiguredSource<z.output<O>>): string;
  /**
   * Rules across options that a field's schema cannot state (a search needs a query), checked
   * when sources.yaml is loaded and when the API takes a source: throws `ValidationError`.
   */
  check?(source: ConfiguredSource<z.output<O>>): void;
  fetchPage(
    source: ConfiguredSource<z.output<O>>,
    cursor: SourceCursor,
    ctx: FetchContext,
  ): Promise<FetchResult>;
  /**
   * Pure: throws `SourceParseError` on input it cannot read. `fetchedAt` stands in for a missing
   * publication date.
   */
  parse(raw: RawPage, ctx: ParseContext): MentionDraft[];
}

/** Any kind, for the registry and the code that handles every kind alike. */
// NOTE: `any` here: each adapter's options are its own; the registry only needs their common part.
// oxlint-disable-next-line no-explicit-any
export type AnySourceAdapter = SourceAdapter<string, any>;

export function defineSource<K extends string, O extends z.ZodObject>(
  adapter: SourceAdapter<K, O>,
): SourceAdapter<K, O> {
  return adapter;
}

/** Tokens in memory, expiring. */
export function createTokenStore(now: () => number = Date.now): TokenStore {
  const map = new Map<string, { value: string; until: number }>();
  return {
    get(key) {
      const t = map.get(key);
      if (!t) return undefined;
      if (t.until <= now()) {
        map.delete(key);
        return undefined;
      }
      return t.value;
    },
    set(key, value, ttlMs) {
      map.set(key, { value, until: now() + ttlMs });
    },
    delete(key) {
      map.delete(key);
    },
  };
}
