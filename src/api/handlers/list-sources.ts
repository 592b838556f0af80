import type { HandlerResult } from '../errors.js';
import type { ApiDeps, ApiRequest } from './_deps.js';

/** Each configured source with its poll state: when it last worked, what went wrong since. */
export async function listSourcesHandler(_req: ApiRequest, deps: ApiDeps): Promise<HandlerResult> {
  const sources = await deps.sources.list();
  // The cursor (ETag...) is the adapter's business, not the operator's.
  return { status: 200, body: { data: sources.map(({ cursor: _c, ...s }) => s) } };
}
