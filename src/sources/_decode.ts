/**
 * Bytes to text for sources that read web pages and JSON: the charset the page declares (a
 * `<meta charset>` or `http-equiv` in its head, then the Content-Type header), else UTF-8 when
 * the bytes are valid UTF-8, else Windows-1252, which is what an undeclared French page from an
 * old CMS usually is ("Ã©" instead of "é" otherwise).
 */
import iconv from 'iconv-lite';
import type { RawPage } from './_types.js';

export function decodeBody(raw: RawPage): string {
  const head = raw.body.subarray(0, 2048).toString('latin1');
  const fromMeta =
    /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ??
    /<\?xml[^>]*encoding=["']([\w-]+)["']/i.exec(head)?.[1];
  const fromHeader = /charset=["']?([\w-]+)/i.exec(raw.contentType ?? '')?.[1];
  return decodeAs(raw.body, [fromMeta, fromHeader].find((c) => c && iconv.encodingExists(c)));
}

/**
 * Bytes to text in the `declared` charset. UTF-8 declared (or nothing declared) over bytes that
 * are not UTF-8 is read as Windows-1252: servers label everything utf-8, and an old French page
 * or feed in Windows-1252 would otherwise lose every accent to U+FFFD.
 */
export function decodeAs(body: Buffer, declared: string | undefined): string {
  const charset = declared && iconv.encodingExists(declared) ? declared : undefined;
  const utf8 = !charset || /^utf-?8$/i.test(charset);
  if (!utf8) return stripBom(iconv.decode(body, charset));
  if (isUtf8(body)) return stripBom(body.toString('utf8'));
  return iconv.decode(body, 'windows-1252');
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
