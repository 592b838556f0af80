/**
 * Express as a thin adapter: request id, JSON body, the route table, the dashboard's static
 * files, a JSON 404 and one error middleware. No business rule lives here.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';
import { requestContext } from '../logger.js';
import { errorResponse, toErrorResponse, type HandlerResult } from './errors.js';
import type { ApiDeps } from './handlers/_deps.js';
import { routes } from './routes.js';

/** The dashboard's static files (web/) and the chart library it loads from node_modules. */
const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const UPLOT_DIR = path.dirname(createRequire(import.meta.url).resolve('uplot'));

/** The dashboard runs its own script and styles only; uPlot sets inline styles from script. */
const DASHBOARD_CSP =
  "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    const reqId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    res.setHeader('x-request-id', reqId);
    requestContext.run({ reqId }, next);
  });
  app.use(express.json({ limit: deps.settings.bodyLimit, strict: false }));

  for (const route of routes) {
    app[route.method](route.path, async (req: Request, res: Response) => {
      const result = await route.handler(
        { params: req.params, query: req.query, body: req.body as unknown },
        deps,
      );
      send(res, result);
    });
  }

  const staticOptions = {
    index: 'index.html',
    setHeaders: (res: Response) => {
      res.setHeader('content-security-policy', DASHBOARD_CSP);
      res.setHeader('x-content-type-options', 'nosniff');
    },
  };
  app.use('/vendor/uplot', express.static(UPLOT_DIR, staticOptions));
  app.use(express.static(WEB_DIR, staticOptions));

  app.use((req: Request, res: Response) => {
    send(res, errorResponse(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
  });

  // Express 5 forwards rejected promises here; four arguments mark it as the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const result = toErrorResponse(err, deps.settings.nodeEnv === 'development');
    if (result.status >= 500)
      deps.logger.error({ err, method: req.method, path: req.path }, 'request failed');
    else
      deps.logger.info(
        { status: result.status, method: req.method, path: req.path },
        'request refused',
      );
    send(res, result);
  });
  return app;
}

function send(res: Response, result: HandlerResult): void {
  if (result.headers) res.set(result.headers);
  if (result.status === 204) res.status(204).end();
  else res.status(result.status).json(result.body);
}
