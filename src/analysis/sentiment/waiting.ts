/**
 * Waiting is a complaint in customer talk even without an opinion word. Three constructions of
 * general usage, in French and English, each around a duration ("trois semaines", "40 min",
 * "two weeks", "ages"):
 * 1. a wait verb before it: "la livraison a pris trois semaines", "waited 40 minutes", "attente
 *    depuis 10 jours"; not when the duration is said to be short ("only took 2 days", "n'a pris
 *    que 5 minutes");
 * 2. an absence or a wait after it: "six days and still nothing", "deux semaines et toujours
 *    rien", "10 jours sans nouvelles", "45 minutes d'attente", "a 20-minute wait", "3 days late";
 * 3. elapsed time as a statement: "it has been two weeks", "ça fait 10 jours (que j'attends)";
 *    or as the price of something: "45 minutes for a coffee", "10 jours pour un coussin".
 * Years are not a wait: "ça fait deux ans que je viens" speaks of loyalty.
 *
 * The patterns are costly on long texts, so they only read a window of words around each unit
 * of time that a cheap scan finds.
 */

const NUMBER =
  '\\d+|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|cinquante|plusieurs|quelques|bonnes|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|several|many|a few|a couple of|couple of';
/** "a day", "une semaine"; not "a minute", which is no wait ("wait a minute"). */
const ONE = 'a|an|one|un|une|1';
const LONG_UNIT = 'heures?|hours?|hrs?|h|jours?|days?|j|semaines?|weeks?|mois|months?';
const SHORT_UNIT = 'minutes?|mins?|mn';
const FILLER = '(?:long|longues?|bonnes?|whole|full|entières?|entiers?)\\s+';
/** Durations long in themselves: "for ages", "des semaines", "une éternité". */
const VAGUE =
  'ages|forever|an eternity|une [ée]ternit[ée]|des heures|des jours|des semaines|des mois';
/** Bare plurals ("waited hours") are durations only after a wait verb ("opening hours" is not). */
const BARE = 'hours|days|weeks|months';
const COUNTED = `(?:${NUMBER}|${ONE})\\s*-?\\s*(?:${FILLER})?(?:${LONG_UNIT})|(?:${NUMBER})\\s*-?\\s*(?:${SHORT_UNIT})`;
const DURATION = `(?:${COUNTED}|${VAGUE})(?![\\p{L}])`;
const WAITED_DURATION = `(?:${COUNTED}|${VAGUE}|${BARE})(?![\\p{L}])`;

const WAIT_VERB =
  'pris|prend|prennent|prendre|mis|met|mettent|attendu|attends|attend|attendons|attendre|attente|patienté|poireauté|took|take|takes|taken|taking|waited|waiting|wait|queued|queuing|queueing|on hold|pending|en cours|en suspens';
