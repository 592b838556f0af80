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
  const declared = m.langDeclared === false ? undefined : m.lang;
  const language = detectLanguage(text, {
    ...(declared ? { declared } : {}),
    ignore: opts.brandAliases,
  });
  const sentiment = scoreSentiment(text, {
    lang: language.code,
    ...(m.rating !== undefined ? { rating: m.rating } : {}),
  });
  const linked = opts.link(text, language.code);
  return {
    lang: language.code,
    langConfidence: language.confidence,
    langDeclared: language.declared,
    sentiment,
    relevant: opts.watched ? linked.relevant : true,
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
