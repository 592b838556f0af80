import { z } from 'zod';
import { mentionInputSchema, parseMention, type MentionInput } from '../../domain/mention.js';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { acceptMentions } from '../../ingest/accept.js';
import { defineRoute } from '../route.js';

export const postMentions = defineRoute({
  method: 'post',
  path: '/api/v1/mentions',
  access: 'manager',
  tag: 'Mentions',
  summary: 'Push one mention or a batch',
  description:
    'All-or-nothing per request: a batch with one invalid mention is refused whole, with every problem listed by index. A `publishedAt` in the future (beyond 10 minutes of clock skew) is one such problem. 202: stored, read and queued for counting; a mention already stored (same source and externalId) is not stored twice.',
  // Checked item by item below, so that every problem is listed with its index.
  body: z.unknown(),
  documentedBody: z.union([mentionInputSchema, z.array(mentionInputSchema)]),
  responses: {
    202: {
      description: 'Accepted: how many were new, repeats or edits.',
      schema: z.record(z.string(), z.unknown()),
    },
  },
  handler: async ({ body: raw }, deps) => {
    const items: unknown[] = Array.isArray(raw) ? raw : [raw];
    const where = Array.isArray(raw) ? (i: number) => `${i}` : () => '';
    if (items.length === 0)
      throw new ValidationError('body', [
        { path: '', message: 'expected a mention or a non-empty array of mentions' },
      ]);
    if (items.length > deps.settings.maxBatch) {
      throw new ValidationError('body', [
        { path: '', message: `at most ${deps.settings.maxBatch} mentions per request` },
      ]);
    }
    const mentions: MentionInput[] = [];
    const issues: ValidationIssue[] = [];
    // One clock for the whole batch: each mention is judged against the same instant.
    const now = new Date();
    items.forEach((item, i) => {
      try {
        mentions.push(parseMention(item, { now }));
      } catch (err) {
        if (!(err instanceof ValidationError)) throw err;
        for (const issue of err.issues)
          issues.push({
            path: [where(i), issue.path].filter(Boolean).join('.'),
            message: issue.message,
          });
      }
    });
    if (issues.length > 0) throw new ValidationError('body', issues);
    const summary = await acceptMentions(deps.acceptDeps, mentions, now);
    return { status: 202, body: summary };
  },
});
