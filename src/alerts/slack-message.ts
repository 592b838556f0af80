/**
 * An alert as a Slack Block Kit message, in the channel's language. Pure: the notifier posts it.
 */
import type { Alert } from '../domain/alert.js';

const TEXT = {
  en: {
    title: 'Negative word of mouth',
    why: (n: number, t: number, from: string, to: string) =>
      `*${n}* negative mentions between ${from} and ${to} (threshold ${t}).`,
    open: 'Open the alert',
    severity: 'Severity',
  },
  fr: {
    title: 'Bouche-à-oreille négatif',
    why: (n: number, t: number, from: string, to: string) =>
      `*${n}* mentions négatives entre ${from} et ${to} (seuil ${t}).`,
    open: "Ouvrir l'alerte",
    severity: 'Gravité',
  },
} as const;

export function slackMessage(alert: Alert, opts: { lang: 'fr' | 'en'; alertUrl: string }) {
  const t = TEXT[opts.lang];
  const fmt = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  const why = t.why(
    alert.evidence.negative,
    alert.evidence.threshold,
    fmt(alert.windowStart),
    fmt(alert.windowEnd),
  );
  return {
    text: `${t.title}: ${alert.title} (${alert.severity})`,
    blocks: [
      {
        type: 'header',
        text: { type: 'plain_text', text: `${t.title}: ${alert.title}`.slice(0, 150) },
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${t.severity}: *${alert.severity}*\n${why}` },
      },
      ...alert.evidence.quotes.map((q) => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `> ${escape(q.quote)}\n— ${escape(q.author)}, <${linkTarget(q.url)}|${escape(q.source)}>`,
        },
      })),
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: t.open }, url: opts.alertUrl },
        ],
      },
    ],
  };
}

/** A URL inside Slack's <url|label> syntax: |, < and > would end it early. */
function linkTarget(url: string): string {
  return url.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** Slack mrkdwn treats &, < and > as markup. */
function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');
}
