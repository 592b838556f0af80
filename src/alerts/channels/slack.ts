/** Slack: Block Kit messages posted to an incoming webhook, in the channel's language. */
import { z } from 'zod';
import { languageSchema } from '../../domain/vocabulary.js';
import { slackAlertMessage, slackDigestMessage } from '../slack-message.js';
import { dashboardUrl, defineChannel, postBody } from './_types.js';

export default defineChannel({
  type: 'slack',
  options: z.object({ lang: languageSchema.default('en') }),
  secrets: { webhookUrl: { describe: 'The incoming webhook URL.', url: true } },
  async send(channel, msg, deps, signal) {
    const lang = (msg.kind === 'digest' ? msg.lang : undefined) ?? channel.lang;
    const body =
      msg.kind === 'digest'
        ? slackDigestMessage(msg.digest, { lang })
        : slackAlertMessage(msg.alert, msg.event, {
            lang,
            alertUrl: dashboardUrl(deps.publicUrl, msg.alert.id),
            timeZone: deps.timeZone,
          });
    await postBody(
      deps,
      channel.id,
      channel.secrets.webhookUrl ?? '',
      JSON.stringify(body),
      { 'Content-Type': 'application/json' },
      signal,
    );
  },
});
