/**
 * Links a mention to the touchpoints of the customer journey, each with the sentiment of the words
 * that concern it: "le personnel était adorable mais la livraison a pris trois semaines" gives
 * welcome positive and delivery negative, not one lukewarm average.
 *
 * How a text is cut (simple rules, no parser):
 * 1. sentences: at . ! ? … ; followed by a space, and at line breaks;
 * 2. segments: before a contrast marker (mais, cependant, pourtant, toutefois, néanmoins, par
 *    contre, en revanche, alors que, tandis que, sauf (que), même si; but, however, although,
 *    though, whereas, except, nevertheless, on the other hand);
 * 3. clauses: at commas (not decimal ones), spaced dashes, slashes and after emoji; and at
 *    et / and / & / puis / then when both sides keep two words or more, so that "rapide et
 *    efficace" stays whole while "le personnel et la livraison étaient nuls" splits.
 *
 * A touchpoint found in a clause takes that clause's sentiment. When the clause holds no opinion
 * (its score is 0), it takes its segment's ("le personnel, franchement, adorable"), then its
 * sentence's, leaving out the far sides of contrasts that name another touchpoint: in "le
 * personnel était adorable mais la livraison a pris trois semaines" delivery never borrows the
 * staff's praise, while in "ils ont lancé une appli, mais elle est lente" the app gets "lente". A
 * touchpoint found in several clauses keeps the most extreme sentiment (ties go to the negative):
 * one sharp complaint about delivery is what the weak-link alerts must see, not an average that
 * hides it.
 *
 * Keywords match per language (text.ts): French ones in French texts, English ones in English
 * texts, both when the language is neither. A keyword may match in a text the watch query drops:
 * the caller decides what relevance means for its source.
 *
 * Everything the configuration says is compiled once, in `createTouchpointLinker`. Pure.
 */
import type { SentimentResult } from '../domain/mention.js';
import type { Stage } from '../domain/vocabulary.js';
import { wordsOf, type Touchpoint } from './journey.js';
import { matchesQuery, parseQuery } from './query.js';
import { mentionsRemedy, scoreSentiment } from './sentiment.js';
import {
  analyzeText,
  containsSequence,
  matchLangs,
  MATCH_LANGS,
  stem,
  tokenize,
  type MatchLang,
} from './text.js';

export type { Stage };

/** One touchpoint a text speaks of. Stored with the mention (`MentionTouchpoint`). */
export interface TouchpointLink {
  id: string;
  stage: Stage;
  /** The sentiment of the clause (or sentence) about this touchpoint. */
  sentiment: SentimentResult;
  /** The configured keywords or phrases that matched, as written in the configuration. */
  matched: string[];
}

export interface TouchpointLinkResult {
  /** Whether the text passes the watch query (names the brand, is no job ad...). */
  relevant: boolean;
  /** In the configuration's order. Filled whether relevant or not: the caller decides. */
  touchpoints: TouchpointLink[];
}

export interface TouchpointLinker {
  /**
   * `lang`: ISO 639-1 code of the text; other than fr or en, keywords of both languages apply.
   * A plain function (no `this`): pass `linker.link` around as it is.
   */
  link: (text: string, lang: string) => TouchpointLinkResult;
}

/**
 * A neutral score this close to 0 means "no opinion here": look at the wider context. Not the
 * confidence: a scorer may well be fairly sure that a text without opinion words is neutral.
 */
const NO_OPINION_SCORE = 0.01;

/** One configured keyword or exclusion, compiled for one language. */
interface Phrase {
  tp: number;
  source: string;
  /** Per word: its stem, or `=word` when the phrase was quoted (exact form). */
  keys: string[];
  exclude: boolean;
  /** For an exclusion: whether it holds one of its touchpoint's keywords (see `touchpointsIn`). */
  masks: boolean;
  /** One of the touchpoint's `names`: a thing named, not judged (see journey.ts). */
  name: boolean;
}

interface Hit {
  phrase: Phrase;
  start: number;
  end: number;
}

/** `"cher"` (quoted) matches that form only; `cher` matches its stem, "chéri" included. */
function compilePhrase(source: string, lang: MatchLang): string[] {
  const quoted = /^\s*"(.*)"\s*$/su.exec(source);
  const tokens = tokenize(quoted ? (quoted[1] as string) : source);
  return tokens.map((t) => (quoted ? `=${t}` : stem(t, lang)));
}

