/**
 * The API's own settings from the environment, owned here; config/ composes them into its
 * environment schema.
 */
import { z } from 'zod';
import { durationSchema } from '../domain/vocabulary.js';

export const apiEnvSchema = z.object({
  API_CORS_ORIGINS: z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((o) => o.trim().replace(/\/$/, ''))
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .describe(
      'Origins (comma-separated, e.g. `https://crm.example.com`) whose pages may call the API from a browser. Unset: none (CORS off).',
    ),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v): boolean | number | string =>
      v === undefined || v === '' || v === 'false'
        ? false
        : v === 'true'
          ? true
          : /^\d+$/.test(v)
            ? Number(v)
            : v,
    )
    .describe(
      "Express's `trust proxy` behind a reverse proxy: `true`, a hop count, or addresses. Then the client's IP (rate limits) and https (Secure cookies) come from X-Forwarded-*. Unset: trust none.",
    ),
  API_RATE_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(600)
    .describe('Requests a minute per API key or signed-in user (per IP for anonymous ones).'),
  SIGN_IN_RATE_LIMIT: z.coerce
    .number()
    .int()
    .positive()
    .default(10)
    .describe(
      'Sign-in attempts a minute per IP address, and as many requests with a refused API key.',
    ),
  SESSION_TTL: durationSchema
    .default(12 * 3_600_000)
    .describe('How long a dashboard session lasts (e.g. `12h`, `7d`).'),
});

export type ApiEnv = z.output<typeof apiEnvSchema>;
