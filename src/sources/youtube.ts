/**
 * YouTube comments: the comment threads of one video, or of every video of one channel, through
 * the YouTube Data API v3 (`GET /youtube/v3/commentThreads`, newest first). It needs an API key
 * from a Google Cloud project (no OAuth for public comments); Google takes it only in the query
 * (`key=`), so the page's URL is masked before it goes anywhere and errors never show it. Each
 * call costs 1 unit of the key's 10,000 a day.
 *
 * The API has no "since" filter. The cursor keeps the newest comment time seen; when a whole
 * page is newer than that, there may be more new threads behind it, and the next polls follow
 * `nextPageToken` until they reach it (at most {@link MAX_CATCH_UP_PAGES} pages), then read the
 * first page again. The store drops the threads it holds.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceHttpError, ValidationError } from '../errors.js';
import { decodeBody, readJsonPage } from './_decode.js';
import { redactUrl } from './_http.js';
import {
  defineSource,
  type ConfiguredSource,
  type MentionDraft,
  type RawPage,
  type SourceCursor,
} from './_types.js';

export const SOURCE_KIND = 'youtube';

/** Pages followed with `pageToken` after a busy interval, before giving up on older threads. */
const MAX_CATCH_UP_PAGES = 10;

const options = z.object({
  videoId: z
    .string()
    .regex(/^[\w-]{11}$/, 'expected a video id such as "dQw4w9WgXcQ"')
    .optional()
    .describe('The video whose comments to read (the v= of its URL). Set this or channelId.'),
  channelId: z
    .string()
    .regex(/^UC[\w-]{22}$/, 'expected a channel id such as "UC_x5XG1OV2P6uZZ5FSM9Ttw"')
    .optional()
    .describe(
      'A channel: the comments on all of its videos (allThreadsRelatedToChannelId). Set this or videoId.',
    ),
  searchTerms: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Only comments containing these words (filtered by YouTube).'),
  api: httpUrlSchema
    .default('https://www.googleapis.com')
    .describe('Base URL of the Google APIs (a local server in tests).'),
});

/** The options of a `youtube` source in sources.yaml. */
export type YouTubeOptions = z.output<typeof options>;
type Source = ConfiguredSource<YouTubeOptions>;

export default defineSource({
  kind: SOURCE_KIND,
  options,
  secrets: {
    apiKey: {
      env: 'YOUTUBE_API_KEY',
      describe: 'a YouTube Data API v3 key (Google Cloud console, "APIs & Services > Credentials")',
    },
  },
  // Quota, not speed, is what binds (10,000 units a day, 1 a page).
  politeness: { perMinute: 30, concurrency: 1, robots: false },

  check: (source) => void checkedTarget(source),
  target(source) {
    const what = source.videoId
      ? `https://www.youtube.com/watch?v=${source.videoId}`
      : source.channelId
        ? `https://www.youtube.com/channel/${source.channelId}`
        : '(no videoId or channelId)';
    return `comments on ${what}${source.searchTerms ? ` matching "${source.searchTerms}"` : ''}`;
  },

  async fetchPage(source, cursor, { http, signal, now }) {
    const [param, id] = checkedTarget(source);
    const url = new URL(`${source.api.replace(/\/+$/, '')}/youtube/v3/commentThreads`);
    url.searchParams.set('part', 'snippet');
    url.searchParams.set(param, id);
    url.searchParams.set('order', 'time');
    url.searchParams.set('maxResults', '100');
    url.searchParams.set('textFormat', 'plainText');
    if (source.searchTerms) url.searchParams.set('searchTerms', source.searchTerms);
    if (cursor.pageToken) url.searchParams.set('pageToken', cursor.pageToken);
    url.searchParams.set('key', source.secrets.apiKey ?? '');

    let res;
    try {
      res = await http.get({
        source: source.id,
        url: url.href,
        headers: { Accept: 'application/json' },
        signal,
      });
    } catch (err) {
      throw explained(err, param);
    }
    // The URL carries the key: only its masked form travels on.
    const raw: RawPage = {
      body: res.body,
      contentType: res.headers['content-type'],
      url: redactUrl(res.url),
    };
    return { notModified: false, cursor: nextCursor(cursor, raw, now().getTime()), raw };
  },

  parse(raw, { sourceId }) {
    const page = readJsonPage(raw, sourceId, pageSchema, 'a YouTube commentThreads answer');
    const drafts = new Map<string, MentionDraft>();
    for (const thread of page.items) {
      const comment = thread.snippet.topLevelComment;
      const s = comment.snippet;
      // Asked as plain text: `textDisplay` is then plain too, and the text people typed stays
      // as they typed it ("a <b> tag" is words here, not markup).
      const text = (s.textOriginal ?? s.textDisplay ?? '').trim();
      if (!text || drafts.has(comment.id)) continue;
      const videoId = thread.snippet.videoId ?? s.videoId;
      const channelId = thread.snippet.channelId ?? s.channelId;
      drafts.set(comment.id, {
        externalId: comment.id,
        url: videoId
          ? `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&lc=${encodeURIComponent(comment.id)}`
          : channelId
            ? `https://www.youtube.com/channel/${encodeURIComponent(channelId)}`
            : 'https://www.youtube.com/',
        author: {
          // The channel id is the person; the display name (now their @handle) can change.
          id: s.authorChannelId?.value ?? s.authorDisplayName,
          name: s.authorDisplayName,
        },
        text: text.slice(0, MAX_TEXT_LENGTH),
        publishedAt: new Date(s.publishedAt),
        engagement: {
          ...(s.likeCount !== undefined ? { likes: s.likeCount } : {}),
          ...(thread.snippet.totalReplyCount !== undefined
            ? { replies: thread.snippet.totalReplyCount }
            : {}),
        },
      });
    }
    return [...drafts.values()];
  },
});

