/**
 * Wire schemas shared by several routes: the error shape, ids, dates, pages. Response schemas
 * describe the JSON as sent (dates are ISO strings); the OpenAPI document is generated from
 * them, and the contract tests hold real answers to it.
 */
import { z } from 'zod';

/** The one error shape (src/api/errors.ts builds it). */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable: clients switch on it.'),
      message: z.string().describe('For people.'),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

/** An instant as JSON carries it. */
export const isoString = z.iso.datetime({ offset: true });

/** An optional ISO-8601 instant with its offset, as a Date: `since` and `until` parameters. */
export const isoDateParam = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .optional();

/** A MongoDB ObjectId in hex (alerts, mentions). A malformed one finds nothing: 404. */
export const objectIdParam = z.object({
  id: z.string().min(1).max(64).describe('The id as this API returned it.'),
});

export const limitParam = (max = 200, byDefault = 50) =>
  z.coerce.number().int().min(1).max(max).default(byDefault).describe(`Page size (1-${max}).`);

export const cursorParam = z
  .string()
  .max(500)
  .optional()
  .describe('`nextCursor` of the previous page.');

/** `{ data: [...], nextCursor }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

export function listOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item) });
}

/** A text in both languages. */
export const bilingual = z.object({ fr: z.string(), en: z.string() });
