/**
 * Words and formats in the chosen language. Every string shown lives in ./strings-en.js and
 * ./strings-fr.js under the same keys; dates and hours are the brand's (its time zone, given by
 * the workspace) on a 24-hour clock in both languages, numbers through Intl.NumberFormat.
 */
import { EN } from './strings-en.js';
import { FR } from './strings-fr.js';

export const STRINGS = { en: EN, fr: FR };
export const LANGUAGES = ['fr', 'en'];
const STORAGE_KEY = 'maillon.lang';

/** The saved choice, else the browser's language (French for any fr-*), else English. */
export function initialLanguage() {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'fr' || saved === 'en') return saved;
  return (navigator.language ?? '').toLowerCase().startsWith('fr') ? 'fr' : 'en';
}

export function saveLanguage(lang) {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
}

/**
 * `t('key', { n: 3 })`: the string with `{n}` replaced. A key with `_one`/`_other` forms picks
 * one by the plural rules of the language. A missing key shows as itself (easy to spot).
 */
export function translator(lang) {
  const table = STRINGS[lang] ?? EN;
  const plural = new Intl.PluralRules(lang);
  const number = new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB');
  return (key, vars = {}) => {
    let s = table[key];
    if (s === undefined && typeof vars.n === 'number') s = table[`${key}_${plural.select(vars.n)}`];
    if (s === undefined && typeof vars.n === 'number') s = table[`${key}_other`];
    if (s === undefined) return key;
    return s.replace(/\{(\w+)\}/g, (_, name) => {
      const v = vars[name];
      if (v === undefined || v === null) return '';
      return typeof v === 'number' ? number.format(v) : String(v);
    });
  };
}

/** Formatters for one language and the brand's time zone. */
export function formats(lang, timeZone) {
  const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  // hourCycle h23: "14:00", never "2pm" nor "24:00".
  const clock = { timeZone, hourCycle: 'h23' };
  const dateTime = new Intl.DateTimeFormat(locale, {
    ...clock,
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const fullDateTime = new Intl.DateTimeFormat(locale, {
    ...clock,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const day = new Intl.DateTimeFormat(locale, {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
  });
  const time = new Intl.DateTimeFormat(locale, { ...clock, hour: '2-digit', minute: '2-digit' });
  const number = new Intl.NumberFormat(locale);
  const decimal = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const points = new Intl.NumberFormat(locale, {
    signDisplay: 'exceptZero',
    maximumFractionDigits: 0,
  });
  const change = new Intl.NumberFormat(locale, {
    style: 'percent',
    signDisplay: 'exceptZero',
    maximumFractionDigits: 0,
  });
  const compact = new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const at = (v) => (v instanceof Date ? v : new Date(v));
  return {
    locale,
    timeZone,
    dateTime: (v) => (v ? dateTime.format(at(v)) : '—'),
    fullDateTime: (v) => (v ? fullDateTime.format(at(v)) : '—'),
    day: (v) => day.format(at(v)),
    time: (v) => time.format(at(v)),
    number: (n) => (n === null || n === undefined ? '—' : number.format(n)),
    // Rounded away: -0.004 reads "0", not "-0".
    decimal: (n) =>
      n === null || n === undefined ? '—' : decimal.format(Math.abs(n) < 0.005 ? 0 : n),
    percent: (n) => (n === null || n === undefined ? '—' : percent.format(n)),
    compact: (n) => (n === null || n === undefined ? '—' : compact.format(n)),
    /** A relative change (0.25 → "+25 %"). */
    change: (n) => (n === null || n === undefined ? '—' : change.format(n)),
    /** A difference of shares, in points (0.05 → "+5"). */
    points: (n) => (n === null || n === undefined ? '—' : points.format(n * 100)),
  };
}
