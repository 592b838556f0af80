/**
 * An alert's evidence in the words a community manager uses, in French and English: "Delivery:
 * 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day". One renderer for every
 * channel (Slack, webhooks, the digest, the API and so the dashboard), fed by the alert's own
 * facts, so the sentences and the JSON always give the same numbers. Times are read on the
 * brand's clock (`brand.timeZone` in touchpoints.yaml). Pure.
 *
 * The touchpoint's label leads ("Livraison : 13 plaintes...") rather than following a
 * preposition: labels come from touchpoints.yaml without their grammatical gender or article.
 */
import type { Alert, AlertFacts, OutageFacts } from '../domain/alert.js';

export type Lang = 'fr' | 'en';

/** The alert's explanation: one headline sentence, then the details worth knowing. */
export interface Explanation {
  headline: string;
  details: string[];
}

/** A text in both languages, as the API, webhooks and the digest carry it. */
export interface Summary {
  fr: string;
  en: string;
}

/** What the renderer reads of an alert. */
export type Explainable = Pick<Alert, 'kind' | 'title' | 'status' | 'evidence'> &
  Partial<Pick<Alert, 'touchpoint' | 'sourceId'>>;

export interface ExplainOptions {
  lang: Lang;
  /** IANA time zone of the brand, for the hours people read. */
  timeZone: string;
}

export function explainAlert(alert: Explainable, opts: ExplainOptions): Explanation {
  const ev = alert.evidence;
  if (alert.kind === 'operational')
    return ev.outage
      ? outage(alert.sourceId ?? alert.title, ev.outage, opts)
      : { headline: sentence(alert.title), details: [] };
  const label = alert.touchpoint?.label[opts.lang] ?? alert.title;
  return ev.facts
    ? wave(label, ev.facts, alert.status === 'resolved', opts)
    : legacy(label, alert.evidence, opts);
}

/** Headline and details, as one text per language. */
export function summarize(alert: Explainable, timeZone: string): Summary {
  const text = (lang: Lang) => {
    const e = explainAlert(alert, { lang, timeZone });
    return [e.headline, ...e.details].join(' ');
  };
  return { fr: text('fr'), en: text('en') };
}

/** The headline alone, in both languages (the digest's one line per alert). */
export function headlines(alert: Explainable, timeZone: string): Summary {
  return {
    fr: explainAlert(alert, { lang: 'fr', timeZone }).headline,
    en: explainAlert(alert, { lang: 'en', timeZone }).headline,
  };
}

/** The alert as the API serves it: with its `summary` in both languages. */
export function presentAlert<A extends Explainable>(
  alert: A,
  timeZone: string,
): A & { summary: Summary } {
  return { ...alert, summary: summarize(alert, timeZone) };
}

// ---- weak-link waves -------------------------------------------------------------------------

