/**
 * Export of any filtered set of mentions (the explorer's filters and search) as CSV or NDJSON,
 * streamed: the index is walked to the end in chunks, each chunk's mentions read by `_id` and
 * written out before the next is read, at the pace the client reads (a Readable over an async
 * generator: it is pulled, never pushed). A million rows take the memory of one chunk.
 *
 * CSV: every cell quoted, UTF-8 with a byte-order mark (spreadsheets then read accents right),
 * and a text cell that starts with = + - @ (or a tab or carriage return) gets a leading ', so
 * that a spreadsheet shows it instead of running it as a formula.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import type { Mention } from '../../domain/mention.js';
import { defineRoute } from '../route.js';
import type { ApiDeps } from './_deps.js';
import {
  checkRatings,
  mentionFiltersSchema,
  searchMentions,
  searchOf,
  toJson,
} from './list-mentions.js';

/** Mentions read by `_id` at once, and written out together. */
const CHUNK = 200;

export const exportMentionsQuery = mentionFiltersSchema
  .extend({
    format: z
      .enum(['csv', 'ndjson'])
      .default('csv')
      .describe('CSV (a spreadsheet) or NDJSON (one JSON mention a line).'),
  })
  .strict()
  .superRefine(checkRatings);

const COLUMNS = [
  'id',
  'publishedAt',
  'source',
  'url',
  'authorId',
  'authorName',
  'lang',
  'title',
  'text',
  'rating',
  'sentiment',
  'sentimentScore',
  'relevant',
  'touchpoints',
  'stages',
  'audience',
  'likes',
  'shares',
  'replies',
  'crossPostOf',
] as const;

/** A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"). */
const FORMULA = /^[=+\-@\t\r]/;
const cell = (v: string | number | boolean | undefined | null): string | number =>
  v === undefined || v === null
    ? ''
    : typeof v === 'string'
      ? FORMULA.test(v)
        ? `'${v}`
        : v
      : typeof v === 'boolean'
        ? String(v)
        : v;

export function csvRow(m: Mention): (string | number)[] {
  return [
    m.id,
    m.publishedAt.toISOString(),
    m.source,
    m.url,
    m.author.id,
    m.author.name,
    m.lang,
    m.title,
    m.text,
    m.rating,
    m.sentiment?.label,
    m.sentiment?.score,
    m.relevant ?? true,
    (m.touchpoints ?? []).map((t) => `${t.id}:${t.sentiment.label}`).join('; '),
    (m.stages ?? []).join('; '),
    m.reach?.audience,
    m.engagement?.likes,
    m.engagement?.shares,
    m.engagement?.replies,
    m.crossPostOf,
  ].map(cell);
}

const csv = (rows: (string | number)[][], bom = false) =>
  stringify(rows, { quoted: true, quoted_empty: true, bom, record_delimiter: 'windows' });

/** The export's lines, chunk by chunk. */
async function* lines(
  deps: ApiDeps,
  q: z.output<typeof exportMentionsQuery>,
): AsyncGenerator<string> {
  const search = searchOf(q, deps);
  if (q.format === 'csv') yield csv([[...COLUMNS]], true);
  let chunk: Mention[] = [];
  const flush = () => {
    const out =
      q.format === 'csv'
        ? csv(chunk.map(csvRow))
        : chunk.map((m) => `${JSON.stringify(toJson(m))}\n`).join('');
    chunk = [];
    return out;
  };
  for await (const step of searchMentions(deps, search, {
    chunk: CHUNK,
    maxReads: Infinity,
    maxRejects: Infinity,
  })) {
    if (step.kind !== 'mention') break;
    chunk.push(step.mention);
    if (chunk.length >= CHUNK) yield flush();
  }
  if (chunk.length > 0) yield flush();
}

export const exportMentions = defineRoute({
  method: 'get',
  path: '/api/v1/mentions/export',
  access: 'viewer',
  tag: 'Mentions',
  summary: 'Export the mentions of any search and filters, as CSV or NDJSON (streamed)',
  description:
    'The same filters as the list, every matching mention in the order asked, streamed as it is read: a million rows do not wait for the last one. CSV cells are all quoted and a cell that would start a spreadsheet formula gets a leading apostrophe.',
  query: exportMentionsQuery,
  responses: {
    200: {
      description: 'CSV (`format=csv`) or NDJSON (`format=ndjson`).',
      contentType: 'text/csv',
    },
  },
  handler: ({ query }, deps) => {
    // Filters are checked before the answer starts: a bad one is a 400, not a broken stream.
    searchOf(query, deps);
    const stamp = new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
    const ext = query.format === 'csv' ? 'csv' : 'ndjson';
    return Promise.resolve({
      status: 200,
      headers: {
        'content-type':
          query.format === 'csv'
            ? 'text/csv; charset=utf-8'
            : 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="mentions-${stamp}.${ext}"`,
        'cache-control': 'no-store',
      },
      stream: Readable.from(lines(deps, query), { objectMode: false }),
    });
  },
});
