/**
 * The RSS reader's guard against entity bombs (its XML parser expands the entities a document
 * declares): a feed declaring entities is refused; a feed naming an external DTD, as RSS 0.91
 * feeds do, is read as before. The bomb itself, through the poll job, is in
 * test/integration/sources/hostile.int.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { SourceParseError } from '../../../src/errors.js';
import rss from '../../../src/sources/rss.js';

const NETSCAPE =
  '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">';
const feed = (doctype: string, text = 'hello &amp; bye') =>
  `<?xml version="1.0"?>\n${doctype}\n<rss version="0.91"><channel><title>t</title><item><title>a</title><link>https://e.com/a</link><description>${text}</description></item></channel></rss>`;
const parse = (xml: string) =>
  rss.parse(
    { body: Buffer.from(xml), contentType: 'text/xml', url: 'https://e.com/feed?token=abc' },
    { sourceId: 's', fetchedAt: new Date() },
  );

describe('XML entities in feeds', () => {
  it('reads a feed that names an external DTD', () => {
    expect(parse(feed(NETSCAPE)).map((d) => d.text)).toEqual(['hello & bye']);
  });

  it('refuses a feed that declares its own entities, naming it without its token', () => {
    const xml = feed('<!DOCTYPE rss [\n <!ENTITY x "expanded">\n]>', '&x;');

    expect(() => parse(xml)).toThrow(SourceParseError);
    expect(() => parse(xml)).toThrow(
      's: declares XML entities, refused (https://e.com/feed?token=***)',
    );
  });

  it('reads an item whose text talks about DOCTYPEs and entities', () => {
    const xml = feed('', '&lt;!DOCTYPE x [ &lt;!ENTITY y "z"&gt; ]&gt; is how XXE starts');

    expect(parse(xml)).toHaveLength(1);
  });
});
