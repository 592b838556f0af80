/**
 * What a route is: one entry of the route table (./routes.ts) carrying everything about it in
 * one place, the zod schemas of its parts, who may call it and what it answers. The same entry
 * serves three uses: app.ts validates every request centrally against it before the handler
 * runs, enforces its `access`, and ./openapi.ts describes it in the OpenAPI document.
 */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { Principal } from '../access/authenticate.js';
import type { Session } from '../store/access-repository.js';
import type { Role } from '../domain/vocabulary.js';
import type { HandlerResult } from './errors.js';
import type { ApiDeps } from './handlers/_deps.js';

export type { Principal };

/** Who may call a route: anyone, or a signed-in user whose role includes this one. */
export type Access = 'public' | Role;

/** A handler's input: its parts, already parsed by the route's schemas. */
export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Null only on a public route. */
  user: Principal | null;
  /** The dashboard session the request came with (null with an API key). */
  session: Session | null;
  /** The request as the HTTP layer saw it, for the few handlers that need it (sign-in). */
  http: { ip: string; secure: boolean; headers: Record<string, string | undefined> };
}

/** A streamed answer (exports): the body is read from `stream`, never held in memory. */
export interface StreamResult {
  status: number;
  headers: Record<string, string>;
  stream: Readable;
}

export type RouteResult = HandlerResult | StreamResult;

export interface ResponseSpec {
  description: string;
  /** The JSON body's schema (omit for 204, or for a non-JSON body given by `contentType`). */
  schema?: z.ZodType;
  /** For a body that is not JSON (CSV, NDJSON, HTML...). */
  contentType?: string;
}

export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path (`/api/v1/alerts/:id`); OpenAPI gets `{id}`. */
  path: string;
  access: Access;
  /** One line for the reference, and the tag it is listed under. */
  summary: string;
  tag: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /**
   * The body as the reference shows it, when the handler checks it itself item by item (a batch
   * of mentions, a source's settings) and `body` only checks its outline.
   */
  documentedBody?: z.ZodType;
  /** Every answer it gives besides the shared errors (400, 401, 403, 404, 429, 500, 503). */
  responses: Record<number, ResponseSpec>;
  handler: (
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
    deps: ApiDeps,
  ) => Promise<RouteResult>;
}

/** A route with its types erased, as the table holds it. */
export type Route = RouteSpec;

/** Declares a route; its handler's input is typed from its schemas. */
export function defineRoute<
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(spec: RouteSpec<P, Q, B>): Route {
  return spec;
}
