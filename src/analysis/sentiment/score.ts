/**
 * The text scorer: one pass over the tokens of a text, summing lexicon polarities (AFINN scale)
 * with the rules a bare word lexicon lacks. Each constant is set from the literature or from
 * general usage, never fitted to a benchmark:
 * - negation shifts rather than flips (Taboada et al. 2011, "Lexicon-based methods for sentiment
 *   analysis", SO-CAL): "not good" is clearly negative, "not bad" only mildly positive;
 * - negative expressions weigh 1.5 × (SO-CAL's weighting against the positive bias of language:
 *   people use positive words even when they complain);
 * - boosters, caps, "!" and contrast follow VADER (Hutto & Gilbert 2014): the clause after "but"
 *   weighs 1.5 ×, the one before 0.5 ×;
 * - the sum is squashed into [-1, 1] with VADER's `s / sqrt(s² + 15)`.
 *
 * Four constructions of customer talk, of general usage:
 * - persistence: "still" / "toujours" before a negation ("still nothing", "toujours pas reçu")
 *   or a wait ("still waiting", "j'attends toujours") is the complaint of something still
 *   missing, unless what is negated is itself negative ("toujours pas déçu");
 * - remedy: a problem word that a remedy word resolves ("they fixed my problem", "problème
 *   réglé", "ils ont réglé mon souci") is not a complaint but mild praise, as "no problem" is;
 * - contempt: "joke", "farce", "blague" said of something ("the refund process is a joke",
 *   "quelle blague", "une vraie farce") are scorn, not fun ("he told us a joke");
 * - irony: an angry or contemptuous emoji closing a sentence ("great service as usual 🙄")
 *   tells how the sentence is meant, and its positive words no longer count; and a bare
 *   exclamation of praise after a complaint ("Box soaked, lamp broken. Brilliant.", "Le numéro
 *   sonne dans le vide. Super.", "How convenient.") is said the other way round: a sentence of
 *   at most IRONY_WORDS words, all praise or irony openers ("how", "oh", "c'est"), no politeness
 *   ("Thanks!"), after a text negative so far, counts against;
 * - spoken French drops "ne": "ça marche pas", "ça répond jamais" negate the verb before them
 *   (only words whose negation the lexicon spells out, so "super pas cher" stays praise).
 */
import {
  type CompiledLexicon,
  type Entry,
  type Phrase,
  fold,
  FLAG_CONTEMPT as FLAG_CONTEMPT_,
  FLAG_IRONY_OPENER as FLAG_IRONY_OPENER_,
  FLAG_POLITE as FLAG_POLITE_,
  FLAG_POSTNEG as FLAG_POSTNEG_,
  FLAG_PERSIST as FLAG_PERSIST_,
  FLAG_REMEDY as FLAG_REMEDY_,
  FLAG_TROUBLE as FLAG_TROUBLE_,
  FLAG_WAIT as FLAG_WAIT_,
  NEG_CLAUSE as NEG_CLAUSE_,
  NEG_NE as NEG_NE_,
  NEG_PARTNER as NEG_PARTNER_,
  NEG_RESTRICTIVE as NEG_RESTRICTIVE_,
  NEG_SHORT as NEG_SHORT_,
  ROLE_CONCESSIVE as ROLE_CONCESSIVE_,
  ROLE_CONCLUSION as ROLE_CONCLUSION_,
  ROLE_CONTRAST as ROLE_CONTRAST_,
} from './lexicon.js';
import { ANGRY as ANGRY_ } from './emoji.js';
import {
  KIND_CLAUSE as KIND_CLAUSE_,
  KIND_EMO as KIND_EMO_,
  KIND_SENTENCE as KIND_SENTENCE_,
  KIND_WORD as KIND_WORD_,
  scan,
  tokens,
} from './tokenize.js';

