/**
 * The language of a mention. A language the source declared wins; otherwise tinyld guesses,
 * after links, handles and hashtags are removed (the caller blanks out brand names: a French
 * brand name must not make an English post French).
 *
 * Between our two scored languages, grammar outweighs vocabulary: on a short text tinyld answers
 * French, and sure of it, for "The croissant aux amandes was burnt" or "Great crème brûlée at the
 * shop", because French names of dishes, places and brands carry French letters and trigrams,
 * while the words that make the sentence are English. So when tinyld says French or English (or
 * hesitates) and the function words of the text clearly belong to the other one, they win.
 * When tinyld hesitates and the function words are even, they still settle it, with inflections
 * and accents as a last hint.
 */
import { detectAll } from 'tinyld';

export interface LanguageResult {
  /** ISO 639-1 code, or 'und' when nothing can be said. */
  code: string;
  /** 1 when declared by the source. */
  confidence: number;
  declared: boolean;
}

/** tinyld's own accuracy above which we take its answer as is. */
const CONFIDENT = 0.5;

/**
 * Words that make a sentence in one language and (almost) never occur in the other, accents
 * folded. Words both languages use ("a", "on", "me", "en", "car", "as") are in neither.
 */
const FUNCTION_WORDS = {
  fr: new Set(
    `le la les un une des du de et est sont etait etaient ete ai avons avez ont suis sommes etes
    fait pas ne je tu il elle nous vous ils elles lui eux moi toi tres trop mais pour avec sur
    sous vers au aux que qui quoi dont ce cette ces ceci celui ca cela mon ma mes sa ses
    leur nos vos notre votre rien jamais toujours deja encore aussi avant apres depuis
    meme quand comme chez dans par ou donc bien tout tous sans`.split(/\s+/),
  ),
  en: new Set(
    `the and is are was were been be have has had do does did will would can could should
    not no i you he she we they it its us them him very too for with at of to my your his her
    our their this that these those from never always already still ever again just only in
    into by so because well all about there what when where who how got get any some than
    then if up out after here`.split(/\s+/),
  ),
};
/** Shared words, more often English in our mentions: a hint when nothing else is ("A gem."). */
const EN_HINTS = new Set(['a', 'on']);
/** To overrule tinyld, one language needs this many function words, and twice the other's. */
const GRAMMAR_MIN = 2;
const GRAMMAR_FACTOR = 2;

export function detectLanguage(text: string, opts: { declared?: string } = {}): LanguageResult {
  const declared = opts.declared?.toLowerCase().split(/[-_]/)[0];
  if (declared && /^[a-z]{2,3}$/.test(declared))
    return { code: declared, confidence: 1, declared: true };

  const cleaned = text.replace(/https?:\/\/\S+/g, ' ').replace(/[@#][\p{L}\p{N}_]+/gu, ' ');
  const [top] = detectAll(cleaned);
  const confident = top !== undefined && top.accuracy >= CONFIDENT;
  if (confident && top.lang !== 'fr' && top.lang !== 'en')
    return { code: top.lang, confidence: round(top.accuracy), declared: false };

  const words = cleaned
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z]+/);
  let fwFr = 0;
  let fwEn = 0;
  // English hints: inflections and shared words, half a function word each.
  let inflections = 0;
  for (const w of words) {
    if (FUNCTION_WORDS.fr.has(w)) fwFr++;
    else if (FUNCTION_WORDS.en.has(w)) fwEn++;
    // English inflections are a tell when function words are missing ("arrived broken").
    else if (EN_HINTS.has(w) || (w.length > 4 && /(?:ing|ed|ly)$/.test(w))) inflections++;
  }
  const grammar = grammarSide(fwFr, fwEn);
  if (grammar && !(confident && top.lang === grammar))
    return {
      code: grammar,
      confidence: round(Math.abs(fwFr - fwEn) / (fwFr + fwEn + 1)),
      declared: false,
    };
  if (confident) return { code: top.lang, confidence: round(top.accuracy), declared: false };

  // Hesitation: function words of our two languages, then the hints.
  let fr = fwFr;
  let en = fwEn + 0.5 * inflections;
  // So are French accented letters, which English words almost never carry.
  fr += 0.5 * (cleaned.match(/[éèêàçùûôîœ]/giu)?.length ?? 0);
  if (fr !== en) {
    const code = fr > en ? 'fr' : 'en';
    return { code, confidence: round(Math.abs(fr - en) / (fr + en + 1)), declared: false };
  }
  return top
    ? { code: top.lang, confidence: round(top.accuracy), declared: false }
    : { code: 'und', confidence: 0, declared: false };
}

/** The language the function words clearly belong to, if they do. */
function grammarSide(fr: number, en: number): 'fr' | 'en' | undefined {
  if (fr >= GRAMMAR_MIN && fr >= GRAMMAR_FACTOR * en) return 'fr';
  if (en >= GRAMMAR_MIN && en >= GRAMMAR_FACTOR * fr) return 'en';
  return undefined;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
