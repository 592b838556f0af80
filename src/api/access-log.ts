/**
 * One access-log line per request (method, route pattern, status, duration, user), and the
 * request's duration in the metrics. Mounted after the request-id middleware (which opens the
 * request's context, src/logger.ts) and before the routes; the user is whoever the auth layer
 * named with `setRequestUser` while the request was served.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requestContext, type Logger } from '../logger.js';
import type { MetricsScraper } from '../ops/scraper.js';

export interface AccessLogOptions {
  logger: Logger;
  /** Counts each request's duration by route (the metrics scraper's `observeRequest`). */
  observe?: MetricsScraper['observeRequest'];
  /**
   * Paths logged at debug rather than info: probes and scrapes that come every few seconds would
   * drown the rest. @default ['/healthz', '/readyz', '/metrics']
   */
  quietPaths?: readonly string[];
}

/** The metrics' route label of a request no route of the table answered (static files, 404). */
export const NO_ROUTE = '(none)';

export function accessLog(opts: AccessLogOptions): RequestHandler {
  const quiet = new Set(opts.quietPaths ?? ['/healthz', '/readyz', '/metrics']);
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // Read now, while the request's context is the current one: 'finish' fires outside it.
    const ctx = requestContext.getStore();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      const status = res.statusCode;
      // Closed before the answer was written: the client went away.
      const aborted = !res.writableFinished;
      opts.observe?.({ method: req.method, route: route ?? NO_ROUTE, status, seconds });
      const line = {
        ...(ctx ? { reqId: ctx.reqId } : {}),
        ...(ctx?.user === undefined ? {} : { user: ctx.user }),
        method: req.method,
        route: route ?? null,
        // The path as asked, without its query (search words stay out of the logs).
        path: req.originalUrl.split('?', 1)[0],
        status,
        ms: Math.round(seconds * 1e4) / 10,
        ...(aborted ? { aborted } : {}),
      };
      if (quiet.has(req.path) && status < 400) opts.logger.debug(line, 'request');
      else opts.logger.info(line, 'request');
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  };
}

/** The route pattern that answered (`/api/v1/alerts/:id`), mount path included, if any. */
function routeOf(req: Request): string | undefined {
  const route: unknown = req.route;
  const path = (route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? `${req.baseUrl}${path}` : undefined;
}