// Local aliases: imported bindings can compile to getters, too slow to read a token.
const tokKind = tokens.kind;
const tokText = tokens.text;
const tokStart = tokens.start;
const tokEnd = tokens.end;
const tokValue = tokens.value;
const scanText = scan;
const foldWord = fold;
const KIND_CLAUSE = KIND_CLAUSE_;
const KIND_EMO = KIND_EMO_;
const KIND_SENTENCE = KIND_SENTENCE_;
const KIND_WORD = KIND_WORD_;
const NEG_CLAUSE = NEG_CLAUSE_;
const NEG_NE = NEG_NE_;
const NEG_PARTNER = NEG_PARTNER_;
const NEG_RESTRICTIVE = NEG_RESTRICTIVE_;
const NEG_SHORT = NEG_SHORT_;
const ROLE_CONCESSIVE = ROLE_CONCESSIVE_;
const ROLE_CONCLUSION = ROLE_CONCLUSION_;
const ROLE_CONTRAST = ROLE_CONTRAST_;
const FLAG_PERSIST = FLAG_PERSIST_;
const FLAG_WAIT = FLAG_WAIT_;
const FLAG_TROUBLE = FLAG_TROUBLE_;
const FLAG_REMEDY = FLAG_REMEDY_;
const FLAG_CONTEMPT = FLAG_CONTEMPT_;
const FLAG_IRONY_OPENER = FLAG_IRONY_OPENER_;
const FLAG_POLITE = FLAG_POLITE_;
const FLAG_POSTNEG = FLAG_POSTNEG_;
const ANGRY = ANGRY_;

/** Words a negator reaches, within its clause. */
const NEGATION_WINDOW = 4;
const SHORT_NEGATION_WINDOW = 2;
/** A negated positive word: "not good" = -0.75 × good. */
const NEGATED_POSITIVE = -0.75;
/** A negated negative word: "not bad" = -0.5 × bad, a weak positive. */
const NEGATED_NEGATIVE = -0.5;
const NEGATIVE_WEIGHT = 1.5;
/** How many words after a booster it still applies ("very, very good", "so very good"). */
const BOOST_WINDOW = 2;
const CAPS_EMPHASIS = 1.5;
/** A whole text in capitals is shouting, weaker evidence than one word in capitals. */
const ALL_CAPS_EMPHASIS = 1.2;
const BANG_STEP = 0.15;
const MAX_BANGS = 3;
const BEFORE_CONTRAST = 0.5;
const AFTER_CONTRAST = 1.5;
const CONCESSIVE_CLAUSE = 0.5;
const CONCLUSION = 1.5;
/** "too big", "trop cher": "too" before a word without polarity. */
const EXCESS = -1.5;
/** "too good", "trop bien": before an opinion word, "too" only intensifies. */
const EXCESS_BOOST = 1.2;
const SQUASH = 15;
const MEMO_LIMIT = 100_000;
/** Something still missing: as strong as "problem" (AFINN -2). */
const PERSIST = -2;
/** How many tokens after "still" a wait word may come ("toujours en attente"). */
const PERSIST_REACH = 2;
/** A problem solved: mild praise, as much as "no problem" (1.5). */
const REMEDY_BONUS = 1.5;
/** Tokens from a remedy to the problem it solves ("réglé mon petit souci"), in one clause. */
const REMEDY_REACH = 4;
/** Words looked back from a contempt noun for its marker ("is a bit of a joke"). */
const CONTEMPT_REACH = 4;
/** Indefinite articles that, alone with a contempt noun, make a clause of it ("A joke."). */
const ARTICLES = new Set(['a', 'an', 'un', 'une']);
/** Tokens from a problem back to the remedy that comes after ("the issue with my order was fixed"). */
const TROUBLE_REACH = 12;
/** Longest closing exclamation read as irony ("Oh, how lovely."). */
const IRONY_WORDS = 3;

export interface TextScore {
  /** In [-1, 1]. */
  score: number;
  /** Opinion words, emoji and emoticons that counted. */
  hits: number;
  /** Sum of the positive and of the negative contributions (absolute). */
  positive: number;
  negative: number;
}

