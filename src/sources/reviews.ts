/**
 * Reviews a web page carries as schema.org data: every JSON-LD block (an object, an array or a
 * `@graph`, reviews nested in a Product, LocalBusiness or Organization included) and microdata
 * (`itemscope itemtype=".../Review"`); and Trustpilot's public page of a company, whose Next.js
 * data (`<script id="__NEXT_DATA__">` → `props.pageProps.reviews`) holds the newest reviews with
 * their ids, likes and language. Read with cheerio, which runs nothing.
 *
 * A page usually embeds a handful of reviews, or only the aggregate: an enrichment of the page's
 * rating trend more than a stream. A lone AggregateRating yields no mention. Polls are
 * conditional (ETag / Last-Modified) and an unchanged page, byte for byte, is not read again.
 */
import { createHash } from 'node:crypto';
import { load, type Cheerio, type CheerioAPI } from 'cheerio';
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../domain/mention.js';
import { httpUrlSchema } from '../domain/vocabulary.js';
import { SourceParseError } from '../errors.js';
import { decodeBody } from './_decode.js';
import { htmlToText } from './_html.js';
import { getConditional, HTML_ACCEPT, redactUrl } from './_http.js';
import { defineSource, type MentionDraft, type SourceCursor } from './_types.js';

export const SOURCE_KIND = 'reviews';

const optionsSchema = z.object({
  url: httpUrlSchema.describe(
    'The page carrying the reviews: a product or business page with schema.org Review data (JSON-LD or microdata), or your own company page on Trustpilot (https://www.trustpilot.com/review/example.com?sort=recency).',
  ),
});

/** Options of a `reviews` source: `url`, the page to read. */
export type ReviewsOptions = z.input<typeof optionsSchema>;

/** A node of the page's structured data, JSON-LD or microdata alike. */
type Node = Record<string, unknown>;
/** An element of the page (cheerio re-exports no element type of its own). */
type DomNode =
  ReturnType<ReturnType<CheerioAPI['root']>['find']> extends Cheerio<infer T> ? T : never;

/** schema.org types whose items are reviews by people (not ClaimReview, a fact check). */
const REVIEW_TYPES = new Set(['Review', 'UserReview', 'CriticReview', 'EmployerReview']);
/** How deep structured data is walked: real pages nest a few levels, hostile ones more. */
const MAX_DEPTH = 24;

export default defineSource({
  kind: SOURCE_KIND,
  options: optionsSchema,
  secrets: {},
  // Pages read as a crawler would: robots.txt applies, and a page a few times an hour is plenty
  // (Trustpilot asks for no scraping; its own page of a company, lightly, is the safe use).
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
    // Changed settings forget the cursor (src/sources/index.ts), so it never hides a new reading.
    const next: SourceCursor = { digest: sha256(res.body) };
    Object.assign(next, got.validators);
    if (cursor.digest === next.digest) return { notModified: true, cursor: next };
    return {
      notModified: false,
      cursor: next,
      raw: { body: res.body, contentType: res.headers['content-type'], url: res.url },
    };
  },

  parse(raw, { sourceId, fetchedAt }) {
    const html = decodeBody(raw);
    const where = redactUrl(raw.url);
    // The rule that tells a page without reviews (normal: nothing to store) from a page we
    // cannot trust (an error): a page is refused when
    //  1. it never closes its body or document: cut in transfer, an error page written half,
    //     or not HTML at all (JSON, empty). Text after `</html>` is tolerated, servers append it;
    //  2. or it carries no readable structured data at all, no JSON-LD block that parses, no
    //     schema.org microdata item, no Next.js data: a bot wall, a complete error page or a
    //     redesign, where silence would read as "no new review" for ever.
    // A page with structured data but no Review (a product with only its aggregate) is an empty
    // result.
    if (!/<\/(body|html)\s*>/i.test(html)) {
      throw new SourceParseError(sourceId, `truncated page or not HTML (${where})`);
    }
    const $ = load(html);
    const page = { url: raw.url, host: hostOf(raw.url), fetchedAt };

    const jsonLd = readJsonLd($);
    const microdata = readMicrodata($, raw.url);
    const next = readNextData($, page);
    if (jsonLd.read === 0 && microdata.items === 0 && !next.read) {
      throw new SourceParseError(
        sourceId,
        jsonLd.broken > 0
          ? `no JSON-LD block of the page parses (${jsonLd.broken} broken) and it has no microdata (${where})`
          : `no structured data (JSON-LD, schema.org microdata or __NEXT_DATA__) on the page: not a review page, or the site changed (${where})`,
      );
    }
    // Trustpilot's Next.js data and its JSON-LD describe the same reviews; the Next.js data has
    // ids, likes and languages, so it wins and the JSON-LD copies are not read.
    if (next.drafts.length > 0) return dedupe(next.drafts);

    const byId = indexById(jsonLd.nodes);
    const reviews: Node[] = [];
    for (const n of jsonLd.nodes) collectReviews(n, reviews, 0);
    reviews.push(...microdata.reviews);
    return draftsOf(
      reviews.map((r) => resolveRefs(r, byId)),
      page,
    );
  },
});

