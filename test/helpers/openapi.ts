/**
 * Holds real answers of the API to its OpenAPI document: the operation is found from the method
 * and the concrete path, and the body is validated (ajv, JSON Schema 2020-12) against the
 * response schema the document gives for its status.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

type Json = Record<string, unknown>;

export interface OpenApiChecker {
  /** Throws, naming the operation and the errors, when `body` breaks the document. */
  check(method: string, path: string, status: number, body: unknown): void;
  /** Operations checked so far, as `METHOD /template`. */
  covered: Set<string>;
}

export function openApiChecker(doc: Json): OpenApiChecker {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const templates = Object.keys(paths).map((t) => ({
    t,
    re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const covered = new Set<string>();
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return {
    covered,
    check(method, path, status, body) {
      const bare = path.split('?')[0]!;
      const found = templates.find(({ t, re }) => re.test(bare) && paths[t]![method.toLowerCase()]);
      if (!found) throw new Error(`${method} ${bare}: not in the OpenAPI document`);
      const op = paths[found.t]![method.toLowerCase()]!;
      const response = (op.responses as Record<string, Json>)[String(status)];
      if (!response) throw new Error(`${method} ${found.t}: status ${status} not documented`);
      covered.add(`${method.toUpperCase()} ${found.t}`);
      const schema = (response.content as Record<string, { schema: Json }> | undefined)?.[
        'application/json'
      ]?.schema;
      if (!schema) return;
      const id = `${method} ${found.t} ${status}`;
      const validate = compiled.get(id) ?? ajv.compile({ ...schema, components: doc.components });
      compiled.set(id, validate);
      if (!validate(body))
        throw new Error(
          `${method} ${found.t} ${status}: the answer breaks the document: ${ajv.errorsText(validate.errors)}`,
        );
    },
  };
}
