/**
 * Text normalisation for matching (watch queries and touchpoint keywords): one pipeline applied
 * alike to what the configuration says and to what people write, so that both sides meet.
 *
 * normalize → lower case, accents folded ("déçu" = "decu"), typographic apostrophes made plain,
 * French elisions split off ("l'accueil" → "l' accueil", tokens "l" and "accueil").
 * tokenize  → words and numbers; hyphens, punctuation and emoji separate tokens.
 * stem      → Snowball (via @orama/stemmers) for French and English, on the folded token.
 * Pure and allocation-light: it runs on every mention.
 */
import { stemmer as stemEnglish } from '@orama/stemmers/english';
import { stemmer as stemFrench } from '@orama/stemmers/french';

/** The languages keywords are written in. */
export const MATCH_LANGS = ['fr', 'en'] as const;
export type MatchLang = (typeof MATCH_LANGS)[number];

const APOSTROPHES = /[\u2018\u2019\u02BC\u2032\u00B4`]/g;
const MARKS = /\p{M}+/gu;
// Elided French words at the start of a word, followed by a letter: "l'accueil", "qu'il",
// "jusqu'au". Anchored on a non-letter before, so English "it's" or "don't" stay whole.
const ELISION = /(^|[^\p{L}\p{N}'])(jusqu|lorsqu|puisqu|qu|[ldjncsmt])'(?=\p{L})/gu;
const TOKEN = /[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu;

/** Lower case, accents folded, apostrophes plain, French elisions split ("l' accueil"). */
export function normalize(s: string): string {
  return (
    s
      .normalize('NFD')
      .replace(MARKS, '')
      .toLowerCase()
      .replace(APOSTROPHES, "'")
      // Ligatures NFD leaves alone but people type both ways ("oeuvre", "sœur").
      .replace(/œ/g, 'oe')
      .replace(/æ/g, 'ae')
      .replace(ELISION, "$1$2' ")
  );
}

/**
 * Normalised tokens; an elided article is a token of its own without its apostrophe ("l"), and an
 * English possessive loses its 's ("Maison Lumière's website" names the brand).
 */
export function tokenize(s: string): string[] {
  const tokens = normalize(s).match(TOKEN) ?? [];
  return tokens.map((t) => (t.endsWith("'s") ? t.slice(0, -2) : t));
}

/**
 * The stem of one normalised token. Stemming runs on the folded token so that "décu" and "decu"
 * get one stem; the Snowball French rules expect accents, so feminine past participles ("livrée"
 * → "livree") lose their extra e first, or they would not meet "livré" and "livrer".
 */
export function stem(token: string, lang: MatchLang): string {
  const memo = STEMS[lang];
  let out = memo.get(token);
  if (out !== undefined) return out;
  if (lang === 'en') out = stemEnglish(token);
  else out = stemFrench(token.length > 4 ? token.replace(/ees?$/, 'e') : token);
  // Words repeat from mention to mention: Snowball was a third of the reading's time (issue 9).
  if (memo.size >= STEM_MEMO_SIZE) memo.clear();
  memo.set(token, out);
  return out;
}

const STEM_MEMO_SIZE = 50_000;
const STEMS: Record<MatchLang, Map<string, string>> = { fr: new Map(), en: new Map() };

/** The languages whose keywords apply to a text tagged `lang` ("fr-CA" → fr; unknown → both). */
export function matchLangs(lang: string | undefined): readonly MatchLang[] {
  const primary = (lang ?? '').toLowerCase().split('-')[0];
  return primary === 'fr' || primary === 'en' ? [primary] : MATCH_LANGS;
}

/** A text tokenised once and stemmed in both languages, ready to be searched for phrases. */
export interface AnalyzedText {
  tokens: string[];
  stems: Record<MatchLang, string[]>;
}

export function analyzeText(s: string): AnalyzedText {
  const tokens = tokenize(s);
  return {
    tokens,
    stems: { fr: tokens.map((t) => stem(t, 'fr')), en: tokens.map((t) => stem(t, 'en')) },
  };
}

/** Whether `needle` occurs as consecutive items of `hay`. */
export function containsSequence(hay: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0 || needle.length > hay.length) return false;
  outer: for (let i = 0; i <= hay.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * A short fingerprint of what a text says, blind to case, accents, links, handles, numbers and
 * punctuation: the same complaint pasted by many accounts (a bot, a copy-paste campaign) gets
 * one fingerprint, so the detector can count it as one voice. FNV-1a over the normalised words.
 */
export function textFingerprint(s: string): string {
  const words = tokenize(s.replace(/https?:\/\/\S+/g, ' ').replace(/[@#][\p{L}\p{N}_.]+/gu, ' '))
    .filter((w) => !/^\d+$/.test(w))
    .join(' ');
  let h = 0x811c9dc5;
  for (let i = 0; i < words.length; i++) {
    h ^= words.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
