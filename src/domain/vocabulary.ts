/**
 * The words Maillon's parts share, owned here as zod enums: configuration files, the API's query
 * strings, the store and the dashboard all validate against these, so a stage or a severity is
 * spelt once. Pure: no I/O, no other module of ours.
 */
import { z } from 'zod';

/** The stages of the customer journey, in the order a customer lives them. */
export const stageSchema = z.enum([
  'discover',
  'consider',
  'buy',
  'receive',
  'get-help',
  'stay-loyal',
]);
export type Stage = z.infer<typeof stageSchema>;
export const STAGES = stageSchema.options;

/** Each stage as people read it, in French and English. */
export const STAGE_LABELS: Record<Stage, { fr: string; en: string }> = {
  discover: { fr: 'Découverte', en: 'Discover' },
  consider: { fr: 'Considération', en: 'Consider' },
  buy: { fr: 'Achat', en: 'Buy' },
  receive: { fr: 'Réception', en: 'Receive' },
  'get-help': { fr: 'Assistance', en: 'Get help' },
  'stay-loyal': { fr: 'Fidélité', en: 'Stay loyal' },
};

/** How urgent an alert is. */
export const severitySchema = z.enum(['info', 'warning', 'critical']);
export type Severity = z.infer<typeof severitySchema>;

/** What a mention, or the part of it about one touchpoint, says. */
export const sentimentLabelSchema = z.enum(['negative', 'neutral', 'positive']);
export type SentimentLabel = z.infer<typeof sentimentLabelSchema>;

/**
 * The languages Maillon reads and writes in: sentiment and touchpoints are scored in these, and
 * every word shown to people (alerts, digests, dashboard) exists in both.
 */
export const languageSchema = z.enum(['fr', 'en']);
export type Language = z.infer<typeof languageSchema>;

/**
 * Who may do what, each role including the one before it: a viewer reads; a manager also
 * handles alerts, corrects mentions and manages sources; an admin also manages keys, users,
 * channels and settings.
 */
export const roleSchema = z.enum(['viewer', 'manager', 'admin']);
export type Role = z.infer<typeof roleSchema>;
export const ROLES = roleSchema.options;

/** Whether `role` includes `needed` (admin ⊇ manager ⊇ viewer). */
export function roleIncludes(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** `weak-link`: a touchpoint spreading negative word of mouth; `operational`: a source in trouble. */
export const alertKindSchema = z.enum(['weak-link', 'operational']);
export type AlertKind = z.infer<typeof alertKindSchema>;

export const alertStatusSchema = z.enum(['open', 'acknowledged', 'snoozed', 'resolved']);
export type AlertStatus = z.infer<typeof alertStatusSchema>;

/** Source names travel as `mention.source`, in queue job ids and in URLs: keep them plain. */
export const sourceIdSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'use lower-case letters, digits, ".", "_" or "-" (at most 64)',
  );

const DURATION_UNITS_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/** `"90s"`, `"15m"`, `"1h"`, `"7d"` or a number of milliseconds; the one duration parser. */
export const durationSchema = z
  .union([
    z.number().int().positive(),
    z.string().regex(DURATION, 'expected a duration such as "30s", "15m", "1h" or "1d"'),
  ])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const [, n, unit] = DURATION.exec(v) ?? [];
    return Number(n) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
  });

/** An http(s) URL. */
export const httpUrlSchema = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** The name of an environment variable that holds a secret (configuration names it, never holds it). */
export const envNameSchema = z
  .string()
  .regex(/^[A-Z][A-Z0-9_]*$/, 'expected a name such as MY_TOKEN');
