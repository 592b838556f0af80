/**
 * The mention explorer's words: what a mention is indexed under, how a search box query is read,
 * whether a fetched mention really matches, and where its matches are (highlights). Pure.
 *
 * A mention's index keys (the count drain stores them: src/store/postings-repository.ts):
 * - its search terms: the stems of the words of its title and text in its own language
 *   (`t:fr:livraison`), in both French and English when its language is neither, stop words
 *   left out (they would be in every mention);
 * - its facets: `*` (every mention), `src:<source>`, `lang:<code>`, `sent:<label>` (overall),
 *   `tp:<id>:<label>` and `stage:<stage>:<label>` (the sentiment about the touchpoint or stage; a
 *   touchpoint whatever its sentiment is the three of them), `rating:<1-5>`, `author:<hash of the
 *   author id>`, `rel:false` for a mention the watch query excluded.
 *
 * The search box: words (each must be there, any form of the same stem: `livraison` finds
 * "livraisons"), "quoted phrases" (these exact words in this order, accents and case aside) and
 * `-word` or `-"phrase"` (must not be there). A word is looked up under its French and its English
 * stem: the text's language decides which one it was indexed under.
 *
 * The index is a superset filter: candidates it yields are checked on the fetched mention with
 * `matchesSearch` (phrases, excluded phrases, a rating range), from the same rules, so a
 * candidate passes exactly when the mention matches.
 */
import { createHash } from 'node:crypto';
import { eng, fra } from 'stopword';
import type { SentimentLabel } from '../domain/mention.js';
import { ValidationError } from '../errors.js';
import {
  containsSequence,
  MATCH_LANGS,
  matchLangs,
  normalize,
  stem,
  tokenize,
  type MatchLang,
} from './text.js';

/** Every mention is under this key (the listing without a filter). */
export const ALL_KEY = '*';
/** A mention is indexed under at most this many search terms (a very long text's first ones). */
export const MAX_TERMS = 1_000;

const STOP: Record<MatchLang, Set<string>> = {
  fr: new Set(fra.map((w) => normalize(w))),
  en: new Set(eng.map((w) => normalize(w))),
};

/** Whether a normalised token is too common in `lang` to index (a stop word, or one letter). */
export function isStopWord(token: string, lang: MatchLang): boolean {
  return token.length < 2 || STOP[lang].has(token);
}

/** The index key of one word in one language, or null for a stop word. */
function termKey(token: string, lang: MatchLang): string | null {
  return isStopWord(token, lang) ? null : `t:${lang}:${stem(token, lang)}`;
}

/** An author's key: a short hash of the id, whatever characters the site uses. */
export function authorKey(authorId: string): string {
  return `author:${createHash('sha256').update(authorId).digest('base64url').slice(0, 12)}`;
}

/** What the index reads of a mention (a stored `Mention` or an input with its analysis). */
export interface IndexableMention {
  source: string;
  title?: string;
  text: string;
  author: { id: string };
  rating?: number;
}

/** What the index reads of a mention's analysis. */
export interface IndexableAnalysis {
  lang: string;
  sentiment: { label: SentimentLabel };
  relevant: boolean;
  /** `tp:<id>`, `tp:<id>:<label>`, `stage:<stage>`, `stage:<stage>:<label>`: labelled ones kept. */
  facets: readonly string[];
}

/** The search terms of a text in the index languages of `lang`. */
export function termKeysOf(text: string, lang: string | undefined): string[] {
  const langs = matchLangs(lang);
  const keys = new Set<string>();
  for (const token of tokenize(text)) {
    for (const l of langs) {
      const k = termKey(token, l);
      if (k) keys.add(k);
    }
    if (keys.size >= MAX_TERMS) break;
  }
  return [...keys];
}

/**
 * Every key a mention is indexed under (facets, then terms), without repeats. Re-indexing a
 * mention with a new reading (an edit, a correction) is staging a contribution with these keys
 * and its next version: the drain takes its old keys out and puts these in (see `contributionOf`).
 */
export function indexKeysOf(m: IndexableMention, a: IndexableAnalysis): string[] {
  const keys = new Set<string>([
    ALL_KEY,
    `src:${m.source}`,
    `lang:${a.lang}`,
    `sent:${a.sentiment.label}`,
    // A touchpoint or stage whatever the sentiment is looked up as its three labels: a key less.
    ...a.facets.filter((f) => LABELLED.test(f)),
    authorKey(m.author.id),
  ]);
  if (m.rating !== undefined) keys.add(`rating:${ratingKey(m.rating)}`);
  if (!a.relevant) keys.add('rel:false');
  for (const k of termKeysOf(m.title ? `${m.title}\n${m.text}` : m.text, a.lang)) keys.add(k);
  return [...keys];
}