interface Resolved {
  entry: Entry | undefined;
  /** The folded form, for matching phrases. */
  key: string;
}

/** A compiled lexicon with its memo of token → entry (stems and folds are computed once). */
export class Scorer {
  private readonly memo = new Map<string, Resolved>();
  // Per-call state for reading capitals (scoring is synchronous, one call at a time).
  private text = '';
  private capsReadable = false;
  private allCaps = -1; // -1 unknown, 0 no, 1 yes

  constructor(private readonly lexicon: CompiledLexicon) {}

  private resolve(raw: string): Resolved {
    const hit = this.memo.get(raw);
    if (hit) return hit;
    const key = foldWord(raw);
    const words = this.lexicon.words;
    let entry = words.get(key);
    if (!entry) entry = this.fallback(key);
    const r = { entry, key };
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(raw, r);
    return r;
  }

  /** Elongations ("soooo goood") and light stems ("déçue" → "déçu", "loved" → "love"). */
  private fallback(key: string): Entry | undefined {
    const words = this.lexicon.words;
    if (/(.)\1\1/.test(key)) {
      const two = key.replace(/(.)\1+/g, '$1$1');
      const one = key.replace(/(.)\1+/g, '$1');
      const e = opinion(words.get(two)) ?? opinion(words.get(one));
      if (e) return e;
    }
    if (key.length < 4) return undefined;
    for (const [suffix, replacement] of this.lexicon.suffixes) {
      if (!key.endsWith(suffix) || key.length - suffix.length < 3) continue;
      const e = opinion(words.get(key.slice(0, key.length - suffix.length) + replacement));
      if (e) return { ...e, phrases: undefined, neg: 0, boost: 0, role: 0, excess: false };
    }
    return undefined;
  }

  // Per-call accumulators (scoring is synchronous, one call at a time).
  private sentence = 0;
  private sentenceWeight = 1;
  private clauseWeight = 1;
  private hits = 0;
  private positive = 0;
  private negative = 0;

  /** Positive part of the current sentence (as added to `sentence`, and unweighted). */
  private sentencePos = 0;
  private sentencePosW = 0;
  /** What the last `add` added to `sentence`, and its weighted polarity. */
  private lastDelta = 0;
  private lastW = 0;
  // Persistence: the token of a pending "still", and whether a negation after it is open.
  private persistAt = -1;
  private persistArmed = false;
  private waitAt = -2;
  // Remedy: the last unresolved problem (token, what it added, where) and the last remedy.
  private troubleAt = -1;
  private troubleDelta = 0;
  private troubleW = 0;
  private troubleInTotal = false;
  private remedyAt = -1;
  /** What that remedy word added by itself ("resolved" is positive), so the bonus is not doubled. */
  private remedyOwn = 0;

  private add(v: number): void {
    const w = v < 0 ? v * NEGATIVE_WEIGHT : v;
    const d = w * this.sentenceWeight * this.clauseWeight;
    this.sentence += d;
    this.lastDelta = d;
    this.lastW = w;
    this.hits++;
    if (w > 0) {
      this.positive += w;
      this.sentencePos += d;
      this.sentencePosW += w;
    } else this.negative -= w;
  }

  /** A pending "still ... not" whose negation found nothing to bear on: "still nothing". */
  private settlePersist(): void {
    if (this.persistArmed) this.add(PERSIST);
    this.persistArmed = false;
    this.persistAt = -1;
  }

