/**
 * Alerts and digests as Slack Block Kit messages, in the channel's language. Pure: the notifier
 * posts them. Everything people wrote is escaped, and only http(s) URLs become links.
 */
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { Digest } from './digest.js';
import { explainAlert, type Lang } from './explain.js';

export type { Lang };

const STAGES: Record<string, { fr: string; en: string }> = {
  discover: { fr: 'Découverte', en: 'Discover' },
  consider: { fr: 'Considération', en: 'Consider' },
  buy: { fr: 'Achat', en: 'Buy' },
  receive: { fr: 'Réception', en: 'Receive' },
  'get-help': { fr: 'Assistance', en: 'Get help' },
  'stay-loyal': { fr: 'Fidélité', en: 'Stay loyal' },
};

const TEXT = {
  en: {
    opened: 'Negative word of mouth',
    escalated: 'Getting worse',
    reopened: 'Back again',
    resolved: 'Resolved',
    ops: 'Operational alert',
    stage: 'stage',
    severity: { info: 'info', warning: 'warning', critical: 'critical' },
    severityLabel: 'Severity',
    open: 'Open the alert',
    resolvedText: (title: string) => `Over: ${title}.`,
    digest: (date: string) => `Daily digest, ${date}`,
    digestTop: 'Touchpoints with the most negative mentions (last 24 h, vs the 24 h before)',
    digestNone: 'No negative mention in the last 24 hours.',
    digestOpen: (n: number) => `Open alerts: ${n}`,
    digestNoOpen: 'No open alert.',
    digestTotal: (n: string, p: string) => `${n} negative mentions in all (${p} the day before).`,
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
    open: "Ouvrir l'alerte",
    resolvedText: (title: string) => `Terminé : ${title}.`,
    digest: (date: string) => `Résumé du jour, ${date}`,
    digestTop:
      'Points de contact les plus critiqués (24 dernières heures, vs les 24 h précédentes)',
    digestNone: 'Aucune mention négative ces 24 dernières heures.',
    digestOpen: (n: number) => `Alertes ouvertes : ${n}`,
    digestNoOpen: 'Aucune alerte ouverte.',
    digestTotal: (n: string, p: string) => `${n} mentions négatives en tout (${p} la veille).`,
  },
} as const;

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

/** The touchpoint's name in the channel's language, or the alert's title. */
export function alertSubject(alert: Alert, lang: Lang): string {
  return alert.touchpoint ? alert.touchpoint.label[lang] : alert.title;
}

export function slackAlertMessage(
  alert: Alert,
  event: AlertEvent,
  opts: { lang: Lang; alertUrl: string; timeZone: string },
): SlackMessage {
  const t = TEXT[opts.lang];
  const button = {
    type: 'actions',
    elements: [
      {
        type: 'button',
        text: { type: 'plain_text', text: t.open },
        url: safeUrl(opts.alertUrl) ?? opts.alertUrl,
      },
    ],
  };
  const subject = alertSubject(alert, opts.lang);

  // An ending needs one line, not the whole case again.
  if (event.kind === 'resolved') {
    const text = `${t.resolved}: ${subject}`;
    return {
      text,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `:white_check_mark: ${escape(t.resolvedText(subject))}` },
        },
        button,
      ],
    };
  }

  const severity = event.severity ?? alert.severity;
  // The same sentences as the webhook's summary and the dashboard: the headline in bold, then
  // the details, one a line.
  const why = explainAlert(alert, opts);
  const explanation = [
    `${t.severityLabel}: *${t.severity[severity]}*`,
    `*${escape(why.headline)}*`,
    ...why.details.map((d) => `• ${escape(d)}`),
  ].join('\n');
  if (alert.kind === 'operational') {
    const header = `${t.ops}: ${alert.title}`;
    return {
      text: `${header} (${t.severity[severity]})`,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: clip(header, 150) } },
        { type: 'section', text: { type: 'mrkdwn', text: clip(explanation, 3000) } },
        button,
      ],
    };
  }

  const ev = alert.evidence;
  const stage = alert.touchpoint
    ? ` · ${t.stage} ${STAGES[alert.touchpoint.stage]?.[opts.lang] ?? alert.touchpoint.stage}`
    : '';
  const head = event.kind === 'opened' ? t.opened : t[event.kind as 'escalated' | 'reopened'];
  const header = `${head}: ${subject}${stage}`;
  const quotes = ev.quotes
    .toSorted((a, b) => b.reach - a.reach)
    .slice(0, 3)
    .map((q) => {
      const link = safeUrl(q.url);
      const where = link ? `<${link}|${escape(q.source)}>` : escape(q.source);
      return {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(`> ${escape(clip(q.quote, 500))}\n— ${escape(q.author)}, ${where}`, 3000),
        },
      };
    });
  return {
    text: `${header} (${t.severity[severity]})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(header, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(explanation, 3000) } },
      ...quotes,
      button,
    ],
  };
}

export function slackDigestMessage(digest: Digest, opts: { lang: Lang }): SlackMessage {
  const t = TEXT[opts.lang];
  const fmt = numberFormat(opts.lang);
  const arrow = (d: number) =>
    d > 0 ? ':arrow_upper_right:' : d < 0 ? ':arrow_lower_right:' : '=';
  const top = digest.top.map(
    (tp) =>
      `• *${escape(tp.label[opts.lang])}* (${STAGES[tp.stage]?.[opts.lang] ?? tp.stage}): ${fmt.format(tp.negatives)} ${arrow(tp.negatives - tp.previous)} ${fmt.format(tp.previous)}`,
  );
  const open = digest.openAlerts.map((a) => {
    const link = safeUrl(a.url);
    const title = escape(a.touchpoint ? a.touchpoint.label[opts.lang] : a.title);
    const line = `• ${link ? `<${link}|${title}>` : title} (${t.severity[a.severity]})`;
    // Digests stored before headlines existed have none.
    return a.headline ? `${line}\n   ${escape(a.headline[opts.lang])}` : line;
  });
  const header = t.digest(digest.date);
  return {
    text: header,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(header, 150) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            top.length > 0
              ? `*${t.digestTop}*\n${top.join('\n')}\n${t.digestTotal(fmt.format(digest.totalNegatives), fmt.format(digest.totalPrevious))}`
              : t.digestNone,
            3000,
          ),
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            open.length > 0
              ? `*${t.digestOpen(digest.openAlerts.length)}*\n${open.join('\n')}`
              : t.digestNoOpen,
            3000,
          ),
        },
      },
    ],
  };
}

/** An http(s) URL fit for Slack's `<url|label>`, or null: | < > and spaces would end it early. */
export function safeUrl(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  return u.href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** Slack mrkdwn treats &, < and > as markup; a newline would break out of a quote. */
export function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');
}

/** Slack refuses blocks over their limits (150 for a header, 3000 for a section). */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function numberFormat(lang: Lang): Intl.NumberFormat {
  return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', { maximumFractionDigits: 1 });
}
