/**
 * Alerts and digests as Slack Block Kit messages, in the channel's language. Pure: the notifier
 * posts them. The words are shared with the other channels (./messages.ts); this file holds
 * Slack's format: mrkdwn, its escaping (everything people wrote is escaped, and only http(s) URLs
 * become links) and Block Kit's limits.
 */
import type { Alert, AlertEvent } from '../domain/alert.js';
import type { Digest } from './digest.js';
import { alertWords, digestWords, httpUrl, TEXT, type Lang } from './messages.js';

export type { Lang };
export { alertSubject } from './messages.js';

export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
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
  const w = alertWords(alert, event, opts);

  // An ending needs one line, not the whole case again.
  if (w.resolved) {
    return {
      text: w.line,
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `:white_check_mark: ${escape(w.resolvedText)}` },
        },
        button,
      ],
    };
  }

  // The same sentences as the webhook's summary and the dashboard: the headline in bold, then
  // the details, one a line.
  const explanation = [
    `${t.severityLabel}: *${w.severityWord}*`,
    `*${escape(w.explanation.headline)}*`,
    ...w.explanation.details.map((d) => `• ${escape(d)}`),
  ].join('\n');
  const head = [
    { type: 'header', text: { type: 'plain_text', text: clip(w.title, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: clip(explanation, 3000) } },
  ];
  if (w.operational) return { text: w.line, blocks: [...head, button] };

  const quotes = w.quotes.map((q) => {
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
  return { text: w.line, blocks: [...head, ...quotes, button] };
}

export function slackDigestMessage(digest: Digest, opts: { lang: Lang }): SlackMessage {
  const w = digestWords(digest, opts.lang);
  const arrow = { up: ':arrow_upper_right:', down: ':arrow_lower_right:', flat: '=' };
  const top = w.top.map(
    (tp) =>
      `• *${escape(tp.label)}* (${tp.stage}): ${tp.negatives} ${arrow[tp.trend]} ${tp.previous}`,
  );
  const open = w.open.map((a) => {
    const link = safeUrl(a.url);
    const title = escape(a.subject);
    const line = `• ${link ? `<${link}|${title}>` : title} (${a.severityWord})`;
    return a.headline ? `${line}\n   ${escape(a.headline)}` : line;
  });
  return {
    text: w.title,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(w.title, 150) } },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            top.length > 0 ? `*${w.topHeading}*\n${top.join('\n')}\n${w.total}` : w.topHeading,
            3000,
          ),
        },
      },
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: clip(
            open.length > 0 ? `*${w.openHeading}*\n${open.join('\n')}` : w.openHeading,
            3000,
          ),
        },
      },
    ],
  };
}

/** An http(s) URL fit for Slack's `<url|label>`, or null: | < > and spaces would end it early. */
export function safeUrl(url: string): string | null {
  const href = httpUrl(url);
  return href === null
    ? null
    : href.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E');
}

/** Slack mrkdwn treats &, < and > as markup; a newline would break out of a quote. */
export function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, ' ');
}

/** Slack refuses blocks over their limits (150 for a header, 3000 for a section). */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
