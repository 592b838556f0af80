/**
 * Everything Maillon reads in one mention: its language, how the author feels (overall, fused
 * with the rating), which touchpoints it speaks of with the sentiment about each, whether it is
 * about the brand at all, and how far it can carry. Pure: same mention, same analysis.
 */
import type { MentionAnalysis, MentionInput, MentionTouchpoint } from '../domain/mention.js';
import { detectLanguage } from './language.js';
import { reachOf } from './reach.js';
import { scoreSentiment } from './sentiment.js';

/** Links a text to touchpoints; `relevant` says whether it passes the watch query. */
export type TouchpointLinkFn = (
  text: string,
  lang: string,
) => { relevant: boolean; touchpoints: MentionTouchpoint[] };

export interface AnalyzeOptions {
  link: TouchpointLinkFn;
  /** Brand and product names, ignored by language detection. */
  brandAliases: string[];
  /** Whether the watch query decides relevance for this mention's source (searches do). */
  watched: boolean;
}

/**
 * `m.langDeclared === false` marks a language Maillon detected on an earlier run: a re-run
 * detects again rather than taking its own guess for the source's word.
 */
export function analyzeMention(
  m: MentionInput & { langDeclared?: boolean },
  opts: AnalyzeOptions,
): MentionAnalysis {
  const text = m.title && !m.text.startsWith(m.title) ? `${m.title}. ${m.text}` : m.text;
  // Brand names carry no opinion and no language, but a lexicon may think they do ("Lumière"
  // is a bright word) and so may a language guesser: both read the text with them blanked out;
  // relevance (the watch query) reads it with them in place.
  const masked = maskNames(text, opts.brandAliases);
  const declared = m.langDeclared === false ? undefined : m.lang;
  const language = detectLanguage(masked, declared ? { declared } : {});
  const sentiment = scoreSentiment(masked, {
    lang: language.code,
    ...(m.rating !== undefined ? { rating: m.rating } : {}),
  });
  const relevant = opts.watched ? opts.link(text, language.code).relevant : true;
  const linked = opts.link(masked, language.code);
  return {
    lang: language.code,
    langConfidence: language.confidence,
    langDeclared: language.declared,
    sentiment,
    relevant,
    touchpoints: linked.touchpoints,
    stages: [...new Set(linked.touchpoints.map((t) => t.stage))],
    facets: [
      ...new Set(
        linked.touchpoints.flatMap((t) => [
          `tp:${t.id}`,
          `tp:${t.id}:${t.sentiment.label}`,
          `stage:${t.stage}`,
          `stage:${t.stage}:${t.sentiment.label}`,
        ]),
      ),
    ],
    reach: reachOf(m),
  };
}

const namePatterns = new WeakMap<string[], RegExp | null>();

/** The text with every brand or product name blanked out (case ignored, accents optional). */
function maskNames(text: string, names: string[]): string {
  let re = namePatterns.get(names);
  if (re === undefined) {
    const forms = new Set(names.filter((n) => n.trim() !== '').flatMap((n) => [n, fold(n)]));
    const alternatives = [...forms]
      .toSorted((a, b) => b.length - a.length)
      .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    re = alternatives.length > 0 ? new RegExp(alternatives.join('|'), 'giu') : null;
    namePatterns.set(names, re);
  }
  return re ? text.replace(re, ' ') : text;
}

function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '');
}
