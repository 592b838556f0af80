/** The README's table of routes is the route table's: `npm run docs:api` when this fails. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeRowsIn, routesMarkdown, rowsOf } from '../../../src/api/route-table.js';
import { routes } from '../../../src/api/routes.js';

describe("the README's routes", () => {
  it('are those of the route table, with their roles', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(routeRowsIn(readme)).toEqual(rowsOf(routesMarkdown(routes)));
  });
});
