import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, MAX_TEXT_LENGTH, parseMention } from '../../src/domain/mention.js';
import { ValidationError } from '../../src/errors.js';

/** The example of the product spec, as a client would POST it. */
const full = {
  source: 'name',
  externalId: 'review-8812',
  url: 'https://reviews.example.com/r/8812',
  author: { id: 'u-42', name: 'Camille', followers: 120 },
  title: 'Livraison en retard',
  text: 'plain text',
  lang: 'fr',
  publishedAt: '2026-01-02T03:04:05+01:00',
  rating: 4,
  engagement: { likes: 3, shares: 1, replies: 0 },
};

const { title: _t, lang: _l, rating: _r, engagement: _e, ...minimal } = full;
const minimalWithoutFollowers = { ...minimal, author: { id: 'u-42', name: 'Camille' } };

/** The door's clock: after every date of the examples. */
const NOW = new Date('2026-06-01T12:00:00Z');
const parse = (input: unknown, where?: string) =>
  parseMention(input, where === undefined ? { now: NOW } : { now: NOW, where });

/** Runs `parseMention` expecting a ValidationError, and returns it. */
function rejection(input: unknown): ValidationError {
  let caught: unknown;
  try {
    parse(input);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError;
}

describe('parseMention: accepted shapes', () => {
  it('accepts the full example of the spec, publishedAt as a Date of the same instant', () => {
    const m = parse(full);

    expect(m.publishedAt).toBeInstanceOf(Date);
    expect(m.publishedAt.toISOString()).toBe('2026-01-02T02:04:05.000Z');
    expect(m).toEqual({ ...full, publishedAt: new Date('2026-01-02T02:04:05Z') });
  });

  it('accepts the minimal shape without optional fields', () => {
    const m = parse(minimalWithoutFollowers);

    expect(m).toEqual({
      ...minimalWithoutFollowers,
      publishedAt: new Date('2026-01-02T02:04:05Z'),
    });
    expect(m).not.toHaveProperty('rating');
    expect(m).not.toHaveProperty('engagement');
  });

  it('accepts UTC written as Z and fractional seconds', () => {
    expect(parse({ ...minimal, publishedAt: '2026-01-02T02:04:05.250Z' }).publishedAt).toEqual(
      new Date(Date.UTC(2026, 0, 2, 2, 4, 5, 250)),
    );
  });

  it('trims externalId and text', () => {
    const m = parse({ ...minimal, externalId: '  abc ', text: '\n hello \t' });

    expect(m.externalId).toBe('abc');
    expect(m.text).toBe('hello');
  });

  it('accepts the ends of the rating scale and regional language tags', () => {
    expect(parse({ ...minimal, rating: 1 }).rating).toBe(1);
    expect(parse({ ...minimal, rating: 5 }).rating).toBe(5);
    expect(parse({ ...minimal, lang: 'en-GB' }).lang).toBe('en-GB');
  });
});

describe('parseMention: refused shapes', () => {
  it.each(['$gt', '$where', 'sourceId', 'fetchedAt', 'status'])(
    'refuses the unknown key %s and names it',
    (key) => {
      const err = rejection({ ...full, [key]: 'x' });

      expect(err.issues.some((i) => i.message.includes(key))).toBe(true);
      expect(err.code).toBe('validation_failed');
      expect(err.httpStatus).toBe(400);
    },
  );

  it('refuses unknown keys inside nested objects', () => {
    const err = rejection({ ...full, author: { ...full.author, $where: 'sleep(1000)' } });

    expect(err.issues).toEqual([
      expect.objectContaining({ path: 'author', message: expect.stringContaining('$where') }),
    ]);
  });

  it('refuses an operator object in place of a string', () => {
    const err = rejection({ ...full, externalId: { $gt: '' } });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'externalId' })]);
  });

  it('refuses an operator object as the whole query-like input', () => {
    const err = rejection({ externalId: { $gt: '' } });

    expect(err.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['source', 'externalId', 'url', 'author', 'text', 'publishedAt']),
    );
  });

  it.each([0, 6, 4.5e10, -1])('refuses rating %d', (rating) => {
    const err = rejection({ ...full, rating });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'rating' })]);
  });

  it.each([
    'ftp://example.com/post/1',
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'example.com/post/1',
    '/post/1',
  ])('refuses the url %s', (url) => {
    const err = rejection({ ...full, url });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'url' })]);
  });

  it.each([
    '2026-01-02T03:04:05',
    '2026-01-02',
    '02/01/2026 03:04',
    'Fri, 02 Jan 2026 03:04:05 GMT',
    '2026-13-02T03:04:05Z',
    '',
  ])('refuses publishedAt %j (not ISO 8601 with an offset)', (publishedAt) => {
    const err = rejection({ ...full, publishedAt });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'publishedAt' })]);
  });

  it('refuses a publishedAt given as a number', () => {
    const err = rejection({ ...full, publishedAt: Date.UTC(2026, 0, 2) });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'publishedAt' })]);
  });

  it('refuses blank or overlong text', () => {
    expect(rejection({ ...full, text: '   ' }).issues).toEqual([
      expect.objectContaining({ path: 'text' }),
    ]);
    expect(rejection({ ...full, text: 'a'.repeat(MAX_TEXT_LENGTH + 1) }).issues).toEqual([
      expect.objectContaining({ path: 'text' }),
    ]);
  });

  it('refuses a source id that is not a plain name', () => {
    const err = rejection({ ...full, source: 'Some Source' });

    expect(err.issues).toEqual([expect.objectContaining({ path: 'source' })]);
  });

  it('refuses negative or fractional engagement counts', () => {
    const err = rejection({ ...full, engagement: { likes: -1, shares: 1.5 } });

    expect(err.issues.map((i) => i.path).toSorted()).toEqual([
      'engagement.likes',
      'engagement.shares',
    ]);
  });

  it('lists every problem and puts the first in the message with its prefix', () => {
    let err: unknown;
    try {
      parse({ ...full, rating: 0, url: 'ftp://x' }, 'item 3');
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.issues.map((i) => i.path).toSorted()).toEqual(['rating', 'url']);
    expect(v.message).toMatch(/^item 3: (rating|url): /);
  });

  it.each([null, undefined, 'text', 42, []])('refuses %j as a mention', (input) => {
    expect(() => parse(input)).toThrow(ValidationError);
  });
});

