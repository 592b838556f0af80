import { describe, expect, it } from 'vitest';
import { loadTouchpointsFile } from '../../config/index.js';
import {
  formatQuery,
  matchesQuery,
  parseQuery,
  QuerySyntaxError,
} from '../../src/analysis/query.js';
import { normalize, stem, tokenize } from '../../src/analysis/text.js';
import { ValidationError } from '../../src/errors.js';

const read = (q: string): string => formatQuery(parseQuery(q));
const matches = (q: string, text: string, lang?: string): boolean =>
  matchesQuery(parseQuery(q), text, lang);

/** Parses expecting a syntax error, and returns it. */
function syntaxError(q: string): QuerySyntaxError {
  let caught: unknown;
  try {
    parseQuery(q);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(QuerySyntaxError);
  return caught as QuerySyntaxError;
}

describe('text normalisation', () => {
  it('folds case, accents, ligatures and typographic apostrophes', () => {
    expect(normalize('Très DÉÇU, l’œuvre')).toBe("tres decu, l' oeuvre");
  });

  it('splits French elisions but leaves English contractions whole', () => {
    expect(tokenize("L'accueil qu'il jusqu'au aujourd'hui")).toEqual([
      'l',
      'accueil',
      'qu',
      'il',
      'jusqu',
      'au',
      "aujourd'hui",
    ]);
    expect(tokenize("we're hiring, don't")).toEqual(["we're", 'hiring', "don't"]);
  });

  it('drops English possessives, hyphens, punctuation and emoji', () => {
    expect(tokenize("Maison-Lumière's site!! 😡 #top @ml")).toEqual([
      'maison',
      'lumiere',
      'site',
      'top',
      'ml',
    ]);
  });

  it('stems French forms with or without accents alike', () => {
    const forms = ['livré', 'livrée', 'livree', 'livrées', 'livrer'];
    expect(new Set(forms.map((f) => stem(tokenize(f)[0] as string, 'fr')))).toEqual(
      new Set(['livr']),
    );
    expect(stem('livraisons', 'fr')).toBe(stem('livraison', 'fr'));
    expect(stem('refunded', 'en')).toBe(stem('refund', 'en'));
  });
});

describe('parseQuery: reading', () => {
  it('binds NOT tighter than AND, and AND tighter than OR', () => {
    expect(read('a OR b AND NOT c')).toBe('(a OR (b AND NOT c))');
    expect(read('NOT a OR b')).toBe('(NOT a OR b)');
  });

  it('reads two terms side by side as AND', () => {
    expect(read('a b OR c')).toBe('((a AND b) OR c)');
    expect(read('a NOT b')).toBe('(a AND NOT b)');
  });

  it('groups with parentheses', () => {
    expect(read('(a OR b) c')).toBe('((a OR b) AND c)');
    expect(read('NOT (a OR (b c))')).toBe('NOT (a OR (b AND c))');
  });

  it('reads quoted phrases, with straight quotes, curly quotes or guillemets', () => {
    expect(read('"offre d\'emploi" OR “now hiring” OR «on recrute»')).toBe(
      '("offre d\'emploi" OR "now hiring" OR "on recrute")',
    );
  });

  it('takes lower-case and, or, not as words (French "or" is one)', () => {
    expect(read('livraison or not')).toBe('(livraison AND or AND not)');
  });

  it('names the position of a missing operand', () => {
    const err = syntaxError('livraison AND');
    expect(err.position).toBe(14);
    expect(err.message).toMatch(/^watch query: position 14: expected .* after AND/);
  });

  it('names the "(" that is never closed', () => {
    const err = syntaxError('(a OR b');
    expect(err.position).toBe(8);
    expect(err.reason).toContain('close the "(" at position 1');
  });

  it('names a ")" that closes nothing', () => {
    expect(syntaxError('a ) b').position).toBe(3);
    expect(syntaxError('a ) b').reason).toContain('closes no "("');
  });

  it('names an unclosed quote, an empty query, doubled operators and empty groups', () => {
    expect(syntaxError('a "b c').position).toBe(3);
    expect(syntaxError('   ').reason).toBe('the query is empty');
    expect(syntaxError('a OR OR b').position).toBe(6);
    expect(syntaxError('a ()').reason).toContain('inside the parentheses');
    expect(syntaxError('a "🙂"').reason).toContain('no letter or digit');
  });

  it('is a ValidationError, for the API and config messages', () => {
    const err = syntaxError('NOT');
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.code).toBe('validation_failed');
  });
});

