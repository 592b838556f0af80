/**
 * The words every notification channel shares, in French and English: what an alert event is
 * called, the journey's stages, severities, and the digest's sentences, and the facts of a
 * message as each channel reads them (`alertWords`, `digestWords`). The evidence sentences come
 * from ./explain.ts. Each channel (Slack's Block Kit, Teams' Adaptive Card, e-mail) keeps only its
 * own format and escaping: nothing here is escaped. Pure.
 */
import type { Alert, AlertEvent, AlertQuote } from '../domain/alert.js';
import type { Severity } from '../domain/vocabulary.js';
import type { Digest } from './digest.js';
import { explainAlert, type Explanation, type Lang } from './explain.js';

export type { Lang };

/** The journey's stages as people name them. */
export const STAGE_NAMES: Record<string, { fr: string; en: string }> = {
  discover: { fr: 'Découverte', en: 'Discover' },
  consider: { fr: 'Considération', en: 'Consider' },
  buy: { fr: 'Achat', en: 'Buy' },
  receive: { fr: 'Réception', en: 'Receive' },
  'get-help': { fr: 'Assistance', en: 'Get help' },
  'stay-loyal': { fr: 'Fidélité', en: 'Stay loyal' },
};

/** A stage's name; a stage outside the journey (an old digest's, or none) reads as its id. */
export function stageName(stage: string, lang: Lang): string {
  return STAGE_NAMES[stage]?.[lang] ?? stage;
}

export const TEXT = {
  en: {
    opened: 'Negative word of mouth',
    escalated: 'Getting worse',
    reopened: 'Back again',
    resolved: 'Resolved',
    ops: 'Operational alert',
    stage: 'stage',
    severity: { info: 'info', warning: 'warning', critical: 'critical' },
    severityLabel: 'Severity',
    touchpointLabel: 'Touchpoint',
    stageLabel: 'Stage',
    sourceLabel: 'Source',
    quotesLabel: 'What people wrote',
    open: 'Open the alert',
    resolvedText: (title: string) => `Over: ${title}.`,
    digest: (date: string) => `Daily digest, ${date}`,
    digestTop: 'Touchpoints with the most negative mentions (last 24 h, vs the 24 h before)',
    digestNone: 'No negative mention in the last 24 hours.',
    digestOpen: (n: number) => `Open alerts: ${n}`,
    digestNoOpen: 'No open alert.',
    digestTotal: (n: string, p: string) => `${n} negative mentions in all (${p} the day before).`,
    more: (n: string) => `…and ${n} more.`,
    /** Between a label and its value. */
    colon: ': ',
    sentBy: 'Sent by Maillon.',
  },
  fr: {
    opened: 'Bouche-à-oreille négatif',
    escalated: "Ça s'aggrave",
    reopened: 'De retour',
    resolved: 'Résolu',
    ops: 'Alerte opérationnelle',
    stage: 'étape',
    severity: { info: 'info', warning: 'avertissement', critical: 'critique' },
    severityLabel: 'Gravité',
    touchpointLabel: 'Point de contact',
    stageLabel: 'Étape',
    sourceLabel: 'Source',
    quotesLabel: 'Ce que les gens ont écrit',
    open: "Ouvrir l'alerte",
    resolvedText: (title: string) => `Terminé : ${title}.`,
    digest: (date: string) => `Résumé du jour, ${date}`,
    digestTop:
      'Points de contact les plus critiqués (24 dernières heures, vs les 24 h précédentes)',
    digestNone: 'Aucune mention négative ces 24 dernières heures.',
    digestOpen: (n: number) => `Alertes ouvertes : ${n}`,
    digestNoOpen: 'Aucune alerte ouverte.',
    digestTotal: (n: string, p: string) => `${n} mentions négatives en tout (${p} la veille).`,
    more: (n: string) => `…et ${n} de plus.`,
    colon: '\u00a0: ',
    sentBy: 'Envoyé par Maillon.',
  },
} as const;

/** The touchpoint's name in the channel's language, or the alert's title. */
export function alertSubject(alert: Alert, lang: Lang): string {
  return alert.touchpoint ? alert.touchpoint.label[lang] : alert.title;
}

