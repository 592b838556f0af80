/**
 * A local SMTP server (the smtp-server package) that records what it receives, each message
 * decoded enough for a test to read: headers, subject, and its plain-text and HTML parts. It
 * speaks plain SMTP without STARTTLS (no certificate in tests), asks for a login when `users`
 * are given, and refuses the recipients `refuse` names with the reply code it returns.
 */
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope (MAIL FROM, RCPT TO), and the login used, if any. */
  mailFrom: string;
  rcptTo: string[];
  user: string | undefined;
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

export interface TestSmtpServer {
  host: '127.0.0.1';
  port: number;
  mails: ReceivedMail[];
  /** Connections opened, logins tried, and recipients refused, in order. */
  connections: number;
  logins: { user: string; ok: boolean }[];
  refused: string[];
  close(): Promise<void>;
}

export async function startSmtpServer(
  opts: {
    users?: Record<string, string>;
    /** The reply code to refuse a recipient with (e.g. 550, or 451 for "try later"), or undefined. */
    refuse?: (address: string) => number | undefined;
  } = {},
): Promise<TestSmtpServer> {
  const state: TestSmtpServer = {
    host: '127.0.0.1',
    port: 0,
    mails: [],
    connections: 0,
    logins: [],
    refused: [],
    close: async () => {},
  };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: opts.users ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.users,
    // No TLS in tests: let the login go in clear.
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      state.connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      const user = auth.username ?? '';
      const ok = opts.users?.[user] !== undefined && opts.users[user] === auth.password;
      state.logins.push({ user, ok });
      if (!ok)
        return callback(
          Object.assign(new Error('5.7.8 Authentication credentials invalid'), {
            responseCode: 535,
          }),
        );
      callback(null, { user });
    },
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = opts.refuse?.(address.address);
      if (code === undefined) return callback();
      state.refused.push(address.address);
      callback(
        Object.assign(new Error(code === 550 ? '5.1.1 No such user' : '4.2.1 Try later'), {
          responseCode: code,
        }),
      );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        state.mails.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw,
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.server.address();
  state.port = typeof addr === 'object' && addr ? addr.port : 0;
  state.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return state;
}

/** Headers, subject and the text and HTML parts of a message as nodemailer writes it. */
function parseMessage(raw: string): Pick<ReceivedMail, 'headers' | 'subject' | 'text' | 'html'> {
  const top = splitPart(raw);
  const parts: { headers: Map<string, string>; body: string }[] = [];
  const boundary = /boundary="?([^";]+)"?/i.exec(top.headers.get('content-type') ?? '')?.[1];
  if (boundary) {
    for (const chunk of top.body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      parts.push(splitPart(chunk.replace(/^\r?\n/, '')));
    }
  } else parts.push(top);
  const of = (type: string) => {
    const part = parts.find((p) => (p.headers.get('content-type') ?? '').startsWith(type));
    return part ? decodeBody(part.body, part.headers.get('content-transfer-encoding')) : '';
  };
  return {
    headers: top.headers,
    subject: decodeWords(top.headers.get('subject') ?? ''),
    text: of('text/plain'),
    html: of('text/html'),
  };
}

function splitPart(s: string): { headers: Map<string, string>; body: string } {
  const end = s.indexOf('\r\n\r\n');
  const head = end < 0 ? s : s.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? '' : s.slice(end + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  let bytes: Buffer;
  if (enc === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (enc === 'quoted-printable') bytes = qpBytes(body.replace(/=\r\n/g, ''));
  else bytes = Buffer.from(body, 'utf8');
  return bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '');
}

function qpBytes(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s.slice(i + 1, i + 3);
    if (s[i] === '=' && /^[0-9A-F]{2}$/i.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(...Buffer.from(s[i] ?? '', 'utf8'));
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`, `=?UTF-8?B?...?=`), as in a subject. */
function decodeWords(s: string): string {
  return s
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(
      /=\?([^?]+)\?([QB])\?([^?]*)\?=/gi,
      (_m, _charset: string, kind: string, text: string) =>
        (kind.toUpperCase() === 'B'
          ? Buffer.from(text, 'base64')
          : qpBytes(text.replace(/_/g, ' '))
        ).toString('utf8'),
    );
}
