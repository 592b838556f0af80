/**
 * Any HTML page read with configured CSS selectors: forums and review sites that offer no feed.
 * `selectors.item` finds the posts; the other selectors are read inside each post. cheerio runs
 * nothing: a post's scripts and event handlers come out as nothing, its entities as text.
 * `parse` reads the page with the selectors of the source's settings (its `options`).
 */
import { createHash } from 'node:crypto';
import { load, type CheerioAPI } from 'cheerio';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceParseError } from '../errors.js';
import { decodeBody } from './_decode.js';
import { htmlToText } from './_html.js';
import { getConditional, HTML_ACCEPT, redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'html';

/** A CSS selector cheerio accepts, checked when the configuration loads rather than at a poll. */
const selector = z
  .string()
  .trim()
  .min(1)
  .refine(isSelector, { error: 'not a CSS selector cheerio can read' });

const selectorsSchema = z
  .object({
    item: selector.describe('One match per post or review (`article.post`, `li.review`).'),
    text: selector.describe(
      'Inside an item, the body; several matches are joined. Markup becomes plain text.',
    ),
    author: selector
      .optional()
      .describe(
        "Inside an item, the author's name (a link's href, if any, identifies the person).",
      ),
    date: selector
      .optional()
      .describe(
        'Inside an item, when it was posted: a `datetime` (or `content`, `title`) attribute, else the text (ISO 8601, "12 mars 2024 à 09:15", "March 12, 2024", "12/03/2024" read day first). Times without a zone are UTC. Undated items take the fetch time.',
      ),
    link: selector
      .optional()
      .describe(
        "Inside an item, the post's permalink (`href`, resolved against the page); it becomes the mention's id.",
      ),
    rating: selector
      .optional()
      .describe(
        'Inside an item, its rating: a `content`, `data-rating` or `aria-label` attribute, else the text ("4", "4,5", "4/5", "8 sur 10"), scaled to 1-5.',
      ),
    title: selector.optional().describe('Inside an item, its title or subject.'),
  })
  .strict();

/** The selectors of an `html` source. */
export type HtmlSelectors = z.output<typeof selectorsSchema>;

const optionsSchema = z.object({
  url: httpUrlSchema.describe('The page holding the posts (a forum thread, a review listing).'),
  selectors: selectorsSchema.describe(
    'CSS selectors: `item` finds each post, the others are read inside it.',
  ),
});

/** Options of an `html` source: `url` and `selectors` (item and text required). */
export type HtmlOptions = z.input<typeof optionsSchema>;

export default defineSource({
  kind: SOURCE_KIND,
  options: optionsSchema,
  secrets: {},
  // Pages read as a crawler would, a few times an hour at most.
  politeness: { perMinute: 6, concurrency: 1, robots: true },
  target: (source) => redactUrl(source.url),

  async fetchPage(source, cursor, { http, signal }) {
    const got = await getConditional(
      http,
      { source: source.id, url: source.url, accept: HTML_ACCEPT, signal },
      cursor,
    );
    if (got.notModified) return { notModified: true, cursor };
    const { res } = got;
    // Few pages send validators; the digest of the bytes is the watermark that always exists.
    // The selectors enter it too: other selectors read the same bytes anew.
    const next: SourceCursor = {
      digest: createHash('sha256')
        .update(JSON.stringify(source.selectors))
        .update(res.body)
        .digest('hex'),
    };
    Object.assign(next, got.validators);
    if (cursor.digest === next.digest) return { notModified: true, cursor: next };
    return {
      notModified: false,
      cursor: next,
      raw: {
        body: res.body,
        contentType: res.headers['content-type'],
        url: res.url,
      },
    };
  },

  parse(raw, { sourceId, fetchedAt, options }) {
    const pageUrl = pageUrlOf(raw.url, sourceId);
    const where = redactUrl(pageUrl);
    const selectors = selectorsOf(options, sourceId, where);
    const html = decodeBody(raw);
    // A page that never closes its body or document was cut in transfer, is an error page
    // written half, or is not HTML (JSON, empty): its posts cannot be trusted to be whole.
    if (!/<\/(body|html)\s*>/i.test(html)) {
      throw new SourceParseError(sourceId, `truncated page or not HTML (${where})`);
    }
    const $ = load(html);
    const items = $(selectors.item);
    // A page where no post matches is an error, not an empty forum: a redesign or a bot wall
    // would otherwise read as "no new post" for ever. Errors show the source failing.
    if (items.length === 0) {
      throw new SourceParseError(
        sourceId,
        `no item matches "${selectors.item}" (${where}): the page changed, or is not the one configured`,
      );
    }
    const base = baseOf($, pageUrl);
    const host = hostOf(pageUrl);
    const candidates: { draft: MentionDraft; link: string | null; hash: string }[] = [];
    items.each((_, el) => {
      const $item = $(el);
      const within = (sel: string | undefined) => (sel ? $item.find(sel) : null);
      const text = (within(selectors.text)?.toArray() ?? [])
        .map((t) => htmlToText($(t).html() ?? ''))
        .filter(Boolean)
        .join(' ');
      // A post without words (a deleted message, a photo) says nothing to analyse.
      if (!text) return;
      const $author = within(selectors.author)?.first();
      const name = $author ? htmlToText($author.html() ?? '') : '';
      const profile = $author ? hrefOf($author, base) : null;
      const $date = within(selectors.date)?.first();
      const published = $date ? dateOf($date) : undefined;
      const $link = within(selectors.link)?.first();
      const link = $link ? hrefOf($link, base) : null;
      const $title = within(selectors.title)?.first();
      const title = $title ? htmlToText($title.html() ?? '') : '';
      const $rating = within(selectors.rating)?.first();
      const rating = $rating ? ratingOf($rating) : undefined;
      candidates.push({
        draft: {
          externalId: '',
          url: pageUrl,
          author: {
            // A profile link is the person; a name alone is only unique on its site.
            id: (profile ?? `${name || 'anonymous'}@${host}`).slice(0, 256),
            name: name.slice(0, 256),
          },
          ...(title ? { title: title.slice(0, 1000) } : {}),
          text: text.slice(0, MAX_TEXT_LENGTH),
          publishedAt: published ?? fetchedAt,
          ...(rating !== undefined ? { rating } : {}),
        },
        link,
        // Only a date the page states enters the hash: fetch time, or a relative date that a
        // forum rewrites every hour ("il y a 3 heures"), would give the post a new id each poll.
        hash: createHash('sha256')
          .update(`${name}\n${published?.toISOString() ?? ''}\n${text}`)
          .digest('hex'),
      });
    });
    // A link several posts share (a "reply" link to the thread) is not a permalink: those fall
    // back to their hash rather than collapse into one mention.
    const uses = new Map<string, number>();
    for (const c of candidates) if (c.link) uses.set(c.link, (uses.get(c.link) ?? 0) + 1);
    const drafts = new Map<string, MentionDraft>();
    for (const c of candidates) {
      const own = c.link && uses.get(c.link) === 1 && c.link.length <= 512 ? c.link : null;
      const externalId = own ?? c.hash;
      // A shared link is no place for a person to read this post: the page is.
      if (!drafts.has(externalId))
        drafts.set(externalId, { ...c.draft, externalId, url: own ?? pageUrl });
    }
    return [...drafts.values()];
  },
});

// --- what parse is given ------------------------------------------------------------------

/** The page's URL without a fragment, which names a place in the page, not the page. */
function pageUrlOf(url: string, sourceId: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (err) {
    throw new SourceParseError(sourceId, 'the page has no valid URL', err);
  }
  u.hash = '';
  return u.href;
}

const selectorsOnly = optionsSchema.pick({ selectors: true });

/** The selectors of the source's settings, checked as when the configuration loads. */
function selectorsOf(
  options: Record<string, unknown> | undefined,
  sourceId: string,
  where: string,
): HtmlSelectors {
  if (options?.selectors === undefined) {
    throw new SourceParseError(
      sourceId,
      `no selectors in the source's options (${where}): parse needs the configured source's settings`,
    );
  }
  const read = selectorsOnly.safeParse(options);
  if (!read.success) {
    throw new SourceParseError(sourceId, `unreadable selectors (${where})`, read.error);
  }
  return read.data.selectors;
}

function isSelector(s: string): boolean {
  try {
    load('<p></p>').root().find(s);
    return true;
  } catch {
    return false;
  }
}

// --- reading one post ----------------------------------------------------------------------

type Found = ReturnType<ReturnType<CheerioAPI>['first']>;

/** `<base href>` if the page sets one, else the page itself: what relative links resolve to. */
function baseOf($: CheerioAPI, pageUrl: string): string {
  const href = $('base[href]').first().attr('href')?.trim();
  return href && URL.canParse(href, pageUrl) ? new URL(href, pageUrl).href : pageUrl;
}

/** The element's href, or that of the first link inside it, as an absolute http(s) URL. */
function hrefOf($el: Found, base: string): string | null {
  const href = ($el.attr('href') ?? $el.find('a[href]').first().attr('href'))?.trim();
  if (!href || !URL.canParse(href, base)) return null;
  const u = new URL(href, base);
  // `javascript:` and `mailto:` links are not where a post lives.
  return /^https?:$/.test(u.protocol) ? u.href : null;
}

function dateOf($el: Found): Date | undefined {
  const stated = ['datetime', 'content', 'title']
    .map((a) => $el.attr(a)?.trim())
    .find((v): v is string => !!v && parseDate(v) !== undefined);
  return parseDate(stated ?? htmlToText($el.html() ?? ''));
}

function ratingOf($el: Found): number | undefined {
  for (const a of ['content', 'data-rating', 'aria-label']) {
    const r = ratingFrom($el.attr(a));
    if (r !== undefined) return r;
  }
  return ratingFrom(htmlToText($el.html() ?? ''));
}

/**
 * A rating from words: "4", "4,5", "4/5", "4 étoiles sur 5", "8 out of 10". With a scale the
 * value is brought to 1..5; without one it must already be on 0..5 (0 reads 1). Anything else is
 * no rating rather than a guess.
 */
function ratingFrom(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const num = (x: string) => Number(x.replace(',', '.'));
  const scaled =
    /(\d+(?:[.,]\d+)?)\s*(?:[^\d\s]+\s+)*?(?:\/|sur|out\s+of|of)\s*(\d+(?:[.,]\d+)?)/i.exec(s);
  let value: number;
  if (scaled) {
    const best = num(scaled[2] ?? '');
    const v = num(scaled[1] ?? '');
    if (!(best > 0) || v < 0 || v > best) return undefined;
    value = (v / best) * 5;
  } else {
    const m = /\d+(?:[.,]\d+)?/.exec(s);
    if (!m) return undefined;
    value = num(m[0]);
    if (value > 5) return undefined;
  }
  return Math.round(Math.max(1, value) * 100) / 100;
}

const MONTHS: Record<string, number> = {
  janvier: 1,
  janv: 1,
  jan: 1,
  january: 1,
  février: 2,
  fevrier: 2,
  févr: 2,
  fevr: 2,
  fév: 2,
  fev: 2,
  feb: 2,
  february: 2,
  mars: 3,
  mar: 3,
  march: 3,
  avril: 4,
  avr: 4,
  apr: 4,
  april: 4,
  mai: 5,
  may: 5,
  juin: 6,
  jun: 6,
  june: 6,
  juillet: 7,
  juil: 7,
  jul: 7,
  july: 7,
  août: 8,
  aout: 8,
  aug: 8,
  august: 8,
  septembre: 9,
  sept: 9,
  sep: 9,
  september: 9,
  octobre: 10,
  oct: 10,
  october: 10,
  novembre: 11,
  nov: 11,
  november: 11,
  décembre: 12,
  decembre: 12,
  déc: 12,
  dec: 12,
  december: 12,
};

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$/i;
const TIME = /(\d{1,2})\s*[:h]\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*(am|pm)?/i;

/**
 * A date as forums write it: ISO 8601; "12 mars 2024 à 09:15", "1er mars 2024"; "March 12, 2024
 * 9:15 pm"; "12/03/2024 09:15" (day first, as in French and most of Europe: a site that writes
 * month first should expose a `datetime` attribute). A time without a zone is read as UTC: the
 * page does not say where it is, and UTC reads the same on every machine. Relative dates ("il y a
 * 3 heures") and anything else: undefined.
 */
function parseDate(input: string): Date | undefined {
  const s = input.trim();
  if (!s) return undefined;
  const iso = ISO_DATE.exec(s);
  if (iso) {
    const [, y, mo, d, h, mi, sec, zone] = iso;
    const offset =
      zone && !/^z$/i.test(zone) ? zone.replace(/^([+-]\d{2}):?(\d{2})$/, '$1:$2') : 'Z';
    const t = Date.parse(`${y}-${mo}-${d}T${h ?? '00'}:${mi ?? '00'}:${sec ?? '00'}${offset}`);
    return Number.isNaN(t) ? undefined : new Date(t);
  }
  const text = s.toLowerCase().replace(/\s+/g, ' ');
  let ymd: [number, number, number] | undefined;
  let rest = text;
  const dayMonth = /(\d{1,2})(?:er)?\.? ([a-zéû]+)\.? (\d{4})/.exec(text);
  const monthDay = /([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})/.exec(text);
  const numeric = /(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b/.exec(text);
  if (dayMonth && MONTHS[dayMonth[2] ?? ''] !== undefined) {
    ymd = [Number(dayMonth[3]), MONTHS[dayMonth[2] ?? ''] ?? 0, Number(dayMonth[1])];
    rest = text.slice(dayMonth.index + dayMonth[0].length);
  } else if (monthDay && MONTHS[monthDay[1] ?? ''] !== undefined) {
    ymd = [Number(monthDay[3]), MONTHS[monthDay[1] ?? ''] ?? 0, Number(monthDay[2])];
    rest = text.slice(monthDay.index + monthDay[0].length);
  } else if (numeric) {
    const y = Number(numeric[3]);
    ymd = [y < 100 ? 2000 + y : y, Number(numeric[2]), Number(numeric[1])];
    rest = text.slice(numeric.index + numeric[0].length);
  }
  if (!ymd) return undefined;
  const [y, mo, d] = ymd;
  const time = TIME.exec(rest);
  let h = time ? Number(time[1]) : 0;
  const mi = time ? Number(time[2]) : 0;
  const sec = time?.[3] ? Number(time[3]) : 0;
  if (time?.[4]?.toLowerCase() === 'pm' && h < 12) h += 12;
  if (time?.[4]?.toLowerCase() === 'am' && h === 12) h = 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  // 31/02 or 25:61 roll over in Date.UTC: such a "date" is not one.
  const whole =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi;
  return whole ? date : undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'unknown';
  } catch {
    return 'unknown';
  }
}
