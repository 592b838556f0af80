/**
 * Bytes to text for sources that read web pages and JSON: the charset the page declares (a
 * `<meta charset>` or `http-equiv` in its head, then the Content-Type header), else UTF-8 when
 * the bytes are valid UTF-8, else Windows-1252, which is what an undeclared French page from an
 * old CMS usually is ("Ã©" instead of "é" otherwise). Labels are read as browsers read them: the
 * Latin-1 and ASCII ones mean Windows-1252.
 */
import iconv from 'iconv-lite';
import type { z } from 'zod';
import { SourceParseError } from '../errors.js';
import { redactUrl } from '../net/redact.js';
import type { RawPage } from './_types.js';

export function decodeBody(raw: RawPage): string {
  const head = raw.body.subarray(0, 2048).toString('latin1');
  // JSON is UTF-8 by its standard; a post quoting `<meta charset=...>` must not re-decode it.
  const json = /json/i.test(raw.contentType ?? '');
  const fromMeta = json
    ? undefined
    : (/<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ??
      /<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(head)?.[1]);
  const fromHeader = /charset=["']?([\w-]+)/i.exec(raw.contentType ?? '')?.[1];
  return decodeAs(
    raw.body,
    [fromMeta, fromHeader].map(browserCharset).find((c) => c && iconv.encodingExists(c)),
  );
}

/**
 * Bytes to text in the `declared` charset. UTF-8 declared (or nothing declared) over bytes that
 * are not UTF-8 is read as Windows-1252: servers label everything utf-8, and an old French page
 * or feed in Windows-1252 would otherwise lose every accent to U+FFFD.
 */
export function decodeAs(body: Buffer, declared: string | undefined): string {
  const label = browserCharset(declared);
  const charset = label && iconv.encodingExists(label) ? label : undefined;
  const utf8 = !charset || /^utf-?8$/i.test(charset);
  if (!utf8) return stripBom(iconv.decode(body, charset));
  if (isUtf8(body)) return stripBom(body.toString('utf8'));
  return iconv.decode(body, 'windows-1252');
}

/**
 * Labels browsers read as Windows-1252 (WHATWG Encoding Standard): pages that say ISO-8859-1 or
 * ASCII are Windows-1252 in fact (curly quotes, €, œ in 0x80-0x9F), which iconv would turn into
 * control characters.
 */
const WINDOWS_1252_LABELS = new Set([
  'ansi_x3.4-1968',
  'ascii',
  'cp1252',
  'cp819',
  'csisolatin1',
  'ibm819',
  'iso-8859-1',
  'iso-ir-100',
  'iso8859-1',
  'iso88591',
  'iso_8859-1',
  'iso_8859-1:1987',
  'l1',
  'latin1',
  'us-ascii',
  'windows-1252',
  'x-cp1252',
]);

/** The charset a browser would decode with for this label, or the label itself. */
function browserCharset(label: string | undefined): string | undefined {
  const l = label?.trim().toLowerCase();
  return l && WINDOWS_1252_LABELS.has(l) ? 'windows-1252' : label;
}

function isUtf8(body: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body);
    return true;
  } catch {
    return false;
  }
}

function stripBom(s: string): string {
  return s.replace(/^\uFEFF/, '');
}

/**
 * A JSON answer read with its schema, or a `SourceParseError` saying what it was expected to be
 * (`what`: "a GitHub issue search answer"); the URL is shown without its credentials.
 */
export function readJsonPage<S extends z.ZodType>(
  raw: RawPage,
  sourceId: string,
  schema: S,
  what: string,
): z.output<S> {
  try {
    return schema.parse(JSON.parse(decodeBody(raw)));
  } catch (err) {
    throw new SourceParseError(sourceId, `not ${what} (${redactUrl(raw.url)})`, err);
  }
}
