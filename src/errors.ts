/**
 * The error vocabulary. Every error we throw is an `AppError` with a stable `code`; the API maps
 * it to an HTTP status in one place (`src/api/errors.ts`), the queues classify it in one place
 * (`src/queue/classify.ts`).
 */
import { redactText } from './net/redact.js';

export type ErrorCode =
  | 'config_invalid'
  | 'validation_failed'
  | 'not_found'
  | 'conflict'
  | 'unauthorized'
  | 'forbidden'
  | 'source_http'
  | 'source_parse'
  | 'delivery_failed'
  | 'payload_too_large';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; httpStatus?: number } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = opts.httpStatus;
  }
}

/** A bad configuration value; start-up stops with this message (every issue, one per line). */
export class ConfigError extends AppError {
  readonly issues: string[];
  constructor(issues: string[], cause?: unknown) {
    super('config_invalid', `config: invalid configuration\n  - ${issues.join('\n  - ')}`, {
      cause,
    });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** One problem in user input: where it is (`path`) and what is wrong with it. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class ValidationError extends AppError {
  readonly issues: ValidationIssue[];
  constructor(prefix: string, issues: ValidationIssue[], cause?: unknown) {
    const first = issues[0];
    super(
      'validation_failed',
      `${prefix}: ${first ? `${first.path || '(root)'}: ${first.message}` : 'invalid input'}`,
      {
        cause,
        httpStatus: 400,
      },
    );
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', `${what}: ${id} not found`, { httpStatus: 404 });
    this.name = 'NotFoundError';
  }
}

/** The request contradicts what exists (a source id taken, a source the file owns). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super('conflict', message, { httpStatus: 409 });
    this.name = 'ConflictError';
  }
}

/** A source answered with a non-2xx status, or could not be reached (`status` undefined). */
export class SourceHttpError extends AppError {
  readonly source: string;
  readonly status: number | undefined;
  /** How long the source asked us to wait (Retry-After or X-RateLimit-Reset), if it said. */
  readonly retryAfterMs: number | undefined;
  readonly body: string | undefined;

  constructor(
    source: string,
    message: string,
    opts: { status?: number; retryAfterMs?: number; body?: string; cause?: unknown } = {},
  ) {
    super('source_http', redactText(`${source}: ${message}`), {
      cause: sanitizedCause(opts.cause),
    });
    this.name = 'SourceHttpError';
    this.source = source;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.body = opts.body;
  }
}

/** A source's response could not be read as what it claims to be. Retrying will not help. */
export class SourceParseError extends AppError {
  readonly source: string;
  constructor(source: string, message: string, cause?: unknown) {
    super('source_parse', redactText(`${source}: ${message}`), { cause: sanitizedCause(cause) });
    this.name = 'SourceParseError';
    this.source = source;
  }
}

/**
 * A notification channel refused or could not take a delivery. `status` is an HTTP receiver's
 * answer; `permanent` says that retrying cannot help whatever the protocol (an SMTP server's 5xx
 * reply, refused credentials): the queue gives up at once, and the delivery waits, dead, for a
 * re-send.
 */
export class DeliveryError extends AppError {
  readonly status: number | undefined;
  readonly permanent: boolean;
  constructor(
    channel: string,
    message: string,
    opts: { status?: number; permanent?: boolean; cause?: unknown } = {},
  ) {
    super('delivery_failed', redactText(`${channel}: ${message}`), {
      cause: sanitizedCause(opts.cause),
    });
    this.name = 'DeliveryError';
    this.status = opts.status;
    this.permanent = opts.permanent ?? false;
  }
}

/**
 * What a source or delivery error keeps of the error it wraps, for the logs (`{ err }` prints
 * causes): its name, code and redacted message, and its stack frames, never the rest. An HTTP
 * client's error holds the request's configuration (the full URL, the Authorization header, a
 * webhook's signature) and its response (an internal host's page); none of it may reach a log.
 * Our own errors are already clean and stay as they are.
 */
export function sanitizedCause(cause: unknown, depth = 0): unknown {
  if (cause === undefined || cause instanceof AppError) return cause;
  if (!(cause instanceof Error))
    return new Error(
      redactText(typeof cause === 'string' ? cause : 'non-Error cause').slice(0, 500),
    );
  const clean = new Error(
    redactText(cause.message),
    cause.cause !== undefined && depth < 3
      ? { cause: sanitizedCause(cause.cause, depth + 1) }
      : undefined,
  );
  clean.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(clean, { code });
  // The frames of where it happened; the first line (its message) is the redacted one.
  const frames = cause.stack?.split('\n').filter((l) => /^\s+at /.test(l)) ?? [];
  clean.stack = [`${clean.name}: ${clean.message}`, ...frames].join('\n');
  return clean;
}

/** No valid credential came with a request that needs one. */
export class UnauthorizedError extends AppError {
  constructor(message = 'sign in, or send an API key as `Authorization: Bearer <key>`') {
    super('unauthorized', message, { httpStatus: 401 });
    this.name = 'UnauthorizedError';
  }
}

/** The caller is known, but their role does not allow this (or a CSRF token is missing). */
export class ForbiddenError extends AppError {
  constructor(message: string) {
    super('forbidden', message, { httpStatus: 403 });
    this.name = 'ForbiddenError';
  }
}