function wave(
  label: string,
  f: AlertFacts,
  over: boolean,
  { lang, timeZone }: ExplainOptions,
): Explanation {
  const n = num(lang);
  const one = plural(lang);
  const last = new Date(f.until.getTime() - 1);
  const complaints = (k: number) =>
    lang === 'fr'
      ? `${n(k)} ${one(k) ? 'plainte' : 'plaintes'}`
      : `${n(k)} ${one(k) ? 'complaint' : 'complaints'}`;
  const people = (k: number) =>
    lang === 'fr'
      ? `${n(k)} ${one(k) ? 'personne' : 'personnes'}`
      : `${n(k)} ${one(k) ? 'person' : 'people'}`;
  const sites = (k: number) => `${n(k)} ${one(k) ? 'site' : 'sites'}`;
  const when = over
    ? lang === 'fr'
      ? `de ${instant(f.since, last, lang, timeZone)} à ${instant(last, f.since, lang, timeZone, f.until)}`
      : `from ${instant(f.since, last, lang, timeZone)} to ${instant(last, f.since, lang, timeZone, f.until)}`
    : lang === 'fr'
      ? `depuis ${instant(f.since, last, lang, timeZone)}`
      : `since ${instant(f.since, last, lang, timeZone)}`;
  const headline =
    lang === 'fr'
      ? `${label} : ${complaints(f.negatives)} ${when}, de ${people(f.authors)} sur ${sites(f.sources)} ; ${usually(f.usualPerDay, lang)}.`
      : `${label}: ${complaints(f.negatives)} ${when} from ${people(f.authors)} on ${sites(f.sources)}, ${usually(f.usualPerDay, lang)}.`;

  const details: string[] = [];
  if (f.negativeShare > 0) {
    const share = pct(f.negativeShare, lang);
    const usual = pct(f.usualShare, lang);
    details.push(
      lang === 'fr'
        ? `${share} des mentions à ce sujet sont négatives, d'habitude ${usual}.`
        : `${share} of mentions about it are negative, usually ${usual}.`,
    );
  }
  const expected = round1(f.expected);
  details.push(
    lang === 'fr'
      ? `Sur ces mêmes heures, on en attend d'habitude ${expected === 0 ? 'aucune' : n(expected)}.`
      : `Over the same hours, ${expected === 0 ? 'none' : n(expected)} would be usual.`,
  );
  const top = Math.round(f.topAuthorShare * f.negatives);
  if (f.authors > 1 && top >= 2)
    details.push(
      lang === 'fr'
        ? `Une même personne en a écrit ${n(top)}.`
        : `One person wrote ${n(top)} of them.`,
    );
  if (f.counted < f.negatives)
    details.push(
      lang === 'fr'
        ? `${n(f.counted)} d'entre elles ${one(f.counted) ? 'compte' : 'comptent'} comme preuve : les répétitions d'une même personne ou d'un même texte comptent moins.`
        : `${n(f.counted)} of them ${one(f.counted) ? 'counts' : 'count'} as evidence: repeats by one person or of one text count less.`,
    );
  if (f.reshares > 0)
    details.push(
      lang === 'fr'
        ? `${f.negatives > 1 ? 'Partagées' : 'Partagée'} ${f.reshares === 1 ? 'une fois' : `${n(f.reshares)} fois`}.`
        : `Shared ${f.reshares === 1 ? 'once' : `${n(f.reshares)} times`}.`,
    );
  if (f.contagion > 0)
    details.push(
      lang === 'fr'
        ? one(f.contagion)
          ? `${n(f.contagion)} autre point de contact monte en même temps.`
          : `${n(f.contagion)} autres points de contact montent en même temps.`
        : one(f.contagion)
          ? `${n(f.contagion)} other touchpoint is rising at the same time.`
          : `${n(f.contagion)} other touchpoints are rising at the same time.`,
    );
  return { headline, details };
}

/** "usually 1 a day", "usually less than 1 a day" for a touchpoint rarely criticised. */
function usually(perDay: number, lang: Lang): string {
  if (perDay <= 0) return lang === 'fr' ? "d'habitude aucune" : 'usually none';
  if (perDay < 1)
    return lang === 'fr' ? "d'habitude moins d'une par jour" : 'usually less than 1 a day';
  const v = perDay < 10 ? round1(perDay) : Math.round(perDay);
  return lang === 'fr' ? `d'habitude ${num(lang)(v)} par jour` : `usually ${num(lang)(v)} a day`;
}

/** Alerts stored before facts existed: the numbers they have, in the same words. */
function legacy(label: string, ev: Alert['evidence'], { lang }: ExplainOptions): Explanation {
  const n = num(lang);
  const one = plural(lang);
  const expected = round1(ev.expected);
  const headline =
    lang === 'fr'
      ? `${label} : ${n(ev.observed)} ${one(ev.observed) ? 'mention négative' : 'mentions négatives'} pour ${n(expected)} ${one(expected) ? 'attendue' : 'attendues'}, de ${n(ev.authors)} ${one(ev.authors) ? 'personne' : 'personnes'} sur ${n(ev.sources.length)} ${one(ev.sources.length) ? 'site' : 'sites'}.`
      : `${label}: ${n(ev.observed)} negative ${one(ev.observed) ? 'mention' : 'mentions'} against ${n(expected)} expected, from ${n(ev.authors)} ${one(ev.authors) ? 'person' : 'people'} on ${n(ev.sources.length)} ${one(ev.sources.length) ? 'site' : 'sites'}.`;
  const details =
    ev.negativeShare > 0
      ? [
          lang === 'fr'
            ? `${pct(ev.negativeShare, lang)} des mentions à ce sujet sont négatives.`
            : `${pct(ev.negativeShare, lang)} of mentions about it are negative.`,
        ]
      : [];
  return { headline, details };
}