const LABELLED = /:(?:negative|neutral|positive)$/;
const LABELS = ['negative', 'neutral', 'positive'] as const;

/** Ratings are kept to the star: 4.5 is under 5, and checked exactly on the mention. */
function ratingKey(rating: number): number {
  return Math.min(5, Math.max(1, Math.round(rating)));
}

// ----- the search box -----------------------------------------------------------------------

/** One term of a search: a word (several tokens when hyphenated or elided) or a quoted phrase. */
export interface SearchTerm {
  /** As written, without quotes or minus. */
  text: string;
  /** Quoted: these exact tokens in this order. Bare: the same stems in this order. */
  exact: boolean;
  /** `-word`: the mention must not hold it. */
  exclude: boolean;
  tokens: string[];
}

export interface ParsedSearch {
  terms: SearchTerm[];
}

const QUOTES: Record<string, string> = { '"': '"', '\u201C': '\u201D', '\u00AB': '\u00BB' };

/**
 * Reads a search box query. Lenient, as a search box must be: an unclosed quote runs to the end;
 * only a query without a word to look for (nothing but punctuation, or only exclusions) is
 * refused (`ValidationError` on `q`).
 */
export function parseSearch(q: string): ParsedSearch {
  const terms: SearchTerm[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/u.test(c)) {
      i++;
      continue;
    }
    let exclude = false;
    let at = i;
    if (c === '-' && at + 1 < q.length && !/\s/u.test(q[at + 1] as string)) {
      exclude = true;
      at++;
    }
    const open = q[at] as string;
    let text: string;
    let exact = false;
    if (open in QUOTES) {
      const close = q.indexOf(QUOTES[open] as string, at + 1);
      const end = close < 0 ? q.length : close;
      text = q.slice(at + 1, end);
      exact = true;
      i = close < 0 ? q.length : close + 1;
    } else {
      let j = at;
      while (j < q.length && !/\s/u.test(q[j] as string) && !((q[j] as string) in QUOTES)) j++;
      text = q.slice(at, j);
      i = j;
    }
    const tokens = tokenize(text);
    if (tokens.length > 0) terms.push({ text, exact, exclude, tokens });
  }
  if (!terms.some((t) => !t.exclude)) {
    throw new ValidationError('query', [
      {
        path: 'q',
        message: 'nothing to search for: give at least one word that is not excluded (-word)',
      },
    ]);
  }
  return { terms };
}

/**
 * A token's keys, one per language (a clause: any of them). A stop word is not indexed: in a
 * language where it is one, its candidates are every mention (`*`), checked on their text.
 */
function tokenClause(token: string): string[] {
  return MATCH_LANGS.map((l) => termKey(token, l) ?? ALL_KEY);
}

/** A token's keys where it is indexed (an excluded word: what the index can take out). */
function indexedKeys(token: string): string[] {
  return MATCH_LANGS.flatMap((l) => termKey(token, l) ?? []);
}

// ----- the plan the postings run ----------------------------------------------------------

/** The filters of the explorer, as the API takes them. */
export interface MentionFilters {
  q?: ParsedSearch;
  source?: string;
  touchpoint?: string;
  stage?: string;
  lang?: string;
  /** With `touchpoint` or `stage`: the sentiment about it; otherwise the overall one. */
  sentiment?: SentimentLabel;
  rating?: number;
  ratingMin?: number;
  ratingMax?: number;
  author?: string;
  /** Default: the mentions the watch query kept (true). */
  relevant?: boolean | 'all';
}

/**
 * What the postings run: mentions under at least one key of every clause of `all`, under no key
 * of `none`, with the relevance asked.
 */
export interface PostingsPlan {
  all: string[][];
  none: string[];
  relevant: boolean | 'all';
}

