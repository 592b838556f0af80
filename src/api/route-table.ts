/**
 * The route table as a Markdown table, for the README: generated, so that it cannot drift from
 * what the API serves (test/unit/api/readme-routes.test.ts compares; `npm run docs:api` rewrites).
 */
import type { Route } from './route.js';

export const ROUTES_START = '<!-- routes:start (npm run docs:api) -->';
export const ROUTES_END = '<!-- routes:end -->';

export function routesMarkdown(routes: readonly Route[]): string {
  const rows = routes.map(
    (r) =>
      `| \`${r.method.toUpperCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}\` | ${r.access} | ${r.summary.replaceAll('|', '\\|')} |`,
  );
  return ['| route | who | what |', '| --- | --- | --- |', ...rows].join('\n');
}

/** The rows of the routes section of `readme`, cells trimmed (the formatter aligns columns). */
export function routeRowsIn(readme: string): string[][] {
  const start = readme.indexOf(ROUTES_START);
  const end = readme.indexOf(ROUTES_END);
  if (start < 0 || end < start) return [];
  return rowsOf(readme.slice(start + ROUTES_START.length, end));
}

export function rowsOf(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|\s*-/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

/** `readme` with its routes section replaced by the table of `routes`. */
export function withRoutes(readme: string, routes: readonly Route[]): string {
  const start = readme.indexOf(ROUTES_START);
  const end = readme.indexOf(ROUTES_END);
  if (start < 0 || end < start)
    throw new Error(`README.md has no ${ROUTES_START} ... ${ROUTES_END} section`);
  return `${readme.slice(0, start + ROUTES_START.length)}\n\n${routesMarkdown(routes)}\n\n${readme.slice(end)}`;
}
