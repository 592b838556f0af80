/**
 * Rewrites the README's table of routes from the route table (src/api/routes.ts).
 *
 *   npm run docs:api
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withRoutes } from '../src/api/route-table.js';
import { routes } from '../src/api/routes.js';

const file = new URL('../README.md', import.meta.url);
writeFileSync(file, withRoutes(readFileSync(file, 'utf8'), routes));
// The house formatter aligns the table's columns.
execFileSync('npx', ['oxfmt', fileURLToPath(file)], { stdio: 'ignore' });
process.stdout.write(`README.md: ${routes.length} routes\n`);
