/**
 * Imports mentions from JSON Lines (one mention a line) through the same door as every other:
 * `acceptMentions`. A bad line is reported with its number and reason, and the rest is imported;
 * importing the same file twice stores nothing twice. A line dated in the future is refused like
 * any other invalid line, with the reason.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseMention, type MentionInput } from '../domain/mention.js';
import { ValidationError } from '../errors.js';
import { acceptRead, readMentions, type AcceptDeps } from './accept.js';

/** Longer lines are refused rather than parsed: no mention needs a megabyte. */
export const MAX_LINE_LENGTH = 1024 * 1024;

export interface ImportSummary {
  lines: number;
  accepted: number;
  duplicates: number;
  rejected: { line: number; reason: string }[];
}

export async function importJsonl(
  deps: AcceptDeps,
  input: Readable,
  opts: {
    batchSize?: number;
    onProgress?: (s: ImportSummary) => void;
    /** The clock a line's `publishedAt` must not be ahead of; tests move it. */
    now?: () => Date;
  } = {},
): Promise<ImportSummary> {
  const batchSize = opts.batchSize ?? 500;
  const now = opts.now ?? (() => new Date());
  const summary: ImportSummary = { lines: 0, accepted: 0, duplicates: 0, rejected: [] };
  let batch: MentionInput[] = [];
  // One batch is stored while the next is read: reading a mention is CPU here, storing it is
  // the store's, so the two overlap.
  let inFlight: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    // Read now, while the previous batch is being stored.
    const taken = await readMentions(deps, batch, now());
    batch = [];
    await inFlight;
    inFlight = acceptRead(deps, taken).then((r) => {
      summary.accepted += r.accepted;
      summary.duplicates += r.duplicates;
      opts.onProgress?.(summary);
    });
    // Its failure is thrown by the next await of it, not left unhandled meanwhile.
    inFlight.catch(() => {});
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    summary.lines++;
    const n = summary.lines;
    if (line.trim() === '') continue;
    if (line.length > MAX_LINE_LENGTH) {
      summary.rejected.push({ line: n, reason: `longer than ${MAX_LINE_LENGTH} characters` });
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      summary.rejected.push({
        line: n,
        reason: `not valid JSON (${err instanceof Error ? err.message : String(err)})`,
      });
      continue;
    }
    try {
      batch.push(parseMention(value, { now: now() }));
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      summary.rejected.push({
        line: n,
        reason: err.issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
      });
      continue;
    }
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  await inFlight;
  return summary;
}