describe('parseMention: dates in the future', () => {
  const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

  it('accepts a date up to the clock skew ahead of the clock', () => {
    expect(parse({ ...full, publishedAt: at(MAX_CLOCK_SKEW_MS) }).publishedAt).toEqual(
      new Date(NOW.getTime() + MAX_CLOCK_SKEW_MS),
    );
    expect(MAX_CLOCK_SKEW_MS).toBe(10 * 60_000);
  });

  it('refuses a date beyond it, and says why', () => {
    const err = rejection({ ...full, publishedAt: at(MAX_CLOCK_SKEW_MS + 60_000) });
    expect(err.issues).toEqual([
      {
        path: 'publishedAt',
        message: expect.stringMatching(
          /^publishedAt is in the future: 2026-06-01T12:11:00\.000Z is 11 min after now \(2026-06-01T12:00:00\.000Z\), beyond the 10-minute clock skew allowed; a future date would hold its touchpoint's detection window in the future/,
        ),
      },
    ]);
    expect(err.message).toMatch(/^mention: publishedAt: publishedAt is in the future/);
  });

  it('refuses the year 9999, whatever its offset', () => {
    const err = rejection({ ...full, publishedAt: '9999-12-31T23:59:59+14:00' });
    expect(err.issues[0]?.message).toMatch(/is 7973 years after now/);
  });

  it("judges against the clock it is given, not the machine's", () => {
    const later = new Date('2030-01-01T00:00:00Z');
    const m = parseMention({ ...full, publishedAt: '2029-12-31T23:55:00Z' }, { now: later });
    expect(m.publishedAt).toEqual(new Date('2029-12-31T23:55:00Z'));
    expect(() =>
      parseMention({ ...full, publishedAt: '2029-12-31T23:55:00Z' }, { now: NOW }),
    ).toThrow(/publishedAt is in the future/);
  });

  it("lists a future date with the mention's other problems", () => {
    const err = rejection({ ...full, rating: 9, publishedAt: at(3_600_000) });
    expect(err.issues.map((i) => i.path).toSorted()).toEqual(['publishedAt', 'rating']);
  });
});
