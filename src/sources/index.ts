/**
 * The registry of source adapters: the only file that lists them. A test fails when a file in this
 * folder is not registered here.
 */
import type { SourceConfig } from '../../config/index.js';
import rss from './rss.js';
import type { SourceAdapter } from './_types.js';

export const sourceAdapters: Record<SourceConfig['kind'], SourceAdapter> = { rss };

/** Every source kind, one poll queue each. */
export const SOURCE_KINDS: SourceConfig['kind'][] = ['rss'];

export type { SourceAdapter, MentionDraft, SourceCursor, FetchResult, RawPage } from './_types.js';
export { createHttpClient, type HttpClient } from './_http.js';
