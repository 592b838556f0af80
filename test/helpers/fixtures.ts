/** Real source responses shared by the team in ../shared/fixtures (beside the repository). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../src/devtools/mongo-dev.js';

export const SHARED_FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures');

export function sharedFixture(relative: string): Buffer {
  const file = path.join(SHARED_FIXTURES, relative);
  if (!existsSync(file))
    throw new Error(`missing shared fixture ${file}: clone the repository beside ../shared`);
  return readFileSync(file);
}
