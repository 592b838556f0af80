/**
 * The mention: one post, review or comment about the brand, in the one shape every door accepts
 * (a polled source, `POST /api/v1/mentions`, `maillon import`). A mention keeps its own
 * `publishedAt` (event time) whichever door it came through; `fetchedAt` is when we got it.
 */
import { z } from 'zod';
import { sourceIdSchema, type SentimentLabel } from './vocabulary.js';
import { ValidationError, type ValidationIssue } from '../errors.js';

/** Longest text a mention may carry (a mention, not an archive); adapters cut to it. */
export const MAX_TEXT_LENGTH = 20_000;

/**
 * How far ahead of our clock a `publishedAt` may be: clocks drift and servers round, but nobody
 * publishes in the future. Beyond this a date is wrong, and a wrong future date would hold its
 * touchpoint's detection window in the future, past every real complaint.
 */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000;

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const publishedAtSchema = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

/** The wire shape of a mention (JSON). Strict: an unknown or misspelt key is an error, not lost. */
export const mentionInputSchema = z
  .object({
    source: sourceIdSchema,
    externalId: z.string().trim().min(1).max(512),
    url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048),
    author: z
      .object({
        id: z.string().trim().min(1).max(256),
        name: z.string().trim().max(256),
        followers: count.optional(),
      })
      .strict(),
    title: z.string().max(1000).optional(),
    text: z.string().trim().min(1).max(MAX_TEXT_LENGTH),
    lang: z
      .string()
      .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a language tag such as "fr" or "en-GB"')
      .optional(),
    publishedAt: publishedAtSchema,
    rating: z.number().min(1).max(5).optional(),
    engagement: z
      .object({ likes: count.optional(), shares: count.optional(), replies: count.optional() })
      .strict()
      .optional(),
  })
  .strict();

/** A validated mention, before Maillon adds anything to it. */
export type MentionInput = z.output<typeof mentionInputSchema>;

export type { SentimentLabel };

export interface SentimentResult {
  /** In [-1, 1]. */
  score: number;
  label: SentimentLabel;
  /** In [0, 1]: how sure the scorer is. */
  confidence: number;
  /** Which scorer produced it, so that rescoring later can tell old from new. */
  method: string;
}

/** One touchpoint a mention speaks of, with the sentiment of the words that concern it. */
export interface MentionTouchpoint {
  id: string;
  stage: string;
  sentiment: SentimentResult;
  /** The configured keywords or phrases that matched. */
  matched: string[];
}

/** What the analysis adds to a mention. */
export interface MentionAnalysis {
  /** ISO 639-1 code: declared by the source, or detected ('und' when unknown). */
  lang: string;
  langConfidence: number;
  /** True when the source said the language, false when Maillon detected it. */
  langDeclared: boolean;
  /** Overall sentiment of the text, fused with the rating when there is one. */
  sentiment: SentimentResult;
  /** False when the mention fails the watch query of its source (job ad, homonym...). */
  relevant: boolean;
  touchpoints: MentionTouchpoint[];
  /** The journey stages of its touchpoints. */
  stages: string[];
  /**
   * Filter keys: `tp:<id>`, `tp:<id>:<label>`, `stage:<stage>`, `stage:<stage>:<label>`: the
   * explorer's index files the mention under them (src/analysis/search-terms.ts).
   */
  facets: string[];
  /** Estimated audience and its log-scaled score (src/analysis/reach.ts). */
  reach: { audience: number; score: number };
  /** The competitors the text names (share of voice), by id; absent when none. */
  competitors?: string[];
}

/**
 * `analyzed`: read at the door and stored with its reading (src/ingest/accept.ts). `received`:
 * stored unread, only by versions before issue 9; `maillon recount` reads those.
 */
export type MentionStatus = 'received' | 'analyzed';

/** A mention as stored and served. */
export interface Mention extends MentionInput, Partial<Omit<MentionAnalysis, 'lang'>> {
  id: string;
  fetchedAt: Date;
  status: MentionStatus;
  analyzedAt?: Date;
  /** Edits seen (absent: as first stored), and when the last one came. */
  version?: number;
  editedAt?: Date;
  /** The id of the same author's same text posted first on another source (counted there). */
  crossPostOf?: string;
  /** Its reading was corrected by a person: when, and their name (the history is kept apart). */
  correctedAt?: Date;
  correctedBy?: string;
}

/**
 * Validates one mention as of `now` (the door's clock; tests inject it); the error lists every
 * problem with its path, a `publishedAt` in the future included.
 */
export function parseMention(input: unknown, opts: { now: Date; where?: string }): MentionInput {
  const result = mentionInputSchema.safeParse(input);
  const issues = result.success ? [] : zodIssues(result.error);
  // Checked beside the schema rather than inside it, so that a future date is listed with the
  // mention's other problems instead of after they are fixed.
  const published = result.success
    ? result.data.publishedAt
    : publishedAtSchema.safeParse((input as { publishedAt?: unknown } | null)?.publishedAt).data;
  const future = published ? futureDateIssue(published, opts.now) : null;
  if (future) issues.push(future);
  if (!result.success || future)
    throw new ValidationError(opts.where ?? 'mention', issues, result.error);
  return result.data;
}

/**
 * The problem with a `publishedAt` beyond `MAX_CLOCK_SKEW_MS` of `now`, or null. Exported for
 * the doors that would rather repair such a date than refuse the mention (a feed's item).
 */
export function futureDateIssue(publishedAt: Date, now: Date): ValidationIssue | null {
  const ahead = publishedAt.getTime() - now.getTime();
  if (!(ahead > MAX_CLOCK_SKEW_MS)) return null;
  return {
    path: 'publishedAt',
    message:
      `publishedAt is in the future: ${publishedAt.toISOString()} is ${aheadBy(ahead)} after ` +
      `now (${now.toISOString()}), beyond the ${MAX_CLOCK_SKEW_MS / 60_000}-minute clock skew ` +
      "allowed; a future date would hold its touchpoint's detection window in the future and " +
      'hide the real complaints. Send the time it was published, with its offset',
  };
}

function aheadBy(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h`;
  const days = Math.round(hours / 24);
  return days < 730 ? `${days} days` : `${Math.round(days / 365.25)} years`;
}

/** zod issues in our `ValidationIssue` shape. */
export function zodIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}
