import { describe, expect, it } from 'vitest';
import type { ChannelConfig, RouteConfig } from '../../../src/alerts/settings.js';
import { muteReason, routeEvent } from '../../../src/alerts/routing.js';
import { operational, T0, weakLink } from './_fixtures.js';

const channels: ChannelConfig[] = [
  { id: 'console', type: 'log', digestOnly: false, secrets: {} },
  {
    id: 'community',
    type: 'slack',
    lang: 'fr',
    digestOnly: false,
    secrets: { webhookUrl: 'https://h.example/1' },
  },
  {
    id: 'crm',
    type: 'webhook',
    lang: 'en',
    digestOnly: false,
    secrets: { url: 'https://h.example/2', secret: 's' },
  },
];
const routes: RouteConfig[] = [
  { match: { kind: 'weak-link' }, channels: ['console', 'community'] },
  {
    match: { kind: 'weak-link', touchpoints: ['delivery'], minSeverity: 'critical' },
    channels: ['crm', 'console'],
  },
  { match: { kind: 'operational', sources: ['feed'] }, channels: ['console'] },
];
const opened = { at: T0, kind: 'opened' as const, severity: 'warning' as const };

describe('routeEvent', () => {
  it('unites the channels of every matching route, each once', () => {
    const critical = weakLink({ severity: 'critical' });
    expect(routeEvent(critical, { ...opened, severity: 'critical' }, routes, channels)).toEqual([
      'console',
      'community',
      'crm',
    ]);
  });

  it('filters on touchpoint and minimum severity (an escalation at its new severity)', () => {
    expect(routeEvent(weakLink(), opened, routes, channels)).toEqual(['console', 'community']);
    const escalated = { at: T0, kind: 'escalated' as const, severity: 'critical' as const };
    expect(routeEvent(weakLink(), escalated, routes, channels)).toContain('crm');
    const other = weakLink({
      severity: 'critical',
      touchpoint: { id: 'support', stage: 'get-help', label: { fr: 'SAV', en: 'Support' } },
    });
    expect(routeEvent(other, { ...opened, severity: 'critical' }, routes, channels)).toEqual([
      'console',
      'community',
    ]);
  });

  it('sends operational alerts only where a route names them', () => {
    expect(routeEvent(operational(), opened, routes, channels)).toEqual(['console']);
    expect(routeEvent(operational({ sourceId: 'other' }), opened, routes, channels)).toEqual([]);
  });

  it('skips channels that are not configured', () => {
    expect(
      routeEvent(
        weakLink(),
        opened,
        [{ match: { kind: 'weak-link' }, channels: ['gone'] }],
        channels,
      ),
    ).toEqual([]);
  });
});

describe('muteReason', () => {
  const now = new Date(T0.getTime() + 3_600_000);
  it('notifies opened, escalated, reopened and resolved only', () => {
    for (const kind of ['opened', 'escalated', 'reopened', 'resolved'] as const)
      expect(muteReason(weakLink(), { at: T0, kind }, now)).toBeNull();
    for (const kind of ['calmed', 'acknowledged', 'snoozed', 'commented'] as const)
      expect(muteReason(weakLink(), { at: T0, kind }, now)).toMatch(/do not notify/);
  });

  it('keeps a snoozed alert quiet, except for critical escalations and its end', () => {
    const snoozed = weakLink({ status: 'snoozed', snoozedUntil: new Date(now.getTime() + 60_000) });
    expect(muteReason(snoozed, { at: now, kind: 'escalated', severity: 'warning' }, now)).toMatch(
      /snoozed/,
    );
    expect(muteReason(snoozed, { at: now, kind: 'reopened' }, now)).toMatch(/snoozed/);
    expect(
      muteReason(snoozed, { at: now, kind: 'escalated', severity: 'critical' }, now),
    ).toBeNull();
    expect(muteReason(snoozed, { at: now, kind: 'resolved' }, now)).toBeNull();
    const over = weakLink({ snoozedUntil: new Date(now.getTime() - 1) });
    expect(muteReason(over, { at: now, kind: 'reopened' }, now)).toBeNull();
  });
});