const count = z.number().int().min(0).optional().catch(undefined);

/** `commentThreads.list` (https://developers.google.com/youtube/v3/docs/commentThreads/list). */
const pageSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      snippet: z.object({
        videoId: z.string().optional(),
        channelId: z.string().optional(),
        totalReplyCount: count,
        topLevelComment: z.object({
          id: z.string().min(1).max(512),
          snippet: z.object({
            videoId: z.string().optional(),
            channelId: z.string().optional(),
            textDisplay: z.string().optional(),
            textOriginal: z.string().optional(),
            authorDisplayName: z.string().min(1),
            authorChannelId: z.object({ value: z.string().min(1) }).optional(),
            likeCount: count,
            publishedAt: z.iso.datetime({ offset: true }),
          }),
        }),
      }),
    }),
  ),
  nextPageToken: z.string().optional(),
});

/**
 * Which of videoId and channelId to ask for. sources.yaml's schema takes each option alone, so
 * the pair is checked here, as a `ValidationError`: retrying will not fix it.
 */
function checkedTarget(source: Source): ['videoId' | 'allThreadsRelatedToChannelId', string] {
  if (source.videoId && !source.channelId) return ['videoId', source.videoId];
  if (source.channelId && !source.videoId)
    return ['allThreadsRelatedToChannelId', source.channelId];
  throw new ValidationError(source.id, [
    { path: 'videoId', message: 'set exactly one of videoId and channelId' },
  ]);
}

/** Why Google said no, in words; the key and the URL never appear (the client masks them). */
const REASONS: Record<string, string> = {
  quotaExceeded:
    "the API key's daily quota is spent (quotaExceeded); it comes back at midnight Pacific time",
  commentsDisabled: 'comments are disabled on this video (commentsDisabled)',
  keyInvalid: 'the API key is not valid (keyInvalid)',
  videoNotFound: 'there is no such video (videoNotFound)',
  channelNotFound: 'there is no such channel (channelNotFound)',
};

/**
 * A refusal reworded so that whoever reads the source's last error knows what to fix. Google
 * puts its reason in `error.errors[0].reason`; the shared client only keeps a top-level
 * `error` string, so the reason is named when the client has it and the likely ones are listed
 * when it has not.
 */
function explained(err: unknown, param: string): unknown {
  if (!(err instanceof SourceHttpError) || err.status === undefined) return err;
  const known = err.body ? REASONS[err.body] : undefined;
  const what = param === 'videoId' ? 'video' : 'channel';
  let why: string | undefined;
  if (known) why = known;
  else if (err.status === 403)
    why = `the daily quota may be spent (quotaExceeded, back at midnight Pacific time), comments may be disabled on this ${what} (commentsDisabled), or the key may not be allowed to call the YouTube Data API v3`;
  else if (err.status === 404) why = `there is no such ${what}, or it is private`;
  else if (err.status === 400) why = `check the API key (keyInvalid) and the ${what} id`;
  if (!why) return err;
  return new SourceHttpError(err.source, `YouTube refused (${err.status}): ${why}`, {
    status: err.status,
    ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
    ...(err.body !== undefined ? { body: err.body } : {}),
    cause: err,
  });
}

/**
 * The cursor after this page: the newest comment time held, and the page token to follow when
 * this page may not reach it. A body that does not read keeps the old cursor: parse reports it.
 */
function nextCursor(cursor: SourceCursor, raw: RawPage, at: number): SourceCursor {
  let body: { items: { t: number }[]; nextPageToken?: string | undefined };
  try {
    body = z
      .object({
        items: z.array(
          z
            .object({
              snippet: z.object({
                topLevelComment: z.object({ snippet: z.object({ publishedAt: z.string() }) }),
              }),
            })
            .transform((i) => ({ t: Date.parse(i.snippet.topLevelComment.snippet.publishedAt) })),
        ),
        nextPageToken: z.string().optional(),
      })
      .parse(JSON.parse(decodeBody(raw)));
  } catch {
    return { ...cursor };
  }
  const times = body.items.map((i) => i.t).filter((t) => !Number.isNaN(t));
  const catchingUp = !!cursor.pageToken;
  const prev = cursor.newest ? Date.parse(cursor.newest) : Number.NaN;
  let newest = Number.isNaN(prev) ? 0 : prev;
  if (!catchingUp) for (const t of times) newest = Math.max(newest, t);
  // Nothing seen yet: the watermark starts now.
  const next: SourceCursor = { newest: new Date(newest || at).toISOString() };

  const until = catchingUp ? cursor.until : cursor.newest;
  const pages = catchingUp ? Number(cursor.pages ?? '0') + 1 : 1;
  if (
    until &&
    body.nextPageToken &&
    times.length > 0 &&
    Math.min(...times) > Date.parse(until) &&
    pages <= MAX_CATCH_UP_PAGES
  ) {
    next.pageToken = body.nextPageToken;
    next.until = until;
    next.pages = String(pages);
  }
  return next;
}