// ---- operational alerts ----------------------------------------------------------------------

function outage(sourceId: string, o: OutageFacts, { lang, timeZone }: ExplainOptions): Explanation {
  const n = num(lang);
  const since = instant(o.since, o.checkedAt, lang, timeZone);
  const lasted = duration(o.checkedAt.getTime() - o.since.getTime(), lang);
  if (o.problem === 'failing') {
    const failures =
      lang === 'fr'
        ? `${n(o.failures)} ${o.failures === 1 ? 'échec' : 'échecs'}`
        : `${n(o.failures)} ${o.failures === 1 ? 'failure' : 'failures'}`;
    const headline =
      lang === 'fr'
        ? `Source ${sourceId} : aucune lecture réussie depuis ${since} (soit ${lasted}), ${failures} d'affilée.`
        : `Source ${sourceId}: no successful poll since ${since} (for ${lasted}), ${failures} in a row.`;
    const details = o.lastError
      ? [lang === 'fr' ? `Dernière erreur : ${o.lastError}.` : `Last error: ${o.lastError}.`]
      : [];
    return { headline, details };
  }
  const every = duration(o.usualGapMs, lang);
  const after = duration(o.thresholdMs, lang);
  return lang === 'fr'
    ? {
        headline: `Source ${sourceId} : aucune nouvelle mention depuis ${since} (soit ${lasted}).`,
        details: [`D'habitude il en arrive toutes les ${every} ; silencieuse au-delà de ${after}.`],
      }
    : {
        headline: `Source ${sourceId}: no new mention since ${since} (for ${lasted}).`,
        details: [`New mentions usually arrive every ${every}; silent after ${after}.`],
      };
}

// ---- words for numbers, shares, hours and durations ------------------------------------------

const LOCALE: Record<Lang, string> = { fr: 'fr-FR', en: 'en-GB' };

function num(lang: Lang): (x: number) => string {
  const f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 1 });
  return (x) => f.format(x);
}

function plural(lang: Lang): (x: number) => boolean {
  const rules = new Intl.PluralRules(LOCALE[lang]);
  return (x) => rules.select(x) === 'one';
}

function pct(share: number, lang: Lang): string {
  return new Intl.NumberFormat(LOCALE[lang], {
    style: 'percent',
    maximumFractionDigits: 0,
  }).format(share);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function sentence(s: string): string {
  return /[.!?]$/.test(s) ? s : `${s}.`;
}

/** The local wall-clock parts of an instant in a time zone. */
function parts(at: Date, lang: Lang, timeZone: string): Record<string, string> {
  return Object.fromEntries(
    new Intl.DateTimeFormat(LOCALE[lang], {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  ) as Record<string, string>;
}

/**
 * An hour as people say it ("10:00", "10 h 15"), with its day when it is not the day of
 * `reference` ("Mon 23 Nov 22:00", "lun. 23 nov. à 22 h"). `shown` replaces `at` for the
 * words when the instant is an exclusive end (the end of a window reads as its round hour).
 */
function instant(
  at: Date,
  reference: Date,
  lang: Lang,
  timeZone: string,
  shown: Date = at,
): string {
  const p = parts(at, lang, timeZone);
  const r = parts(reference, lang, timeZone);
  const s = parts(shown, lang, timeZone);
  const time =
    lang === 'fr'
      ? `${Number(s.hour)} h${s.minute === '00' ? '' : ` ${s.minute}`}`
      : `${s.hour}:${s.minute}`;
  const sameDay = p.day === r.day && p.month === r.month && p.year === r.year;
  if (sameDay) return time;
  // The date of the instant shown: a window ending at midnight ends on the next day's 00:00.
  return lang === 'fr'
    ? `${s.weekday} ${s.day} ${s.month} à ${time}`
    : `${s.weekday} ${s.day} ${s.month} ${time}`;
}

function duration(ms: number, lang: Lang): string {
  const m = Math.max(1, Math.round(ms / 60_000));
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h`;
  const d = Math.round(h / 24);
  return lang === 'fr' ? `${d} jours` : `${d} days`;
}
