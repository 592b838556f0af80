import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import {
  DeliveryError,
  NotFoundError,
  SourceHttpError,
  SourceParseError,
  ValidationError,
} from '../../src/errors.js';
import { classifyForQueue } from '../../src/jobs/_errors.js';

describe('classifyForQueue', () => {
  it.each([
    ['a parse error', new SourceParseError('feed', 'not a feed')],
    ['a 404', new SourceHttpError('feed', 'gone', { status: 404 })],
    ['a 401', new SourceHttpError('feed', 'who are you', { status: 401 })],
    ['a refused delivery (400)', new DeliveryError('slack', 'invalid_payload', { status: 400 })],
    ['a validation error', new ValidationError('job', [{ path: 'sourceId', message: 'required' }])],
    ['a missing record', new NotFoundError('alert', 'a1')],
  ])('stops retrying %s', (_what, err) => {
    const out = classifyForQueue(err);

    expect(out).toBeInstanceOf(UnrecoverableError);
    expect((out as Error).message).toBe(err.message);
  });

  it.each([
    ['a 429', new SourceHttpError('feed', 'slow down', { status: 429, retryAfterMs: 7000 })],
    ['a 408', new SourceHttpError('feed', 'timeout', { status: 408 })],
    ['a 503', new SourceHttpError('feed', 'unavailable', { status: 503 })],
    ['a network failure', new SourceHttpError('feed', 'ECONNREFUSED')],
    ['a failed delivery (500)', new DeliveryError('slack', 'boom', { status: 500 })],
    ['a delivery that never got an answer', new DeliveryError('slack', 'ETIMEDOUT')],
    ['a plain Error', new Error('unexpected')],
  ])('returns %s as is, to be retried', (_what, err) => {
    expect(classifyForQueue(err)).toBe(err);
  });

  it('returns values that are not errors as is', () => {
    expect(classifyForQueue('oops')).toBe('oops');
  });
});
