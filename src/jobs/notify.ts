/**
 * Delivers one alert to one channel, once: a delivery recorded as done is never sent again,
 * however often the job is queued.
 */
import type { Job } from 'bullmq';
import type { ChannelConfig } from '../../config/index.js';
import { sendAlert, type NotifierDeps } from '../alerts/notifier.js';
import { NotFoundError } from '../errors.js';
import { notifyJobSchema } from '../queue/queues.js';
import type { AlertsRepository } from '../store/alerts-repository.js';
import { classifyForQueue, errorMessage } from './_errors.js';

export interface NotifyDeps extends NotifierDeps {
  channels: ChannelConfig[];
  alerts: AlertsRepository;
}

export type NotifyResult = {
  alertId: string;
  channelId: string;
  delivered: 'now' | 'before' | 'no-channel';
};

export function createNotifyProcessor(deps: NotifyDeps) {
  const channels = new Map(deps.channels.map((c) => [c.id, c]));
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<NotifyResult> => {
    try {
      const { alertId, channelId } = notifyJobSchema.parse(job.data);
      const channel = channels.get(channelId);
      if (!channel) return { alertId, channelId, delivered: 'no-channel' };
      const previous = await deps.alerts.delivery(alertId, channelId);
      if (previous?.status === 'delivered') return { alertId, channelId, delivered: 'before' };
      const alert = await deps.alerts.findById(alertId);
      if (!alert) throw new NotFoundError('alert', alertId);
      try {
        await sendAlert(deps, channel, alert, signal);
      } catch (err) {
        await deps.alerts.recordDelivery(alertId, channelId, {
          ok: false,
          error: errorMessage(err),
        });
        throw err;
      }
      await deps.alerts.recordDelivery(alertId, channelId, { ok: true });
      return { alertId, channelId, delivered: 'now' };
    } catch (err) {
      throw classifyForQueue(err);
    }
  };
}
