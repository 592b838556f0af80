/**
 * `maillon journey suggest`: the words and short phrases of recent complaints that the journey
 * missed, so that a manager can add them to touchpoints.yaml in minutes.
 *
 * A complaint is missed when the mention is negative but linked to no touchpoint, or to none
 * negatively (the reader found "the staff" but not the burnt coffee). Its words and 2-3-word
 * phrases are counted once per mention, stemmed, without stop words at their edges, the brand's
 * names, links and handles, and without the journey's own keywords. A word frequent in missed
 * complaints may still be common in every complaint ("awful", "déçu"): it is kept only if it is at
 * least `LIFT` times as frequent among the missed ones as among the linked ones, which leaves the
 * vocabulary of the trade ("latte", "tiède", "rolled her eyes") and drops the vocabulary of anger.
 *
 * Pure: the caller reads the mentions and prints.
 */
import { eng, fra } from 'stopword';
import { wordsOf, type Touchpoint } from './journey.js';
import { splitText } from './touchpoints.js';
import { MATCH_LANGS, normalize, stem, tokenize, type MatchLang } from './text.js';

/** How much more frequent among missed complaints than among linked ones a term must be. */
export const LIFT = 2;
/** Seen in fewer mentions than this, a term is noise. */
export const MIN_COUNT = 2;
/** Longest phrase suggested, in words. */
export const MAX_WORDS = 3;
/** Longest keyword looked for in a text, in words. */
const MAX_KEYWORD_WORDS = 8;

export interface SuggestMention {
  id: string;
  text: string;
  lang: string;
  url?: string;
  /** Linked touchpoints with the sentiment about each. */
  touchpoints: { id: string; label: string }[];
}

export interface Suggestion {
  lang: MatchLang;
  /** As people wrote it most often (accents kept). */
  term: string;
  words: number;
  /** Missed complaints holding it. */
  count: number;
  /** Linked complaints holding it. */
  linked: number;
  example: { id: string; text: string; url?: string };
}

export interface SuggestResult {
  /** Negative mentions read, in French or English. */
  read: number;
  /** Of those, linked to no touchpoint, or to none negatively. */
  missed: number;
  suggestions: Suggestion[];
}

export interface SuggestOptions {
  /** The journey: its keywords are not suggested again. */
  touchpoints: readonly Touchpoint[];
  /** Brand and product names and aliases, never suggested. */
  brandNames: readonly string[];
  limit: number;
  minCount?: number;
}

/**
 * Words that may open a phrase but are no term alone: negations and intensifiers carry the
 * complaint ("pas un bonjour", "trop salé", "never arrived"), unlike other stop words.
 */
const LEAD: Record<MatchLang, Set<string>> = {
  fr: new Set(['pas', 'jamais', 'rien', 'aucun', 'aucune', 'sans', 'plus', 'trop', 'tres']),
  en: new Set([
    'no',
    'not',
    'never',
    'nothing',
    'without',
    'too',
    'very',
    "don't",
    "didn't",
    "doesn't",
    "wasn't",
    "isn't",
    "can't",
    "won't",
    "couldn't",
  ]),
};

/** Snowball's stop words (the `stopword` package), and what social posts add to them. */
const STOP: Record<MatchLang, Set<string>> = {
  fr: folded([
    ...fra,
    ...`ça ca cest jai tout tous toute toutes fait faire comme alors donc encore déjà aussi bien
      chez là ici vraiment franchement juste quand si fois avoir être va vais cette mdr lol svp
      merci`.split(/\s+/),
  ]),
  en: folded([
    ...eng,
    ...`it's i'm i've that's there's we're they're you're we've just really so even again one
      also us lol omg tbh please thanks today yesterday ever anyone everyone go went`.split(/\s+/),
  ]),
};
for (const lang of MATCH_LANGS) for (const w of LEAD[lang]) STOP[lang].delete(w);

function folded(words: readonly string[]): Set<string> {
  return new Set(words.map((w) => normalize(w)));
}

interface Counted {
  lang: MatchLang;
  words: number;
  idiom: boolean;
  missed: Set<string>;
  linked: Set<string>;
  surfaces: Map<string, number>;
  /** The first (newest) missed mention holding it, and the sentence it was found in. */
  example?: { id: string; text: string; url?: string };
}

