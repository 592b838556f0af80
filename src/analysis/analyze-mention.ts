/**
 * Everything Maillon reads in one mention: its language, how the author feels (overall, fused
 * with the rating), which touchpoints it speaks of with the sentiment about each, whether it is
 * about the brand at all, and how far it can carry. Pure: same mention, same analysis.
 */
import type {
  MentionAnalysis,
  MentionInput,
  MentionTouchpoint,
  SentimentResult,
} from '../domain/mention.js';
import { detectLanguage } from './language.js';
import { reachOf } from './reach.js';
import { scoreSentiment } from './sentiment.js';
import { NAMED, splitText } from './touchpoints.js';

/** Links a text to touchpoints; `relevant` says whether it passes the watch query. */
export type TouchpointLinkFn = (
  text: string,
  lang: string,
) => { relevant: boolean; touchpoints: MentionTouchpoint[] };

export interface AnalyzeOptions {
  link: TouchpointLinkFn;
  /**
   * Brand and product names, ignored by language detection and sentiment. Each is also found
   * glued, hyphenated, without accents and as a handle or hashtag ("MaisonLumière",
   * "maison-lumiere", "#MaisonLumiere" for "Maison Lumière").
   */
  brandAliases: string[];
  /** Whether the watch query decides relevance for this mention's source (searches do). */
  watched: boolean;
  /**
   * Competitors (share of voice), each with every name it is written by, matched like the
   * brand's and, like them, ignored by language detection and sentiment.
   */
  competitors?: ReadonlyArray<{ id: string; names: readonly string[] }>;
}

/**
 * `m.langDeclared === false` marks a language Maillon detected on an earlier run: a re-run
 * detects again rather than taking its own guess for the source's word.
 */
export function analyzeMention(
  m: MentionInput & { langDeclared?: boolean },
  opts: AnalyzeOptions,
): MentionAnalysis {
  const text = closeWithEmoji(
    m.title && !m.text.startsWith(m.title) ? `${m.title}. ${m.text}` : m.text,
  );
  // Brand names carry no opinion and no language, but a lexicon may think they do ("Lumière"
  // is a bright word) and so may a language guesser: both read the text with them blanked out;
  // relevance (the watch query) reads it with them in place.
  const competitors = opts.competitors ?? [];
  const masked = maskNames(maskNames(text, opts.brandAliases), allNames(competitors));
  const declared = m.langDeclared === false ? undefined : m.lang;
  const language = detectLanguage(masked, declared ? { declared } : {});
  const sentiment = scoreSentiment(masked, {
    lang: language.code,
    ...(m.rating !== undefined ? { rating: m.rating } : {}),
  });
  const relevant = opts.watched ? opts.link(text, language.code).relevant : true;
  const linked = opts.link(masked, language.code);
  const touchpoints = agreeWithMention(linked.touchpoints, sentiment, (id) =>
    // The sentences that name this touchpoint, each read whole.
    splitText(masked)
      .filter((s) => opts.link(s.text, language.code).touchpoints.some((t) => t.id === id))
      .some((s) => scoreSentiment(s.text, { lang: language.code }).label === 'negative'),
  );
  return {
    lang: language.code,
    langConfidence: language.confidence,
    langDeclared: language.declared,
    sentiment,
    relevant,
    touchpoints,
    stages: [...new Set(touchpoints.map((t) => t.stage))],
    facets: [
      ...new Set(
        touchpoints.flatMap((t) => [
          `tp:${t.id}`,
          `tp:${t.id}:${t.sentiment.label}`,
          `stage:${t.stage}`,
          `stage:${t.stage}:${t.sentiment.label}`,
        ]),
      ),
    ],
    reach: reachOf(m),
    ...withCompetitors(competitors.filter((c) => namesIn(text, c.names)).map((c) => c.id)),
  };
}

/** `competitors` only when the text names one: analyses of a brand without any stay as they were. */
function withCompetitors(ids: string[]): { competitors?: string[] } {
  return ids.length > 0 ? { competitors: ids } : {};
}

const competitorNames = new WeakMap<object, readonly string[]>();

function allNames(competitors: ReadonlyArray<{ names: readonly string[] }>): readonly string[] {
  let names = competitorNames.get(competitors);
  if (!names) competitorNames.set(competitors, (names = competitors.flatMap((c) => c.names)));
  return names;
}

/** A mention's sentiment is clear when it has a side, some evidence and some strength. */
const CLEAR_CONFIDENCE = 0.3;
const CLEAR_SCORE = 0.25;

function isClear(r: SentimentResult): boolean {
  return (
    r.label !== 'neutral' && r.confidence >= CLEAR_CONFIDENCE && Math.abs(r.score) >= CLEAR_SCORE
  );
}

