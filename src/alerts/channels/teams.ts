/**
 * Microsoft Teams: alerts and digests as an Adaptive Card (1.4) posted to an incoming webhook, in
 * the channel's language. Both kinds of Teams webhook take the same body: a Workflows (Power
 * Automate) "post to a channel when a webhook request is received" flow, and the classic Office
 * 365 connector.
 *
 * Escaping: Teams renders a Markdown subset in a TextBlock and in a FactSet's facts, and its
 * clients honour backslash escapes inconsistently (microsoft/AdaptiveCards#8685). So no text
 * goes into those: every word is a TextRun of a RichTextBlock, which the schema renders as
 * written, without Markdown ("Removed markdown support from TextRun", microsoft/AdaptiveCards#2669).
 * What people wrote shows as they wrote it, `**` and `[x](y)` included, and links are only our
 * own (`selectAction`, http(s) URLs only).
 */
import { z } from 'zod';
import type { Alert, AlertEvent } from '../../domain/alert.js';
import { languageSchema } from '../../domain/vocabulary.js';
import { DeliveryError } from '../../errors.js';
import type { Digest } from '../digest.js';
import { alertWords, digestWords, httpUrl, numberFormat, TEXT, type Lang } from '../messages.js';
import { dashboardUrl, defineChannel, postBody } from './_types.js';

/** One element of a card, as Teams reads it. */
export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: string;
  /** Shown where the card cannot be (a notification, an old client). */
  fallbackText: string;
  body: CardElement[];
  actions: CardElement[];
  msteams: { width: 'Full' };
}

/** What the webhook receives: a message with the card as its one attachment. */
export interface TeamsMessage {
  type: 'message';
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive';
      contentUrl: null;
      content: AdaptiveCard;
    },
  ];
}

/** The most open alerts a digest lists; a message over 28 KB is refused. */
const MAX_DIGEST_ALERTS = 20;

export function teamsAlertMessage(
  alert: Alert,
  event: AlertEvent,
  opts: { lang: Lang; alertUrl: string; timeZone: string },
): TeamsMessage {
  const t = TEXT[opts.lang];
  const w = alertWords(alert, event, opts);
  const heading = banner(w.resolved ? 'good' : SEVERITY_STYLE[w.severity], w.title);
  const link = httpUrl(opts.alertUrl);
  const actions = link ? [{ type: 'Action.OpenUrl', title: t.open, url: link }] : [];
  if (w.resolved) return message(w.line, [heading, para([run(w.resolvedText)])], actions);

  const facts = [
    [t.severityLabel, w.severityWord],
    ...(w.operational
      ? alert.sourceId
        ? [[t.sourceLabel, alert.sourceId]]
        : []
      : [[t.touchpointLabel, w.subject], ...(w.stage ? [[t.stageLabel, w.stage]] : [])]),
  ].map(([label = '', value = '']) => fact(label, value, opts.lang));
  const why = [
    para([run(w.explanation.headline, { weight: 'Bolder' })], { spacing: 'Medium' }),
    ...w.explanation.details.map((d) => para([run(`• ${d}`)], { spacing: 'None' })),
  ];
  const quotes =
    w.quotes.length === 0
      ? []
      : [
          {
            type: 'Container',
            style: 'emphasis',
            spacing: 'Medium',
            items: [
              para([run(t.quotesLabel, { weight: 'Bolder', isSubtle: true })]),
              ...w.quotes.flatMap((q) => {
                const source = httpUrl(q.url);
                return [
                  para([run(`“${clip(q.quote, 500)}”`, { italic: true })], { spacing: 'Small' }),
                  para(
                    [
                      run(`— ${clip(q.author, 100)}, `, { isSubtle: true }),
                      source
                        ? run(clip(q.source, 100), {
                            color: 'Accent',
                            selectAction: { type: 'Action.OpenUrl', url: source },
                          })
                        : run(clip(q.source, 100), { isSubtle: true }),
                    ],
                    { spacing: 'None' },
                  ),
                ];
              }),
            ],
          },
        ];
  return message(w.line, [heading, ...facts, ...why, ...quotes], actions);
}

