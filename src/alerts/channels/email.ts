/**
 * E-mail: alerts and digests sent over SMTP (nodemailer), an HTML part and a plain-text part, in
 * the channel's language. Everything in the HTML that did not come from us (what people wrote,
 * touchpoint labels, source errors) is escaped, and only http(s) URLs become links.
 *
 * The SMTP server is reached under the same SSRF rules as the HTTP channels: the connection is
 * opened by the guard (src/net/ssrf.ts `connect`) and handed to nodemailer, so a server on the
 * loopback or the private network is refused unless `HTTP_ALLOW_HOSTS` names it, and the address
 * checked is the address connected to (nodemailer does no lookup of its own).
 *
 * Failures: an SMTP 5xx reply (a refused recipient, refused credentials) is permanent (RFC 5321
 * 4.2.1): the delivery goes dead at once, to be re-sent once fixed; a 4xx reply, a timeout or a
 * lost connection is retried with backoff.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Alert, AlertEvent } from '../../domain/alert.js';
import { languageSchema } from '../../domain/vocabulary.js';
import { DeliveryError } from '../../errors.js';
import { BlockedAddressError } from '../../net/ssrf.js';
import type { Digest } from '../digest.js';
import { alertWords, digestWords, httpUrl, numberFormat, TEXT, type Lang } from '../messages.js';
import { dashboardUrl, defineChannel, eventName, guardFor } from './_types.js';
import { createTransport } from 'nodemailer';

/** A message ready to send. */
export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

/** A host name, an IPv4 address or an IPv6 one (bracketed or not). */
const hostSchema = z
  .string()
  .trim()
  .max(253)
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.?)+$|^\[?[0-9a-f:.]+\]?$/i,
    'a host name or address',
  );

/** A header-safe display name: no line break can start a header of its own. */
const displayNameSchema = z
  .string()
  // oxlint-disable-next-line no-control-regex
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'one line of text')
  .max(100);

/** The most open alerts a digest lists. */
const MAX_DIGEST_ALERTS = 50;

export function emailAlertMessage(
  alert: Alert,
  event: AlertEvent,
  opts: { lang: Lang; alertUrl: string; timeZone: string },
): EmailContent {
  const t = TEXT[opts.lang];
  const w = alertWords(alert, event, opts);
  const link = httpUrl(opts.alertUrl);
  const color = w.resolved ? '#2e7d32' : SEVERITY_COLOR[w.severity];
  const subject = `[Maillon] ${w.line}`;
  const openText = link ? [`${t.open}${t.colon}${link}`] : [];
  const openHtml = link
    ? `<p style="margin:24px 0"><a href="${attr(link)}" style="background:#1f4e79;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">${html(t.open)}</a></p>`
    : '';

  if (w.resolved) {
    return {
      subject: oneLine(subject),
      text: lines([w.title, '', w.resolvedText, '', ...openText, '', '-- ', t.sentBy]),
      html: page(opts.lang, w.title, color, `<p>${html(w.resolvedText)}</p>${openHtml}`, t.sentBy),
    };
  }

  const facts: [string, string][] = [
    [t.severityLabel, w.severityWord],
    ...(w.operational
      ? alert.sourceId
        ? ([[t.sourceLabel, alert.sourceId]] as [string, string][])
        : []
      : ([[t.touchpointLabel, w.subject], ...(w.stage ? [[t.stageLabel, w.stage]] : [])] as [
          string,
          string,
        ][])),
  ];
  const { headline, details } = w.explanation;
  const text = lines([
    w.title,
    '',
    ...facts.map(([k, v]) => `${k}${t.colon}${v}`),
    '',
    headline,
    ...details.map((d) => `- ${d}`),
    ...(w.quotes.length > 0 ? ['', `${t.quotesLabel}${t.colon.trimEnd()}`] : []),
    ...w.quotes.flatMap((q) => {
      const source = httpUrl(q.url);
      return [
        `> “${oneLine(clip(q.quote, 500))}”`,
        `  — ${oneLine(q.author)}, ${oneLine(q.source)}${source ? ` <${source}>` : ''}`,
      ];
    }),
    '',
    ...openText,
    '',
    '-- ',
    t.sentBy,
  ]);
  const quotes =
    w.quotes.length === 0
      ? ''
      : `<h3 style="font-size:15px;margin:20px 0 8px">${html(t.quotesLabel)}</h3>${w.quotes
          .map((q) => {
            const source = httpUrl(q.url);
            const where = source
              ? `<a href="${attr(source)}">${html(q.source)}</a>`
              : html(q.source);
            return `<blockquote style="margin:0 0 12px;padding:8px 12px;border-left:3px solid #ccc;background:#f6f6f6"><p style="margin:0 0 4px;font-style:italic">“${html(clip(q.quote, 500))}”</p><p style="margin:0;color:#555">— ${html(q.author)}, ${where}</p></blockquote>`;
          })
          .join('')}`;
  const body = [
    `<p>${facts.map(([k, v]) => `<strong>${html(k + t.colon)}</strong>${html(v)}`).join('<br>')}</p>`,
    `<p><strong>${html(headline)}</strong></p>`,
    details.length > 0 ? `<ul>${details.map((d) => `<li>${html(d)}</li>`).join('')}</ul>` : '',
    quotes,
    openHtml,
  ].join('');
  return {
    subject: oneLine(subject),
    text,
    html: page(opts.lang, w.title, color, body, t.sentBy),
  };
}

