/**
 * Paying twice is a complaint even when said flatly: "débité deux fois", "prélevé 2 fois pour une
 * seule commande", "they charged my card twice", "double charged", "double prélèvement". A charge
 * verb followed within three words by "twice" (or "deux fois", "2x"...), or "double" next to a
 * charge word, adds DOUBLE_CHARGE_POLARITY to the text's sum. Paying in instalments is not paying
 * twice: "payé en 2 fois" does not count.
 */

const CHARGE =
  /(?:^|[^\p{L}])(?:débité|débitée|débités|débitées|debite|debitee|prélevé|prélevée|preleve|prelevee|facturé|facturée|facture|encaissé|encaissée|encaisse|payé|payée|paye|charged|billed|debited|paid)\s+(?:(?!en\s)[\p{L}\d'’€$£.,]+\s+){0,3}?$/u;
/** What any double charge names, as one plain alternation: the cheapest first look. */
export const CHARGE_HINT = /twice| times|fois|2x|x2|double/;
/** "Twice" and its forms, looked for before the charge verbs, which are far more common. */
const TWICE = ['twice', 'two times', '2 times', 'deux fois', '2 fois', '2x', 'x2'];
const DOUBLE =
  /double[- ]?(?:charged|charge|charges|billed|billing|payment|débit|prélèvement|facturation|paiement|encaissement)(?![\p{L}])/u;
/** Characters read before "twice" for the charge verb and up to three words. */
const BEFORE = 60;

/** As strong as "scam" in the lexicons' scale, a little less: a grievance, not yet fraud. */
export const DOUBLE_CHARGE_POLARITY = -3;

/** The polarity to add to a text's sum for a double charge (0 when none). */
export function doubleChargePolarity(lower: string): number {
  for (const twice of TWICE) {
    for (let at = lower.indexOf(twice); at >= 0; at = lower.indexOf(twice, at + 1)) {
      // A word of its own: not "12 fois", "2xl", "max2".
      if (isWordChar(lower.charCodeAt(at - 1)) || isLetter(lower.charCodeAt(at + twice.length)))
        continue;
      if (CHARGE.test(lower.slice(Math.max(0, at - BEFORE), at))) return DOUBLE_CHARGE_POLARITY;
    }
  }
  return lower.includes('double') && DOUBLE.test(lower) ? DOUBLE_CHARGE_POLARITY : 0;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 0xc0 && c <= 0x24f);
}

function isWordChar(c: number): boolean {
  return isLetter(c) || (c >= 48 && c <= 57);
}