export function teamsDigestMessage(digest: Digest, opts: { lang: Lang }): TeamsMessage {
  const t = TEXT[opts.lang];
  const w = digestWords(digest, opts.lang);
  const arrow = { up: '↗', down: '↘', flat: '=' };
  const top =
    w.top.length === 0
      ? [para([run(w.topHeading)], { spacing: 'Medium' })]
      : [
          para([run(w.topHeading, { weight: 'Bolder' })], { spacing: 'Medium' }),
          ...w.top.map((tp) =>
            para(
              [
                run('• '),
                run(tp.label, { weight: 'Bolder' }),
                run(` (${tp.stage})${t.colon}${tp.negatives} ${arrow[tp.trend]} ${tp.previous}`),
              ],
              { spacing: 'None' },
            ),
          ),
          para([run(w.total)], { spacing: 'Small' }),
        ];
  const listed = w.open.slice(0, MAX_DIGEST_ALERTS);
  const left = w.open.length - listed.length;
  const open =
    w.open.length === 0
      ? [para([run(w.openHeading)], { spacing: 'Medium' })]
      : [
          para([run(w.openHeading, { weight: 'Bolder' })], { spacing: 'Medium' }),
          ...listed.flatMap((a) => {
            const link = httpUrl(a.url);
            return [
              para(
                [
                  run('• '),
                  link
                    ? run(a.subject, {
                        color: 'Accent',
                        selectAction: { type: 'Action.OpenUrl', url: link },
                      })
                    : run(a.subject),
                  run(` (${a.severityWord})`),
                ],
                { spacing: 'Small' },
              ),
              ...(a.headline
                ? [para([run(clip(a.headline, 300), { isSubtle: true })], { spacing: 'None' })]
                : []),
            ];
          }),
          ...(left > 0
            ? [para([run(t.more(numberFormat(opts.lang).format(left)), { isSubtle: true })])]
            : []),
        ];
  return message(w.title, [banner('accent', w.title), ...top, ...open], []);
}

const SEVERITY_STYLE = { info: 'accent', warning: 'warning', critical: 'attention' } as const;

function message(fallbackText: string, body: CardElement[], actions: CardElement[]): TeamsMessage {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          fallbackText: plain(fallbackText),
          body,
          actions,
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

/** The heading, on a band coloured by severity. */
function banner(style: string, title: string): CardElement {
  return {
    type: 'Container',
    style,
    bleed: true,
    items: [para([run(clip(title, 200), { size: 'Large', weight: 'Bolder' })])],
  };
}

function fact(label: string, value: string, lang: Lang): CardElement {
  return para([run(`${label}${TEXT[lang].colon}`, { weight: 'Bolder' }), run(value)], {
    spacing: 'None',
  });
}

/** A paragraph of runs. */
function para(inlines: CardElement[], extra: CardElement = {}): CardElement {
  return { type: 'RichTextBlock', inlines, ...extra };
}

/** Text shown as written: a TextRun renders no Markdown. */
function run(text: string, style: CardElement = {}): CardElement {
  return { type: 'TextRun', text: plain(text), ...style };
}

/** One line: a line break or a control character in people's text would break the layout. */
function plain(s: string): string {
  // oxlint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * Office 365 connectors answer 200 even when Teams refused the message, with the error in the
 * body ("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error
 * 429 with ContextId ...": MicrosoftDocs/msteams-docs#1810, #7425); a success answers "1". The
 * status in those words is the real answer, classified as any other (429 retried, 400 not).
 */
const CONNECTOR_FAILURE = /^\s*Webhook message delivery failed/i;

export function connectorFailure(channelId: string, body: string): DeliveryError | undefined {
  if (!CONNECTOR_FAILURE.test(body)) return undefined;
  const status = /HTTP error (\d{3})/i.exec(body)?.[1];
  return new DeliveryError(
    channelId,
    `Teams answered 200 but did not post the message${status ? ` (HTTP ${status})` : ''}`,
    status ? { status: Number(status) } : {},
  );
}

export default defineChannel({
  type: 'teams',
  options: z.object({ lang: languageSchema.default('en') }),
  secrets: {
    url: {
      describe: 'The Teams incoming webhook URL (Workflows or Office 365 connector).',
      url: true,
    },
  },
  async send(channel, msg, deps, signal) {
    const lang = (msg.kind === 'digest' ? msg.lang : undefined) ?? channel.lang;
    const body =
      msg.kind === 'digest'
        ? teamsDigestMessage(msg.digest, { lang })
        : teamsAlertMessage(msg.alert, msg.event, {
            lang,
            alertUrl: dashboardUrl(deps.publicUrl, msg.alert.id),
            timeZone: deps.timeZone,
          });
    const answer = await postBody(
      deps,
      channel.id,
      channel.secrets.url ?? '',
      JSON.stringify(body),
      { 'Content-Type': 'application/json' },
      signal,
    );
    const refused = connectorFailure(channel.id, answer);
    if (refused) throw refused;
  },
});