  /** Scores one text. `lo` is `text.toLowerCase()`. */
  score(text: string, lo: string): TextScore {
    const n = scanText(lo);
    // Capitals are read from the original at the same offsets; a few characters change length
    // when lower-cased, and then capitals are simply not read.
    this.text = text;
    this.capsReadable = lo.length === text.length && text !== lo;
    this.allCaps = -1;
    this.sentence = 0;
    this.sentenceWeight = 1;
    this.clauseWeight = 1;
    this.hits = 0;
    this.positive = 0;
    this.negative = 0;
    this.sentencePos = 0;
    this.sentencePosW = 0;
    this.persistAt = -1;
    this.persistArmed = false;
    this.waitAt = -2;
    this.troubleAt = -1;
    this.troubleInTotal = false;
    this.remedyAt = -1;

    let total = 0;
    // The previous sentence's positive part, for an emoji-only sentence that closes it ("... 🙄").
    let previousPos = 0;
    let previousPosW = 0;
    // Whether the last word or emoji was an angry emoji (clause marks do not count).
    let lastAngry = false;
    let previousSentence = 0;
    let wordsInSentence = 0;
    // Irony: whether the sentence so far is only praise and openers, and how much praise.
    let bare = true;
    let praise = 0;
    let negWindow = 0;
    let neOpen = false;
    let boost = 1;
    let boostWindow = 0;

    for (let k = 0; k < n; k++) {
      const kind = tokKind[k];
      if (kind === KIND_SENTENCE || kind === KIND_CLAUSE) {
        this.settlePersist();
        negWindow = 0;
        neOpen = false;
        boost = 1;
        boostWindow = 0;
        this.clauseWeight = 1;
        this.remedyAt = -1;
        if (kind === KIND_SENTENCE) {
          if (lastAngry) {
            if (wordsInSentence > 0) this.dropPositive();
            else {
              total -= previousPos;
              this.positive -= previousPosW;
              previousPos = 0;
              previousPosW = 0;
            }
          }
          if (
            bare &&
            praise > 0 &&
            wordsInSentence <= IRONY_WORDS &&
            total < 0 &&
            this.sentence > 0
          )
            this.invert();
          bare = true;
          praise = 0;
          const bangs = Math.min(MAX_BANGS, tokValue[k] ?? 0);
          const bang = 1 + BANG_STEP * bangs;
          if (bangs > 0) this.sentence *= bang;
          total += this.sentence;
          if (wordsInSentence > 0) {
            previousSentence = this.sentence;
            previousPos = this.sentencePos * bang;
            previousPosW = this.sentencePosW;
          }
          // A problem may still be solved in the next sentence ("I had a problem. They fixed it").
          if (this.troubleAt >= 0) {
            if (this.troubleInTotal) this.troubleAt = -1;
            else {
              this.troubleDelta *= bang;
              this.troubleInTotal = true;
            }
          }
          this.sentence = 0;
          this.sentencePos = 0;
          this.sentencePosW = 0;
          this.sentenceWeight = 1;
          wordsInSentence = 0;
          lastAngry = false;
        }
        continue;
      }
      if (kind === KIND_EMO) {
        // Emoji stand outside the syntax: no negation, no boost.
        this.add(tokValue[k] ?? 0);
        lastAngry = ANGRY.has(tokText[k] ?? '');
        continue;
      }
      if (kind !== KIND_WORD) continue;
      lastAngry = false;

      let entry = this.resolve(tokText[k] ?? '').entry;
      const start = k;
      wordsInSentence++;
      if (entry?.phrases) {
        const p = this.matchPhrase(entry.phrases, k, n);
        if (p) {
          entry = p.entry;
          k += p.rest.length;
        }
      }
      if (bare) {
        if (!entry || entry.flags & FLAG_POLITE || negWindow > 0 || entry.neg !== 0) bare = false;
        else if (entry.flags & FLAG_IRONY_OPENER || entry.boost !== 0) {
          // "how", "so", "c'est": may open the exclamation.
        } else if (entry.s > 0) praise++;
        else bare = false;
      }
      if (negWindow > 0) negWindow--;
      if (boostWindow > 0 && --boostWindow === 0) boost = 1;

      if (this.persistAt >= 0 && start - this.persistAt > PERSIST_REACH) this.persistAt = -1;
      if (!entry) continue;

      if (entry.role !== 0) {
        if (entry.role === ROLE_CONTRAST) {
          this.settlePersist();
          if (wordsInSentence > 1) {
            this.sentence *= BEFORE_CONTRAST;
            this.sentencePos *= BEFORE_CONTRAST;
            if (!this.troubleInTotal) this.troubleDelta *= BEFORE_CONTRAST;
          } else {
            total -= previousSentence * (1 - BEFORE_CONTRAST);
            previousPos *= BEFORE_CONTRAST;
            if (this.troubleInTotal) this.troubleDelta *= BEFORE_CONTRAST;
          }
          this.sentenceWeight = AFTER_CONTRAST;
          negWindow = 0;
          neOpen = false;
          boost = 1;
          boostWindow = 0;
          this.clauseWeight = 1;
        } else if (entry.role === ROLE_CONCESSIVE) {
          this.clauseWeight = CONCESSIVE_CLAUSE;
        } else if (entry.role === ROLE_CONCLUSION) {
          this.sentenceWeight = CONCLUSION;
        }
        continue;
      }

      if (entry.fixed) {
        // "pas mal", "no problem": the phrase holds its own negation.
        negWindow = 0;
        neOpen = false;
        if (entry.s !== 0) this.add(entry.s * boost * this.caps(start, k));
        boost = 1;
        boostWindow = 0;
        continue;
      }

      if (entry.flags !== 0) {
        const flags = entry.flags;
        if (flags & FLAG_CONTEMPT && this.judged(start, n)) {
          this.emit(entry.c * this.caps(start, k), negWindow > 0, undefined);
          boost = 1;
          boostWindow = 0;
          continue;
        }
        if (flags & FLAG_PERSIST) {
          // "j'attends toujours": the wait came first.
          if (this.waitAt === start - 1) this.add(PERSIST);
          else this.persistAt = k;
          continue;
        }
        if (flags & FLAG_WAIT) {
          if (this.persistAt >= 0) {
            this.add(PERSIST);
            this.persistAt = -1;
          }
          this.waitAt = k;
        }
      }

      // A negator that is itself an opinion word ("fail", "lack") is not negated by its own scope.
      const negatedHere = negWindow > 0;
      if (entry.neg !== 0) {
        const neg = entry.neg;
        // "still" right before a negation: wait to see what is negated ("still not received").
        if (
          this.persistAt === start - 1 &&
          (neg === NEG_CLAUSE || neg === NEG_NE || (neg === NEG_PARTNER && neOpen))
        ) {
          this.persistArmed = true;
          this.persistAt = -1;
        }
        if (neg === NEG_CLAUSE) {
          negWindow = NEGATION_WINDOW + 1;
          neOpen = false;
        } else if (neg === NEG_SHORT) negWindow = SHORT_NEGATION_WINDOW + 1;
        else if (neg === NEG_NE) {
          negWindow = NEGATION_WINDOW + 1;
          neOpen = true;
        } else if (neg === NEG_PARTNER) {
          if (neOpen) negWindow = NEGATION_WINDOW + 1;
          neOpen = false;
        } else if (neg === NEG_RESTRICTIVE && neOpen) {
          negWindow = 0;
          neOpen = false;
        }
        if (entry.s === 0) continue;
      }

      // A booster only boosts an opinion word; alone ("so", "super" as a noun) it is itself.
      if (entry.boost !== 0 || entry.excess) {
        if (this.nextOpinion(k, n)) {
          boost *= entry.boost !== 0 ? entry.boost : EXCESS_BOOST;
          boostWindow = BOOST_WINDOW + 1;
          continue;
        }
        if (entry.excess && k + 1 < n && tokKind[k + 1] === KIND_WORD) {
          this.emit(EXCESS, negWindow > 0, undefined);
          continue;
        }
        if (entry.s === 0) continue;
      }

      if (entry.s === 0 && entry.n === undefined) continue;
      const f = boost * this.caps(start, k);
      boost = 1;
      boostWindow = 0;
      const negated =
        (entry.neg !== 0 ? negatedHere : negWindow > 0) ||
        (entry.n !== undefined && this.negatedAfter(k, n));
      if (entry.flags & (FLAG_TROUBLE | FLAG_REMEDY) && !negated) {
        if (entry.flags & FLAG_REMEDY) {
          if (this.troubleAt >= 0 && k - this.troubleAt <= TROUBLE_REACH) {
            this.retractTrouble();
            if (this.troubleInTotal) total -= this.troubleDelta;
            this.troubleAt = -1;
            this.add(REMEDY_BONUS);
            continue;
          }
          this.remedyAt = k;
          this.remedyOwn = Math.max(0, entry.s * f);
        } else if (entry.s < 0) {
          if (this.remedyAt >= 0 && start - this.remedyAt <= REMEDY_REACH) {
            this.remedyAt = -1;
            if (REMEDY_BONUS > this.remedyOwn) this.add(REMEDY_BONUS - this.remedyOwn);
            continue;
          }
          this.emit(entry.s * f, false, undefined);
          this.troubleAt = k;
          this.troubleDelta = this.lastDelta;
          this.troubleW = this.lastW;
          this.troubleInTotal = false;
          continue;
        }
      }
      this.emit(entry.s * f, negated, entry.n === undefined ? undefined : entry.n * f);
    }
    this.settlePersist();
    if (bare && praise > 0 && wordsInSentence <= IRONY_WORDS && total < 0 && this.sentence > 0)
      this.invert();
    if (lastAngry) {
      if (wordsInSentence > 0) this.dropPositive();
      else {
        total -= previousPos;
        this.positive -= previousPosW;
      }
    }
    total += this.sentence;
    const score = total / Math.sqrt(total * total + SQUASH);
    return { score, hits: this.hits, positive: this.positive, negative: this.negative };
  }