describe('matchesQuery', () => {
  it('matches bare words on their stem, accents and case aside', () => {
    expect(matches('livraison', 'Deux LIVRAISONS ratées', 'fr')).toBe(true);
    expect(matches('déçu', 'trop decu', 'fr')).toBe(true);
    expect(matches('refund', 'they refunded me', 'en')).toBe(true);
  });

  it('matches quoted phrases on exact consecutive words only', () => {
    expect(matches('"offre d\'emploi"', 'Nouvelle Offre d’Emploi !')).toBe(true);
    expect(matches('"offre d\'emploi"', "offres d'emploi")).toBe(false);
    expect(matches('"offre d\'emploi"', 'offre pour un emploi')).toBe(false);
    expect(matches('"recrute"', 'ils devraient recruter', 'fr')).toBe(false);
  });

  it('finds words after an elision', () => {
    expect(matches('accueil', "l'accueil était glacial", 'fr')).toBe(true);
  });

  it('evaluates AND, OR, NOT and groups', () => {
    const q = '(livraison OR colis) NOT retard';
    expect(matches(q, 'colis reçu', 'fr')).toBe(true);
    expect(matches(q, 'colis en retard', 'fr')).toBe(false);
    expect(matches(q, 'rien à voir', 'fr')).toBe(false);
  });

  it('uses the stems of the text language, or both when it is unknown', () => {
    // "réservée" and "réservation" share a stem in French only.
    expect(matches('réservation', 'table réservée', 'fr')).toBe(true);
    expect(matches('réservation', 'table réservée', 'und')).toBe(true);
    expect(matches('réservation', 'table réservée', 'en')).toBe(false);
  });
});

describe('the default watch query', () => {
  const watch = parseQuery(loadTouchpointsFile().watch);
  const relevant = (text: string, lang: string): boolean => matchesQuery(watch, text, lang);

  it('keeps texts naming the brand, a product or a handle', () => {
    expect(relevant('Livraison nulle chez Maison Lumière', 'fr')).toBe(true);
    expect(relevant('@maisonlumiere where is my parcel?', 'en')).toBe(true);
    expect(relevant("Maison Lumière's website is down", 'en')).toBe(true);
    expect(relevant('Brunch au Café Lumière', 'fr')).toBe(true);
  });

  it('drops texts that do not name it', () => {
    expect(relevant('Ma livraison Amazon a du retard', 'fr')).toBe(false);
    expect(relevant('La lumière de la chambre ne marche pas', 'fr')).toBe(false);
  });

  it('really excludes job ads, whatever else they say', () => {
    expect(relevant('Maison Lumière recrute un vendeur en CDI, postulez !', 'fr')).toBe(false);
    expect(relevant('Offre d’emploi : Maison Lumière cherche un réceptionniste', 'fr')).toBe(false);
    expect(relevant("We're hiring! Maison Lumière store manager, apply now", 'en')).toBe(false);
    expect(relevant('Maison Lumière is hiring baristas', 'en')).toBe(false);
  });

  it('keeps customers who merely talk about staffing', () => {
    expect(relevant('Maison Lumière devrait recruter plus de vendeurs', 'fr')).toBe(true);
    expect(relevant('Good job Maison Lumière, parcel on time', 'en')).toBe(true);
  });

  it('drops the homonym film, not the café', () => {
    expect(relevant('Café Lumière, le film de Hou Hsiao-hsien', 'fr')).toBe(false);
    expect(relevant('Café Lumière: great coffee, slow service', 'en')).toBe(true);
  });
});
