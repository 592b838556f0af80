/**
 * The language of a mention. A language the source declared wins; otherwise tinyld guesses,
 * after links, handles and hashtags are removed (the caller blanks out brand names: a French
 * brand name must not make an English post French). On short or ambiguous texts tinyld often hesitates; French and English
 * function words then settle it between our two scored languages.
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

const FUNCTION_WORDS = {
  fr: new Set(
    'le la les un une des du de et est sont pas ne je tu il elle nous vous ils elles tres trop mais pour avec sur au aux que qui ce cette ces mon ma mes son sa ses leur plus rien jamais toujours deja encore chez dans par ou donc car bien tout tous'.split(
      ' ',
    ),
  ),
  en: new Set(
    'the a an and is are was were not no i you he she we they it very too but for with on at of to my your his her our their this that these those from never always already still in by or so because well all'.split(
      ' ',
    ),
  ),
};

export function detectLanguage(text: string, opts: { declared?: string } = {}): LanguageResult {
  const declared = opts.declared?.toLowerCase().split(/[-_]/)[0];
  if (declared && /^[a-z]{2,3}$/.test(declared))
    return { code: declared, confidence: 1, declared: true };

  const cleaned = text.replace(/https?:\/\/\S+/g, ' ').replace(/[@#][\p{L}\p{N}_]+/gu, ' ');
  const [top] = detectAll(cleaned);
  if (top && top.accuracy >= CONFIDENT)
    return { code: top.lang, confidence: round(top.accuracy), declared: false };

  // Hesitation: count function words of our two languages.
  const words = cleaned
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .split(/[^a-z]+/);
  let fr = 0;
  let en = 0;
  for (const w of words) {
    if (FUNCTION_WORDS.fr.has(w)) fr++;
    if (FUNCTION_WORDS.en.has(w)) en++;
    // English inflections are a tell when function words are missing ("arrived broken").
    else if (w.length > 4 && /(?:ing|ed|ly)$/.test(w)) en += 0.5;
  }
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

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