  private emit(v: number, negated: boolean, negatedValue: number | undefined): void {
    if (!negated) {
      if (v !== 0) this.add(v);
      return;
    }
    const w = negatedValue ?? v * (v > 0 ? NEGATED_POSITIVE : NEGATED_NEGATIVE);
    if (this.persistArmed) {
      // "still not good", "toujours pas reçu": still missing. "Toujours pas déçu": praise.
      this.persistArmed = false;
      if (w < 0) this.add(PERSIST);
    }
    if (w !== 0) this.add(w);
  }

  /** Irony: the sentence closed by an angry emoji keeps only its negative part. */
  private dropPositive(): void {
    this.sentence -= this.sentencePos;
    this.positive -= this.sentencePosW;
    this.sentencePos = 0;
    this.sentencePosW = 0;
  }

  /** Whether a remedy word that is not negated appears in the text ("they fixed it"). */
  remedied(lo: string): boolean {
    const n = scanText(lo);
    for (let k = 0; k < n; k++) {
      if (tokKind[k] !== KIND_WORD) continue;
      let e = this.resolve(tokText[k] ?? '').entry;
      if (e?.phrases) e = this.matchPhrase(e.phrases, k, n)?.entry ?? e;
      if (e && e.flags & FLAG_REMEDY && !(k > 0 && this.negates(k - 1))) return true;
    }
    return false;
  }

