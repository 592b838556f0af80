import { parseMention, type MentionInput } from '../../domain/mention.js';
import { ValidationError, type ValidationIssue } from '../../errors.js';
import { acceptMentions } from '../../ingest/accept.js';
import type { HandlerResult } from '../errors.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/**
 * Push one mention (an object) or a batch (an array). All-or-nothing per request: a batch with
 * one invalid mention is refused whole, with every problem listed by index, so a client never
 * has to guess which half was stored. A `publishedAt` in the future (beyond the clock skew of
 * src/domain/mention.ts) is one such problem. 202: stored and queued for analysis.
 */
export async function postMentionsHandler(req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const items: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
  const where = Array.isArray(req.body) ? (i: number) => `${i}` : () => '';
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
}
