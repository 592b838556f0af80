/**
 * The watch-query language: which texts are about the brand. Small on purpose.
 *
 *   "maison lumière" OR maisonlumiere NOT ("offre d'emploi" OR recrutement)
 *
 * - A bare word matches any word of the same stem: `livraison` finds "livraisons"; `maison-lumiere`
 *   or `d'emploi` (several tokens once normalised) must appear as consecutive words.
 * - A quoted phrase ("...", “...” or «...») matches those exact words in that order, accents and
 *   case aside: quotes are how to say "this form, not its relatives" (`"recrute"` does not find
 *   "recruter", which a customer may well write: "ils devraient recruter").
 * - Operators are upper case only, `NOT` binds tightest, then `AND`, then `OR`; two terms side by
 *   side mean AND; parentheses group. Lower-case "or", "and", "not" are words (French "or" is one).
 * - `NOT x` holds when x occurs nowhere in the text: an exclusion really excludes.
 *
 * Syntax errors throw `QuerySyntaxError` naming the 1-based position, for `ConfigError` messages.
 */
import { ValidationError } from '../errors.js';
import {
  analyzeText,
  containsSequence,
  MATCH_LANGS,
  matchLangs,
  stem,
  tokenize,
  type AnalyzedText,
  type MatchLang,
} from './text.js';

export type QueryNode =
  | {
      kind: 'term';
      /** As written, without quotes. */
      text: string;
      /** Quoted: match the normalised tokens exactly; bare: match stems. */
      exact: boolean;
      tokens: string[];
      stems: Record<MatchLang, string[]>;
    }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode };

/** A query that does not parse; `position` is 1-based, in characters of the query. */
export class QuerySyntaxError extends ValidationError {
  readonly position: number;
  readonly reason: string;
  constructor(position: number, reason: string) {
    super('watch query', [{ path: `position ${position}`, message: reason }]);
    this.name = 'QuerySyntaxError';
    this.position = position;
    this.reason = reason;
  }
}

type Lexeme =
  | { type: 'word' | 'phrase'; text: string; pos: number }
  | { type: 'AND' | 'OR' | 'NOT' | '(' | ')'; pos: number };

const QUOTES: Record<string, string> = { '"': '"', '\u201C': '\u201D', '\u00AB': '\u00BB' };

const isBoundary = (c: string): boolean => /[\s()]/u.test(c) || c in QUOTES;

function lex(source: string): Lexeme[] {
  const out: Lexeme[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/u.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ type: c, pos: i + 1 });
      i++;
    } else if (c in QUOTES) {
      const close = source.indexOf(QUOTES[c] as string, i + 1);
      if (close < 0) throw new QuerySyntaxError(i + 1, `the quote opened here is never closed`);
      out.push({ type: 'phrase', text: source.slice(i + 1, close), pos: i + 1 });
      i = close + 1;
    } else {
      let j = i;
      while (j < source.length && !isBoundary(source[j] as string)) j++;
      const text = source.slice(i, j);
      if (text === 'AND' || text === 'OR' || text === 'NOT') out.push({ type: text, pos: i + 1 });
      else out.push({ type: 'word', text, pos: i + 1 });
      i = j;
    }
  }
  return out;
}