  private negates(k: number): boolean {
    const e = tokKind[k] === KIND_WORD ? this.resolve(tokText[k] ?? '').entry : undefined;
    return e !== undefined && e.neg !== 0;
  }

  /** Irony: the sentence's praise counts against. */
  private invert(): void {
    this.positive -= this.sentencePosW;
    this.negative += this.sentencePosW * NEGATIVE_WEIGHT;
    this.sentence = -this.sentence * NEGATIVE_WEIGHT;
    this.sentencePos = 0;
    this.sentencePosW = 0;
  }

  /** Whether the word right after `k` negates backwards ("marche pas"). */
  private negatedAfter(k: number, n: number): boolean {
    if (k + 1 >= n || tokKind[k + 1] !== KIND_WORD) return false;
    const e = this.resolve(tokText[k + 1] ?? '').entry;
    return e !== undefined && (e.flags & FLAG_POSTNEG) !== 0;
  }

  /** Takes back the pending problem's contribution (from the sentence; the caller fixes total). */
  private retractTrouble(): void {
    if (!this.troubleInTotal) this.sentence -= this.troubleDelta;
    this.negative += this.troubleW;
    this.hits--;
  }

  /** Emphasis of tokens `from..to`: CAPS_EMPHASIS when in capitals, less if the whole text is. */
  private caps(from: number, to: number): number {
    if (!this.capsReadable) return 1;
    const text = this.text;
    const a = tokStart[from] ?? 0;
    const b = tokEnd[to] ?? 0;
    let upper = 0;
    for (let p = a; p < b; p++) {
      const c = text.charCodeAt(p);
      // A lower-case letter anywhere: not capitals. Digits and apostrophes are neutral.
      if (c >= 97 && c <= 122) return 1;
      if (c >= 65 && c <= 90) upper++;
      else if (c >= 0xc0 && c <= 0x24f) {
        if (text[p] !== text[p]?.toUpperCase()) return 1;
        upper++;
      }
    }
    if (upper < 2) return 1;
    if (this.allCaps === -1) this.allCaps = text === text.toUpperCase() ? 1 : 0;
    return this.allCaps === 1 ? ALL_CAPS_EMPHASIS : CAPS_EMPHASIS;
  }

