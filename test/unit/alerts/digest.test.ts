import { describe, expect, it } from 'vitest';
import { buildDigest, digestDue, digestKey } from '../../../src/alerts/digest.js';
import { operational, T0, TZ, weakLink } from './_fixtures.js';

const touchpoints = [
  { id: 'delivery', stage: 'receive', label: { fr: 'Livraison', en: 'Delivery' } },
  { id: 'support', stage: 'get-help', label: { fr: 'SAV', en: 'Support' } },
  { id: 'price', stage: 'buy', label: { fr: 'Prix', en: 'Price' } },
];

describe('buildDigest', () => {
  it('counts negatives per touchpoint against the day before, top five, open alerts', () => {
    const current = new Map(
      ['delivery', 'support', 'a', 'b', 'c', 'd'].map((id, i) => [id, 10 - i] as const),
    );
    const previous = new Map([
      ['delivery', 3],
      ['support', 9],
      ['price', 2],
    ]);
    const d = buildDigest({
      date: '2026-03-10',
      now: T0,
      touchpoints,
      current,
      previous,
      openAlerts: [weakLink(), operational(), weakLink({ id: 'x', status: 'resolved' })],
      publicUrl: 'https://m.example',
      timeZone: TZ,
    });
    expect(d.top.map((t) => [t.id, t.negatives, t.previous, t.trend])).toEqual([
      ['delivery', 10, 3, 'up'],
      ['support', 9, 9, 'flat'],
      ['a', 8, 0, 'up'],
      ['b', 7, 0, 'up'],
      ['c', 6, 0, 'up'],
    ]);
    expect(d.touchpoints.find((t) => t.id === 'price')).toMatchObject({
      negatives: 0,
      previous: 2,
      trend: 'down',
    });
    expect(d.totalNegatives).toBe(10 + 9 + 8 + 7 + 6 + 5);
    expect(d.totalPrevious).toBe(14);
    expect(d.openAlerts).toEqual([
      expect.objectContaining({
        id: weakLink().id,
        url: `https://m.example/#/alerts/${weakLink().id}`,
        headline: {
          en: 'Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.',
          fr: "Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites ; d'habitude 1 par jour.",
        },
      }),
    ]);
    expect(d.from).toEqual(new Date(T0.getTime() - 24 * 3_600_000));
  });
});

describe('digestDue', () => {
  const cfg = { at: '08:00', timezone: 'Europe/Paris' };
  it('is due from the local time on, for the local date', () => {
    expect(digestDue(new Date('2026-03-10T06:59:00Z'), cfg)).toBeNull(); // 07:59 in Paris
    expect(digestDue(new Date('2026-03-10T07:00:00Z'), cfg)).toBe('2026-03-10');
    expect(digestDue(new Date('2026-03-10T23:30:00Z'), cfg)).toBeNull(); // 00:30 on the 11th
    expect(digestDue(new Date('2026-07-10T06:00:00Z'), cfg)).toBe('2026-07-10'); // summer time
  });
  it('keys one digest per day and channel', () => {
    expect(digestKey('2026-03-10', 'marketing')).toBe('digest:2026-03-10:marketing');
  });
});
