/**
 * One pino logger for the whole process. Requests carry a `reqId` through AsyncLocalStorage, so
 * every line logged while serving a request names it without passing a child logger around.
 * Never log full post or review bodies: they are other people's words.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Per-request context read by the logger's mixin. */
export const requestContext = new AsyncLocalStorage<{ reqId: string }>();

export function createLogger(opts: { level: string; format: 'json' | 'pretty' }): Logger {
  return pino({
    level: opts.level,
    base: { pid: process.pid },
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { reqId: ctx.reqId } : {};
    },
    ...(opts.format === 'pretty'
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname', singleLine: true },
          },
        }
      : {}),
  });
}
