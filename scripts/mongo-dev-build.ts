/** Builds (or finds in the cache) the local MongoDB-wire server and prints its path. */
import { ensureMongoDevBinary } from '../src/devtools/mongo-dev.js';

const bin = await ensureMongoDevBinary((msg) => process.stderr.write(`${msg}\n`));
process.stdout.write(`${bin}\n`);
