/**
 * Credentials out of what people and logs see. A source URL may carry them (`user:password@`,
 * Google Alerts' feed tokens and API keys in the query): wherever a URL is shown (the API's
 * sources, a source's last error, logs, operational alerts) it goes through `redactUrl`, and every
 * message of a source or delivery error through `redactText` (src/errors.ts does it for them).
 */

/** Query parameters that carry credentials (Google Alerts' feed tokens, API keys). */
const SECRET_PARAM =
  /^(key|api[-_]?key|token|access[-_]?token|auth|secret|password|sig|signature|client[-_]?secret)$/i;

/**
 * A URL fit to show: user and password removed, credential-like query values masked. Anything
 * that does not parse is shown as `(invalid URL)`.
 */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return '(invalid URL)';
  }
  if (u.username || u.password) {
    u.username = '';
    u.password = '';
  }
  // Keys first: setting while iterating the live list would be fragile.
  for (const k of new Set(u.searchParams.keys())) {
    if (SECRET_PARAM.test(k)) u.searchParams.set(k, '***');
  }
  return u.href;
}

/**
 * Every URL in a text (an error message) redacted. Punctuation that closes the sentence around a
 * URL (`(see https://x/feed?token=t).`) stays outside it.
 */
export function redactText(text: string): string {
  return text.replace(/https?:\/\/[^\s"'<>]+/gi, (m) => {
    const tail = /[).,;:!?\]]+$/.exec(m)?.[0] ?? '';
    return redactUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}