export function planOf(f: MentionFilters): PostingsPlan {
  const all: string[][] = [];
  const labels = f.sentiment ? [f.sentiment] : LABELS;
  if (f.touchpoint) all.push(labels.map((l) => `tp:${f.touchpoint}:${l}`));
  if (f.stage) all.push(labels.map((l) => `stage:${f.stage}:${l}`));
  if (f.sentiment && !f.touchpoint && !f.stage) all.push([`sent:${f.sentiment}`]);
  if (f.source) all.push([`src:${f.source}`]);
  if (f.lang) all.push([`lang:${f.lang}`]);
  if (f.author) all.push([authorKey(f.author)]);
  const [lo, hi] = ratingRange(f);
  if (lo > 1 || hi < 5) {
    const stars: string[] = [];
    for (let r = ratingKey(lo); r <= ratingKey(hi); r++) stars.push(`rating:${r}`);
    all.push(stars);
  } else if (f.rating !== undefined || f.ratingMin !== undefined || f.ratingMax !== undefined) {
    // Any rating, 1 to 5: the mentions that have one.
    all.push([1, 2, 3, 4, 5].map((r) => `rating:${r}`));
  }
  const none: string[] = [];
  for (const term of f.q?.terms ?? []) {
    if (term.exclude) {
      // A single word's keys can be taken out by the index; a phrase only on the text.
      if (term.tokens.length === 1) none.push(...indexedKeys(term.tokens[0] as string));
      continue;
    }
    for (const token of term.tokens) all.push(tokenClause(token));
  }
  const relevant = f.relevant ?? true;
  if (relevant === false) all.push(['rel:false']);
  if (all.length === 0) all.push([ALL_KEY]);
  return { all: dedupeClauses(all), none: [...new Set(none)], relevant };
}