export function emailDigestMessage(digest: Digest, opts: { lang: Lang }): EmailContent {
  const t = TEXT[opts.lang];
  const w = digestWords(digest, opts.lang);
  const arrow = { up: '↗', down: '↘', flat: '=' };
  const listed = w.open.slice(0, MAX_DIGEST_ALERTS);
  const left = w.open.length - listed.length;
  const more = left > 0 ? t.more(numberFormat(opts.lang).format(left)) : '';

  const text = lines([
    w.title,
    '',
    w.topHeading,
    ...w.top.map(
      (tp) =>
        `- ${tp.label} (${tp.stage})${t.colon}${tp.negatives} ${arrow[tp.trend]} ${tp.previous}`,
    ),
    ...(w.total ? [w.total] : []),
    '',
    w.openHeading,
    ...listed.flatMap((a) => {
      const link = httpUrl(a.url);
      return [
        `- ${a.subject} (${a.severityWord})${link ? ` <${link}>` : ''}`,
        ...(a.headline ? [`  ${a.headline}`] : []),
      ];
    }),
    ...(more ? [more] : []),
    '',
    '-- ',
    t.sentBy,
  ]);
  const top =
    w.top.length === 0
      ? `<p>${html(w.topHeading)}</p>`
      : `<h3 style="font-size:15px;margin:16px 0 8px">${html(w.topHeading)}</h3><ul>${w.top
          .map(
            (tp) =>
              `<li><strong>${html(tp.label)}</strong> (${html(tp.stage)})${html(t.colon)}${html(tp.negatives)} ${arrow[tp.trend]} ${html(tp.previous)}</li>`,
          )
          .join('')}</ul><p>${html(w.total)}</p>`;
  const open =
    w.open.length === 0
      ? `<p>${html(w.openHeading)}</p>`
      : `<h3 style="font-size:15px;margin:16px 0 8px">${html(w.openHeading)}</h3><ul>${listed
          .map((a) => {
            const link = httpUrl(a.url);
            const name = link ? `<a href="${attr(link)}">${html(a.subject)}</a>` : html(a.subject);
            const headline = a.headline
              ? `<br><span style="color:#555">${html(a.headline)}</span>`
              : '';
            return `<li>${name} (${html(a.severityWord)})${headline}</li>`;
          })
          .join('')}</ul>${more ? `<p>${html(more)}</p>` : ''}`;
  return {
    subject: oneLine(`[Maillon] ${w.title}`),
    text,
    html: page(opts.lang, w.title, '#1f4e79', top + open, t.sentBy),
  };
}

const SEVERITY_COLOR = { info: '#1f4e79', warning: '#b26a00', critical: '#b00020' } as const;

function page(lang: Lang, title: string, color: string, body: string, footer: string): string {
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${html(title)}</title></head><body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#222;max-width:640px;margin:0 auto;padding:16px"><h2 style="border-left:6px solid ${color};padding-left:10px;font-size:18px">${html(title)}</h2>${body}<p style="color:#888;font-size:12px;margin-top:32px">${html(footer)}</p></body></html>`;
}