  /**
   * Whether a contempt noun at `k` is a judgement: a marker ("is", "what", "quelle", "vraie")
   * within CONTEMPT_REACH words before it in the clause, and no praise in between ("a good joke");
   * or the noun alone with its article as a whole clause ("Le SAV ? Une blague.").
   */
  private judged(k: number, n: number): boolean {
    const markers = this.lexicon.contemptMarkers;
    for (let j = k - 1; j >= 0 && j >= k - CONTEMPT_REACH; j--) {
      if (tokKind[j] !== KIND_WORD) break;
      const r = this.resolve(tokText[j] ?? '');
      if (markers.has(r.key)) return true;
      if (r.entry && r.entry.s > 0) return false;
    }
    const article = k >= 1 && tokKind[k - 1] === KIND_WORD && ARTICLES.has(tokText[k - 1] ?? '');
    const opens = k < 2 || tokKind[k - 2] !== KIND_WORD;
    const closes = k + 1 >= n || tokKind[k + 1] !== KIND_WORD;
    return article && opens && closes;
  }

  /** Whether an opinion word follows within the boost window, inside the clause. */
  private nextOpinion(k: number, n: number): boolean {
    for (let j = k + 1; j < n && j <= k + BOOST_WINDOW; j++) {
      if (tokKind[j] !== KIND_WORD) return false;
      const e = this.resolve(tokText[j] ?? '').entry;
      if (e && (e.s !== 0 || e.n !== undefined) && e.neg === 0) return true;
      if (e && e.boost !== 0) continue;
      return false;
    }
    return false;
  }

  /** The longest phrase of `phrases` that the tokens after `k` complete. */
  private matchPhrase(phrases: Phrase[], k: number, n: number): Phrase | undefined {
    outer: for (const p of phrases) {
      if (k + p.rest.length >= n) continue;
      for (let j = 0; j < p.rest.length; j++) {
        const t = k + 1 + j;
        if (tokKind[t] !== KIND_WORD || this.resolve(tokText[t] ?? '').key !== p.rest[j]) {
          continue outer;
        }
      }
      return p;
    }
    return undefined;
  }
}

function opinion(e: Entry | undefined): Entry | undefined {
  return e && (e.s !== 0 || e.n !== undefined) ? e : undefined;
}
