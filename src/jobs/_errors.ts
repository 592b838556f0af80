/**
 * Where job failures are classified, once for every worker: input that will never get better is
 * not retried; anything else is, with the exponential backoff set on the job options.
 */
import { UnrecoverableError } from 'bullmq';
import { AppError, DeliveryError, SourceHttpError } from '../errors.js';

/** Retrying these changes nothing: the input or the settings are wrong, not the moment. */
const PERMANENT: ReadonlySet<string> = new Set([
  'source_parse',
  'validation_failed',
  'not_found',
  'config_invalid',
]);

export function classifyForQueue(err: unknown): unknown {
  if (err instanceof DeliveryError && err.permanent) return new UnrecoverableError(err.message);
  if (err instanceof SourceHttpError || err instanceof DeliveryError) {
    const s = err.status;
    // 4xx other than timeouts and rate limits means our request is wrong: retrying repeats it.
    if (s !== undefined && s >= 400 && s < 500 && s !== 408 && s !== 429) {
      return new UnrecoverableError(err.message);
    }
    return err;
  }
  if (err instanceof AppError && PERMANENT.has(err.code))
    return new UnrecoverableError(err.message);
  return err;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