/** An alert event as every channel tells it, before any format or escaping. */
export interface AlertWords {
  /** The event ends the alert: one line says so, not the whole case again. */
  resolved: boolean;
  operational: boolean;
  severity: Severity;
  /** The severity in the channel's language. */
  severityWord: string;
  /** The touchpoint's name, or the alert's title. */
  subject: string;
  /** The touchpoint's stage, named; absent for operational alerts. */
  stage?: string;
  /**
   * The message's heading: "Negative word of mouth: Delivery · stage Receive", "Operational
   * alert: ...", "Resolved: Delivery".
   */
  title: string;
  /** One line for previews, subjects and notifications: the heading and the severity. */
  line: string;
  /** The headline sentence and the details (./explain.ts). */
  explanation: Explanation;
  /** "Over: Delivery." for a resolution. */
  resolvedText: string;
  /** The three quotes with the widest reach. */
  quotes: AlertQuote[];
}

export function alertWords(
  alert: Alert,
  event: AlertEvent,
  opts: { lang: Lang; timeZone: string },
): AlertWords {
  const t = TEXT[opts.lang];
  const subject = alertSubject(alert, opts.lang);
  const severity = event.severity ?? alert.severity;
  const severityWord = t.severity[severity];
  const operational = alert.kind === 'operational';
  const stage = alert.touchpoint ? stageName(alert.touchpoint.stage, opts.lang) : undefined;
  const base = {
    operational,
    severity,
    severityWord,
    subject,
    ...(stage === undefined ? {} : { stage }),
    explanation: explainAlert(alert, opts),
    resolvedText: t.resolvedText(subject),
    quotes: alert.evidence.quotes.toSorted((a, b) => b.reach - a.reach).slice(0, 3),
  };
  if (event.kind === 'resolved') {
    const title = `${t.resolved}: ${subject}`;
    return { ...base, resolved: true, title, line: title };
  }
  let title: string;
  if (operational) title = `${t.ops}: ${alert.title}`;
  else {
    const head = event.kind === 'opened' ? t.opened : t[event.kind as 'escalated' | 'reopened'];
    title = `${head}: ${subject}${stage === undefined ? '' : ` · ${t.stage} ${stage}`}`;
  }
  return { ...base, resolved: false, title, line: `${title} (${severityWord})` };
}

/** A digest as every channel tells it, before any format or escaping. */
export interface DigestWords {
  title: string;
  /** The heading of the top touchpoints, or the sentence saying there is none. */
  topHeading: string;
  top: {
    label: string;
    stage: string;
    /** Formatted for the channel's language. */
    negatives: string;
    previous: string;
    trend: 'up' | 'down' | 'flat';
  }[];
  /** "13 negative mentions in all (9 the day before)."; empty when there is no top. */
  total: string;
  /** The heading of the open alerts, or the sentence saying there is none. */
  openHeading: string;
  open: {
    /** The touchpoint's name, or the alert's title. */
    subject: string;
    severityWord: string;
    /** The alert's link as stored in the digest (not checked: each channel checks it). */
    url: string;
    /** Digests stored before headlines existed have none. */
    headline?: string;
  }[];
}

export function digestWords(digest: Digest, lang: Lang): DigestWords {
  const t = TEXT[lang];
  const fmt = numberFormat(lang);
  const hasTop = digest.top.length > 0;
  const hasOpen = digest.openAlerts.length > 0;
  return {
    title: t.digest(digest.date),
    topHeading: hasTop ? t.digestTop : t.digestNone,
    top: digest.top.map((tp) => ({
      label: tp.label[lang],
      stage: stageName(tp.stage, lang),
      negatives: fmt.format(tp.negatives),
      previous: fmt.format(tp.previous),
      trend: tp.negatives > tp.previous ? 'up' : tp.negatives < tp.previous ? 'down' : 'flat',
    })),
    total: hasTop
      ? t.digestTotal(fmt.format(digest.totalNegatives), fmt.format(digest.totalPrevious))
      : '',
    openHeading: hasOpen ? t.digestOpen(digest.openAlerts.length) : t.digestNoOpen,
    open: digest.openAlerts.map((a) => ({
      subject: a.touchpoint ? a.touchpoint.label[lang] : a.title,
      severityWord: t.severity[a.severity],
      url: a.url,
      ...(a.headline ? { headline: a.headline[lang] } : {}),
    })),
  };
}

/** Numbers as the language writes them ("1,5" in French), one decimal at most. */
export function numberFormat(lang: Lang): Intl.NumberFormat {
  return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
}

/** The URL if it is a valid http(s) URL (normalised), else null: only those become links. */
export function httpUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
}