/** Whether `needle` occurs in `hay`, comparing stems (an exact word also meets its own stem). */
function holds(hay: string[], needle: string[], lang: MatchLang): boolean {
  const plain = (k: string): string => (k.startsWith('=') ? stem(k.slice(1), lang) : k);
  return containsSequence(hay.map(plain), needle.map(plain));
}

/** What the linker needs of the configuration: the watch query and the composed journey. */
export interface LinkerConfig {
  watch: string;
  touchpoints: readonly Touchpoint[];
}

export function createTouchpointLinker(cfg: LinkerConfig): TouchpointLinker {
  const watch = parseQuery(cfg.watch);
  const tps = cfg.touchpoints;

  // Per language, phrases indexed by their first key: a clause is scanned once, word by word.
  const index: Record<MatchLang, Map<string, Phrase[]>> = { fr: new Map(), en: new Map() };
  for (const [i, tp] of tps.entries()) {
    const keywords = MATCH_LANGS.flatMap((lang) =>
      wordsOf(tp, lang).map((k) => ({ lang, keys: compilePhrase(k, lang) })),
    );
    const entries = MATCH_LANGS.flatMap((lang) => [
      // Keywords first, then names (wordsOf's order).
      ...wordsOf(tp, lang).map((source, j) => ({
        lang,
        source,
        exclude: false,
        masks: false,
        name: j >= tp.keywords[lang].length,
      })),
      // Exclusions are written once for both languages. One holding a keyword of either language
      // ("café lumière" holds "café") only ever masks that keyword, even in a text of the other
      // language, where it must not wipe out "menu" in "Café Lumière changed their menu".
      ...tp.exclude.map((source) => ({
        lang,
        source,
        exclude: true,
        masks: keywords.some((k) => holds(compilePhrase(source, k.lang), k.keys, k.lang)),
        name: false,
      })),
    ]);
    for (const e of entries) {
      const keys = compilePhrase(e.source, e.lang);
      const first = keys[0];
      if (first === undefined) continue;
      const list = index[e.lang].get(first) ?? [];
      // Reported without the quotes that only say "exact form".
      const source = e.source.trim().replace(/^"(.*)"$/su, '$1');
      list.push({ tp: i, source, keys, exclude: e.exclude, masks: e.masks, name: e.name });
      index[e.lang].set(first, list);
    }
  }

  // Keywords holding a connector ("click and collect") are never cut in two at it.
  const connectors = new Set(['et', 'and', 'puis', 'then']);
  const keep = tps
    .flatMap((tp) => MATCH_LANGS.flatMap((lang) => wordsOf(tp, lang)))
    .map((k) => tokenize(k.replace(/^\s*"(.*)"\s*$/su, '$1')))
    .filter((tokens) => tokens.some((t, i) => i > 0 && i < tokens.length - 1 && connectors.has(t)));

  function hitsIn(clause: string, langs: readonly MatchLang[]): Hit[] {
    const t = analyzeText(clause);
    const hits: Hit[] = [];
    for (const lang of langs) {
      const stems = t.stems[lang];
      const keyAt = (i: number, key: string): boolean =>
        key.startsWith('=') ? t.tokens[i] === key.slice(1) : stems[i] === key;
      for (let i = 0; i < stems.length; i++) {
        const candidates = [
          ...(index[lang].get(stems[i] as string) ?? []),
          ...(index[lang].get(`=${t.tokens[i] as string}`) ?? []),
        ];
        for (const phrase of candidates) {
          const n = phrase.keys.length;
          if (i + n > stems.length) continue;
          let ok = true;
          for (let j = 1; j < n && ok; j++) ok = keyAt(i + j, phrase.keys[j] as string);
          if (ok) hits.push({ phrase, start: i, end: i + n });
        }
      }
    }
    return hits;
  }

  /**
   * Touchpoint index → keywords that survive the exclusions of this clause, and whether they are
   * all names (see journey.ts).
   */
  function touchpointsIn(
    clause: string,
    langs: readonly MatchLang[],
  ): Map<number, { matched: string[]; named: boolean }> {
    const byTp = new Map<number, { keys: Hit[]; excl: Hit[] }>();
    for (const h of hitsIn(clause, langs)) {
      const entry = byTp.get(h.phrase.tp) ?? { keys: [], excl: [] };
      (h.phrase.exclude ? entry.excl : entry.keys).push(h);
      byTp.set(h.phrase.tp, entry);
    }
    const out = new Map<number, { matched: string[]; named: boolean }>();
    for (const [tp, { keys, excl }] of byTp) {
      let kept = keys;
      for (const x of excl) {
        // An exclusion holding a keyword cancels the keywords it overlaps ("room for improvement"
        // cancels "room", not the "bed" next to it); one holding none is a context word, which
        // cancels the touchpoint in the whole clause.
        const overlaps = (k: Hit): boolean => k.start < x.end && x.start < k.end;
        kept = x.phrase.masks ? kept.filter((k) => !overlaps(k)) : [];
      }
      if (kept.length > 0) {
        out.set(tp, {
          matched: [...new Set(kept.map((k) => k.phrase.source))],
          named: kept.every((k) => k.phrase.name),
        });
      }
    }
    return out;
  }

  return {
    link: (text, lang) => {
      const langs = matchLangs(lang);
      const relevant = matchesQuery(watch, analyzeText(text), lang);
      const scores = new Map<string, SentimentResult>();
      const score = (s: string): SentimentResult => {
        let r = scores.get(s);
        if (r === undefined) {
          r = scoreSentiment(s, { lang });
          scores.set(s, r);
        }
        return r;
      };
      const answered = (s: string): boolean =>
        score(s).label === 'positive' && mentionsRemedy(s, lang);
      const found = new Map<
        number,
        { sentiments: SentimentResult[]; matched: string[]; named: boolean }
      >();
      for (const sentence of splitText(text, keep)) {
        const segments = sentence.segments.map((segment) => {
          const clauses = segment.clauses.map((clause) => ({
            clause,
            here: touchpointsIn(clause, langs),
          }));
          return {
            text: segment.text,
            clauses,
            tps: new Set(clauses.flatMap((c) => [...c.here.keys()])),
          };
        });
        for (const segment of segments) {
          for (const { clause, here } of segment.clauses) {
            for (const [tp, { matched, named }] of here) {
              // Coordinated clauses share their predicate ("le personnel et la livraison étaient
              // nuls"): the whole segment speaks for each. Across a contrast, only the sides that
              // name no other touchpoint do ("une appli, mais elle est lente"): a side naming
              // another is about that one, often with the opposite feeling.
              let sentiment = score(clause);
              if (!hasOpinion(sentiment) && segment.text !== clause) {
                sentiment = score(segment.text);
              } else if (sentiment.label === 'negative' && answered(sentence.text)) {
                // A problem put right within the sentence ("had a problem with my order, the
                // chat team fixed it straight away"): the sentence's praise stands for it.
                sentiment = score(sentence.text);
              }
              if (!hasOpinion(sentiment) && segments.length > 1) {
                const context = segments
                  .filter((g) => g === segment || ![...g.tps].some((other) => other !== tp))
                  .map((g) => g.text)
                  .join(' ');
                if (context !== segment.text) sentiment = score(context);
              }
              const entry = found.get(tp) ?? { sentiments: [], matched: [], named: true };
              entry.sentiments.push(sentiment);
              entry.matched.push(...matched);
              entry.named &&= named;
              found.set(tp, entry);
            }
          }
        }
      }
      // A thing only named, in a mention that names other touchpoints by their keywords: the
      // opinion is about those.
      const judged = [...found.values()].some((e) => !e.named);
      const touchpoints: TouchpointLink[] = [];
      for (const [i, tp] of tps.entries()) {
        const entry = found.get(i);
        if (!entry) continue;
        const sentiment = mostExtreme(entry.sentiments);
        touchpoints.push({
          id: tp.id,
          stage: tp.stage,
          sentiment:
            entry.named && judged
              ? { score: 0, label: 'neutral', confidence: sentiment.confidence, method: NAMED }
              : sentiment,
          matched: [...new Set(entry.matched)],
        });
      }
      return { relevant, touchpoints };
    },
  };
}