// --- JSON-LD -------------------------------------------------------------------------------

function readJsonLd($: CheerioAPI): { nodes: unknown[]; read: number; broken: number } {
  const nodes: unknown[] = [];
  let read = 0;
  let broken = 0;
  $('script').each((_, el) => {
    const type = ($(el).attr('type') ?? '').trim().toLowerCase();
    if (!type.startsWith('application/ld+json')) return;
    const text = ($(el).html() ?? '')
      .trim()
      // Some CMSs wrap the block in a comment or CDATA, as for old browsers.
      .replace(/^(<!--|<!\[CDATA\[)/, '')
      .replace(/(-->|\]\]>)$/, '')
      // Raw line breaks and tabs inside strings are invalid JSON yet common in review bodies;
      // outside strings they are whitespace anyway.
      .replace(CONTROL_CHARS, ' ');
    try {
      const value: unknown = JSON.parse(text);
      // `null` blocks exist (extruct's null_ld_mock); they say nothing, but they are not broken.
      if (value !== null) {
        nodes.push(value);
        read++;
      }
    } catch {
      // One malformed block does not cost the others; if none reads, parse says so.
      broken++;
    }
  });
  return { nodes, read, broken };
}

// oxlint-disable-next-line no-control-regex -- the control characters are what it removes
const CONTROL_CHARS = /[\u0000-\u001f]+/g;

function collectReviews(value: unknown, out: Node[], depth: number): void {
  if (depth > MAX_DEPTH || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) collectReviews(v, out, depth + 1);
    return;
  }
  const node = value as Node;
  if (typesOf(node).some((t) => REVIEW_TYPES.has(t))) out.push(node);
  for (const [k, v] of Object.entries(node)) {
    if (k !== '@context') collectReviews(v, out, depth + 1);
  }
}

/** `Review`, `http://schema.org/Review`, `schema:Review` all read `Review`. */
function typesOf(node: Node): string[] {
  const t = node['@type'];
  const list = Array.isArray(t) ? t : [t];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.slice(Math.max(x.lastIndexOf('/'), x.lastIndexOf('#'), x.lastIndexOf(':')) + 1));
}

/** Nodes of the page by `@id`, so that `"author": {"@id": "#p1"}` in a `@graph` finds its Person. */
function indexById(nodes: unknown[]): Map<string, Node> {
  const index = new Map<string, Node>();
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_DEPTH || !value || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, depth + 1);
      return;
    }
    const node = value as Node;
    const id = node['@id'];
    if (typeof id === 'string' && Object.keys(node).some((k) => !k.startsWith('@'))) {
      if (!index.has(id)) index.set(id, node);
    }
    for (const v of Object.values(node)) walk(v, depth + 1);
  };
  walk(nodes, 0);
  return index;
}

/** The review with its author and rating references replaced by the nodes they name. */
function resolveRefs(review: Node, byId: Map<string, Node>): Node {
  const deref = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(deref);
    if (v && typeof v === 'object') {
      const n = v as Node;
      const id = n['@id'];
      if (typeof id === 'string' && Object.keys(n).every((k) => k.startsWith('@'))) {
        return byId.get(id) ?? n;
      }
    }
    return v;
  };
  return { ...review, author: deref(review.author), reviewRating: deref(review.reviewRating) };
}

