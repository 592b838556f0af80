/**
 * The bench's fake site: a node:http server on 127.0.0.1 answering recorded pages by path (the
 * query string and conditional headers ignored, so every request gets the full page), a
 * permissive robots.txt, 404 for the rest.
 */
import { createServer } from 'node:http';

/** One answer of the site. */
export interface Reply {
  status?: number;
  contentType?: string;
  headers?: Record<string, string>;
  body: Buffer | string;
}

export interface Site {
  /** http://127.0.0.1:PORT, no trailing slash. */
  url: string;
  /** Requests answered so far, robots.txt included. */
  requests(): number;
  /** Safe to call twice. */
  close(): Promise<void>;
}

const ROBOTS: Reply = { contentType: 'text/plain', body: 'User-agent: *\nAllow: /\n' };
const NOT_FOUND: Reply = { status: 404, contentType: 'text/plain', body: 'not found' };

/** Starts a site answering `routes` (by path); resolves once it listens. */
export async function startSite(routes: Record<string, Reply>): Promise<Site> {
  let served = 0;
  const server = createServer((req, res) => {
    // Read the request body (token and session POSTs) before answering, as a real server does.
    req.resume();
    req.on('end', () => {
      served++;
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const reply = routes[path] ?? (path === '/robots.txt' ? ROBOTS : NOT_FOUND);
      res
        .writeHead(reply.status ?? 200, {
          ...(reply.contentType ? { 'Content-Type': reply.contentType } : {}),
          ...reply.headers,
        })
        .end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => served,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      })),
  };
}