/** The method of a named thing's neutral sentiment (see `link`). */
export const NAMED = 'named';

function hasOpinion(r: SentimentResult): boolean {
  return r.label !== 'neutral' || Math.abs(r.score) >= NO_OPINION_SCORE;
}

function mostExtreme(results: SentimentResult[]): SentimentResult {
  return results.reduce((best, r) =>
    Math.abs(r.score) > Math.abs(best.score) ||
    (Math.abs(r.score) === Math.abs(best.score) && r.score < best.score)
      ? r
      : best,
  );
}

export interface SplitSentence {
  text: string;
  segments: { text: string; clauses: string[] }[];
}

const SENTENCE_END = /\n+|(?<=[.!?…;])\s+/u;
const CONTRAST =
  /\s*(?<![\p{L}\p{N}'])(?=(?:mais|cependant|pourtant|toutefois|n[ée]anmoins|par contre|en revanche|alors que|tandis que|sauf que|m[êe]me si|sauf|but|however|although|though|whereas|except|nevertheless|on the other hand)(?![\p{L}\p{N}']))/iu;
const CLAUSE_BREAK =
  /(?<!\d),|,(?!\d)|\s[-–—/]\s|(?<=\p{Extended_Pictographic}\uFE0F?)\s+(?=\p{L})/u;