export function suggestKeywords(
  mentions: readonly SuggestMention[],
  opts: SuggestOptions,
): SuggestResult {
  const minCount = opts.minCount ?? MIN_COUNT;
  const brand = opts.brandNames.map((n) => tokenize(n)).filter((t) => t.length > 0);
  const known = knownKeys(opts.touchpoints);
  const counts = new Map<string, Counted>();
  const totals: Record<'missed' | 'linked', Record<MatchLang, number>> = {
    missed: { fr: 0, en: 0 },
    linked: { fr: 0, en: 0 },
  };
  let read = 0;
  for (const m of mentions) {
    const lang = primary(m.lang);
    if (!lang) continue;
    read++;
    const missed = !m.touchpoints.some((t) => t.label === 'negative');
    const side = missed ? 'missed' : 'linked';
    totals[side][lang]++;
    const seen = new Set<string>();
    for (const { sentence, terms } of termsOf(m.text, lang, brand, known[lang])) {
      for (const t of terms) {
        const key = `${lang}|${t.key}`;
        if (seen.has(key)) continue;
        seen.add(key);
        let c = counts.get(key);
        if (!c) {
          c = {
            lang,
            words: t.words,
            idiom: t.idiom,
            missed: new Set(),
            linked: new Set(),
            surfaces: new Map(),
          };
          counts.set(key, c);
        }
        c[side].add(m.id);
        if (missed) {
          c.surfaces.set(t.surface, (c.surfaces.get(t.surface) ?? 0) + 1);
          c.example ??= { id: m.id, text: sentence, ...(m.url ? { url: m.url } : {}) };
        }
      }
    }
  }

  const kept: (Counted & { key: string })[] = [];
  for (const [key, c] of counts) {
    const n = c.missed.size;
    if (n < minCount || !c.example) continue;
    const missedRate = n / Math.max(1, totals.missed[c.lang]);
    const linkedRate = c.linked.size / Math.max(1, totals.linked[c.lang]);
    if (totals.linked[c.lang] > 0 && missedRate < LIFT * linkedRate) continue;
    kept.push({ key, ...c });
  }
  // An idiom says more than its words found exactly where it is ("bonjour" inside "pas un
  // bonjour", in the same mentions): keep the idiom. Two words side by side that are each
  // suggested ("barista rolled", "cold latte") say nothing more than the two: keep the words.
  const stems = (c: { key: string }): string => ` ${c.key.split('|')[1]} `;
  const keptKeys = new Set(kept.map((c) => c.key));
  const redundant = (c: Counted & { key: string }): boolean =>
    kept.some(
      (o) =>
        o.idiom &&
        o.lang === c.lang &&
        o.words > c.words &&
        o.missed.size === c.missed.size &&
        stems(o).includes(stems(c)),
    ) ||
    (c.words > 1 &&
      !c.idiom &&
      c.key
        .split('|')[1]!
        .split(' ')
        .every((w) => keptKeys.has(`${c.lang}|${w}`)));
  const suggestions = kept
    .filter((c) => !redundant(c))
    .toSorted(
      (a, b) =>
        b.missed.size - a.missed.size || b.words - a.words || a.key.localeCompare(b.key, 'fr'),
    )
    .slice(0, opts.limit)
    .map((c) => ({
      lang: c.lang,
      term: [...c.surfaces].reduce((best, s) => (s[1] > best[1] ? s : best))[0],
      words: c.words,
      count: c.missed.size,
      linked: c.linked.size,
      example: c.example!,
    }));
  return { read, missed: totals.missed.fr + totals.missed.en, suggestions };
}

function primary(lang: string): MatchLang | undefined {
  const p = lang.toLowerCase().split('-')[0];
  return p === 'fr' || p === 'en' ? p : undefined;
}

