/**
 * The OpenAPI 3.1 document, generated from the route table: each route's zod schemas become its
 * parameters, body and answers (zod writes JSON Schema 2020-12, which OpenAPI 3.1 speaks), its
 * access becomes its security and its 401/403. Nothing here is written by hand per route, so the
 * reference cannot drift from what the API checks.
 */
import { z } from 'zod';
import type { Route } from './route.js';
import { errorSchema } from './schemas.js';

type Json = Record<string, unknown>;

/** Named schemas (`.meta({ id })`) go to components; references are rewritten to point there. */
function toSchema(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as Json;
  const { $schema: _s, $defs, ...rest } = json;
  for (const [name, def] of Object.entries(($defs as Json | undefined) ?? {}))
    components[name] ??= def;
  // A schema that is itself named is referenced rather than inlined.
  const id = (z.globalRegistry.get(schema) as { id?: string } | undefined)?.id;
  const body = relink(rest);
  if (id) {
    components[id] ??= body;
    return { $ref: `#/components/schemas/${id}` };
  }
  return body;
}

function relink(value: Json): Json {
  return JSON.parse(
    JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'),
  ) as Json;
}

/** A query or path object's properties, one parameter each. */
function parametersOf(schema: z.ZodType | undefined, where: 'query' | 'path', components: Json) {
  if (!schema) return [];
  const json = toSchema(schema, 'input', components);
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const { description, ...rest } = s;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const SHARED_ERRORS: Record<number, string> = {
  400: 'Invalid input: `details` lists each problem with its path.',
  429: 'Too many requests: wait for `retry-after` seconds.',
  500: 'Internal error.',
  503: 'The store or the queues cannot be reached: try again.',
};

export function openApiDocument(routes: readonly Route[], info: { version: string }): Json {
  const components: Json = {};
  const paths: Record<string, Record<string, Json>> = {};
  const errorRef = toSchema(errorSchema, 'output', components);

  for (const r of routes) {
    const path = r.path.replace(/:(\w+)/g, '{$1}');
    const responses: Json = {};
    for (const [status, spec] of Object.entries(r.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema
          ? {
              content: {
                'application/json': { schema: toSchema(spec.schema, 'output', components) },
              },
            }
          : spec.contentType
            ? { content: { [spec.contentType]: { schema: { type: 'string' } } } }
            : {}),
      };
    }
    const errors: Record<number, string> = { ...SHARED_ERRORS };
    if (r.access !== 'public') {
      errors[401] = 'No valid API key or session.';
      errors[403] = `The caller's role does not include \`${r.access}\` (or a session's CSRF token is missing).`;
    }
    if (r.params) errors[404] = 'Not found.';
    if (r.method !== 'get') errors[409] = 'Conflicts with what exists.';
    for (const [status, description] of Object.entries(errors))
      responses[status] ??= { description, content: { 'application/json': { schema: errorRef } } };

    const body = r.documentedBody ?? r.body;
    const hasBody = body && r.method !== 'get' && r.method !== 'delete';
    (paths[path] ??= {})[r.method] = {
      operationId: `${r.method}${path
        .replace(/[{}]/g, '')
        .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())
        .replace(/[^\w]/g, '')}`,
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      'x-role': r.access,
      security: r.access === 'public' ? [] : [{ apiKey: [] }, { session: [] }],
      parameters: [
        ...parametersOf(r.params, 'path', components),
        ...parametersOf(r.query, 'query', components),
      ],
      ...(hasBody
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(body, 'input', components) } },
            },
          }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Maillon API',
      version: info.version,
      description:
        'Social listening that finds the weak link of the customer journey. Send an API key as `Authorization: Bearer <key>` (admins make keys), or sign in to the dashboard. `x-role` says which role each operation needs: viewer reads, manager handles alerts, mentions and sources, admin manages keys, users, channels and settings.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: mlk_...' },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'maillon_session',
          description:
            'The dashboard session (POST /api/v1/session); state-changing requests also send `x-csrf-token`.',
        },
      },
    },
  };
}