const JOIN = /\s+(et|and|&|puis|then)\s+/iu;
/** Pieces around et/and shorter than this (in words) stay with their neighbour. */
const MIN_JOINED_WORDS = 2;

/**
 * Cuts a text into sentences, segments and clauses (see the module comment). `keep`: phrases
 * (token lists, as `tokenize` gives them) holding a connector that must not be cut there, such as
 * the keyword "click and collect".
 */
export function splitText(text: string, keep: readonly string[][] = []): SplitSentence[] {
  const out: SplitSentence[] = [];
  for (const raw of text.split(SENTENCE_END)) {
    const sentence = tidy(raw);
    if (!hasWords(sentence)) continue;
    const segments = [];
    for (const rawSeg of sentence.split(CONTRAST)) {
      const segment = tidy(rawSeg);
      if (!hasWords(segment)) continue;
      const clauses = segment
        .split(CLAUSE_BREAK)
        .flatMap((piece) => splitJoined(piece, keep))
        .map(tidy)
        .filter(hasWords);
      segments.push({ text: segment, clauses });
    }
    out.push({ text: sentence, segments });
  }
  return out;
}

/** "a b et c d" → ["a b", "c d"]; "a b et c" stays whole, and so does a `keep` phrase. */
function splitJoined(piece: string, keep: readonly string[][]): string[] {
  // split() with a capture group keeps the connectors at odd indexes.
  const parts = piece.split(JOIN);
  const out: string[] = [];
  let current = parts[0] ?? '';
  for (let i = 1; i < parts.length; i += 2) {
    const connector = parts[i] as string;
    const next = parts[i + 1] ?? '';
    if (
      words(current) >= MIN_JOINED_WORDS &&
      words(next) >= MIN_JOINED_WORDS &&
      !keep.some((phrase) => spans(phrase, tokenize(current), connector, tokenize(next)))
    ) {
      out.push(current);
      current = next;
    } else {
      current = `${current} ${connector} ${next}`;
    }
  }
  out.push(current);
  return out;
}

/** Whether `phrase` reads across `before connector after` with its connector at that point. */
function spans(phrase: readonly string[], before: string[], connector: string, after: string[]) {
  const c = tokenize(connector)[0] ?? connector;
  return phrase.some(
    (t, k) =>
      t === c &&
      k <= before.length &&
      phrase.length - k - 1 <= after.length &&
      phrase.slice(0, k).every((w, j) => w === before[before.length - k + j]) &&
      phrase.slice(k + 1).every((w, j) => w === after[j]),
  );
}

const words = (s: string): number => tokenize(s).length;
const hasWords = (s: string): boolean => /[\p{L}\p{N}]/u.test(s);
const tidy = (s: string | undefined): string =>
  (s ?? '').trim().replace(/^[,;:\s]+|[,;:\s]+$/gu, '');
