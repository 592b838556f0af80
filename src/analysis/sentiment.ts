/**
 * Sentiment of one mention, in French or English, built on the `sentiment` package's lexicons:
 * AFINN-165 for English (widened by VADER's lexicon) and a French lexicon (Pattern-fr plus a
 * hand-written core) registered with the package as language `fr`. The package's own tokenizer
 * drops punctuation and emoticons, so the scoring pass is ours (./sentiment/score.ts): negation
 * with a clause-bounded scope, boosters and softeners, elisions and accents, emoji and
 * emoticons, capitals and "!", contrast, then fusion with the star rating. Any other language
 * gets a neutral score with low confidence: no guess is better than a wrong one.
 */
import Sentiment from 'sentiment';
import type { SentimentLabel, SentimentResult } from '../domain/mention.js';
import { compile, labelsOf } from './sentiment/lexicon.js';
import { en } from './sentiment/lexicon-en.js';
import { fr } from './sentiment/lexicon-fr.js';
import { Scorer } from './sentiment/score.js';
import { CHARGE_HINT, doubleChargePolarity } from './sentiment/charges.js';
import { WAIT_HINT, waitingPolarity } from './sentiment/waiting.js';

/** Scores below -NEUTRAL_BAND are negative, above it positive. */
const NEUTRAL_BAND = 0.05;

/**
 * Star-rating fusion: score = TEXT_WEIGHT × text + RATING_WEIGHT × (rating − 3) / 2. The text
 * weighs more because it says what the stars are about, but a 1-star review with a bland text
 * is negative, and 3 stars pull a glowing text towards neutral.
 */
const TEXT_WEIGHT = 0.6;
const RATING_WEIGHT = 0.4;
/** How sure an explicit star rating is of its own sign. */
const RATING_CONFIDENCE = 0.9;
/** A supported language with no opinion word: neutral, moderately sure. */
const NO_OPINION_CONFIDENCE = 0.4;
/** A language we have no lexicon for: neutral, and we say we do not know. */
const UNSUPPORTED_CONFIDENCE = 0.1;

const VERSION = 'v4';

/** VADER's squash constant, as in ./sentiment/score.ts: score = sum / sqrt(sum² + 15). */
const SQUASH = 15;

export interface SentimentOptions {
  /** ISO 639-1 code (or a tag such as "fr-CA") of the text's language; undefined means English. */
  lang?: string;
  /** Star rating 1..5 when the mention has one; fused with the text. */
  rating?: number;
}

/** One scan for both implicit complaints: most texts hold neither. */
const IMPLICIT_HINT = new RegExp(`${WAIT_HINT.source}|${CHARGE_HINT.source}`);

const scorers = { en: new Scorer(compile(en)), fr: new Scorer(compile(fr)) };

// The French lexicon is also registered with the package, so that `sentiment` itself reads
// French (word by word, with a look-back negation), as `wordSentiment` below does.
const packageAnalyzer = new Sentiment();
const FR_NEGATORS = new Set(['ne', 'pas', 'jamais', 'rien', 'aucun', 'aucune', 'sans', 'plus']);
packageAnalyzer.registerLanguage('fr', {
  labels: labelsOf(fr),
  scoringStrategy: {
    apply(tokens, cursor, tokenScore) {
      for (let j = Math.max(0, cursor - 3); j < cursor; j++) {
        const t = tokens[j] ?? '';
        if (FR_NEGATORS.has(t) || t.startsWith("n'")) return -tokenScore;
      }
      return tokenScore;
    },
  },
});

/** The language we score, from a tag: "en", "fr", or undefined for anything else. */
function supported(lang: string | undefined): 'en' | 'fr' | undefined {
  if (lang === undefined) return 'en';
  const base = lang.toLowerCase().split(/[-_]/)[0];
  return base === 'en' || base === 'fr' ? base : undefined;
}

export function scoreSentiment(text: string, opts: SentimentOptions = {}): SentimentResult {
  const lang = supported(opts.lang);
  let score = 0;
  let confidence = UNSUPPORTED_CONFIDENCE;
  if (lang) {
    const lower = text.toLowerCase();
    const t = scorers[lang].score(text, lower);
    score = t.score;
    // Waiting and paying twice are complaints even without an opinion word (./sentiment/*.ts).
    const implicit = IMPLICIT_HINT.test(lower)
      ? waitingPolarity(lower) + doubleChargePolarity(lower)
      : 0;
    if (implicit !== 0) {
      // Back to the sum, add the complaint, squash again.
      const sum = (score * Math.sqrt(SQUASH)) / Math.sqrt(Math.max(1e-9, 1 - score * score));
      const withImplicit = sum + implicit;
      score = withImplicit / Math.sqrt(withImplicit * withImplicit + SQUASH);
      t.hits++;
      t.negative -= implicit;
    }
    if (t.hits === 0) confidence = NO_OPINION_CONFIDENCE;
    else {
      // More evidence, more confidence (1 hit → 0.33, 4 → 0.67), less when the hits disagree.
      const agreement = Math.abs(t.positive - t.negative) / (t.positive + t.negative || 1);
      confidence = (t.hits / (t.hits + 2)) * (0.4 + 0.6 * agreement);
    }
  }
  let method = `${lang ? `lexicon-${lang}` : 'none'}-${VERSION}`;
  const rating = opts.rating;
  if (rating !== undefined && Number.isFinite(rating)) {
    const prior = Math.max(-1, Math.min(1, (rating - 3) / 2));
    const textScore = score;
    score = TEXT_WEIGHT * textScore + RATING_WEIGHT * prior;
    confidence = TEXT_WEIGHT * confidence + RATING_WEIGHT * RATING_CONFIDENCE;
    // Text and stars pulling apart (sarcasm, wrong stars): less sure of either.
    if (textScore * prior < 0) confidence *= 0.6;
    method += '+rating';
  }
  score = Math.max(-1, Math.min(1, score));
  const label: SentimentLabel =
    score <= -NEUTRAL_BAND ? 'negative' : score >= NEUTRAL_BAND ? 'positive' : 'neutral';
  return {
    score: round(score),
    label,
    confidence: round(Math.max(0, Math.min(1, confidence))),
    method,
  };
}

/**
 * Whether the text says a problem was put right ("they fixed it", "problème réglé"): a clause
 * that complains is then answered by its neighbours (see ./touchpoints.ts).
 */
export function mentionsRemedy(text: string, lang: string | undefined): boolean {
  const l = supported(lang);
  return l !== undefined && scorers[l].remedied(text.toLowerCase());
}

/**
 * The `sentiment` package alone, word by word, with our French registered: a baseline for the
 * benchmark, to show what the rules above add to the same lexicons.
 */
export function wordSentiment(text: string, lang = 'en'): number {
  return packageAnalyzer.analyze(text, { language: supported(lang) ?? 'en' }).score;
}

function round(x: number): number {
  const r = Math.round(x * 1000) / 1000;
  return r === 0 ? 0 : r;
}
