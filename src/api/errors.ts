/**
 * The one shape of every API error: `{ "error": { "code", "message", "details"? } }`, built only
 * here. `code` is stable (clients switch on it); `message` is for people.
 */
import { AppError, ValidationError } from '../errors.js';
import { isStoreUnavailable } from '../store/availability.js';

export type ApiErrorCode =
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'rate_limited'
  | 'route_not_found'
  | 'payload_too_large'
  | 'malformed_json'
  | 'unavailable'
  | 'internal';

export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function errorResponse(
  status: number,
  code: ApiErrorCode,
  message: string,
  details?: unknown,
): HandlerResult {
  return {
    status,
    body: { error: { code, message, ...(details === undefined ? {} : { details }) } },
  };
}

/** Maps anything thrown to a response; unknown errors become a 500 without internals. */
export function toErrorResponse(err: unknown, exposeStack: boolean): HandlerResult {
  if (err instanceof ValidationError)
    return errorResponse(400, 'validation_failed', err.message, err.issues);
  if (err instanceof AppError && err.code === 'not_found')
    return errorResponse(404, 'not_found', err.message);
  if (err instanceof AppError && err.code === 'conflict')
    return errorResponse(409, 'conflict', err.message);
  if (err instanceof AppError && err.code === 'unauthorized')
    return errorResponse(401, 'unauthorized', err.message);
  if (err instanceof AppError && err.code === 'forbidden')
    return errorResponse(403, 'forbidden', err.message);
  // body-parser's errors carry `type` and `status`.
  const e = err as { type?: string; status?: number; message?: string; stack?: string };
  if (e?.type === 'entity.too.large')
    return errorResponse(413, 'payload_too_large', 'request body too large');
  if (e?.type === 'entity.parse.failed')
    return errorResponse(400, 'malformed_json', 'request body is not valid JSON');
  if (e?.status === 415 || e?.type === 'encoding.unsupported')
    return errorResponse(415, 'validation_failed', e.message ?? 'unsupported body');
  // The store down or restarting is not our bug: 503, and the client may try again.
  if (isStoreUnavailable(err))
    return {
      ...errorResponse(503, 'unavailable', 'the store cannot be reached; try again shortly'),
      headers: { 'retry-after': '5' },
    };
  return errorResponse(
    500,
    'internal',
    'internal error',
    exposeStack ? { stack: e?.stack } : undefined,
  );
}
