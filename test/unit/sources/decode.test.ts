/** Bytes to text: declared charsets read as browsers read them. */
import { describe, expect, it } from 'vitest';
import { decodeAs, decodeBody } from '../../../src/sources/_decode.js';
import type { RawPage } from '../../../src/sources/_types.js';

// "L’été coûte 5 €" in Windows-1252: ’ (0x92) and € (0x80) are the bytes ISO-8859-1 leaves to
// control characters.
const TEXT = 'L’été coûte 5 €';
const CP1252 = Buffer.from([
  0x4c, 0x92, 0xe9, 0x74, 0xe9, 0x20, 0x63, 0x6f, 0xfb, 0x74, 0x65, 0x20, 0x35, 0x20, 0x80,
]);

const raw = (body: Buffer | string, contentType?: string): RawPage => ({
  body: Buffer.from(body),
  contentType,
  url: 'https://forum.example/t/1',
});

describe('decodeAs', () => {
  it.each(['iso-8859-1', 'ISO-8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'windows-1252'])(
    'reads bytes labelled %s as Windows-1252',
    (label) => {
      expect(decodeAs(CP1252, label)).toBe(TEXT);
    },
  );

  it('reads UTF-8 as declared, and undeclared bytes that are not UTF-8 as Windows-1252', () => {
    expect(decodeAs(Buffer.from(`\uFEFF${TEXT}`), 'utf-8')).toBe(TEXT);
    expect(decodeAs(CP1252, undefined)).toBe(TEXT);
    expect(decodeAs(CP1252, 'utf-8')).toBe(TEXT);
  });

  it('keeps other charsets as they are', () => {
    // ISO-8859-15 has € at 0xA4, where Windows-1252 has ¤.
    expect(decodeAs(Buffer.from([0xa4]), 'iso-8859-15')).toBe('€');
  });
});

describe('decodeBody', () => {
  it.each([
    ['a <meta charset>', raw(Buffer.concat([Buffer.from('<meta charset="iso-8859-1">'), CP1252]))],
    [
      'an http-equiv',
      raw(
        Buffer.concat([
          Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=us-ascii">'),
          CP1252,
        ]),
      ),
    ],
    ['the Content-Type header', raw(CP1252, 'text/html; charset=ISO-8859-1')],
    ['the Content-Type header, "latin1"', raw(CP1252, 'text/html; charset=latin1')],
  ])('reads Latin-1 declared in %s as Windows-1252', (_where, page) => {
    expect(decodeBody(page)).toContain(TEXT);
  });
});
