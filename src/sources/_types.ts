/**
 * What a source adapter is. An adapter reads one kind of source (RSS, Mastodon, ...); the
 * configured sources in sources.yaml are its instances. `fetchPage` does the I/O through the
 * shared HTTP helper; `parse` is pure and turns the raw answer into mention drafts.
 */
import type { MentionInput } from '../domain/mention.js';
import type { SourceConfig } from '../../config/index.js';
import type { HttpClient } from './_http.js';

/** What an adapter remembers between polls (conditional GET validators, paging cursors). */
export type SourceCursor = Record<string, string>;

/** A mention before the poll job stamps it with the configured source id. */
export type MentionDraft = Omit<MentionInput, 'source'>;

export type FetchResult =
  | { notModified: true; cursor: SourceCursor }
  | { notModified: false; cursor: SourceCursor; raw: RawPage };

/** The body of one answer and the headers a parser may need (charset). */
export interface RawPage {
  body: Buffer;
  contentType: string | undefined;
  url: string;
}

export interface FetchContext {
  http: HttpClient;
  signal: AbortSignal;
}

export interface SourceAdapter {
  kind: SourceConfig['kind'];
  fetchPage(source: SourceConfig, cursor: SourceCursor, ctx: FetchContext): Promise<FetchResult>;
  /**
   * Pure: throws `SourceParseError` on input it cannot read. `fetchedAt` stands in for a missing
   * publication date.
   */
  parse(raw: RawPage, ctx: { sourceId: string; fetchedAt: Date }): MentionDraft[];
}

export function defineSource(adapter: SourceAdapter): SourceAdapter {
  return adapter;
}
