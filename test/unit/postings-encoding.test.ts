import { describe, expect, it } from 'vitest';
import { decodeId, encodeId } from '../../src/store/postings-repository.js';

const hex = (r: () => number) =>
  Array.from({ length: 24 }, () => Math.floor(r() * 16).toString(16)).join('');

describe("the index's packed mention ids", () => {
  it('come back as they went in, in 16 characters that sort as the hex ids do', () => {
    let seed = 7;
    const r = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const ids = [
      '0'.repeat(24),
      'f'.repeat(24),
      '000000000000000000000fff',
      ...Array.from({ length: 500 }, () => hex(r)),
    ];
    for (const id of ids) {
      expect(encodeId(id)).toHaveLength(16);
      expect(decodeId(encodeId(id))).toBe(id);
    }
    const byHex = ids.toSorted();
    const byPacked = ids.toSorted((a, b) => (encodeId(a) < encodeId(b) ? -1 : 1));
    expect(byPacked).toEqual(byHex);
  });
});