/** Text in HTML, escaped: what people wrote shows as text, never as markup. */
export function html(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An attribute's value (always double-quoted here). */
const attr = html;

function lines(ls: string[]): string {
  return `${ls.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}

/** One line: a subject or a quoted line must not break. */
function oneLine(s: string): string {
  // oxlint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/**
 * What an SMTP failure means for the queue: a 5xx reply is permanent, a 4xx reply transient
 * (RFC 5321 4.2.1); without a reply, refused credentials and an envelope nodemailer cannot send
 * are permanent, anything else (timeouts, lost connections, TLS) is retried.
 */
export function smtpFailure(channelId: string, err: unknown): DeliveryError {
  if (err instanceof BlockedAddressError)
    return new DeliveryError(channelId, `SMTP server refused: ${err.message}`, { cause: err });
  const e = (err ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const reply = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const permanent = reply !== undefined ? reply >= 500 : code === 'EAUTH' || code === 'EENVELOPE';
  const what = typeof e.message === 'string' ? e.message.slice(0, 300) : String(err);
  return new DeliveryError(channelId, `SMTP ${reply ?? code ?? 'failure'}: ${what}`, {
    permanent,
    cause: err,
  });
}

/** The same Message-ID at every attempt: a mail client shows a repeat once. */
function messageId(deliveryKey: string, from: string): string {
  const id = createHash('sha256').update(deliveryKey).digest('hex').slice(0, 32);
  return `<${id}.maillon@${from.slice(from.lastIndexOf('@') + 1)}>`;
}

export default defineChannel({
  type: 'email',
  options: z.object({
    host: hostSchema.describe(
      'The SMTP server (a name or an address; a private one only when HTTP_ALLOW_HOSTS names it).',
    ),
    port: z.number().int().min(1).max(65535).default(587).describe('The SMTP port.'),
    secure: z
      .boolean()
      .default(false)
      .describe('TLS from the first byte (SMTPS, usually port 465).'),
    starttls: z
      .boolean()
      .default(true)
      .describe(
        'Without `secure`: upgrade to TLS with STARTTLS and refuse a server that does not offer it. false: never upgrade (a relay on the same host).',
      ),
    from: z.email().describe('The sender address.'),
    fromName: displayNameSchema.default('Maillon').describe("The sender's display name."),
    to: z.array(z.email()).min(1).max(50).describe('The recipients.'),
    lang: languageSchema.default('en'),
  }),
  secrets: {
    user: {
      describe: 'The SMTP login (with password), when the server asks for one.',
      optional: true,
    },
    password: { describe: 'The SMTP password (with user).', optional: true },
  },
  async send(channel, msg, deps, signal) {
    const { user, password } = channel.secrets;
    if ((user === undefined) !== (password === undefined))
      throw new DeliveryError(
        channel.id,
        'SMTP user and password go together: set both or neither',
        {
          permanent: true,
        },
      );
    const lang = (msg.kind === 'digest' ? msg.lang : undefined) ?? channel.lang;
    const content =
      msg.kind === 'digest'
        ? emailDigestMessage(msg.digest, { lang })
        : emailAlertMessage(msg.alert, msg.event, {
            lang,
            alertUrl: dashboardUrl(deps.publicUrl, msg.alert.id),
            timeZone: deps.timeZone,
          });
    const guard = guardFor(deps.allowHosts ?? []);
    const transport = createTransport({
      host: channel.host.replace(/^\[|\]$/g, ''),
      port: channel.port,
      secure: channel.secure,
      requireTLS: !channel.secure && channel.starttls,
      ignoreTLS: !channel.secure && !channel.starttls,
      ...(user !== undefined && password !== undefined ? { auth: { user, pass: password } } : {}),
      connectionTimeout: deps.timeoutMs,
      greetingTimeout: deps.timeoutMs,
      socketTimeout: deps.timeoutMs,
      // Nothing we send names a file or a URL to fetch; refuse it should anything ever do.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
      getSocket: (_options, callback) => {
        guard
          .connect(channel.host, channel.port, {
            timeoutMs: deps.timeoutMs,
            ...(signal ? { signal } : {}),
          })
          .then(
            (socket) => callback(null, { connection: socket }),
            (err: Error) => callback(err),
          );
      },
    });
    try {
      const info = await transport.sendMail({
        from: { name: channel.fromName, address: channel.from },
        to: channel.to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: messageId(msg.deliveryKey, channel.from),
        headers: {
          'Content-Language': lang,
          'X-Maillon-Event': eventName(msg),
          'X-Maillon-Delivery': msg.deliveryKey,
        },
        ...(signal ? { signal } : {}),
      });
      // Some recipients refused, others not: sending again would repeat it to those who have it.
      const rejected = (info.rejected ?? []).length;
      if (rejected > 0)
        deps.logger.warn(
          { channel: channel.id, deliveryKey: msg.deliveryKey, rejected },
          'SMTP server refused some recipients',
        );
    } catch (err) {
      throw smtpFailure(channel.id, err);
    } finally {
      transport.close();
    }
  },
});