function dedupeClauses(clauses: string[][]): string[][] {
  const seen = new Set<string>();
  return clauses
    .map((c) => [...new Set(c)])
    .filter((c) => {
      const k = c.toSorted().join(' ');
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

function ratingRange(f: MentionFilters): [number, number] {
  if (f.rating !== undefined) return [f.rating, f.rating];
  return [f.ratingMin ?? 1, f.ratingMax ?? 5];
}

/** Whether the check on the fetched mention can drop a candidate the index yielded. */
export function needsCheck(f: MentionFilters): boolean {
  return (
    (f.q?.terms.length ?? 0) > 0 ||
    f.rating !== undefined ||
    f.ratingMin !== undefined ||
    f.ratingMax !== undefined
  );
}

// ----- the check on the fetched mention ------------------------------------------------------

/** A text cut into normalised tokens, each with its span in the original string. */
export interface Token {
  token: string;
  start: number;
  end: number;
}

// A word as written: letters, digits and combining marks, apostrophes inside.
const RAW_WORD = /[\p{L}\p{N}\p{M}]+(?:['\u2018\u2019\u02BC\u2032\u00B4`][\p{L}\p{N}\p{M}]+)*/gu;
const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/**
 * `tokenize(s)` with where each token is in `s` (UTF-16 offsets, end exclusive): the same
 * tokens, so that highlights fall on what matched. An elided article ("l'accueil") is its own
 * token up to the apostrophe.
 */
export function tokenSpans(s: string): Token[] {
  const out: Token[] = [];
  for (const raw of s.matchAll(RAW_WORD)) {
    const start = raw.index;
    const word = raw[0];
    const pieces = (normalize(word).match(TOKEN) ?? []).map((t) =>
      t.endsWith("'s") ? t.slice(0, -2) : t,
    );
    if (pieces.length === 1) {
      out.push({ token: pieces[0] as string, start, end: start + word.length });
    } else if (pieces.length === 2) {
      // An elision split off: the article runs to the first apostrophe.
      const cut = word.search(/['\u2018\u2019\u02BC\u2032\u00B4`]/u);
      const at = cut < 0 ? word.length : cut;
      out.push({ token: pieces[0] as string, start, end: start + at });
      out.push({
        token: pieces[1] as string,
        start: start + Math.min(word.length, at + 1),
        end: start + word.length,
      });
    } else {
      for (const p of pieces) out.push({ token: p, start, end: start + word.length });
    }
  }
  return out;
}

/** A field of a mention, tokenised once, with its stems in the languages it is indexed in. */
interface Field {
  name: 'title' | 'text';
  tokens: Token[];
  plain: string[];
  stems: Partial<Record<MatchLang, string[]>>;
}

function fieldOf(name: Field['name'], s: string, langs: readonly MatchLang[]): Field {
  const tokens = tokenSpans(s);
  const plain = tokens.map((t) => t.token);
  const stems: Field['stems'] = {};
  for (const l of langs) stems[l] = plain.map((t) => stem(t, l));
  return { name, tokens, plain, stems };
}

/** Where a term occurs in a field: [first token, last token + 1] pairs. */
function occurrences(term: SearchTerm, f: Field, langs: readonly MatchLang[]): [number, number][] {
  const n = term.tokens.length;
  const out: [number, number][] = [];
  for (let i = 0; i + n <= f.plain.length; i++) {
    let ok: boolean;
    if (term.exact) {
      ok = term.tokens.every((t, j) => f.plain[i + j] === t);
    } else {
      ok = langs.some((l) =>
        term.tokens.every((t, j) =>
          // A stop word is not indexed in `l`: it must be there as written.
          isStopWord(t, l) ? f.plain[i + j] === t : f.stems[l]?.[i + j] === stem(t, l),
        ),
      );
    }
    if (ok) out.push([i, i + n]);
  }
  return out;
}

/** What is checked and highlighted of one mention. */
export interface CheckableMention {
  title?: string;
  text: string;
  lang?: string;
  rating?: number;
  touchpoints?: readonly { id: string; matched: readonly string[] }[];
}

function fieldsOf(m: CheckableMention): { fields: Field[]; langs: readonly MatchLang[] } {
  const langs = matchLangs(m.lang);
  const fields = [fieldOf('text', m.text, langs)];
  if (m.title) fields.push(fieldOf('title', m.title, langs));
  return { fields, langs };
}

/**
 * Whether a fetched mention matches what the index cannot decide alone: every word and phrase
 * (in the title or the text), no excluded one, the rating in range.
 */
export function matchesSearch(m: CheckableMention, f: MentionFilters): boolean {
  const [lo, hi] = ratingRange(f);
  if (f.rating !== undefined || f.ratingMin !== undefined || f.ratingMax !== undefined) {
    if (m.rating === undefined || m.rating < lo || m.rating > hi) return false;
  }
  const terms = f.q?.terms ?? [];
  if (terms.length === 0) return true;
  const { fields, langs } = fieldsOf(m);
  return terms.every((term) => {
    const found = fields.some((fl) => occurrences(term, fl, langs).length > 0);
    return term.exclude ? !found : found;
  });
}

/** A span of a mention's title or text to highlight (UTF-16 offsets, end exclusive). */
export interface Highlight {
  field: 'title' | 'text';
  start: number;
  end: number;
  kind: 'search' | 'touchpoint';
  /** For `touchpoint`: which one. */
  touchpoint?: string;
}

/**
 * The spans of a mention to highlight: the search's words and phrases, and the configured
 * keywords of the touchpoints it was linked to (`touchpoints[].matched`), found the way the
 * linker found them (stems in the text's languages). Never markup: the client renders them.
 */
export function highlightsOf(m: CheckableMention, q?: ParsedSearch): Highlight[] {
  const { fields, langs } = fieldsOf(m);
  const out: Highlight[] = [];
  const push = (
    fl: Field,
    [i, j]: [number, number],
    h: Omit<Highlight, 'field' | 'start' | 'end'>,
  ) =>
    out.push({
      field: fl.name,
      start: (fl.tokens[i] as Token).start,
      end: (fl.tokens[j - 1] as Token).end,
      ...h,
    });
  for (const term of q?.terms ?? []) {
    if (term.exclude) continue;
    for (const fl of fields)
      for (const o of occurrences(term, fl, langs)) push(fl, o, { kind: 'search' });
  }
  for (const tp of m.touchpoints ?? []) {
    for (const phrase of tp.matched) {
      const tokens = tokenize(phrase);
      if (tokens.length === 0) continue;
      const term: SearchTerm = { text: phrase, exact: false, exclude: false, tokens };
      for (const fl of fields)
        for (const o of occurrencesLoose(term, fl, langs))
          push(fl, o, { kind: 'touchpoint', touchpoint: tp.id });
    }
  }
  const seen = new Set<string>();
  return out
    .filter((h) => {
      const k = `${h.field} ${h.start} ${h.end} ${h.kind} ${h.touchpoint ?? ''}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .toSorted((a, b) => a.field.localeCompare(b.field) || a.start - b.start || b.end - a.end);
}

/** A touchpoint keyword's occurrences: its stems in order, stop words too (the linker's way). */
function occurrencesLoose(
  term: SearchTerm,
  f: Field,
  langs: readonly MatchLang[],
): [number, number][] {
  const out: [number, number][] = [];
  for (const l of langs) {
    const needle = term.tokens.map((t) => stem(t, l));
    const hay = f.stems[l] ?? [];
    if (!containsSequence(hay, needle)) continue;
    for (let i = 0; i + needle.length <= hay.length; i++) {
      if (needle.every((s, j) => hay[i + j] === s)) out.push([i, i + needle.length]);
    }
  }
  return out;
}