/** Parses a watch query; throws `QuerySyntaxError` on the first problem. */
export function parseQuery(source: string): QueryNode {
  const lexemes = lex(source);
  if (lexemes.length === 0) throw new QuerySyntaxError(1, 'the query is empty');
  let k = 0;
  const peek = (): Lexeme | undefined => lexemes[k];
  const endPos = source.length + 1;
  const describe = (l: Lexeme | undefined): string =>
    l === undefined
      ? 'the end of the query'
      : l.type === 'word' || l.type === 'phrase'
        ? `"${l.text}"`
        : l.type;

  const startsOperand = (l: Lexeme | undefined): boolean =>
    l !== undefined &&
    (l.type === 'word' || l.type === 'phrase' || l.type === '(' || l.type === 'NOT');

  function parseOr(): QueryNode {
    const children = [parseAnd()];
    while (peek()?.type === 'OR') {
      k++;
      children.push(parseAnd());
    }
    return children.length === 1 ? (children[0] as QueryNode) : { kind: 'or', children };
  }

  function parseAnd(): QueryNode {
    const children = [parseNot()];
    for (;;) {
      const next = peek();
      if (next?.type === 'AND') k++;
      else if (!startsOperand(next)) break;
      children.push(parseNot());
    }
    return children.length === 1 ? (children[0] as QueryNode) : { kind: 'and', children };
  }

  function parseNot(): QueryNode {
    if (peek()?.type === 'NOT') {
      k++;
      return { kind: 'not', child: parseNot() };
    }
    return parsePrimary();
  }

  function parsePrimary(): QueryNode {
    const l = peek();
    const before = lexemes[k - 1];
    if (l === undefined || !startsOperand(l)) {
      const where = l?.pos ?? endPos;
      const after =
        before && (before.type === 'AND' || before.type === 'OR' || before.type === 'NOT')
          ? ` after ${before.type}`
          : before?.type === '('
            ? ' inside the parentheses'
            : '';
      throw new QuerySyntaxError(
        where,
        `expected a word, a "phrase" or "("${after}, found ${describe(l)}`,
      );
    }
    k++;
    if (l.type === '(') {
      const inner = parseOr();
      const close = peek();
      if (close?.type !== ')') {
        throw new QuerySyntaxError(
          close?.pos ?? endPos,
          `expected ")" to close the "(" at position ${l.pos}, found ${describe(close)}`,
        );
      }
      k++;
      return inner;
    }
    if (l.type === 'word' || l.type === 'phrase') return term(l.text, l.type === 'phrase', l.pos);
    // startsOperand() let only operands through.
    throw new QuerySyntaxError(l.pos, `unexpected ${describe(l)}`);
  }

  const ast = parseOr();
  const rest = peek();
  if (rest !== undefined) {
    throw new QuerySyntaxError(
      rest.pos,
      rest.type === ')' ? 'this ")" closes no "("' : `unexpected ${describe(rest)}`,
    );
  }
  return ast;
}

function term(text: string, exact: boolean, pos: number): QueryNode {
  const tokens = tokenize(text);
  if (tokens.length === 0) {
    throw new QuerySyntaxError(
      pos,
      `${exact ? `"${text}"` : text} has no letter or digit to match`,
    );
  }
  const stems = Object.fromEntries(
    MATCH_LANGS.map((l) => [l, tokens.map((t) => stem(t, l))]),
  ) as Record<MatchLang, string[]>;
  return { kind: 'term', text, exact, tokens, stems };
}

/**
 * Whether the query holds for a text. `lang` picks the stemmer(s) for bare words: the text's own
 * language when it is French or English, both otherwise.
 */
export function matchesQuery(node: QueryNode, text: AnalyzedText | string, lang?: string): boolean {
  const t = typeof text === 'string' ? analyzeText(text) : text;
  return evaluate(node, t, matchLangs(lang));
}

function evaluate(node: QueryNode, t: AnalyzedText, langs: readonly MatchLang[]): boolean {
  if (node.kind === 'term') {
    if (containsSequence(t.tokens, node.tokens)) return true;
    return !node.exact && langs.some((l) => containsSequence(t.stems[l], node.stems[l]));
  }
  if (node.kind === 'and') return node.children.every((c) => evaluate(c, t, langs));
  if (node.kind === 'or') return node.children.some((c) => evaluate(c, t, langs));
  return !evaluate(node.child, t, langs);
}

/** The query with every group parenthesised: shows how it was read. */
export function formatQuery(node: QueryNode): string {
  if (node.kind === 'term') return node.exact ? `"${node.text}"` : node.text;
  if (node.kind === 'not') return `NOT ${formatQuery(node.child)}`;
  return `(${node.children.map(formatQuery).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
}