/** Words saying the duration was short: then it is no complaint. */
const SHORT =
  /(?:^|\s)(?:only|just|barely|less|under|within|seulement|juste|que|qu'|moins|à peine|max|maximum)(?:\s|$)/u;

/** 1. Wait verb, up to two words (group 1), duration. */
const VERB_THEN_DURATION = new RegExp(
  `(?<![\\p{L}])(?:${WAIT_VERB})[\\s"»«”“]+((?:[\\p{L}']+\\s+){0,2}?)(?:${WAITED_DURATION})`,
  'gu',
);
/** The word just before a position ("only" in "only took 2 days"). */
const WORD_BEFORE = /([\p{L}']+)\s*$/u;
/** 2. Duration, then an absence or a wait. */
const DURATION_THEN_ABSENCE = new RegExp(
  `(?<![\\p{L}])(?:${DURATION})[\\s,]+(?:(?:and|et|now|maintenant|later|plus tard|after|après|déjà|already)[\\s,]+)?(?:still|toujours|nothing|rien|nobody|personne|never|jamais|(?:no|not|aucun|aucune|pas|sans|without)(?!\\s+(?:de\\s+|any\\s+)?(?:problems?|issues?|complaints?|probl[èe]mes?|soucis?))|waiting|of waiting|wait|d'attente|de queue|in line|in the queue|on hold|late|en retard|de retard|delay)(?![\\p{L}])`,
  'u',
);
/** 3. Elapsed time said as such, ending the sentence or followed by what has been waited for. */
const ELAPSED = new RegExp(
  `(?:it's been|it has been|it had been|it's now been|been waiting|ça fait|ca fait|cela fait|ça va faire|ca va faire|voilà|voila)\\s+(?:(?:over|more than|plus de|presque|almost|nearly)\\s+)?(?:${DURATION})\\s*(?:$|[.!?…,;:)]|now|already|déjà|maintenant|since|que|qu'|and|et)`,
  'u',
);

/**
 * 3b. A duration as what something cost: "40 minutes for a flat white", "2 h pour deux cafés";
 * not a rate ("7 days a week for the neighbourhood").
 */
const DURATION_FOR = new RegExp(
  `(?<![\\p{L}])(?<!(?:days?|hours?|jours?|heures?|times?|fois)\\s+)(?:${DURATION})\\s+(?:for|pour|pr)\\s+(?:a|an|one|two|my|our|the|un|une|deux|mon|ma|mes|notre|nos|le|la|les|des|\\d+)\\s`,
  'u',
);

/**
 * What any wait names, as one plain alternation: the cheapest first look (most texts name no unit
 * of time and skip everything else).
 */
export const WAIT_HINT =
  /day|week|month|hour|minut|jour|semaine|mois|heure| ages|forever|ternit|\d\s*[hjm]/;
/** Units of time on word boundaries, where the patterns below are read. */
const TIME_UNIT =
  /(?<![a-zà-ÿ])(?:jours?|semaines?|mois|heures?|days?|weeks?|months?|hours?|hrs?|minutes?|mins?|mn|ages|forever|[ée]ternit[ée]|eternity)(?![a-zà-ÿ])|\d\s*(?:h|j|min|mn)(?![a-zà-ÿ])/g;
/** Characters read before and after a unit: a wait verb, two words, a number; an absence. */
const BEFORE = 70;
const AFTER = 60;
const WORD_CHAR = /[\p{L}']/u;

/** Polarity (AFINN scale) to add for waiting; as strong as "problem" plus. */
export const WAIT_POLARITY = -2.5;
/** Elapsed time alone ("it has been two weeks") says less than a wait verb. */
export const ELAPSED_POLARITY = -2;

/** The waiting a text complains of, as a polarity to add to its sum (0 when none). */
export function waitingPolarity(lower: string): number {
  let found = 0;
  TIME_UNIT.lastIndex = 0;
  for (let u = TIME_UNIT.exec(lower); u !== null; u = TIME_UNIT.exec(lower)) {
    const at = u.index;
    let start = Math.max(0, at - BEFORE);
    // Start on a word boundary: "compris 3 jours" must not read as "pris 3 jours".
    while (start > 0 && start < at && WORD_CHAR.test(lower[start - 1] ?? '')) start++;
    const p = windowPolarity(lower.slice(start, Math.min(lower.length, at + AFTER)));
    if (p === WAIT_POLARITY) return p;
    if (p !== 0) found = p;
  }
  return found;
}

function windowPolarity(w: string): number {
  for (const m of w.matchAll(VERB_THEN_DURATION)) {
    const before = WORD_BEFORE.exec(w.slice(Math.max(0, m.index - 20), m.index))?.[1] ?? '';
    if (!SHORT.test(` ${before} ${m[1] ?? ''}`)) return WAIT_POLARITY;
  }
  if (DURATION_THEN_ABSENCE.test(w)) return WAIT_POLARITY;
  if (ELAPSED.test(w) || DURATION_FOR.test(w)) return ELAPSED_POLARITY;
  return 0;
}