// --- microdata -----------------------------------------------------------------------------

/**
 * Microdata items turned into JSON-LD-like nodes, so that one mapping reads both. `items` counts
 * every schema.org item of the page, reviews or not: it tells a page with structured data from
 * a page without.
 */
function readMicrodata($: CheerioAPI, pageUrl: string): { reviews: Node[]; items: number } {
  const reviews: Node[] = [];
  let items = 0;
  $('[itemscope][itemtype]').each((_, el) => {
    const types = itemTypes($(el).attr('itemtype'));
    if (types.length === 0) return;
    items++;
    if (types.some((t) => REVIEW_TYPES.has(t))) reviews.push(itemOf($, el, pageUrl, 0));
  });
  return { reviews, items };
}

function itemTypes(attr: string | undefined): string[] {
  return (attr ?? '')
    .split(/\s+/)
    .filter((t) => /schema\.org\//i.test(t))
    .map((t) => t.replace(/\/+$/, '').slice(t.replace(/\/+$/, '').lastIndexOf('/') + 1));
}

/** One microdata item: its own properties, not those of the items nested in it. */
function itemOf($: CheerioAPI, el: DomNode, pageUrl: string, depth: number): Node {
  const node: Node = { '@type': itemTypes($(el).attr('itemtype')) };
  const itemid = $(el).attr('itemid')?.trim();
  if (itemid) node['@id'] = itemid;
  $(el)
    .find('[itemprop]')
    .each((_, p) => {
      // A property belongs to the nearest item above it.
      if ($(p).parent().closest('[itemscope]').get(0) !== el) return;
      const names = ($(p).attr('itemprop') ?? '').split(/\s+/).filter(Boolean);
      const value =
        $(p).is('[itemscope]') && depth < MAX_DEPTH
          ? itemOf($, p, pageUrl, depth + 1)
          : propValue($, p, pageUrl);
      for (const name of names) if (!(name in node)) node[name] = value;
    });
  return node;
}

/** A microdata property's value as the microdata specification reads it (plus `content`). */
function propValue($: CheerioAPI, p: DomNode, pageUrl: string): string {
  const $p = $(p);
  const tag = ($p.prop('tagName') ?? '').toLowerCase();
  const attr = (name: string) => $p.attr(name)?.trim() ?? '';
  if (tag === 'meta') return attr('content');
  if (['audio', 'embed', 'iframe', 'img', 'source', 'track', 'video'].includes(tag)) {
    return absoluteUrl(attr('src'), pageUrl) ?? '';
  }
  if (['a', 'area', 'link'].includes(tag)) return absoluteUrl(attr('href'), pageUrl) ?? '';
  if (tag === 'object') return absoluteUrl(attr('data'), pageUrl) ?? '';
  if (tag === 'data' || tag === 'meter') return attr('value');
  if (tag === 'time' && attr('datetime')) return attr('datetime');
  // Not in the specification, yet everywhere: `<span itemprop="ratingValue" content="4">`.
  if (attr('content')) return attr('content');
  return htmlToText($p.html() ?? '');
}

// --- Trustpilot (__NEXT_DATA__) ------------------------------------------------------------

const nextDataSchema = z.object({
  props: z.object({ pageProps: z.object({ reviews: z.array(z.unknown()) }) }),
});

/** A review as Trustpilot's company page holds it, the fields read here. */
const trustpilotReviewSchema = z.object({
  id: z.string().min(1),
  title: z.string().nullish(),
  text: z.string().nullish(),
  rating: z.number().min(1).max(5),
  likes: z.number().int().min(0).nullish(),
  language: z.string().nullish(),
  dates: z.object({ publishedDate: z.string() }),
  consumer: z.object({ id: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
});

interface Page {
  url: string;
  host: string;
  fetchedAt: Date;
}

function readNextData($: CheerioAPI, page: Page): { read: boolean; drafts: MentionDraft[] } {
  const script = $('script#__NEXT_DATA__').first();
  if (script.length === 0) return { read: false, drafts: [] };
  let json: unknown;
  try {
    json = JSON.parse(script.html() ?? '');
  } catch {
    return { read: false, drafts: [] };
  }
  const parsed = nextDataSchema.safeParse(json);
  // Another Next.js site, or a Trustpilot page without reviews: data, but no review in it.
  if (!parsed.success) return { read: true, drafts: [] };
  const origin = new URL(page.url).origin;
  const drafts: MentionDraft[] = [];
  for (const item of parsed.data.props.pageProps.reviews) {
    // Items of another shape are another site's; Trustpilot's JSON-LD then still reads.
    const r = trustpilotReviewSchema.safeParse(item).data;
    if (!r) continue;
    const title = r.title?.trim() || undefined;
    const text = r.text?.trim() || title;
    if (!text) continue;
    const name = r.consumer?.displayName?.trim() ?? '';
    const lang = languageOf(r.language);
    drafts.push({
      externalId: r.id.slice(0, 512),
      // Trustpilot's permalink of a review, on whichever of its domains the page is.
      url: `${origin}/reviews/${encodeURIComponent(r.id)}`,
      author: {
        id: (r.consumer?.id
          ? `${origin}/users/${encodeURIComponent(r.consumer.id)}`
          : `${name || 'anonymous'}@${page.host}`
        ).slice(0, 256),
        name: name.slice(0, 256),
      },
      ...(title ? { title: title.slice(0, 1000) } : {}),
      text: text.slice(0, MAX_TEXT_LENGTH),
      ...(lang ? { lang } : {}),
      publishedAt: parseDate(r.dates.publishedDate) ?? page.fetchedAt,
      rating: r.rating,
      ...(r.likes ? { engagement: { likes: r.likes } } : {}),
    });
  }
  return { read: true, drafts };
}

// --- mapping -------------------------------------------------------------------------------

interface Candidate {
  draft: MentionDraft;
  /** The review's own id or URL, if it has one. */
  ownId: string | undefined;
  /** sha256 of author, date and body: stable for an unchanged review. */
  hash: string;
}

function draftsOf(reviews: Node[], page: Page): MentionDraft[] {
  const candidates = reviews.flatMap((r) => {
    const c = candidateOf(r, page);
    return c ? [c] : [];
  });
  // An id several reviews share is not theirs (every review's `url` set to the page itself):
  // they fall back to their hash rather than collapse into one.
  const uses = new Map<string, number>();
  for (const c of candidates) if (c.ownId) uses.set(c.ownId, (uses.get(c.ownId) ?? 0) + 1);
  return dedupe(
    candidates.map((c) => {
      const own = c.ownId && uses.get(c.ownId) === 1 && c.ownId !== page.url ? c.ownId : null;
      return { ...c.draft, externalId: own ?? c.hash };
    }),
  );
}

function candidateOf(review: Node, page: Page): Candidate | null {
  const body = textOf(review.reviewBody) ?? textOf(review.description) ?? textOf(review.text);
  const title = textOf(review.name) ?? textOf(review.headline);
  const text = body ?? title;
  if (!text) return null;
  const author = authorOf(review.author, page);
  const dateRaw = firstString(review.datePublished ?? review.dateCreated ?? review.dateModified);
  const rating = ratingOf(review.reviewRating);
  const lang = languageOf(firstString(review.inLanguage));
  const url = [firstString(review.url), firstString(review['@id'])]
    .map((u) => (u ? absoluteUrl(u, page.url) : null))
    .find((u): u is string => !!u);
  const ownId = [
    firstString(review['@id']),
    firstString(review.url),
    firstString(review.identifier),
  ]
    .map((s) => s?.trim())
    .find((s): s is string => !!s && !s.startsWith('_:') && s.length <= 512);
  return {
    draft: {
      externalId: '',
      url: url ?? page.url,
      author,
      ...(title && body ? { title: title.slice(0, 1000) } : {}),
      text: text.slice(0, MAX_TEXT_LENGTH),
      ...(lang ? { lang } : {}),
      publishedAt: parseDate(dateRaw) ?? page.fetchedAt,
      ...(rating !== undefined ? { rating } : {}),
    },
    ownId,
    hash: sha256(`${author.name}\n${dateRaw ?? ''}\n${text}`),
  };
}

function authorOf(value: unknown, page: Page): { id: string; name: string } {
  const a = Array.isArray(value) ? value[0] : value;
  let name = '';
  let id: string | undefined;
  if (typeof a === 'string') name = htmlToText(a);
  else if (a && typeof a === 'object') {
    const n = a as Node;
    name = textOf(n.name) ?? [textOf(n.givenName), textOf(n.familyName)].filter(Boolean).join(' ');
    id = [firstString(n.url), firstString(n['@id'])]
      .map((s) => s?.trim())
      .find((s): s is string => !!s && !s.startsWith('_:'));
  }
  return {
    // A profile URL is the person; a name alone is only unique on its site.
    id: (id ?? `${name || 'anonymous'}@${page.host}`).slice(0, 256),
    name: name.slice(0, 256),
  };
}

/**
 * A rating on 1..5 from `reviewRating`: a Rating node (`ratingValue`, `bestRating`,
 * `worstRating`, schema.org's defaults 5 and 1) or a bare value; numbers or strings ("4,5").
 * A value outside its own scale says the scale is unknown: no rating rather than a guess.
 */
function ratingOf(value: unknown): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  let rating: number;
  let best = 5;
  let worst = 1;
  if (typeof v === 'string' || typeof v === 'number') rating = numberOf(v);
  else if (v && typeof v === 'object') {
    const n = v as Node;
    rating = numberOf(n.ratingValue);
    const b = numberOf(n.bestRating);
    const w = numberOf(n.worstRating);
    if (!Number.isNaN(b)) best = b;
    if (!Number.isNaN(w)) worst = w;
  } else return undefined;
  if (Number.isNaN(rating) || !(best > worst) || rating < worst || rating > best) return undefined;
  return Math.round((1 + (4 * (rating - worst)) / (best - worst)) * 100) / 100;
}

function numberOf(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return Number.NaN;
  const m = /-?\d+(?:[.,]\d+)?/.exec(v);
  return m ? Number(m[0].replace(',', '.')) : Number.NaN;
}

/** Plain text of a string property (JSON-LD strings may hold markup or entities). */
function textOf(v: unknown): string | undefined {
  const s = firstString(v);
  if (s === undefined) return undefined;
  return htmlToText(s) || undefined;
}

function firstString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return firstString(v[0]);
  // JSON-LD value objects: {"@value": "...", "@language": "fr"}.
  if (v && typeof v === 'object' && '@value' in v) return firstString((v as Node)['@value']);
  return undefined;
}

function dedupe(drafts: MentionDraft[]): MentionDraft[] {
  const byId = new Map<string, MentionDraft>();
  for (const d of drafts) if (!byId.has(d.externalId)) byId.set(d.externalId, d);
  return [...byId.values()];
}

/**
 * schema.org dates: `2006-05-04`, `2006-05-04T10:00:00+02:00`, often with no time zone at all.
 * A date or time without a zone is read as UTC: the page does not say where it was written, and
 * UTC keeps the reading the same on every machine (a date alone is UTC in JavaScript already).
 */
function parseDate(s: string | undefined): Date | undefined {
  const v = s?.trim();
  if (!v) return undefined;
  const iso = ISO_DATE.exec(v);
  let ms: number;
  if (iso) {
    const [, day, time, zone] = iso;
    ms = Date.parse(
      time
        ? `${day}T${time}${zone ? zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2') : 'Z'}`
        : `${day}`,
    );
  } else {
    // Other shapes ("May 4, 2006", RFC 2822): UTC too unless they name their zone.
    ms = HAS_ZONE.test(v) ? Date.parse(v) : Date.parse(`${v} UTC`);
  }
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

const ISO_DATE =
  /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;
const HAS_ZONE = /(\b(GMT|UTC|Z)\b|[+-]\d{2}:?\d{2}$)/i;

function languageOf(tag: string | null | undefined): string | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

function absoluteUrl(url: string, base: string): string | null {
  if (!url || !URL.canParse(url, base)) return null;
  const u = new URL(url, base);
  return /^https?:$/.test(u.protocol) ? u.href : null;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname || 'unknown';
  } catch {
    return 'unknown';
  }
}

function sha256(s: string | Buffer): string {
  return createHash('sha256').update(s).digest('hex');
}