/** The journey's keywords and names, per language: single stems, and phrases as stem sequences. */
function knownKeys(tps: readonly Touchpoint[]): Record<MatchLang, Set<string>> {
  const out: Record<MatchLang, Set<string>> = { fr: new Set(), en: new Set() };
  for (const tp of tps) {
    for (const lang of MATCH_LANGS) {
      for (const k of wordsOf(tp, lang)) {
        const words = tokenize(k.replace(/^\s*"(.*)"\s*$/su, '$1'));
        out[lang].add(words.map((w) => stem(w, lang)).join(' '));
      }
    }
  }
  return out;
}

interface Term {
  key: string;
  surface: string;
  words: number;
  /** Holds a stop word or opens with a negation ("rolled her eyes", "pas un bonjour"). */
  idiom: boolean;
}

/** The candidate terms of a text, clause by clause. */
function termsOf(
  text: string,
  lang: MatchLang,
  brand: string[][],
  known: Set<string>,
): { sentence: string; terms: Term[] }[] {
  // Links and handles name nobody's vocabulary.
  const clean = text.replace(/https?:\/\/\S+/g, ' ').replace(/\s+/g, ' ');
  const handles = new Set(
    [...clean.matchAll(/@([\p{L}\p{N}_.]+)/gu)].flatMap((m) => tokenize(m[1] as string)),
  );
  const out: { sentence: string; terms: Term[] }[] = [];
  for (const sentence of splitText(clean)) {
    for (const segment of sentence.segments) {
      for (const clause of segment.clauses) {
        const words = surfaceWords(clause);
        const norm = words.map((w) => normalize(w));
        const stems = norm.map((w) => stem(w, lang));
        // Brand names and numbers break a phrase.
        const breaks = words.map(() => false);
        for (const name of brand) {
          for (let i = 0; i + name.length <= norm.length; i++) {
            if (name.every((w, j) => norm[i + j] === w)) breaks.fill(true, i, i + name.length);
          }
        }
        norm.forEach((w, i) => {
          if (/^\d/.test(w) || handles.has(w)) breaks[i] = true;
        });
        // Elided articles and pronouns ("l", "m", "n") may sit inside a phrase, never at its edge.
        const stop = (w: string): boolean => w.length < 2 || STOP[lang].has(w);
        // Words of a keyword the journey already knows are no news, alone or in a phrase: each
        // is marked where the keyword occurs ("arrived" inside "never arrived").
        const covered = words.map(() => false);
        for (let a = 0; a < stems.length; a++) {
          for (let b = a + 1; b <= Math.min(stems.length, a + MAX_KEYWORD_WORDS); b++) {
            if (known.has(stems.slice(a, b).join(' '))) covered.fill(true, a, b);
          }
        }
        const isKnown = (from: number, to: number): boolean =>
          covered.slice(from, to).some(Boolean);
        const terms: Term[] = [];
        for (let i = 0; i < words.length; i++) {
          for (let n = 1; n <= MAX_WORDS && i + n <= words.length; n++) {
            if (breaks[i + n - 1]) break;
            const first = norm[i] as string;
            const last = norm[i + n - 1] as string;
            if (stop(last) || LEAD[lang].has(last)) continue;
            if (stop(first) || (n === 1 && LEAD[lang].has(first))) continue;
            if (isKnown(i, i + n)) continue;
            terms.push({
              key: stems.slice(i, i + n).join(' '),
              surface: words.slice(i, i + n).join(' '),
              words: n,
              idiom: norm.slice(i, i + n - 1).some((w) => stop(w) || LEAD[lang].has(w)),
            });
          }
        }
        if (terms.length > 0) out.push({ sentence: sentence.text, terms });
      }
    }
  }
  return out;
}

/**
 * Words as people wrote them (lower case, accents kept), cut like `tokenize` cuts them: elisions
 * split off ("l'accueil" → "l", "accueil"), an English possessive dropped.
 */
function surfaceWords(s: string): string[] {
  const lower = s
    .normalize('NFC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02BC\u2032\u00B4`]/g, "'")
    .replace(/(^|[^\p{L}\p{N}'])(jusqu|lorsqu|puisqu|qu|[ldjncsmt])'(?=\p{L})/gu, "$1$2' ");
  const words = lower.match(/[\p{L}\p{N}]+(?:'[\p{L}\p{N}]+)*/gu) ?? [];
  return words.map((w) => (w.endsWith("'s") ? w.slice(0, -2) : w));
}
