/**
 * Compiles one language's word lists into a single Map, so that scoring is one lookup a token.
 * Keys are folded (lower case, no accents, typographic apostrophe made plain): "déçu", "deçu" and
 * "decu" are one entry.
 */
import { scanWords } from './tokenize.js';

/** What a language module provides; comma- or newline-separated lists are parsed here. */
export interface LanguageLists {
  /** Base lexicons, first wins: `word → polarity` on the AFINN scale (-5..5). */
  lexicons: Record<string, number>[];
  /** `term=polarity` or `term=polarity/negated`; overrides the base lexicons. */
  supplement: string;
  /** Negation that lasts to the end of the clause, at most NEGATION_WINDOW words. */
  negators: string;
  /** Negation that bears on the next word or two ("without", "sans"). */
  shortNegators: string;
  /** Negate only after an open "ne" (French "ne ... plus", "ne ... personne"). */
  partnerNegators: string;
  /** Cancel an open "ne" that has no partner yet ("ne ... que" restricts, it does not negate). */
  restrictive: string;
  /** `word=factor`: >1 intensifies, <1 softens the next opinion word. */
  boosters: string;
  /** "too", "trop": intensifies an opinion word, and before a neutral word is itself negative. */
  excess: string;
  /** What follows weighs more, what came before in the sentence less. */
  contrast: string;
  /** The clause it opens weighs less ("although ..."). */
  concessive: string;
  /** The rest of the sentence weighs more ("overall", "bref"). */
  conclusion: string;
  /**
   * `noun=polarity`: nouns of contempt when said of something ("the refund process is a joke",
   * "quelle blague"), neutral otherwise ("he told us a joke"); see `contemptMarkers`.
   */
  contempt: string;
  /** Words that, a few words before a contempt noun, make it a judgement ("is", "what", "vraie"). */
  contemptMarkers: string;
  /** "still", "toujours": before a negation or a wait, the complaint of something still missing. */
  persistence: string;
  /** Waiting itself ("waiting", "attends"): after or before a persistence word, a complaint. */
  waiting: string;
  /** Problem words ("problem", "souci"): no complaint when a remedy word resolves them. */
  troubles: string;
  /** Remedy words ("fixed", "réglé"): their polarity is in `supplement` or the base lexicons. */
  remedies: string;
  /**
   * Negators that also bear on the word just before them: spoken French drops "ne" ("ça marche
   * pas", "j'aime pas"). Empty for English, whose negation comes first.
   */
  postNegators: string;
  /**
   * Words that may open a closing exclamation of irony with a praise word ("How convenient.",
   * "Oh great."); see the irony rule in ./score.ts.
   */
  ironyOpeners: string;
  /** Words that keep a short closing sentence literal: politeness is not irony ("Thanks!"). */
  politeness: string;
  /** `[suffix, replacement]` stems tried in order for a word not found as it is. */
  suffixes: [string, string][];
}

export const NEG_NONE = 0;
/** Negates until the clause ends or NEGATION_WINDOW words pass. */
export const NEG_CLAUSE = 1;
/** Negates the next SHORT_NEGATION_WINDOW words. */
export const NEG_SHORT = 2;
/** French "ne"/"n'": negates, and opens the door to partner negators and to "que". */
export const NEG_NE = 3;
export const NEG_PARTNER = 4;
export const NEG_RESTRICTIVE = 5;

/** Bits of `Entry.flags`, read by the scorer's constructions (see ./score.ts). */
export const FLAG_PERSIST = 1;
export const FLAG_WAIT = 2;
export const FLAG_TROUBLE = 4;
export const FLAG_REMEDY = 8;
export const FLAG_CONTEMPT = 16;
export const FLAG_POSTNEG = 32;
export const FLAG_IRONY_OPENER = 64;
export const FLAG_POLITE = 128;

export const ROLE_NONE = 0;
export const ROLE_CONTRAST = 1;
export const ROLE_CONCESSIVE = 2;
export const ROLE_CONCLUSION = 3;

export interface Entry {
  /** Polarity, AFINN scale; 0 for function words. */
  s: number;
  /** Polarity when negated, when it is not the default shift of `s`. */
  n: number | undefined;
  /** Multiplier on the next opinion word; 0 when not a booster. */
  boost: number;
  neg: number;
  role: number;
  excess: boolean;
  /** A phrase holding its own negation ("pas mal", "no problem"): outer negation does not apply. */
  fixed: boolean;
  /** FLAG_* bits; 0 for most words. */
  flags: number;
  /** Polarity as a noun of contempt (FLAG_CONTEMPT), in place of `s`. */
  c: number;
  /** Multi-word entries starting with this word, longest first. */
  phrases: Phrase[] | undefined;
}

export interface Phrase {
  /** Folded words after the first. */
  rest: string[];
  entry: Entry;
}

export interface CompiledLexicon {
  words: Map<string, Entry>;
  /** Folded `contemptMarkers`. */
  contemptMarkers: Set<string>;
  suffixes: [string, string][];
}

function blank(): Entry {
  return {
    s: 0,
    n: undefined,
    boost: 0,
    neg: NEG_NONE,
    role: ROLE_NONE,
    excess: false,
    fixed: false,
    flags: 0,
    c: 0,
    phrases: undefined,
  };
}

