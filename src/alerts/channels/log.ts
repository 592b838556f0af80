/** The log channel: each message is a log line (the demo's channel, and operators' default). */
import { z } from 'zod';
import { summarize } from '../explain.js';
import { dashboardUrl, defineChannel } from './_types.js';

export default defineChannel({
  type: 'log',
  options: z.object({}),
  secrets: {},
  async send(channel, msg, deps) {
    if (msg.kind === 'digest') {
      const d = msg.digest;
      deps.logger.info(
        {
          channel: channel.id,
          date: d.date,
          top: d.top.map((t) => ({
            touchpoint: t.id,
            negatives: t.negatives,
            previous: t.previous,
          })),
          openAlerts: d.openAlerts.length,
        },
        `DIGEST ${d.date}`,
      );
      return;
    }
    const { alert, event } = msg;
    const fields = {
      channel: channel.id,
      alertId: alert.id,
      kind: alert.kind,
      event: event.kind,
      severity: event.severity ?? alert.severity,
      ...(alert.touchpoint ? { touchpoint: alert.touchpoint.id } : {}),
      ...(alert.sourceId ? { sourceId: alert.sourceId } : {}),
      observed: alert.evidence.observed,
      expected: alert.evidence.expected,
      summary: summarize(alert, deps.timeZone).en,
      openedAt: alert.openedAt,
      link: dashboardUrl(deps.publicUrl, alert.id),
    };
    if (event.kind === 'resolved') deps.logger.info(fields, `RESOLVED ${alert.title}`);
    else
      deps.logger.warn(
        fields,
        `${alert.kind === 'operational' ? 'OPS ALERT' : 'ALERT'} ${alert.title}`,
      );
  },
});
