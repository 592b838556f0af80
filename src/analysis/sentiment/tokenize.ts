/**
 * One tokenizer for French and English: a hand-written scan over char codes (no regex a token),
 * because scoring has to stay within half the speed of the plain `sentiment` package. It keeps
 * what that package's tokenizer throws away: sentence and clause boundaries (negation and
 * contrast stop there), "!" counts, emoticons and emoji, and French elisions ("j'adore" → "j'"
 * "adore", "n'est" → "n'" "est").
 *
 * Tokens go into module-level arrays reused from one call to the next: scoring is synchronous,
 * so one set of buffers serves every call without allocating.
 */
import { EMOJI, EMOTICONS, EMOTICON_STARTS } from './emoji.js';

// Local aliases: imported bindings can compile to getters, read once here.
const emoji = EMOJI;
const emoticons = EMOTICONS;
const emoticonStarts = EMOTICON_STARTS;

export const KIND_WORD = 0;
/** Emoji or emoticon; its polarity is in `tokValue`. */
export const KIND_EMO = 1;
/** Comma, semicolon, colon, bracket, dash. */
export const KIND_CLAUSE = 2;
/** Full stop, "!", "?", "…", line break; `tokValue` holds how many "!". */
export const KIND_SENTENCE = 3;

/**
 * The tokens of the last scan, in parallel arrays. One object, so that a hot loop takes local
 * references once rather than reading module bindings (getters once compiled by tsx) a token.
 */
export const tokens = {
  kind: [] as number[],
  /** The word as it appears, lower-cased; the emoji or emoticon itself; "" for other kinds. */
  text: [] as string[],
  start: [] as number[],
  end: [] as number[],
  /** Polarity of an emoji or emoticon; number of "!" of a sentence end. */
  value: [] as number[],
};
const tokKind = tokens.kind;
const tokText = tokens.text;
const tokStart = tokens.start;
const tokEnd = tokens.end;
const tokValue = tokens.value;

const ELISIONS = new Set([
  'l',
  'd',
  'j',
  'n',
  'm',
  't',
  's',
  'c',
  'qu',
  'jusqu',
  'lorsqu',
  'puisqu',
  'quoiqu',
  'presqu',
]);

function isWordChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    (c >= 0xdf && c <= 0x24f && c !== 0xf7) ||
    (c >= 0x300 && c < 0x2000) ||
    (c >= 0x3040 && c <= 0x9fff) ||
    (c >= 0xac00 && c <= 0xd7af)
  );
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

function isSentenceEnd(c: number): boolean {
  // . ! ? … line feed, carriage return
  return c === 46 || c === 33 || c === 63 || c === 0x2026 || c === 10 || c === 13;
}

function isClauseMark(c: number): boolean {
  // , ; : ( ) " [ ] « » – —
  return (
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === 40 ||
    c === 41 ||
    c === 34 ||
    c === 91 ||
    c === 93 ||
    c === 0xab ||
    c === 0xbb ||
    c === 0x2013 ||
    c === 0x2014
  );
}

let count = 0;

function push(kind: number, text: string, start: number, end: number, value: number): void {
  tokKind[count] = kind;
  tokText[count] = text;
  tokStart[count] = start;
  tokEnd[count] = end;
  tokValue[count] = value;
  count++;
}

/** An emoticon starting at `i`, as its length, or 0. */
function emoticonAt(lo: string, i: number): number {
  for (let len = 4; len >= 2; len--) {
    if (i + len > lo.length) continue;
    const s = lo.slice(i, i + len);
    if (!emoticons.has(s)) continue;
    const next = lo.charCodeAt(i + len);
    if (isWordChar(next)) continue;
    const last = s.charCodeAt(len - 1);
    // ":/", ":p", ":d" also occur inside URLs and words ("http://", "note:p...").
    if ((last === 47 || isWordChar(last)) && (isWordChar(lo.charCodeAt(i - 1)) || next === 47))
      continue;
    return len;
  }
  return 0;
}

/** Scans `lo` (already lower-cased) into the token arrays; returns the number of tokens. */
export function scan(lo: string): number {
  count = 0;
  const n = lo.length;
  let i = 0;
  while (i < n) {
    const c = lo.charCodeAt(i);
    if (isWordChar(c)) {
      let start = i;
      let j = i + 1;
      while (j < n) {
        const d = lo.charCodeAt(j);
        if (isWordChar(d)) {
          j++;
        } else if (isApostrophe(d) && j + 1 < n && isWordChar(lo.charCodeAt(j + 1))) {
          const prefix = lo.slice(start, j);
          if (ELISIONS.has(prefix)) {
            push(KIND_WORD, `${prefix}'`, start, j + 1, 0);
            start = j + 1;
          }
          j += 2;
        } else {
          break;
        }
      }
      push(KIND_WORD, lo.slice(start, j), start, j, 0);
      i = j;
      continue;
    }
    if (emoticonStarts.has(c)) {
      const len = emoticonAt(lo, i);
      if (len > 0) {
        const e = lo.slice(i, i + len);
        push(KIND_EMO, e, i, i + len, emoticons.get(e) ?? 0);
        i += len;
        continue;
      }
    }
    if (isSentenceEnd(c)) {
      // A decimal point is not the end of a sentence.
      if (c === 46 && isDigit(lo.charCodeAt(i - 1)) && isDigit(lo.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      let bangs = 0;
      const start = i;
      while (i < n && isSentenceEnd(lo.charCodeAt(i))) {
        if (lo.charCodeAt(i) === 33) bangs++;
        i++;
      }
      push(KIND_SENTENCE, '', start, i, bangs);
      continue;
    }
    if (isClauseMark(c)) {
      if (count === 0 || tokKind[count - 1] !== KIND_CLAUSE) push(KIND_CLAUSE, '', i, i + 1, 0);
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff) {
      const e = lo.slice(i, i + 2);
      const v = emoji.get(e);
      if (v !== undefined) push(KIND_EMO, e, i, i + 2, v);
      i = skipModifiers(lo, i + 2);
      continue;
    }
    if (c >= 0x2190 && c <= 0x2bff) {
      const e = lo[i] ?? '';
      const v = emoji.get(e);
      if (v !== undefined) push(KIND_EMO, e, i, i + 1, v);
      i = skipModifiers(lo, i + 1);
      continue;
    }
    i++;
  }
  return count;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Past variation selectors, skin tones and zero-width-joined parts: one emoji counts once. */
function skipModifiers(lo: string, i: number): number {
  for (;;) {
    const c = lo.charCodeAt(i);
    if (c === 0xfe0f) i++;
    else if (c === 0xd83c && lo.charCodeAt(i + 1) >= 0xdffb && lo.charCodeAt(i + 1) <= 0xdfff) {
      i += 2;
    } else if (c === 0x200d) {
      const next = lo.charCodeAt(i + 1);
      i += next >= 0xd800 && next <= 0xdbff ? 3 : 2;
    } else return i;
  }
}

/** The words of a text, lower-cased, in order (for compiling phrases). */
export function scanWords(text: string): string[] {
  const n = scan(text.toLowerCase());
  const words: string[] = [];
  for (let k = 0; k < n; k++) if (tokKind[k] === KIND_WORD) words.push(tokText[k] ?? '');
  return words;
}