const MARKS = /\p{M}/gu;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Lower case, accents off, ligatures and typographic apostrophes made plain. */
export function fold(word: string): string {
  let w = word.toLowerCase();
  if (!isAscii(w)) {
    w = w
      .normalize('NFD')
      .replace(MARKS, '')
      .replaceAll('œ', 'oe')
      .replaceAll('æ', 'ae')
      .replaceAll('\u2019', "'");
  }
  return w;
}

function items(list: string): string[] {
  return list
    .split(/[,\n]/)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** `term=a/b` → [term, a, b]. */
function pair(item: string): [string, number, number | undefined] {
  const eq = item.lastIndexOf('=');
  if (eq < 0) return [item, 0, undefined];
  const [a, b] = item.slice(eq + 1).split('/');
  return [item.slice(0, eq).trim(), Number(a), b === undefined ? undefined : Number(b)];
}

export function compile(lists: LanguageLists): CompiledLexicon {
  const words = new Map<string, Entry>();
  const negatorWords = new Set<string>();

  /** The entry of a term, created on demand: a single word, or a phrase hung on its first word. */
  const entryOf = (term: string, create: boolean): Entry | undefined => {
    // An elided form alone ("n'") is one token in a text but none by itself for the scanner.
    const t = term.trim();
    const tokens = /^[\p{L}]+['’]$/u.test(t) ? [fold(t)] : scanWords(term).map(fold);
    const [first, ...rest] = tokens;
    if (first === undefined) return undefined;
    let head = words.get(first);
    if (!head) {
      if (!create) return undefined;
      head = blank();
      words.set(first, head);
    }
    if (rest.length === 0) return head;
    head.phrases ??= [];
    let phrase = head.phrases.find((p) => p.rest.join(' ') === rest.join(' '));
    if (!phrase) {
      phrase = { rest, entry: blank() };
      head.phrases.push(phrase);
      head.phrases.sort((a, b) => b.rest.length - a.rest.length);
    }
    return phrase.entry;
  };

  for (const lexicon of lists.lexicons) {
    for (const [term, score] of Object.entries(lexicon)) {
      const e = entryOf(term, true);
      if (e && e.s === 0) e.s = score;
    }
  }
  const setNeg = (list: string, kind: number): void => {
    for (const w of items(list)) {
      const e = entryOf(w, true);
      if (!e) continue;
      e.neg = kind;
      // A negator's own lexicon polarity ("no" is -1 in AFINN) would count the negation twice.
      e.s = 0;
      negatorWords.add(fold(w));
    }
  };
  setNeg(lists.negators, NEG_CLAUSE);
  setNeg(lists.shortNegators, NEG_SHORT);
  setNeg(lists.partnerNegators, NEG_PARTNER);
  setNeg(lists.restrictive, NEG_RESTRICTIVE);
  for (const ne of ['ne', "n'"]) {
    const e = words.get(ne);
    if (e) e.neg = NEG_NE;
  }
  for (const item of items(lists.supplement)) {
    const [term, s, n] = pair(item);
    const e = entryOf(term, true);
    if (!e) continue;
    e.s = s;
    e.n = n;
    const first = fold(scanWords(term)[0] ?? '');
    if (term.includes(' ') && negatorWords.has(first)) e.fixed = true;
  }
  for (const item of items(lists.boosters)) {
    const [term, factor] = pair(item);
    const e = entryOf(term, true);
    if (e) e.boost = factor;
  }
  for (const w of items(lists.excess)) {
    const e = entryOf(w, true);
    if (e) e.excess = true;
  }
  const setRole = (list: string, role: number): void => {
    for (const w of items(list)) {
      const e = entryOf(w, true);
      if (e) e.role = role;
    }
  };
  setRole(lists.contrast, ROLE_CONTRAST);
  setRole(lists.concessive, ROLE_CONCESSIVE);
  setRole(lists.conclusion, ROLE_CONCLUSION);
  const setFlag = (list: string, flag: number): void => {
    for (const w of items(list)) {
      const e = entryOf(w, true);
      if (e) e.flags |= flag;
    }
  };
  setFlag(lists.persistence, FLAG_PERSIST);
  setFlag(lists.waiting, FLAG_WAIT);
  setFlag(lists.troubles, FLAG_TROUBLE);
  setFlag(lists.remedies, FLAG_REMEDY);
  setFlag(lists.postNegators, FLAG_POSTNEG);
  setFlag(lists.ironyOpeners, FLAG_IRONY_OPENER);
  setFlag(lists.politeness, FLAG_POLITE);
  for (const item of items(lists.contempt)) {
    const [term, c] = pair(item);
    const e = entryOf(term, true);
    if (!e) continue;
    e.flags |= FLAG_CONTEMPT;
    e.c = c;
  }
  const contemptMarkers = new Set(items(lists.contemptMarkers).map(fold));
  return { words, contemptMarkers, suffixes: lists.suffixes };
}

/** Single-word polarities with their original spelling, for `sentiment.registerLanguage`. */
export function labelsOf(lists: LanguageLists): Record<string, number> {
  const labels: Record<string, number> = {};
  for (const lexicon of lists.lexicons) {
    for (const [w, s] of Object.entries(lexicon)) if (!(w in labels)) labels[w] = s;
  }
  for (const item of items(lists.supplement)) {
    const [term, s] = pair(item);
    if (!term.includes(' ')) labels[term] = s;
  }
  for (const w of Object.keys(labels)) if (labels[w] === 0) delete labels[w];
  return labels;
}
