/**
 * Which alert events notify, and to which channels. Pure: the fanout job applies it to one event.
 */
import type { ChannelConfig, RouteConfig } from './settings.js';
import type { Alert, AlertEvent, AlertEventKind, Severity } from '../domain/alert.js';

/**
 * Events worth a message. Calmed is a wave slowing down but still there; acknowledged, snoozed
 * and commented are people's actions, already known to whoever took them.
 */
export const NOTIFYING_EVENTS: ReadonlySet<AlertEventKind> = new Set([
  'opened',
  'escalated',
  'reopened',
  'resolved',
]);

const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function severityAtLeast(s: Severity, min: Severity): boolean {
  return SEVERITY_RANK[s] >= SEVERITY_RANK[min];
}

/** Why an event sends nothing, or null when it notifies. */
export function muteReason(alert: Alert, event: AlertEvent, now: Date): string | null {
  if (!NOTIFYING_EVENTS.has(event.kind)) return `${event.kind} events do not notify`;
  const snoozed = alert.snoozedUntil !== null && alert.snoozedUntil.getTime() > now.getTime();
  // People snooze noise, not news: getting worse to critical, or over, still gets through.
  const breaksSnooze =
    event.kind === 'resolved' || (event.kind === 'escalated' && event.severity === 'critical');
  if (snoozed && !breaksSnooze) return `snoozed until ${alert.snoozedUntil?.toISOString()}`;
  return null;
}

/**
 * The channels of every route matching the event (a union, in configuration order, each once).
 * An escalation is judged at its new severity.
 */
export function routeEvent(
  alert: Alert,
  event: AlertEvent,
  routes: RouteConfig[],
  channels: ChannelConfig[],
): string[] {
  const severity = event.severity ?? alert.severity;
  const known = new Set(channels.map((c) => c.id));
  const out = new Set<string>();
  for (const r of routes) {
    const m = r.match;
    if (m.kind !== alert.kind) continue;
    if (m.touchpoints && !(alert.touchpoint && m.touchpoints.includes(alert.touchpoint.id)))
      continue;
    if (m.sources && !(alert.sourceId && m.sources.includes(alert.sourceId))) continue;
    if (m.minSeverity && !severityAtLeast(severity, m.minSeverity)) continue;
    for (const id of r.channels) if (known.has(id)) out.add(id);
  }
  return [...out];
}
