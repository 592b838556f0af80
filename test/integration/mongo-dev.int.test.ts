/**
 * Our MongoDB-wire server (scripts/mongo-dev) adds an index on the exact expression FerretDB
 * v1.24's SQLite handler looks `_id` up with; without it every find, update and delete by `_id`
 * scans the whole table. Checked with SQLite's own query plan, on a server of its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMongoDev, type MongoDevServer } from '../../src/devtools/mongo-dev.js';
import { eventually } from '../helpers/app.js';

const hasSqlite = (() => {
  try {
    execFileSync('sqlite3', ['-version']);
    return true;
  } catch {
    return false;
  }
})();

let dataDir: string;
let server: MongoDevServer | undefined;
let client: MongoClient | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'maillon-mongo-dev-'));
  server = await startMongoDev({ dataDir });
  client = await new MongoClient(`${server.url}/idindex`).connect();
});
afterAll(async () => {
  await client?.close();
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const sql = (file: string, query: string) =>
  execFileSync('sqlite3', ['-readonly', file, query], { encoding: 'utf8' });

// CI installs the sqlite3 shell (.ci/run); a machine without it says so here.
describe.runIf(hasSqlite || process.env.CI)('mongo-dev', () => {
  it('looks documents up by _id through an index, in new and re-created collections', async () => {
    const things = client!.db().collection<{ _id: string; round: number }>('things');
    for (const round of [1, 2]) {
      await things.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: `t${i}`, round })));
      const file = path.join(dataDir, 'idindex.sqlite');
      expect(readdirSync(dataDir)).toContain('idindex.sqlite');
      const table = sql(
        file,
        `SELECT table_name FROM _ferretdb_collections WHERE name = 'things'`,
      ).trim();
      // The keeper runs every 200 ms: wait for the condition, not for a time.
      await eventually(
        async () =>
          sql(
            file,
            `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}'`,
          ).includes('maillon_id_path')
            ? true
            : undefined,
        10_000,
        'the _id index',
      );
      const plan = sql(
        file,
        `EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "${table}" WHERE _ferretdb_sjson->'$._id' = '"t7"'`,
      );
      expect(plan).toMatch(/USING INDEX .*maillon_id_path/);
      expect(await things.findOne({ _id: 't7' })).toMatchObject({
        round,
      });
      await things.drop();
    }
  });
});
