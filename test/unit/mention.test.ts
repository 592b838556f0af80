import { describe, expect, it } from 'vitest';
import { MAX_TEXT_LENGTH, parseMention } from '../../src/domain/mention.js';
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

/** Runs `parseMention` expecting a ValidationError, and returns it. */
function rejection(input: unknown): ValidationError {
  let caught: unknown;
  try {
    parseMention(input);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  return caught as ValidationError;
}

describe('parseMention: accepted shapes', () => {
  it('accepts the full example of the spec, publishedAt as a Date of the same instant', () => {
    const m = parseMention(full);

    expect(m.publishedAt).toBeInstanceOf(Date);
    expect(m.publishedAt.toISOString()).toBe('2026-01-02T02:04:05.000Z');
    expect(m).toEqual({ ...full, publishedAt: new Date('2026-01-02T02:04:05Z') });
  });

  it('accepts the minimal shape without optional fields', () => {
    const m = parseMention(minimalWithoutFollowers);

    expect(m).toEqual({
      ...minimalWithoutFollowers,
      publishedAt: new Date('2026-01-02T02:04:05Z'),
    });
    expect(m).not.toHaveProperty('rating');
    expect(m).not.toHaveProperty('engagement');
  });

  it('accepts UTC written as Z and fractional seconds', () => {
    expect(
      parseMention({ ...minimal, publishedAt: '2026-01-02T02:04:05.250Z' }).publishedAt,
    ).toEqual(new Date(Date.UTC(2026, 0, 2, 2, 4, 5, 250)));
  });

  it('trims externalId and text', () => {
    const m = parseMention({ ...minimal, externalId: '  abc ', text: '\n hello \t' });

    expect(m.externalId).toBe('abc');
    expect(m.text).toBe('hello');
  });

  it('accepts the ends of the rating scale and regional language tags', () => {
    expect(parseMention({ ...minimal, rating: 1 }).rating).toBe(1);
    expect(parseMention({ ...minimal, rating: 5 }).rating).toBe(5);
    expect(parseMention({ ...minimal, lang: 'en-GB' }).lang).toBe('en-GB');
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
      parseMention({ ...full, rating: 0, url: 'ftp://x' }, 'item 3');
    } catch (e) {
      err = e;
    }

    expect(err).toBeInstanceOf(ValidationError);
    const v = err as ValidationError;
    expect(v.issues.map((i) => i.path).toSorted()).toEqual(['rating', 'url']);
    expect(v.message).toMatch(/^item 3: (rating|url): /);
  });

  it.each([null, undefined, 'text', 42, []])('refuses %j as a mention', (input) => {
    expect(() => parseMention(input)).toThrow(ValidationError);
  });
});