/**
 * A mention that names one touchpoint only is about that touchpoint: when the mention is clearly
 * negative or positive, the touchpoint does not say otherwise. The linker reads the clause around
 * the keyword, and a complaint often puts its opinion elsewhere ("Ordered a cake for delivery on
 * Monday. Six days and still nothing.", a 1-star review with a bland text): without this, the
 * complaint is counted against no touchpoint and the weak-link alerts never see it.
 * One exception, so that no complaint is lost either way: a touchpoint that is clearly negative
 * inside an otherwise positive mention keeps its complaint when a sentence naming it is negative
 * as a whole ("Wonderful cakes, thank you! Delivery took a week though."): that is a mixed
 * mention, not a clearly positive one. When the sentence as a whole is positive, the complaint
 * was answered within it ("had a problem with the payment but they sorted it out at once"), and
 * the mention's praise stands.
 */
function agreeWithMention(
  touchpoints: MentionTouchpoint[],
  overall: SentimentResult,
  negativeSentenceNames: (touchpointId: string) => boolean,
): MentionTouchpoint[] {
  const [only] = touchpoints;
  if (!only || !isClear(overall)) return touchpoints;
  if (touchpoints.length > 1) {
    // Several named, none on the mention's side: its opinion is about those it names without
    // one of their own ("Tracking hasn't moved. Six days and still nothing."), not about things
    // merely named (the table ordered: see journey.ts `names`).
    if (touchpoints.some((t) => t.sentiment.label === overall.label)) return touchpoints;
    return touchpoints.map((t) =>
      t.sentiment.label === 'neutral' && t.sentiment.method !== NAMED
        ? { ...t, sentiment: { ...overall, method: `${overall.method}+mention` } }
        : t,
    );
  }
  const own = only.sentiment;
  if (own.label === overall.label) return touchpoints;
  if (
    overall.label === 'positive' &&
    own.label === 'negative' &&
    isClear(own) &&
    negativeSentenceNames(only.id)
  )
    return touchpoints;
  return [{ ...only, sentiment: { ...overall, method: `${overall.method}+mention` } }];
}

/**
 * An emoji standing alone after the end of a sentence closes that sentence ("Still no refund!!
 * 🤬"): it moves before the punctuation, so that the clause it judges carries it when the text is
 * cut into sentences for touchpoints.
 */
const EMOJI_AFTER_END =
  /([.!?…]+)[ \t]+((?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F|\u200D)+)(?=\s|$)/gu;

function closeWithEmoji(text: string): string {
  return text.replace(EMOJI_AFTER_END, ' $2$1');
}

const namePatterns = new WeakMap<readonly string[], RegExp | null>();

/** The text with every brand or product name blanked out (see `AnalyzeOptions.brandAliases`). */
function maskNames(text: string, names: readonly string[]): string {
  const re = nameRegExp(names);
  return re ? text.replace(re, ' ') : text;
}

/** Whether the text names any of `names` (as `maskNames` finds them). */
function namesIn(text: string, names: readonly string[]): boolean {
  const re = nameRegExp(names);
  if (!re) return false;
  re.lastIndex = 0;
  return re.test(text);
}

/** One pattern for all of `names` (global: reset `lastIndex` before `test`), cached per list. */
function nameRegExp(names: readonly string[]): RegExp | null {
  let re = namePatterns.get(names);
  if (re === undefined) {
    const alternatives = [...new Set(names.map(namePattern).filter((p) => p !== ''))].toSorted(
      (a, b) => b.length - a.length,
    );
    re =
      alternatives.length > 0
        ? new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'giu')
        : null;
    namePatterns.set(names, re);
  }
  return re;
}

/** Letters that a name written without accents may carry in a text, and the reverse. */
const VARIANTS: Record<string, string> = {
  a: '[aàáâãäå]',
  c: '[cç]',
  e: '[eéèêë]',
  i: '[iíìîï]',
  n: '[nñ]',
  o: '[oóòôõö]',
  u: '[uúùûü]',
  y: '[yýÿ]',
};
const LIGATURES: Record<string, string> = { oe: 'œ', ae: 'æ' };

/**
 * One name as a pattern: its words in a row, joined by spaces, hyphens, dots, underscores or
 * nothing ("Maison Lumière", "maison-lumiere", "MaisonLumière"), each letter with or without its
 * accent (and decomposed accents), "œ" for "oe", with an optional @ or # before and a domain
 * ending after ("maison-lumiere.fr").
 */
function namePattern(name: string): string {
  const words = fold(name.toLowerCase().replaceAll('œ', 'oe').replaceAll('æ', 'ae'))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
  if (words.length === 0) return '';
  const word = (w: string): string => {
    let out = '';
    for (let i = 0; i < w.length; i++) {
      const c = w[i] as string;
      const pair = LIGATURES[w.slice(i, i + 2)];
      const letter = `${VARIANTS[c] ?? c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\p{M}*`;
      if (pair) {
        const next = w[i + 1] as string;
        out += `(?:${letter}${VARIANTS[next] ?? next}\\p{M}*|${pair})`;
        i++;
      } else out += letter;
    }
    return out;
  };
  return `[@#]?${words.map(word).join("[\\s\\-_.'’]*")}(?:\\.(?:fr|com|net|org|eu|be|ch|ca|co\\.uk|uk|shop|store))?`;
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '');
}
