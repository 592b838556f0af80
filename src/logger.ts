/**
 * One pino logger for the whole process. Requests carry a `reqId`, and once the auth layer knows
 * it the `user`, through AsyncLocalStorage, so every line logged while serving a request names
 * both without passing a child logger around.
 * Never log full post or review bodies: they are other people's words.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/** What is known of the request being served. */
export interface RequestContext {
  reqId: string;
  /** Who is asking (a user's id, or `key:<id>`), set by the auth layer with `setRequestUser`. */
  user?: string;
}

/** Per-request context read by the logger's mixin. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Names the authenticated caller of the request being served: every line logged for it from now
 * on, the access log's included, carries `user`. Outside a request it does nothing.
 */
export function setRequestUser(id: string): void {
  const ctx = requestContext.getStore();
  if (ctx) ctx.user = id;
}

/** `destination`: where JSON lines go (default standard output; tests read them). */
export function createLogger(
  opts: { level: string; format: 'json' | 'pretty' },
  destination?: DestinationStream,
): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    base: { pid: process.pid },
    mixin: () => {
      const ctx = requestContext.getStore();
      if (!ctx) return {};
      return ctx.user === undefined ? { reqId: ctx.reqId } : { reqId: ctx.reqId, user: ctx.user };
    },
    ...(opts.format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
          },
        }
      : {}),
  };
  return destination && opts.format === 'json' ? pino(options, destination) : pino(options);
}
