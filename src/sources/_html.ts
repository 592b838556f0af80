/**
 * HTML to plain text for sources that hand us markup (feed contents, review pages). cheerio parses
 * without running anything, so a hostile page is just text; scripts and styles are dropped and
 * block boundaries become spaces so that words do not run together.
 */
import { load } from 'cheerio';

const BLOCK_END = /<\/?(br|p|div|li|ul|ol|h[1-6]|tr|td|blockquote|section|article)\b[^>]*>/gi;

export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return collapse(html);
  const $ = load(html.replace(BLOCK_END, ' $& '));
  $('script, style, noscript, template').remove();
  return collapse($.root().text());
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
