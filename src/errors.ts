/**
 * The error vocabulary. Every error we throw is an `AppError` with a stable `code`; the API maps
 * it to an HTTP status in one place (`src/api/errors.ts`), the queues classify it in one place
 * (`src/queue/classify.ts`).
 */
export type ErrorCode =
  | 'config_invalid'
  | 'validation_failed'
  | 'not_found'
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
    super('source_http', `${source}: ${message}`, { cause: opts.cause });
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
    super('source_parse', `${source}: ${message}`, { cause });
    this.name = 'SourceParseError';
    this.source = source;
  }
}

/** A notification channel refused or could not take a delivery. */
export class DeliveryError extends AppError {
  readonly status: number | undefined;
  constructor(channel: string, message: string, opts: { status?: number; cause?: unknown } = {}) {
    super('delivery_failed', `${channel}: ${message}`, { cause: opts.cause });
    this.name = 'DeliveryError';
    this.status = opts.status;
  }
}
