/** The journey with an admin's changes on top, and the default routes over every channel. */
import { describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../../src/analysis/journey.js';
import { defaultRoutes } from '../../../src/settings/channel-catalog.js';
import { composeWithChanges } from '../../../src/settings/journey-provider.js';
import type { StoredItem } from '../../../src/store/settings-repository.js';

const tp = (id: string, stage: Touchpoint['stage'], kw = id): Touchpoint => ({
  id,
  stage,
  label: { fr: id, en: id },
  keywords: { fr: [kw], en: [kw] },
  exclude: [],
});
const item = (value: Touchpoint): StoredItem<Touchpoint> => {
  const by = { id: 'key:1', name: 'admin' };
  const at = new Date('2026-01-01T00:00:00Z');
  return { value, createdAt: at, createdBy: by, updatedAt: at, updatedBy: by };
};

describe('composeWithChanges', () => {
  const file = [tp('ads', 'discover'), tp('checkout', 'buy'), tp('delivery', 'receive')];

  it('keeps the file alone when nothing was changed', () => {
    expect(composeWithChanges(file, {}).map((t) => [t.id, t.origin])).toEqual([
      ['ads', 'file'],
      ['checkout', 'file'],
      ['delivery', 'file'],
    ]);
  });

  it('replaces a redefined file touchpoint whole, and puts additions in stage order', () => {
    const out = composeWithChanges(file, {
      delivery: item(tp('delivery', 'receive', 'colis')),
      'loyalty-card': item(tp('loyalty-card', 'stay-loyal')),
      coupon: item(tp('coupon', 'buy')),
    });
    expect(out.map((t) => [t.id, t.origin])).toEqual([
      ['ads', 'file'],
      ['checkout', 'file'],
      ['coupon', 'api'],
      ['delivery', 'file+api'],
      ['loyalty-card', 'api'],
    ]);
    expect(out.find((t) => t.id === 'delivery')?.keywords.fr).toEqual(['colis']);
    expect(out.find((t) => t.id === 'delivery')?.updatedBy?.name).toBe('admin');
  });
});

describe('defaultRoutes', () => {
  it('sends weak-link alerts to every channel but digest-only ones, operational ones to logs', () => {
    expect(
      defaultRoutes([
        { id: 'console', type: 'log', digestOnly: false },
        { id: 'marketing', type: 'slack', digestOnly: true },
        { id: 'crm', type: 'webhook', digestOnly: false },
      ]),
    ).toEqual([
      { match: { kind: 'weak-link' }, channels: ['console', 'crm'] },
      { match: { kind: 'operational' }, channels: ['console'] },
    ]);
  });

  it('leaves out a route with no channel', () => {
    expect(defaultRoutes([{ id: 'crm', type: 'webhook', digestOnly: false }])).toEqual([
      { match: { kind: 'weak-link' }, channels: ['crm'] },
    ]);
  });
});
