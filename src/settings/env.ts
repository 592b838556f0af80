/**
 * The settings' own knobs from the environment, owned here; config/ composes them into its
 * environment schema.
 */
import { z } from 'zod';
import { durationSchema } from '../domain/vocabulary.js';
import { JOURNEY_MAX_AGE_MS } from './journey-provider.js';

export const settingsEnvSchema = z.object({
  SETTINGS_REFRESH: durationSchema
    .default(JOURNEY_MAX_AGE_MS)
    .describe(
      'How stale the journey (touchpoints changed through the API) may be in a process that did not make the change: it looks at the store (one `_id` lookup) at most this often.',
    ),
});
